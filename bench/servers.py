"""Start and stop real servers on loopback for benchmarks and multi-process tests.

Every server runs in the foreground of its own process and is stopped by that process id
(a daemonised gunicorn master leaves a zombie on these machines).
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_BIN_DIRS = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def production_env(base_url: str, *, database_url: str | None = None) -> dict[str, str]:
    """The environment of a production-like site on a loopback http base URL."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="loopback-only-secret-key-" + "b" * 40,
        DJANGO_SECURE_SSL_REDIRECT="false",
        HANDSHAKE_BASE_URL=base_url,
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout


def prepare_site(env: dict[str, str]) -> None:
    """Migrate, seed the org and collect static files, as a deployment would."""
    manage(env, "migrate", "--noinput")
    manage(env, "seed_org")
    manage(env, "collectstatic", "--noinput")


def wait_until_listening(
    port: int, process: subprocess.Popen[bytes], *, seconds: float = 30
) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server on port {port} exited early ({process.returncode})")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listened on port {port} within {seconds} s")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _bin(name: str) -> str:
    return str(Path(sys.executable).with_name(name))


def _gunicorn(app: str, *options: str) -> Callable[[int, int], list[str]]:
    def command(port: int, workers: int) -> list[str]:
        return [
            _bin("gunicorn"),
            app,
            f"--workers={workers}",
            *options,
            f"--bind=127.0.0.1:{port}",
            "--log-level=warning",
        ]

    return command


def _granian(interface: str, app: str) -> Callable[[int, int], list[str]]:
    def command(port: int, workers: int) -> list[str]:
        return [
            _bin("granian"),
            f"--interface={interface}",
            f"--workers={workers}",
            "--host=127.0.0.1",
            f"--port={port}",
            "--log-level=warning",
            "--no-ws",
            app,
        ]

    return command


def _uvicorn(port: int, workers: int) -> list[str]:
    return [_bin("uvicorn"), *UVICORN_OPTIONS, f"--workers={workers}", f"--port={port}"]


# How `make run` starts uvicorn (the Makefile says the same): no access log, as gunicorn; and
# REMOTE_ADDR stays the connection's peer (uvicorn would otherwise take X-Forwarded-For from
# loopback clients, so any local client could pick the address its throttles count).
UVICORN_OPTIONS = (
    "config.asgi:application",
    "--host=127.0.0.1",
    "--no-proxy-headers",
    "--no-access-log",
    "--ws=none",
    "--log-level=warning",
    # A held long poll would otherwise keep a stopping server up for its whole 110 s.
    "--timeout-graceful-shutdown=10",
    # Idle keep-alive connections outlive the clients' own expiry (httpx's and Node's are
    # 5 s): at uvicorn's 5 s both ends let go at once, and a request sent as the server closes
    # was reset (`make loadtest`: a device flow polling every 5 s).
    "--timeout-keep-alive=20",
)

# The servers bench/serving.py compares, by name: each is a command for (port, workers).
# config.asgi routes /cometd/ to Django's ASGI handler and the rest to the WSGI site in threads.
SERVERS: dict[str, Callable[[int, int], list[str]]] = {
    "gunicorn sync": _gunicorn("config.wsgi"),
    "gunicorn gthread": _gunicorn("config.wsgi", "--worker-class=gthread", "--threads=4"),
    "uvicorn (config.asgi)": _uvicorn,
    "gunicorn + uvicorn workers (config.asgi)": _gunicorn(
        "config.asgi", "--worker-class=uvicorn_worker.UvicornWorker"
    ),
    "granian WSGI": _granian("wsgi", "config.wsgi:application"),
    "granian ASGI (config.asgi)": _granian("asgi", "config.asgi:application"),
}


# What `make run` and production serve (bench/README.md, "serving"); benchmarks of the site
# use it unless told otherwise.
SITE_SERVER = "uvicorn (config.asgi)"


def add_server_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--server", choices=sorted(SERVERS), default=SITE_SERVER)


@contextmanager
def serve(
    env: dict[str, str], *, port: int, workers: int = 2, server: str = "gunicorn sync"
) -> Iterator[str]:
    """Serve the site on 127.0.0.1:port with one of SERVERS; yields its URL."""
    process = subprocess.Popen(SERVERS[server](port, workers), cwd=ROOT, env=env)
    try:
        wait_until_listening(port, process)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(process)


