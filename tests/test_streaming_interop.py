"""jsforce's Streaming API (its Faye CometD client, unpatched) subscribes to the org's event bus
served as `make run` serves it: uvicorn with config.asgi, production settings, on loopback.

The script publishes platform events and changes an Account through jsforce's REST calls, and
prints what each subscriber received; these tests assert on what it printed.
"""

from __future__ import annotations

import json
import os
import re
import shutil

import pytest

from bench.servers import ROOT, UVICORN_OPTIONS, free_port, manage, serve, sqlite_site_env
from config.org_paths import API_VERSION
from tests.test_jsforce import run_interop_script

SCRIPT = ROOT / "interop" / "streaming_interop.mjs"
MAKE_RUN_SERVER = "uvicorn (config.asgi)"
pytestmark = pytest.mark.skipif(
    not (shutil.which("node") and (ROOT / "interop" / "node_modules" / "jsforce").exists()),
    reason="`make test` installs Node and jsforce",
)


@pytest.fixture(scope="module")
def streaming_reports():
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    with sqlite_site_env(base_url) as env:
        app = json.loads(
            manage(
                env,
                "create_connected_app",
                "--json",
                "--name=jsforce streaming",
                "--grant=client_credentials",
                "--scope=api",
                "--run-as=ada@handshake.example",
            )
        )
        with serve(env, port=port, workers=2, server=MAKE_RUN_SERVER):
            return run_interop_script(
                SCRIPT,
                {
                    "PATH": os.environ["PATH"],
                    "LOGIN_URL": base_url,
                    "CLIENT_ID": app["client_id"],
                    "CLIENT_SECRET": app["client_secret"],
                    "CURRENT_VERSION": API_VERSION,
                },
                timeout=180,
            )


def test_make_run_serves_the_site_with_the_command_these_tests_use():
    makefile = (ROOT / "Makefile").read_text()
    (command,) = re.findall(r"^\t\$\(VENV\)/bin/uvicorn (.*)$", makefile, flags=re.MULTILINE)
    assert command.split()[: len(UVICORN_OPTIONS)] == list(UVICORN_OPTIONS)


def test_jsforce_subscribes_with_its_streaming_api(streaming_reports):
    (start,) = streaming_reports["start"]
    assert start["jsforce"].split(".")[0] == "3"
    (subscribed,) = streaming_reports["subscribed"]
    assert subscribed["channels"] == ["/event/Order_Placed__e", "/data/AccountChangeEvent"]
    assert all(publish["success"] for publish in streaming_reports["publish"])


def test_a_platform_event_published_over_rest_arrives_with_its_payload(streaming_reports):
    (report,) = streaming_reports["platform_event"]
    data = report["data"]
    payload = data["payload"]
    assert isinstance(data["schema"], str)
    assert (payload["Order_Number__c"], payload["Amount__c"], payload["Customer__c"]) == (
        "ORD-1",
        125.5,
        "Interop Traders",
    )
    assert payload["CreatedById"].startswith("005")
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d{4})", payload["CreatedDate"]
    )
    assert isinstance(data["event"]["replayId"], int)
    # The EventUuid is the one the publish answered with (OPERATION_ENQUEUED's message).
    first_publish = streaming_reports["publish"][0]
    assert data["event"]["EventUuid"] == first_publish["errors"][0]["message"]


def test_an_account_created_then_updated_sends_two_change_events(streaming_reports):
    (report,) = streaming_reports["change_events"]
    created, updated = (message["payload"] for message in report["data"])
    for payload, change_type in ((created, "CREATE"), (updated, "UPDATE")):
        header = payload["ChangeEventHeader"]
        assert (header["entityName"], header["changeType"]) == ("Account", change_type)
        assert header["recordIds"] == [report["account_id"]]
        assert header["changeOrigin"].startswith("com/salesforce/api/rest/")
    assert created["Name"] == "Streaming Interop Ltd"
    # An update carries only what changed.
    assert updated["Industry"] == "Energy"
    assert "Name" not in updated
    assert "Industry" in updated["ChangeEventHeader"]["changedFields"]


def test_a_subscriber_back_with_its_stored_replay_id_gets_exactly_what_it_missed(
    streaming_reports,
):
    (away,) = streaming_reports["away"]
    assert away["got"] == ["ORD-2"]
    (back,) = streaming_reports["replay_stored"]
    assert back["orders"] == ["ORD-3", "ORD-4"]
    assert min(back["replay_ids"]) > away["stored_replay_id"]


def test_replay_from_minus_two_gets_everything_retained_in_order(streaming_reports):
    (everything,) = streaming_reports["replay_all"]
    assert everything["orders"] == ["ORD-1", "ORD-2", "ORD-3", "ORD-4"]
    assert everything["replay_ids"] == sorted(set(everything["replay_ids"]))
    (changes,) = streaming_reports["replay_changes"]
    assert changes["change_types"] == ["CREATE", "UPDATE"]


def test_replay_from_minus_one_gets_only_new_events(streaming_reports):
    (fresh,) = streaming_reports["replay_new"]
    assert fresh["orders"] == ["ORD-5"]


def test_the_live_subscriber_got_every_event_once_in_order(streaming_reports):
    (live,) = streaming_reports["live_all_along"]
    assert live["orders"] == ["ORD-1", "ORD-2", "ORD-3", "ORD-4", "ORD-5"]
    assert live["replay_ids"] == sorted(set(live["replay_ids"]))
