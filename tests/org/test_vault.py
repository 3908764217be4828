from __future__ import annotations

import pytest

from org import vault


def test_sealed_values_open_only_with_the_key_that_sealed_them(settings):
    sealed = vault.seal("consumer-secret")
    settings.SECRET_KEY = "another-key-" + "z" * 40

    with pytest.raises(vault.SealBroken):
        vault.unseal(sealed)


def test_a_rotated_secret_key_still_opens_values_through_the_fallbacks(settings):
    old = settings.SECRET_KEY
    sealed = vault.seal("consumer-secret")
    settings.SECRET_KEY = "the-new-key-" + "n" * 40
    settings.SECRET_KEY_FALLBACKS = [old]

    assert vault.unseal(sealed) == "consumer-secret"
    assert "consumer-secret" not in sealed
