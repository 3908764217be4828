"""jsforce drives the org's REST API and Bulk API 2.0 through its own public API, unpatched.

The site runs under gunicorn with production settings on loopback. jsforce logs in with a JWT
bearer assertion signed as Salesforce's CLI signs it (exp in milliseconds, no jti), through its
own OAuth2 token request, which Node's fetch sends chunked: so this login only works because
the org reads chunked bodies and accepts a distant exp, as real orgs do.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from bench.servers import ROOT, free_port, gunicorn, manage, sqlite_site_env
from config.org_paths import API_VERSION
from pki import certificates

SCRIPT = ROOT / "interop" / "jsforce_interop.mjs"
USER = "ada@handshake.example"
BULK_ROWS = 3000
pytestmark = pytest.mark.skipif(
    not (shutil.which("node") and (ROOT / "interop" / "node_modules" / "jsforce").exists()),
    reason="`make test` installs Node and jsforce",
)


def run_interop_script(
    script: Path, env: dict[str, str], *, timeout: int
) -> dict[str, list[dict[str, Any]]]:
    """Run one of interop/'s Node scripts; its JSON report lines, grouped by step."""
    try:
        finished = subprocess.run(
            ["node", str(script)], env=env, capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired as stopped:
        raise AssertionError(f"jsforce did not finish in {timeout} s: {stopped.stdout!r}") from None
    print(finished.stdout)  # pytest shows it when an assertion fails; the report quotes it
    reports = [json.loads(line) for line in finished.stdout.splitlines() if line.startswith("{")]
    errors = [report for report in reports if report["step"] == "error"]
    assert not errors, (errors, finished.stderr[-3000:])
    assert finished.returncode == 0, finished.stderr[-3000:]
    by_step: dict[str, list[dict[str, Any]]] = {}
    for report in reports:
        by_step.setdefault(report["step"], []).append(report)
    return by_step


@pytest.fixture(scope="module")
def jsforce_reports(tmp_path_factory):
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    pair = certificates.generate("jsforce interop")
    keys = tmp_path_factory.mktemp("jsforce")
    (keys / "cert.pem").write_text(pair.certificate_pem)
    (keys / "key.pem").write_text(pair.private_key_pem)
    with sqlite_site_env(base_url) as env:
        app = json.loads(
            manage(
                env,
                "create_connected_app",
                "--json",
                "--name=jsforce",
                "--grant=urn:ietf:params:oauth:grant-type:jwt-bearer",
                "--scope=api",
                f"--cert={keys / 'cert.pem'}",
                f"--pre-authorize={USER}",
            )
        )
        with gunicorn(env, port=port, workers=2):
            return run_interop_script(
                SCRIPT,
                {
                    "PATH": os.environ["PATH"],
                    "LOGIN_URL": base_url,
                    "CLIENT_ID": app["client_id"],
                    "PRIVATE_KEY_FILE": str(Path(keys / "key.pem")),
                    "USERNAME": USER,
                    "CURRENT_VERSION": API_VERSION,
                    "BULK_ROWS": str(BULK_ROWS),
                },
                timeout=300,
            )


def test_jsforce_logs_in_with_a_jwt_signed_as_salesforces_cli_signs_it(jsforce_reports):
    (start,) = jsforce_reports["start"]
    assert start["jsforce"].split(".")[0] == "3"
    (login,) = jsforce_reports["jwt_login"]
    assert login["organization_id"].startswith("00D")
    assert login["user_id"].startswith("005")
    assert login["instance_url"].startswith("http://127.0.0.1:")


def test_describe_global_and_describe_with_the_default_and_the_current_version(jsforce_reports):
    versions = [report["version"] for report in jsforce_reports["describe_global"]]
    assert versions == ["50.0", API_VERSION]
    for report in jsforce_reports["describe_global"]:
        assert {"Account", "Asset", "Case", "Contact", "Opportunity"} <= set(report["sobjects"])
    for report in jsforce_reports["describe"]:
        assert (report["name"], report["key_prefix"]) == ("Account", "001")
        assert {"Id", "Name", "Industry", "CreatedById", "LastModifiedDate"} <= set(
            report["fields"]
        )


def test_create_retrieve_update_destroy(jsforce_reports):
    assert len(jsforce_reports["crud"]) == 2
    for report in jsforce_reports["crud"]:
        assert report["created"] is True
        assert report["id_length"] == 18
        assert report["renamed"] == report["read_name"] + " renamed"
        assert report["destroyed"] is True
        assert report["after_destroy"] in {"ENTITY_IS_DELETED", "NOT_FOUND"}


def test_multi_record_create_goes_through_collections_in_chunks(jsforce_reports):
    for report in jsforce_reports["collections"]:
        assert report["succeeded"] == report["sent"] == 450


def test_query_auto_fetch_follows_next_records_url_past_the_batch_size(jsforce_reports):
    for report in jsforce_reports["query_auto_fetch"]:
        assert report["records"] == report["distinct"] == 450


def test_limits_count_the_calls_made(jsforce_reports):
    for report in jsforce_reports["limits"]:
        daily = report["daily_api_requests"]
        assert 0 < daily["Remaining"] < daily["Max"]
    first, second = (r["daily_api_requests"]["Remaining"] for r in jsforce_reports["limits"])
    assert second < first


def test_bulk_ingest_loads_every_row_and_a_bulk_query_reads_them_back(jsforce_reports):
    (ingest,) = jsforce_reports["bulk_ingest"]
    # A few thousand rows plus one whose Name is a formula: stored as sent, results defused.
    assert ingest["successful"] == ingest["sent"] == BULK_ROWS + 1
    assert (ingest["failed"], ingest["unprocessed"]) == (0, 0)
    (query,) = jsforce_reports["bulk_query"]
    # Past the org's 2000-record page: jsforce followed Sforce-Locator until it said null.
    assert query["tagged"] == BULK_ROWS
    assert query["records"] > 2000
