from __future__ import annotations

import json

import pytest
from django.db import OperationalError
from django.test import RequestFactory

from config import views


def _render_as_if_database_were_down(*args, **kwargs):
    raise OperationalError("connection refused")


@pytest.mark.django_db
def test_h5_page_answers_a_friendly_503_when_the_database_is_down(client, monkeypatch):
    monkeypatch.setattr(views, "render", _render_as_if_database_were_down)
    client.raise_request_exception = False

    response = client.get("/")

    assert response.status_code == 503
    assert "Taking a short break" in response.content.decode()
    assert response.headers["Retry-After"] == "5"
    assert "connection refused" not in response.content.decode()


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (OperationalError("server closed the connection"), 503, "temporarily_unavailable"),
        (ValueError("a bug"), 500, "server_error"),
    ],
)
def test_g5_h5_machine_endpoints_fail_as_oauth_error_json(error, status, code):
    request = RequestFactory().post("/services/oauth2/token")

    try:
        raise error
    except Exception:
        response = views.server_error(request)

    assert response.status_code == status
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["Cache-Control"] == "no-store"
    body = json.loads(response.content)
    assert body["error"] == code
    assert str(error) not in response.content.decode()