@contextmanager
def gunicorn(env: dict[str, str], *, port: int, workers: int = 2) -> Iterator[str]:
    """Serve the site with gunicorn's sync workers on 127.0.0.1:port; yields its URL."""
    with serve(env, port=port, workers=workers, server="gunicorn sync") as url:
        yield url


@contextmanager
def serve_tls(
    env: dict[str, str],
    *,
    port: int,
    output: Any = subprocess.DEVNULL,
    handshake_seconds: float = 10,
) -> Iterator[str]:
    """The site's TLS listener (manage.py serve_tls) on 127.0.0.1:port; yields its URL."""
    process = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "serve_tls",
            f"--port={port}",
            f"--handshake-timeout={handshake_seconds}",
        ],
        cwd=ROOT,
        env={**env, "HANDSHAKE_TLS_URL": f"https://127.0.0.1:{port}"},
        stdout=output,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_until_listening(port, process)
        yield f"https://127.0.0.1:{port}"
    finally:
        stop(process)


@contextmanager
def sqlite_site_env(base_url: str) -> Iterator[dict[str, str]]:
    """The environment of a prepared site for `base_url` on a throwaway SQLite database."""
    with tempfile.TemporaryDirectory(prefix="handshake-site-") as tmp:
        env = production_env(base_url)
        env["HANDSHAKE_SQLITE_PATH"] = str(Path(tmp) / "site.sqlite3")
        prepare_site(env)
        yield env


@contextmanager
def sqlite_site(*, workers: int = 2) -> Iterator[str]:
    """A prepared site on a throwaway SQLite database, served by gunicorn; yields its URL."""
    port = free_port()
    with (
        sqlite_site_env(f"http://127.0.0.1:{port}") as env,
        gunicorn(env, port=port, workers=workers) as url,
    ):
        yield url


def postgres_available() -> bool:
    return bool(POSTGRES_BIN_DIRS) and shutil.which("runuser") is not None


@dataclass
class PostgresCluster:
    """A throwaway PostgreSQL cluster in a temporary directory, owned by `postgres`."""

    directory: Path
    port: int

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/handshake"

    def _pg_ctl(self, *args: str) -> None:
        subprocess.run(
            ["runuser", "-u", "postgres", "--", str(POSTGRES_BIN_DIRS[0] / "pg_ctl"), *args],
            check=True,
            capture_output=True,
        )

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -c fsync=off "
            f"-c unix_socket_directories={self.directory}"
        )
        self._pg_ctl(
            "-D",
            str(self.directory / "data"),
            "-o",
            options,
            "-l",
            str(self.directory / "log"),
            "-w",
            "start",
        )

    def stop(self) -> None:
        self._pg_ctl("-D", str(self.directory / "data"), "-m", "fast", "-w", "stop")


@contextmanager
def postgres() -> Iterator[PostgresCluster]:
    """initdb refuses root, so the cluster is made and run as the `postgres` user."""
    directory = Path(tempfile.mkdtemp(prefix="handshake-pg-"))
    shutil.chown(directory, user="postgres")
    cluster = PostgresCluster(directory=directory, port=free_port())
    bin_dir = POSTGRES_BIN_DIRS[0]
    try:
        subprocess.run(
            [
                "runuser",
                "-u",
                "postgres",
                "--",
                str(bin_dir / "initdb"),
                "-D",
                str(directory / "data"),
                "-A",
                "trust",
                "-U",
                "postgres",
                "--no-sync",
            ],
            check=True,
            capture_output=True,
        )
        cluster.start()
        subprocess.run(
            [
                "runuser",
                "-u",
                "postgres",
                "--",
                str(bin_dir / "createdb"),
                "-h",
                "127.0.0.1",
                "-p",
                str(cluster.port),
                "handshake",
            ],
            check=True,
            capture_output=True,
        )
        yield cluster
    finally:
        with suppress(subprocess.CalledProcessError):  # a test may have stopped it already
            cluster.stop()
        shutil.rmtree(directory, ignore_errors=True)
