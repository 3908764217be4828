"""What a run's steps work with: its flow, its transport and the StepContext built from the run."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from org.connected_apps import ConnectedAppError, owned_app, update_connected_app
from org.models import AccessToken
from org.rest.limits import exhaust_daily_requests, restore_daily_requests
from org.rest.spaces import describe_space, space_of
from org.tokens import find_access_token
from playground import servers
from playground.exchange import HttpExchange, Transport
from playground.flows import get_flow
from playground.flows.external import external_flow
from playground.models import ExternalServer, FlowRun
from playground.transports import HttpxTransport, InProcessTransport
from playground.vocabulary import AppSetup, DataSpace, Flow, StepContext

CALLBACK_PATH = "/playground/callback/"


def callback_url(base_url: str) -> str:
    return base_url + CALLBACK_PATH


def flow_of(run: FlowRun) -> Flow | None:
    """The flow a run follows: a built-in one, or one built for its external server."""
    if run.server_id is not None:
        server: ExternalServer = run.server  # type: ignore[assignment]
        return external_flow(run.flow, servers.endpoints_of(server))
    return get_flow(run.flow)


def transport_for(run: FlowRun) -> Transport:
    """In-process for the org; over the network, with its address checks, for anyone else."""
    if run.server_id is None:
        return InProcessTransport()
    return HttpxTransport(
        timeout=servers.TIMEOUT_SECONDS, allow_private=settings.HANDSHAKE_ALLOW_PRIVATE_TARGETS
    )


def step_context(
    run: FlowRun,
    transport: Transport,
    *,
    received: Mapping[str, str] | None = None,
    received_exchange: HttpExchange | None = None,
) -> StepContext:
    external: dict[str, Any] = {"setup": _app_setup(run), "data_space": _data_space(run)}
    secret = run.client_secret
    if run.server_id is not None:
        server: ExternalServer = run.server  # type: ignore[assignment]
        secret = servers.secret_of(server)
        external = {
            "endpoints": servers.endpoints_of(server),
            "scope": server.scope,
            "client_auth": servers.client_auth_of(server),
            "external": True,
        }
    return StepContext(
        client_id=run.client_id,
        client_secret=secret,
        base_url=run.base_url,
        redirect_uri=run.redirect_uri,
        values=dict(run.values),
        transport=transport,
        received=dict(received or {}),
        received_exchange=received_exchange,
        **external,
    )


def _app_setup(run: FlowRun) -> AppSetup:
    """Setup for the run's practice app, as its owner (the runner's admin channel to the org)."""

    def apply(changes: Mapping[str, str]) -> str:
        try:
            update_connected_app(run.client_id, owner=run.owner, **changes)
        except ConnectedAppError as problem:
            return str(problem)
        return ""

    return apply


def _data_space(run: FlowRun) -> DataSpace:
    return practice_data_space(client_id=run.client_id, owner=run.owner)


def practice_data_space(*, client_id: str, owner: str) -> DataSpace:
    """A practice app's records, as its owner (the runner's admin channel to the org); the
    event lab's app uses it too."""

    def describe() -> str:
        return describe_space(owned_app(client_id, owner=owner))

    def while_limit_spent(send: Callable[[], HttpExchange]) -> HttpExchange:
        app = owned_app(client_id, owner=owner)
        used = exhaust_daily_requests(app.org, space_of(app))
        try:
            return send()
        finally:
            restore_daily_requests(app.org, space_of(app), used)

    def expire_access_token(value: str) -> None:
        token = find_access_token(value)
        if token is not None and token.family.app.client_id == client_id:
            past = timezone.now() - timedelta(seconds=1)
            AccessToken.objects.filter(pk=token.pk).update(expires_at=past)

    return DataSpace(describe, while_limit_spent, expire_access_token)
