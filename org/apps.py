from __future__ import annotations

from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "org"
    label = "org"
    verbose_name = "Simulated Salesforce-style org"
