"""What the TLS Setup page shows: the org's CA, the TLS port, and each of a visitor's apps with
the client certificate it registered (RFC 8705)."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.conf import settings

from org import connected_apps
from org.models import ConnectedApp, OrgUser, TlsClientAuth
from org.tls import authority
from pki import certificates


@dataclass(frozen=True)
class AppRegistration:
    app: ConnectedApp
    method: str  # "" when the app authenticates with its consumer secret
    trusted: certificates.CertificateDescription | None
    subject_dn: str


@dataclass(frozen=True)
class TlsSetup:
    tls_url: str
    authority: certificates.CertificateDescription
    apps: list[AppRegistration]
    enforced_users: list[str]


def tls_setup(owner: str) -> TlsSetup:
    return TlsSetup(
        tls_url=str(settings.HANDSHAKE_TLS_URL),
        authority=certificates.describe(authority.authority().certificate),
        apps=[_registration(app) for app in connected_apps.apps_owned_by(owner)],
        enforced_users=sorted(
            profile.username
            for profile in OrgUser.objects.filter(enforce_mutual_tls=True).select_related("user")
        ),
    )


def _registration(app: ConnectedApp) -> AppRegistration:
    trusted = None
    if app.tls_client_auth:
        try:
            trusted = certificates.describe(certificates.read_pem(app.tls_client_cert_pem))
        except certificates.UnusableCertificate:
            trusted = None
    return AppRegistration(
        app=app,
        method=app.tls_client_auth,
        trusted=trusted,
        subject_dn=app.tls_client_subject_dn if app.tls_client_auth == TlsClientAuth.PKI else "",
    )


class ClientCertificateForm(forms.Form):
    client_id = forms.CharField(max_length=100)
    client_certificate = forms.CharField(
        required=False,
        max_length=64 * 1024,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
        label="Client certificate (PEM)",
        help_text=(
            "A self-signed certificate alone, or the client certificate followed by the CA "
            "certificate that issued it. Leave empty to go back to the consumer secret."
        ),
    )
