from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from org.seed import seed_org


class Command(BaseCommand):
    help = (
        "Create the demo org, its users, Accounts, Contacts, Assets and first signing key "
        "(idempotent)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        org = seed_org()
        self.stdout.write(f"Demo org ready: {org.name} ({org.org_id})")
