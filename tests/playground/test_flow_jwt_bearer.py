from __future__ import annotations

import base64
import json
import re
import time

import jwt
import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from org.models import ConnectedApp, Org
from pki import certificates
from playground.flows.jwt_bearer import FLOW, GRANT, USER
from playground.transports import InProcessTransport
from playground.vocabulary import StepContext
from tests.playground.conftest import at_token_step, result, run_step, start_run, tried, try_fault

pytestmark = pytest.mark.django_db


def step(client, run, slug, **fields):
    url = reverse("playground:run_step", args=[run.id, slug])
    return client.post(url, {f"in-{name}": value for name, value in fields.items()})


def claims_sent(exchange):
    form = dict(pair.split("=", 1) for pair in exchange.request_body.split("&"))
    assertion = form["assertion"]
    payload = assertion.split(".")[1]
    return assertion, json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def test_jwt_bearer_flow_runs_end_to_end_with_a_generated_certificate(client, org):
    run = at_token_step(client, "jwt-bearer")

    app = ConnectedApp.objects.get(client_id=run.client_id)
    facts = result(run, "certificate").artefacts[0]
    assert app.cert_pem == run.values["certificate_pem"]
    shown = {row.name: row.value for row in facts.rows}
    facts_in_setup = certificates.facts(app.cert_pem)
    assert facts_in_setup is not None
    assert shown["fingerprint"] == facts_in_setup.fingerprint
    assert shown["key"] == "RSA, 2048 bits"

    response = step(client, run, "token")
    assert response.status_code == 303
    token = result(run, "token")
    assert token.outcome == "ok", token.headline
    exchange = token.exchanges[0]
    assertion, claims = claims_sent(exchange)
    assert "client_secret" not in exchange.request_body
    assert f"grant_type={GRANT.replace(':', '%3A')}" in exchange.request_body
    assert claims["iss"] == run.client_id
    assert claims["sub"] == USER
    assert claims["aud"] == run.base_url
    assert 0 < claims["exp"] - time.time() <= 181
    assert jwt.get_unverified_header(assertion)["alg"] == "RS256"
    body = exchange.json_body()
    assert body["access_token"]
    assert "refresh_token" not in body
    panel = next(a for a in token.artefacts if a.kind == "jwt")
    assert panel.jwt.valid, panel.jwt.reason
    assert any("No refresh token" in getattr(a, "text", "") for a in token.artefacts)

    run_step(client, run, "call-api")
    assert result(run, "call-api").outcome == "ok", result(run, "call-api").headline

    page = client.get(reverse("playground:run_detail", args=[run.id])).content.decode()
    assert "jwt-part--signature" in page
    assert "fingerprint" in page


def test_edited_claims_are_what_gets_signed_and_the_org_answers_for_them(client, org):
    run = at_token_step(client, "jwt-bearer")

    step(client, run, "token", sub="grace@handshake.example", exp="120")

    token = result(run, "token")
    _, claims = claims_sent(token.exchanges[0])
    assert claims["sub"] == "grace@handshake.example"
    assert token.outcome == "error"
    assert token.exchanges[0].json_body()["error"] == "invalid_app_access"


def test_a_bad_claim_is_a_form_error_and_nothing_is_sent(client, org):
    run = at_token_step(client, "jwt-bearer")

    response = step(client, run, "token", exp="soon", sub="")

    assert response.status_code == 400
    html = response.content.decode()
    assert "A whole number of seconds" in html
    assert "This value is needed." in html
    assert 'value="soon"' in html
    run.refresh_from_db()
    assert "token" not in {entry["step"] for entry in run.steps}


def test_the_htmx_form_error_swaps_the_card_in(client, org):
    run = at_token_step(client, "jwt-bearer")
    url = reverse("playground:run_step", args=[run.id, "token"])

    response = client.post(url, {"in-exp": "99999999"}, headers={"HX-Request": "true"})

    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section class="step')
    assert "Between -86400 and 86400 seconds" in html
    assert 'aria-invalid="true"' in html


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    claims=st.fixed_dictionaries(
        {},
        optional={
            name: st.text(max_size=300)
            for name in ("iss", "sub", "aud", "exp", "certificate", "private_key")
        },
    )
)
def test_any_typed_claims_give_a_page_or_a_form_error_never_a_500(client, org, claims):
    run = start_run(client, "jwt-bearer", fresh_app="on")
    first = step(
        client,
        run,
        "certificate",
        certificate=claims.get("certificate", ""),
        private_key=claims.get("private_key", ""),
    )
    assert first.status_code in {303, 400}
    if first.status_code == 400:
        return
    response = step(
        client, run, "token", **{k: v for k, v in claims.items() if k in "iss sub aud exp"}
    )
    assert response.status_code in {303, 400}


