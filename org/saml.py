"""SAML 2.0 bearer assertions (RFC 7522) as Salesforce checks them, parsed defensively.

Salesforce's rules: Issuer is the consumer key, Audience the org's login URL, Recipient
the token endpoint, NameID the username, a bearer SubjectConfirmation, an expiry, and an
RSA-SHA256 or RSA-SHA1 signature by the identity provider the app trusts.

Defences, in order: any DOCTYPE is refused before the document is parsed (no entities, no
billion laughs, no external fetches); lxml then parses without entities or network; a
NameID holding anything but text (a comment, say) is refused; signxml verifies the
signature against the app's certificate only; and every value is read from the element
signxml says was signed, which must be the document's root. Reading from anywhere else
is what signature wrapping attacks exploit.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import UTC, datetime
from xml.etree.ElementTree import ParseError

from cryptography import x509
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as refuse_dtd_and_entities
from lxml import etree
from signxml.algorithms import DigestAlgorithm, SignatureMethod
from signxml.exceptions import SignXMLException
from signxml.verifier import SignatureConfiguration, XMLVerifier

from org import errors
from org.assertions import CLOCK_SKEW
from org.errors import InvalidGrant

ASSERTION_NS = "urn:oasis:names:tc:SAML:2.0:assertion"
BEARER = "urn:oasis:names:tc:SAML:2.0:cm:bearer"
# Salesforce's older SAML assertion flow: grant_type=assertion with this assertion_type.
LEGACY_ASSERTION_TYPE = "urn:oasis:names:tc:SAML:2.0:profiles:SSO:browser"
MAX_DOCUMENT_BYTES = 48 * 1024
MAX_VALUE_LENGTH = 256

_PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    dtd_validation=False,
    huge_tree=False,
    remove_blank_text=False,
)
_EXPECTED = SignatureConfiguration(
    # The Signature must be a child of the root element, and sign exactly one thing.
    location="./",
    expect_references=1,
    signature_methods=frozenset({SignatureMethod.RSA_SHA256, SignatureMethod.RSA_SHA1}),
    digest_algorithms=frozenset({DigestAlgorithm.SHA256, DigestAlgorithm.SHA1}),
)


def _tag(name: str) -> str:
    return f"{{{ASSERTION_NS}}}{name}"


@dataclass(frozen=True)
class SamlAssertion:
    assertion_id: str
    issuer: str
    name_id: str
    audiences: tuple[str, ...]
    recipients: tuple[str, ...]
    expires_at: datetime


def decode(value: str) -> bytes:
    """The XML in the `assertion` parameter: base64url (RFC 7522 §2.1), or plain base64."""
    # A + sent unencoded in a form body arrives as a space; some tools add line breaks.
    text = "".join(value.strip().replace(" ", "+").split())
    text = text.replace("-", "+").replace("_", "/").rstrip("=")
    text += "=" * (-len(text) % 4)
    try:
        xml = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidGrant(errors.INVALID_ASSERTION) from None
    if not xml or len(xml) > MAX_DOCUMENT_BYTES:
        raise InvalidGrant(errors.INVALID_ASSERTION)
    return xml


def parse(xml: bytes) -> etree._Element:
    """The root element, refusing DOCTYPEs, entities and anything that is not an Assertion."""
    try:
        # defusedxml's own parser refuses any DOCTYPE, so nothing below ever sees one.
        refuse_dtd_and_entities(xml, forbid_dtd=True, forbid_entities=True, forbid_external=True)
        root = etree.fromstring(xml, parser=_PARSER)
    except (DefusedXmlException, ParseError, etree.LxmlError, ValueError):
        raise InvalidGrant(errors.INVALID_ASSERTION) from None
    if root.tag != _tag("Assertion") or not root.get("ID"):
        raise InvalidGrant(errors.INVALID_ASSERTION)
    for name_id in root.iter(_tag("NameID")):
        # CVE-2017-11427 class: a comment splits the text, the signature ignores it, and a
        # reader that takes the first text node sees another username.
        if len(name_id) > 0:
            raise InvalidGrant(errors.INVALID_ASSERTION)
    return root


def unverified_issuer(root: etree._Element) -> str:
    """The Issuer, read only to find whose certificate verifies the signature."""
    return _text(root.find(_tag("Issuer")))


def verify(xml: bytes, root: etree._Element, certificate: x509.Certificate) -> etree._Element:
    """The signed Assertion, which must be the document's root; raises InvalidGrant."""
    try:
        result = XMLVerifier().verify(
            xml,
            x509_cert=certificate,
            parser=_PARSER,
            id_attribute="ID",
            expect_config=_EXPECTED,
        )
    except (SignXMLException, etree.LxmlError, ValueError, TypeError):
        # Whatever the verifier cannot make sense of (a schema violation, an empty
        # SignatureValue) is simply not a valid signature.
        raise InvalidGrant(errors.INVALID_ASSERTION) from None
    signed = getattr(result, "signed_xml", None)
    if (
        signed is None
        or not isinstance(signed.tag, str)
        or signed.tag != _tag("Assertion")
        or signed.get("ID") != root.get("ID")
    ):
        # The signature covers another element than the one presented: wrapping.
        raise InvalidGrant(errors.INVALID_ASSERTION)
    return signed


