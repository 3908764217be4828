from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from config.http import allow_form_posts, redirect_to
from org import (
    approvals,
    authorization,
    connected_apps,
    devices,
    discovery,
    identity,
    keys,
    logins,
    start_urls,
)
from org.client_authentication import DEVICE_AUTHORIZATION
from org.creation_limits import APPS, creation_limited
from org.forms import AppSettingsForm, CertificateForm, NewAppForm, initial_settings
from org.models import ConnectedApp, OrgUser
from org.resource_server import check_bearer
from org.scopes import IDENTITY_SCOPES
from org.seed import DEMO_PASSWORD, DEMO_USERS, current_org
from org.server import back_channel_problem, get_server, oauth_error
from org.visitors import visitor_id
from pki import certificates

NO_STORE = "no-store"


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = NO_STORE
    return response


def _form_page(response: HttpResponse) -> HttpResponse:
    """A page whose forms POST back to this site."""
    return _no_store(allow_form_posts(response))


def _redirect(location: str, *, after_post: bool) -> HttpResponse:
    return _no_store(redirect_to(location, after_post=after_post))


@require_http_methods(["GET", "POST"])
def authorize(request: HttpRequest) -> HttpResponse:
    decision = request.POST.get("decision") if request.method == "POST" else None
    outcome = authorization.authorize(request, decision=decision)
    after_post = request.method == "POST"
    if isinstance(outcome, authorization.Redirect):
        return _redirect(outcome.location, after_post=after_post)
    if isinstance(outcome, authorization.SignInNeeded):
        return _redirect(outcome.login_url, after_post=after_post)
    if isinstance(outcome, authorization.ConsentNeeded):
        return _form_page(render(request, "org/consent.html", {"consent": outcome}))
    return _no_store(
        render(
            request,
            "org/error.html",
            {"error": outcome.error, "description": outcome.description},
            status=400,
        )
    )


def _start_url(request: HttpRequest) -> str:
    return start_urls.safe_start_url(
        request.POST.get("startURL") or request.GET.get("startURL") or ""
    )


def _authorizing(start_url: str) -> bool:
    # Only an authorization request counts a sign-in as fresh (prompt=login); a sign-in on
    # the way to the device page must not satisfy a later prompt=login.
    return start_url.startswith(reverse("org:authorize"))


def _login_context(request: HttpRequest, start_url: str) -> dict[str, Any]:
    query = parse_qs(urlsplit(start_url).query)
    client_id = (query.get("client_id") or [""])[0]
    app = get_server().query_client(client_id) if client_id else None
    prompts = set((query.get("prompt") or [""])[0].split())
    return {
        "start_url": start_url,
        "for_device": start_url.startswith(reverse("org:device_verification")),
        # prompt=login asks for the password again; "continue as" would skip it.
        "offer_continue": "login" not in prompts,
        "app_name": app.name if app else "",
        "login_hint": (query.get("login_hint") or [""])[0][:256],
        "display": authorization.display_of((query.get("display") or [""])[0]),
        "signed_in": logins.signed_in_user(request.session),
        "demo_users": DEMO_USERS,
        "demo_password": DEMO_PASSWORD,
    }


@require_http_methods(["GET", "POST"])
def login(request: HttpRequest) -> HttpResponse:
    start_url = _start_url(request)
    context = _login_context(request, start_url)
    if request.method == "POST":
        signed_in = context["signed_in"]
        if request.POST.get("action") == "continue" and signed_in and context["offer_continue"]:
            logins.sign_in(request.session, signed_in, for_authorization=_authorizing(start_url))
            return _redirect(start_url or reverse("org:login"), after_post=True)
        username = request.POST.get("username", "")
        attempt = logins.check_password(
            username, request.POST.get("password", ""), address=request.META.get("REMOTE_ADDR", "")
        )
        if attempt.user is not None:
            logins.sign_in(request.session, attempt.user, for_authorization=_authorizing(start_url))
            return _redirect(start_url or reverse("org:login"), after_post=True)
        context["login_hint"] = username[:256]
        context["failed"] = True
        context["locked"] = attempt.locked
        if attempt.locked:
            response = _form_page(render(request, "org/login.html", context, status=429))
            # RFC 6585 §4: say when to try again.
            response["Retry-After"] = str(attempt.retry_after)
            return response
    return _form_page(render(request, "org/login.html", context))


