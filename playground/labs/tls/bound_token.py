"""The lab's last step: a certificate-bound token from the org's TLS port, used with and
without its certificate (RFC 8705 §2 and §3).

The lab's client talks to the org as any client would: it downloads the org's CA from
/setup/tls/ca.pem, connects to the TLS port (settings.HANDSHAKE_TLS_URL) with a client
certificate registered on the visitor's practice app (the admin channel, as Setup would),
asks for a token with no secret, and calls the REST API with it. Break it replays the token
without the certificate, as a thief who copied it from a log would.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from typing import Literal

import httpcore
import httpx
import jwt
from django.conf import settings

from config.org_paths import API_VERSION, ORG_PATHS
from org.connected_apps import ConnectedAppError, create_connected_app, update_connected_app
from pki import certificates
from playground.deadlines import transport_within
from playground.exchange import HttpExchange, OutgoingRequest
from playground.flows.client_credentials import RUN_AS
from playground.transports import HttpxTransport, InProcessTransport

# One deadline per exchange with the org's TLS port.
EXCHANGE_SECONDS = 5.0
CA_PATH = "/setup/tls/ca.pem"
QUERY_PATH = f"/services/data/v{API_VERSION}/query?q=SELECT+Name+FROM+Account+LIMIT+3"
APP_NAME = "Handshake lab: mutual TLS client"
CLIENT_NAME = "lab-integration"


@dataclass(frozen=True)
class OrgCall:
    title: str
    how: str  # the connection it went over
    exchange: HttpExchange


@dataclass(frozen=True)
class BoundTokenAttempt:
    kind: Literal["bound-token", "stolen-token"]
    calls: tuple[OrgCall, ...]
    thumbprint: str = ""  # x5t#S256 of the certificate the client presented
    binding: str = ""  # cnf x5t#S256 in the access token the org issued
    problem: str = ""  # why the attempt stopped early, in words for the trainee

    @property
    def bound(self) -> bool:
        return bool(self.binding) and self.binding == self.thumbprint


def attempt(client_id: str, *, owner: str, stolen: bool) -> tuple[str, BoundTokenAttempt]:
    """The practice app's client_id (made on first use) and what happened, call by call."""
    kind: Literal["bound-token", "stolen-token"] = "stolen-token" if stolen else "bound-token"
    issuer = certificates.make_authority("Lab integration CA")
    identity = certificates.issue(
        issuer, common_name=CLIENT_NAME, purpose=certificates.Purpose.CLIENT
    )
    thumbprint = certificates.thumbprint(identity.certificate)
    try:
        client_id = _register(client_id, owner, identity.certificate_pem + issuer.certificate_pem)
    except ConnectedAppError as problem:
        return client_id, BoundTokenAttempt(kind, (), problem=f"The org refused the app: {problem}")
    download = InProcessTransport().send(OutgoingRequest.get(settings.HANDSHAKE_BASE_URL + CA_PATH))
    calls = [OrgCall("Download the org's CA", "HTTP", download)]
    if download.status != 200:
        return client_id, BoundTokenAttempt(kind, tuple(calls), thumbprint, problem=_unreachable())
    mutual = _context(download.response_body, identity)
    tls_url = str(settings.HANDSHAKE_TLS_URL).rstrip("/")
    # RFC 8705 §2: client_id in the body, the certificate instead of a secret.
    fields = {"grant_type": "client_credentials", "client_id": client_id}
    token_request = OutgoingRequest.form(tls_url + ORG_PATHS["token"], fields)
    token = _send(token_request, mutual)
    calls.append(OrgCall("Ask for a token with the certificate, no secret", "mutual TLS", token))
    access_token = token.json_body().get("access_token") if token.status == 200 else None
    if not isinstance(access_token, str):
        why = token.error or "The org gave no token; its answer says why."
        return client_id, BoundTokenAttempt(kind, tuple(calls), thumbprint, problem=why)
    binding = _binding(access_token)
    api = OutgoingRequest.get(tls_url + QUERY_PATH, bearer=access_token)
    if stolen:
        anonymous = _context(download.response_body, None)
        title = "Use the stolen token without the certificate"
        calls.append(OrgCall(title, "TLS, no client certificate", _send(api, anonymous)))
    else:
        calls.append(OrgCall("Call the REST API with the token", "mutual TLS", _send(api, mutual)))
    return client_id, BoundTokenAttempt(kind, tuple(calls), thumbprint, binding)


def _register(client_id: str, owner: str, pem: str) -> str:
    # RFC 8705 §2.1: a certificate followed by its CA registers tls_client_auth, subject DN
    # taken from the certificate; a fresh certificate each time, so its key never leaves memory.
    if client_id:
        try:
            update_connected_app(client_id, owner=owner, client_certificate=pem)
            return client_id
        except ConnectedAppError:
            pass  # deleted in Setup: make another
    issued = create_connected_app(
        name=APP_NAME,
        owner=owner,
        grants=("client_credentials",),
        scopes=("api",),
        run_as=RUN_AS,
        jwt_access_tokens=True,
        client_certificate=pem,
    )
    return issued.client_id


def _context(authority_pem: str, identity: certificates.IssuedCertificate | None) -> ssl.SSLContext:
    context = ssl.create_default_context(cadata=authority_pem)
    if identity is not None:
        certificates.load_into(context, identity)
    return context


def _send(request: OutgoingRequest, context: ssl.SSLContext) -> HttpExchange:
    # The TLS port's address comes from the site's own settings, never from a visitor.
    transport = transport_within(EXCHANGE_SECONDS, httpcore.SyncBackend(), ssl_context=context)
    with httpx.Client(transport=transport, follow_redirects=False, trust_env=False) as client:
        return HttpxTransport(timeout=EXCHANGE_SECONDS, client=client).send(request)


def _binding(access_token: str) -> str:
    """RFC 8705 §3.1: the certificate thumbprint the token carries (read, not verified)."""
    try:
        claims = jwt.decode(access_token, options={"verify_signature": False})
    except jwt.InvalidTokenError:
        return ""
    confirmation = claims.get("cnf")
    value = confirmation.get("x5t#S256") if isinstance(confirmation, dict) else None
    return value if isinstance(value, str) else ""


def _unreachable() -> str:
    return "The org did not hand out its CA certificate, so no TLS connection can be checked."
