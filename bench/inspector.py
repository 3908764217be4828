"""JWT inspector: time to verify an RS256 ID token, against a bare pyjwt decode as the floor.

In-process, no server: `python bench/inspector.py` prints p50/p99 for each case.
"""

from __future__ import annotations

import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import jwt  # noqa: E402
from cryptography.hazmat.primitives import serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import rsa  # noqa: E402

from playground.inspector import Expected, JwksKey, PemKey, inspect_jwt  # noqa: E402

ROUNDS = 3000
WARM_UP = 200
ISSUER = "http://127.0.0.1:8000"
AUDIENCE = "3MVG9bench"


def _measure(label: str, call: Callable[[], object]) -> None:
    for _ in range(WARM_UP):
        call()
    timings = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        call()
        timings.append((time.perf_counter() - started) * 1000)
    cuts = statistics.quantiles(timings, n=100)
    print(f"{label:<46} p50 {cuts[49]:7.3f} ms   p99 {cuts[98]:7.3f} ms   n={ROUNDS}")


def main() -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = key.public_key()
    jwk = {**jwt.algorithms.RSAAlgorithm.to_jwk(public, as_dict=True), "kid": "1", "alg": "RS256"}
    pem = public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": "005x", "iat": now, "exp": now + 3600}
    token = jwt.encode(claims, key, algorithm="RS256", headers={"kid": "1"})
    key_set = JwksKey({"keys": [jwk]}, origin="the bench key set")
    expected = Expected(issuer=ISSUER, audience=AUDIENCE)
    assert inspect_jwt(token, key=key_set, expected=expected).valid

    print(f"Python {platform.python_version()}, pyjwt {jwt.__version__}, RS256 with a 2048-bit key")
    _measure(
        "baseline: bare jwt.decode (loaded key)",
        lambda: jwt.decode(token, public, algorithms=["RS256"], audience=AUDIENCE, issuer=ISSUER),
    )
    _measure("inspect_jwt, decode only (no key)", lambda: inspect_jwt(token))
    _measure(
        "inspect_jwt against a JWKS document",
        lambda: inspect_jwt(token, key=key_set, expected=expected),
    )
    _measure(
        "inspect_jwt against a pasted PEM",
        lambda: inspect_jwt(token, key=PemKey(pem), expected=expected),
    )


if __name__ == "__main__":
    main()
