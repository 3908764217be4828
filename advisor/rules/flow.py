"""Rules for the authentication flow: which OAuth flow suits the integration."""

from __future__ import annotations

from advisor.decisions import SIGN_IN_FLOWS
from advisor.rules.vocabulary import (
    Rule,
    answer_is,
    answer_not,
    con,
    each,
    note,
    pro,
    rule,
    veto,
)

FLOW_RULES: tuple[Rule, ...] = (
    rule(
        "flow-general",
        "flow",
        (),
        "seed-architecture",
        note(
            "web-server",
            "Sound for web apps with a server that keeps the secret; adding PKCE costs little.",
        ),
        pro(
            "web-server-pkce",
            1,
            "The all-round choice whenever a person signs in: an intercepted code is useless "
            "without the one-time proof that only the app holds.",
        ),
        pro(
            "jwt-bearer",
            1,
            "The usual choice between servers: trust rests on a certificate, not a stored "
            "password.",
        ),
        note(
            "client-credentials",
            "Plain machine-to-machine access with a client secret, acting as one integration user.",
        ),
        note("device", "Fits screens without a keyboard or browser; rarely needed elsewhere."),
        con(
            "saml-bearer",
            1,
            "Only useful where a SAML identity provider already issues assertions.",
        ),
        con("asset-token", 2, "Only useful for connected devices registered as assets."),
    ),
    rule(
        "flow-implicit-discouraged",
        "flow",
        (),
        "rfc9700-implicit",
        con(
            "user-agent",
            2,
            "Returns the access token in the URL, where browser history and referrer headers can "
            "leak it.",
        ),
    ),
    rule(
        "flow-password-discouraged",
        "flow",
        (),
        "rfc9700-password",
        con(
            "username-password",
            2,
            "Hands a real user's password to the app: no multi-factor sign-in, and the flow is "
            "being retired.",
        ),
    ),
    rule(
        "flow-unattended-needs-no-person",
        "flow",
        (answer_is("person", "no"),),
        "seed-architecture",
        pro(
            "jwt-bearer",
            3,
            "Made for calls with nobody present: the client signs its own proof of identity.",
        ),
        pro("client-credentials", 3, "Lets the app act as itself with no sign-in at all."),
        con("saml-bearer", 2, "Assertions normally come from a person's single sign-on session."),
    ),
    rule(
        "flow-unattended-excludes-sign-in",
        "flow",
        (answer_is("person", "no"),),
        "seed-architecture",
        *(
            veto(option, "Needs a person to sign in and approve access in a browser.")
            for option in SIGN_IN_FLOWS
        ),
        veto("device", "Needs a person to enter the code on a second device."),
    ),
    rule(
        "flow-person-present",
        "flow",
        (answer_is("person", "yes"),),
        "auth0-which-flow",
        pro("device", 1, "The person approves on a phone or laptop of their choosing."),
        pro("user-agent", 1, "Signs the person in without a server of your own."),
        pro("saml-bearer", 1, "The assertion speaks for the person who signed in."),
        con(
            "jwt-bearer",
            2,
            "Leaves the person out: calls run as a pre-approved user, with no consent on the spot.",
        ),
        con(
            "username-password",
            2,
            "The person would type their Salesforce password into your app, which then keeps it.",
        ),
    ),
    rule(
        "flow-person-signs-in-on-salesforce",
        "flow",
        (answer_is("person", "yes"), answer_not("initiator", "salesforce")),
        "auth0-which-flow",
        *each(
            ("web-server", "web-server-pkce"),
            2,
            "The person signs in on Salesforce's own page; the app never sees their password.",
        ),
    ),
    rule(
        "flow-person-connects-their-account",
        "flow",
        (answer_is("person", "yes"), answer_is("initiator", "salesforce")),
        "sf-named-credentials",
        *each(
            ("web-server", "web-server-pkce"),
            2,
            "Each person signs in once on the other system's own page to connect their account "
            "(a per-user named credential); Salesforce never sees that password.",
        ),
    ),
    rule(
        "flow-person-keeps-own-permissions",
        "flow",
        (answer_is("person", "yes"), answer_not("run-as", "one-user")),
        "sf-client-credentials",
        con(
            "client-credentials",
            3,
            "Every call acts as one integration user, so the person's own permissions and audit "
            "trail are lost.",
        ),
    ),
    rule(
        "flow-person-one-user-will-do",
        "flow",
        (answer_is("person", "yes"), answer_is("run-as", "one-user")),
        "sf-client-credentials",
        note(
            "client-credentials",
            "Acts as the one integration user you said will do; the audit trail names that "
            "user, not the person at the screen.",
        ),
    ),
    rule(
        "flow-server-web-app",
        "flow",
        (answer_is("client", "server-web"),),
        "seed-flows",
        pro(
            "web-server",
            2,
            "Your server keeps the client secret and swaps the code for tokens away from the "
            "browser.",
        ),
        pro(
            "web-server-pkce",
            3,
            "Your server does the exchange, so tokens never pass through the browser, and PKCE "
            "makes an intercepted code worthless; Salesforce recommends adding it.",
        ),
        con("user-agent", 2, "Your app has a server, so there's no reason to expose tokens."),
        con("device", 2, "A web app can simply redirect the person to the sign-in page."),
    ),
    rule(
        "flow-browser-app",
        "flow",
        (answer_is("client", "spa"),),
        "auth0-which-flow",
        pro(
            "web-server-pkce",
            3,
            "Built for browser apps: PKCE stands in for the secret a browser can't keep. The "
            "tokens do land in the browser, so keep them short-lived.",
        ),
        con("web-server", 3, "Relies on a client secret, which anyone can read in a browser app."),
        pro("user-agent", 1, "Was designed for browser apps, before PKCE existed."),
        con("device", 2, "The browser can show the sign-in page itself."),
        con("jwt-bearer", 3, "The signing key would ship to every visitor's browser."),
        con("client-credentials", 3, "The client secret would ship to every visitor's browser."),
    ),
    rule(
        "flow-installed-app",
        "flow",
        (answer_is("client", "mobile"),),
        "auth0-which-flow",
        pro(
            "web-server-pkce",
            3,
            "The standard for installed apps: the system browser signs the person in and PKCE "
            "guards the code on its way back.",
        ),
        con("web-server", 3, "Needs a client secret, and any secret in an installed app leaks."),
        pro("user-agent", 1, "Older Salesforce mobile SDKs used it."),
        con("jwt-bearer", 3, "The signing key would be copied onto every device."),
        con("client-credentials", 3, "The client secret would be copied onto every device."),
    ),
    rule(
        "flow-input-constrained",
        "flow",
        (answer_is("client", "limited-input"),),
        "sf-oauth-flows",
        pro(
            "device",
            4,
            "Made for this: the device shows a short code and the person approves it on their "
            "phone.",
        ),
        *each(
            SIGN_IN_FLOWS, -3, "Needs a browser on the device to show Salesforce's sign-in page."
        ),
        pro("asset-token", 1, "A registered device can get a token without anyone approving it."),
    ),
    rule(
        "flow-command-line",
        "flow",
        (answer_is("client", "cli"),),
        "seed-architecture",
        pro(
            "device",
            5,
            "A terminal prints a code and a link; the person signs in wherever they like, even "
            "over SSH on a machine with no browser.",
        ),
        pro(
            "web-server-pkce",
            1,
            "On a desktop the tool can open the browser and catch the redirect on a local port.",
        ),
        con("web-server", 2, "A tool on people's machines can't keep a client secret."),
        con("user-agent", 2, "Catching a token from a URL in a terminal is awkward and leaky."),
    ),
    rule(
        "flow-back-end-service",
        "flow",
        (answer_is("client", "backend"),),
        "seed-architecture",
        pro("jwt-bearer", 2, "A service on your own servers can guard a private key."),
        pro("client-credentials", 2, "A service on your own servers can guard a client secret."),
        *each(
            ("web-server", "web-server-pkce", "device"),
            -2,
            "A back-end job has no screen on which to sign anyone in.",
        ),
        con("user-agent", 3, "A back-end job has no browser to receive the token."),
    ),
    rule(
        "flow-confidential-client",
        "flow",
        (answer_is("secret", "yes"),),
        "seed-flows",
        pro("web-server", 1, "Your app can hold the client secret the code exchange asks for."),
        pro("client-credentials", 1, "The client secret stays safe on your servers."),
    ),
    rule(
        "flow-public-client",
        "flow",
        (answer_is("secret", "no"),),
        "seed-flows",
        veto("web-server", "The code exchange needs a client secret that your app can't keep."),
        veto(
            "client-credentials",
            "The client secret is its only proof of identity, and your app can't keep one.",
        ),
        con("jwt-bearer", 3, "Users could read the private key that signs the JWT."),
        pro(
            "web-server-pkce",
            2,
            "PKCE replaces the missing secret with a fresh one-time proof on every sign-in.",
        ),
        pro("device", 1, "Needs no client secret."),
    ),
    rule(
        "flow-certificates-managed",
        "flow",
        (answer_is("certificates", "yes"),),
        "seed-flows",
        pro("jwt-bearer", 2, "You can look after the key pair and certificate this flow rests on."),
        pro("saml-bearer", 1, "You can manage the certificate that signs the assertions."),
        pro("asset-token", 1, "You can manage the keys that sign device tokens."),
    ),
    rule(
        "flow-no-certificates",
        "flow",
        (answer_is("certificates", "no"),),
        "seed-flows",
        con(
            "jwt-bearer",
            3,
            "Can't work without a private key and its certificate uploaded to Salesforce.",
        ),
        con("asset-token", 2, "Asset tokens are signed JWTs too, so you would need keys."),
        con("saml-bearer", 1, "The assertion must be signed with a certificate Salesforce trusts."),
        pro("client-credentials", 1, "Needs only a client secret, no certificate."),
    ),
    rule(
        "flow-acts-per-user",
        "flow",
        (answer_is("run-as", "per-user"),),
        "sf-client-credentials",
        pro(
            "jwt-bearer",
            2,
            "The JWT names the user each call acts for, so every call keeps that person's access.",
        ),
        con("client-credentials", 3, "Every call acts as the single run-as user set on the app."),
    ),
    rule(
        "flow-acts-as-one-user",
        "flow",
        (answer_is("run-as", "one-user"),),
        "sf-client-credentials",
        pro("client-credentials", 1, "One run-as user is exactly what this flow gives you."),
        note("jwt-bearer", "Works as well: the JWT simply names the same integration user."),
    ),
    rule(
        "flow-lasting-access",
        "flow",
        (answer_is("offline", "yes"),),
        "seed-architecture",
        *each(
            ("web-server", "web-server-pkce", "device"),
            1,
            "Can hand out a refresh token, so the app keeps working after the person leaves.",
        ),
        con("user-agent", 1, "A refresh token held in a browser or app is hard to keep safe."),
        note("jwt-bearer", "Needs no refresh token: it signs a new JWT whenever a token expires."),
        note("client-credentials", "Needs no refresh token: it simply asks again."),
    ),
    rule(
        "flow-saml-assertion-held",
        "flow",
        (answer_is("saml", "yes"),),
        "sf-oauth-flows",
        pro(
            "saml-bearer",
            5,
            "Trades the assertion your app already holds for a token, so nobody signs in twice.",
        ),
        *each(
            ("web-server", "web-server-pkce"),
            -1,
            "Asks people to sign in to Salesforce again, unless Salesforce trusts the same "
            "identity provider.",
        ),
    ),
    rule(
        "flow-no-saml-assertion",
        "flow",
        (answer_is("saml", "no"),),
        "sf-oauth-flows",
        veto("saml-bearer", "There is no assertion to trade; this flow exists to reuse one."),
    ),
    rule(
        "flow-registered-devices",
        "flow",
        (answer_is("devices", "yes"),),
        "sf-oauth-flows",
        pro(
            "asset-token",
            6,
            "Gives each registered device a token of its own, tied to its asset record.",
        ),
        *each(
            ("jwt-bearer", "client-credentials"),
            -1,
            "Every device would share one app identity, so you couldn't tell them apart or cut "
            "one off.",
        ),
        pro("device", 1, "A person can approve devices that have a small screen."),
    ),
    rule(
        "flow-no-devices",
        "flow",
        (answer_is("devices", "no"),),
        "sf-oauth-flows",
        veto("asset-token", "Asset tokens identify registered devices, and your callers aren't."),
    ),
    rule(
        "flow-password-only-caller",
        "flow",
        (answer_is("password-only", "yes"),),
        "seed-architecture",
        pro("username-password", 5, "The only flow such a caller can perform."),
        con("client-credentials", 3, "The caller can't be set up with a client id and secret."),
        *each(
            ("web-server", "web-server-pkce", "device"),
            -1,
            "The caller can't follow the redirect or polling steps this flow needs.",
        ),
        con("jwt-bearer", 2, "The caller can't sign a JWT."),
    ),
    rule(
        "flow-better-than-password",
        "flow",
        (answer_is("password-only", "no"),),
        "rfc9700-password",
        con(
            "username-password",
            2,
            "The caller can do better, so there is no excuse to hand it a password.",
        ),
    ),
    rule(
        "flow-production",
        "flow",
        (answer_is("environment", "production"),),
        "rfc9700-password",
        veto(
            "username-password",
            "Not for production: no multi-factor sign-in, the password sits in configuration, and "
            "Salesforce is retiring the flow.",
        ),
    ),
    rule(
        "flow-production-token-in-url",
        "flow",
        (answer_is("environment", "production"),),
        "rfc9700-implicit",
        con("user-agent", 1, "Tokens exposed in URLs aren't acceptable with real data."),
    ),
    rule(
        "flow-prototype",
        "flow",
        (answer_is("environment", "prototype"),),
        "seed-architecture",
        pro("username-password", 2, "Tolerable for a quick sandbox test, never with real data."),
    ),
    rule(
        "flow-salesforce-calls-out",
        "flow",
        (answer_is("initiator", "salesforce"),),
        "sf-named-credentials",
        pro(
            "client-credentials",
            3,
            "The usual set-up for callouts: a named credential fetches tokens this way with "
            "nobody present.",
        ),
        pro("jwt-bearer", 1, "A named credential can also sign JWTs for the other system."),
        *each(
            ("web-server", "web-server-pkce"),
            -1,
            "Only if each Salesforce user must connect their own account to the other system.",
        ),
        *each(
            ("device", "user-agent", "asset-token"),
            -3,
            "Salesforce is neither a device nor a browser app; it calls out from its servers.",
        ),
        con("saml-bearer", 2, "Salesforce calling out holds no assertion from your provider."),
    ),
    rule(
        "flow-event-subscriber",
        "flow",
        (
            answer_is("data-direction", "out-of-salesforce", "both-ways"),
            answer_is("reacts-to", "record-changes", "business-events", "both"),
        ),
        "sf-eda",
        note(
            "jwt-bearer",
            "An event subscriber connects to Salesforce's event bus itself and listens around "
            "the clock, signing a fresh JWT whenever its token expires.",
        ),
        note(
            "client-credentials",
            "An event subscriber can also connect with its own client id and secret.",
        ),
    ),
    rule(
        "flow-browser-refresh-rotates",
        "flow",
        (answer_is("client", "spa"), answer_is("refresh-lifetime", "rotating", "limited")),
        "rfc9700-refresh",
        pro(
            "web-server-pkce",
            1,
            "Refresh tokens that rotate or expire soon make lasting access in a browser "
            "tolerable: a stolen one is soon worthless.",
        ),
    ),
)
