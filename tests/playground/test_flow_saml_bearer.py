from __future__ import annotations

import base64
import re
from datetime import UTC, datetime
from urllib.parse import parse_qsl

import pytest
from django.urls import reverse
from lxml import etree
from signxml.verifier import XMLVerifier

from org.models import ConnectedApp
from pki import certificates
from playground.flows.saml_bearer import DS_NS, SAML_NS, USER
from tests.playground.conftest import at_token_step, result, run_step, tried, try_fault

pytestmark = pytest.mark.django_db

NS = {"saml": SAML_NS, "ds": DS_NS}


def sent_xml(exchange):
    form = dict(parse_qsl(exchange.request_body))
    encoded = form["assertion"]
    # base64url without padding (RFC 7522 §2.1)
    assert not set(encoded) & {"=", "+", "/"}
    return etree.fromstring(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))


def test_saml_bearer_flow_runs_end_to_end(client, org):
    run = at_token_step(client, "saml-bearer")
    app = ConnectedApp.objects.get(client_id=run.client_id)
    assert app.saml_idp_cert_pem == run.values["certificate_pem"]

    run_step(client, run, "token")

    token = result(run, "token")
    assert token.outcome == "ok", token.headline
    exchange = token.exchanges[0]
    form = dict(parse_qsl(exchange.request_body))
    assert form["grant_type"] == "urn:ietf:params:oauth:grant-type:saml2-bearer"
    assert "client_secret" not in form
    root = sent_xml(exchange)
    assert root.tag == f"{{{SAML_NS}}}Assertion"
    assert root.findtext("saml:Issuer", namespaces=NS) == run.client_id
    assert root.findtext("saml:Subject/saml:NameID", namespaces=NS) == USER
    assert root.findtext(".//saml:Audience", namespaces=NS) == run.base_url
    confirmation = root.find(".//saml:SubjectConfirmationData", NS)
    assert confirmation.get("Recipient") == run.base_url + "/services/oauth2/token"
    assert confirmation.get("NotOnOrAfter")
    # SAML Core §5.4.1: the signature follows the Issuer and references the assertion's ID.
    assert root[1].tag == f"{{{DS_NS}}}Signature"
    assert root.find(".//ds:Reference", NS).get("URI") == "#" + root.get("ID")
    body = exchange.json_body()
    assert body["access_token"]
    assert "refresh_token" not in body

    document = next(a for a in token.artefacts if a.kind == "xml")
    parts = {line.part for line in document.lines}
    assert parts == {"signed", "signed-info", "signature"}
    assert any("<saml:NameID" in line.text and line.part == "signed" for line in document.lines)
    assert any(
        "<ds:SignedInfo" in line.text and line.part == "signed-info" for line in document.lines
    )
    assert any(
        "<ds:SignatureValue" in line.text and line.part == "signature" for line in document.lines
    )

    run_step(client, run, "call-api")
    assert result(run, "call-api").outcome == "ok"

    page = client.get(reverse("playground:run_detail", args=[run.id])).content.decode()
    signed_info = r'class="xml__line xml__line--4 xml-part--signed-info">&lt;ds:SignedInfo&gt;'
    assert re.search(signed_info, page)
    assert "&lt;saml:Audience&gt;" in page


@pytest.mark.parametrize(
    ("fault", "after"),
    [
        ("saml-signature-wrapping", False),
        ("saml-expired", False),
        ("saml-wrong-recipient", False),
        ("saml-replayed-id", True),
    ],
)
def test_each_broken_assertion_gets_the_orgs_real_refusal(client, org, fault, after):
    run = at_token_step(client, "saml-bearer")
    if after:
        run_step(client, run, "token")

    try_fault(client, run, "token", fault)

    attempt = tried(run, "token")[-1]
    assert attempt.refused, attempt.result.headline
    exchange = attempt.result.exchanges[-1]
    assert exchange.status == 400
    assert exchange.json_body() == {
        "error": "invalid_grant",
        "error_description": "invalid assertion",
    }
    assert "invalid assertion" in attempt.result.headline


