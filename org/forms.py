"""Setup forms: a connected app's settings and certificates, each with a hint in plain words."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from org import connected_apps
from org.connected_apps import FLOWS
from org.models import ConnectedApp, OrgUser, PermittedUsers, RefreshTokenPolicy
from org.scopes import SCOPES
from pki import certificates


def _user_choices() -> list[tuple[str, str]]:
    users = OrgUser.objects.select_related("user").order_by("user__username")
    return [(user.username, f"{user.display_name} ({user.username})") for user in users]


class NewAppForm(forms.Form):
    name = forms.CharField(
        label="App name",
        max_length=80,
        help_text="Only you see it; it appears on the consent page.",
    )
    redirect_uris = forms.CharField(
        label="Callback URLs",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
        help_text=(
            "One per line. After sign-in the org sends the browser back to one of these, "
            "compared character for character. Use https, or http only for 127.0.0.1 or "
            "localhost."
        ),
    )
    grants = forms.MultipleChoiceField(
        label="Enabled flows",
        choices=[(flow.grant, flow.label) for flow in FLOWS if flow.available],
        initial=["authorization_code", "refresh_token"],
        widget=forms.CheckboxSelectMultiple,
        help_text="Only the flows ticked here are allowed for this app.",
    )
    scopes = forms.MultipleChoiceField(
        label="OAuth scopes",
        choices=[(scope.name, f"{scope.name}: {scope.label}") for scope in SCOPES],
        initial=["api", "refresh_token", "openid"],
        widget=forms.CheckboxSelectMultiple,
        help_text="The most the app can ask for. Asking for more is refused with invalid_scope.",
    )
    public = forms.BooleanField(
        label="Public app (no consumer secret)",
        required=False,
        help_text=(
            "For mobile and single-page apps that cannot keep a secret. PKCE becomes "
            "mandatory, and client credentials and password flows are unavailable."
        ),
    )
    require_pkce = forms.BooleanField(
        label="Require PKCE",
        required=False,
        help_text=(
            "Every authorization request must carry an S256 code_challenge, and the token "
            "request the matching code_verifier. Stops a stolen code from being used."
        ),
    )
    rotate_refresh_tokens = forms.BooleanField(
        label="Rotate refresh tokens",
        required=False,
        initial=True,
        help_text=(
            "Each refresh returns a new refresh token and retires the old one. Reusing a "
            "retired token revokes every token of that sign-in."
        ),
    )
    jwt_access_tokens = forms.BooleanField(
        label="Issue JWT access tokens",
        required=False,
        help_text="Access tokens become signed JWTs (RFC 9068) instead of opaque strings.",
    )
    run_as = forms.ChoiceField(
        label="Run-as user (client credentials)",
        required=False,
        help_text=(
            "Tokens from the client credentials flow act as this user. Without one that "
            "flow fails with no client credentials user enabled."
        ),
    )
    pre_authorize = forms.MultipleChoiceField(
        label="Pre-authorized users",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=(
            "Ticking anyone switches the app to admin-approved: only these users may use "
            "it, and they are never asked to approve."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        users = _user_choices()
        run_as = self.fields["run_as"]
        pre_authorize = self.fields["pre_authorize"]
        assert isinstance(run_as, forms.ChoiceField)
        assert isinstance(pre_authorize, forms.MultipleChoiceField)
        run_as.choices = [("", "Nobody"), *users]
        pre_authorize.choices = users

    def clean_redirect_uris(self) -> list[str]:
        raw = str(self.cleaned_data.get("redirect_uris") or "")
        return [line.strip() for line in raw.splitlines() if line.strip()]


class AppSettingsForm(NewAppForm):
    """Every setting of an existing app (its type, public or confidential, is fixed)."""

    require_secret_web_server = forms.BooleanField(
        label="Require secret for the web server flow",
        required=False,
        help_text="Off lets the app swap a code for tokens with its consumer key alone.",
    )
    require_secret_refresh = forms.BooleanField(
        label="Require secret for the refresh token flow",
        required=False,
        help_text="Off lets the app refresh with its consumer key alone.",
    )
    refresh_token_policy = forms.ChoiceField(
        label="Refresh token policy",
        choices=RefreshTokenPolicy.choices,
        widget=forms.RadioSelect,
        help_text="How long a refresh token lasts.",
    )
    refresh_token_hours = forms.IntegerField(
        label="Refresh token hours",
        min_value=1,
        max_value=24 * 365,
        help_text="Used by the two expiring policies.",
    )
    session_timeout_minutes = forms.IntegerField(
        label="Access token lifetime (minutes)",
        min_value=1,
        max_value=24 * 60,
        help_text="Salesforce ties this to the session timeout; two hours by default.",
    )
    permitted_users = forms.ChoiceField(
        label="Permitted users",
        choices=PermittedUsers.choices,
        widget=forms.RadioSelect,
        help_text=(
            "Self-authorize: anyone may sign in and approve. Admin approved: only the "
            "pre-authorized users, without an approval page."
        ),
    )
    cert_pem = forms.CharField(
        label="Certificate for digital signatures (PEM)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false"}),
        help_text=(
            "Paste the certificate, never the private key. Your app signs JWT bearer "
            "assertions with its private key; the org checks them with this certificate. "
            "RSA, 2048 bits or more."
        ),
    )
    saml_idp_cert_pem = forms.CharField(
        label="SAML identity provider certificate (PEM)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false"}),
        help_text=(
            "The certificate of the identity provider that signs SAML assertions for this "
            "app. The org trusts assertions signed with its key, and no others."
        ),
    )

    field_order = [
        "name",
        "redirect_uris",
        "grants",
        "scopes",
        "require_pkce",
        "require_secret_web_server",
        "require_secret_refresh",
        "rotate_refresh_tokens",
        "refresh_token_policy",
        "refresh_token_hours",
        "session_timeout_minutes",
        "jwt_access_tokens",
        "permitted_users",
        "pre_authorize",
        "run_as",
        "cert_pem",
        "saml_idp_cert_pem",
    ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["public"]
        pre_authorize = self.fields["pre_authorize"]
        pre_authorize.help_text = "Used when permitted users is admin approved."


def initial_settings(app: ConnectedApp) -> dict[str, Any]:
    return {
        "name": app.name,
        "redirect_uris": "\n".join(app.redirect_uris),
        "grants": app.grants,
        "scopes": app.scopes,
        "require_pkce": app.require_pkce,
        "require_secret_web_server": app.require_secret_web_server,
        "require_secret_refresh": app.require_secret_refresh,
        "rotate_refresh_tokens": app.rotate_refresh_tokens,
        "refresh_token_policy": app.refresh_token_policy,
        "refresh_token_hours": app.refresh_token_hours,
        "session_timeout_minutes": app.session_timeout_minutes,
        "jwt_access_tokens": app.jwt_access_tokens,
        "permitted_users": app.permitted_users,
        "pre_authorize": [user.username for user in app.pre_authorized.select_related("user")],
        "run_as": app.run_as.username if app.run_as else "",
        "cert_pem": app.cert_pem,
        "saml_idp_cert_pem": app.saml_idp_cert_pem,
    }


@dataclass(frozen=True)
class CertificateKind:
    """One of the two certificates an app may hold, as the Setup page names it."""

    name: str
    field: str
    purpose: str
    generate: Callable[..., str]


CERTIFICATE_KINDS = {
    kind.name: kind
    for kind in (
        CertificateKind("jwt", "cert_pem", "JWT bearer", connected_apps.generate_certificate_for),
        CertificateKind(
            "saml",
            "saml_idp_cert_pem",
            "SAML identity provider",
            connected_apps.generate_saml_idp_certificate_for,
        ),
    )
}
MAX_CERTIFICATE_UPLOAD = 64 * 1024
GENERATE = "generate"
CHOOSE_CERTIFICATE = "Choose which certificate to change."
CHOOSE_FILE = "Choose a PEM file to upload."
NOT_PEM = "This is not a PEM-encoded X.509 certificate."


class CertificateForm(forms.Form):
    """Which certificate to change, and how: generated here, or an uploaded PEM file."""

    certificate = forms.ChoiceField(
        choices=[(name, kind.purpose) for name, kind in CERTIFICATE_KINDS.items()],
        error_messages={"required": CHOOSE_CERTIFICATE, "invalid_choice": CHOOSE_CERTIFICATE},
    )
    action = forms.CharField(required=False)
    # An empty file is allowed: its empty text clears the certificate, as an emptied box does.
    certificate_file = forms.FileField(
        required=False,
        allow_empty_file=True,
        error_messages={"invalid": CHOOSE_FILE, "missing": CHOOSE_FILE},
    )

    @property
    def kind(self) -> CertificateKind:
        return CERTIFICATE_KINDS[self.cleaned_data["certificate"]]

    @property
    def generating(self) -> bool:
        return self.cleaned_data.get("action") == GENERATE

    @property
    def first_error(self) -> str:
        return str(next(iter(self.errors.values()))[0])

    def clean_certificate_file(self) -> str:
        """The uploaded PEM text, checked; nothing when the certificate is to be generated."""
        if self.generating:
            return ""
        upload = self.cleaned_data.get("certificate_file")
        if upload is None or upload.size is None or upload.size > MAX_CERTIFICATE_UPLOAD:
            raise ValidationError(CHOOSE_FILE)
        try:
            text: str = upload.read().decode("ascii")
        except UnicodeDecodeError:
            raise ValidationError(NOT_PEM) from None
        if text.strip():
            try:
                certificates.load(text.strip() + "\n")
            except certificates.UnusableCertificate as problem:
                raise ValidationError(str(problem)) from None
        return text
