"""Server CPU time of the token endpoint's hot path (and introspection, userinfo, REST reads) and
a sign-in's password check, in process, against the bare baseline view, with the SQL statements
each request runs; `--profile token` (or `rest`) adds where a token request (or the REST read a
trainee's every round makes) spends its time.

Django's test client through the full middleware stack, production settings (DEBUG off,
the production password hashers) on a throwaway SQLite database; no network, no server.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import platform
import pstats
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote, urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ROUNDS = 1000
WARM_UP = 100
FORM = "application/x-www-form-urlencoded"
DEMO_USER, DEMO_PASSWORD = "ada@handshake.example", "handshake-demo"


def _measure(
    call: Callable[[], object], beside: Callable[[], object], rounds: int
) -> tuple[list[float], list[float]]:
    """CPU times (ms, this process's, system time included) of `call` and of `beside` (the
    baseline), taking turns round by round: other work on a shared machine then neither counts
    nor falls on one of the two more than on the other."""
    for _ in range(min(WARM_UP, rounds)):
        call()
        beside()
    timings: tuple[list[float], list[float]] = ([], [])
    for _ in range(rounds):
        for run, series in ((call, timings[0]), (beside, timings[1])):
            start = time.process_time()
            run()
            series.append((time.process_time() - start) * 1000)
    return timings


def _statements(call: Callable[[], object]) -> int:
    """How many SQL statements one call runs, BEGIN and COMMIT included."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured.captured_queries)


def _line(label: str, timings: list[float], baseline: float, statements: int) -> str:
    ordered = sorted(timings)
    p50 = statistics.median(ordered)
    p99 = ordered[min(len(ordered) - 1, round(len(ordered) * 0.99))]
    return (
        f"{label:<34} p50 {p50:8.3f} ms   p99 {p99:8.3f} ms   "
        f"{p50 / baseline:7.1f}× baseline ({baseline:.3f} ms)   {statements:2} statements   "
        f"(n={len(ordered)})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--profile", choices=["token", "rest"])
    options = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="handshake-hot-path-")
    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="loopback-only-secret-key-" + "h" * 40,
        DJANGO_SECURE_SSL_REDIRECT="false",
        HANDSHAKE_SQLITE_PATH=str(Path(tmp) / "site.sqlite3"),
        HANDSHAKE_BASE_URL="http://127.0.0.1:8790",
    )
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import check_password, make_password
    from django.core.management import call_command
    from django.test import Client

    from org.connected_apps import create_connected_app

    call_command("migrate", verbosity=0)
    call_command("seed_org", verbosity=0)
    app = create_connected_app(
        name="Hot path", grants=["client_credentials"], scopes=["api"], run_as=DEMO_USER
    )
    client = Client(HTTP_HOST="127.0.0.1")
    token_form = urlencode(
        {
            "grant_type": "client_credentials",
            "client_id": app.client_id,
            "client_secret": app.client_secret,
        }
    )

    def token() -> str:
        response = client.post("/services/oauth2/token", token_form, content_type=FORM)
        assert response.status_code == 200, response.content
        return str(response.json()["access_token"])

    access = token()
    bearer = {"Authorization": f"Bearer {access}"}
    introspect_form = urlencode(
        {"token": access, "client_id": app.client_id, "client_secret": app.client_secret}
    )
    user = get_user_model().objects.get(username=DEMO_USER)
    pbkdf2 = make_password(DEMO_PASSWORD, hasher="pbkdf2_sha256")
    print(f"Python {platform.python_version()} on {platform.machine()}, in-process test client")
    print(f"stored password hash: {user.password.split('$')[0]} {user.password.split('$')[2]}\n")

    rest_query = "/services/data/v62.0/query?q=" + quote("SELECT Id FROM Account LIMIT 1")
    # What bench/trainee.py reads with every new token: the sObject's basic information.
    rest_info = "/services/data/v62.0/sobjects/Account/"

    def rest_read() -> object:
        return client.get(rest_info, headers=bearer)

    calls: list[tuple[str, Callable[[], object], int]] = [
        ("client_credentials token", token, options.rounds),
        (
            "introspect",
            lambda: client.post("/services/oauth2/introspect", introspect_form, content_type=FORM),
            options.rounds,
        ),
        (
            "userinfo",
            lambda: client.get("/services/oauth2/userinfo", headers=bearer),
            options.rounds,
        ),
        ("REST API query", lambda: client.get(rest_query, headers=bearer), options.rounds),
        ("REST API sObject info", rest_read, options.rounds),
        ("password check, stored hash", lambda: check_password(DEMO_PASSWORD, user.password), 30),
        ("password check, PBKDF2 (before)", lambda: check_password(DEMO_PASSWORD, pbkdf2), 5),
    ]

    def baseline_call() -> object:
        return client.get("/baseline/")

    for label, call, rounds in calls:
        timings, baseline = _measure(call, baseline_call, rounds)
        print(_line(label, timings, statistics.median(baseline), _statements(call)))
    if options.profile:
        profiled, label = (
            (token, "client_credentials token")
            if options.profile == "token"
            else (rest_read, f"GET {rest_info}")
        )
        profile = cProfile.Profile()
        profile.runcall(lambda: [profiled() for _ in range(300)])
        print(f"\n{label}, 300 requests, by cumulative time:")
        pstats.Stats(profile).sort_stats("cumulative").print_stats(r"org/|authlib/|django/", 30)


if __name__ == "__main__":
    main()
