"""External OpenID providers: find their endpoints by discovery, check them, keep them.

Everything here reaches the network only through the Transport it is given, so the address
checks, time-outs and size caps of `HttpxTransport` apply to discovery as to every step.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

from config.text import is_control
from org import vault
from playground.exchange import HttpExchange, OutgoingRequest, Transport
from playground.models import ExternalServer
from playground.vocabulary import ClientAuth, Endpoints

# OIDC Discovery §4.1: the document lives here, below the issuer (its trailing slash removed).
DISCOVERY_PATH = "/.well-known/openid-configuration"
# A discovery document is a few KiB; a server that sends far more is not answering the question.
MAX_DISCOVERY_BYTES = 256 * 1024
TIMEOUT_SECONDS = 5.0
REQUIRED = ("authorization_endpoint", "token_endpoint", "jwks_uri")
OPTIONAL = (
    "userinfo_endpoint",
    "revocation_endpoint",
    "introspection_endpoint",
    "device_authorization_endpoint",
)
_FIELDS = {
    "authorization_endpoint": "authorization",
    "token_endpoint": "token",
    "jwks_uri": "jwks",
    "userinfo_endpoint": "userinfo",
    "revocation_endpoint": "revocation",
    "introspection_endpoint": "introspection",
    "device_authorization_endpoint": "device_authorization",
}
CLIENT_AUTH_METHODS: tuple[tuple[ClientAuth, str], ...] = (
    ("client_secret_basic", "HTTP Basic (client_secret_basic)"),
    ("client_secret_post", "In the form body (client_secret_post)"),
)


@dataclass(frozen=True)
class Discovery:
    """What a provider's discovery document says, once it passed every check."""

    endpoints: Endpoints
    grant_types: tuple[str, ...]
    code_challenge_methods: tuple[str, ...]
    scopes: tuple[str, ...]
    auth_methods: tuple[str, ...]
    exchange: HttpExchange

    def default_scope(self) -> str:
        """openid, plus profile and offline_access when the provider lists them."""
        wanted = ["openid"] + [s for s in ("profile", "offline_access") if s in self.scopes]
        return " ".join(wanted)

    def default_client_auth(self) -> ClientAuth:
        # RFC 8414 §2: when the list is absent, client_secret_basic is the default.
        methods = self.auth_methods
        if methods and "client_secret_basic" not in methods and "client_secret_post" in methods:
            return "client_secret_post"
        return "client_secret_basic"


@dataclass(frozen=True)
class DiscoveryProblem:
    """Why the provider cannot be used, in words for the person, with what came back."""

    message: str
    exchange: HttpExchange | None = None


def issuer_problem(issuer: str, *, allow_private: bool) -> str:
    """What is wrong with an issuer URL as typed, before anything is sent (empty: nothing)."""
    if any(character.isspace() or is_control(character) for character in issuer):
        return "An issuer URL cannot contain spaces, line breaks or other control characters."
    try:
        parts = urlsplit(issuer)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        return "This is not a valid URL."
    if parts.scheme not in {"https", "http"} or not parts.hostname:
        return "Give the issuer as a full URL, such as https://login.salesforce.com."
    if problem := _host_problem(parts.hostname):
        return problem
    if parts.scheme == "http" and not allow_private:
        # RFC 9700 §2.6 and OIDC Discovery §4: everything travels over TLS.
        return "Use an https URL: tokens and secrets must never travel unencrypted."
    if parts.username or parts.password:
        return "Leave credentials out of the URL; the client ID and secret have their own fields."
    if parts.query or parts.fragment:
        # RFC 8414 §2: an issuer has no query or fragment.
        return "An issuer URL has no query (?…) or fragment (#…)."
    return ""


# A host name as DNS spells it (RFC 1123 §2.1); an IPv6 literal is checked by ipaddress.
_HOST_NAME = re.compile(r"^(?!-)[a-z0-9_-]{1,63}(?<!-)(\.(?!-)[a-z0-9_-]{1,63}(?<!-))*\.?$")
# WHATWG URL §3.5: a host whose last label looks numeric is read as an IPv4 address, in
# decimal, octal (a leading 0) or hex (0x), so 0177.0.0.1 is 127.0.0.1 to a browser.
_NUMERIC_LABEL = re.compile(r"^(0x[0-9a-f]*|[0-9]+)$")


def _host_problem(host: str) -> str:
    if ":" in host:
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            return "This is not a valid IPv6 address."
        return ""
    if not host.isascii() or not _HOST_NAME.match(host):
        return (
            "Write the host name in plain ASCII letters, digits and hyphens "
            "(an internationalised name in its xn-- form)."
        )
    if _NUMERIC_LABEL.match(host.rstrip(".").rsplit(".", 1)[-1]):
        try:
            ipaddress.IPv4Address(host)
        except ValueError:
            return "Write an IPv4 address as four decimal numbers without leading zeros."
    return ""


def discovery_url(issuer: str) -> str:
    return issuer.rstrip("/") + DISCOVERY_PATH


