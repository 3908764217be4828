"""Password hashing: Argon2id with the parameters OWASP's Password Storage Cheat Sheet gives."""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class OwaspArgon2idHasher(Argon2PasswordHasher):
    """Argon2id at OWASP's first configuration: 19 MiB of memory, 2 passes, 1 lane.

    Django's own defaults (100 MiB, 8 lanes) cost about 200 ms of CPU per check on this
    project's two-core machines; these cost about 30 ms, so a room of people signing in at
    once does not queue behind the hashing. Hashes made with other parameters, or by
    another hasher listed after this one, are rehashed with these at the next sign-in.
    """

    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
