from __future__ import annotations

import re

import lxml.html
import pytest
from django.test import Client
from django.urls import reverse

from tests.playground.conftest import run_step, start_run, through_callback
from tests.playground.test_export import assert_no_secret_in, every_secret

pytestmark = pytest.mark.django_db


def share(client, run):
    response = client.post(reverse("playground:share_run", args=[run.id]))
    run.refresh_from_db()
    return response


def pkce_run_with_faults(client):
    run = start_run(client, "web-server-pkce")
    run_step(client, run, "discover")
    run_step(client, run, "authorize")
    through_callback(client, run)
    step_url = reverse("playground:run_step", args=[run.id, "token"])
    client.post(step_url, {"fault": "wrong-code-verifier"})
    run_step(client, run, "token")
    client.post(step_url, {"fault": "id-token-none"})
    for step in ("userinfo", "call-api", "revoke-refresh-token"):
        run_step(client, run, step)
    return run


def test_the_owner_makes_an_unguessable_share_link_separate_from_the_run_id(client, org):
    run = start_run(client, "client-credentials")
    other = start_run(client, "client-credentials")

    response = share(client, run)
    share(client, other)

    assert response.status_code == 303
    assert response["Location"].endswith("#share")
    assert run.share_id
    assert re.fullmatch(r"[A-Za-z0-9_-]{32,}", run.share_id)
    assert run.share_id != run.id
    assert run.id not in run.share_id
    assert run.share_id != other.share_id
    page = client.get(reverse("playground:run_detail", args=[run.id])).content.decode()
    assert f"/playground/shared/{run.share_id}/" in page
    assert "Stop sharing" in page


def test_anyone_can_read_a_shared_run_and_no_secret_appears_in_it(client, org):
    run = pkce_run_with_faults(client)
    share(client, run)
    stranger = Client()

    response = stranger.get(reverse("playground:shared_run", args=[run.share_id]))

    page = response.content.decode()
    assert response.status_code == 200
    assert 'class="run-page shared-run"' in page
    assert "Trade the code and the verifier for tokens" in page
    assert "Wrong code_verifier" in page
    assert "How to fix the client" in page
    assert "&lt;access_token&gt;" in page
    assert "&lt;code_verifier&gt;" in page
    assert "&lt;refresh_token&gt;" in page
    assert "&lt;id_token&gt;" in page
    assert "no-store" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex"
    assert len(every_secret(run)) >= 6
    assert_no_secret_in(page, run)


def test_the_owner_sees_the_shared_page_redacted_too(client, org):
    run = pkce_run_with_faults(client)
    share(client, run)

    page = client.get(reverse("playground:shared_run", args=[run.share_id])).content.decode()

    assert_no_secret_in(page, run)


def test_a_confidential_apps_secret_never_reaches_the_shared_page_or_its_exports(client, org):
    run = start_run(client, "web-server")
    run_step(client, run, "authorize")
    through_callback(client, run)
    client.post(
        reverse("playground:run_step", args=[run.id, "token"]), {"fault": "wrong-client-secret"}
    )
    for step in ("token", "identity", "call-api"):
        run_step(client, run, step)
    share(client, run)
    stranger = Client()

    page = stranger.get(reverse("playground:shared_run", args=[run.share_id])).content.decode()
    exports = [
        stranger.get(
            reverse("playground:export_shared_run", args=[run.share_id]),
            {"format": fmt, "secrets": "on"},
        ).content.decode()
        for fmt in ("curl", "http")
    ]

    assert "&lt;client_secret&gt;" in page
    for text in (page, *exports):
        assert run.client_secret not in text
        assert_no_secret_in(text, run)


def test_stopping_sharing_kills_the_link_and_a_new_share_gets_a_new_one(client, org):
    run = start_run(client, "client-credentials")
    share(client, run)
    first = run.share_id

    response = client.post(reverse("playground:stop_sharing_run", args=[run.id]))
    share(client, run)

    assert response.status_code == 303
    assert Client().get(reverse("playground:shared_run", args=[first])).status_code == 404
    assert (
        Client()
        .get(reverse("playground:export_shared_run", args=[first]), {"format": "curl"})
        .status_code
        == 404
    )
    assert run.share_id != first
    assert Client().get(reverse("playground:shared_run", args=[run.share_id])).status_code == 200