def test_the_wrapped_document_names_another_user_and_hides_the_signed_one(client, org):
    run = at_token_step(client, "saml-bearer")
    try_fault(client, run, "token", "saml-signature-wrapping")

    root = sent_xml(tried(run, "token")[-1].result.exchanges[-1])
    # The signature itself is intact: it is the org's check of what it covers that refuses it.
    certificate = certificates.load(run.values["certificate_pem"])
    verified = XMLVerifier().verify(root, x509_cert=certificate, id_attribute="ID")
    assert not isinstance(verified, list)
    assert verified.signed_xml is not None
    assert verified.signed_xml.get("ID") != root.get("ID")

    assert root.findtext("saml:Subject/saml:NameID", namespaces=NS) == "grace@handshake.example"
    hidden = root.find("ds:Signature/ds:Object/saml:Assertion", NS)
    assert hidden is not None
    assert hidden.findtext("saml:Subject/saml:NameID", namespaces=NS) == USER
    assert root.find(".//ds:Reference", NS).get("URI") == "#" + hidden.get("ID")


def test_the_faults_change_what_they_say_they_change(client, org):
    run = at_token_step(client, "saml-bearer")
    try_fault(client, run, "token", "saml-expired")
    try_fault(client, run, "token", "saml-wrong-recipient")
    run_step(client, run, "token")
    try_fault(client, run, "token", "saml-replayed-id")

    expired, recipient, replayed = (sent_xml(a.result.exchanges[-1]) for a in tried(run, "token"))
    data = expired.find(".//saml:SubjectConfirmationData", NS)
    assert datetime.fromisoformat(data.get("NotOnOrAfter")) < datetime.now(UTC)
    assert recipient.find(".//saml:SubjectConfirmationData", NS).get("Recipient") == (
        "https://attacker.example/services/oauth2/token"
    )
    assert replayed.get("ID") == run.values["assertion_id"]


def test_a_run_exports_and_shares_with_the_assertion_hidden(client, org):
    run = at_token_step(client, "saml-bearer")
    run_step(client, run, "token")
    try_fault(client, run, "token", "saml-replayed-id")
    assertion = dict(parse_qsl(result(run, "token").exchanges[0].request_body))["assertion"]

    raw = client.get(reverse("playground:export_run", args=[run.id]), {"format": "http"})
    curl = client.get(reverse("playground:export_run", args=[run.id]), {"format": "curl"})
    client.post(reverse("playground:share_run", args=[run.id]))
    run.refresh_from_db()
    shared = client.get(reverse("playground:shared_run", args=[run.share_id]))

    for response in (raw, curl, shared):
        assert response.status_code == 200
        assert assertion not in response.content.decode()
    assert "saml2-bearer&assertion=<assertion>" in raw.content.decode()
    assert "Sign a SAML assertion and swap it for a token" in shared.content.decode()


def test_the_landing_page_offers_both_assertion_flows(client, org):
    html = client.get(reverse("playground:flow_list")).content.decode()

    for slug, name in (
        ("saml-bearer", "SAML bearer assertion flow"),
        ("jwt-bearer", "JWT bearer flow"),
    ):
        link = reverse("playground:flow_detail", args=[slug])
        assert f'<a href="{link}">{name}</a>' in html
        assert f'<a href="{link}">Run it</a>' in html


def test_the_typed_nameid_is_what_the_org_answers_for(client, org):
    run = at_token_step(client, "saml-bearer")
    url = reverse("playground:run_step", args=[run.id, "token"])

    empty = client.post(url, {"in-name_id": "   "})
    client.post(url, {"in-name_id": "grace@handshake.example"})

    assert empty.status_code == 400
    assert "This value is needed." in empty.content.decode()
    token = result(run, "token")
    assert sent_xml(token.exchanges[0]).findtext(".//saml:NameID", namespaces=NS) == (
        "grace@handshake.example"
    )
    assert token.outcome == "error"
    assert token.exchanges[0].json_body()["error"] == "invalid_app_access"


def test_the_wrapped_document_shows_the_root_unsigned_and_the_hidden_assertion_signed(client, org):
    run = at_token_step(client, "saml-bearer")
    try_fault(client, run, "token", "saml-signature-wrapping")

    document = tried(run, "token")[-1].result.artefacts[0]

    assert document.kind == "xml"
    by_text = [(line.text, line.part) for line in document.lines]
    assert by_text[0][0].startswith("<saml:Assertion")
    assert by_text[0][1] == "outside"
    hidden = [part for text, part in by_text if text.startswith("<saml:Assertion")][1]
    assert hidden == "signed"
    grace = next(part for text, part in by_text if "grace@handshake.example" in text)
    assert grace == "outside"
