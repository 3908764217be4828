"""A wrong method gets a page a person can read, and the org's endpoints keep theirs."""

from __future__ import annotations

import pytest
from django.test import Client


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/playground/tls/runs/", "/setup/events/retention/"])
def test_a_get_to_a_post_only_page_answers_the_405_page(path):
    response = Client().get(path)
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert "This address takes a form, not a GET" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/services/oauth2/token", "/services/oauth2/revoke"])
def test_the_orgs_endpoints_keep_their_own_answer_to_a_wrong_method(path):
    response = Client().get(path)

    assert response.status_code in {400, 405}
    assert "text/html" not in response["Content-Type"]
