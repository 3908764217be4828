from __future__ import annotations

import pytest
from django.urls import reverse

from playground.cards import card_for
from playground.flows import FLOWS
from playground.run_context import flow_of
from tests.playground.conftest import result, run_step, start_run, through_callback

pytestmark = pytest.mark.django_db


def break_step(client, run, slug, fault, **headers):
    url = reverse("playground:run_step", args=[run.id, slug])
    return client.post(url, {"fault": fault}, headers=headers)


def card(run, slug):
    run.refresh_from_db()
    flow = flow_of(run)
    assert flow is not None
    found = card_for(run, flow, slug)
    assert found is not None
    return found


def attempt(run, slug, index=-1):
    return card(run, slug).breakages[index]


def state(run, slug):
    return card(run, slug).state


def web_server_at_token(client, slug="web-server"):
    run = start_run(client, slug)
    for step in ("discover",) if slug == "web-server-pkce" else ():
        run_step(client, run, step)
    run_step(client, run, "authorize")
    through_callback(client, run)
    return run


def test_every_fault_in_the_catalogue_says_what_it_does_and_teaches_three_things():
    faults = {f.slug: f for flow in FLOWS.values() for step in flow.steps for f in step.faults}

    assert len(faults) >= 18
    for fault in faults.values():
        assert fault.label
        assert fault.does
        assert fault.lesson.why
        assert fault.lesson.gain
        assert fault.lesson.fix
        assert fault.slug == fault.slug.lower()
        assert " " not in fault.slug


def test_redirect_elsewhere_gets_the_orgs_error_page_and_no_redirect(client, org):
    run = start_run(client, "web-server")

    response = break_step(client, run, "authorize", "redirect-elsewhere")

    assert response.status_code == 303
    tried = attempt(run, "authorize")
    exchange = tried.result.exchanges[0]
    assert tried.refused, tried.result.headline
    assert exchange.status == 400
    assert exchange.location is None
    assert "redirect_uri_mismatch" in exchange.response_body
    assert "redirect_uri=https%3A%2F%2Fattacker.example%2Fcallback" in exchange.url
    assert "redirect_uri_mismatch" in tried.result.headline
    assert state(run, "authorize") == "next"


def test_a_forged_redirect_is_refused_by_the_callback_and_the_real_one_still_works(client, org):
    run = start_run(client, "web-server")
    run_step(client, run, "authorize")

    break_step(client, run, "callback", "forged-state")

    tried = attempt(run, "callback")
    assert tried.refused
    assert tried.result.exchanges[0].status == 400
    assert "/playground/callback/?code=" in tried.result.exchanges[0].url
    assert state(run, "callback") == "waiting"
    through_callback(client, run)
    assert result(run, "callback").outcome == "ok"


def test_token_step_faults_are_refused_and_the_code_still_redeems_afterwards(client, org):
    run = web_server_at_token(client)

    break_step(client, run, "token", "wrong-client-secret")
    break_step(client, run, "token", "other-redirect-uri")

    wrong_secret, other_uri = attempt(run, "token", 0), attempt(run, "token", 1)
    assert wrong_secret.result.exchanges[0].status == 401
    assert wrong_secret.result.exchanges[0].json_body()["error"] == "invalid_client"
    assert run.client_secret not in wrong_secret.result.exchanges[0].request_body
    assert other_uri.result.exchanges[0].status == 400
    assert other_uri.result.exchanges[0].json_body()["error"] == "invalid_grant"
    assert state(run, "token") == "next"
    run_step(client, run, "token")
    assert result(run, "token").outcome == "ok", result(run, "token").headline


