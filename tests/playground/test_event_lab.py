from __future__ import annotations

import html
import json
import re

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from playground.labs.events import bayeux
from playground.labs.events.report import done
from playground.models import EventLabRun

pytestmark = pytest.mark.django_db


def page_text(response):
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


def card_text(response, slug):
    content = response.content.decode()
    found = re.search(rf'<article[^>]*id="action-{slug}".*?</article>', content, re.S)
    assert found, slug
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(0))))


@pytest.fixture
def lab(org, client: Client):
    response = client.post(reverse("playground:start_event_lab"))
    assert response.status_code == 303
    run = EventLabRun.objects.get()
    act(client, run, "token")
    run.refresh_from_db()
    return run


def act(client, run, slug, **fields):
    data = {f"in-{name}": value for name, value in fields.items() if name != "fault"}
    if "fault" in fields:
        data["fault"] = fields["fault"]
    response = client.post(reverse("playground:event_lab_action", args=[run.pk, slug]), data)
    assert response.status_code in {303, 200, 400}, response.content[:500]
    return response


def latest(run, slug, *, fault=""):
    run.refresh_from_db()
    return next(
        item.result for item in reversed(done(run)) if item.step == slug and item.fault == fault
    )


def test_the_landing_page_explains_the_lab_and_links_from_the_playground(client, org):
    listing = client.get(reverse("playground:flow_list"))
    assert reverse("playground:event_lab") in listing.content.decode()
    response = client.get(reverse("playground:event_lab") + "?focus=cdc")
    text = page_text(response)
    assert response.status_code == 200
    assert "You came for Change Data Capture" in text
    assert "Out of Salesforce only" in text  # the seeds' table, direction row


def test_an_unknown_focus_is_ignored(client, org):
    response = client.get(reverse("playground:event_lab") + "?focus=<script>")
    assert response.status_code == 200
    assert "You came for" not in page_text(response)


def test_starting_the_lab_makes_a_practice_app_and_the_token_step_gets_a_token(client, lab):
    run_page = client.get(reverse("playground:event_lab_run", args=[lab.pk]))
    assert run_page.status_code == 200
    result = latest(lab, "token")
    assert result.outcome == "ok"
    assert lab.values["access_token"]
    assert "The org answered 200" in card_text(run_page, "token")


def test_publishing_a_typed_payload_posts_it_to_the_event_and_shows_the_event_uuid(client, lab):
    act(client, lab, "publish", Order_Number__c="ORD-4242", Amount__c="12.5", Customer__c="Ada")
    result = latest(lab, "publish")
    assert result.outcome == "ok", result.headline
    sent = result.exchanges[0]
    assert sent.method == "POST"
    assert sent.url.endswith("/sobjects/Order_Placed__e/")
    assert json.loads(sent.request_body) == {
        "Order_Number__c": "ORD-4242",
        "Amount__c": 12.5,
        "Customer__c": "Ada",
    }
    body = json.loads(sent.response_body)
    assert sent.status == 201
    assert body["errors"][0]["statusCode"] == "OPERATION_ENQUEUED"
    assert body["errors"][0]["message"] in result.headline


def test_an_amount_that_is_not_a_number_is_a_form_error_and_nothing_is_sent(client, lab):
    response = act(client, lab, "publish", Order_Number__c="ORD-1", Amount__c="lots")
    assert response.status_code == 400
    assert "Amount__c is a number" in card_text(response, "publish")
    lab.refresh_from_db()
    assert not [item for item in done(lab) if item.step == "publish"]


def test_break_it_a_field_the_event_does_not_have_shows_the_orgs_invalid_field(client, lab):
    act(client, lab, "publish", Order_Number__c="ORD-1", fault="unknown-field")
    result = latest(lab, "publish", fault="unknown-field")
    assert result.outcome == "ok"
    assert result.exchanges[0].status == 400
    assert "INVALID_FIELD" in result.exchanges[0].response_body
    assert "Discount__c" in result.exchanges[0].request_body


def test_break_it_an_expired_token_is_refused_with_invalid_session_id(client, lab):
    act(client, lab, "publish", Order_Number__c="ORD-1", fault="expired-token")
    result = latest(lab, "publish", fault="expired-token")
    assert result.outcome == "ok"
    assert result.exchanges[-1].status == 401
    assert "INVALID_SESSION_ID" in result.exchanges[-1].response_body
    # The lab's own token still works.
    act(client, lab, "publish", Order_Number__c="ORD-2")
    assert latest(lab, "publish").outcome == "ok"


