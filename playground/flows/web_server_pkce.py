"""Web server flow with PKCE and OpenID Connect (RFC 7636, OIDC Core §3.1) for a public client."""

from __future__ import annotations

from playground.guides import guide_for
from playground.steps.authorize import authorize_step, code_callback_step
from playground.steps.faults import (
    API_FAULTS,
    BEARER_FAULTS,
    FORGED_STATE,
    ID_TOKEN_FAULTS,
    MISSING_CODE_VERIFIER,
    OTHER_REDIRECT_URI,
    REDIRECT_ELSEWHERE,
    REPLAY_CODE,
    USE_REVOKED_REFRESH_TOKEN,
    WRONG_CODE_VERIFIER,
)
from playground.steps.resource import api_step, discovery_step, revoke_step, userinfo_step
from playground.steps.token import token_request_step
from playground.vocabulary import AppSpec, Flow

FLOW = Flow(
    guide=guide_for("web-server-pkce"),
    app=AppSpec(
        grants=("authorization_code", "refresh_token"),
        scopes=("api", "refresh_token", "openid", "profile", "email"),
        public=True,
        require_pkce=True,
    ),
    intro="An app that cannot keep a secret (a single-page app, a mobile or desktop app) "
    "signs a person in. Instead of a client secret it makes a one-time secret for each "
    "sign-in, the PKCE verifier, and sends only its hash up front. With OpenID Connect the "
    "org also returns a signed ID token saying who signed in.",
    steps=(
        discovery_step(
            why="The app learns the org's endpoints and key set from one trusted document, and "
            "checks that the issuer is exactly the one it expects. Every later check of an ID "
            "token compares against this issuer.",
        ),
        authorize_step(
            response_type="code",
            scope="api refresh_token openid profile email",
            pkce=True,
            nonce=True,
            faults=(REDIRECT_ELSEWHERE,),
            why="The app kept the verifier to itself and sent only its SHA-256 hash. Someone "
            "who steals the code from the redirect still cannot use it, because only this app "
            "can show the matching verifier. The nonce will come back inside the ID token.",
            differences=("pkce-method",),
        ),
        code_callback_step(
            faults=(FORGED_STATE,),
            why="As in the plain web server flow, the app checks state and iss before "
            "anything else. The code is bound to the challenge sent a moment ago.",
        ),
        token_request_step(
            slug="token",
            title="Trade the code and the verifier for tokens",
            spec="RFC 7636 §4.5; OIDC Core §3.1.3",
            summary="The app posts the code with the PKCE verifier instead of a client secret. "
            "The org hashes the verifier and compares it with the challenge it stored.",
            why="The verifier proves that whoever redeems the code is whoever started the "
            "sign-in. The ID token is checked like any JWT: the signature against the org's "
            "published keys, then iss, aud (this app), exp, the nonce and at_hash.",
            form={"grant_type": "authorization_code"},
            fields=(
                ("code", "code"),
                ("redirect_uri", "redirect_uri"),
                ("code_verifier", "code_verifier"),
            ),
            needs=("code", "code_verifier"),
            faults=(
                WRONG_CODE_VERIFIER,
                MISSING_CODE_VERIFIER,
                OTHER_REDIRECT_URI,
                REPLAY_CODE,
                *ID_TOKEN_FAULTS,
            ),
            differences=("pkce-mismatch", "extra-token-fields"),
        ),
        userinfo_step(
            faults=BEARER_FAULTS,
            why="The ID token said who signed in at that moment; userinfo gives the current "
            "profile. Both must agree on sub.",
        ),
        api_step(
            faults=API_FAULTS,
            why="The same bearer token that read the profile calls the API; its scopes (api) "
            "are what allow it.",
        ),
        revoke_step(
            token="refresh_token",
            faults=(USE_REVOKED_REFRESH_TOKEN,),
            why="Revoking the refresh token ends the whole grant: the org also revokes the "
            "access tokens issued from it, which the next step shows.",
        ),
        api_step(
            slug="call-api-again",
            title="Try the access token after revoking the refresh token",
            expect_refusal=True,
            summary="The app calls the API with the access token it still holds.",
            why="The access token was never revoked by name, yet it fails: revoking a refresh "
            "token takes its access tokens with it.",
        ),
    ),
)
