from __future__ import annotations

import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from org import ids
from org.rest.schema import SOBJECTS
from tests.org.rest_client import rest_for

FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
FIELD_NAMES = sorted({f.name for s in SOBJECTS.values() for f in s.fields} | {"attributes", "Id"})
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=60),
    st.sampled_from(
        ["", "2026-02-30", "2026-01-01T00:00:00Z", "001000000000000AAA", "\x00", "a@b.c"]
    ),
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
records = st.dictionaries(
    st.one_of(st.sampled_from(FIELD_NAMES), st.text(max_size=20)), json_values, max_size=8
)
bodies = st.one_of(
    records,
    json_values,
    st.builds(
        lambda rs, a: {"records": rs, "allOrNone": a}, st.lists(records, max_size=4), json_values
    ),
)


@pytest.fixture
def rest(oauth):
    return rest_for(oauth)


def _assert_salesforce_shaped(response):
    assert response.status_code < 500, response.content[:300]
    if response.status_code != 204:
        body = response.json()
        if response.status_code >= 400:
            assert isinstance(body, list)
            assert body[0]["errorCode"]
            assert body[0]["message"]


@FUZZ
@given(body=bodies, sobject=st.sampled_from([*SOBJECTS, "Nope"]))
def test_no_create_body_gets_a_500(rest, body, sobject):
    _assert_salesforce_shaped(rest.post(f"/sobjects/{sobject}/", body))


@FUZZ
@given(body=bodies)
def test_no_update_body_gets_a_500(rest, body):
    record_id = rest.create("Contact", LastName="Fuzzed")

    _assert_salesforce_shaped(rest.patch(f"/sobjects/Contact/{record_id}", body))


@FUZZ
@given(body=bodies, method=st.sampled_from(["POST", "PATCH"]))
def test_no_collection_body_gets_a_500(rest, body, method):
    _assert_salesforce_shaped(rest.send(method, "/composite/sobjects", body))


@FUZZ
@given(raw=st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_no_raw_bytes_get_a_500(rest, raw):
    _assert_salesforce_shaped(rest.post("/sobjects/Account/", raw=raw))


@FUZZ
@given(path=st.text(alphabet=string.ascii_letters + string.digits + "/-_.%", max_size=60))
def test_no_path_under_services_data_gets_a_500_or_html(rest, path):
    response = rest.get("/services/data/v62.0/" + path)

    assert response.status_code < 500
    assert response["Content-Type"].startswith("application/json")


@given(st.text(alphabet=ids.BASE62, min_size=15, max_size=15))
def test_a_15_character_id_and_its_18_character_form_in_any_case_are_one_id(id15):
    id18 = ids.with_checksum(id15)

    assert ids.canonical_id(id15) == id18
    assert ids.canonical_id(id18) == id18
    assert ids.canonical_id(id18.lower()) == id18
    assert ids.canonical_id(id18.upper()) == id18


@given(st.text(max_size=20))
def test_canonical_id_refuses_what_is_no_id(value):
    canonical = ids.canonical_id(value)

    assert canonical is None or (
        len(canonical) == 18 and canonical[:15].lower() == value[:15].lower()
    )
