"""The streaming endpoint's tables (org.models imports these so Django finds them).

A CometD client and its subscriptions live in the database, not in a server process: any
process can take any client's next connect, and a client survives a restart."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from org.models import ConnectedApp, Org, OrgUser


class StreamingClient(models.Model):
    """One handshake's client: bound to the app and user of the token that made it, in that
    token's data space. Only the clientId's SHA-256 is kept, as for tokens."""

    client_hash = models.CharField(max_length=64, unique=True)
    org = models.ForeignKey(Org, on_delete=models.CASCADE, related_name="+")
    space = models.CharField(max_length=64, blank=True)
    app = models.ForeignKey(ConnectedApp, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(OrgUser, on_delete=models.CASCADE, related_name="+")
    # The API version of the endpoint it shook hands on: EventUuid is delivered from 52.0.
    api_version = models.CharField(max_length=8)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)
    # How many connects it has sent: a held connect whose number is no longer the latest
    # was replaced by a newer one (Bayeux: one outstanding connect per client).
    connects = models.PositiveBigIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["org", "space", "expires_at"])]

    def __str__(self) -> str:
        return f"streaming client of {self.app_id} in {self.space or 'main'}"


class Subscription(models.Model):
    """A client's channel and where it is in the channel's log: the events after
    `after_replay_id` are still to be delivered (-2 until the first read of "all retained")."""

    client = models.ForeignKey(
        StreamingClient, on_delete=models.CASCADE, related_name="subscriptions"
    )
    channel = models.CharField(max_length=100)
    after_replay_id = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client", "channel"], name="one_subscription_per_channel"
            )
        ]
        ordering = ["channel"]

    def __str__(self) -> str:
        return f"{self.channel} after {self.after_replay_id}"