def test_replaying_the_code_is_refused_and_revokes_what_the_first_redemption_got(client, org):
    run = web_server_at_token(client)
    run_step(client, run, "token")
    assert "replay-code" not in [f.slug for f in card(run, "authorize").faults]

    break_step(client, run, "token", "replay-code")

    tried = attempt(run, "token")
    replay, follow_up = tried.result.exchanges
    assert tried.refused, tried.result.headline
    assert replay.request_body == result(run, "token").exchanges[0].request_body
    assert replay.status == 400
    assert replay.json_body() == {
        "error": "invalid_grant",
        "error_description": "invalid authorization code",
    }
    assert follow_up.status == 401
    assert follow_up.json_value()[0]["errorCode"] == "INVALID_SESSION_ID"
    assert any(a.kind == "callout" and "revoked" in a.text for a in tried.result.artefacts)
    # The org's defence changed the run: the next step's real call is refused too.
    run_step(client, run, "identity")
    identity = result(run, "identity")
    assert identity.outcome == "error"
    assert identity.exchanges[0].status == 401


def test_pkce_verifier_faults_get_the_orgs_real_errors(client, org):
    run = web_server_at_token(client, "web-server-pkce")

    break_step(client, run, "token", "wrong-code-verifier")
    break_step(client, run, "token", "missing-code-verifier")

    wrong, missing = attempt(run, "token", 0).result, attempt(run, "token", 1).result
    assert wrong.exchanges[0].status == 400
    assert wrong.exchanges[0].json_body()["error"] == "invalid_request"
    assert "code_verifier=" in wrong.exchanges[0].request_body
    assert missing.exchanges[0].status == 400
    assert missing.exchanges[0].json_body()["error"] == "invalid_grant"
    assert "code_verifier" not in missing.exchanges[0].request_body
    run_step(client, run, "token")
    assert result(run, "token").outcome == "ok"


@pytest.mark.parametrize(
    ("fault", "verdict", "reason"),
    [
        ("id-token-none", "unsigned", "alg none"),
        ("id-token-hs256", "invalid", "key-confusion"),
        ("id-token-expired", "invalid", "Bad signature"),
        ("id-token-other-audience", "invalid", "Bad signature"),
    ],
)
def test_tampered_id_tokens_fail_the_clients_checks(client, org, fault, verdict, reason):
    run = web_server_at_token(client, "web-server-pkce")
    run_step(client, run, "token")

    break_step(client, run, "token", fault)

    tried = attempt(run, "token")
    assert tried.refused, tried.result.headline
    keys = tried.result.exchanges[0]
    assert keys.status == 200
    assert keys.target == "/id/keys"
    panel = tried.result.artefacts[0].jwt
    assert panel.verdict == verdict
    assert reason in panel.reason
    checks = {check.label: check.passed for check in panel.checks}
    if fault == "id-token-expired":
        assert checks["Expiry"] is False
    if fault == "id-token-other-audience":
        assert checks["Audience"] is False


@pytest.mark.parametrize("fault", ["forged-jwt-none", "forged-jwt-hs256", "no-token"])
def test_forged_or_missing_bearer_tokens_get_401_from_userinfo(client, org, fault):
    run = web_server_at_token(client, "web-server-pkce")
    run_step(client, run, "token")

    break_step(client, run, "userinfo", fault)

    sent = attempt(run, "userinfo").result.exchanges[-1]
    assert sent.status == 401
    assert sent.target == "/services/oauth2/userinfo"
    if fault == "no-token":
        assert not any(k.lower() == "authorization" for k, _ in sent.request_headers)
        assert sent.header("WWW-Authenticate") == 'Bearer realm="Handshake demo org"'
    else:
        assert sent.json_body()["error"] == "invalid_token"
        assert "Bearer ey" in dict(sent.request_headers)["Authorization"]
    run_step(client, run, "userinfo")
    assert result(run, "userinfo").outcome == "ok"


def test_a_token_in_the_url_is_refused_by_the_api(client, org):
    run = start_run(client, "client-credentials")
    run_step(client, run, "token")

    break_step(client, run, "call-api", "token-in-url")

    sent = attempt(run, "call-api").result.exchanges[0]
    assert "access_token=" in sent.url
    assert sent.status == 401
    assert sent.json_value()[0]["errorCode"] == "INVALID_SESSION_ID"
    assert 'error="invalid_request"' in sent.header("WWW-Authenticate")


