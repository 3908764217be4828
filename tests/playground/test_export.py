from __future__ import annotations

import os
import subprocess
from urllib.parse import quote, quote_plus

import pytest
from django.test import Client
from django.urls import reverse

from playground.redaction import SECRET_NAMES
from tests.playground.conftest import run_step, start_run, through_callback

pytestmark = pytest.mark.django_db


def every_secret(run):
    """Every secret value a run has seen: its app's secret, what its exchanges marked, and
    every credential it remembered for later steps."""
    run.refresh_from_db()
    values = {run.client_secret}
    for entry in [*run.steps, *run.faults]:
        for exchange in entry["result"]["exchanges"]:
            values |= {secret["value"] for secret in exchange["secrets"]}
    kept = SECRET_NAMES | {"previous_refresh_token", "code_verifier"}
    values |= {value for name, value in run.values.items() if name in kept}
    return {value for value in values if value and len(value) >= 6}


def assert_no_secret_in(text, run):
    for value in every_secret(run):
        for form in {value, quote(value, safe=""), quote_plus(value)}:
            assert form not in text, f"a secret ({form[:12]}…) leaked"


def full_web_server_run(client):
    run = start_run(client, "web-server")
    run_step(client, run, "authorize")
    through_callback(client, run)
    client.post(
        reverse("playground:run_step", args=[run.id, "token"]), {"fault": "other-redirect-uri"}
    )
    for step in ("token", "identity", "call-api", "revoke-access-token"):
        run_step(client, run, step)
    client.post(reverse("playground:run_step", args=[run.id, "token"]), {"fault": "replay-code"})
    return run


def export(client, run, fmt, **params):
    return client.get(reverse("playground:export_run", args=[run.id]), {"format": fmt, **params})


def bash_syntax_problems(script: str, tmp_path) -> str:
    path = tmp_path / "run.sh"
    path.write_text(script)
    checked = subprocess.run(["bash", "-n", str(path)], capture_output=True, text=True, check=False)
    return checked.stderr


def test_curl_export_is_a_valid_bash_script_with_placeholders_for_every_secret(
    client, org, tmp_path
):
    run = full_web_server_run(client)

    response = export(client, run, "curl")

    script = response.content.decode()
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/x-shellscript")
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert response["Cache-Control"] == "no-store"
    assert script.startswith("#!/usr/bin/env bash\n")
    assert "\nset -euo pipefail\n" in script
    assert bash_syntax_problems(script, tmp_path) == ""
    for variable in ("CLIENT_SECRET", "CODE", "ACCESS_TOKEN"):
        assert f'"${{{variable}}}"' in script
        assert f': "${{{variable}:?export {variable} first}}"' in script
    assert "--data-urlencode grant_type=authorization_code" in script
    assert '--data-urlencode client_secret="${CLIENT_SECRET}"' in script
    assert "--header 'Authorization: Bearer '\"${ACCESS_TOKEN}\"" in script
    assert "REFRESH_TOKEN" not in script  # in answers only, so nothing to export
    assert "Broken on purpose" in script
    assert script.count("curl --silent") == 7  # 5 steps' requests + 2 of the replay fault
    assert_no_secret_in(script, run)


def test_raw_http_export_is_plain_text_with_named_placeholders(client, org):
    run = full_web_server_run(client)

    response = export(client, run, "http")

    text = response.content.decode()
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert "POST /services/oauth2/token HTTP/1.1" in text
    assert "client_secret=<client_secret>" in text
    assert "Authorization: Bearer <access_token>" in text
    assert '"access_token": "<access_token>"' in text
    assert "Why: An authorization code works once" in text
    assert_no_secret_in(text, run)


def test_the_owner_can_opt_in_to_the_secrets(client, org, tmp_path):
    run = full_web_server_run(client)

    script = export(client, run, "curl", secrets="on").content.decode()
    text = export(client, run, "http", secrets="on").content.decode()

    assert run.client_secret in script
    assert run.client_secret in text
    assert "${CLIENT_SECRET}" not in script
    assert "Keep it private" in script
    assert bash_syntax_problems(script, tmp_path) == ""


def test_nobody_else_can_export_a_run_let_alone_with_secrets(client, org):
    run = full_web_server_run(client)
    client.post(reverse("playground:share_run", args=[run.id]))
    run.refresh_from_db()
    stranger = Client()

    own_export = stranger.get(
        reverse("playground:export_run", args=[run.id]), {"format": "curl", "secrets": "on"}
    )
    shared_export = stranger.get(
        reverse("playground:export_shared_run", args=[run.share_id]),
        {"format": "curl", "secrets": "on"},
    )

    assert own_export.status_code == 404
    assert shared_export.status_code == 200
    assert '"${CLIENT_SECRET}"' in shared_export.content.decode()
    assert_no_secret_in(shared_export.content.decode(), run)


def test_an_unknown_format_is_a_clear_400(client, org):
    run = start_run(client, "client-credentials")

    response = export(client, run, "pdf")

    assert response.status_code == 400


@pytest.mark.django_db(transaction=True)
def test_the_curl_script_runs_against_the_server_once_its_secrets_are_exported(
    live_server, settings, tmp_path
):
    from org.seed import seed_org

    settings.HANDSHAKE_BASE_URL = live_server.url
    seed_org()
    client = Client()
    run = start_run(client, "client-credentials")
    run_step(client, run, "token")
    run_step(client, run, "call-api")
    run.refresh_from_db()
    script = export(client, run, "curl").content.decode()
    path = tmp_path / "run.sh"
    path.write_text(script)
    token_exchange = run.steps[0]["result"]["exchanges"][0]
    basic = dict(token_exchange["request_headers"])["Authorization"].partition(" ")[2]
    access_token = token_exchange and run.values["access_token"]
    environment = {
        **os.environ,
        "BASIC_CREDENTIALS": basic,
        "ACCESS_TOKEN": access_token,
        "ACCESS_TOKEN_2": access_token,
    }

    ran = subprocess.run(
        ["bash", str(path)],
        capture_output=True,
        text=True,
        env=environment,
        timeout=60,
        check=False,
    )

    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.count("HTTP/1.1 200") == 2
    assert '"access_token"' in ran.stdout
    assert '"records"' in ran.stdout


def test_a_script_with_a_secret_left_unset_stops_before_sending_anything(client, org, tmp_path):
    run = start_run(client, "client-credentials")
    run_step(client, run, "token")
    path = tmp_path / "run.sh"
    path.write_text(export(client, run, "curl").content.decode())
    environment = {k: v for k, v in os.environ.items() if k != "BASIC_CREDENTIALS"}

    ran = subprocess.run(
        ["bash", str(path)],
        capture_output=True,
        text=True,
        env=environment,
        timeout=30,
        check=False,
    )

    assert ran.returncode != 0
    assert "export BASIC_CREDENTIALS first" in ran.stderr
    assert "HTTP/" not in ran.stdout
