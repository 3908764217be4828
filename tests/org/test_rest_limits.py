from __future__ import annotations

import pytest

from org.models import Org
from org.rest.limits import exhaust_daily_requests
from tests.org.rest_client import rest_for


@pytest.fixture
def rest(oauth):
    return rest_for(oauth)


def _usage(response):
    used, limit = response.headers["Sforce-Limit-Info"].removeprefix("api-usage=").split("/")
    return int(used), int(limit)


def test_every_api_answer_carries_the_usage_header_and_each_call_counts(rest):
    first = rest.get("/sobjects/")
    second = rest.get("/sobjects/Account/001000000000000AAA")  # an error counts too

    assert _usage(second) == (_usage(first)[0] + 1, 15000)
    assert second.status_code == 404


def test_limits_reports_daily_api_requests_counted_in_the_database(rest):
    rest.get("/sobjects/")
    response = rest.get("/limits")

    body = response.json()
    used, limit = _usage(response)
    assert body["DailyApiRequests"] == {"Max": limit, "Remaining": limit - used}
    assert used == 2
    assert body["DataStorageMB"] == {"Max": 5, "Remaining": 5}


def test_data_storage_counts_2_kb_per_record_of_the_space(rest):
    records = [{"attributes": {"type": "Case"}, "Subject": f"S{i}"} for i in range(200)]
    for _ in range(3):
        assert rest.post("/composite/sobjects", {"records": records}).status_code == 200

    body = rest.get("/limits").json()

    assert body["DataStorageMB"] == {"Max": 5, "Remaining": 4}  # 600 records × 2 KB ≈ 1.2 MB


def test_over_the_limit_answers_request_limit_exceeded(rest, org):
    Org.objects.filter(pk=org.pk).update(daily_api_requests=3)

    answers = [rest.get("/sobjects/") for _ in range(4)]

    assert [a.status_code for a in answers] == [200, 200, 200, 403]
    assert answers[-1].json() == [
        {"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}
    ]


def test_exhausting_one_space_leaves_the_others_their_requests(oauth, org):
    trainee, neighbour = rest_for(oauth, owner="trainee"), rest_for(oauth, owner="neighbour")

    exhaust_daily_requests(org, "trainee")

    assert trainee.get("/limits").status_code == 403
    assert neighbour.get("/limits").status_code == 200
