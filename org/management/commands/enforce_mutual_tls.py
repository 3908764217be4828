from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from org.models import OrgUser


class Command(BaseCommand):
    help = (
        "Salesforce's Enforce SSL/TLS Mutual Authentication for one user: their API calls are "
        "refused unless they come with a client certificate."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--off", action="store_true", help="lift the requirement")

    def handle(self, *args: Any, **options: Any) -> None:
        changed = OrgUser.objects.filter(user__username=options["username"]).update(
            enforce_mutual_tls=not options["off"]
        )
        if not changed:
            raise CommandError(f"no org user named {options['username']}")
        state = "no longer required" if options["off"] else "required"
        self.stdout.write(f"Mutual TLS is {state} for {options['username']}'s API calls.")
