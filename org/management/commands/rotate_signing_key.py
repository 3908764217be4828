from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from org.keys import rotate_signing_key


class Command(BaseCommand):
    help = "Sign with a new key from now on; old keys stay in the JWKS until their tokens expire."

    def handle(self, *args: Any, **options: Any) -> None:
        rotation = rotate_signing_key()
        self.stdout.write(f"Now signing with key {rotation.new_kid}.")
        for kid, until in rotation.retired:
            self.stdout.write(f"Retired key {kid}; published until {until.isoformat()}.")
