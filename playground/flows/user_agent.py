"""User-agent (implicit) flow (RFC 6749 §4.2): tokens come back in the URL fragment."""

from __future__ import annotations

from playground.guides import guide_for
from playground.steps.authorize import authorize_step, fragment_callback_step
from playground.steps.faults import (
    API_FAULTS,
    REDIRECT_ELSEWHERE,
    WRONG_CLIENT_SECRET,
)
from playground.steps.resource import api_step, introspect_step, revoke_step
from playground.vocabulary import AppSpec, Flow

FLOW = Flow(
    guide=guide_for("user-agent"),
    app=AppSpec(grants=("implicit",), scopes=("api", "id")),
    intro="The legacy way for browser apps: the org puts the access token straight into "
    "the redirect URL, after the #. There is no code and no back channel, so nothing proves "
    "who receives the token. Learn it to recognise it; build new apps with the web server "
    "flow and PKCE instead.",
    steps=(
        authorize_step(
            response_type="token",
            scope="api id",
            faults=(REDIRECT_ELSEWHERE,),
            why="response_type=token asks for the token itself in the redirect. The app "
            "cannot authenticate, so the only thing keeping the token from the wrong page is "
            "the exact match of the redirect URI.",
            differences=("blocked-flows",),
        ),
        fragment_callback_step(
            why="The fragment never reaches a server, which is why this flow was invented "
            "for browsers. But it does reach browser history, and every script on the page "
            "can read it. RFC 9700 §2.1.2 says not to use this flow.",
            differences=("user-agent-refresh", "extra-token-fields"),
        ),
        api_step(
            faults=API_FAULTS,
            why="The token works exactly like one from the web server flow: a bearer token "
            "does not remember how it was obtained.",
        ),
        introspect_step(
            faults=(WRONG_CLIENT_SECRET,),
            why="Introspection reveals what the token is good for and when it expires. Here "
            "the app's server asks on the browser's behalf, using the app's own credentials.",
        ),
        revoke_step(
            why="A token that may have leaked through history should be revoked as soon as "
            "the app no longer needs it.",
        ),
        api_step(
            slug="call-api-again",
            title="Try the revoked token on the API",
            expect_refusal=True,
            summary="The app repeats the API call with the revoked token.",
            why="Revocation takes effect at once, wherever copies of the token have ended up.",
        ),
    ),
)
