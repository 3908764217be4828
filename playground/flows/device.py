"""Device flow (RFC 8628) against the org, in Salesforce's shape and in the standard one.

A device without a usable browser asks for a user code, a person approves it at
/setup/connect on another screen, and the device polls the token endpoint until the
person decides. Salesforce starts the flow at the token endpoint with
response_type=device_code and polls with grant_type=device and `code`; RFC 8628 has a
device authorization endpoint and polls with the device_code grant. The org answers both.
"""

from __future__ import annotations

from dataclasses import replace

from playground.guides import FlowGuide, guide_for
from playground.steps.device import DEVICE_GRANT, device_authorization_step, device_poll_step
from playground.steps.faults import POLL_TOO_FAST, request_fault
from playground.steps.resource import api_step
from playground.vocabulary import AppSpec, Flow, Lesson, Step

REDEEM_TWICE = request_fault(
    slug="redeem-device-code-twice",
    label="Redeem the device code twice",
    does="Sends the poll again, word for word, after the device code has already bought tokens.",
    lesson=Lesson(
        why="A device code is exchanged for tokens once. The org marks it spent in the same "
        "transaction that issues the tokens, so a second poll is invalid_grant, even when "
        "two polls race.",
        gain="Whoever copied the device code from the device, a log or a proxy could collect "
        "a second set of tokens for the person who approved it, long after the approval.",
        fix="Stop polling as soon as tokens arrive and keep them; never retry a poll that "
        "succeeded.",
    ),
    tamper=lambda ctx, request: request,
    after=True,
)

SCOPE_NOT_GRANTED = request_fault(
    slug="scope-not-granted",
    label="Ask for a scope the app was not given",
    does="Adds full, access to everything the person can do, to the scopes the device asks "
    "for; the app was set up with api, refresh_token and openid only.",
    lesson=Lesson(
        why="The org compares the requested scopes with those the admin selected for the app "
        "and refuses the whole request with invalid_scope (RFC 6749 §5.2, used by RFC 8628 "
        "§3.2) instead of issuing codes.",
        gain="A device could collect broader access than the app was ever granted, and the "
        "person approving on their phone might not notice the extra scope.",
        fix="Ask only for scopes the connected app has, and no more than the device needs.",
    ),
    tamper=lambda ctx, request: request.with_form(
        {"scope": dict(request.form_fields()).get("scope", "") + " full"}
    ),
)

APP = AppSpec(
    grants=(DEVICE_GRANT, "refresh_token"),
    scopes=("api", "refresh_token", "openid"),
    # A device cannot keep a secret: it is a public client and sends only its client_id.
    public=True,
)
SCOPE = "api refresh_token openid"

_WHY_CODES = (
    "The device now shows the user code and the link, or a QR code that carries both. The "
    "person approves on their phone or laptop, signed in there as themselves: the device "
    "never sees a password."
)
_WHY_POLL = (
    "The device never learns how the person signed in, only the outcome of each poll: "
    "pending, slow down, denied, expired, or tokens. The refresh token lets it stay "
    "connected without asking again."
)
_WHY_API = (
    "The tokens belong to the person who approved on the other screen, and the device uses "
    "them like any other client would."
)


def _steps(*, salesforce_shape: bool) -> tuple[Step, ...]:
    # Salesforce's own start leaves two fields out; the standard start uses an endpoint that
    # Salesforce has not got, so lists in no discovery document.
    start = "device-flow-fields" if salesforce_shape else "discovery-metadata"
    return (
        device_authorization_step(
            scope=SCOPE,
            salesforce_shape=salesforce_shape,
            differences=("device-flow-shape", start),
            why=_WHY_CODES,
            faults=(SCOPE_NOT_GRANTED,),
        ),
        device_poll_step(
            salesforce_shape=salesforce_shape,
            wait=False,
            faults=(POLL_TOO_FAST, REDEEM_TWICE),
            differences=("device-flow-shape",),
            why=_WHY_POLL,
        ),
        api_step(why=_WHY_API),
    )


FLOW = Flow(
    guide=guide_for("device"),
    app=APP,
    intro="A command-line tool, a TV or a gadget with no usable browser signs a person in. "
    "It shows a short code and a link; the person opens the link on another screen, signs "
    "in and approves, while the device keeps asking the org whether they have. This run "
    "uses Salesforce's own shape of the flow.",
    steps=_steps(salesforce_shape=True),
)

STANDARD_FLOW = replace(
    FLOW,
    guide=FlowGuide(
        slug="device-rfc8628",
        name="Device flow, RFC 8628 shape",
        grant=DEVICE_GRANT,
        use_when="The same device flow as a standard client library sends it, against the "
        "same org.",
        person_present="on a second device",
        risk="medium",
        risk_reason="A person can be talked into approving a code someone else started.",
    ),
    intro="The device flow exactly as RFC 8628 describes it: a device authorization "
    "endpoint, then polls with the device_code grant. The org answers both this and "
    "Salesforce's shape, so compare the two runs' requests side by side.",
    steps=_steps(salesforce_shape=False),
)
