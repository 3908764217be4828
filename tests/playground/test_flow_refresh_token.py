from __future__ import annotations

import pytest

from tests.playground.conftest import result, run_step, start_run, through_callback


@pytest.mark.django_db
def test_refresh_flow_rotates_and_a_replayed_refresh_token_kills_the_family(client, org):
    run = start_run(client, "refresh-token")
    run_step(client, run, "authorize")
    through_callback(client, run)
    run_step(client, run, "token")
    first = result(run, "token").exchanges[0].json_body()["refresh_token"]

    run_step(client, run, "refresh")

    refresh = result(run, "refresh")
    assert refresh.outcome == "ok", refresh.headline
    assert "grant_type=refresh_token" in refresh.exchanges[0].request_body
    second = refresh.exchanges[0].json_body()["refresh_token"]
    assert second != first
    rotation = next(a for a in refresh.artefacts if a.kind == "checks" and a.title == "Rotation")
    assert rotation.checks[0].passed

    run_step(client, run, "reuse-old")
    reuse = result(run, "reuse-old")
    assert reuse.outcome == "ok", reuse.headline
    assert reuse.exchanges[0].status == 400
    assert reuse.exchanges[0].json_body()["error"] == "invalid_grant"
    assert f"refresh_token={first}" in reuse.exchanges[0].request_body

    run_step(client, run, "introspect-new")
    introspect = result(run, "introspect-new")
    assert introspect.outcome == "ok", introspect.headline
    assert introspect.exchanges[0].json_body()["active"] is False
