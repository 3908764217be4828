"""Client credentials flow (RFC 6749 §4.4): a service gets a token for itself."""

from __future__ import annotations

from playground.guides import guide_for
from playground.steps.faults import (
    API_FAULTS,
    SECRET_IN_TWO_PLACES,
    WRONG_CLIENT_SECRET,
)
from playground.steps.resource import api_step, introspect_step, revoke_step
from playground.steps.token import token_request_step
from playground.vocabulary import AppSpec, Flow

RUN_AS = "grace@handshake.example"

FLOW = Flow(
    guide=guide_for("client-credentials"),
    app=AppSpec(grants=("client_credentials",), scopes=("api",), run_as=RUN_AS),
    intro="A back-end service calls the org with no person present. It authenticates with "
    "its own client ID and secret and receives a token that acts as the app's run-as user. "
    "Simple, but the secret is now as powerful as that user.",
    steps=(
        token_request_step(
            slug="token",
            title="Ask for a token with the client ID and secret",
            spec="RFC 6749 §4.4.2",
            summary="The service posts grant_type=client_credentials and authenticates with "
            "HTTP Basic: its client ID and secret, joined by a colon and Base64-encoded.",
            why="No person, no redirect, no refresh token: when the token expires the service "
            "simply asks again. Basic authentication is encoding, not encryption, so TLS is "
            "what protects the secret in transit.",
            form={"grant_type": "client_credentials"},
            basic_auth=True,
            faults=(WRONG_CLIENT_SECRET, SECRET_IN_TWO_PLACES),
            differences=(
                "client-credentials-run-as",
                "client-credentials-host",
                "expires-in",
                "extra-token-fields",
            ),
        ),
        api_step(
            faults=API_FAULTS,
            why="The API sees the run-as user. Everything the service does is recorded as that "
            "user, so give it a dedicated user with only the permissions it needs.",
        ),
        introspect_step(
            faults=(WRONG_CLIENT_SECRET,),
            why="Introspection shows the token's owner and scope. For a service token the "
            "username is the run-as user, not a person who signed in.",
        ),
        revoke_step(
            why="A service can throw its token away when a job ends; a fresh one is one "
            "request away.",
        ),
        api_step(
            slug="call-api-again",
            title="Try the revoked token on the API",
            expect_refusal=True,
            summary="The service repeats the API call with the revoked token.",
            why="The revoked token fails at once. The secret, though, still mints new tokens "
            "until it is rotated in the app's settings.",
        ),
    ),
)
