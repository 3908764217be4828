"""Where each rule comes from: the project's seed notes and the guides surveyed in its research."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Source:
    id: str
    title: str
    kind: Literal["seed", "guide", "standard", "community"]
    url: str = ""


SOURCES: tuple[Source, ...] = (
    Source("seed-flows", "Course notes: types of integration flows", "seed"),
    Source("seed-architecture", "Course notes: authentication flows, patterns and ESBs", "seed"),
    Source(
        "sf-patterns",
        "Salesforce Integration Patterns and Practices",
        "guide",
        "https://developer.salesforce.com/docs/atlas.en-us.integration_patterns_and_practices.meta/"
        "integration_patterns_and_practices/",
    ),
    Source(
        "sf-eda",
        "Salesforce Architects: event-driven architecture decision guide",
        "guide",
        "https://architect.salesforce.com/docs/architect/decision-guides/guide/event-driven.html",
    ),
    Source(
        "sf-data-integration",
        "Salesforce Architects: data integration decision guide",
        "guide",
        "https://architect.salesforce.com/docs/architect/decision-guides/guide/data-integration.html",
    ),
    Source(
        "sf-oauth-flows",
        "Salesforce Help: OAuth authorization flows",
        "guide",
        "https://help.salesforce.com/s/articleView?id=xcloud.remoteaccess_oauth_flows.htm",
    ),
    Source(
        "sf-client-credentials",
        "Salesforce Help: knowledge article 000886201 on OAuth flows",
        "guide",
        "https://help.salesforce.com/s/articleView?id=000886201",
    ),
    Source(
        "sf-event-durability",
        "Salesforce Pub/Sub API: event message durability",
        "guide",
        "https://developer.salesforce.com/docs/platform/pub-sub-api/guide/event-message-durability.html",
    ),
    Source(
        "sf-client-certs",
        "Salesforce Apex Developer Guide: using certificates with HTTP requests",
        "guide",
        "https://developer.salesforce.com/docs/atlas.en-us.apexcode.meta/apexcode/apex_callouts_client_certs.htm",
    ),
    Source(
        "sf-inbound-mtls",
        "Salesforce Help: mutual TLS for API calls into Salesforce (000383575)",
        "guide",
        "https://help.salesforce.com/s/articleView?id=000383575",
    ),
    Source(
        "sf-named-credentials",
        "Salesforce Help: named credentials with an OAuth external credential",
        "guide",
    ),
    Source(
        "sf-api-limits",
        "Salesforce Developer Limits and Allocations Quick Reference",
        "guide",
        "https://developer.salesforce.com/docs/atlas.en-us.salesforce_app_limits_cheatsheet.meta/"
        "salesforce_app_limits_cheatsheet/",
    ),
    Source(
        "rfc9700-refresh",
        "RFC 9700 §4.14: refresh token protection",
        "standard",
        "https://www.rfc-editor.org/rfc/rfc9700.html#section-4.14",
    ),
    Source(
        "oauth-browser-apps",
        "OAuth 2.0 for Browser-Based Applications (IETF draft): the backend-for-frontend",
        "standard",
        "https://datatracker.ietf.org/doc/draft-ietf-oauth-browser-based-apps/",
    ),
    Source(
        "auth0-which-flow",
        "Auth0: which OAuth 2.0 flow should I use?",
        "guide",
        "https://auth0.com/docs/get-started/authentication-and-authorization-flow/"
        "which-oauth-2-0-flow-should-i-use",
    ),
    Source(
        "rfc9700-pkce",
        "RFC 9700 §2.1.1: PKCE for every authorization code",
        "standard",
        "https://www.rfc-editor.org/rfc/rfc9700.html#section-2.1.1",
    ),
    Source(
        "rfc9700-implicit",
        "RFC 9700 §2.1.2: the implicit grant should not be used",
        "standard",
        "https://www.rfc-editor.org/rfc/rfc9700.html#section-2.1.2",
    ),
    Source(
        "rfc9700-password",
        "RFC 9700 §2.4: the password grant must not be used",
        "standard",
        "https://www.rfc-editor.org/rfc/rfc9700.html#section-2.4",
    ),
    Source(
        "cta-middleware",
        "CTA study notes: middleware or point-to-point (community heuristics)",
        "community",
        "https://sf-cta-study.pages.dev/05-integration/middleware-architecture",
    ),
)

SOURCE_BY_ID: dict[str, Source] = {source.id: source for source in SOURCES}