def test_only_the_owner_can_share_or_stop_sharing(client, org):
    run = start_run(client, "client-credentials")
    share(client, run)
    stranger = Client()

    assert stranger.post(reverse("playground:share_run", args=[run.id])).status_code == 404
    assert stranger.post(reverse("playground:stop_sharing_run", args=[run.id])).status_code == 404
    run.refresh_from_db()
    assert run.share_id


def test_a_made_up_share_id_is_404_and_the_run_id_is_not_a_share_id(client, org):
    run = start_run(client, "client-credentials")
    share(client, run)

    assert Client().get(reverse("playground:shared_run", args=["x" * 32])).status_code == 404
    assert Client().get(reverse("playground:shared_run", args=[run.id])).status_code == 404


def test_the_shared_page_is_read_only(client, org):
    run = start_run(client, "client-credentials")
    run_step(client, run, "token")
    share(client, run)

    page = Client().get(reverse("playground:shared_run", args=[run.share_id])).content.decode()

    assert 'method="post"' not in page
    assert f"/playground/runs/{run.id}/" not in page


def _secrets_named(run, name):
    run.refresh_from_db()
    return {
        secret["value"]
        for entry in [*run.steps, *run.faults]
        for exchange in entry["result"]["exchanges"]
        for secret in exchange["secrets"]
        if secret["name"] == name
    }


def test_the_shared_page_is_the_run_pages_cards_with_decoded_claims_and_no_raw_token(client, org):
    run = pkce_run_with_faults(client)
    share(client, run)

    response = Client().get(reverse("playground:shared_run", args=[run.share_id]))

    page = response.content.decode()
    tree = lxml.html.fromstring(response.content)
    token_card = tree.get_element_by_id("step-token")
    assert "step--done" in token_card.get("class")
    claims = token_card.xpath(".//*[contains(@class, 'jwt__part--payload')]//dt/code/text()")
    assert {"iss", "sub", "aud", "exp"} <= set(claims)
    assert "What just happened, and why it matters" in token_card.text_content()
    assert "Where Salesforce, this org and the RFCs part ways" in page
    assert tree.xpath("//*[contains(@class, 'lanes__row--done')]")
    assert "stays hidden on a shared page" in token_card.text_content()
    # Read-only: no step, Break it, Try again or Copy; nothing to open in the inspector.
    assert not tree.xpath("//form | //button | //*[@data-copy]")
    assert "Open in the inspector" not in page
    (id_token,) = _secrets_named(run, "id_token")
    header, payload, signature = id_token.split(".")
    for part in (header, payload, signature, signature[:40]):
        assert part not in page
    assert_no_secret_in(page, run)


def test_a_pkce_verifier_is_hidden_even_before_the_token_request_sends_it(client, org):
    run = start_run(client, "web-server-pkce")
    run_step(client, run, "discover")
    run_step(client, run, "authorize")
    share(client, run)

    page = Client().get(reverse("playground:shared_run", args=[run.share_id])).content.decode()

    run.refresh_from_db()
    assert "PKCE, worked through" in page
    assert run.values["code_verifier"] not in page
    assert "&lt;code_verifier&gt;" in page
    assert_no_secret_in(page, run)


def test_client_credentials_with_a_confidential_app_reads_out_its_request_redacted(client, org):
    run = start_run(client, "client-credentials")
    client.post(
        reverse("playground:run_step", args=[run.id, "token"]), {"fault": "wrong-client-secret"}
    )
    run_step(client, run, "token")
    run_step(client, run, "call-api")
    share(client, run)

    response = Client().get(reverse("playground:shared_run", args=[run.share_id]))

    page = response.content.decode()
    tree = lxml.html.fromstring(response.content)
    decoded = tree.xpath("//table[contains(@class, 'decoded')]//tr[th/code='client_secret']/td")
    assert decoded
    # The fault's wrong secret has a name of its own: the same name is the same value.
    assert {cell.text_content() for cell in decoded} == {"<client_secret>", "<client_secret_2>"}
    assert "&lt;access_token&gt;" in page
    assert "Broken on purpose" in page
    assert "What just happened, and why it matters" in page
    assert run.client_secret not in page
    assert_no_secret_in(page, run)
