"""Asset tokens (token exchange, RFC 8693, as Salesforce uses it for connected devices),
end to end over HTTP, and catalogue row D7."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from django.utils import timezone
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from org.connected_apps import TOKEN_EXCHANGE
from org.models import AccessToken, Record
from tests.org.conftest import ADA, REVOKE, TOKEN

ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token"
JWT_TYPE = "urn:ietf:params:oauth:token-type:jwt"
THERMOSTAT = "Boiler Monitor BM-7"


@pytest.fixture(scope="module")
def device_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_jwk(key: Any) -> dict[str, Any]:
    algorithm = RSAAlgorithm if isinstance(key, rsa.RSAPrivateKey) else ECAlgorithm
    jwk: dict[str, Any] = json.loads(algorithm.to_jwk(key.public_key()))
    return jwk


@pytest.fixture
def app(oauth):
    return oauth.app(grants=[TOKEN_EXCHANGE, "client_credentials"], scopes=["api"], run_as=ADA)


@pytest.fixture
def access_token(oauth, app) -> str:
    response = oauth.token(app, grant_type="client_credentials")
    assert response.status_code == 200, response.content
    value: str = response.json()["access_token"]
    return value


def actor_token(key: Any = None, *, algorithm: str = "RS256", with_cnf: bool = True, **claims):
    body: dict[str, Any] = {
        "did": "device-0001",
        "Name": "Boiler monitor in the plant room",
        "Asset": THERMOSTAT,
        "exp": int(time.time()) + 120,
    }
    if key is not None and with_cnf:
        body["cnf"] = {"jwk": public_jwk(key)}
    body.update(claims)
    body = {name: value for name, value in body.items() if value is not None}
    if key is None:
        return jwt.encode(body, "", algorithm="none")
    return jwt.encode(body, key, algorithm=algorithm)


def exchange(oauth, subject: str, actor: str | None, **form: str | None):
    data = {
        "grant_type": TOKEN_EXCHANGE,
        "subject_token": subject,
        "subject_token_type": ACCESS_TOKEN_TYPE,
        "actor_token_type": JWT_TYPE,
        **form,
    }
    if actor is not None:
        data["actor_token"] = actor
    return oauth.post(TOKEN, {k: v for k, v in data.items() if v is not None})


def error_of(response) -> str:
    assert response.status_code == 400, response.content
    error: str = response.json()["error"]
    return error


def verify_with_jwks(oauth, token: str, audience: str) -> dict[str, Any]:
    header = jwt.get_unverified_header(token)
    jwks = oauth.client.get("/id/keys").json()
    key = next(k for k in jwks["keys"] if k["kid"] == header["kid"])
    claims: dict[str, Any] = jwt.decode(
        token, jwt.PyJWK(key).key, algorithms=["RS256"], audience=audience
    )
    return claims


def test_a_device_swaps_an_access_token_and_its_signed_jwt_for_an_asset_token(
    oauth, app, access_token, device_key, settings
):
    response = exchange(oauth, access_token, actor_token(device_key))

    body = response.json()
    assert response.status_code == 200, body
    assert body["issued_token_type"] == JWT_TYPE
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 60
    assert response.headers["Cache-Control"] == "no-store"
    claims = verify_with_jwks(oauth, body["access_token"], settings.HANDSHAKE_BASE_URL)
    asset = Record.objects.get(sobject="Asset", fields__Name=THERMOSTAT)
    assert claims["Asset"] == {
        "Id": asset.record_id,
        "Name": THERMOSTAT,
        "SerialNumber": asset.fields["SerialNumber"],
    }
    assert claims["did"] == "device-0001"
    assert claims["act"] == {"sub": "device-0001"}
    assert claims["sub"].startswith(settings.HANDSHAKE_BASE_URL + "/id/")
    assert claims["exp"] - claims["iat"] == 60
    assert claims["cnf"]["jwk"]["n"] == public_jwk(device_key)["n"]
    assert claims["client_id"] == app.client_id


@pytest.mark.parametrize(
    "reference",
    ["record_id", {"Id": "record_id"}, {"SerialNumber": "serial"}, {"Name": "name"}],
)
def test_the_asset_may_be_named_by_id_serial_number_or_name(
    oauth, access_token, device_key, reference
):
    asset = Record.objects.get(sobject="Asset", fields__Name=THERMOSTAT)
    values = {
        "record_id": asset.record_id,
        "serial": asset.fields["SerialNumber"],
        "name": THERMOSTAT,
    }
    claim = (
        values[reference]
        if isinstance(reference, str)
        else {k: values[v] for k, v in reference.items()}
    )

    response = exchange(oauth, access_token, actor_token(device_key, Asset=claim))

    assert response.status_code == 200, response.content
    asset_token = jwt.decode(response.json()["access_token"], options={"verify_signature": False})
    assert asset_token["Asset"]["Id"] == asset.record_id


def test_an_ec_device_key_signs_with_es256(oauth, access_token):
    key = ec.generate_private_key(ec.SECP256R1())

    response = exchange(oauth, access_token, actor_token(key, algorithm="ES256"))

    assert response.status_code == 200, response.content


def test_without_a_device_key_the_asset_token_is_not_bound_to_one(oauth, access_token):
    response = exchange(oauth, access_token, actor_token(None))

    assert response.status_code == 200, response.content
    claims = jwt.decode(response.json()["access_token"], options={"verify_signature": False})
    assert "cnf" not in claims


def test_the_audience_may_be_the_org_or_one_of_its_urls(oauth, access_token, device_key, settings):
    audience = settings.HANDSHAKE_BASE_URL + "/services/data/"

    response = exchange(oauth, access_token, actor_token(device_key), audience=audience)

    assert response.status_code == 200, response.content
    verify_with_jwks(oauth, response.json()["access_token"], audience)


def test_an_app_without_the_flow_enabled_is_unauthorized(oauth, device_key):
    app = oauth.app(grants=["client_credentials"], run_as=ADA)
    subject = oauth.token(app, grant_type="client_credentials").json()["access_token"]

    assert error_of(exchange(oauth, subject, actor_token(device_key))) == "unauthorized_client"


# Catalogue D7 -----------------------------------------------------------------------------


@pytest.mark.parametrize("subject", ["", "garbage", "00Dfake!AQnotreal"])
def test_d7_an_invalid_subject_token_is_an_invalid_request(oauth, app, device_key, subject):
    assert error_of(exchange(oauth, subject, actor_token(device_key))) == "invalid_request"


def test_d7_an_expired_subject_token_is_an_invalid_request(oauth, access_token, device_key):
    AccessToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    assert error_of(exchange(oauth, access_token, actor_token(device_key))) == "invalid_request"


def test_d7_a_revoked_subject_token_is_an_invalid_request(oauth, access_token, device_key):
    oauth.post(REVOKE, {"token": access_token})

    assert error_of(exchange(oauth, access_token, actor_token(device_key))) == "invalid_request"


def test_d7_an_actor_token_without_its_type_is_an_invalid_request(oauth, access_token, device_key):
    response = exchange(oauth, access_token, actor_token(device_key), actor_token_type=None)

    assert error_of(response) == "invalid_request"
    assert "actor_token_type" in response.json()["error_description"]


def test_d7_no_actor_token_is_an_invalid_request(oauth, access_token):
    assert error_of(exchange(oauth, access_token, None)) == "invalid_request"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("subject_token_type", "urn:ietf:params:oauth:token-type:refresh_token"),
        ("subject_token_type", "urn:ietf:params:oauth:token-type:id_token"),
        ("subject_token_type", None),
        ("actor_token_type", "urn:ietf:params:oauth:token-type:saml2"),
        ("requested_token_type", "urn:ietf:params:oauth:token-type:access_token"),
    ],
)
def test_d7_an_unsupported_token_type_is_an_invalid_request(
    oauth, access_token, device_key, field, value
):
    response = exchange(oauth, access_token, actor_token(device_key), **{field: value})

    assert error_of(response) == "invalid_request"


@pytest.mark.parametrize("field", ["audience", "resource"])
@pytest.mark.parametrize("target", ["https://evil.test", "https://backend.example/ingest"])
def test_d7_an_audience_or_resource_not_permitted_is_invalid_target(
    oauth, access_token, device_key, field, target
):
    response = exchange(oauth, access_token, actor_token(device_key), **{field: target})

    assert error_of(response) == "invalid_target"


def test_d7_a_subject_token_of_another_client_is_an_invalid_request(
    oauth, access_token, device_key
):
    other = oauth.app(name="Other", grants=[TOKEN_EXCHANGE])

    response = exchange(
        oauth,
        access_token,
        actor_token(device_key),
        client_id=other.client_id,
        client_secret=other.client_secret,
    )

    assert error_of(response) == "invalid_request"
    assert "another app" in response.json()["error_description"]


def test_d7_an_actor_token_not_signed_by_its_own_key_is_refused(oauth, access_token, device_key):
    impostor = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = actor_token(impostor, cnf={"jwk": public_jwk(device_key)})

    assert error_of(exchange(oauth, access_token, forged)) == "invalid_request"


def test_d7_an_unsigned_actor_token_claiming_a_device_key_is_refused(
    oauth, access_token, device_key
):
    forged = actor_token(None, cnf={"jwk": public_jwk(device_key)})

    assert error_of(exchange(oauth, access_token, forged)) == "invalid_request"


def test_d7_an_hs256_actor_token_keyed_with_the_device_public_key_is_refused(
    oauth, access_token, device_key
):
    claims = {"did": "d", "Name": "n", "Asset": THERMOSTAT, "cnf": {"jwk": public_jwk(device_key)}}
    header = jwt.utils.base64url_encode(json.dumps({"alg": "HS256"}).encode()).decode()
    payload = jwt.utils.base64url_encode(json.dumps(claims).encode()).decode()

    forged = f"{header}.{payload}.c2lnbmF0dXJl"

    assert error_of(exchange(oauth, access_token, forged)) == "invalid_request"


def test_d7_a_private_key_in_cnf_is_refused(oauth, access_token, device_key):
    private = json.loads(RSAAlgorithm.to_jwk(device_key))

    response = exchange(oauth, access_token, actor_token(device_key, cnf={"jwk": private}))

    assert error_of(response) == "invalid_request"


@pytest.mark.parametrize(
    "claims",
    [
        {"Asset": "No Such Device"},
        {"Asset": None},
        {"Asset": 42},
        {"did": None},
        {"Name": ""},
        {"exp": int(time.time()) - 3600},
        {"nbf": int(time.time()) + 3600},
        {"cnf": "not an object"},
        {"cnf": {"jwk": {"kty": "oct", "k": "c2VjcmV0"}}},
        {"cnf": {"jwk": {"kty": "RSA", "n": "!!", "e": "AQAB"}}},
    ],
)
def test_d7_a_bad_actor_token_is_an_invalid_request(oauth, access_token, device_key, claims):
    response = exchange(oauth, access_token, actor_token(device_key, with_cnf=False, **claims))

    assert error_of(response) == "invalid_request"


@pytest.mark.parametrize("actor", ["", "not-a-jwt", "a.b.c", "e30.W10.", "e30." * 3])
def test_d7_garbage_actor_tokens_are_refused_never_a_500(oauth, access_token, actor):
    assert error_of(exchange(oauth, access_token, actor)) == "invalid_request"
