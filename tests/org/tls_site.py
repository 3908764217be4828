"""The org served twice on one SQLite database, as `make run` serves it: gunicorn over HTTP and
`manage.py serve_tls` over TLS, each a real process on loopback. Clients here are Python's own
ssl and http.client, configured as any client would be."""

from __future__ import annotations

import http.client
import json
import socket
import ssl
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from bench.servers import (
    free_port,
    gunicorn,
    manage,
    serve_tls,
    sqlite_site_env,
)
from pki import certificates

HANDSHAKE_SECONDS = 2


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class TlsSite:
    env: dict[str, str]
    http_url: str
    tls_port: int
    directory: Path
    ca_pem: str = ""
    log_path: Path = field(default_factory=Path)

    @property
    def tls_url(self) -> str:
        return f"https://127.0.0.1:{self.tls_port}"

    def manage(self, *args: str) -> str:
        return manage(self.env, *args)

    def app(self, *args: str) -> dict[str, str]:
        issued: dict[str, str] = json.loads(self.manage("create_connected_app", "--json", *args))
        return issued

    def write(self, name: str, text: str) -> Path:
        path = self.directory / name
        path.write_text(text)
        return path

    def client_context(
        self,
        certificate: certificates.IssuedCertificate | None = None,
        *,
        chain: str = "",
        maximum: ssl.TLSVersion | None = None,
    ) -> ssl.SSLContext:
        context = ssl.create_default_context(cadata=self.ca_pem)
        if maximum is not None:
            context.maximum_version = maximum
        if certificate is not None:
            name = certificates.thumbprint(certificate.certificate)
            cert = self.write(f"{name}.pem", certificate.certificate_pem + chain)
            key = self.write(f"{name}.key", certificate.private_key_pem)
            context.load_cert_chain(cert, key)
        return context

    def request(
        self,
        method: str,
        path: str,
        *,
        context: ssl.SSLContext | None = None,
        form: dict[str, str] | None = None,
        token: str = "",
        host: str = "127.0.0.1",
    ) -> Answer:
        connection = http.client.HTTPSConnection(
            host, self.tls_port, context=context or self.client_context(), timeout=30
        )
        return _exchange(connection, method, path, form=form, token=token)

    def post_json(self, path: str, body: Any, *, token: str) -> Answer:
        connection = http.client.HTTPSConnection(
            "127.0.0.1", self.tls_port, context=self.client_context(), timeout=30
        )
        return _exchange(connection, "POST", path, form=None, token=token, json_body=body)

    def plain_request(
        self,
        method: str,
        path: str,
        *,
        form: dict[str, str] | None = None,
        token: str = "",
        json_body: Any = None,
    ) -> Answer:
        """The same request to the HTTP port."""
        connection = http.client.HTTPConnection(self.http_url.removeprefix("http://"), timeout=30)
        return _exchange(connection, method, path, form=form, token=token, json_body=json_body)

    def handshake_error(self, context: ssl.SSLContext) -> ssl.SSLError:
        """The error a client sees when the server refuses its handshake: in TLS 1.3 the
        refusal comes after the client's Finished, so it shows on the first read."""
        with socket.create_connection(("127.0.0.1", self.tls_port), timeout=30) as raw:
            try:
                with context.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
                    tls.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                    tls.recv(1)
            except ssl.SSLError as error:
                return error
        raise AssertionError("the handshake was not refused")

    def log(self) -> str:
        return self.log_path.read_text()


@contextmanager
def start_tls_site() -> Iterator[TlsSite]:
    """A TlsSite: HTTP and TLS on one database, stopped on leaving."""
    http_port, tls_port = free_port(), free_port()
    with (
        sqlite_site_env(f"http://127.0.0.1:{http_port}") as env,
        tempfile.TemporaryDirectory(prefix="handshake-tls-test-") as directory,
    ):
        env = {**env, "HANDSHAKE_TLS_URL": f"https://127.0.0.1:{tls_port}"}
        log_path = Path(directory) / "serve_tls.log"
        with (
            log_path.open("wb") as log,
            gunicorn(env, port=http_port) as http_url,
            serve_tls(env, port=tls_port, output=log, handshake_seconds=HANDSHAKE_SECONDS),
        ):
            site = TlsSite(
                env=env,
                http_url=http_url,
                tls_port=tls_port,
                directory=Path(directory),
                log_path=log_path,
            )
            site.ca_pem = site.plain_request("GET", "/setup/tls/ca.pem").body.decode()
            yield site


def _exchange(
    connection: http.client.HTTPConnection,
    method: str,
    path: str,
    *,
    form: dict[str, str] | None,
    token: str,
    json_body: Any = None,
) -> Answer:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    body = None
    if form is not None:
        body = urlencode(form)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    elif json_body is not None:
        body = json.dumps(json_body)
        headers["Content-Type"] = "application/json"
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return Answer(response.status, dict(response.getheaders()), response.read())
    finally:
        connection.close()
