from __future__ import annotations

import time
from datetime import timedelta
from urllib.parse import parse_qsl

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from org.models import DeviceAuthorization
from tests.playground.conftest import DEMO_PASSWORD, _local, result, run_step, start_run, tried

pytestmark = pytest.mark.django_db


def decide_on_the_verification_page(user_code: str, decision: str = "allow") -> int:
    """A person on their phone: a browser of its own, signed in at the org as Ada."""
    phone = Client()
    login = reverse("org:login") + "?startURL=" + reverse("org:device_verification")
    phone.post(login, {"username": "ada@handshake.example", "password": DEMO_PASSWORD})
    page = phone.get(reverse("org:device_verification"), {"user_code": user_code})
    assert "Connect this device?" in page.content.decode(), page.content[:500]
    answer = phone.post(
        reverse("org:device_verification"), {"user_code": user_code, "decision": decision}
    )
    return answer.status_code


def as_if_the_interval_passed(run):
    """Move this run's last poll and the org's next allowed poll into the past (no sleeping)."""
    run.refresh_from_db()
    run.values["device_last_poll"] = str(time.time() - 60)
    run.save(update_fields=["values"])
    DeviceAuthorization.objects.update(next_poll_at=timezone.now() - timedelta(seconds=1))


def started(client, slug="device"):
    run = start_run(client, slug)
    run_step(client, run, "device-authorization")
    codes = result(run, "device-authorization")
    assert codes.outcome == "ok", codes.headline
    return run


def sent(exchange):
    return dict(parse_qsl(exchange.request_body))


def test_salesforce_shaped_device_flow_polls_until_approved(client, org):
    run = started(client)

    start = result(run, "device-authorization").exchanges[0]
    assert start.url.endswith("/services/oauth2/token")
    assert sent(start)["response_type"] == "device_code"
    assert "client_secret" not in sent(start)
    body = start.json_body()
    assert body["interval"] == 5
    assert body["verification_uri"].endswith("/setup/connect")

    run_step(client, run, "device-poll")
    pending = result(run, "device-poll")
    assert pending.outcome == "pending"
    assert pending.exchanges[0].json_body()["error"] == "authorization_pending"
    assert sent(pending.exchanges[0]) == {
        "grant_type": "device",
        "code": run.values["device_code"],
        "client_id": run.client_id,
    }

    assert decide_on_the_verification_page(run.values["user_code"]) == 200
    as_if_the_interval_passed(run)
    run_step(client, run, "device-poll")

    polled = result(run, "device-poll")
    assert polled.outcome == "ok", polled.headline
    answers = [e.json_body().get("error", "tokens") for e in polled.exchanges[:2]]
    assert answers == ["authorization_pending", "tokens"]
    tokens = polled.exchanges[1].json_body()
    assert {"access_token", "refresh_token", "id_token"} <= set(tokens)
    run_step(client, run, "call-api")
    assert result(run, "call-api").outcome == "ok"


def test_rfc_8628_shaped_device_flow_uses_the_device_endpoint_and_grant(client, org):
    run = started(client, "device-rfc8628")

    start = result(run, "device-authorization").exchanges[0]
    assert start.url.endswith("/services/oauth2/device/authorize")
    assert decide_on_the_verification_page(run.values["user_code"]) == 200
    run_step(client, run, "device-poll")

    polled = result(run, "device-poll")
    assert polled.outcome == "ok", polled.headline
    assert sent(polled.exchanges[0])["grant_type"] == (
        "urn:ietf:params:oauth:grant-type:device_code"
    )
    assert sent(polled.exchanges[0])["device_code"] == run.values["device_code"]


def test_polling_early_gets_slow_down_and_the_interval_grows(client, org):
    run = started(client)
    run_step(client, run, "device-poll")

    run_step(client, run, "device-poll")

    polled = result(run, "device-poll")
    assert polled.outcome == "pending"
    assert polled.exchanges[-1].json_body()["error"] == "slow_down"
    assert polled.poll_after == 10
    assert run.values["interval"] == "10"
    assert DeviceAuthorization.objects.get().interval == 10


def test_a_denied_device_stops_polling_with_access_denied(client, org):
    run = started(client)

    assert decide_on_the_verification_page(run.values["user_code"], "deny") == 200
    run_step(client, run, "device-poll")

    polled = result(run, "device-poll")
    assert polled.outcome == "error"
    assert polled.exchanges[-1].json_body()["error"] == "access_denied"
    assert "stops polling" in polled.headline


