"""Username-password flow (RFC 6749 §4.3): the app handles the person's password itself."""

from __future__ import annotations

from playground.guides import guide_for
from playground.steps.faults import (
    API_FAULTS,
    UNKNOWN_USER,
    WRONG_CLIENT_SECRET,
)
from playground.steps.resource import api_step, identity_step, revoke_step
from playground.steps.token import token_request_step
from playground.vocabulary import AppSpec, Flow

DEMO_USERNAME = "ada@handshake.example"
DEMO_PASSWORD = "handshake-demo"  # noqa: S105 - the org's published practice password

FLOW = Flow(
    guide=guide_for("username-password"),
    app=AppSpec(grants=("password",), scopes=("api", "id")),
    intro="The app collects the person's username and password in its own screen and sends "
    "them to the token endpoint. No browser redirect, no consent page, no multi-factor "
    "sign-in. It is here so you can recognise it; RFC 9700 §2.4 says it must not be used.",
    steps=(
        token_request_step(
            slug="token",
            title="Send the username and password to the token endpoint",
            spec="RFC 6749 §4.3.2",
            summary=f"The app posts its client ID and secret with the demo user's username "
            f"({DEMO_USERNAME}) and password.",
            why="The org never saw the person: it saw a password typed into someone else's "
            "app. Whoever runs that app could keep the password, and the org cannot ask for "
            "a second factor or show a consent page.",
            form={
                "grant_type": "password",
                "username": DEMO_USERNAME,
                "password": DEMO_PASSWORD,
            },
            faults=(UNKNOWN_USER, WRONG_CLIENT_SECRET),
            differences=(
                "password-security-token",
                "username-password-answers",
                "blocked-flows",
                "expires-in",
                "extra-token-fields",
            ),
        ),
        identity_step(
            why="The token acts as the user whose password was sent; the identity URL "
            "confirms which one.",
        ),
        api_step(
            faults=API_FAULTS,
            why="The API cannot tell this token from one obtained properly, which is exactly "
            "the trouble: the risky part happened before, out of the org's sight.",
        ),
        revoke_step(
            why="Revoking the token does not revoke the password. If the app leaked the "
            "password, only changing it helps.",
        ),
        api_step(
            slug="call-api-again",
            title="Try the revoked token on the API",
            expect_refusal=True,
            summary="The app repeats the API call with the revoked token.",
            why="The token is dead. The password it came from is not, and that is the "
            "lasting risk of this flow.",
        ),
    ),
)
