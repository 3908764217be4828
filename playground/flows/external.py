"""The flows the playground runs against any OpenID provider, made of the built-in flows' steps.

Nothing is copied: each flow takes the steps of a built-in flow that speak standard OAuth and
OpenID Connect (dropping Salesforce-only ones such as the REST API and the identity URL), and
the steps find their endpoints through the run's `Endpoints`, which discovery filled in.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from playground.flows import client_credentials, refresh_token, web_server_pkce
from playground.guides import guide_for
from playground.steps.device import device_authorization_step, device_poll_step
from playground.steps.faults import POLL_TOO_FAST
from playground.vocabulary import Arrow, Endpoints, Flow, Step


def _steps(flow: Flow, *slugs: str) -> tuple[Step, ...]:
    return tuple(step for slug in slugs if (step := flow.step(slug)) is not None)


@dataclass(frozen=True)
class ExternalFlow:
    """A flow for external servers, and the grant the provider's client must allow."""

    flow: Flow
    grant: str
    needs: tuple[str, ...] = ()  # Endpoints fields without which the flow cannot run


_PKCE = web_server_pkce.FLOW
_DEVICE = device_authorization_step(
    scope="openid",
    why="The device now shows the user code and the link. The person can approve on any "
    "device, signed in as themselves; the device itself never sees a password.",
)
_POLL = device_poll_step(
    faults=(POLL_TOO_FAST,),
    why="The device never learns how the person signed in. It only learns the answer: "
    "pending, slow down, denied, expired, or tokens.",
)

EXTERNAL_FLOWS: dict[str, ExternalFlow] = {
    entry.flow.slug: entry
    for entry in (
        ExternalFlow(
            Flow(
                guide=guide_for("web-server-pkce"),
                app=_PKCE.app,
                intro="Sign in at the provider with PKCE and OpenID Connect, as a web app "
                "would: discovery, the authorization request, the redirect back, the token "
                "request with the verifier, userinfo, a refresh, and revocation.",
                steps=(
                    *_steps(_PKCE, "discover", "authorize", "callback", "token", "userinfo"),
                    *_steps(refresh_token.FLOW, "refresh"),
                    *_steps(_PKCE, "revoke-refresh-token"),
                ),
            ),
            grant="authorization_code",
        ),
        ExternalFlow(
            Flow(
                guide=guide_for("client-credentials"),
                app=client_credentials.FLOW.app,
                intro="The client asks for a token for itself with its ID and secret, then "
                "asks the provider about it and throws it away.",
                steps=(
                    *_steps(_PKCE, "discover"),
                    *_steps(client_credentials.FLOW, "token", "introspect", "revoke-access-token"),
                ),
            ),
            grant="client_credentials",
        ),
        ExternalFlow(
            Flow(
                guide=guide_for("device"),
                app=_PKCE.app,
                intro="A device without a keyboard asks for a user code, a person approves it "
                "on another screen, and the device polls until the tokens arrive (RFC 8628).",
                steps=(
                    *_steps(_PKCE, "discover"),
                    _DEVICE,
                    _POLL,
                    *_steps(_PKCE, "userinfo"),
                ),
            ),
            grant="urn:ietf:params:oauth:grant-type:device_code",
            needs=("device_authorization",),
        ),
        ExternalFlow(
            Flow(
                guide=guide_for("refresh-token"),
                app=refresh_token.FLOW.app,
                intro="Get a refresh token through the web server flow with PKCE, use it, "
                "then replay the old one to see whether the provider rotates refresh tokens "
                "and detects reuse.",
                steps=(
                    *_steps(_PKCE, "discover", "authorize", "callback", "token"),
                    *_steps(refresh_token.FLOW, "refresh", "reuse-old", "introspect-new"),
                ),
            ),
            grant="refresh_token",
        ),
    )
}


def _relabel(arrow: Arrow, paths: dict[str, str]) -> Arrow:
    label = arrow.label
    for org_path, own_path in paths.items():
        label = label.replace(org_path, own_path)
    return replace(arrow, label=label.replace("/services/oauth2/", "/"))


def external_flow(slug: str, endpoints: Endpoints) -> Flow | None:
    """The flow as this provider can run it: steps whose endpoint it lacks are left out."""
    entry = EXTERNAL_FLOWS.get(slug)
    if entry is None or unavailable(slug, endpoints):
        return None
    paths = endpoints.paths
    steps = tuple(
        replace(
            step,
            arrows=tuple(_relabel(arrow, paths) for arrow in step.arrows),
            differences=(),
        )
        for step in entry.flow.steps
        if not step.needs_endpoint or getattr(endpoints, step.needs_endpoint)
    )
    return replace(entry.flow, steps=steps)


def unavailable(slug: str, endpoints: Endpoints) -> str:
    """Why this provider cannot run the flow (empty when it can)."""
    entry = EXTERNAL_FLOWS.get(slug)
    if entry is None:
        return "There is no such flow."
    missing = [name.replace("_", " ") for name in entry.needs if not getattr(endpoints, name)]
    if missing:
        return f"The provider publishes no {' or '.join(missing)} endpoint."
    return ""
