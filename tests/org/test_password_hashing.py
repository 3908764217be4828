from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password, make_password
from django.test import override_settings

from config import settings as production
from tests.org.conftest import ADA, PASSWORD

# OWASP Password Storage Cheat Sheet: Argon2id, m=19 MiB, t=2, p=1.
OWASP_ARGON2ID = "argon2$argon2id$v=19$m=19456,t=2,p=1$"


@pytest.fixture
def production_hashers():
    with override_settings(PASSWORD_HASHERS=production.PASSWORD_HASHERS):
        yield


def _give_ada(password_hash: str) -> None:
    get_user_model().objects.filter(username=ADA).update(password=password_hash)


def _ada_hash() -> str:
    return get_user_model().objects.get(username=ADA).password


def test_new_passwords_are_hashed_with_argon2id_at_owasp_parameters(production_hashers):
    hashed = make_password(PASSWORD)

    assert hashed.startswith(OWASP_ARGON2ID)
    assert check_password(PASSWORD, hashed)
    assert not check_password("not-" + PASSWORD, hashed)


@pytest.mark.parametrize("older", ["pbkdf2_sha256", "pbkdf2_sha1"])
def test_signing_in_rehashes_an_older_hash_with_argon2id(client, org, production_hashers, older):
    _give_ada(make_password(PASSWORD, hasher=older))

    response = client.post("/login/", {"username": ADA, "password": PASSWORD})

    assert response.status_code == 303
    assert _ada_hash().startswith(OWASP_ARGON2ID)


def test_signing_in_rehashes_argon2_made_with_other_parameters(client, org, production_hashers):
    from argon2 import PasswordHasher

    heavier = "argon2" + PasswordHasher(time_cost=3, memory_cost=65536, parallelism=4).hash(
        PASSWORD
    )
    _give_ada(heavier)

    response = client.post("/login/", {"username": ADA, "password": PASSWORD})

    assert response.status_code == 303
    assert _ada_hash().startswith(OWASP_ARGON2ID)


def test_a_wrong_password_leaves_the_older_hash_as_it_was(client, org, production_hashers):
    older = make_password(PASSWORD, hasher="pbkdf2_sha256")
    _give_ada(older)

    response = client.post("/login/", {"username": ADA, "password": "wrong"})

    assert response.status_code == 200
    assert _ada_hash() == older
