"""Bayeux 1.0 as Salesforce's streaming API speaks it: reading a POSTed batch of messages, the
API version in the path, and the answers (successful ones, and `code::message` errors with the
advice Salesforce sends beside them).

Every message gets an answer on its own channel, echoing its `id`; nothing a client sends
raises (Bayeux §4: a message the server cannot act on is answered unsuccessful)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest

from config.org_paths import API_VERSION
from org.rest import bodies
from org.rest.errors import ApiError

# Streaming API Developer Guide, "Streaming API Client Requirements": a bigger body is refused.
MAX_BODY_BYTES = 32_768
# Durable streaming (replay) begins with 37.0; Salesforce refuses older paths.
OLDEST_VERSION = 37
NEWEST_VERSION = int(API_VERSION.split(".")[0])
LONG_POLLING = "long-polling"
HANDSHAKE, CONNECT, SUBSCRIBE = "/meta/handshake", "/meta/connect", "/meta/subscribe"
UNSUBSCRIBE, DISCONNECT = "/meta/unsubscribe", "/meta/disconnect"
# Anything longer than this is not an id or clientId any client sends.
_MAX_ECHO = 100
_VERSION = re.compile(r"[0-9]{2}\.0")

URI_FORMAT = f"URI format: '/cometd/{API_VERSION}'"
VERSION_MISSING = f"400::API version in the URI is mandatory. {URI_FORMAT}"
VERSION_UNSUPPORTED = (
    f"400::Unsupported API version. Only API versions '{OLDEST_VERSION}.0' and later are "
    f"supported. {URI_FORMAT}"
)
TOO_LARGE = "413::Maximum Request Size Exceeded"
NOT_JSON = "400::The request body is not a JSON array of Bayeux messages"
POST_ONLY = "405::Bayeux messages are POSTed"
AUTHENTICATION_INVALID = "401::Authentication invalid"
NO_CREDENTIALS = "401::Request requires authentication"
HANDSHAKE_DENIED = "403::Handshake denied"
UNKNOWN_CLIENT = "403::Unknown client"
TOO_MANY_CLIENTS = "403::Organization concurrent user limit exceeded"
TOO_MANY_SUBSCRIPTIONS = "403::Maximum subscriptions per client exceeded"
NO_CHANNEL_NAME = "400::Channel name not specified"
NO_LEADING_SLASH = "400::Channel subscriptions must start with a leading '/'"
NO_CHANNEL = "400::Message without a channel"
UNKNOWN_META = "400::Unknown meta channel"
PUBLISH_DENIED = "403::Publish denied"

# A server whose requests each take a thread of a small pool (the TLS listener; any WSGI
# server) holds no connect: it answers after one look, and its advice (Bayeux's
# advice.interval) asks the client to come back this much later, so a waiting client polls
# once a second instead of holding a thread for up to 110 s.
POLLING_INTERVAL_MS = 1_000

# Bayeux §5.1: the server no longer knows the client; shake hands again.
REHANDSHAKE = {"interval": 0, "reconnect": "handshake"}
# The client must not try again with these credentials (jsforce treats it as an auth failure).
GIVE_UP = {"interval": 0, "reconnect": "none"}


@dataclass(frozen=True)
class Refusal:
    """A request refused as a whole, before any message is read: its HTTP status and error."""

    status: int
    error: str

    def body(self) -> list[dict[str, Any]]:
        return [{"successful": False, "error": self.error}]


@dataclass(frozen=True)
class Message:
    """One message of a batch, as sent: a JSON object, or whatever else the array held."""

    raw: Any

    def _get(self, key: str) -> Any:
        return self.raw.get(key) if isinstance(self.raw, dict) else None

    def text(self, key: str) -> str:
        value = self._get(key)
        return value if isinstance(value, str) and len(value) <= _MAX_ECHO else ""

    @property
    def channel(self) -> str:
        return self.text("channel")

    @property
    def client_id(self) -> str:
        return self.text("clientId")

    @property
    def subscription(self) -> Any:
        return self._get("subscription")

    def ext(self) -> dict[str, Any]:
        value = self._get("ext")
        return value if isinstance(value, dict) else {}

    def timeout_ms(self, ceiling: int) -> int:
        """How long the client lets the server hold this connect (advice.timeout), capped."""
        advice = self._get("advice")
        asked = advice.get("timeout") if isinstance(advice, dict) else None
        # json.loads takes NaN and Infinity too; NaN compares with nothing.
        if isinstance(asked, bool) or not isinstance(asked, int | float) or math.isnan(asked):
            return ceiling
        return int(max(0, min(asked, ceiling)))

    def echo(self) -> dict[str, Any]:
        """What every answer repeats: the channel and the client's id for the message."""
        echoed: dict[str, Any] = {}
        if self.channel:
            echoed["channel"] = self.channel
        message_id = self._get("id")
        if isinstance(message_id, str) and len(message_id) <= _MAX_ECHO:
            echoed["id"] = message_id
        elif isinstance(message_id, int) and not isinstance(message_id, bool):
            echoed["id"] = message_id if abs(message_id) < 2**53 else str(message_id)
        return echoed