def test_an_expired_device_code_stops_polling_with_expired_token(client, org):
    run = started(client)
    # The org's codes live ten minutes and that is not configurable: age this one instead.
    DeviceAuthorization.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    run_step(client, run, "device-poll")

    polled = result(run, "device-poll")
    assert polled.outcome == "error"
    assert polled.exchanges[-1].json_body()["error"] == "expired_token"


def test_break_it_poll_too_fast_gets_slow_down_and_the_device_catches_up(client, org):
    run = started(client)
    url = reverse("playground:run_step", args=[run.id, "device-poll"])

    client.post(url, {"fault": "poll-too-fast"})

    attempt = tried(run, "device-poll")[0]
    assert attempt.refused, attempt.result.headline
    assert attempt.result.exchanges[-1].json_body()["error"] == "slow_down"
    # The device never saw that slow_down: its first poll, on time by its own count, is told
    # to slow down too, and it adds enough to match the org's interval again.
    run_step(client, run, "device-poll")
    polled = result(run, "device-poll")
    assert polled.exchanges[-1].json_body()["error"] == "slow_down"
    assert run.values["interval"] == str(DeviceAuthorization.objects.get().interval) == "15"


def test_break_it_redeeming_the_device_code_twice_is_invalid_grant(client, org):
    run = started(client)
    assert decide_on_the_verification_page(run.values["user_code"]) == 200
    run_step(client, run, "device-poll")
    assert result(run, "device-poll").outcome == "ok"

    client.post(
        reverse("playground:run_step", args=[run.id, "device-poll"]),
        {"fault": "redeem-device-code-twice"},
    )

    attempt = tried(run, "device-poll")[0]
    assert attempt.refused, attempt.result.headline
    assert attempt.result.exchanges[0].status == 400
    assert attempt.result.exchanges[0].json_body()["error"] == "invalid_grant"


def test_break_it_asking_for_a_scope_the_app_lacks_is_invalid_scope(client, org):
    run = start_run(client, "device")

    client.post(
        reverse("playground:run_step", args=[run.id, "device-authorization"]),
        {"fault": "scope-not-granted"},
    )

    attempt = tried(run, "device-authorization")[0]
    exchange = attempt.result.exchanges[0]
    assert attempt.refused, attempt.result.headline
    assert sent(exchange)["scope"] == "api refresh_token openid full"
    assert exchange.status == 400
    assert exchange.json_body()["error"] == "invalid_scope"
    assert "user_code" not in exchange.json_body()
    run_step(client, run, "device-authorization")
    assert result(run, "device-authorization").outcome == "ok"


def test_the_poll_card_shows_the_code_link_and_qr_code_and_polls_itself(client, org):
    run = started(client)

    page = client.get(reverse("playground:run_detail", args=[run.id])).content.decode()

    link = run.values["verification_uri"]
    assert run.values["user_code"] in page
    assert f'href="{link}?user_code={run.values["user_code"]}"' in page
    assert 'target="_blank" rel="noopener' in page
    assert "<svg" in page
    assert 'class="qr"' in page
    assert "load delay:5s" in page
    assert 'style="' not in page.split('id="step-device-poll"')[1].split("</section>")[0]


def test_each_poll_is_listed_with_the_answer_it_got(client, org):
    run = started(client)
    run_step(client, run, "device-poll")
    run_step(client, run, "device-poll")

    card = client.post(
        reverse("playground:run_step", args=[run.id, "device-poll"]),
        headers={"HX-Request": "true"},
    ).content.decode()

    assert card.count('class="poll-log__item') == 3
    assert "authorization_pending" in card
    assert "slow_down" in card
    assert "load delay:" in card


def test_without_javascript_each_poll_button_press_is_one_poll(client, org):
    run = started(client)

    response = client.post(reverse("playground:run_step", args=[run.id, "device-poll"]))

    assert response.status_code == 303
    assert len(result(run, "device-poll").exchanges) == 1
    page = client.get(_local(response["Location"])).content.decode()
    assert "Poll now" in page


def test_the_landing_page_offers_both_device_flows(client, org):
    page = client.get(reverse("playground:flow_list")).content.decode()

    for slug in ("device", "device-rfc8628"):
        detail = reverse("playground:flow_detail", args=[slug])
        assert f'href="{detail}"' in page
        assert client.get(detail).status_code == 200
