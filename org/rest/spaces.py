"""Data spaces: whose records a REST call reads and where its writes go.

An app with an owner (a visitor's practice app) writes into that visitor's own space and reads
it plus the seeded demo records, so a room of trainees never sees each other's changes. An app
without one (made with `create_connected_app` for an integration) uses the org's main data.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from org.models import AccessToken, ConnectedApp, Org, OrgUser

MAIN_SPACE = ""


@dataclass(frozen=True)
class Caller:
    """Who makes a REST call: the org, the data space of the token's app, the acting user."""

    org: Org
    space: str
    user: OrgUser
    # How Change Data Capture names the API the writes came through (changes.origin).
    change_origin: str = ""

    @property
    def is_trainee(self) -> bool:
        return self.space != MAIN_SPACE

    def sees(self) -> Q:
        """The records this caller reads, as a filter on Record."""
        if self.is_trainee:
            return Q(org=self.org) & (Q(space=self.space) | Q(space=MAIN_SPACE, seeded=True))
        return Q(org=self.org, space=MAIN_SPACE)


def space_of(app: ConnectedApp) -> str:
    return app.owner or MAIN_SPACE


def caller_of(token: AccessToken) -> Caller:
    family = token.family
    return Caller(org=family.app.org, space=space_of(family.app), user=family.user)


def describe_space(app: ConnectedApp) -> str:
    """A sentence naming where an app's REST writes go, for pages that show a run."""
    if space_of(app) == MAIN_SPACE:
        return "Writes go to the org's main data, which every app without an owner shares."
    return (
        "Writes go to your own practice data space: only your apps see them. The seeded demo "
        "records are visible too, and read-only."
    )
