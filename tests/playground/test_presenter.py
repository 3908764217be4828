from __future__ import annotations

import lxml.html
import pytest
from django.urls import reverse

from tests.playground.conftest import result, start_run, through_callback

pytestmark = pytest.mark.django_db

PRESENTER = "?view=presenter"


def _page(client, run, query=""):
    response = client.get(reverse("playground:run_detail", args=[run.id]) + query)
    assert response.status_code == 200
    return lxml.html.fromstring(response.content)


def _post(client, run, step, query=PRESENTER, **data):
    return client.post(reverse("playground:run_step", args=[run.id, step]) + query, data)


def test_the_run_page_links_to_its_presenter_view_and_back(client, org):
    run = start_run(client, "client-credentials")
    here = reverse("playground:run_detail", args=[run.id])

    full = _page(client, run)
    presenter = _page(client, run, PRESENTER)

    assert full.xpath("//a[contains(@class, 'view-switch')]/@href") == [here + PRESENTER]
    assert presenter.xpath("//a[contains(@class, 'view-switch')]/@href") == [here]
    assert presenter.xpath("string(//a[contains(@class, 'view-switch')])") == "Full view"
    assert presenter.xpath("//div[contains(@class, 'run-page--presenter')]")
    assert not full.xpath("//div[contains(@class, 'run-page--presenter')]")


def test_every_form_of_the_presenter_view_keeps_it(client, org):
    run = start_run(client, "client-credentials")
    _post(client, run, "token")

    page = _page(client, run, PRESENTER)

    posted = page.xpath("//form[@method='post']")
    to_the_run = [
        form for form in posted if "/runs/" in form.get("action") or "/flows/" in form.get("action")
    ]
    assert to_the_run
    assert all(form.get("action").endswith(PRESENTER) for form in to_the_run)
    assert all(
        form.get("hx-post").endswith(PRESENTER) for form in to_the_run if form.get("hx-post")
    )


def test_a_step_sent_in_presenter_view_lands_on_the_step_now_due(client, org):
    run = start_run(client, "client-credentials")

    response = _post(client, run, "token")

    assert response.status_code == 303
    assert response["Location"].endswith(PRESENTER + "#step-call-api-title")


def test_a_step_sent_in_full_view_still_lands_on_its_own_result(client, org):
    run = start_run(client, "client-credentials")

    response = _post(client, run, "token", query="")

    assert response["Location"].endswith(f"/runs/{run.id}/#step-token-title")


def test_the_last_step_in_presenter_view_lands_on_itself(client, org):
    run = start_run(client, "client-credentials")
    for step in ("token", "call-api", "introspect", "revoke-access-token"):
        _post(client, run, step)

    response = _post(client, run, "call-api-again")

    assert response["Location"].endswith(PRESENTER + "#step-call-api-again-title")


def test_finished_steps_fold_to_one_closed_line_with_their_headline(client, org):
    run = start_run(client, "client-credentials")
    _post(client, run, "token")

    page = _page(client, run, PRESENTER)

    card = page.get_element_by_id("step-token")
    fold = card.xpath("./details[contains(@class, 'step__fold')]")[0]
    assert fold.get("open") is None
    line = fold.xpath("string(summary)")
    assert "Step 1:" in line
    assert result(run, "token").headline in line
    assert card.xpath(".//figure[contains(@class, 'exchange')]")  # inside the fold, one click away
    due = page.get_element_by_id("step-call-api")
    assert not due.xpath(".//details[contains(@class, 'step__fold')]")
    assert due.xpath(".//form[contains(@class, 'step__action')]")


def test_the_full_view_folds_nothing(client, org):
    run = start_run(client, "client-credentials")
    _post(client, run, "token", query="")

    page = _page(client, run)

    assert not page.xpath("//details[contains(@class, 'step__fold')]")


def test_break_it_in_presenter_view_stays_on_the_broken_step_unfolded(client, org):
    run = start_run(client, "client-credentials")
    _post(client, run, "token")

    response = _post(client, run, "token", fault="wrong-client-secret")

    location = response["Location"]
    assert location.endswith("?view=presenter&open=token#step-token-title")
    page = lxml.html.fromstring(client.get(location.partition("#")[0]).content)
    fold = page.get_element_by_id("step-token").xpath("./details")[0]
    assert fold.get("open") is not None
    assert "broken on purpose 1×" in fold.xpath("string(summary)")
    assert fold.xpath(".//article[contains(@class, 'breakage')]")


def test_the_htmx_answer_in_presenter_view_is_the_folded_card_and_the_due_one(client, org):
    run = start_run(client, "client-credentials")

    response = client.post(
        reverse("playground:run_step", args=[run.id, "token"]) + PRESENTER,
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="step__fold"' in html
    assert 'id="step-call-api"' in html
    assert "/steps/call-api/" + PRESENTER in html


def test_the_sign_in_round_trip_comes_back_to_the_presenter_view(client, org):
    run = start_run(client, "web-server-pkce")
    _post(client, run, "discover")
    _post(client, run, "authorize")

    response, _ = through_callback(client, run)

    # On the callback's own line, folded, with the token step due just below it.
    assert response.status_code == 303
    assert response["Location"].endswith(PRESENTER + "#step-callback-title")


def test_a_step_the_run_stopped_at_stays_open_in_presenter_view(client, org):
    run = start_run(client, "web-server-pkce")
    _post(client, run, "discover")
    _post(client, run, "authorize")
    through_callback(client, run, decision="deny")

    page = _page(client, run, PRESENTER)

    card = page.get_element_by_id("step-callback")
    assert not card.xpath("./details[contains(@class, 'step__fold')]")
    assert card.xpath(".//p[contains(@class, 'step__headline--error')]")
    assert card.xpath(".//form[contains(@action, '/again/')]/@action")[0].endswith(PRESENTER)


def test_a_view_or_step_the_page_does_not_know_shows_the_full_view(client, org):
    run = start_run(client, "client-credentials")
    _post(client, run, "token")

    odd = _page(client, run, "?view=%00projector&open=" + "x" * 5000)
    unknown_step = _page(client, run, PRESENTER + "&open=no-such-step")

    assert not odd.xpath("//details[contains(@class, 'step__fold')]")
    assert unknown_step.xpath("//details[contains(@class, 'step__fold')]")[0].get("open") is None