def test_a_change_event_published_from_outside_is_refused(client, lab):
    act(client, lab, "publish-change-event")
    result = latest(lab, "publish-change-event")
    assert result.outcome == "ok", result.headline
    assert result.exchanges[0].status == 404
    assert result.exchanges[0].url.endswith("/sobjects/AccountChangeEvent/")


def test_editing_a_record_sends_only_the_fields_typed(client, lab):
    act(client, lab, "create-record")
    assert latest(lab, "create-record").outcome == "ok"
    act(client, lab, "edit-record", Name="", Industry="Banking", Phone="", Description="")
    result = latest(lab, "edit-record")
    assert result.outcome == "ok", result.headline
    assert result.exchanges[0].method == "PATCH"
    assert json.loads(result.exchanges[0].request_body) == {"Industry": "Banking"}


def test_editing_with_every_box_empty_is_a_form_error(client, lab):
    act(client, lab, "create-record")
    response = act(client, lab, "edit-record", Name="", Industry="", Phone="", Description="")
    assert response.status_code == 400
    assert "at least one box" in card_text(response, "edit-record")


def test_another_visitor_cannot_see_or_drive_your_lab_run(lab):
    stranger = Client()
    assert stranger.get(reverse("playground:event_lab_run", args=[lab.pk])).status_code == 404
    url = reverse("playground:event_lab_action", args=[lab.pk, "publish"])
    assert stranger.post(url, {"in-Order_Number__c": "X"}).status_code == 404
    export = reverse("playground:export_event_lab", args=[lab.pk]) + "?format=curl"
    assert stranger.get(export).status_code == 404


def test_an_unknown_action_or_fault_is_a_clear_400(client, lab):
    assert act(client, lab, "no-such-action").status_code == 400
    assert act(client, lab, "publish", fault="no-such-fault").status_code == 400


def test_the_curl_export_repeats_each_request_with_the_secrets_as_variables(client, lab):
    act(client, lab, "publish", Order_Number__c="ORD-7")
    url = reverse("playground:export_event_lab", args=[lab.pk]) + "?format=curl"
    script = client.get(url).content.decode()
    assert "/sobjects/Order_Placed__e/" in script
    assert lab.values["access_token"] not in script
    assert lab.client_secret not in script
    assert "ACCESS_TOKEN" in script


def test_a_subscriber_without_a_token_says_so_and_sends_nothing(client, org):
    client.post(reverse("playground:start_event_lab"))
    run = EventLabRun.objects.get()
    act(client, run, "subscribe-platform", replay="-1")
    result = latest(run, "subscribe-platform")
    assert result.outcome == "error"
    assert result.exchanges == ()


def test_a_replay_id_that_is_not_a_number_is_a_form_error(client, lab):
    response = act(client, lab, "subscribe-platform", replay="latest")
    assert response.status_code == 400
    assert "whole number" in card_text(response, "subscribe-platform")


def test_bayeux_messages_read_only_arrays_of_objects():
    from playground.exchange import HttpExchange

    def answer(body):
        return HttpExchange("POST", "http://x/cometd/62.0", (), "", 200, (), body, 0.0)

    assert bayeux.messages(answer("not json")) == []
    assert bayeux.messages(answer("[1, 2]")) == []
    refused = bayeux.reply_to(
        answer('[{"channel": "/meta/subscribe", "successful": false, "error": "400::nope"}]'),
        "/meta/subscribe",
    )
    assert not refused.successful
    assert refused.error == "400::nope"
    event = '[{"channel": "/event/X__e", "data": {"event": {"replayId": 4}}}]'
    assert [bayeux.replay_id_of(m) for m in bayeux.deliveries(answer(event))] == [4]


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
_MESSAGE = st.fixed_dictionaries(
    {"channel": st.sampled_from(["/event/Order_Placed__e", "/meta/connect", "/data/X"])},
    optional={"data": _JSON, "successful": _JSON, "error": _JSON, "advice": _JSON, "ext": _JSON},
)


@given(body=st.one_of(_JSON, st.lists(_MESSAGE, max_size=4)))
@hypothesis_settings(max_examples=150, deadline=None)
def test_any_answer_from_the_bus_is_read_without_an_exception(body):
    from playground.exchange import HttpExchange
    from playground.labs.events.report import _delivery

    exchange = HttpExchange("POST", "http://x/cometd/62.0", (), "", 200, (), json.dumps(body), 0.0)
    reply = bayeux.reply_to(exchange, "/meta/connect")
    assert isinstance(reply.successful, bool)
    assert isinstance(reply.error, str)
    for message in bayeux.deliveries(exchange):
        shown = _delivery(message, "on a check for events", False)
        assert shown.raw