def test_a_forged_jwt_is_refused_by_the_api(client, org):
    run = start_run(client, "client-credentials")
    run_step(client, run, "token")

    break_step(client, run, "call-api", "forged-jwt-hs256")

    tried = attempt(run, "call-api")
    keys, sent = tried.result.exchanges
    assert keys.status == 200
    assert sent.status == 401
    assert sent.json_value()[0]["errorCode"] == "INVALID_SESSION_ID"
    assert tried.result.artefacts[0].jwt.algorithm == "HS256"


def test_client_credentials_faults_get_invalid_client_and_invalid_request(client, org):
    run = start_run(client, "client-credentials")

    break_step(client, run, "token", "wrong-client-secret")
    break_step(client, run, "token", "secret-in-two-places")

    wrong, twice = attempt(run, "token", 0).result, attempt(run, "token", 1).result
    assert wrong.exchanges[0].status == 401
    assert wrong.exchanges[0].json_body()["error"] == "invalid_client"
    assert dict(wrong.exchanges[0].request_headers)["Authorization"].startswith("Basic ")
    assert twice.exchanges[0].status == 400
    assert twice.exchanges[0].json_body()["error"] == "invalid_request"
    run_step(client, run, "token")
    run_step(client, run, "call-api")

    break_step(client, run, "introspect", "wrong-client-secret")

    assert attempt(run, "introspect").result.exchanges[0].status == 401


def test_an_unknown_user_gets_salesforces_authentication_failure(client, org):
    run = start_run(client, "username-password")

    break_step(client, run, "token", "unknown-user")

    sent = attempt(run, "token").result.exchanges[0]
    assert sent.status == 400
    assert sent.json_body() == {
        "error": "invalid_grant",
        "error_description": "authentication failure",
    }
    assert "nobody%40handshake.example" in sent.request_body


def test_reusing_a_rotated_refresh_token_revokes_the_family(client, org):
    run = start_run(client, "refresh-token")
    run_step(client, run, "authorize")
    through_callback(client, run)
    run_step(client, run, "token")
    break_step(client, run, "refresh", "wrong-client-secret")
    assert attempt(run, "refresh").result.exchanges[0].status == 401
    run_step(client, run, "refresh")

    break_step(client, run, "refresh", "reuse-rotated-refresh-token")

    tried = attempt(run, "refresh")
    reuse, introspection = tried.result.exchanges
    assert reuse.status == 400
    assert reuse.json_body()["error"] == "invalid_grant"
    assert introspection.json_body() == {"active": False}
    assert tried.refused


def test_a_revoked_refresh_token_cannot_buy_tokens(client, org):
    run = web_server_at_token(client, "web-server-pkce")
    for step in ("token", "userinfo", "call-api", "revoke-refresh-token"):
        run_step(client, run, step)

    break_step(client, run, "revoke-refresh-token", "use-revoked-refresh-token")

    sent = attempt(run, "revoke-refresh-token").result.exchanges[0]
    assert "grant_type=refresh_token" in sent.request_body
    assert sent.status == 400
    assert sent.json_body()["error"] == "invalid_grant"


def test_a_fault_not_on_offer_is_refused_without_sending_anything(client, org):
    run = start_run(client, "web-server")

    response = break_step(client, run, "token", "replay-code")
    also = break_step(client, run, "authorize", "no-such-fault")

    assert response.status_code == also.status_code == 303
    run.refresh_from_db()
    assert run.faults == []


def test_breaking_a_step_over_htmx_swaps_only_its_card(client, org):
    run = start_run(client, "client-credentials")

    response = break_step(client, run, "token", "wrong-client-secret", HX_Request="true")

    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert 'id="step-token"' in body
    assert "Broken on purpose" in body
    assert "refused, as it should be" in body
    assert "How to fix the client" in body


def test_the_run_page_offers_faults_as_a_form_field_next_to_the_button(client, org):
    run = start_run(client, "client-credentials")

    body = client.get(reverse("playground:run_detail", args=[run.id])).content.decode()

    assert '<select name="fault"' in body
    assert '<option value="wrong-client-secret">Wrong client secret</option>' in body
    assert "What each way of breaking it does" in body