def discover(
    issuer: str, *, transport: Transport, allow_private: bool
) -> Discovery | DiscoveryProblem:
    """Fetch and check the discovery document of `issuer` (OIDC Discovery §4; RFC 8414 §3)."""
    if problem := issuer_problem(issuer, allow_private=allow_private):
        return DiscoveryProblem(problem)
    exchange = transport.send(OutgoingRequest.get(discovery_url(issuer)))
    if exchange.status == 0:
        return DiscoveryProblem(f"The server could not be reached. {exchange.error}", exchange)
    if 300 <= exchange.status < 400:
        return DiscoveryProblem(
            f"The server answered {exchange.status} and points elsewhere "
            f"({exchange.location or 'no Location'}). The playground follows no redirects: "
            "give the issuer exactly as the provider names itself.",
            exchange,
        )
    if exchange.status != 200:
        return DiscoveryProblem(
            f"The server answered {exchange.status} {exchange.reason} at "
            f"{DISCOVERY_PATH}: it publishes no OpenID discovery document there.",
            exchange,
        )
    if exchange.truncated:
        return DiscoveryProblem(
            f"The answer is larger than {MAX_DISCOVERY_BYTES // 1024} KiB, far too large for a "
            "discovery document.",
            exchange,
        )
    document = exchange.json_value()
    if "json" not in (exchange.header("Content-Type") or "") or not isinstance(document, dict):
        return DiscoveryProblem(
            "The answer is not a JSON object, so it is not a discovery document.", exchange
        )
    return _checked(issuer, document, exchange, allow_private=allow_private)


def _checked(
    issuer: str, document: dict[str, Any], exchange: HttpExchange, *, allow_private: bool
) -> Discovery | DiscoveryProblem:
    named = document.get("issuer")
    if named not in {issuer, issuer.rstrip("/")}:
        # OIDC Discovery §4.3: the issuer in the document must be the one asked about, exactly,
        # or tokens from one provider could be passed off as another's (mix-up).
        return DiscoveryProblem(
            f"The document names its issuer {named!r}, not {issuer!r}. They must be identical.",
            exchange,
        )
    missing = [name for name in REQUIRED if not document.get(name)]
    if missing:
        return DiscoveryProblem(
            f"The document lacks {', '.join(missing)}, which the playground needs.", exchange
        )
    urls: dict[str, str] = {}
    for name in (*REQUIRED, *OPTIONAL):
        value = document.get(name)
        if value is None:
            continue
        if not isinstance(value, str) or issuer_problem(value, allow_private=allow_private):
            return DiscoveryProblem(
                f"{name} is {value!r}, which is not an absolute https URL.", exchange
            )
        urls[_FIELDS[name]] = value
    endpoints = Endpoints(issuer=str(named), discovery=discovery_url(str(named)), **urls)
    return Discovery(
        endpoints=endpoints,
        grant_types=_strings(document.get("grant_types_supported")),
        code_challenge_methods=_strings(document.get("code_challenge_methods_supported")),
        scopes=_strings(document.get("scopes_supported")),
        auth_methods=_strings(document.get("token_endpoint_auth_methods_supported")),
        exchange=exchange,
    )


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(str(item) for item in value) if isinstance(value, list) else ()


def register_server(
    *,
    owner: str,
    discovery: Discovery,
    client_id: str,
    client_secret: str,
    scope: str,
    client_auth: ClientAuth,
) -> ExternalServer:
    """Keep a provider for this visitor: the secret sealed, never stored or logged in clear."""
    endpoints = discovery.endpoints
    return ExternalServer.objects.create(
        owner=owner,
        issuer=endpoints.issuer,
        client_id=client_id,
        sealed_secret=vault.seal(client_secret) if client_secret else "",
        scope=scope or discovery.default_scope(),
        client_auth=client_auth or discovery.default_client_auth(),
        metadata={
            "endpoints": {name: getattr(endpoints, name) for name in _FIELDS.values()},
            "grant_types_supported": list(discovery.grant_types),
            "code_challenge_methods_supported": list(discovery.code_challenge_methods),
            "scopes_supported": list(discovery.scopes),
        },
    )


def owned_server(server_id: str, *, owner: str) -> ExternalServer | None:
    return ExternalServer.objects.filter(pk=server_id, owner=owner).first()


def servers_of(owner: str) -> list[ExternalServer]:
    return list(ExternalServer.objects.filter(owner=owner)[:10])


def endpoints_of(server: ExternalServer) -> Endpoints:
    stored = server.metadata.get("endpoints", {}) if isinstance(server.metadata, dict) else {}
    urls = {name: str(stored.get(name) or "") for name in _FIELDS.values()}
    return Endpoints(issuer=server.issuer, discovery=discovery_url(server.issuer), **urls)


def secret_of(server: ExternalServer) -> str:
    if not server.sealed_secret:
        return ""
    try:
        return vault.unseal(server.sealed_secret)
    except vault.SealBroken:
        return ""  # sealed under a retired SECRET_KEY: the visitor enters it again


def client_auth_of(server: ExternalServer) -> ClientAuth:
    known: dict[str, ClientAuth] = {value: value for value, _ in CLIENT_AUTH_METHODS}
    return known.get(server.client_auth, "client_secret_basic")


def forget_server(server: ExternalServer) -> None:
    server.delete()


Supported = Literal["yes", "no", "unknown"]


def supports_grant(server: ExternalServer, grant: str) -> Supported:
    """Whether discovery lists `grant` (RFC 8414 §2: an absent list means code and implicit)."""
    listed = (
        server.metadata.get("grant_types_supported") if isinstance(server.metadata, dict) else None
    )
    if not listed:
        return "yes" if grant == "authorization_code" else "unknown"
    return "yes" if grant in listed else "no"