def test_an_uploaded_certificate_and_key_sign_the_assertion(client, org):
    pair = certificates.generate("my own integration")
    run = start_run(client, "jwt-bearer")

    step(
        client,
        run,
        "certificate",
        certificate=pair.certificate_pem,
        private_key=pair.private_key_pem,
    )
    step(client, run, "token")

    assert result(run, "certificate").headline.startswith("The app now has your certificate")
    assert ConnectedApp.objects.get(client_id=run.client_id).cert_pem.strip() == (
        pair.certificate_pem.strip()
    )
    token = result(run, "token")
    assert token.outcome == "ok", token.headline
    assertion, _ = claims_sent(token.exchanges[0])
    certificate_key = certificates.public_key(pair.certificate_pem)
    assert jwt.decode(assertion, certificate_key, algorithms=["RS256"], audience=run.base_url)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"certificate": "not a certificate"}, "certificate", "not a PEM-encoded X.509"),
        (
            {"private_key": "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----"},
            "private_key",
            "not a PEM private key",
        ),
        ("only-certificate", "private_key", "private key too, or leave both empty"),
        ("mismatched", "private_key", "does not belong to the certificate"),
    ],
)
def test_a_bad_certificate_or_key_is_a_clear_form_error(client, org, fields, field, message):
    one, other = certificates.generate("one"), certificates.generate("other")
    if fields == "only-certificate":
        fields = {"certificate": one.certificate_pem}
    elif fields == "mismatched":
        fields = {"certificate": one.certificate_pem, "private_key": other.private_key_pem}
    run = start_run(client, "jwt-bearer")

    response = step(client, run, "certificate", **fields)

    assert response.status_code == 400
    html = response.content.decode()
    assert re.search(rf'id="in-certificate-{field}-error">[^<]*{re.escape(message)}', html), html
    run.refresh_from_db()
    assert run.steps == []


@pytest.mark.parametrize(
    ("fault", "error", "description"),
    [
        ("jwt-expired", "invalid_grant", "expired authorization code"),
        ("jwt-unsigned", "invalid_grant", "invalid assertion"),
        ("jwt-wrong-audience", "invalid_grant", "audience is invalid"),
        ("jwt-hs256-public-key", "invalid_grant", "invalid assertion"),
        (
            "jwt-unapproved-user",
            "invalid_app_access",
            "user is not admin approved to access this app",
        ),
    ],
)
def test_each_broken_assertion_gets_the_orgs_real_refusal(client, org, fault, error, description):
    run = at_token_step(client, "jwt-bearer")

    try_fault(client, run, "token", fault)

    attempt = tried(run, "token")[-1]
    assert attempt.refused, attempt.result.headline
    exchange = attempt.result.exchanges[-1]
    assert exchange.status == 400
    assert exchange.json_body() == {"error": error, "error_description": description}
    assert description in attempt.result.headline
    panel = attempt.result.artefacts[0]
    assert panel.kind == "jwt"
    run_step(client, run, "token")
    assert result(run, "token").outcome == "ok"


def test_the_forged_assertions_are_what_they_claim_to_be(client, org):
    run = at_token_step(client, "jwt-bearer")
    for fault in ("jwt-unsigned", "jwt-hs256-public-key"):
        try_fault(client, run, "token", fault)
    unsigned, hs256 = (a.result.exchanges[-1] for a in tried(run, "token"))

    assertion, _ = claims_sent(unsigned)
    assert jwt.get_unverified_header(assertion)["alg"] == "none"
    assert assertion.endswith(".")
    assertion, _ = claims_sent(hs256)
    assert jwt.get_unverified_header(assertion)["alg"] == "HS256"


