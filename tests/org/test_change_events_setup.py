"""Setup's Change Data Capture switches: which objects a visitor's practice data captures, shown
on /setup/events/, changed for that visitor's space only, and obeyed by the REST API."""

from __future__ import annotations

from datetime import timedelta

from org.events import changes
from org.events.log import read_after, retention_of
from org.events.models import Event
from org.visitors import visitor_id
from tests.org.rest_client import rest_for

PAGE = "/setup/events/"
SWITCH = "/setup/events/change-data-capture/"
RETENTION = "/setup/events/retention/"


def _space(client):
    return visitor_id(client.session)


def test_the_page_shows_account_and_contact_captured_by_default(org, client):
    page = client.get(PAGE)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Change Data Capture" in text
    for channel in ("/data/ChangeEvents", "/data/AccountChangeEvent", "/data/CaseChangeEvent"):
        assert channel in text
    assert 'value="Account" id="id_objects_0" checked' in text
    assert 'value="Contact" id="id_objects_1" checked' in text
    assert 'value="Asset" id="id_objects_2">' in text


def test_a_visitors_switch_changes_only_their_own_space(org, client, oauth):
    client.get(PAGE)
    space = _space(client)
    answer = client.post(SWITCH, {"objects": ["Opportunity", "Account"]}, follow=True)
    assert answer.status_code == 200
    text = answer.content.decode()
    assert "Change Data Capture now captures Account, Opportunity in your data." in text
    assert changes.selected(org, space) == {"Account", "Opportunity"}
    assert changes.selected(org, "") == {"Account", "Contact"}

    rest = rest_for(oauth, owner=space)
    rest.create("Contact", LastName="Not captured any more")
    rest.create("Opportunity", Name="Captured now", StageName="Prospecting", CloseDate="2027-01-31")
    channels = set(Event.objects.filter(space=space).values_list("channel", flat=True))
    assert channels == {"/data/OpportunityChangeEvent", "/data/ChangeEvents"}


def test_switching_everything_off_stops_every_change_event(org, client, oauth):
    client.get(PAGE)
    answer = client.post(SWITCH, {})
    assert answer.status_code == 302
    rest = rest_for(oauth, owner=_space(client))
    record_id = rest.create("Account", Name="Quiet")
    rest.patch(f"/sobjects/Account/{record_id}", {"Name": "Still quiet"})
    rest.delete(f"/sobjects/Account/{record_id}")
    assert Event.objects.count() == 0


def test_an_unknown_object_is_refused_with_a_message(org, client):
    client.get(PAGE)
    answer = client.post(SWITCH, {"objects": ["Lead"]}, follow=True)
    assert "Choose objects from the list." in answer.content.decode()
    assert changes.selected(org, _space(client)) == {"Account", "Contact"}


def test_a_change_channels_retention_can_be_shortened_too(org, client):
    client.get(PAGE)
    answer = client.post(RETENTION, {"channel": "/data/AccountChangeEvent", "minutes": "3"})
    assert answer.status_code == 302
    space = _space(client)
    assert retention_of(org, space, "/data/AccountChangeEvent") == timedelta(minutes=3)
    assert retention_of(org, space, "/data/ChangeEvents") == timedelta(hours=72)
    assert read_after(org, space, "/data/AccountChangeEvent", -2).events == []
