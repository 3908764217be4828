"""TLS handshakes per second (one-way and mutual), and token requests per second over mutual
TLS against the same requests over plain HTTPS, all against one serve_tls in the same run.

Starts `manage.py serve_tls` in the foreground of its own process on a throwaway SQLite file,
registers two client-credentials apps (one with a consumer secret, one with a client
certificate, RFC 8705), then from a few client threads: opens and closes TLS connections
(each a full handshake, no resumption), and asks the token endpoint for tokens, each on a new
connection as the listener serves one exchange per handshake when clients do not keep alive.
Prints the figures and stops the server by its process id.
"""

from __future__ import annotations

import http.client
import json
import os
import platform
import socket
import ssl
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.servers import (  # noqa: E402
    free_port,
    manage,
    serve_tls,
    sqlite_site_env,
)
from pki import certificates  # noqa: E402

CLIENTS = 4
OPERATIONS_PER_CLIENT = 100


def _per_second(operation: Callable[[], None]) -> float:
    def client() -> None:
        for _ in range(OPERATIONS_PER_CLIENT):
            operation()

    started = time.perf_counter()
    with ThreadPoolExecutor(CLIENTS) as pool:
        for future in [pool.submit(client) for _ in range(CLIENTS)]:
            future.result()
    return CLIENTS * OPERATIONS_PER_CLIENT / (time.perf_counter() - started)


def main() -> None:
    http_port, tls_port = free_port(), free_port()
    with (
        sqlite_site_env(f"http://127.0.0.1:{http_port}") as env,
        tempfile.TemporaryDirectory(prefix="handshake-bench-tls-") as directory,
    ):
        env = {**env, "HANDSHAKE_TLS_URL": f"https://127.0.0.1:{tls_port}"}
        folder = Path(directory)
        ca = certificates.make_authority("bench client CA")
        leaf = certificates.issue(ca, common_name="bench", purpose=certificates.Purpose.CLIENT)
        (folder / "bundle.pem").write_text(leaf.certificate_pem + ca.certificate_pem)
        (folder / "cert.pem").write_text(leaf.certificate_pem)
        (folder / "key.pem").write_text(leaf.private_key_pem)
        common = ["--json", "--grant", "client_credentials", "--run-as", "ada@handshake.example"]
        secret_app = json.loads(manage(env, "create_connected_app", "--name", "secret", *common))
        mutual_app = json.loads(
            manage(
                env,
                "create_connected_app",
                "--name",
                "mutual",
                *common,
                "--client-cert",
                str(folder / "bundle.pem"),
            )
        )
        ca_pem = manage(
            env, "shell", "-c", "from org.tls import authority; print(authority.authority_pem())"
        )
        with serve_tls(env, port=tls_port):
            one_way = ssl.create_default_context(cadata=ca_pem)
            mutual = ssl.create_default_context(cadata=ca_pem)
            mutual.load_cert_chain(folder / "cert.pem", folder / "key.pem")

            def handshake(context: ssl.SSLContext) -> Callable[[], None]:
                def run() -> None:
                    with (
                        socket.create_connection(("127.0.0.1", tls_port), timeout=30) as raw,
                        context.wrap_socket(raw, server_hostname="127.0.0.1") as tls,
                    ):
                        tls.sendall(b"")

                return run

            def token(context: ssl.SSLContext, form: dict[str, str]) -> Callable[[], None]:
                body = urlencode({"grant_type": "client_credentials", **form})

                def run() -> None:
                    connection = http.client.HTTPSConnection(
                        "127.0.0.1", tls_port, context=context, timeout=30
                    )
                    connection.request(
                        "POST",
                        "/services/oauth2/token",
                        body=body,
                        headers={"Content-Type": "application/x-www-form-urlencoded"},
                    )
                    response = connection.getresponse()
                    response.read()
                    connection.close()
                    if response.status != 200:
                        raise RuntimeError(f"token request answered {response.status}")

                return run

            figures = {
                "handshakes_per_second_one_way": _per_second(handshake(one_way)),
                "handshakes_per_second_mutual": _per_second(handshake(mutual)),
                "token_requests_per_second_https_secret": _per_second(
                    token(
                        one_way,
                        {
                            "client_id": secret_app["client_id"],
                            "client_secret": secret_app["client_secret"],
                        },
                    )
                ),
                "token_requests_per_second_mutual_tls": _per_second(
                    token(mutual, {"client_id": mutual_app["client_id"]})
                ),
            }
    print(
        f"bench/tls.py — {platform.python_version()}, {ssl.OPENSSL_VERSION}, {os.cpu_count()} CPUs"
    )
    print(
        f"{CLIENTS} client threads x {OPERATIONS_PER_CLIENT} operations, each on a new connection"
    )
    for name, value in figures.items():
        print(f"  {name:42} {value:8.1f}")
    ratio = (
        figures["token_requests_per_second_mutual_tls"]
        / figures["token_requests_per_second_https_secret"]
    )
    print(f"  mutual TLS token requests / plain HTTPS ones: {ratio:.2f}")


if __name__ == "__main__":
    main()
