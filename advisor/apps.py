from __future__ import annotations

from django.apps import AppConfig


class AdvisorConfig(AppConfig):
    name = "advisor"
    verbose_name = "Integration advisor"

    def ready(self) -> None:
        # Fail at start-up, not on some visitor's answers, if a rule or scenario names an id
        # that the questions or decisions don't define.
        from advisor.catalogue import check_catalogue

        check_catalogue()
