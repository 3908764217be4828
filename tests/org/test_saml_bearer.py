"""SAML 2.0 bearer flow (RFC 7522) as Salesforce runs it, end to end over HTTP, and
catalogue row D5: every forged assertion is refused, built and signed for real with
signxml, the library the org verifies with."""

from __future__ import annotations

import base64
import re
import secrets
from datetime import timedelta

import pytest
from django.utils import timezone
from lxml import etree
from signxml.algorithms import CanonicalizationMethod, DigestAlgorithm, SignatureMethod
from signxml.signer import XMLSigner

from org.connected_apps import SAML2_BEARER
from org.models import SpentAssertion
from tests.org.conftest import ADA, GRACE

SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
DS = "http://www.w3.org/2000/09/xmldsig#"
BEARER = "urn:oasis:names:tc:SAML:2.0:cm:bearer"
LEGACY = "urn:oasis:names:tc:SAML:2.0:profiles:SSO:browser"
TEMPLATE = """<saml:Assertion xmlns:saml="{saml}" ID="{id}" Version="2.0"
    IssueInstant="{issue_instant}">
  <saml:Issuer>{issuer}</saml:Issuer>
  <ds:Signature xmlns:ds="{ds}" Id="placeholder"/>
  <saml:Subject>
    <saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified"
      >{name_id}</saml:NameID>
    <saml:SubjectConfirmation Method="{method}">
      <saml:SubjectConfirmationData NotOnOrAfter="{confirmation_not_on_or_after}"
        Recipient="{recipient}"/>
    </saml:SubjectConfirmation>
  </saml:Subject>
  <saml:Conditions NotBefore="{not_before}" NotOnOrAfter="{not_on_or_after}">
    <saml:AudienceRestriction><saml:Audience>{audience}</saml:Audience></saml:AudienceRestriction>
  </saml:Conditions>
  <saml:AuthnStatement AuthnInstant="{issue_instant}">
    <saml:AuthnContext><saml:AuthnContextClassRef
      >urn:oasis:names:tc:SAML:2.0:ac:classes:unspecified</saml:AuthnContextClassRef
    ></saml:AuthnContext>
  </saml:AuthnStatement>
</saml:Assertion>"""


class Sha1Signer(XMLSigner):
    """signxml refuses to sign with SHA-1 by default; Salesforce still accepts it."""

    def check_deprecated_methods(self) -> None:
        return None


def instant(**delta: float) -> str:
    return (timezone.now() + timedelta(**delta)).strftime("%Y-%m-%dT%H:%M:%SZ")


def assertion_xml(app, settings, **changes: str) -> str:
    base = settings.HANDSHAKE_BASE_URL
    fields = {
        "id": "_" + secrets.token_hex(16),
        "issuer": app.client_id,
        "name_id": ADA,
        "audience": base,
        "recipient": base + "/services/oauth2/token",
        "method": BEARER,
        "issue_instant": instant(),
        "not_before": instant(seconds=-30),
        "not_on_or_after": instant(minutes=5),
        "confirmation_not_on_or_after": instant(minutes=5),
    }
    fields.update(changes)
    return TEMPLATE.format(saml=SAML, ds=DS, **fields)


def sign(xml: str, keys, *, signer: XMLSigner | None = None) -> bytes:
    root = etree.fromstring(xml.encode())
    signer = signer or XMLSigner(
        c14n_algorithm=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0
    )
    signed = signer.sign(
        root,
        key=keys.private_key,
        cert=[keys.certificate],
        reference_uri="#" + root.get("ID"),
        id_attribute="ID",
    )
    document: bytes = etree.tostring(signed)
    return document


def encode(document: bytes, *, url_safe: bool = True) -> str:
    if url_safe:
        return base64.urlsafe_b64encode(document).rstrip(b"=").decode()
    return base64.b64encode(document).decode()


def exchange(oauth, value: str, **form: str):
    form.setdefault("grant_type", SAML2_BEARER)
    return oauth.post("/services/oauth2/token", {"assertion": value, **form})


