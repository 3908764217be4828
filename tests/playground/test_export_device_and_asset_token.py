from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.playground.conftest import result, run_step, start_run
from tests.playground.test_export import assert_no_secret_in, bash_syntax_problems, export
from tests.playground.test_flow_device import decide_on_the_verification_page

pytestmark = pytest.mark.django_db


def asset_token_run(client):
    run = start_run(client, "asset-token")
    for slug in ("token", "actor-token"):
        run_step(client, run, slug)
    client.post(
        reverse("playground:run_step", args=[run.id, "exchange"]),
        {"fault": "actor-token-other-key"},
    )
    for slug in ("exchange", "verify"):
        run_step(client, run, slug)
    assert result(run, "verify").outcome == "ok"
    return run


def device_run(client):
    run = start_run(client, "device")
    run_step(client, run, "device-authorization")
    run_step(client, run, "device-poll")
    run.refresh_from_db()
    decide_on_the_verification_page(run.values["user_code"])
    run_step(client, run, "device-poll")
    assert result(run, "device-poll").outcome == "ok"
    client.post(
        reverse("playground:run_step", args=[run.id, "device-poll"]),
        {"fault": "redeem-device-code-twice"},
    )
    run_step(client, run, "call-api")
    return run


def test_an_asset_token_run_exports_as_curl_with_every_token_a_placeholder(client, org, tmp_path):
    run = asset_token_run(client)

    script = export(client, run, "curl").content.decode()

    assert bash_syntax_problems(script, tmp_path) == ""
    assert "grant_type=urn:ietf:params:oauth:grant-type:token-exchange" in script
    # The subject token is the access token from the first step, under that name.
    assert '--data-urlencode subject_token="${ACCESS_TOKEN}"' in script
    assert '--data-urlencode actor_token="${ACTOR_TOKEN}"' in script
    assert "Broken on purpose" in script
    assert run.values["actor_token"] not in script
    assert_no_secret_in(script, run)


def test_a_device_run_exports_as_raw_http_without_the_device_code(client, org):
    run = device_run(client)

    text = export(client, run, "http").content.decode()

    assert "response_type=device_code" in text
    # The poll's `code` is the device code the first answer gave: named after it.
    assert "grant_type=device&code=<device_code>&client_id=" in text
    assert "authorization_pending" in text
    assert run.values["device_code"] not in text
    assert_no_secret_in(text, run)


@pytest.mark.parametrize("make_run", [asset_token_run, device_run])
def test_runs_of_the_new_flows_can_be_shared_with_every_secret_hidden(client, org, make_run):
    run = make_run(client)
    client.post(reverse("playground:share_run", args=[run.id]))
    run.refresh_from_db()

    page = Client().get(reverse("playground:shared_run", args=[run.share_id]))

    text = page.content.decode()
    assert page.status_code == 200
    assert "/services/oauth2/token" in text
    assert_no_secret_in(text, run)
    shared_export = Client().get(
        reverse("playground:export_shared_run", args=[run.share_id]), {"format": "curl"}
    )
    assert shared_export.status_code == 200
    assert_no_secret_in(shared_export.content.decode(), run)
