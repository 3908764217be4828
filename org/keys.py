"""The org's RS256 signing keys: the active one, rotation, and the public JWKS.

The database is the source of truth, so every process signs with the same key and
publishes the same JWKS. Parsed private keys are cached per sealed value, a pure cache:
parsing a PEM costs ~40 ms, signing with a loaded key well under 1 ms.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives.asymmetric import rsa
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from jwt.algorithms import RSAAlgorithm

from org import vault
from org.models import AccessToken, SigningKey

ALGORITHM = "RS256"
KEY_SIZE = 2048
# Nothing the org signs lives longer than this except JWT access tokens, whose own
# expiry is looked up when a key retires.
ID_TOKEN_LIFETIME = timedelta(hours=1)


@dataclass(frozen=True)
class LoadedKey:
    kid: str
    private_key: rsa.RSAPrivateKey


def active_signing_key() -> LoadedKey:
    """The newest key that is not retired, parsed (created on first use)."""
    row = (
        SigningKey.objects.filter(retired_at__isnull=True).only("kid", "sealed_private_key").first()
    )
    if row is None:
        row = create_signing_key()
    try:
        return LoadedKey(kid=row.kid, private_key=vault.unseal_private_key(row.sealed_private_key))
    except vault.SealBroken:
        # Sealed under a SECRET_KEY that is gone: the key can no longer sign. Its public
        # half stays published for the tokens it signed; a new key takes over.
        rotation = rotate_signing_key()
        fresh = SigningKey.objects.get(kid=rotation.new_kid)
        return LoadedKey(
            kid=fresh.kid, private_key=vault.unseal_private_key(fresh.sealed_private_key)
        )


def create_signing_key() -> SigningKey:
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE)
    jwk = RSAAlgorithm.to_jwk(private_key.public_key(), as_dict=True)
    for _attempt in range(5):
        kid = _next_kid()
        try:
            with transaction.atomic():
                return SigningKey.objects.create(
                    kid=kid,
                    sealed_private_key=vault.seal_private_key(private_key),
                    public_jwk={**jwk, "kid": kid, "use": "sig", "alg": ALGORITHM},
                )
        except IntegrityError:
            # Another process numbered a key at the same moment; take the next number.
            continue
    raise RuntimeError("could not allocate a signing key id")


def _next_kid() -> str:
    # Salesforce publishes short numeric kids ("188", "190", …); so does this org.
    numbers = [
        int(kid) for kid in SigningKey.objects.values_list("kid", flat=True) if kid.isdigit()
    ]
    return str(max(numbers, default=0) + 1)


@dataclass(frozen=True)
class Rotation:
    new_kid: str
    retired: list[tuple[str, datetime]]


def rotate_signing_key(*, now: datetime | None = None) -> Rotation:
    """Start signing with a new key; keep each old one published until its tokens expire."""
    now = now or timezone.now()
    new = create_signing_key()
    retired: list[tuple[str, datetime]] = []
    with transaction.atomic():
        for old in SigningKey.objects.filter(retired_at__isnull=True).exclude(pk=new.pk):
            last_access_token = AccessToken.objects.filter(
                jwt_kid=old.kid, revoked_at__isnull=True, expires_at__gt=now
            ).aggregate(last=Max("expires_at"))["last"]
            publish_until = max(now + ID_TOKEN_LIFETIME, last_access_token or now)
            old.retired_at = now
            old.publish_until = publish_until
            old.save(update_fields=["retired_at", "publish_until"])
            retired.append((old.kid, publish_until))
    return Rotation(new_kid=new.kid, retired=retired)


def published_keys(*, now: datetime | None = None) -> list[SigningKey]:
    now = now or timezone.now()
    return list(
        SigningKey.objects.filter(Q(retired_at__isnull=True) | Q(publish_until__gt=now)).order_by(
            "pk"
        )
    )


def jwks() -> dict[str, Any]:
    """RFC 7517 §5: only public members, one entry per key that may still verify a token."""
    public_members = ("kty", "n", "e", "alg", "use", "kid")
    return {
        "keys": [
            {name: key.public_jwk[name] for name in public_members if name in key.public_jwk}
            for key in published_keys()
        ]
    }
