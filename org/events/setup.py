"""Setup's page for platform events and Change Data Capture: the forms that define an event
type, choose the objects whose changes are captured and shorten a channel's retention, and what
the page lists."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django import forms

from org.events import changes, definitions
from org.events.log import DEFAULT_RETENTION, latest_replay_id, retention_of
from org.events.models import ChannelRetention, EventDefinition
from org.models import Org
from org.rest.schema import SOBJECTS

FIELD_TYPE_CHOICES = ", ".join(definitions.FIELD_TYPES)


class DefineEventForm(forms.Form):
    api_name = forms.CharField(
        label="API name", max_length=43, help_text="For example Refund_Issued__e."
    )
    label = forms.CharField(max_length=80)
    custom_fields = forms.CharField(
        label="Custom fields",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false"}),
        help_text=f"One a line: the field's API name, a space, its type ({FIELD_TYPE_CHOICES}). "
        "For example: Amount__c double",
    )

    def clean_custom_fields(self) -> list[definitions.FieldSpec]:
        specs = []
        for number, line in enumerate(self.cleaned_data["custom_fields"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = line.split()
            if len(parts) != 2:
                raise forms.ValidationError(
                    f"Line {number}: write the field's API name and its type, with one space."
                )
            specs.append(definitions.FieldSpec(name=parts[0], type=parts[1].lower()))
        return specs


class ChangeCaptureForm(forms.Form):
    objects = forms.MultipleChoiceField(
        label="Capture changes of",
        required=False,
        choices=[(name, sobject.label_plural) for name, sobject in SOBJECTS.items()],
        widget=forms.CheckboxSelectMultiple,
    )


class RetentionForm(forms.Form):
    channel = forms.CharField(max_length=100, widget=forms.HiddenInput)
    minutes = forms.IntegerField(
        label="Keep events for (minutes)",
        required=False,
        min_value=1,
        max_value=int(DEFAULT_RETENTION.total_seconds() // 60),
        help_text="Leave empty for Salesforce's 72 hours.",
    )


@dataclass(frozen=True)
class ChannelRow:
    definition: EventDefinition
    channel: str
    retention: timedelta
    latest_replay_id: int

    @property
    def shortened(self) -> bool:
        return self.retention != DEFAULT_RETENTION


def channel_rows(org: Org, space: str) -> list[ChannelRow]:
    rows = []
    for definition in definitions.visible(org, space):
        channel = definitions.channel_of(definition.api_name)
        rows.append(
            ChannelRow(
                definition=definition,
                channel=channel,
                retention=retention_of(org, space, channel),
                latest_replay_id=latest_replay_id(org, space, channel),
            )
        )
    return rows


@dataclass(frozen=True)
class ChangeChannelRow:
    """A change event channel: one object's (`sobject` set) or every object's."""

    channel: str
    sobject: str
    selected: bool
    retention: timedelta
    latest_replay_id: int

    @property
    def shortened(self) -> bool:
        return self.retention != DEFAULT_RETENTION


def change_rows(org: Org, space: str) -> list[ChangeChannelRow]:
    captured = changes.selected(org, space)
    channels = [(changes.CHANGE_EVENTS, "")] + [(changes.channel_of(n), n) for n in SOBJECTS]
    return [
        ChangeChannelRow(
            channel=channel,
            sobject=name,
            selected=name in captured,
            retention=retention_of(org, space, channel),
            latest_replay_id=latest_replay_id(org, space, channel),
        )
        for channel, name in channels
    ]


def set_retention(org: Org, space: str, channel: str, minutes: int | None) -> None:
    """Shorten a channel's retention for this space, or give it back its 72 hours."""
    if minutes is None:
        ChannelRetention.objects.filter(org=org, space=space, channel=channel).delete()
        return
    ChannelRetention.objects.update_or_create(
        org=org, space=space, channel=channel, defaults={"minutes": minutes}
    )


def known_channel(org: Org, space: str, channel: str) -> bool:
    return changes.channel_exists(channel) or any(
        row.channel == channel for row in channel_rows(org, space)
    )