@require_http_methods(["GET", "POST"])
def logout(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        # Signing out changes state, so it takes a POST; the sign-in page has the button.
        return redirect("org:login")
    logins.sign_out(request.session)
    messages.success(request, "You are signed out of the demo org.")
    return _redirect(reverse("org:login"), after_post=True)


@csrf_exempt  # RFC 6749 §3.2: clients authenticate with credentials, not a browser session.
@require_http_methods(["GET", "POST"])
def token(request: HttpRequest) -> HttpResponse:
    problem = back_channel_problem(request)
    if problem is not None:
        return problem
    if "grant_type" not in request.POST and request.POST.get("response_type") == "device_code":
        # Salesforce starts its device flow here rather than at a device endpoint.
        started: HttpResponse = get_server().create_endpoint_response(DEVICE_AUTHORIZATION, request)
        return started
    response: HttpResponse = get_server().create_token_response(request)
    return response


def _endpoint(request: HttpRequest, name: str) -> HttpResponse:
    """One of authlib's back-channel endpoints, after the checks every client request passes."""
    problem = back_channel_problem(request)
    if problem is not None:
        return problem
    response: HttpResponse = get_server().create_endpoint_response(name, request)
    return response


@csrf_exempt
@require_http_methods(["GET", "POST"])
def device_authorization(request: HttpRequest) -> HttpResponse:
    """RFC 8628 §3.1, the standard start of the device flow."""
    return _endpoint(request, DEVICE_AUTHORIZATION)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def revoke(request: HttpRequest) -> HttpResponse:
    return _endpoint(request, "revocation")


@csrf_exempt
@require_http_methods(["GET", "POST"])
def introspect(request: HttpRequest) -> HttpResponse:
    return _endpoint(request, "introspection")


def _bearer_error(check: Any) -> HttpResponse:
    response = oauth_error(check.status, check.error or "invalid_token", check.description or "")
    response["WWW-Authenticate"] = check.www_authenticate
    return response


@csrf_exempt  # OIDC Core §5.3.1 allows POST; a bearer token, not a cookie, authenticates.
@require_http_methods(["GET", "POST"])
def userinfo(request: HttpRequest) -> HttpResponse:
    check = check_bearer(request, any_of=IDENTITY_SCOPES)
    if check.token is None:
        return _bearer_error(check)
    claims = identity.userinfo_claims(check.token.family.user, check.token.scope)
    return _no_store(JsonResponse(claims))


@csrf_exempt
@require_http_methods(["GET", "POST"])
def identity_service(request: HttpRequest, org_id: str, user_id: str) -> HttpResponse:
    check = check_bearer(request, any_of=IDENTITY_SCOPES)
    if check.token is None:
        return _bearer_error(check)
    user: OrgUser = check.token.family.user
    if org_id != user.org.org_id or user_id != user.record_id:
        # Another person's identity URL: refused, whatever the token.
        return oauth_error(403, "Bad_Id", "this identity URL is not the token's user")
    return _no_store(JsonResponse(identity.identity_document(user)))


@require_GET
def jwks(request: HttpRequest) -> HttpResponse:
    response = JsonResponse(keys.jwks())
    response["Cache-Control"] = "public, max-age=60"
    return response


@require_GET
def openid_configuration(request: HttpRequest) -> HttpResponse:
    response = JsonResponse(discovery.openid_configuration())
    response["Cache-Control"] = "public, max-age=300"
    return response


def _setup_context(request: HttpRequest, owner: str) -> dict[str, Any]:
    org = current_org()
    return {
        "org": org,
        "apps": connected_apps.apps_owned_by(owner),
        "signing_keys": keys.published_keys(),
        "demo_users": DEMO_USERS,
        "demo_password": DEMO_PASSWORD,
        "signed_in": logins.signed_in_user(request.session),
    }


@require_http_methods(["GET", "POST"])
@creation_limited(APPS)
def setup(request: HttpRequest) -> HttpResponse:
    owner = visitor_id(request.session)
    form = NewAppForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            issued = connected_apps.create_connected_app(owner=owner, **data)
        except connected_apps.InvalidSetting as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            messages.success(
                request, f"Created {data['name']}. Its consumer key and secret are below."
            )
            return redirect("org:setup_app", client_id=issued.client_id)
    context = {**_setup_context(request, owner), "form": form}
    return _form_page(
        render(request, "org/setup.html", context, status=400 if form.errors else 200)
    )


@require_http_methods(["GET", "POST"])
def setup_app(request: HttpRequest, client_id: str) -> HttpResponse:
    owner = visitor_id(request.session)
    app = _owned_app(client_id, owner=owner)
    form = AppSettingsForm(request.POST or None, initial=initial_settings(app))
    if request.method == "POST" and form.is_valid():
        try:
            connected_apps.update_connected_app(client_id, owner=owner, **form.cleaned_data)
        except connected_apps.InvalidSetting as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            messages.success(request, "Saved.")
            return redirect("org:setup_app", client_id=client_id)
    return _form_page(
        render(
            request,
            "org/setup_app.html",
            _app_page_context(request, owner, app, form),
            status=400 if form.errors else 200,
        )
    )


def _owned_app(client_id: str, *, owner: str) -> ConnectedApp:
    try:
        return connected_apps.owned_app(client_id, owner=owner)
    except connected_apps.NotYourApp:
        raise Http404("No such connected app") from None


def _app_page_context(
    request: HttpRequest, owner: str, app: ConnectedApp, form: AppSettingsForm, **extra: Any
) -> dict[str, Any]:
    return {
        **_setup_context(request, owner),
        "app": app,
        "form": form,
        "base_url": identity.base_url(),
        "device_verification_url": devices.verification_uri(),
        "jwt_certificate": certificates.facts(app.cert_pem) if app.cert_pem else None,
        "saml_certificate": (
            certificates.facts(app.saml_idp_cert_pem) if app.saml_idp_cert_pem else None
        ),
        **extra,
    }


@dataclass(frozen=True)
class NewKey:
    """A private key the visitor sees once, on the page that answers "Generate"."""

    purpose: str
    pem: str
    filename: str

    @property
    def download_url(self) -> str:
        return "data:application/x-pem-file;base64," + base64.b64encode(self.pem.encode()).decode()


@require_POST
def setup_certificate(request: HttpRequest, client_id: str) -> HttpResponse:
    """Generate a certificate (the private key is shown once), or upload a PEM file."""
    owner = visitor_id(request.session)
    app = _owned_app(client_id, owner=owner)
    form = CertificateForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, form.first_error)
        return redirect("org:setup_app", client_id=client_id)
    kind = form.kind
    if form.generating:
        pem = kind.generate(client_id, owner=owner)
        app.refresh_from_db()
        new_key = NewKey(purpose=kind.purpose, pem=pem, filename=f"{kind.name}-private-key.pem")
        settings_form = AppSettingsForm(initial=initial_settings(app))
        context = _app_page_context(request, owner, app, settings_form, new_key=new_key)
        return _form_page(render(request, "org/setup_app.html", context))
    pem_text = form.cleaned_data["certificate_file"]
    try:
        connected_apps.update_connected_app(client_id, owner=owner, **{kind.field: pem_text})
    except connected_apps.InvalidSetting as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Uploaded the {kind.purpose} certificate.")
    return redirect("org:setup_app", client_id=client_id)


