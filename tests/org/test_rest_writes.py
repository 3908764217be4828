from __future__ import annotations

import pytest

from org.models import OrgUser, Record
from org.rest.spaces import caller_of
from org.rest.writes import undelete_records
from org.tokens import find_access_token
from tests.org.rest_client import rest_for


@pytest.fixture
def rest(oauth):
    return rest_for(oauth)


def _error(response):
    body = response.json()
    assert isinstance(body, list), body
    return body[0]


def test_create_answers_201_with_the_new_id_and_the_record_reads_back(rest):
    response = rest.post(
        "/sobjects/Account/", {"Name": "Express Logistics", "NumberOfEmployees": 40}
    )

    assert response.status_code == 201
    body = response.json()
    assert body == {"id": body["id"], "success": True, "errors": []}
    assert body["id"].startswith("001")
    assert len(body["id"]) == 18
    read = rest.get(f"/sobjects/Account/{body['id']}").json()
    assert read["Name"] == "Express Logistics"
    assert read["NumberOfEmployees"] == 40
    assert read["IsDeleted"] is False


def test_writes_record_the_acting_user_and_times(rest):
    ada = OrgUser.objects.get(user__username="ada@handshake.example")
    record_id = rest.create(
        "Opportunity", Name="Deal", StageName="Prospecting", CloseDate="2027-01-31"
    )

    created = rest.get(f"/sobjects/Opportunity/{record_id}").json()
    assert (
        created["CreatedById"] == created["LastModifiedById"] == created["OwnerId"] == ada.record_id
    )
    assert created["CreatedDate"].endswith("+0000")
    assert rest.patch(f"/sobjects/Opportunity/{record_id}", {"Amount": 1200.5}).status_code == 204
    updated = rest.get(f"/sobjects/Opportunity/{record_id}").json()
    assert updated["Amount"] == 1200.5
    assert updated["SystemModstamp"] >= created["SystemModstamp"]
    assert updated["CreatedDate"] == created["CreatedDate"]


def test_get_with_fields_returns_only_those(rest):
    record_id = rest.create("Contact", FirstName="Ada", LastName="Byron", Email="ada@byron.example")

    body = rest.get(f"/sobjects/Contact/{record_id}?fields=Name,Email").json()

    assert set(body) == {"attributes", "Name", "Email"}
    assert body["Name"] == "Ada Byron"


def test_a_15_character_id_and_an_upper_cased_18_character_id_name_the_same_record(rest):
    record_id = rest.create("Case", Subject="Printer on fire")

    short = rest.get(f"/sobjects/Case/{record_id[:15]}")
    shouted = rest.get(f"/sobjects/Case/{record_id.upper()}")

    assert short.status_code == shouted.status_code == 200
    assert short.json()["Id"] == shouted.json()["Id"] == record_id
    assert short.json()["Status"] == "New"  # the picklist's default
    assert short.json()["CaseNumber"].isdigit()


def test_delete_answers_204_then_the_record_is_deleted(rest):
    record_id = rest.create("Account", Name="Short-lived")

    assert rest.delete(f"/sobjects/Account/{record_id}").status_code == 204
    again = rest.delete(f"/sobjects/Account/{record_id}")
    read = rest.get(f"/sobjects/Account/{record_id}")

    assert again.status_code == read.status_code == 404
    assert _error(again)["errorCode"] == _error(read)["errorCode"] == "ENTITY_IS_DELETED"


def test_required_field_missing(rest):
    response = rest.post("/sobjects/Opportunity/", {"Name": "No stage"})

    assert response.status_code == 400
    error = _error(response)
    assert error["errorCode"] == "REQUIRED_FIELD_MISSING"
    assert set(error["fields"]) == {"StageName", "CloseDate"}


def test_clearing_a_required_field_is_refused(rest):
    record_id = rest.create("Account", Name="Keeps its name")

    response = rest.patch(f"/sobjects/Account/{record_id}", {"Name": None})

    assert response.status_code == 400
    assert _error(response)["errorCode"] == "REQUIRED_FIELD_MISSING"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"Name": "x", "Colour": "blue"}, "INVALID_FIELD"),
        ({"Name": "x", "Id": "001000000000000AAA"}, "INVALID_FIELD"),
        ({"Name": "x", "CreatedDate": "2020-01-01T00:00:00Z"}, "INVALID_FIELD_FOR_INSERT_UPDATE"),
        ({"Name": "x" * 256}, "STRING_TOO_LONG"),
        ({"Name": "x", "NumberOfEmployees": "many"}, "INVALID_TYPE_ON_FIELD_IN_RECORD"),
        ({"Name": "x", "NumberOfEmployees": 2.5}, "INVALID_TYPE_ON_FIELD_IN_RECORD"),
        ({"Name": "x", "ParentId": "not-an-id"}, "MALFORMED_ID"),
    ],
)
def test_j2_unknown_read_only_and_badly_typed_fields_are_refused_and_nothing_is_written(
    rest, body, code
):
    before = Record.objects.count()

    response = rest.post("/sobjects/Account/", body)

    assert response.status_code == 400
    assert _error(response)["errorCode"] == code
    assert Record.objects.count() == before


