"""The playground's forms: the JWT inspector's, and the one that names an external server."""

from __future__ import annotations

from typing import Any

from django import forms

from playground.inspector import (
    MAX_KEY_LENGTH,
    MAX_TOKEN_LENGTH,
    HmacSecret,
    JwkKey,
    KeySource,
    PemKey,
)
from playground.servers import CLIENT_AUTH_METHODS

KEY_SOURCES = (
    ("org", "The org's published keys (JWKS at /id/keys)"),
    ("pem", "A PEM public key or certificate"),
    ("jwk", "A JWK (one JSON Web Key)"),
    ("hmac", "An HMAC shared secret"),
    ("none", "No key: decode only"),
)


class InspectForm(forms.Form):
    # No max_length on token: the inspector's own cap answers with a clearer message.
    token = forms.CharField(
        label="JWT",
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false", "autocomplete": "off"}),
        help_text="Three base64url parts separated by dots. Nothing you paste is stored or logged.",
    )
    key_source = forms.ChoiceField(
        label="Verify with", choices=KEY_SOURCES, initial="org", widget=forms.RadioSelect
    )
    key = forms.CharField(
        label="Key",
        required=False,
        strip=False,
        max_length=MAX_KEY_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false", "autocomplete": "off"}),
        help_text="Only for a PEM, JWK or HMAC secret. Paste public keys only.",
    )
    audience = forms.CharField(
        label="Expected audience (aud)",
        required=False,
        max_length=500,
        help_text="Optional: the receiver's own identifier, such as a client ID.",
    )
    issuer = forms.CharField(
        label="Expected issuer (iss)",
        required=False,
        max_length=500,
        help_text="Optional: filled in with the org's issuer when you verify with its keys.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("key_source") in {"pem", "jwk", "hmac"} and not data.get("key"):
            self.add_error("key", "Paste the key to verify with, or choose another option.")
        token = data.get("token", "")
        if len(token) > MAX_TOKEN_LENGTH:
            # Catalogue F6: refuse before any decoding.
            self.add_error(
                "token",
                f"Too large: the inspector reads tokens up to {MAX_TOKEN_LENGTH:,} characters.",
            )
        return data

    def pasted_key(self) -> KeySource | None:
        source, text = self.cleaned_data["key_source"], self.cleaned_data["key"]
        kinds: dict[str, type[PemKey] | type[JwkKey] | type[HmacSecret]] = {
            "pem": PemKey,
            "jwk": JwkKey,
            "hmac": HmacSecret,
        }
        return kinds[source](text) if source in kinds else None


class ExternalServerForm(forms.Form):
    issuer = forms.CharField(
        label="Issuer URL",
        max_length=500,
        widget=forms.URLInput(attrs={"placeholder": "https://login.salesforce.com"}),
        help_text="The provider's issuer. The playground reads "
        "/.well-known/openid-configuration below it.",
    )
    client_id = forms.CharField(
        label="Client ID",
        max_length=300,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text="For Salesforce: the connected app's consumer key.",
    )
    client_secret = forms.CharField(
        label="Client secret",
        required=False,
        max_length=500,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
        help_text="Leave empty for a public client. Stored encrypted, never shown again, "
        "never logged. Use a test client, not a production one.",
    )
    scope = forms.CharField(
        label="Scope",
        required=False,
        max_length=500,
        help_text="Empty: openid, plus profile and offline_access if the provider lists them.",
    )
    client_auth = forms.ChoiceField(
        label="Send the secret",
        choices=CLIENT_AUTH_METHODS,
        initial="client_secret_basic",
        widget=forms.RadioSelect,
    )

    def clean_issuer(self) -> str:
        issuer: str = self.cleaned_data["issuer"].strip()
        return issuer

    def clean_scope(self) -> str:
        scope: str = " ".join(self.cleaned_data["scope"].split())
        return scope
