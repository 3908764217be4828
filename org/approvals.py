"""A person's approval of a connected app: recorded on the consent page or the device
verification page, required again by the flows where nobody is asked (JWT and SAML
bearer: Salesforce's "user hasn't approved this consumer"), listed for the person to
review, and revoked by them with every token it led to (ASVS 10.4.9, 10.7.3)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from org import tokens
from org.models import (
    AccessToken,
    AuthorizationCode,
    ConnectedApp,
    DeviceAuthorization,
    OrgUser,
    PermittedUsers,
    RefreshToken,
    TokenFamily,
    UserApproval,
)
from org.scopes import Scope, describe

REVOKED_BY_USER = "the user revoked the app's access"


def has_approved(user: OrgUser, app: ConnectedApp, scope: str) -> bool:
    """The person approved the app for at least these scopes."""
    approval = UserApproval.objects.filter(user=user, app=app).first()
    return approval is not None and set(scope.split()) <= set(approval.scopes)


def approved_scopes(user: OrgUser, app: ConnectedApp) -> list[str] | None:
    """What the app may do for this person without asking: every scope of an app whose
    admin pre-authorized them, else what they approved; None when neither."""
    if app.permitted_users == PermittedUsers.ADMIN_APPROVED:
        return list(app.scopes) if app.user_is_permitted(user) else None
    approval = UserApproval.objects.filter(user=user, app=app).first()
    if approval is None:
        return None
    return [scope for scope in app.scopes if scope in set(approval.scopes)]


def record_approval(user: OrgUser, app: ConnectedApp, scope: str) -> None:
    approval, created = UserApproval.objects.get_or_create(
        user=user, app=app, defaults={"scopes": scope.split()}
    )
    if not created:
        approval.scopes = sorted(set(approval.scopes) | set(scope.split()))
        approval.save(update_fields=["scopes", "updated_at"])


@dataclass(frozen=True)
class AppAccess:
    """One app that holds, or may get without asking, access to a person's account."""

    name: str
    client_id: str
    scopes: tuple[str, ...]
    # When the person said yes; None when only an admin's pre-authorization let the app in.
    approved_at: datetime | None
    pre_authorized: bool
    live_token_sets: int
    last_issued_at: datetime | None

    @property
    def described_scopes(self) -> list[Scope]:
        return describe(" ".join(self.scopes))


def _live_families(user: OrgUser, *, now: datetime) -> Q:
    """Families of the user's tokens that some token of which still works."""
    live_access = AccessToken.objects.filter(
        family=OuterRef("pk"), revoked_at__isnull=True, expires_at__gt=now
    )
    live_refresh = RefreshToken.objects.filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=now),
        family=OuterRef("pk"),
        revoked_at__isnull=True,
        rotated_at__isnull=True,
    )
    return Q(user=user, revoked_at__isnull=True) & (Exists(live_access) | Exists(live_refresh))


def apps_with_access(user: OrgUser, *, visible_to: str) -> list[AppAccess]:
    """The apps the person approved or that hold live tokens for them, newest first.

    Many trainees share each demo user, so only apps this browser made (`visible_to`, its
    visitor id) or the site operator made (no owner) are listed: nobody sees, or cuts
    off, another trainee's app.
    """
    now = timezone.now()
    visible_app = Q(app__owner=visible_to) | Q(app__owner="")
    approvals = {
        approval.app_id: approval
        for approval in UserApproval.objects.filter(visible_app, user=user)
    }
    families = TokenFamily.objects.filter(visible_app, _live_families(user, now=now)).values_list(
        "app_id", "scope", "created_at"
    )
    live: dict[int, list[tuple[str, datetime]]] = {}
    for app_id, scope, created_at in families:
        live.setdefault(app_id, []).append((scope, created_at))
    apps = ConnectedApp.objects.filter(pk__in=set(approvals) | set(live))
    listed = []
    for app in apps:
        approval = approvals.get(app.pk)
        issued = live.get(app.pk, [])
        granted = set(approval.scopes) if approval else set()
        for scope, _ in issued:
            granted |= set(scope.split())
        listed.append(
            AppAccess(
                name=app.name,
                client_id=app.client_id,
                scopes=tuple(scope for scope in app.scopes if scope in granted)
                + tuple(sorted(granted - set(app.scopes))),
                approved_at=approval.created_at if approval else None,
                pre_authorized=app.permitted_users == PermittedUsers.ADMIN_APPROVED
                and app.user_is_permitted(user),
                live_token_sets=len(issued),
                last_issued_at=max((created for _, created in issued), default=None),
            )
        )
    listed.sort(key=_latest, reverse=True)
    return listed


def _latest(access: AppAccess) -> datetime:
    moments = [moment for moment in (access.approved_at, access.last_issued_at) if moment]
    return max(moments, default=datetime.min.replace(tzinfo=UTC))


def app_access(user: OrgUser, client_id: str, *, visible_to: str) -> AppAccess | None:
    return next(
        (
            access
            for access in apps_with_access(user, visible_to=visible_to)
            if access.client_id == client_id
        ),
        None,
    )


@dataclass(frozen=True)
class Revocation:
    token_sets: int
    approval_removed: bool


@transaction.atomic  # all or nothing: no token survives a half-done revocation
def revoke_app_access(user: OrgUser, client_id: str) -> Revocation:
    """Forget the person's approval of the app and stop everything it was given for them:
    every token family (access and refresh tokens, RFC 7009 §2.1 semantics), codes not yet
    redeemed, and device codes the person allowed that the device has not collected."""
    now = timezone.now()
    app = ConnectedApp.objects.get(client_id=client_id)
    removed, _ = UserApproval.objects.filter(user=user, app=app).delete()
    revoked = tokens.revoke_families(Q(app=app, user=user), reason=REVOKED_BY_USER)
    # A code redeemed after this would be a fresh grant the person just took back; marking
    # it used makes a redemption a replay (RFC 6749 §4.1.2).
    AuthorizationCode.objects.filter(app=app, user=user, used_at__isnull=True).update(used_at=now)
    DeviceAuthorization.objects.filter(
        app=app, user=user, approved=True, redeemed_at__isnull=True
    ).update(redeemed_at=now)
    return Revocation(token_sets=revoked, approval_removed=removed > 0)
