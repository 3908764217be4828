"""Refresh token flow (RFC 6749 §6) with rotation and reuse detection (RFC 9700 §4.14.2)."""

from __future__ import annotations

from playground.guides import guide_for
from playground.steps.authorize import authorize_step, code_callback_step
from playground.steps.faults import (
    FORGED_STATE,
    OTHER_REDIRECT_URI,
    REDIRECT_ELSEWHERE,
    REPLAY_CODE,
    REUSE_ROTATED_REFRESH_TOKEN,
    WRONG_CLIENT_SECRET,
)
from playground.steps.resource import introspect_step
from playground.steps.token import rotation_step, token_request_step
from playground.vocabulary import AppSpec, Flow

FLOW = Flow(
    guide=guide_for("refresh-token"),
    app=AppSpec(
        grants=("authorization_code", "refresh_token"),
        scopes=("api", "refresh_token"),
        rotate_refresh_tokens=True,
    ),
    intro="A refresh token keeps an app connected after its access token expires. First the "
    "app gets one through the web server flow; then it trades it for new tokens. With "
    "rotation on, each refresh token works once, and using an old one again is treated as "
    "theft.",
    steps=(
        authorize_step(
            response_type="code",
            scope="api refresh_token",
            faults=(REDIRECT_ELSEWHERE,),
            why="The refresh_token scope is what asks for a refresh token; without it the org "
            "issues only an access token.",
        ),
        code_callback_step(
            faults=(FORGED_STATE,),
            why="The browser is back with a code; state and iss are checked as always.",
        ),
        token_request_step(
            slug="token",
            title="Trade the code for an access token and a refresh token",
            spec="RFC 6749 §4.1.3",
            summary="The app's server redeems the code with its client secret.",
            why="The refresh token is the long-lived credential here. It stays on the app's "
            "server, like the client secret.",
            form={"grant_type": "authorization_code"},
            fields=(("code", "code"), ("redirect_uri", "redirect_uri")),
            needs=("code",),
            faults=(WRONG_CLIENT_SECRET, OTHER_REDIRECT_URI, REPLAY_CODE),
        ),
        rotation_step(
            faults=(WRONG_CLIENT_SECRET, REUSE_ROTATED_REFRESH_TOKEN),
            why="The org issued a new access token and, because rotation is on, a new refresh "
            "token. The old refresh token is spent: from now on only the new one works.",
        ),
        token_request_step(
            slug="reuse-old",
            title="Replay the old refresh token",
            spec="RFC 9700 §4.14.2",
            summary="Pretend an attacker stole the first refresh token and tries it now.",
            why="Only one party should ever present a spent refresh token: a thief, or the "
            "app after the thief refreshed first. The org cannot tell which, so it refuses "
            "and revokes the whole family of tokens.",
            form={"grant_type": "refresh_token"},
            fields=(("refresh_token", "previous_refresh_token"),),
            needs=("previous_refresh_token",),
            expect_refusal="a rotated refresh token must never work twice.",
            differences=("refresh-token-errors",),
        ),
        introspect_step(
            token="refresh_token",
            slug="introspect-new",
            title="Check the newest refresh token",
            expect_inactive=True,
            why="The replay cost the real app its newest refresh token too: reuse detection "
            "revokes the family. The person must sign in again, which is the safe outcome.",
        ),
    ),
)