@dataclass(frozen=True)
class Batch:
    messages: list[Message] = field(default_factory=list)


def check_version(version: str | None) -> Refusal | None:
    """The path's API version, as /cometd/NN.N; None when it is one this org serves."""
    if not version:
        return Refusal(400, VERSION_MISSING)
    if not _VERSION.fullmatch(version) or not (
        OLDEST_VERSION <= int(version[:2]) <= NEWEST_VERSION
    ):
        return Refusal(400, VERSION_UNSUPPORTED)
    return None


def read_batch(request: HttpRequest) -> Batch | Refusal:
    """The messages of a POSTed body: a JSON array of them, or one message on its own."""
    try:
        parsed = bodies.parse_json(
            bodies.read_capped(request, MAX_BODY_BYTES, ApiError(413, "", ""))
        )
    except ApiError as error:
        return Refusal(413, TOO_LARGE) if error.status == 413 else Refusal(400, NOT_JSON)
    if isinstance(parsed, dict):
        parsed = [parsed]
    if not isinstance(parsed, list) or not parsed:
        return Refusal(400, NOT_JSON)
    return Batch([Message(item) for item in parsed])


def success(message: Message, **fields: Any) -> dict[str, Any]:
    return {**message.echo(), **fields, "successful": True}


def failure(message: Message, error: str, **fields: Any) -> dict[str, Any]:
    return {**message.echo(), **fields, "error": error, "successful": False}


def unknown_client(message: Message) -> dict[str, Any]:
    return failure(message, UNKNOWN_CLIENT, advice=REHANDSHAKE)


def not_authenticated(message: Message, reason: str) -> dict[str, Any]:
    """A message whose request carried no live token (Streaming API Developer Guide,
    "Handling Errors"): a handshake is denied with the reason in ext.sfdc, any other
    message answered with the reason itself; both advise the client not to retry."""
    if message.channel == HANDSHAKE:
        return failure(
            message, HANDSHAKE_DENIED, ext={"sfdc": {"failureReason": reason}}, advice=GIVE_UP
        )
    client = {"clientId": message.client_id} if message.client_id else {}
    return failure(message, reason, advice=GIVE_UP, **client)


def handshake_reply(message: Message, client_id: str) -> dict[str, Any]:
    """Salesforce's handshake answer: replay and payload.format supported, long-polling only."""
    return success(
        message,
        clientId=client_id,
        version="1.0",
        minimumVersion="1.0",
        supportedConnectionTypes=[LONG_POLLING],
        ext={"replay": True, "payload.format": True},
        reestablish=False,
    )


def connect_reply(
    message: Message, client_id: str, *, timeout_ms: int, interval_ms: int = 0
) -> dict[str, Any]:
    """A connect's answer, with the advice Salesforce sends: connect again after `interval_ms`
    (at once, from Salesforce), to be held up to `timeout_ms` (110 s)."""
    advice = {"interval": interval_ms, "timeout": timeout_ms, "reconnect": "retry"}
    return success(message, clientId=client_id, advice=advice)


def invalid_connection_type(message: Message) -> dict[str, Any]:
    shown = message.text("connectionType")[:40]
    return failure(message, f"400::Invalid connection type {{{shown}}}", clientId=message.client_id)


def unknown_channel(message: Message, channel: str) -> dict[str, Any]:
    return failure(
        message,
        f"400::The channel you requested to subscribe to doesn't exist {{{channel}}}",
        clientId=message.client_id,
        subscription=channel,
    )
