"""Exchanges used to list their secrets as bare strings; they are now Secret(value, name)."""

from __future__ import annotations

from typing import Any

from django.db import migrations


def _name_secrets(apps: Any, schema_editor: Any) -> None:
    runs = apps.get_model("playground", "FlowRun")
    for run in runs.objects.iterator():
        changed = False
        for entry in run.steps:
            for exchange in entry.get("result", {}).get("exchanges", []):
                old = exchange.get("secrets", [])
                if any(isinstance(item, str) for item in old):
                    exchange["secrets"] = [
                        {"value": item, "name": "secret"} if isinstance(item, str) else item
                        for item in old
                    ]
                    changed = True
        if changed:
            runs.objects.filter(pk=run.pk).update(steps=run.steps)


class Migration(migrations.Migration):
    dependencies = [("playground", "0002_breakit_sharing_external_servers")]

    operations = [migrations.RunPython(_name_secrets, migrations.RunPython.noop)]
