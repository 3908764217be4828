"""The lab's two subscribers, each a CometD client the server runs for the visitor: start one
(handshake, subscribe with a replay id, first connect), check for events, disconnect it.

A subscriber's state is what a real client keeps between requests (its clientId, the channel,
the last replay id it saw) and lives in the lab run's values in the database, never in this
process: any server process can take the next check.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from playground.artefacts import Artefact, parameters
from playground.exchange import HttpExchange, OutgoingRequest
from playground.labs.events import bayeux
from playground.steps.answers import nothing_to_send
from playground.vocabulary import (
    Arrow,
    Attempt,
    Fault,
    Input,
    InputError,
    Lesson,
    Step,
    StepContext,
    StepResult,
)

STREAMING_SPEC = "Bayeux 1.0; Salesforce Streaming API, replay extension"


@dataclass(frozen=True)
class Subscriber:
    key: str  # kebab-case, stable: in URLs and in the run's values
    title: str
    channel: str
    listens_for: str

    def value(self, values: Mapping[str, str], name: str) -> str:
        return str(values.get(f"{self.key}.{name}", ""))

    def running(self, values: Mapping[str, str]) -> bool:
        return self.value(values, "connected") == "yes"

    def remember(self, **state: str) -> tuple[tuple[str, str], ...]:
        return tuple((f"{self.key}.{name}", value) for name, value in state.items())


PLATFORM = Subscriber(
    "platform",
    "Order system (platform events)",
    "/event/Order_Placed__e",
    "every Order_Placed__e event anyone in your space publishes",
)
CHANGES = Subscriber(
    "changes",
    "Data warehouse (change events)",
    "/data/AccountChangeEvent",
    "every create, update, delete and undelete of an Account in your space",
)
SUBSCRIBERS = (PLATFORM, CHANGES)


def subscriber(key: str) -> Subscriber | None:
    return next((item for item in SUBSCRIBERS if item.key == key), None)


def _clean_replay(value: str) -> str:
    text = value.strip()
    try:
        number = int(text)
    except ValueError:
        raise InputError("A replay id is a whole number: -1, -2 or one the bus gave out.") from None
    if number < bayeux.ALL_RETAINED:
        raise InputError("Use -1 (new events only), -2 (all retained) or 0 and up.")
    return str(number)


def _last_seen(sub: Subscriber, delivered: list[HttpExchange], fallback: str) -> str:
    ids = [
        number
        for exchange in delivered
        for message in bayeux.deliveries(exchange)
        if message.get("channel") == sub.channel
        and (number := bayeux.replay_id_of(message)) is not None
    ]
    return str(max(ids)) if ids else fallback


def _state_panel(sub: Subscriber, client_id: str, replay: str, count: int) -> Artefact:
    return parameters(
        "The subscriber",
        {
            "clientId": client_id,
            "channel": sub.channel,
            "replay": replay,
            "events delivered": str(count),
        },
        meanings={
            "clientId": "The bus's name for this client: every later message carries it.",
            "replay": "Where it asked to start: -1 new only, -2 all retained, N after N.",
            "events delivered": "Events the first connect brought; later ones come by checking.",
        },
    )


def _count(exchanges: list[HttpExchange]) -> int:
    return sum(len(bayeux.deliveries(exchange)) for exchange in exchanges)


def _join(
    sub: Subscriber, ctx: StepContext, hello: HttpExchange, replay: int
) -> tuple[list[HttpExchange], str, str]:
    """After a handshake: subscribe with `replay` and connect once. Returns the exchanges,
    the clientId and the refusal ("" when it is subscribed)."""
    greeted = bayeux.reply_to(hello, "/meta/handshake")
    if not greeted.successful or not greeted.client_id:
        return [hello], "", f"The bus refused the handshake: {greeted.error or 'no clientId'}"
    joined = ctx.transport.send(bayeux.subscribe(ctx, greeted.client_id, sub.channel, replay))
    answer = bayeux.reply_to(joined, "/meta/subscribe")
    if not answer.successful:
        return (
            [hello, joined],
            greeted.client_id,
            f"The bus refused the subscription: {answer.error}",
        )
    first = ctx.transport.send(bayeux.connect(ctx, greeted.client_id, 3))
    return [hello, joined, first], greeted.client_id, ""


def subscribe_step(sub: Subscriber, *, faults: tuple[Fault, ...]) -> Step:
    def build(ctx: StepContext) -> OutgoingRequest | StepResult:
        if problem := nothing_to_send(ctx, "access_token"):
            return problem
        if sub.running(ctx.values):
            return StepResult("error", "This subscriber is already running: disconnect it first.")
        return bayeux.handshake(ctx)

    def read(ctx: StepContext, hello: HttpExchange) -> StepResult:
        replay = int(ctx.inputs.get("replay", "-1"))
        exchanges, client_id, refused = _join(sub, ctx, hello, replay)
        if refused:
            return StepResult("error", refused, tuple(exchanges))
        fallback = str(replay) if replay >= 0 else sub.value(ctx.values, "replay_id")
        last = _last_seen(sub, exchanges, fallback)
        count = _count(exchanges)
        return StepResult(
            "ok",
            f"Subscribed to {sub.channel} from replay id {replay} as client "
            f"{client_id[:10]}…; the first connect brought {count} event(s).",
            tuple(exchanges),
            (_state_panel(sub, client_id, str(replay), count),),
            remember=sub.remember(client_id=client_id, connected="yes", replay_id=last),
        )

    return Step(
        slug=f"subscribe-{sub.key}",
        title=f"Start the {sub.title.split(' (')[0].lower()}'s subscriber",
        kind="back-channel",
        spec=STREAMING_SPEC,
        arrows=(
            Arrow("subscriber", "bus", "/meta/handshake"),
            Arrow("subscriber", "bus", f"/meta/subscribe {sub.channel}"),
            Arrow("subscriber", "bus", "/meta/connect, timeout 0"),
            Arrow("bus", "subscriber", "events since the replay id"),
        ),
        summary=f"A CometD client shakes hands with the org's bus, subscribes to {sub.channel} "
        "with the replay id below, and connects once. It listens for "
        f"{sub.listens_for}.",
        why="The handshake gives the client its clientId; the subscription names the channel "
        "and, through Salesforce's replay extension, where in the channel's log to start. "
        "Each connect asks for what has arrived since: this one says advice.timeout 0, so the "
        "bus answers at once rather than holding the request open.",
        build=build,
        read=read,
        button="Start subscriber",
        inputs=(
            Input(
                "replay",
                "Replay from",
                "-1: new events only. -2: every event the bus still keeps. A replay id: "
                "everything after it. The box starts at the last id this subscriber saw.",
                initial=lambda ctx: sub.value(ctx.values, "replay_id") or "-1",
                clean=_clean_replay,
                max_length=20,
            ),
        ),
        faults=faults,
    )


def disconnect_step(sub: Subscriber) -> Step:
    def build(ctx: StepContext) -> OutgoingRequest | StepResult:
        if not sub.running(ctx.values):
            return StepResult("error", "This subscriber is not running.")
        return bayeux.disconnect(ctx, sub.value(ctx.values, "client_id"))

    def read(ctx: StepContext, exchange: HttpExchange) -> StepResult:
        answer = bayeux.reply_to(exchange, "/meta/disconnect")
        last = sub.value(ctx.values, "replay_id") or "none yet"
        said = "The bus let it go" if answer.successful else f"The bus said {answer.error}"
        return StepResult(
            "ok",
            f"{said}. The subscriber keeps its last replay id ({last}): start it again with "
            "that id to receive exactly what it missed.",
            (exchange,),
            remember=sub.remember(connected=""),
        )

    return Step(
        slug=f"disconnect-{sub.key}",
        title="Disconnect it",
        kind="back-channel",
        spec="Bayeux 1.0 §5.5",
        arrows=(Arrow("subscriber", "bus", "/meta/disconnect"), Arrow("bus", "subscriber", "ok")),
        summary="The client says goodbye; the bus forgets its clientId.",
        why="Events published while it is away stay in the channel's log for the retention "
        "window. The bus does not keep a place for the client: the client keeps its own "
        "last replay id.",
        build=build,
        read=read,
        button="Disconnect",
    )


def _check_one(sub: Subscriber, ctx: StepContext) -> tuple[list[HttpExchange], dict[str, str]]:
    client_id = sub.value(ctx.values, "client_id")
    exchanges = [ctx.transport.send(bayeux.connect(ctx, client_id, int(time.time() * 1000)))]
    answer = bayeux.reply_to(exchanges[0], "/meta/connect")
    kept: dict[str, str] = {}
    if not answer.successful and answer.rehandshake:
        # 403::Unknown client: the bus forgot it (too long between connects). A real client
        # shakes hands again and resubscribes from its last replay id; so does this one.
        replay = int(sub.value(ctx.values, "replay_id") or bayeux.NEW_ONLY)
        joined, new_id, refused = _join(sub, ctx, ctx.transport.send(bayeux.handshake(ctx)), replay)
        exchanges += joined
        kept["client_id"] = new_id
        if refused:
            kept["connected"] = ""
    elif not answer.successful:
        kept["connected"] = ""
    kept["replay_id"] = _last_seen(sub, exchanges, sub.value(ctx.values, "replay_id"))
    return exchanges, kept


def check_step() -> Step:
    def build(ctx: StepContext) -> StepResult:
        # One connect per running subscriber, so no single request to build: it sends them.
        running = [sub for sub in SUBSCRIBERS if sub.running(ctx.values)]
        if not running:
            return StepResult("error", "No subscriber is running: start one first.")
        exchanges: list[HttpExchange] = []
        remember: list[tuple[str, str]] = []
        for sub in running:
            sent, kept = _check_one(sub, ctx)
            exchanges += sent
            remember += sub.remember(**kept)
        count = _count(exchanges)
        return StepResult(
            "ok",
            f"{count} new event(s)." if count else "Nothing new on the running subscribers.",
            tuple(exchanges),
            remember=tuple(remember),
        )

    return Step(
        slug="check",
        title="Check for events",
        kind="poll",
        spec="Bayeux 1.0 §5.3; Salesforce Streaming API",
        arrows=(
            Arrow("subscriber", "bus", "/meta/connect, timeout 0"),
            Arrow("bus", "subscriber", "events since the last connect"),
        ),
        summary="Each running subscriber connects once; the bus answers with what arrived.",
        why="A real CometD client connects again as soon as an answer comes back, and the bus "
        "holds the request open until there is something to send. Here the bus answers at "
        "once, and the page asks again every few seconds.",
        build=build,
        button="Check for events",
    )


# Break it ------------------------------------------------------------------------------------


def judge_bayeux(exchanges: list[HttpExchange], channel: str) -> StepResult:
    """A refused meta message is the lesson ("ok"); one the bus accepted is not."""
    answer = bayeux.reply_to(exchanges[-1], channel)
    if answer.successful:
        return StepResult(
            "error", "The bus accepted it. A careful server refuses it.", tuple(exchanges)
        )
    return StepResult("ok", f"The bus refused it: {answer.error}", tuple(exchanges))


def _subscribe_fault(
    sub: Subscriber, change: Callable[[StepContext], tuple[str, int]]
) -> Callable[[Attempt], StepResult]:
    def run(attempt: Attempt) -> StepResult:
        ctx, request = attempt.ctx, attempt.request
        if request is None:
            return StepResult("error", "Nothing to break: get a token first.")
        hello = ctx.transport.send(request)
        greeted = bayeux.reply_to(hello, "/meta/handshake")
        if not greeted.successful:
            return StepResult("error", f"The handshake failed: {greeted.error}", (hello,))
        channel, replay = change(ctx)
        tried = ctx.transport.send(bayeux.subscribe(ctx, greeted.client_id, channel, replay))
        result = judge_bayeux([hello, tried], "/meta/subscribe")
        # Let the bus forget the throw-away client at once.
        bye = ctx.transport.send(bayeux.disconnect(ctx, greeted.client_id))
        return StepResult(result.outcome, result.headline, (*result.exchanges, bye))

    return run


def bad_replay_fault(sub: Subscriber) -> Fault:
    def change(ctx: StepContext) -> tuple[str, int]:
        seen = int(sub.value(ctx.values, "replay_id") or 0)
        return sub.channel, seen + 1_000_000

    return Fault(
        slug="bad-replay-id",
        label="A replay id the bus never gave out",
        does="Subscribes with a replay id a million past the last one this subscriber saw.",
        lesson=Lesson(
            why="The bus can resume only from a position in the channel's log it still "
            "keeps: -1, -2, or an id it gave out that has not expired. Anything else gets "
            "400::The replayId … you provided was invalid.",
            gain="A subscriber that guessed a position would believe it had missed nothing "
            "while events went by unseen.",
            fix="Store the replayId of every event you process and resume from it; on this "
            "error, fall back to -2 and drop the duplicates by EventUuid or replay id.",
        ),
        run=_subscribe_fault(sub, change),
    )


def unknown_channel_fault(sub: Subscriber) -> Fault:
    prefix = sub.channel.rsplit("/", 1)[0]
    missing = f"{prefix}/No_Such_Event__e" if prefix == "/event" else f"{prefix}/NoSuchChangeEvent"
    return Fault(
        slug="unknown-channel",
        label="A channel that does not exist",
        does=f"Subscribes to {missing} instead of {sub.channel}.",
        lesson=Lesson(
            why="A channel exists when its event is defined (or, for change events, when the "
            "object is one the org captures). The bus refuses anything else with 400 and "
            "the channel's name.",
            gain="A typo that silently subscribed would leave a subscriber waiting forever "
            "for events that never come.",
            fix="Take channel names from the event's API name (/event/Name__e) or the "
            "object's (/data/NameChangeEvent), and treat a refused subscribe as fatal.",
        ),
        run=_subscribe_fault(sub, lambda ctx: (missing, bayeux.NEW_ONLY)),
    )


def _revoked_token(attempt: Attempt) -> StepResult:
    ctx, request = attempt.ctx, attempt.request
    if request is None:
        return StepResult("error", "Nothing to break: get a token first.")
    # A second token for the same app, so revoking it leaves the lab's own token alone.
    minted = ctx.transport.send(
        ctx.client_form(ctx.urls.token, {"grant_type": "client_credentials"}, basic=True)
    )
    token = minted.json_body().get("access_token")
    if not isinstance(token, str) or not token:
        return StepResult("error", f"No token to revoke: {minted.problem}", (minted,))
    # RFC 7009 §2.1: the client revokes its own token.
    revoked = ctx.transport.send(ctx.client_form(ctx.urls.revocation, {"token": token}, basic=True))
    hello = ctx.transport.send(request.with_header("Authorization", f"Bearer {token}"))
    answer = bayeux.reply_to(hello, "/meta/handshake")
    exchanges = (minted, revoked, hello)
    if answer.successful:
        return StepResult("error", "The bus shook hands with a revoked token.", exchanges)
    return StepResult("ok", f"The bus refused the handshake: {answer.error}", exchanges)


REVOKED_TOKEN = Fault(
    slug="revoked-token",
    label="A revoked access token",
    does="Gets a second token for the lab's app, revokes it at the org's revocation endpoint, "
    "and shakes hands with it.",
    lesson=Lesson(
        why="Streaming checks the token as the REST API does, on the handshake and on every "
        "connect: a revoked token is unknown, so the handshake is denied with "
        "401::Authentication invalid.",
        gain="A subscriber whose token leaked would keep receiving every event after the "
        "admin revoked it.",
        fix="On 401 from the bus, get a new token and shake hands again; resubscribe from the "
        "last replay id you processed.",
    ),
    run=_revoked_token,
)
