from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.playground.conftest import result, run_step, sign_in_and_decide, start_run


@pytest.mark.django_db
def test_user_agent_flow_reads_the_fragment_and_uses_the_token(client, org):
    run = start_run(client, "user-agent")
    run_step(client, run, "authorize")
    url = result(run, "authorize").browser_url
    assert parse_qs(urlsplit(url).query)["response_type"] == ["token"]

    location = sign_in_and_decide(client, url)
    parts = urlsplit(location)
    assert parts.query == ""
    assert "access_token=" in parts.fragment
    page = client.get(parts.path)
    assert b"data-fragment-reader" in page.content
    assert b"playground-fragment.js" in page.content
    response = client.post(parts.path, {"fragment": location})

    assert response.status_code == 303
    fragment = result(run, "fragment")
    assert fragment.outcome == "ok", fragment.headline
    kinds = {a.kind for a in fragment.artefacts}
    assert {"parameters", "callout", "checks", "signature"} <= kinds
    assert next(a for a in fragment.artefacts if a.kind == "signature").matches is True
    warning = next(a for a in fragment.artefacts if a.kind == "callout")
    assert "history" in warning.text

    for slug in ("call-api", "introspect", "revoke-access-token", "call-api-again"):
        run_step(client, run, slug)
        assert result(run, slug).outcome == "ok", (slug, result(run, slug).headline)
    assert result(run, "introspect").exchanges[0].json_body()["active"] is True
    assert result(run, "call-api-again").exchanges[0].status == 401


@pytest.mark.django_db
def test_a_pasted_address_works_without_javascript(client, org):
    run = start_run(client, "user-agent")
    run_step(client, run, "authorize")
    location = sign_in_and_decide(client, result(run, "authorize").browser_url)

    response = client.post("/playground/callback/", {"fragment": "#" + urlsplit(location).fragment})

    assert response.status_code == 303
    assert result(run, "fragment").outcome == "ok"