def read(signed: etree._Element, *, now: datetime) -> SamlAssertion:
    """The facts of a signed assertion, each checked against RFC 7522 §3; read from the
    signed element and nothing else."""
    if signed.get("Version") != "2.0":
        raise InvalidGrant(errors.INVALID_ASSERTION)
    issued = _instant(signed.get("IssueInstant"))
    if issued is None or issued > now + CLOCK_SKEW:
        raise InvalidGrant(errors.INVALID_ASSERTION)
    subject = signed.find(_tag("Subject"))
    if subject is None:
        raise InvalidGrant(errors.INVALID_ASSERTION)
    name_id_element = subject.find(_tag("NameID"))
    if name_id_element is None or len(name_id_element) > 0:
        raise InvalidGrant(errors.INVALID_ASSERTION)
    name_id = _text(name_id_element)
    expiries: list[datetime] = []
    recipients: list[str] = []
    for confirmation in subject.findall(_tag("SubjectConfirmation")):
        if confirmation.get("Method") != BEARER:
            continue
        data = confirmation.find(_tag("SubjectConfirmationData"))
        if data is None:
            continue
        not_on_or_after = _instant(data.get("NotOnOrAfter"))
        not_before = _instant(data.get("NotBefore"))
        if not_on_or_after is None or not_on_or_after <= now - CLOCK_SKEW:
            continue
        if not_before is not None and not_before > now + CLOCK_SKEW:
            continue
        recipients.append(data.get("Recipient") or "")
        expiries.append(not_on_or_after)
    if not recipients:
        # RFC 7522 §3 item 4: a bearer SubjectConfirmation whose data has not expired.
        raise InvalidGrant(errors.INVALID_ASSERTION)
    conditions = signed.find(_tag("Conditions"))
    audiences: list[str] = []
    if conditions is not None:
        not_before = _instant(conditions.get("NotBefore"))
        if conditions.get("NotBefore") is not None and not_before is None:
            raise InvalidGrant(errors.INVALID_ASSERTION)
        if not_before is not None and not_before > now + CLOCK_SKEW:
            raise InvalidGrant(errors.INVALID_ASSERTION)
        if conditions.get("NotOnOrAfter") is not None:
            not_on_or_after = _instant(conditions.get("NotOnOrAfter"))
            if not_on_or_after is None or not_on_or_after <= now - CLOCK_SKEW:
                raise InvalidGrant(errors.INVALID_ASSERTION)
            expiries.append(not_on_or_after)
        for restriction in conditions.findall(_tag("AudienceRestriction")):
            audiences.extend(_text(audience) for audience in restriction.findall(_tag("Audience")))
    return SamlAssertion(
        assertion_id=str(signed.get("ID")),
        issuer=_text(signed.find(_tag("Issuer"))),
        name_id=name_id,
        audiences=tuple(audiences),
        recipients=tuple(recipients),
        # Remembered for replay until the last moment any part of it could still be used.
        expires_at=max(expiries),
    )


def _text(element: etree._Element | None) -> str:
    if element is None or len(element) > 0:
        return ""
    text = (element.text or "").strip()
    return text if len(text) <= MAX_VALUE_LENGTH else ""


def _instant(value: str | None) -> datetime | None:
    """An xs:dateTime in UTC (SAML Core §1.3.3); None when absent or unreadable."""
    if not value or len(value) > 40:
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
