"""Catalogue row G6: a person reviews the apps with access to their account and revokes
one; every token of that app for that person stops working at once, over HTTP."""

from __future__ import annotations

import pytest
from django.test import Client

from org.connected_apps import DEVICE_CODE
from org.models import UserApproval
from tests.org.conftest import ADA, DEVICE_AUTHORIZE, GRACE, PASSWORD, TOKEN, Org, query_of

APPROVALS = "/setup/approvals/"
QUERY = "/services/data/v62.0/query?q=SELECT+Id+FROM+Account+LIMIT+1"


def visitor_of(oauth: Org) -> str:
    """The visitor id of the test client's browser session: the owner of apps it makes."""
    oauth.client.get("/setup/")
    return str(oauth.client.session["handshake_visitor"])


def revoke_url(app) -> str:
    return f"{APPROVALS}{app.client_id}/revoke/"


def api_status(oauth: Org, access_token: str) -> int:
    return oauth.client.get(QUERY, headers={"Authorization": f"Bearer {access_token}"}).status_code


def refresh(oauth: Org, app, refresh_token: str):
    return oauth.token(app, grant_type="refresh_token", refresh_token=refresh_token)


@pytest.fixture
def app(oauth):
    return oauth.app(name="Expense Tracker", owner=visitor_of(oauth))


def test_g6_the_page_lists_the_approved_app_with_its_scopes_and_when(oauth, app):
    oauth.tokens(app, scope="api refresh_token")

    page = oauth.client.get(APPROVALS)

    html = page.content.decode()
    assert page.status_code == 200
    assert "Expense Tracker" in html
    assert app.client_id in html
    assert '<code class="org-scopes__name">api</code>' in html
    assert '<code class="org-scopes__name">refresh_token</code>' in html
    assert '<code class="org-scopes__name">openid</code>' not in html
    assert "1 live set" in html
    assert f'href="{revoke_url(app)}"' in html
    assert page.headers["Cache-Control"] == "no-store"


def test_g6_revoking_an_app_makes_every_token_it_holds_for_the_user_inactive(oauth, app):
    first = oauth.tokens(app, scope="api refresh_token")
    rotated = refresh(oauth, app, first["refresh_token"]).json()
    second = oauth.tokens(app, scope="api refresh_token")
    access = [first["access_token"], rotated["access_token"], second["access_token"]]
    refreshers = [rotated["refresh_token"], second["refresh_token"]]
    assert all(oauth.introspect(app, token)["active"] for token in access + refreshers)

    confirm = oauth.client.get(revoke_url(app))
    revoked = oauth.client.post(revoke_url(app))
    listed = oauth.client.get(revoked.headers["Location"])

    assert confirm.status_code == 200
    assert "Revoke Expense Tracker?" in confirm.content.decode()
    assert f'action="{revoke_url(app)}"' in confirm.content.decode()
    assert revoked.status_code == 303
    assert revoked.headers["Location"] == APPROVALS
    assert "Expense Tracker no longer has access" in listed.content.decode()
    assert app.client_id not in listed.content.decode()
    assert [oauth.introspect(app, token) for token in access + refreshers] == [
        {"active": False}
    ] * 5
    assert [api_status(oauth, token) for token in access] == [401, 401, 401]
    for token in refreshers:
        answer = refresh(oauth, app, token)
        assert answer.status_code == 400
        assert answer.json()["error"] == "invalid_grant"


def test_g6_the_confirmation_says_what_an_admin_pre_authorization_still_allows(oauth, app):
    pre_authorized = oauth.app(name="Nightly Sync", owner=visitor_of(oauth), pre_authorize=[ADA])
    oauth.tokens(pre_authorized, scope="api")
    oauth.tokens(app, scope="api")

    admin_approved = oauth.client.get(revoke_url(pre_authorized)).content.decode()
    self_approved = oauth.client.get(revoke_url(app)).content.decode()

    assert "An admin pre-authorized you" in admin_approved
    assert "JWT bearer and SAML bearer, can still get new tokens" in admin_approved
    assert "pre-authorized" not in self_approved


