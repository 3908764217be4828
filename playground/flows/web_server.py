"""Web server flow (RFC 6749 §4.1): a confidential app trades a code for tokens, with its secret."""

from __future__ import annotations

from playground.guides import guide_for
from playground.steps.authorize import authorize_step, code_callback_step
from playground.steps.faults import (
    API_FAULTS,
    FORGED_STATE,
    OTHER_REDIRECT_URI,
    REDIRECT_ELSEWHERE,
    REPLAY_CODE,
    WRONG_CLIENT_SECRET,
)
from playground.steps.resource import api_step, identity_step, revoke_step
from playground.steps.token import token_request_step
from playground.vocabulary import AppSpec, Flow

FLOW = Flow(
    guide=guide_for("web-server"),
    app=AppSpec(
        grants=("authorization_code", "refresh_token"), scopes=("api", "refresh_token", "id")
    ),
    intro="A web app with its own server signs a person in through the org. The browser only "
    "ever carries a short-lived code; the app's server swaps it for tokens, proving who it is "
    "with its client secret. The tokens never pass through the browser.",
    steps=(
        authorize_step(
            response_type="code",
            scope="api refresh_token id",
            why="The link asks for a code (response_type=code) and carries a fresh state. "
            "Everything in it is public: anyone could read this URL and still not get a token.",
            faults=(REDIRECT_ELSEWHERE,),
            differences=("redirect-uri-required",),
        ),
        code_callback_step(
            faults=(FORGED_STATE,),
            why="The code came back through the browser, so the app treats it as untrusted: "
            "state proves the redirect answers a request this browser started, and iss proves "
            "which server sent it. The code alone is worthless without the client secret.",
            differences=("code-lifetime",),
        ),
        token_request_step(
            slug="token",
            title="Trade the code for tokens",
            spec="RFC 6749 §4.1.3",
            summary="The app's server posts the code to the token endpoint with its client "
            "ID and secret, and the same redirect_uri it used before.",
            why="This is the back channel: server to server, never through the browser. The "
            "org checks the secret, that the code was issued to this app for this redirect "
            "URI, and that it is used only once. A second try with the same code fails, and "
            "revokes what the first one got.",
            form={"grant_type": "authorization_code"},
            fields=(("code", "code"), ("redirect_uri", "redirect_uri")),
            needs=("code",),
            faults=(WRONG_CLIENT_SECRET, OTHER_REDIRECT_URI, REPLAY_CODE),
        ),
        identity_step(
            why="The app now knows who signed in, from a source it trusts: it asked the org "
            "directly with the token, rather than believing anything the browser said.",
        ),
        api_step(
            faults=API_FAULTS,
            why="The access token is a bearer token: whoever holds it can make this call. "
            "That is why it stays on the app's server and travels only in the Authorization "
            "header, never in a URL.",
        ),
        revoke_step(
            why="Revocation ends the token at once instead of waiting for it to expire. Apps "
            "should revoke on sign-out so a leaked copy stops working.",
        ),
        api_step(
            slug="call-api-again",
            title="Try the revoked token on the API",
            expect_refusal=True,
            summary="The app repeats the same API call with the token it just revoked.",
            why="The resource server checks every token on every call, so a revoked token "
            "fails immediately. Expect to see the same error after a session times out.",
        ),
    ),
)
