"""Read-only share links for runs: made and withdrawn by the run's owner, readable by anyone.

A share id is separate from the run's own id, so sharing reveals nothing that would let a
reader act on the run, and withdrawing the link kills it for good (a new share gets a new id).
"""

from __future__ import annotations

import secrets

from playground.models import FlowRun


def new_share_id() -> str:
    # 192 random bits, like run ids: the link is the only thing that grants access.
    return secrets.token_urlsafe(24)


def share_run(run: FlowRun) -> FlowRun:
    """Give the run a share link, keeping the one it has."""
    if not run.share_id:
        FlowRun.objects.filter(pk=run.pk, share_id__isnull=True).update(share_id=new_share_id())
        run.refresh_from_db(fields=["share_id"])
    return run


def stop_sharing(run: FlowRun) -> FlowRun:
    FlowRun.objects.filter(pk=run.pk).update(share_id=None)
    run.refresh_from_db(fields=["share_id"])
    return run


def shared_run(share_id: str) -> FlowRun | None:
    if not share_id:
        return None
    return FlowRun.objects.select_related("server").filter(share_id=share_id).first()