def test_invalid_email(rest):
    response = rest.post("/sobjects/Contact/", {"LastName": "x", "Email": "not an email"})

    assert _error(response)["errorCode"] == "INVALID_EMAIL_ADDRESS"


def test_j2_a_reference_to_a_record_of_another_type_is_a_field_integrity_exception(rest):
    contact = rest.create("Contact", LastName="Parent?")

    response = rest.post("/sobjects/Contact/", {"LastName": "Child", "AccountId": contact})

    assert response.status_code == 400
    error = _error(response)
    assert error["errorCode"] == "FIELD_INTEGRITY_EXCEPTION"
    assert error["fields"] == ["AccountId"]


def test_a_reference_to_a_record_that_does_not_exist_is_refused(rest):
    response = rest.post(
        "/sobjects/Contact/", {"LastName": "Orphan", "AccountId": "001000000000000AAA"}
    )

    assert _error(response)["errorCode"] == "INVALID_CROSS_REFERENCE_KEY"


def test_j2_an_id_of_another_object_in_the_url_is_malformed_id(rest):
    contact = rest.create("Contact", LastName="Not an account")

    for response in (
        rest.get(f"/sobjects/Account/{contact}"),
        rest.patch(f"/sobjects/Account/{contact}", {"Name": "x"}),
        rest.delete(f"/sobjects/Account/{contact}"),
    ):
        assert response.status_code == 400
        assert _error(response)["errorCode"] == "MALFORMED_ID"


def test_a_value_that_is_no_id_is_not_found(rest):
    response = rest.get("/sobjects/Account/hello")

    assert response.status_code == 404
    assert _error(response)["errorCode"] == "NOT_FOUND"


def test_an_unknown_id_of_the_right_type_is_not_found(rest):
    response = rest.patch("/sobjects/Account/001000000000000AAA", {"Name": "x"})

    assert response.status_code == 404
    assert _error(response)["errorCode"] == "NOT_FOUND"


def test_method_not_allowed(rest):
    record_id = rest.create("Account", Name="Put upon")

    response = rest.send("PUT", f"/sobjects/Account/{record_id}", {"Name": "x"})

    assert response.status_code == 405
    assert _error(response)["errorCode"] == "METHOD_NOT_ALLOWED"
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "PATCH", "DELETE"}


def test_head_answers_as_get_without_a_body(rest):
    record_id = rest.create("Account", Name="Headless")

    response = rest.send("HEAD", f"/sobjects/Account/{record_id}")

    assert response.status_code == 200
    assert response.content == b""
    assert response.headers["Sforce-Limit-Info"].startswith("api-usage=")


def test_post_with_http_method_override_updates(rest):
    record_id = rest.create("Account", Name="Old")

    response = rest.post(f"/sobjects/Account/{record_id}?_HttpMethod=PATCH", {"Name": "New"})

    assert response.status_code == 204
    assert rest.get(f"/sobjects/Account/{record_id}").json()["Name"] == "New"


@pytest.mark.parametrize(
    "raw", ['{"Name": "x"', "[1, 2]", "", '{"Name": NaN}', "\xff", "[" * 5000 + "]" * 5000]
)
def test_invalid_json_is_a_json_parser_error(rest, raw):
    data = raw.encode("latin-1") if raw == "\xff" else raw

    response = rest.post("/sobjects/Account/", raw=data)

    assert response.status_code == 400
    assert _error(response)["errorCode"] == "JSON_PARSER_ERROR"


def test_a_form_encoded_body_is_an_unsupported_media_type(rest):
    response = rest.post(
        "/sobjects/Account/", raw="Name=x", content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 415
    assert _error(response)["errorCode"] == "UNSUPPORTED_MEDIA_TYPE"


def test_j2_a_body_over_1_mb_is_413_in_salesforces_shape(rest):
    before = Record.objects.count()
    body = '{"Name": "' + "x" * (1024 * 1024) + '"}'

    response = rest.post("/sobjects/Account/", raw=body)

    assert response.status_code == 413
    assert _error(response)["errorCode"] == "REQUEST_ENTITY_TOO_LARGE"
    assert Record.objects.count() == before


def test_unknown_object_is_not_found(rest):
    response = rest.post("/sobjects/Invoice/", {"Name": "x"})

    assert response.status_code == 404
    assert _error(response)["errorCode"] == "NOT_FOUND"


def test_undelete_through_the_write_hook_brings_a_record_back(rest):
    record_id = rest.create("Account", Name="Lazarus")
    rest.delete(f"/sobjects/Account/{record_id}")

    token = find_access_token(rest.token)
    assert token is not None
    (result,) = undelete_records(caller_of(token), [record_id])

    assert result.success
    assert rest.get(f"/sobjects/Account/{record_id}").json()["IsDeleted"] is False
