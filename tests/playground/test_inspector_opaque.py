"""A run's opaque access token pasted into the inspector is explained, not called malformed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from playground.inspector import inspect_jwt
from tests.playground.conftest import run_step, start_run

pytestmark = pytest.mark.django_db


def test_a_runs_access_token_is_explained_as_opaque_in_the_inspector(client, org):
    run = start_run(client, "client-credentials")
    run_step(client, run, "token")
    run.refresh_from_db()

    response = client.post(
        reverse("playground:inspect_token"),
        {"token": run.values["access_token"], "key_source": "org"},
    )

    page = response.content.decode()
    assert "Opaque: not a JWT" in page
    assert "only if its connected app turns on JWT access tokens" in page
    assert "Malformed" not in page


def test_a_token_with_two_parts_is_still_malformed():
    assert inspect_jwt("abc.def").verdict == "malformed"
    assert inspect_jwt("00Dxx!AQabc").verdict == "opaque"
