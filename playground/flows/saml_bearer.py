"""SAML 2.0 bearer assertion flow (RFC 7522 §2.1): the playground plays the identity provider,
signs an assertion with signxml, and swaps it for an access token."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from xml.sax.saxutils import escape, quoteattr

from lxml import etree
from lxml.builder import ElementMaker
from signxml.algorithms import CanonicalizationMethod
from signxml.signer import XMLSigner

from pki import certificates
from playground.artefacts import (
    Artefact,
    Parameters,
    XmlDocument,
    XmlLine,
    XmlPart,
    parameters,
)
from playground.exchange import HttpExchange, OutgoingRequest
from playground.guides import guide_for
from playground.steps.assertions import (
    CERTIFICATE,
    PRIVATE_KEY,
    certificate_facts,
    certificate_step,
    load_private_key,
    missing_pair,
    token_result,
)
from playground.steps.faults import API_FAULTS, judge
from playground.steps.resource import api_step
from playground.vocabulary import (
    AppSpec,
    Arrow,
    Attempt,
    Fault,
    Flow,
    Input,
    Lesson,
    Step,
    StepContext,
    StepResult,
)

GRANT = "urn:ietf:params:oauth:grant-type:saml2-bearer"
USER = "ada@handshake.example"
ATTACKER_USER = "grace@handshake.example"
ATTACKER_RECIPIENT = "https://attacker.example/services/oauth2/token"
LIFETIME = timedelta(minutes=5)

SAML_NS = "urn:oasis:names:tc:SAML:2.0:assertion"
DS_NS = "http://www.w3.org/2000/09/xmldsig#"
BEARER = "urn:oasis:names:tc:SAML:2.0:cm:bearer"
UNSPECIFIED = "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified"
_SAML = ElementMaker(namespace=SAML_NS, nsmap={"saml": SAML_NS})
_DS = ElementMaker(namespace=DS_NS, nsmap={"ds": DS_NS})
# The signature value and the certificate are long base64: cut in the display, not on the wire.
_CUT = frozenset({f"{{{DS_NS}}}SignatureValue", f"{{{DS_NS}}}X509Certificate"})
_SHOWN_TEXT = 48

ASSERTION_MEANINGS = {
    "ID": "The assertion's unique id. The org takes each id once; a second use is a replay.",
    "Issuer": "Who made the assertion. Salesforce wants the connected app's consumer key.",
    "NameID": "The user the token will act for: a Salesforce username.",
    "Audience": "Who may accept the assertion: the org's login URL.",
    "Recipient": "Where it may be presented: the token endpoint, exactly.",
    "NotOnOrAfter": "The moment the assertion stops being good.",
    "assertion": "The signed XML, base64url-encoded without padding, as the form sends it.",
}


def _stamp(moment: datetime) -> str:
    # SAML Core §1.3.3: xs:dateTime in UTC, with no fractional seconds needed.
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def new_id() -> str:
    # An xs:ID must not start with a digit; 128 random bits make it unique.
    return "_" + secrets.token_hex(16)


def unsigned_assertion(
    ctx: StepContext,
    *,
    ident: str,
    name_id: str = "",
    recipient: str = "",
    issued: datetime | None = None,
    lifetime: timedelta = LIFETIME,
) -> etree._Element:
    """An unsigned assertion as Salesforce wants it, with a place kept for the signature.

    NameID is `name_id`, else the username the visitor typed, else the demo user.
    """
    issued = issued or datetime.now(UTC)
    name_id = name_id or ctx.inputs.get("name_id") or USER
    until = _stamp(issued + lifetime)
    return _SAML.Assertion(
        _SAML.Issuer(ctx.client_id),
        # SAML Core §5.4.1: the signature goes right after the Issuer; signxml fills this in.
        _DS.Signature(Id="placeholder"),
        _SAML.Subject(
            _SAML.NameID(name_id, Format=UNSPECIFIED),
            _SAML.SubjectConfirmation(
                _SAML.SubjectConfirmationData(
                    NotOnOrAfter=until, Recipient=recipient or ctx.urls.token
                ),
                Method=BEARER,
            ),
        ),
        _SAML.Conditions(
            _SAML.AudienceRestriction(_SAML.Audience(ctx.base_url)),
            NotBefore=_stamp(issued),
            NotOnOrAfter=until,
        ),
        ID=ident,
        Version="2.0",
        IssueInstant=_stamp(issued),
    )


def sign(ctx: StepContext, assertion: etree._Element) -> etree._Element:
    """Enveloped XML-DSig over the whole assertion, RSA-SHA256, exclusive c14n (SAML Core §5.4)."""
    signer = XMLSigner(c14n_algorithm=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0)
    signed: etree._Element = signer.sign(
        assertion,
        key=load_private_key(ctx.values[PRIVATE_KEY]),
        cert=[certificates.load(ctx.values[CERTIFICATE])],
        reference_uri="#" + str(assertion.get("ID")),
        id_attribute="ID",
    )
    return signed


def encode(document: etree._Element) -> str:
    # RFC 7522 §2.1: base64url, and padding may be left out.
    return base64.urlsafe_b64encode(etree.tostring(document)).rstrip(b"=").decode("ascii")


def decode(encoded: str) -> etree._Element:
    """The assertion a request carried, as `encode` made it (no entities, no network)."""
    data = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    return etree.fromstring(data, parser=parser)


def _post(ctx: StepContext, document: etree._Element) -> OutgoingRequest:
    return OutgoingRequest.form(
        ctx.urls.token, {"grant_type": GRANT, "assertion": encode(document)}
    )


# Showing the XML --------------------------------------------------------------------------------


def _name(element: etree._Element) -> str:
    local = etree.QName(element).localname
    return f"{element.prefix}:{local}" if element.prefix else local


def _opening(element: etree._Element, inherited: dict[str | None, str]) -> str:
    parts = [
        f"xmlns:{prefix}={quoteattr(uri)}" if prefix else f"xmlns={quoteattr(uri)}"
        for prefix, uri in element.nsmap.items()
        if inherited.get(prefix) != uri
    ]
    parts += [f"{etree.QName(key).localname}={quoteattr(value)}" for key, value in element.items()]
    return f"<{_name(element)}{''.join(' ' + part for part in parts)}"


def _shown(element: etree._Element, text: str) -> str:
    if element.tag in _CUT:
        solid = "".join(text.split())
        if len(solid) > _SHOWN_TEXT:
            return f"{solid[:_SHOWN_TEXT]}… ({len(solid)} characters)"
    return escape(" ".join(text.split()))


def xml_lines(root: etree._Element) -> tuple[XmlLine, ...]:
    """One line per element, marked with what covers it: the digest, SignedInfo or neither.

    A reference to the root's ID with the enveloped-signature transform covers the whole
    element except the Signature (XML-DSig §6.6.4); the RSA signature covers SignedInfo.
    """
    lines: list[XmlLine] = []
    signed_ids = {
        str(reference.get("URI", ""))[1:]
        for reference in root.iter(f"{{{DS_NS}}}Reference")
        if str(reference.get("URI", "")).startswith("#")
    }

    def walk(
        element: etree._Element, depth: int, part: XmlPart, inherited: dict[str | None, str]
    ) -> None:
        if element.tag == f"{{{DS_NS}}}SignedInfo":
            part = "signed-info"
        elif element.tag == f"{{{DS_NS}}}Signature":
            part = "signature"
        elif element.get("ID") in signed_ids:
            # Wherever it sits: in a wrapping attack the signed element hides inside the Signature.
            part = "signed"
        indent = "  " * depth
        children = [child for child in element if isinstance(child.tag, str)]
        opening = _opening(element, inherited)
        text = (element.text or "").strip()
        if not children:
            shown = (
                f"{opening}>{_shown(element, text)}</{_name(element)}>" if text else f"{opening}/>"
            )
            lines.append(XmlLine(indent, shown, part))
            return
        lines.append(XmlLine(indent, opening + ">", part))
        for child in children:
            walk(child, depth + 1, part, dict(element.nsmap))
        lines.append(XmlLine(indent, f"</{_name(element)}>", part))

    walk(root, 0, "outside", {})
    return tuple(lines)


def _document(title: str, root: etree._Element) -> XmlDocument:
    return XmlDocument(
        title,
        xml_lines(root),
        note="Indented here for reading, with the signature value and certificate cut short. "
        "The bytes sent "
        "have no added whitespace: whitespace inside the assertion counts in its digest.",
    )


def _facts(root: etree._Element, encoded: str) -> Parameters:
    def text(path: str) -> str:
        found = root.find(path, {"saml": SAML_NS})
        return (found.text or "") if found is not None else ""

    confirmation = root.find(".//saml:SubjectConfirmationData", {"saml": SAML_NS})
    values = {
        "ID": str(root.get("ID", "")),
        "Issuer": text("saml:Issuer"),
        "NameID": text("saml:Subject/saml:NameID"),
        "Audience": text(".//saml:Audience"),
        "Recipient": str(confirmation.get("Recipient", "")) if confirmation is not None else "",
        "NotOnOrAfter": str(confirmation.get("NotOnOrAfter", ""))
        if confirmation is not None
        else "",
        "assertion": f"{encoded[:40]}… ({len(encoded)} characters)",
    }
    return parameters(
        "The assertion, claim by claim",
        values,
        meanings=ASSERTION_MEANINGS,
        secrets=frozenset({"assertion"}),
    )


# The step ---------------------------------------------------------------------------------------


NO_PAIR = "No identity provider certificate yet: the first step makes one."


def _build(ctx: StepContext) -> OutgoingRequest | StepResult:
    if problem := missing_pair(ctx, message=NO_PAIR):
        return problem
    return _post(ctx, sign(ctx, unsigned_assertion(ctx, ident=new_id())))


def _read(ctx: StepContext, exchange: HttpExchange) -> StepResult:
    encoded = exchange.request_form().get("assertion", "")
    signed = decode(encoded)
    shown: tuple[Artefact, ...] = (
        _document("The signed assertion, as the identity provider made it", signed),
        _facts(signed, encoded),
        certificate_facts(
            ctx.values[CERTIFICATE],
            title="The identity provider's certificate, which the org trusts",
        ),
    )
    result = token_result(exchange, shown=shown)
    return replace(result, remember=(*result.remember, ("assertion_id", str(signed.get("ID")))))


# Break it ---------------------------------------------------------------------------------------


def _sent(ctx: StepContext, document: etree._Element, *shown: Artefact) -> StepResult:
    result = judge(ctx.transport.send(_post(ctx, document)), what="The org")
    return replace(result, artefacts=shown)


def _signed_fault(
    make: Callable[[StepContext], etree._Element],
) -> Callable[[Attempt], StepResult]:
    def run(attempt: Attempt) -> StepResult:
        ctx = attempt.ctx
        if problem := missing_pair(ctx, message=NO_PAIR):
            return problem
        signed = sign(ctx, make(ctx))
        return _sent(ctx, signed, _facts(signed, encode(signed)))

    return run


def _wrapped(attempt: Attempt) -> StepResult:
    ctx = attempt.ctx
    if problem := missing_pair(ctx, message=NO_PAIR):
        return problem
    genuine = sign(ctx, unsigned_assertion(ctx, ident=new_id()))
    signature = genuine.find(f"{{{DS_NS}}}Signature")
    assert signature is not None  # signxml filled in the placeholder
    genuine.remove(signature)
    forged = unsigned_assertion(ctx, ident=new_id(), name_id=ATTACKER_USER)
    placeholder = forged.find(f"{{{DS_NS}}}Signature")
    assert placeholder is not None
    # XML signature wrapping: the genuine assertion rides inside the signature, still signed,
    # while the document's root is the forged one a careless reader would act on.
    signature.append(_DS.Object(genuine))
    forged.replace(placeholder, signature)
    return _sent(ctx, forged, _document("The wrapped document that was sent", forged))


def _replayed_id(attempt: Attempt) -> StepResult:
    ctx = attempt.ctx
    if problem := missing_pair(ctx, message=NO_PAIR):
        return problem
    if not ctx.values.get("assertion_id"):
        return StepResult("error", "No assertion has been swapped yet, so there is no id to reuse.")
    signed = sign(ctx, unsigned_assertion(ctx, ident=ctx.values["assertion_id"]))
    return _sent(ctx, signed, _facts(signed, encode(signed)))


WRAPPED = Fault(
    slug="saml-signature-wrapping",
    label="Signature moved onto a forged assertion (wrapping)",
    does=f"Takes a genuine signed assertion for {USER}, tucks it inside its own signature, and "
    f"puts that signature into a new, unsigned assertion for {ATTACKER_USER}.",
    lesson=Lesson(
        why="The signature is still valid, but it covers the tucked-away assertion, not the "
        "document's root. The org reads every value only from the element the signature "
        "covers, and that element must be the root: here it is not.",
        gain=f"Signature wrapping turns any one signed assertion into a token for anyone: "
        f"here {ATTACKER_USER}, who was never pre-authorized, or an admin.",
        fix="On the server, use a SAML library that hands back the signed element and read "
        "from it alone; on the client, send the assertion exactly as the identity provider "
        "signed it.",
    ),
    run=_wrapped,
)

EXPIRED = Fault(
    slug="saml-expired",
    label="Expired assertion (NotOnOrAfter)",
    does="Signs an assertion properly whose NotOnOrAfter passed ten minutes ago.",
    lesson=Lesson(
        why="RFC 7522 §3 asks for a bearer SubjectConfirmation whose NotOnOrAfter has not "
        "passed. This one has, so the org answers “invalid assertion”.",
        gain="An assertion found in a log or a browser history could be swapped for tokens "
        "long after it was issued.",
        fix="Have the identity provider issue the assertion just before use, valid for a few "
        "minutes, and keep its clock synchronised.",
    ),
    run=_signed_fault(
        lambda ctx: unsigned_assertion(
            ctx,
            ident=new_id(),
            issued=datetime.now(UTC) - timedelta(minutes=15),
        )
    ),
)

WRONG_RECIPIENT = Fault(
    slug="saml-wrong-recipient",
    label="Assertion addressed to another token endpoint (Recipient)",
    does=f"Signs an assertion properly whose Recipient is {ATTACKER_RECIPIENT}.",
    lesson=Lesson(
        why="Recipient must be the very URL the assertion is presented to (RFC 7522 §3), and "
        "this one names another server's token endpoint.",
        gain="An assertion made for one service could be replayed at another that trusts the "
        "same identity provider.",
        fix="Set Recipient to the org's token endpoint, …/services/oauth2/token, in the "
        "identity provider's settings for this app.",
    ),
    run=_signed_fault(
        lambda ctx: unsigned_assertion(ctx, ident=new_id(), recipient=ATTACKER_RECIPIENT),
    ),
)

REPLAYED_ID = Fault(
    slug="saml-replayed-id",
    label="New assertion, already used ID",
    does="Signs a fresh, valid assertion that reuses the ID of the one the step swapped.",
    lesson=Lesson(
        why="The org remembers every assertion ID until the assertion expires and takes each "
        "one once (RFC 7522 §3 lets it refuse a replay). A new signature does not make an old "
        "ID new.",
        gain="A captured assertion could be sent again and again for fresh tokens until it "
        "expired.",
        fix="Give every assertion a fresh random ID, as identity providers do.",
    ),
    run=_replayed_id,
    after=True,
)

TOKEN_STEP = Step(
    slug="token",
    title="Sign a SAML assertion and swap it for a token",
    kind="back-channel",
    spec="RFC 7522 §2.1, §3",
    arrows=(
        Arrow("client", "authorization", "POST /services/oauth2/token (saml2-bearer)"),
        Arrow("authorization", "client", "200 access token"),
    ),
    summary="Playing the identity provider, the playground writes an assertion: Issuer (the "
    "consumer key), NameID (the user), Audience (the org), Recipient (the token endpoint) and "
    "NotOnOrAfter. It signs the XML with the identity provider's key, base64url-encodes it "
    "and posts it as grant_type=urn:ietf:params:oauth:grant-type:saml2-bearer.",
    why="The org checked the XML signature with the identity provider's certificate, read "
    "every value from the element that signature covers, matched Issuer, Audience and "
    "Recipient, checked NotOnOrAfter, remembered the ID so it cannot be used again, and "
    "found the user pre-authorized. The app never had a password for the user.",
    build=_build,
    read=_read,
    differences=("saml-signature-algorithms", "saml-legacy-assertion-flow", "jwt-bearer-approval"),
    button="Sign and send",
    faults=(WRAPPED, EXPIRED, WRONG_RECIPIENT, REPLAYED_ID),
    inputs=(
        Input(
            "name_id",
            "NameID: the user the token will act for",
            f"A username. {USER} was pre-authorized on this app; anyone else was not.",
            initial=lambda ctx: USER,
        ),
    ),
)

FLOW = Flow(
    guide=guide_for("saml-bearer"),
    app=AppSpec(grants=(GRANT,), scopes=("api",), pre_authorize=(USER,)),
    intro="A company that already signs its people in with a SAML identity provider can reuse "
    "that trust for API access: the identity provider signs an assertion about a user, and "
    "the org swaps it for an access token. Here the playground plays the identity provider.",
    steps=(
        certificate_step(
            field="saml_idp_cert_pem",
            owner_label="identity provider",
            why="The org now trusts assertions signed with this certificate's key, for this "
            "app. In a company this is the identity provider's signing certificate, and the "
            "identity provider alone holds the key.",
            pre_authorized=f"This practice app lets admin-approved users in, and {USER} was "
            "pre-authorized when it was made. Nobody is asked for consent in this flow.",
        ),
        TOKEN_STEP,
        api_step(
            faults=API_FAULTS,
            why="The token acts as the user in NameID. When it expires, the identity provider "
            "signs a new assertion; there is no refresh token.",
        ),
    ),
)