def refused(response, description: str = "invalid assertion") -> None:
    assert response.status_code == 400, response.content
    assert response.json() == {"error": "invalid_grant", "error_description": description}


@pytest.fixture
def app(oauth, idp_keys):
    return oauth.app(
        grants=[SAML2_BEARER],
        scopes=["api"],
        saml_idp_cert_pem=idp_keys.certificate_pem,
        pre_authorize=[ADA],
    )


@pytest.fixture
def signed(app, idp_keys, settings):
    """A valid signed assertion for the app, as its identity provider would send it."""

    def make(**changes: str) -> bytes:
        return sign(assertion_xml(app, settings, **changes), idp_keys)

    return make


def test_a_signed_assertion_gets_an_access_token_without_refresh(oauth, app, signed):
    response = exchange(oauth, encode(signed()))

    body = response.json()
    assert response.status_code == 200, body
    assert "refresh_token" not in body
    assert body["token_type"] == "Bearer"
    assert oauth.introspect(app, body["access_token"])["username"] == ADA


def test_plain_base64_is_accepted_too(oauth, signed):
    assert exchange(oauth, encode(signed(), url_safe=False)).status_code == 200


def test_rsa_sha1_signatures_are_accepted_as_salesforce_does(oauth, app, idp_keys, settings):
    signer = Sha1Signer(
        signature_algorithm=SignatureMethod.RSA_SHA1,
        digest_algorithm=DigestAlgorithm.SHA1,
        c14n_algorithm=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0,
    )
    document = sign(assertion_xml(app, settings), idp_keys, signer=signer)

    assert exchange(oauth, encode(document)).status_code == 200


def test_salesforces_older_assertion_flow_is_accepted(oauth, signed):
    response = exchange(oauth, encode(signed()), grant_type="assertion", assertion_type=LEGACY)

    assert response.status_code == 200, response.content


def test_the_older_flow_needs_its_assertion_type(oauth, signed):
    response = exchange(oauth, encode(signed()), grant_type="assertion", assertion_type="saml")

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


def test_a_user_who_never_approved_the_app_is_refused(oauth, idp_keys, settings):
    app = oauth.app(grants=[SAML2_BEARER], saml_idp_cert_pem=idp_keys.certificate_pem)

    response = exchange(oauth, encode(sign(assertion_xml(app, settings), idp_keys)))

    refused(response, "user hasn't approved this consumer")


def test_an_app_without_the_flow_enabled_is_unauthorized(oauth, idp_keys, settings):
    app = oauth.app(
        grants=["client_credentials"], saml_idp_cert_pem=idp_keys.certificate_pem, run_as=ADA
    )

    response = exchange(oauth, encode(sign(assertion_xml(app, settings), idp_keys)))

    assert response.json()["error"] == "unauthorized_client"


def test_the_spent_id_is_remembered_only_until_the_assertion_expires(oauth, signed):
    assert exchange(oauth, encode(signed())).status_code == 200

    row = SpentAssertion.objects.get()
    assert timezone.now() + timedelta(minutes=5) < row.expires_at
    assert row.expires_at <= timezone.now() + timedelta(minutes=7)


# Catalogue D5 -----------------------------------------------------------------------------


def test_d5_an_unsigned_assertion_is_refused(oauth, app, settings):
    xml = assertion_xml(app, settings).replace(
        f'<ds:Signature xmlns:ds="{DS}" Id="placeholder"/>', ""
    )

    refused(exchange(oauth, encode(xml.encode())))


def test_d5_an_assertion_signed_by_another_key_is_refused(oauth, app, attacker_keys, settings):
    # The signer puts its own certificate in KeyInfo; only the app's trusted one counts.
    refused(exchange(oauth, encode(sign(assertion_xml(app, settings), attacker_keys))))


def test_d5_a_tampered_name_id_is_refused(oauth, signed):
    forged = signed().replace(ADA.encode(), GRACE.encode())

    refused(exchange(oauth, encode(forged)))


