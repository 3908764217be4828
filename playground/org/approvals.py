"""A person's approval of a connected app: recorded on the consent page or the device
verification page, and required again by the flows where nobody is asked (JWT and SAML
bearer: Salesforce's "user hasn't approved this consumer")."""

from __future__ import annotations

from playground.org.models import ConnectedApp, OrgUser, PermittedUsers, UserApproval


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
