"""The event bus's tables (org.models imports these so Django finds them).

Every event lives in the database, so any server process can append to a channel and any
other can read it by replay id."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from org.models import Org


class EventDefinition(models.Model):
    """A platform event type (Order_Placed__e): its API name and custom fields.

    `space` "" is the org's own (seeded) definition every space sees; a visitor id marks one a
    trainee defined in Setup, which only that trainee's space sees."""

    org = models.ForeignKey(Org, on_delete=models.CASCADE, related_name="+")
    space = models.CharField(max_length=64, blank=True)
    api_name = models.CharField(max_length=43)
    label = models.CharField(max_length=80)
    # [{"name": "Amount__c", "type": "double"}, …]
    fields = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            # Per space: two trainees may each define Refund__e without meeting. The org's
            # own names are reserved by definitions.define, which sees them from every space.
            models.UniqueConstraint(
                fields=["org", "space", "api_name"], name="one_event_definition_per_name"
            )
        ]
        ordering = ["api_name"]

    def __str__(self) -> str:
        return self.api_name


class ChangeCapture(models.Model):
    """Whether Change Data Capture is on for one object in one data space. Without a row the
    object keeps its default (changes.DEFAULT_SELECTED)."""

    org = models.ForeignKey(Org, on_delete=models.CASCADE, related_name="+")
    space = models.CharField(max_length=64, blank=True)
    sobject = models.CharField(max_length=40)
    enabled = models.BooleanField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["org", "space", "sobject"], name="one_change_capture_per_object"
            )
        ]

    def __str__(self) -> str:
        return f"{self.sobject}: {'on' if self.enabled else 'off'}"


class ChannelCounter(models.Model):
    """The last replay id given out on one channel of one data space. Appending increments it
    with one UPDATE, which the database serialises across processes."""

    org = models.ForeignKey(Org, on_delete=models.CASCADE, related_name="+")
    space = models.CharField(max_length=64, blank=True)
    channel = models.CharField(max_length=100)
    last_replay_id = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["org", "space", "channel"], name="one_counter_per_channel"
            )
        ]

    def __str__(self) -> str:
        return f"{self.channel} at {self.last_replay_id}"


class ChannelRetention(models.Model):
    """A channel of one data space whose retention Setup shortened from the 72 hours."""

    org = models.ForeignKey(Org, on_delete=models.CASCADE, related_name="+")
    space = models.CharField(max_length=64, blank=True)
    channel = models.CharField(max_length=100)
    minutes = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["org", "space", "channel"], name="one_retention_per_channel"
            )
        ]

    def __str__(self) -> str:
        return f"{self.channel}: {self.minutes} min"


class Event(models.Model):
    """One event on one channel of one data space, at its replay id."""

    org = models.ForeignKey(Org, on_delete=models.CASCADE, related_name="+")
    space = models.CharField(max_length=64, blank=True)
    channel = models.CharField(max_length=100)
    replay_id = models.BigIntegerField()
    event_uuid = models.CharField(max_length=36, unique=True)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["org", "space", "channel", "replay_id"], name="one_event_per_replay_id"
            )
        ]
        ordering = ["replay_id"]

    def __str__(self) -> str:
        return f"{self.channel} #{self.replay_id}"