def test_d5_signature_wrapping_is_refused(oauth, app, signed, settings):
    """The signed assertion moves inside an evil one that names another user; the
    signature still verifies over the original, so the evil root must not be read."""
    original = etree.fromstring(signed())
    signature = original.find(f"{{{DS}}}Signature")
    original.remove(signature)
    evil = etree.fromstring(
        assertion_xml(app, settings, id="_evil", name_id=GRACE)
        .replace(f'<ds:Signature xmlns:ds="{DS}" Id="placeholder"/>', "")
        .encode()
    )
    evil.insert(1, signature)
    advice = etree.SubElement(evil, f"{{{SAML}}}Advice")
    advice.append(original)

    refused(exchange(oauth, encode(etree.tostring(evil))))


def test_d5_a_second_assertion_beside_the_signed_one_is_refused(oauth, app, signed, settings):
    """Wrapping the other way round: the signed assertion stays the root, and an evil copy
    with the same ID hides inside it."""
    root = etree.fromstring(signed())
    evil = etree.fromstring(
        assertion_xml(app, settings, id=root.get("ID"), name_id=GRACE)
        .replace(f'<ds:Signature xmlns:ds="{DS}" Id="placeholder"/>', "")
        .encode()
    )
    advice = etree.SubElement(root, f"{{{SAML}}}Advice")
    advice.append(evil)

    refused(exchange(oauth, encode(etree.tostring(root))))


@pytest.mark.parametrize(
    "audience",
    ["https://login.salesforce.com", "https://evil.test", "{base}/services/oauth2/token"],
)
def test_d5_a_wrong_audience_is_refused(oauth, signed, settings, audience):
    document = signed(audience=audience.format(base=settings.HANDSHAKE_BASE_URL))

    refused(exchange(oauth, encode(document)), "audience is invalid")


@pytest.mark.parametrize(
    "recipient", ["https://evil.test/token", "{base}", "{base}/services/oauth2/authorize"]
)
def test_d5_a_wrong_recipient_is_refused(oauth, signed, settings, recipient):
    document = signed(recipient=recipient.format(base=settings.HANDSHAKE_BASE_URL))

    refused(exchange(oauth, encode(document)))


def test_d5_not_on_or_after_in_the_past_is_refused(oauth, signed):
    document = signed(
        not_on_or_after=instant(minutes=-5), confirmation_not_on_or_after=instant(minutes=-5)
    )

    refused(exchange(oauth, encode(document)))


def test_d5_an_expired_subject_confirmation_is_refused(oauth, signed):
    refused(exchange(oauth, encode(signed(confirmation_not_on_or_after=instant(minutes=-5)))))


def test_d5_expired_conditions_are_refused(oauth, signed):
    refused(exchange(oauth, encode(signed(not_on_or_after=instant(minutes=-5)))))


@pytest.mark.parametrize(
    "method",
    [
        "urn:oasis:names:tc:SAML:2.0:cm:sender-vouches",
        "urn:oasis:names:tc:SAML:2.0:cm:holder-of-key",
    ],
)
def test_d5_no_bearer_subject_confirmation_is_refused(oauth, signed, method):
    refused(exchange(oauth, encode(signed(method=method))))


def test_d5_a_doctype_with_an_entity_is_refused(oauth, signed):
    document = signed()
    with_entity = (
        b'<?xml version="1.0"?><!DOCTYPE saml:Assertion [<!ENTITY who "grace@handshake.example">]>'
        + document
    )

    refused(exchange(oauth, encode(with_entity)))


def test_d5_an_external_entity_is_refused(oauth, app, settings):
    xml = assertion_xml(app, settings, name_id="&secret;")
    document = (
        '<?xml version="1.0"?><!DOCTYPE saml:Assertion [<!ENTITY secret SYSTEM '
        '"file:///etc/passwd">]>' + xml
    ).encode()

    refused(exchange(oauth, encode(document)))


def test_d5_billion_laughs_is_refused_quickly(oauth):
    entities = "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' if i else '<!ENTITY lol0 "lol">'
        for i in range(10)
    )
    bomb = f'<?xml version="1.0"?><!DOCTYPE lolz [{entities}]><lolz>&lol9;</lolz>'.encode()

    refused(exchange(oauth, encode(bomb)))


