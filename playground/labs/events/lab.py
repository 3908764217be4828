"""The event lab's catalogue: its actions in page order, each a step like a flow's, and the
rows of the seeds' table (Platform Events against Change Data Capture) each one illustrates."""

from __future__ import annotations

from dataclasses import dataclass

from playground.labs.events.publishers import (
    change_event_step,
    create_record_step,
    edit_record_step,
    publish_step,
)
from playground.labs.events.subscribers import (
    REVOKED_TOKEN,
    SUBSCRIBERS,
    Subscriber,
    bad_replay_fault,
    check_step,
    disconnect_step,
    subscribe_step,
    unknown_channel_fault,
)
from playground.steps.token import token_request_step
from playground.vocabulary import AppSpec, Step

# The practice app the lab calls with: client credentials, acting as a demo user, its events
# and records in the visitor's own data space.
APP = AppSpec(grants=("client_credentials",), scopes=("api",), run_as="grace@handshake.example")


@dataclass(frozen=True)
class TableRow:
    """One row of the seeds' decision table: the criterion and what each side does."""

    slug: str
    criterion: str
    platform_events: str
    change_data_capture: str


_TRIGGER = TableRow(
    "trigger", "What sends an event", "You publish it, on purpose", "The org, on every saved change"
)
_SCHEMA = TableRow("schema", "What an event holds", "Fields you define", "The object's own fields")
_DIRECTION = TableRow(
    "direction", "Which way it goes", "Into and out of Salesforce", "Out of Salesforce only"
)
_EXTERNAL = TableRow("external-publish", "Can another system publish one", "Yes", "No")
ROWS = {row.slug: row for row in (_TRIGGER, _SCHEMA, _DIRECTION, _EXTERNAL)}


@dataclass(frozen=True)
class LabAction:
    step: Step
    rows: tuple[str, ...] = ()
    subscriber: Subscriber | None = None  # the subscriber whose panel holds it

    @property
    def slug(self) -> str:
        return self.step.slug

    @property
    def table_rows(self) -> tuple[TableRow, ...]:
        return tuple(ROWS[slug] for slug in self.rows)


TOKEN = LabAction(
    token_request_step(
        slug="token",
        title="Get a token for the lab's app",
        spec="RFC 6749 §4.4.2",
        summary="The lab's practice app posts grant_type=client_credentials. Its token "
        "publishes, edits records and subscribes, all in your own data space.",
        why="Every call below carries this token. Publishing and subscribing are API calls "
        "like any other: the token decides whose events the bus delivers, so a room full of "
        "people never see each other's.",
        form={"grant_type": "client_credentials"},
        basic_auth=True,
    )
)
ACTIONS: tuple[LabAction, ...] = (
    TOKEN,
    *(
        action
        for sub in SUBSCRIBERS
        for action in (
            LabAction(
                subscribe_step(
                    sub,
                    faults=(bad_replay_fault(sub), unknown_channel_fault(sub), REVOKED_TOKEN),
                ),
                ("schema",),
                sub,
            ),
            LabAction(disconnect_step(sub), (), sub),
        )
    ),
    LabAction(check_step()),
    LabAction(publish_step(), ("trigger", "schema", "direction")),
    LabAction(create_record_step(), ("trigger",)),
    LabAction(edit_record_step(), ("schema",)),
    LabAction(change_event_step(), ("direction", "external-publish")),
)
_BY_SLUG = {action.slug: action for action in ACTIONS}
# ?focus= on the lab's pages: what the advisor sent the person here to see first.
FOCUSES = {
    "platform-events": "You came for platform events: start the order system's subscriber, "
    "then publish an Order_Placed__e below and watch it arrive.",
    "cdc": "You came for Change Data Capture: start the data warehouse's subscriber, then "
    "create and edit an Account below; the org publishes the change events itself.",
    "fire-and-forget": "You came for fire and forget: publish an event and notice that the "
    "answer only says it was queued. Whether and when a subscriber gets it is not the "
    "publisher's business; replay is what makes up for a subscriber that was away.",
}


def action(slug: str) -> LabAction | None:
    return _BY_SLUG.get(slug)
