"""What each OAuth flow is for, in one line, and how risky it is: the playground's menu."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Risk = Literal["low", "medium", "high"]


@dataclass(frozen=True)
class FlowGuide:
    slug: str
    name: str
    grant: str
    use_when: str
    person_present: str
    risk: Risk
    risk_reason: str


FLOW_GUIDES: tuple[FlowGuide, ...] = (
    FlowGuide(
        slug="web-server-pkce",
        name="Web server flow with PKCE",
        grant="authorization_code + code_verifier",
        use_when="A person signs in through a browser to a web, mobile or desktop app.",
        person_present="yes",
        risk="low",
        risk_reason="The token travels server to server and the code is useless without the "
        "verifier the app kept to itself.",
    ),
    FlowGuide(
        slug="web-server",
        name="Web server flow",
        grant="authorization_code",
        use_when="A web app with its own back end acts for a signed-in person.",
        person_present="yes",
        risk="low",
        risk_reason="Safe while the app keeps its client secret on the server; add PKCE anyway.",
    ),
    FlowGuide(
        slug="jwt-bearer",
        name="JWT bearer flow",
        grant="urn:ietf:params:oauth:grant-type:jwt-bearer",
        use_when="A back-end job or middleware calls the org with no person around.",
        person_present="no",
        risk="low",
        risk_reason="Trust rests on a certificate, not a stored password; no refresh token.",
    ),
    FlowGuide(
        slug="client-credentials",
        name="Client credentials flow",
        grant="client_credentials",
        use_when="A service acts as itself, through a fixed run-as user.",
        person_present="no",
        risk="medium",
        risk_reason="Whoever holds the client secret gets the run-as user's access.",
    ),
    FlowGuide(
        slug="device",
        name="Device flow",
        grant="device (Salesforce) or urn:ietf:params:oauth:grant-type:device_code",
        use_when="A CLI, TV or small device without a usable browser signs a person in.",
        person_present="on a second device",
        risk="medium",
        risk_reason="A person can be talked into approving a code someone else started.",
    ),
    FlowGuide(
        slug="refresh-token",
        name="Refresh token flow",
        grant="refresh_token",
        use_when="An app keeps access alive without asking the person to sign in again.",
        person_present="no (earlier, yes)",
        risk="medium",
        risk_reason="A long-lived credential: rotate it, and revoke the family on reuse.",
    ),
    FlowGuide(
        slug="saml-bearer",
        name="SAML bearer assertion flow",
        grant="urn:ietf:params:oauth:grant-type:saml2-bearer",
        use_when="An enterprise already signs people in with a SAML identity provider.",
        person_present="no",
        risk="medium",
        risk_reason="XML signature checks are subtle; a careless validator accepts forgeries.",
    ),
    FlowGuide(
        slug="asset-token",
        name="Asset token flow",
        grant="urn:ietf:params:oauth:grant-type:token-exchange",
        use_when="A connected device registered as an asset needs its own short-lived token.",
        person_present="no",
        risk="medium",
        risk_reason="The device's own key must stay on the device.",
    ),
    FlowGuide(
        slug="remote-call-in",
        name="Remote call-in (REST API)",
        grant="client_credentials, then the REST API",
        use_when="Another system creates, reads, updates, queries and deletes org records.",
        person_present="no",
        risk="medium",
        risk_reason="The run-as user's permissions are all that limit what a leaked token "
        "can change.",
    ),
    FlowGuide(
        slug="user-agent",
        name="User-agent flow",
        grant="response_type=token",
        use_when="Legacy browser or mobile apps only; new apps use the web server flow with PKCE.",
        person_present="yes",
        risk="high",
        risk_reason="The access token arrives in the URL, where history and referrers leak it.",
    ),
    FlowGuide(
        slug="username-password",
        name="Username-password flow",
        grant="password",
        use_when="Never in production; at most a throwaway test against a sandbox.",
        person_present="no",
        risk="high",
        risk_reason="The app holds the person's password, which defeats MFA and consent.",
    ),
)


def guide_for(slug: str) -> FlowGuide:
    return next(guide for guide in FLOW_GUIDES if guide.slug == slug)
