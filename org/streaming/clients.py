"""CometD clients: who may stream (the REST API's own token check), the clientId a handshake
gives out, and finding that client again, only with the credentials it was made for.

A clientId is random and unguessable, and even a leaked one is no use to anyone else: it
answers only to tokens of the app and user whose token shook hands, so another trainee's token
(or a made-up id) gets `403::Unknown client`, as an expired client does."""

from __future__ import annotations

import copy
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from org.purge import Rule
from org.resource_server import check_bearer
from org.rest.spaces import Caller, caller_of
from org.scopes import API_SCOPES
from org.streaming import protocol
from org.streaming.models import StreamingClient

# Streaming API Developer Guide, "Timeouts": a client that does not connect again within about
# two minutes is forgotten and must shake hands again.
CLIENT_TIMEOUT = timedelta(minutes=2)
# Concurrent CometD clients (Platform Events Developer Guide, "Common Allocations"): a
# trainee's practice space gets a Developer Edition org's 20, the org as a whole Unlimited
# Edition's 2,000.
TRAINEE_CLIENTS = 20
ORG_CLIENTS = 2_000


@dataclass(frozen=True)
class Streamer:
    """Who sends a request to the streaming endpoint: the token's caller and app."""

    caller: Caller
    app_id: int
    version: str


@dataclass(frozen=True)
class Connecting:
    """A connect that may go on: its client, the client's data space, and the connect's
    number among the client's connects."""

    client_pk: int
    org_pk: int
    space: str
    number: int

    @property
    def first(self) -> bool:
        return self.number == 1


def _as_bearer(request: HttpRequest, credentials: str) -> HttpRequest:
    """The request as the REST API's Bearer check reads it: jsforce and Salesforce's own
    samples send `Authorization: OAuth <token>`, other clients `Bearer <token>`."""
    bearer = copy.copy(request)
    bearer.META = {**request.META, "HTTP_AUTHORIZATION": f"Bearer {credentials}"}
    vars(bearer).pop("headers", None)  # a cached_property, built from META
    return bearer


def authenticate(request: HttpRequest, version: str) -> Streamer | str:
    """The streamer a request's token names, or the error to answer every message with."""
    scheme, _, credentials = request.headers.get("Authorization", "").strip().partition(" ")
    if not credentials.strip():
        return protocol.NO_CREDENTIALS
    if scheme.lower() not in {"oauth", "bearer"}:
        return protocol.AUTHENTICATION_INVALID
    check = check_bearer(_as_bearer(request, credentials.strip()), any_of=API_SCOPES)
    if check.token is None:
        return protocol.AUTHENTICATION_INVALID
    return Streamer(caller_of(check.token), check.token.family.app_id, version)


def _digest(client_id: str) -> str:
    return hashlib.sha256(client_id.encode()).hexdigest()


def new_client_id() -> str:
    # Lower-case letters and digits, as Salesforce's clientIds look; 160 random bits.
    number = secrets.randbits(160)
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    text = ""
    while number:
        number, digit = divmod(number, 36)
        text += digits[digit]
    return text or "0"


def handshake(streamer: Streamer) -> str | None:
    """A new client for the streamer; None when its space or the org has too many live ones."""
    caller, now = streamer.caller, timezone.now()
    live = StreamingClient.objects.filter(org=caller.org, expires_at__gt=now)
    cap = TRAINEE_CLIENTS if caller.is_trainee else ORG_CLIENTS
    if live.filter(space=caller.space).count() >= cap or live.count() >= ORG_CLIENTS:
        return None
    client_id = new_client_id()
    StreamingClient.objects.create(
        client_hash=_digest(client_id),
        org=caller.org,
        space=caller.space,
        app_id=streamer.app_id,
        user=caller.user,
        api_version=streamer.version,
        expires_at=now + CLIENT_TIMEOUT,
    )
    return client_id


def find(streamer: Streamer, client_id: str) -> StreamingClient | None:
    """The live client with this id, if the streamer's app and user made it."""
    if not client_id:
        return None
    return StreamingClient.objects.filter(
        client_hash=_digest(client_id),
        app_id=streamer.app_id,
        user=streamer.caller.user,
        expires_at__gt=timezone.now(),
    ).first()


def begin_connect(streamer: Streamer, client_id: str, hold_ms: int) -> Connecting | None:
    """Count a new connect of the live client the streamer made; it stays alive while held
    and two minutes after. One UPDATE … RETURNING (SQLite 3.35 and PostgreSQL both have it):
    the row's lock means two connects of one client never share a number, and every reconnect
    of a room's subscribers costs one statement, not a lookup and a transaction of three."""
    if not client_id:
        return None
    now = timezone.now()
    expires = now + timedelta(milliseconds=hold_ms) + CLIENT_TIMEOUT
    table = connection.ops.quote_name(StreamingClient._meta.db_table)
    moment = connection.ops.adapt_datetimefield_value  # as the ORM stores a DateTimeField
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET connects = connects + 1, expires_at = %s "
            "WHERE client_hash = %s AND app_id = %s AND user_id = %s AND expires_at > %s "
            "RETURNING id, org_id, space, connects",
            [
                moment(expires),
                _digest(client_id),
                streamer.app_id,
                streamer.caller.user.pk,
                moment(now),
            ],
        )
        row = cursor.fetchone()
    return None if row is None else Connecting(*row)


def disconnect(streamer: Streamer, client_id: str) -> bool:
    """Forget the client (Bayeux §5.5); False when the streamer has no such client."""
    client = find(streamer, client_id)
    if client is not None:
        client.delete()
    return client is not None


def rules(now: datetime) -> list[Rule]:
    """For `purge_expired` (settings.HANDSHAKE_PURGE_RULES): clients past their timeout."""
    return [Rule("expired streaming clients", StreamingClient, Q(expires_at__lte=now))]