def test_d5_a_comment_inside_name_id_is_refused(oauth, app, idp_keys, settings):
    """CVE-2017-11427: the IdP signed the attacker's own name; a comment splits it so that a
    reader taking the first text node sees the victim's. Canonicalization drops comments,
    so the signature still verifies: the org must refuse the comment itself."""
    document = sign(assertion_xml(app, settings, name_id=ADA + ".evil.test"), idp_keys)
    split = document.replace((ADA + ".evil.test").encode(), (ADA + "<!---->.evil.test").encode())

    refused(exchange(oauth, encode(split)))


def test_d5_a_replayed_assertion_id_is_refused(oauth, signed):
    value = encode(signed())

    first = exchange(oauth, value)
    second = exchange(oauth, value)

    assert first.status_code == 200
    refused(second)


def test_d5_an_unknown_issuer_is_refused(oauth, idp_keys, app, settings):
    refused(
        exchange(oauth, encode(sign(assertion_xml(app, settings, issuer="3MVG9nobody"), idp_keys)))
    )


SIGNATURE_VALUE = re.compile(r"<ds:SignatureValue>[^<]*</ds:SignatureValue>")
MALFORMED_SIGNATURES = {
    "empty SignatureValue": lambda doc: SIGNATURE_VALUE.sub(
        "<ds:SignatureValue></ds:SignatureValue>", doc
    ),
    "no SignatureValue": lambda doc: SIGNATURE_VALUE.sub("", doc),
    "no SignedInfo": lambda doc: re.sub(r"<ds:SignedInfo>.*</ds:SignedInfo>", "", doc, flags=re.S),
    "unknown algorithm": lambda doc: doc.replace("rsa-sha256", "rsa-sha999"),
    "HMAC algorithm": lambda doc: doc.replace(
        "xmldsig-more#rsa-sha256", "xmldsig-more#hmac-sha256"
    ),
    "no Reference URI": lambda doc: re.sub(r' URI="#[^"]*"', "", doc),
    "whole-document Reference": lambda doc: re.sub(r' URI="#[^"]*"', ' URI=""', doc),
    "empty DigestValue": lambda doc: re.sub(
        r"<ds:DigestValue>[^<]*</ds:DigestValue>", "<ds:DigestValue/>", doc
    ),
    "unknown canonicalization": lambda doc: doc.replace(
        "http://www.w3.org/2001/10/xml-exc-c14n#", "urn:nope"
    ),
    "XPath transform": lambda doc: doc.replace(
        "http://www.w3.org/2000/09/xmldsig#enveloped-signature",
        "http://www.w3.org/TR/1999/REC-xpath-19991116",
    ),
}


@pytest.mark.parametrize("damage", MALFORMED_SIGNATURES.values(), ids=MALFORMED_SIGNATURES.keys())
def test_d5_a_malformed_signature_is_refused_never_a_500(oauth, signed, damage):
    refused(exchange(oauth, encode(damage(signed().decode()).encode())))


@pytest.mark.parametrize("value", ["", "!!!", "PGZvbz4", "PD94bWwgdmVyc2lvbj0iMS4wIj8+"])
def test_d5_garbage_is_refused_never_a_500(oauth, app, value):
    response = exchange(oauth, value)

    assert response.status_code == 400
    assert response.json()["error"] in {"invalid_grant", "invalid_request"}


# Catalogue H6: clock skew ------------------------------------------------------------------


def test_h6_an_issue_instant_thirty_seconds_ahead_is_accepted(oauth, signed):
    document = signed(issue_instant=instant(seconds=30), not_before=instant(seconds=30))

    assert exchange(oauth, encode(document)).status_code == 200


def test_h6_not_before_ten_minutes_ahead_is_refused(oauth, signed):
    refused(exchange(oauth, encode(signed(not_before=instant(minutes=10)))))


def test_h6_an_issue_instant_ten_minutes_ahead_is_refused(oauth, signed):
    refused(exchange(oauth, encode(signed(issue_instant=instant(minutes=10)))))
