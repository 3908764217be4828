"""The authorization endpoint's decisions: error page, sign-in, consent, or a redirect back.

This is the adapter between the authorize view and authlib, so it reads the Django
request (authlib's Django server needs it); it returns an outcome for the view to render.
The order of checks follows RFC 6749 §4.1.2.1 and RFC 9700 §4.11.2: without a known
client and an exactly registered redirect URI nothing is ever redirected; errors for a
client anyone can register are redirected only after the person has signed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from authlib.common.security import is_secure_transport
from authlib.common.urls import add_params_to_uri
from authlib.oauth2 import OAuth2Error
from django.http import HttpRequest
from django.urls import reverse

from org import approvals, errors, logins
from org.errors import OrgError, as_org_error
from org.identity import base_url
from org.models import ConnectedApp, OrgUser, PermittedUsers
from org.scopes import Scope, describe
from org.server import OrgRequest, get_server

# As authlib compares them: the words of response_type, sorted.
RESPONSE_TYPES = frozenset({"code", "token", "id_token token"})
DISPLAYS = frozenset({"page", "popup", "touch", "mobile"})
ALLOW = "allow"
DENY = "deny"


@dataclass(frozen=True)
class ErrorPage:
    error: str
    description: str


@dataclass(frozen=True)
class Redirect:
    location: str


@dataclass(frozen=True)
class SignInNeeded:
    login_url: str


@dataclass(frozen=True)
class ConsentNeeded:
    app: ConnectedApp
    user: OrgUser
    scopes: list[Scope]
    display: str
    action: str


Outcome = ErrorPage | Redirect | SignInNeeded | ConsentNeeded


def display_of(value: str | None) -> str:
    # Unknown display values are ignored, as OIDC Core §3.1.2.1 allows.
    return value if value in DISPLAYS else "page"


def login_url(start_url: str) -> str:
    # Salesforce sends the browser to its login page with the request in startURL.
    return f"{reverse('org:login')}?{urlencode({'startURL': start_url})}"


def _registered_target(request: HttpRequest) -> tuple[ConnectedApp, str] | ErrorPage:
    """The app and its exactly registered redirect URI, or the page to show instead."""
    params = request.GET
    for name in ("client_id", "redirect_uri"):
        if len(params.getlist(name)) > 1:
            return ErrorPage("invalid_request", f"{name} was sent more than once.")
    if any("\x00" in value for _, values in params.lists() for value in values):
        return ErrorPage("invalid_request", "A parameter contains a NUL character.")
    if not is_secure_transport(request.build_absolute_uri()):
        return ErrorPage("invalid_request", "HTTPS required")
    app = get_server().query_client(params.get("client_id"))
    if app is None:
        return _page(errors.InvalidClientId())
    redirect_uri = params.get("redirect_uri")
    if not redirect_uri:
        return _page(errors.RedirectUriMissing())
    if not app.check_redirect_uri(redirect_uri):
        return _page(errors.RedirectUriMismatch())
    return app, redirect_uri


def authorize(request: HttpRequest, *, decision: str | None = None) -> Outcome:
    target = _registered_target(request)
    if isinstance(target, ErrorPage):
        return target
    app, redirect_uri = target
    params = request.GET
    server = get_server()

    session = request.session
    user = logins.signed_in_user(session)
    prompts = set(params.get("prompt", "").split())
    silent = "none" in prompts or params.get("immediate", "").lower() == "true"
    fragment = "token" in params.get("response_type", "").split()
    state = params.get("state")
    oauth_request = OrgRequest(request, front_channel=True)
    oauth_request.client = app  # looked up once, above; the grant checks it again

    def back(error: OrgError) -> Redirect:
        return _error_redirect(error, redirect_uri=redirect_uri, fragment=fragment, state=state)

    try:
        response_type = params.get("response_type")
        if not response_type:
            raise errors.InvalidRequest("response_type is required")
        if " ".join(sorted(response_type.split())) not in RESPONSE_TYPES:
            raise errors.UnsupportedResponseType()
        grant = server.get_authorization_grant(oauth_request)
        grant.validate_consent_request()
    except OAuth2Error as raised:
        error = as_org_error(raised)
        if not error.redirect_uri:
            error.redirect_uri = redirect_uri
        if user is None and not silent:
            return SignInNeeded(login_url(request.get_full_path()))
        return _error_redirect(
            error, redirect_uri=redirect_uri, fragment=bool(error.redirect_fragment), state=state
        )

    # A sign-in counts as fresh for the one authorization request it was made for; the
    # approval POST that follows belongs to the same request, so it is not asked again.
    fresh = logins.take_fresh_sign_in(session)
    wants_new_sign_in = (
        request.method == "GET" and bool(prompts & {"login", "select_account"}) and not fresh
    )
    if user is None or wants_new_sign_in:
        if silent:
            return back(
                errors.LoginRequired() if "none" in prompts else errors.ImmediateUnsuccessful()
            )
        return SignInNeeded(login_url(request.get_full_path()))
    if not app.user_is_permitted(user):
        return back(errors.AppAccessDenied())

    scope: str = oauth_request.scope
    needs_consent = "consent" in prompts or (
        app.permitted_users != PermittedUsers.ADMIN_APPROVED
        and not approvals.has_approved(user, app, scope)
    )
    grant_user: OrgUser | None = user
    if needs_consent:
        if request.method != "POST" or decision not in {ALLOW, DENY}:
            if silent:
                return back(
                    errors.ConsentRequired()
                    if "none" in prompts
                    else errors.ImmediateUnsuccessful()
                )
            return ConsentNeeded(
                app=app,
                user=user,
                scopes=describe(scope),
                display=display_of(params.get("display")),
                action=request.get_full_path(),
            )
        if decision == ALLOW:
            approvals.record_approval(user, app, scope)
        else:
            grant_user = None
    oauth_request.user = grant_user
    oauth_request.auth_time = logins.auth_time(session)
    response = server.create_authorization_response(
        oauth_request, grant_user=grant_user, grant=grant
    )
    location = response.get("Location")
    if not location:
        return ErrorPage("invalid_request", "The request could not be completed.")
    # RFC 9207 §2: every authorization response names its issuer, errors included.
    return Redirect(add_params_to_uri(location, [("iss", base_url())], fragment=fragment))


def _page(error: OrgError) -> ErrorPage:
    return ErrorPage(str(error.error), str(error.description))


def _error_redirect(
    error: OrgError, *, redirect_uri: str, fragment: bool, state: str | None
) -> Redirect:
    params: list[tuple[str, str]] = [("error", str(error.error))]
    if error.description:
        params.append(("error_description", str(error.description)))
    # RFC 6749 §4.1.2.1: state comes back exactly as sent, on errors too.
    if state is not None:
        params.append(("state", state))
    params.append(("iss", base_url()))
    return Redirect(add_params_to_uri(redirect_uri, params, fragment=fragment))