def test_replaying_the_assertion_that_worked_is_refused(client, org):
    run = at_token_step(client, "jwt-bearer")
    run_step(client, run, "token")

    try_fault(client, run, "token", "jwt-replay")

    attempt = tried(run, "token")[-1]
    assert attempt.refused
    sent = attempt.result.exchanges[0]
    assert sent.request_body == result(run, "token").exchanges[0].request_body
    assert sent.json_body() == {"error": "invalid_grant", "error_description": "invalid assertion"}


def test_an_assertion_without_jti_and_with_exp_in_milliseconds_is_taken_twice(client, org):
    run = at_token_step(client, "jwt-bearer")

    response = try_fault(client, run, "token", "jwt-distant-exp-replay")

    attempt = tried(run, "token")[-1]
    assert not attempt.refused
    first, second = attempt.result.exchanges
    assert (first.status, second.status) == (200, 200)
    assert first.request_body == second.request_body
    assert first.json_body()["access_token"] != second.json_body()["access_token"]
    _, claims = claims_sent(first)
    assert "jti" not in claims
    assert claims["exp"] > time.time() * 999
    assert "twice" in attempt.result.headline
    page = client.get(response["Location"]).content.decode()
    assert "Why a careful server refuses it" in page
    assert "50,000 years" in page


def test_where_the_org_sets_a_window_the_distant_assertion_is_refused_at_once(client, org):
    Org.objects.update(jwt_bearer_window_seconds=180)
    run = at_token_step(client, "jwt-bearer")

    try_fault(client, run, "token", "jwt-distant-exp-replay")

    attempt = tried(run, "token")[-1]
    assert attempt.refused
    (only,) = attempt.result.exchanges
    assert only.json_body()["error_description"] == "expired authorization code"


def test_a_run_exports_and_shares_without_the_assertion_or_the_token(client, org):
    run = at_token_step(client, "jwt-bearer")
    run_step(client, run, "token")
    try_fault(client, run, "token", "jwt-replay")
    assertion, _ = claims_sent(result(run, "token").exchanges[0])
    access_token = result(run, "token").exchanges[0].json_body()["access_token"]

    curl = client.get(reverse("playground:export_run", args=[run.id]), {"format": "curl"})
    raw = client.get(reverse("playground:export_run", args=[run.id]), {"format": "http"})
    client.post(reverse("playground:share_run", args=[run.id]))
    run.refresh_from_db()
    shared = client.get(reverse("playground:shared_run", args=[run.share_id]))

    for response in (curl, raw, shared):
        assert response.status_code == 200
        text = response.content.decode()
        assert assertion not in text
        assert access_token not in text
        assert run.values["private_key_pem"].splitlines()[1] not in text
    assert "grant-type%3Ajwt-bearer&assertion=<assertion>" in raw.content.decode()
    assert "Sign an assertion and swap it for a token" in shared.content.decode()
    with_secrets = client.get(
        reverse("playground:export_run", args=[run.id]), {"format": "http", "secrets": "on"}
    )
    assert assertion in with_secrets.content.decode()


def test_the_landing_page_offers_the_flow(client, org):
    html = client.get(reverse("playground:flow_list")).content.decode()

    link = reverse("playground:flow_detail", args=["jwt-bearer"])
    assert f'<a href="{link}">JWT bearer flow</a>' in html


def _context():
    return StepContext(
        client_id="3MVG9example",
        client_secret="",
        base_url="http://127.0.0.1:8000",
        redirect_uri="http://127.0.0.1:8000/playground/callback/",
        values={},
        transport=InProcessTransport(),
    )


@settings(max_examples=300, deadline=None)
@given(
    typed=st.dictionaries(
        st.sampled_from(["iss", "sub", "aud", "exp", "certificate", "private_key"]),
        st.text(max_size=400) | st.integers().map(str),
    )
)
def test_reading_the_inputs_never_raises_and_an_error_means_nothing_is_used(typed):
    ctx = _context()
    for step in FLOW.steps:
        cleaned, errors = step.read_inputs(typed, ctx)

        assert set(cleaned).isdisjoint(errors)
        assert set(cleaned) | set(errors) <= {item.name for item in step.inputs}
        for name, message in errors.items():
            assert message.strip(), name
        if step.slug == "token" and not errors:
            assert -86400 <= int(cleaned["exp"]) <= 86400
            assert all(cleaned[name] for name in ("iss", "sub", "aud"))