_DEVICE_DECISIONS = {authorization.ALLOW: True, authorization.DENY: False}


@require_http_methods(["GET", "POST"])
def device_verification(request: HttpRequest) -> HttpResponse:
    """RFC 8628 §3.3: a person signs in, types the code their device shows (or follows the
    link with it filled in), and allows or denies the device."""
    params = request.POST if request.method == "POST" else request.GET
    typed = params.get("user_code", "")[:32]
    user = logins.signed_in_user(request.session)
    if user is None:
        here = reverse("org:device_verification")
        if typed.strip():
            here += "?" + urlencode({"user_code": typed})
        return _redirect(authorization.login_url(here), after_post=request.method == "POST")
    decision = request.POST.get("decision") if request.method == "POST" else None
    outcome = devices.verify(
        typed,
        user=user,
        session_key=visitor_id(request.session),
        address=request.META.get("REMOTE_ADDR", ""),
        approved=_DEVICE_DECISIONS.get(decision or ""),
        auth_time=logins.auth_time(request.session),
    )
    return _device_page(request, {"signed_in": user, "typed": typed}, outcome)


def _device_page(
    request: HttpRequest, context: dict[str, Any], outcome: devices.Verification
) -> HttpResponse:
    status = 200
    match outcome:
        case devices.CodeNeeded(invalid=invalid):
            context |= {"step": "enter", "invalid": invalid}
            status = 400 if invalid else 200
        case devices.TooManyGuesses():
            context["step"] = "throttled"
            status = 429
        case devices.ConfirmationNeeded():
            context |= {
                "step": "confirm",
                "device": outcome.device,
                "user_code": outcome.user_code,
                "scopes": outcome.scopes,
                "permitted": outcome.permitted,
            }
            status = 403 if outcome.refused else 200
        case devices.Decided(device=device, allowed=allowed):
            context |= {"step": "allowed" if allowed else "denied", "device": device}
    return _form_page(render(request, "org/device.html", context, status=status))


@require_POST
def delete_app(request: HttpRequest, client_id: str) -> HttpResponse:
    try:
        connected_apps.delete_connected_app(client_id, owner=visitor_id(request.session))
    except connected_apps.NotYourApp:
        raise Http404("No such connected app") from None
    messages.success(request, "The app and every token it held are gone.")
    return redirect("org:setup")


@require_GET
def approved_apps(request: HttpRequest) -> HttpResponse:
    user = logins.signed_in_user(request.session)
    if user is None:
        return _redirect(authorization.login_url(reverse("org:approved_apps")), after_post=False)
    apps = approvals.apps_with_access(user, visible_to=visitor_id(request.session))
    context = {"signed_in": user, "apps": apps}
    return _form_page(render(request, "org/approved_apps.html", context))


@require_http_methods(["GET", "POST"])
def revoke_approved_app(request: HttpRequest, client_id: str) -> HttpResponse:
    user = logins.signed_in_user(request.session)
    if user is None:
        return _redirect(
            authorization.login_url(reverse("org:approved_apps")),
            after_post=request.method == "POST",
        )
    access = approvals.app_access(user, client_id, visible_to=visitor_id(request.session))
    if access is None:
        raise Http404("This app has no access to your account")
    if request.method == "POST":
        approvals.revoke_app_access(user, client_id)
        messages.success(
            request, f"{access.name} no longer has access: its tokens stopped working just now."
        )
        return _redirect(reverse("org:approved_apps"), after_post=True)
    context = {"signed_in": user, "access": access}
    return _form_page(render(request, "org/revoke_approved_app.html", context))
