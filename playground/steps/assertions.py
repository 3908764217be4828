"""What the JWT and SAML bearer flows share: the step that gives the practice app its
certificate (made with the org's certificate helpers, or a pair the visitor pastes), and how
the token that an assertion buys is shown."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from pki import certificates
from playground.artefacts import Artefact, Callout, Parameters, parameters
from playground.exchange import HttpExchange
from playground.steps.answers import failed, shorten
from playground.vocabulary import (
    Arrow,
    Input,
    InputError,
    Step,
    StepContext,
    StepResult,
    plain_text,
)

# Where an earlier step keeps the pair for the steps that sign.
CERTIFICATE = "certificate_pem"
PRIVATE_KEY = "private_key_pem"
MAX_PEM_LENGTH = 10_000

CERTIFICATE_MEANINGS = {
    "subject": "Who the certificate names. Nobody checks it here: what counts is that the org "
    "holds this exact certificate for the app.",
    "fingerprint": "SHA-256 of the certificate. Compare it with the one shown in Setup to be "
    "sure both sides hold the same certificate.",
    "valid from": "When the certificate starts to be valid.",
    "valid until": "When it stops. Renew it, and upload the new one, before then.",
    "key": "The public key the org verifies signatures with.",
}


def missing_pair(ctx: StepContext, *, message: str) -> StepResult | None:
    """The refusal to go on when the certificate step has not run yet; None once it has."""
    if ctx.values.get(CERTIFICATE) and ctx.values.get(PRIVATE_KEY):
        return None
    return StepResult("error", message)


def load_private_key(pem: str) -> rsa.RSAPrivateKey:
    """The loaded RSA key; raises InputError with a message for the form."""
    try:
        key = serialization.load_pem_private_key(pem.encode(), password=None)
    except TypeError:
        raise InputError(
            "This key is locked with a passphrase. Paste a practice key without one "
            "(openssl pkey -in key.pem prints it unlocked)."
        ) from None
    except (ValueError, UnsupportedAlgorithm):
        raise InputError(
            "This is not a PEM private key: it should start with -----BEGIN PRIVATE KEY----- "
            "or -----BEGIN RSA PRIVATE KEY-----."
        ) from None
    if not isinstance(key, rsa.RSAPrivateKey) or key.key_size < certificates.KEY_SIZE:
        raise InputError("The key must be RSA, of at least 2048 bits: the org checks RS256 only.")
    return key


def _certificate(value: str) -> str:
    text = plain_text(value)
    if not text:
        return ""
    try:
        certificates.load(text + "\n")
    except certificates.UnusableCertificate as problem:
        raise InputError(str(problem)) from None
    return text + "\n"


def _private_key(value: str) -> str:
    text = plain_text(value)
    if not text:
        return ""
    load_private_key(text)
    return text + "\n"


def _pair(inputs: Mapping[str, str]) -> dict[str, str]:
    certificate, key = inputs.get("certificate", ""), inputs.get("private_key", "")
    if not certificate and not key:
        return {}
    if not key:
        return {"private_key": "Paste the certificate's private key too, or leave both empty."}
    if not certificate:
        return {"certificate": "Paste the certificate for this key too, or leave both empty."}
    theirs = certificates.public_key(certificate).public_numbers()
    if load_private_key(key).public_key().public_numbers() != theirs:
        return {
            "private_key": "This key does not belong to the certificate: its public half is "
            "not the one inside the certificate."
        }
    return {}


def certificate_facts(pem: str, *, title: str = "The certificate") -> Parameters | Callout:
    facts = certificates.facts(pem)
    if facts is None:
        return Callout("bad", "The certificate could not be read.")
    key = certificates.public_key(pem)
    values = {
        "subject": facts.subject,
        "fingerprint": facts.fingerprint,
        "valid from": f"{facts.not_before:%Y-%m-%d %H:%M} UTC",
        "valid until": f"{facts.not_after:%Y-%m-%d %H:%M} UTC"
        + (" (expired)" if facts.expired else ""),
        "key": f"RSA, {key.key_size} bits",
    }
    return parameters(title, values, meanings=CERTIFICATE_MEANINGS)


def certificate_step(*, field: str, owner_label: str, why: str, pre_authorized: str) -> Step:
    """Give the app a certificate in Setup: `field` is the app setting it goes into.

    With nothing pasted, a key pair and a self-signed certificate are made here. The private
    key is kept in the run, as practice data, for the step that signs.
    """

    def build(ctx: StepContext) -> StepResult:
        # Nothing goes over OAuth: the change is made in the org's Setup, as an admin would.
        if ctx.setup is None:
            return StepResult("error", "Only the built-in org's practice apps take a certificate.")
        certificate, key = ctx.inputs.get("certificate", ""), ctx.inputs.get("private_key", "")
        made = not certificate
        if made:
            generated = certificates.generate(f"Playground {owner_label} {ctx.client_id[:12]}")
            certificate, key = generated.certificate_pem, generated.private_key_pem
        refused = ctx.setup({field: certificate})
        if refused:
            return StepResult("error", f"The org would not take the certificate: {refused}")
        which = "a new self-signed certificate" if made else "your certificate"
        return StepResult(
            "ok",
            f"The app now has {which}; the {owner_label} keeps its private key.",
            artefacts=(
                certificate_facts(certificate),
                Callout(
                    "warn",
                    "The private key is kept with this run so the next step can sign with "
                    "it. That is fine for practice only: a real key stays on the one server "
                    "that signs, ideally in a key vault or HSM, and never travels.",
                ),
                Callout("info", pre_authorized),
            ),
            remember=((CERTIFICATE, certificate), (PRIVATE_KEY, key)),
        )

    return Step(
        slug="certificate",
        title="Give the connected app a certificate",
        kind="setup",
        spec="Salesforce Setup: connected app",
        arrows=(
            Arrow("client", "authorization", "Setup: add the cert"),
            Arrow("authorization", "client", "saved"),
        ),
        summary="An admin does this once, in Setup, before any token is asked for: the app's "
        f"settings get a certificate, and the {owner_label} keeps the matching private key. "
        "Leave the boxes empty to have a key pair made for you, or paste a certificate and "
        "its key (practice keys only).",
        why=why,
        build=build,
        button="Add the certificate",
        inputs=(
            Input(
                "certificate",
                "Your certificate (PEM), optional",
                "-----BEGIN CERTIFICATE----- …; RSA, 2048 bits or more. Empty: one is made "
                "for you.",
                initial=lambda ctx: "",
                clean=_certificate,
                required=False,
                multiline=True,
                max_length=MAX_PEM_LENGTH,
            ),
            Input(
                "private_key",
                "Its private key (PEM, no passphrase), optional",
                "Only with the certificate above. It is stored with this run, so paste a "
                "practice key, never one in real use.",
                initial=lambda ctx: "",
                clean=_private_key,
                required=False,
                multiline=True,
                max_length=MAX_PEM_LENGTH,
            ),
        ),
        check_inputs=_pair,
        differences=("assertion-certificate",),
    )


TOKEN_SECRETS = frozenset({"access_token"})
NO_REFRESH_TOKEN = (
    "No refresh token came back, and none should. The app can sign a fresh assertion "
    "whenever it likes, so a refresh token would only add a second long-lived credential to "
    "guard. Salesforce never issues one in this flow. When the token expires, sign a new "
    "assertion and ask again."
)


def token_result(exchange: HttpExchange, *, shown: tuple[Artefact, ...]) -> StepResult:
    """The org's answer to an assertion: its token, or its refusal, after what was sent."""
    if not exchange.ok:
        return replace(failed(exchange, doing="the assertion"), artefacts=shown)
    body = exchange.json_body()
    fields = {name: shorten(str(value)) for name, value in body.items()}
    refresh = "refresh_token" in body
    return StepResult(
        "ok" if not refresh else "error",
        "The org answered 200 with an access token and no refresh token."
        if not refresh
        else "The org answered with a refresh token, which this flow should never get.",
        exchanges=(exchange,),
        artefacts=(
            *shown,
            parameters(
                "The token response, field by field",
                fields,
                secrets=TOKEN_SECRETS,
                whole={name: str(value) for name, value in body.items()},
            ),
            Callout("info", NO_REFRESH_TOKEN),
        ),
        remember=tuple(
            (name, str(body[name]))
            for name in ("access_token", "instance_url", "id", "issued_at")
            if body.get(name)
        ),
    )
