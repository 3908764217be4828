from __future__ import annotations

import json
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from org.models import ConnectedApp, Org, OrgUser, Record, SigningKey
from tests.org.conftest import make_key_pair


def _run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_seed_org_is_idempotent():
    _run("seed_org")
    models = (Org, OrgUser, Record, SigningKey)
    counts = [model.objects.count() for model in models]
    _run("seed_org")

    assert [model.objects.count() for model in models] == counts
    assert counts[:2] == [1, 2]
    assets = Record.objects.filter(sobject="Asset")
    assert assets.count() >= 3
    assert all(asset.record_id.startswith("02i") for asset in assets)
    org_id = Org.objects.get().org_id
    assert org_id.startswith("00D")
    assert len(org_id) == 18
    assert all(user.record_id.startswith("005") for user in OrgUser.objects.all())


@pytest.mark.django_db
def test_seeded_demo_users_sign_in_with_the_demo_password():
    _run("seed_org")

    for username in ("ada@handshake.example", "grace@handshake.example"):
        assert get_user_model().objects.get(username=username).check_password("handshake-demo")


@pytest.mark.django_db
def test_create_connected_app_prints_json_credentials(tmp_path):
    cert = tmp_path / "cert.pem"
    cert.write_text(make_key_pair().certificate_pem)

    out = _run(
        "create_connected_app",
        "--json",
        "--name",
        "Integration",
        "--redirect-uri",
        "https://a.example/cb",
        "--grant",
        "authorization_code",
        "--grant",
        "client_credentials",
        "--grant",
        "urn:ietf:params:oauth:grant-type:jwt-bearer",
        "--scope",
        "api",
        "--run-as",
        "ada@handshake.example",
        "--pre-authorize",
        "ada@handshake.example",
        "--cert",
        str(cert),
    )

    credentials = json.loads(out)
    app = ConnectedApp.objects.get(client_id=credentials["client_id"])
    assert app.client_secret == credentials["client_secret"]
    assert app.grants == [
        "authorization_code",
        "client_credentials",
        "urn:ietf:params:oauth:grant-type:jwt-bearer",
    ]
    assert app.scopes == ["api"]
    assert app.run_as is not None
    assert app.run_as.username == "ada@handshake.example"
    assert app.permitted_users == "admin_approved"
    assert app.cert_pem.startswith("-----BEGIN CERTIFICATE-----")


@pytest.mark.django_db
def test_create_connected_app_accepts_every_new_grant_and_the_saml_certificate(tmp_path):
    cert = tmp_path / "idp.pem"
    cert.write_text(make_key_pair().certificate_pem)
    grants = [
        "urn:ietf:params:oauth:grant-type:jwt-bearer",
        "urn:ietf:params:oauth:grant-type:saml2-bearer",
        "urn:ietf:params:oauth:grant-type:device_code",
        "urn:ietf:params:oauth:grant-type:token-exchange",
    ]

    out = _run(
        "create_connected_app",
        "--json",
        "--name",
        "Assertions",
        *[arg for grant in grants for arg in ("--grant", grant)],
        "--saml-idp-cert",
        str(cert),
    )

    app = ConnectedApp.objects.get(client_id=json.loads(out)["client_id"])
    assert app.grants == grants
    assert app.saml_idp_cert_pem.startswith("-----BEGIN CERTIFICATE-----")


@pytest.mark.django_db
def test_create_connected_app_public_has_a_null_secret():
    out = _run(
        "create_connected_app",
        "--json",
        "--name",
        "SPA",
        "--public",
        "--redirect-uri",
        "https://spa.example/cb",
    )

    assert json.loads(out)["client_secret"] is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    "args",
    [
        ["--grant", "nonsense"],
        ["--redirect-uri", "http://evil.example/cb"],
        ["--run-as", "nobody@handshake.example", "--redirect-uri", "https://a.example/cb"],
    ],
)
def test_create_connected_app_rejects_bad_options_clearly(args):
    with pytest.raises(CommandError):
        _run("create_connected_app", "--json", "--name", "Bad", *args)


@pytest.mark.django_db
def test_create_connected_app_rejects_a_file_that_is_not_a_certificate(tmp_path):
    bogus = tmp_path / "bogus.pem"
    bogus.write_text("not a certificate")

    with pytest.raises(CommandError, match="X.509"):
        _run(
            "create_connected_app",
            "--name",
            "Bad",
            "--grant",
            "client_credentials",
            "--cert",
            str(bogus),
        )