def test_g6_after_revoking_the_app_must_ask_again(oauth, app):
    oauth.tokens(app)
    oauth.client.post(revoke_url(app))

    again = oauth.authorize(app, scope="api")

    assert not UserApproval.objects.filter(app__client_id=app.client_id).exists()
    assert again.status_code == 200
    assert "Allow access?" in again.content.decode()


def test_g6_a_code_issued_before_the_revocation_cannot_be_redeemed_after_it(oauth, app):
    code = oauth.code(app)

    oauth.client.post(revoke_url(app))
    late = oauth.redeem(app, code)

    assert late.status_code == 400
    assert late.json()["error"] == "invalid_grant"


def test_g6_other_apps_and_other_people_keep_their_tokens(oauth, app):
    other_app = oauth.app(name="Other", owner=visitor_of(oauth))
    grace_tokens = oauth.tokens(app, username=GRACE)
    other_tokens = oauth.tokens(other_app)
    oauth.tokens(app, username=ADA)

    oauth.client.post(revoke_url(app))

    assert oauth.introspect(app, grace_tokens["access_token"])["active"] is True
    assert oauth.introspect(other_app, other_tokens["access_token"])["active"] is True
    assert refresh(oauth, other_app, other_tokens["refresh_token"]).status_code == 200


def test_g6_revoking_takes_a_post_with_a_csrf_token(oauth, app):
    tokens = oauth.tokens(app)
    browser = Client(enforce_csrf_checks=True)
    browser.cookies = oauth.client.cookies

    forged = browser.post(revoke_url(app))

    assert forged.status_code == 403
    assert oauth.introspect(app, tokens["access_token"])["active"] is True


def test_g6_signed_out_people_are_sent_to_sign_in_and_back(oauth, app):
    page = oauth.client.get(APPROVALS)
    revoke = oauth.client.post(revoke_url(app))

    assert page.status_code == 302
    assert query_of(page.headers["Location"]) == {"startURL": APPROVALS}
    assert revoke.status_code == 303
    assert query_of(revoke.headers["Location"]) == {"startURL": APPROVALS}
    signed_in = oauth.client.post(
        page.headers["Location"], {"username": ADA, "password": PASSWORD, "startURL": APPROVALS}
    )
    assert signed_in.headers["Location"] == APPROVALS


def test_g6_another_browsers_app_is_neither_listed_nor_revocable(oauth):
    theirs = oauth.app(name="Someone Else's App", owner="another-visitor")
    tokens = oauth.tokens(theirs)

    page = oauth.client.get(APPROVALS)
    confirm = oauth.client.get(revoke_url(theirs))
    attempt = oauth.client.post(revoke_url(theirs))

    assert "Someone Else" not in page.content.decode()
    assert confirm.status_code == 404
    assert attempt.status_code == 404
    assert oauth.introspect(theirs, tokens["access_token"])["active"] is True


def test_g6_a_device_the_person_allowed_but_that_has_not_collected_gets_nothing(oauth):
    tv = oauth.app(
        name="Living Room TV",
        owner=visitor_of(oauth),
        grants=[DEVICE_CODE, "refresh_token"],
        scopes=["api", "refresh_token"],
    )
    started = oauth.post(DEVICE_AUTHORIZE, {"client_id": tv.client_id, "scope": "api"}).json()
    oauth.sign_in(ADA)
    oauth.device_page(started["user_code"], decision="allow")

    oauth.client.post(revoke_url(tv))
    poll = oauth.post(
        TOKEN,
        {
            "grant_type": DEVICE_CODE,
            "device_code": started["device_code"],
            "client_id": tv.client_id,
        },
    )

    assert poll.status_code == 400
    assert poll.json()["error"] == "invalid_grant"
    assert "access_token" not in poll.json()
