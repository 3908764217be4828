from __future__ import annotations

from datetime import timedelta
from io import StringIO

import jwt
import pytest
from django.core.management import call_command
from django.utils import timezone

from org import keys, vault
from org.models import AccessToken, SigningKey

DISCOVERY = "/.well-known/openid-configuration"
PRIVATE_MEMBERS = {"d", "p", "q", "dp", "dq", "qi", "k"}


def test_e1_issuer_ignores_a_spoofed_forwarded_host(client, org, settings):
    response = client.get(
        DISCOVERY, headers={"X-Forwarded-Host": "evil.test", "Forwarded": "host=evil.test"}
    )

    assert response.json()["issuer"] == settings.HANDSHAKE_BASE_URL
    assert "evil.test" not in response.content.decode()


def test_e1_a_foreign_host_header_is_refused(client, org):
    response = client.get(DISCOVERY, headers={"Host": "evil.test"})

    assert response.status_code == 400


def test_e2_discovery_describes_what_the_org_implements(client, org, settings):
    response = client.get(DISCOVERY)

    meta = response.json()
    base = settings.HANDSHAKE_BASE_URL
    assert meta["issuer"] == base
    assert meta["authorization_endpoint"] == base + "/services/oauth2/authorize"
    assert meta["token_endpoint"] == base + "/services/oauth2/token"
    assert meta["revocation_endpoint"] == base + "/services/oauth2/revoke"
    assert meta["introspection_endpoint"] == base + "/services/oauth2/introspect"
    assert meta["userinfo_endpoint"] == base + "/services/oauth2/userinfo"
    assert meta["jwks_uri"] == base + "/id/keys"
    assert meta["code_challenge_methods_supported"] == ["S256"]
    assert meta["authorization_response_iss_parameter_supported"] is True
    assert "RS256" in meta["id_token_signing_alg_values_supported"]
    assert "none" not in meta["id_token_signing_alg_values_supported"]
    assert meta["response_types_supported"] == ["code", "token", "token id_token"]
    assert set(meta["grant_types_supported"]) == {
        "authorization_code",
        "refresh_token",
        "client_credentials",
        "implicit",
        "password",
        "urn:ietf:params:oauth:grant-type:jwt-bearer",
        "urn:ietf:params:oauth:grant-type:saml2-bearer",
        "urn:ietf:params:oauth:grant-type:device_code",
        "urn:ietf:params:oauth:grant-type:token-exchange",
        # Salesforce's own names for its device poll and its older SAML assertion flow.
        "device",
        "assertion",
    }
    assert meta["device_authorization_endpoint"] == base + "/services/oauth2/device/authorize"
    assert {"api", "refresh_token", "openid"} <= set(meta["scopes_supported"])


def test_e2_endpoints_follow_the_configured_https_base_url(client, org, settings):
    settings.HANDSHAKE_BASE_URL = "https://org.handshake.example"

    meta = client.get(DISCOVERY).json()

    endpoints = [value for key, value in meta.items() if key.endswith(("_endpoint", "_uri"))]
    assert meta["issuer"] == "https://org.handshake.example"
    assert all(url.startswith("https://org.handshake.example/") for url in endpoints)


def test_e3_jwks_publishes_only_public_rsa_members(client, org):
    response = client.get("/id/keys")

    published = response.json()["keys"]
    assert published
    kids = [key["kid"] for key in published]
    assert len(kids) == len(set(kids))
    for key in published:
        assert not PRIVATE_MEMBERS & set(key)
        assert key["kty"] == "RSA"
        assert key["use"] == "sig"
        assert key["alg"] == "RS256"
        assert jwt.PyJWK(key).key.key_size >= 2048


def test_e3_jwks_is_the_same_for_every_request(client, org):
    assert client.get("/id/keys").content == client.get("/id/keys").content


def test_e3_rotation_signs_with_the_new_key_and_keeps_the_old_one_published(oauth, client):
    app = oauth.app(jwt_access_tokens=True)
    before = oauth.tokens(app, scope="api openid")
    old_kid = jwt.get_unverified_header(before["id_token"])["kid"]

    out = StringIO()
    call_command("rotate_signing_key", stdout=out)
    after = oauth.tokens(app, scope="api openid")

    new_kid = jwt.get_unverified_header(after["id_token"])["kid"]
    published = {key["kid"] for key in client.get("/id/keys").json()["keys"]}
    assert new_kid != old_kid
    assert {old_kid, new_kid} <= published
    assert f"Now signing with key {new_kid}" in out.getvalue()
    assert f"Retired key {old_kid}" in out.getvalue()


def test_e3_a_retired_key_stays_until_its_last_jwt_access_token_expires(oauth):
    app = oauth.app(jwt_access_tokens=True)
    oauth.tokens(app, scope="api")
    old_kid = keys.active_signing_key().kid
    last_expiry = AccessToken.objects.get().expires_at

    keys.rotate_signing_key()

    retired = SigningKey.objects.get(kid=old_kid)
    assert retired.publish_until == last_expiry
    assert old_kid in _kids(keys.published_keys(now=last_expiry - timedelta(seconds=1)))
    assert old_kid not in _kids(keys.published_keys(now=last_expiry + timedelta(seconds=1)))


def test_e3_a_retired_key_without_tokens_stays_for_an_id_token_lifetime(org):
    old_kid = keys.active_signing_key().kid
    now = timezone.now()

    keys.rotate_signing_key(now=now)

    retired = SigningKey.objects.get(kid=old_kid)
    assert retired.publish_until == now + keys.ID_TOKEN_LIFETIME


def _kids(rows):
    return {row.kid for row in rows}


@pytest.mark.parametrize("path", ["/id/keys", DISCOVERY])
def test_metadata_may_be_cached_briefly(client, org, path):
    response = client.get(path)

    assert response.headers["Cache-Control"].startswith("public, max-age=")
    assert response.headers["Content-Type"] == "application/json"


def test_private_keys_are_sealed_at_rest(org):
    row = SigningKey.objects.get()

    assert "PRIVATE KEY" not in row.sealed_private_key
    assert "d" not in row.public_jwk


def test_a_key_sealed_under_a_lost_secret_key_is_replaced_not_a_crash(org, settings, monkeypatch):
    old_kid = keys.active_signing_key().kid
    settings.SECRET_KEY = "a-different-secret-key-" + "q" * 40
    monkeypatch.setattr(vault, "_private_keys", {})  # a fresh process has parsed nothing yet

    replacement = keys.active_signing_key()

    assert replacement.kid != old_kid
    assert SigningKey.objects.get(kid=old_kid).retired_at is not None
