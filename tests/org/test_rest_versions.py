from __future__ import annotations

import pytest

from config.org_paths import API_VERSION
from org.rest.describe import VERSIONS
from tests.org.rest_client import Rest, rest_for


@pytest.fixture
def rest(oauth):
    return rest_for(oauth)


def test_versions_run_from_summer_14_to_the_current_one_with_labels(client, org):
    body = client.get("/services/data/").json()

    assert body[0] == {"label": "Summer '14", "url": "/services/data/v31.0", "version": "31.0"}
    assert {"label": "Spring '24", "url": "/services/data/v60.0", "version": "60.0"} in body
    assert body[-1]["version"] == API_VERSION
    assert [v["version"] for v in body] == [f"{n}.0" for n in range(31, 63)]


@pytest.mark.parametrize("version", VERSIONS)
def test_every_listed_version_serves_every_resource(rest, version):
    versioned = Rest(rest.client, rest.token, version)
    record_id = versioned.create("Account", Name=f"Made with v{version}")

    for path in (
        "/",
        "/sobjects/",
        "/sobjects/Account/",
        "/sobjects/Account/describe",
        f"/sobjects/Account/{record_id}",
        "/limits",
    ):
        response = versioned.get(path)
        assert response.status_code == 200, (path, response.content[:200])
    assert versioned.query("SELECT Id FROM Account").status_code == 200
    assert versioned.patch(f"/sobjects/Account/{record_id}", {"Name": "x"}).status_code == 204


@pytest.mark.parametrize("version", ["30.0", "63.0", "10.0"])
def test_a_version_outside_the_list_is_a_json_404(rest, version):
    response = Rest(rest.client, rest.token, version).get("/sobjects/")

    assert response.status_code == 404
    assert response.json()[0]["errorCode"] == "NOT_FOUND"


@pytest.mark.parametrize(
    "path",
    [
        "/services/data/v62.0/nothing-here",
        "/services/data/v62.0/sobjects/Account/describe/extra/path",
        "/services/data/latest-ish",
        "/services/data/v62.0/composite",
    ],
)
def test_every_unknown_path_under_services_data_is_a_json_404(rest, path):
    response = rest.get(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()[0]["errorCode"] == "NOT_FOUND"


def test_describe_global_lists_the_five_objects_with_their_urls(rest):
    body = rest.get("/sobjects/").json()

    objects = {s["name"]: s for s in body["sobjects"]}
    # Event types follow them (tests/org/test_change_events_describe.py).
    records = {name for name, s in objects.items() if s["queryable"]}
    assert records == {"Account", "Contact", "Asset", "Opportunity", "Case"}
    assert objects["Case"]["keyPrefix"] == "500"
    assert objects["Opportunity"]["urls"]["describe"] == (
        f"/services/data/v{API_VERSION}/sobjects/Opportunity/describe"
    )
    assert body["maxBatchSize"] == 200


def test_describe_reports_field_attributes_clients_rely_on(rest):
    body = rest.get("/sobjects/Opportunity/describe").json()

    fields = {f["name"]: f for f in body["fields"]}
    assert fields["Id"]["type"] == "id"
    assert fields["Id"]["createable"] is False
    stage = fields["StageName"]
    assert stage["type"] == "picklist"
    assert stage["nillable"] is False
    assert {"value": "Closed Won", "label": "Closed Won"}.items() <= stage["picklistValues"][
        8
    ].items()
    account = fields["AccountId"]
    assert account["referenceTo"] == ["Account"]
    assert account["relationshipName"] == "Account"
    assert fields["Name"]["length"] == 120
    assert fields["CreatedDate"]["defaultedOnCreate"] is True
    assert fields["CreatedDate"]["updateable"] is False


def test_an_accounts_describe_names_its_child_relationships(rest):
    body = rest.get("/sobjects/Account/describe").json()

    children = {(c["childSObject"], c["field"]) for c in body["childRelationships"]}
    assert {
        ("Contact", "AccountId"),
        ("Opportunity", "AccountId"),
        ("Case", "AccountId"),
    } <= children
