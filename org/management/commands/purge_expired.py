from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from org.purge import BATCH_SIZE, purge_expired


class Command(BaseCommand):
    help = (
        "Delete expired codes, tokens, device authorizations, spent assertion ids and "
        "throttle counters, practice apps past their retention and the playground's old runs "
        "and servers, in short transactions. Safe to run at any time, e.g. hourly from cron."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch-size", type=int, default=BATCH_SIZE, help="rows per transaction"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        batch_size: int = options["batch_size"]
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        for purged in purge_expired(batch_size=batch_size):
            line = f"{purged.artefact}: {purged.rows} deleted in {purged.batches} "
            line += "batch" if purged.batches == 1 else "batches"
            if purged.with_them:
                line += " (with them: "
                line += ", ".join(f"{count} {table}" for table, count in purged.with_them)
                line += ")"
            self.stdout.write(line)
