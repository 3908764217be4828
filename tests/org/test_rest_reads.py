from __future__ import annotations

from urllib.parse import quote

import pytest

from org.models import Record

API = "/services/data/v62.0"
SESSION_INVALID = [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]


@pytest.fixture
def token(oauth):
    app = oauth.app(grants=["client_credentials"], run_as="ada@handshake.example")
    return oauth.token(app, grant_type="client_credentials").json()["access_token"]


def _get(client, path, token):
    return client.get(path, headers={"Authorization": f"Bearer {token}"})


def _query(client, soql, token):
    return _get(client, f"{API}/query?q={quote(soql)}", token)


def test_versions_need_no_token_like_salesforce(client, org):
    response = client.get("/services/data/")

    assert response.status_code == 200
    assert {"label": "Winter '25", "url": "/services/data/v62.0", "version": "62.0"} in (
        response.json()
    )


@pytest.mark.parametrize(
    "path", [f"{API}/", f"{API}/sobjects/Account/", f"{API}/query?q=SELECT+Id+FROM+Account"]
)
def test_without_a_token_the_api_answers_salesforces_401(client, org, path):
    response = client.get(path)

    assert response.status_code == 401
    assert response.json() == SESSION_INVALID


def test_a_bad_token_gets_the_same_401(client, org):
    response = _get(client, f"{API}/sobjects/Account/", "00Dnot!AQreal")

    assert response.status_code == 401
    assert response.json() == SESSION_INVALID


def test_a_token_without_the_api_scope_is_not_valid_for_the_rest_api(oauth):
    app = oauth.app()
    tokens = oauth.tokens(app, scope="openid")

    response = _get(oauth.client, f"{API}/sobjects/Account/", tokens["access_token"])

    assert response.status_code == 401
    assert response.json()[0]["message"] == "This session is not valid for use with the REST API"


def test_resources_list_what_the_version_serves(client, token):
    response = _get(client, f"{API}/", token)

    assert response.json() == {
        "sobjects": f"{API}/sobjects",
        "query": f"{API}/query",
        "queryAll": f"{API}/queryAll",
        "limits": f"{API}/limits",
    }


def test_account_describe_and_recent_items(client, token):
    response = _get(client, f"{API}/sobjects/Account/", token)

    body = response.json()
    assert response.status_code == 200
    assert body["objectDescribe"]["name"] == "Account"
    assert body["objectDescribe"]["keyPrefix"] == "001"
    assert body["recentItems"][0]["attributes"]["type"] == "Account"


def test_a_record_by_18_or_15_character_id(client, token):
    account = Record.objects.get(sobject="Account", fields__Name="Northwind Health")

    long = _get(client, f"{API}/sobjects/Account/{account.record_id}", token)
    short = _get(client, f"{API}/sobjects/Account/{account.record_id[:15]}", token)

    assert long.status_code == 200
    assert long.json()["Name"] == "Northwind Health"
    assert long.json()["attributes"]["url"] == f"{API}/sobjects/Account/{account.record_id}"
    assert short.json() == long.json()


def test_unknown_record_or_object_is_not_found(client, token):
    missing = _get(client, f"{API}/sobjects/Account/001000000000000AAA", token)
    other = _get(client, f"{API}/sobjects/Invoice/", token)

    assert missing.status_code == 404
    assert missing.json()[0]["errorCode"] == "NOT_FOUND"
    assert other.status_code == 404


def test_query_selects_fields_with_where_and_limit(client, token):
    response = _query(
        client, "SELECT Id, Name, Email FROM Contact WHERE Name = 'Hedy Lamarr'", token
    )

    body = response.json()
    assert body["totalSize"] == 1
    assert body["done"] is True
    record = body["records"][0]
    assert record["Email"] == "hedy@northwind-health.example"
    assert set(record) == {"attributes", "Id", "Name", "Email"}


def test_query_limit(client, token):
    response = _query(client, "SELECT Name FROM Account LIMIT 2", token)

    assert response.json()["totalSize"] == 2
    assert Record.objects.filter(sobject="Account").count() > 2


def test_query_reads_every_seeded_contact(client, token):
    response = _query(client, "SELECT Id FROM Contact", token)

    assert response.json()["totalSize"] == Record.objects.filter(sobject="Contact").count()


def test_the_demo_assets_for_asset_tokens_can_be_queried(client, token):
    response = _query(client, "SELECT Id, Name, SerialNumber, AccountId FROM Asset", token)

    body = response.json()
    assert response.status_code == 200, body
    assert body["totalSize"] == Record.objects.filter(sobject="Asset").count() >= 3
    first = body["records"][0]
    assert first["Id"].startswith("02i")
    assert first["attributes"]["type"] == "Asset"
    assert first["AccountId"].startswith("001")


@pytest.mark.parametrize("soql", ["SELECT FROM Account", "SELECT Id FROM", ""])
def test_anything_outside_the_grammar_is_malformed_query(client, token, soql):
    response = _query(client, soql, token)

    assert response.status_code == 400
    assert response.json()[0]["errorCode"] == "MALFORMED_QUERY"
    assert response.json()[0]["message"]


@pytest.mark.parametrize(
    ("soql", "code"),
    [
        ("SELECT Id FROM Invoice", "INVALID_TYPE"),
        ("SELECT Nope FROM Account", "INVALID_FIELD"),
        ("SELECT Id FROM Account WHERE Nope = 'x'", "INVALID_FIELD"),
    ],
)
def test_unknown_objects_and_fields_in_a_query_are_named_as_salesforce_does(
    client, token, soql, code
):
    response = _query(client, soql, token)

    assert response.status_code == 400
    assert response.json()[0]["errorCode"] == code


def test_unknown_api_version_is_not_found(client, token):
    response = _get(client, "/services/data/v10.0/sobjects/Account/", token)

    assert response.status_code == 404
    assert response.json()[0]["errorCode"] == "NOT_FOUND"
