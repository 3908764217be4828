"""One real TLS handshake between a client and a server in this process, recorded as it happens.

Python's ssl runs both ends (SSLContext.wrap_bio over ssl.MemoryBIO pairs); this module moves
the bytes from one end to the other a bounded number of times and, through OpenSSL's message
callback (SSLContext._msg_callback, private in CPython but present since 3.8), writes down each
message a side sends: the plaintext of encrypted TLS 1.3 messages too, as that side sees it.
After the handshake the client sends one line of application data and the server answers,
because in TLS 1.3 a client learns that the server refused its certificate only from the alert
that arrives on its next read (RFC 8446 §4.4.2.4).
"""

from __future__ import annotations

import re
import ssl
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pki import certificates
from playground.labs.tls import messages
from playground.labs.tls.chain import check_chain
from playground.labs.tls.transcript import ChainVerdict, Field, Message, Side, Transcript

# A full TLS 1.3 mutual handshake needs three flights each way; this bounds a broken one.
MAX_ROUNDS = 8
REQUEST = b"GET /services/data/ HTTP/1.1\r\nHost: lab\r\n\r\n"
ANSWER = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"

# Record content types (RFC 8446 §5.1) and CPython's pseudo-types for what it reports.
CHANGE_CIPHER_SPEC, ALERT, HANDSHAKE, APPLICATION_DATA = 20, 21, 22, 23
RECORD_HEADER, INNER_CONTENT_TYPE = 0x100, 0x101


@dataclass(frozen=True)
class Setup:
    """Who holds which certificate, whom each side trusts, and what the client offers."""

    scenario: str
    server: certificates.IssuedCertificate
    client_trusts: Sequence[certificates.IssuedCertificate]
    server_name: str
    ask_for_client_certificate: bool = False
    server_trusts: Sequence[certificates.IssuedCertificate] = ()
    client: certificates.IssuedCertificate | None = None
    client_only_version: ssl.TLSVersion | None = None  # offer this version and no other


@dataclass
class _Recorder:
    messages: list[Message] = field(default_factory=list)
    chains: dict[Side, list[bytes]] = field(default_factory=dict)
    tls13: dict[Side, bool] = field(default_factory=dict)
    _record: dict[Side, int] = field(default_factory=dict)
    _finished: set[Side] = field(default_factory=set)

    def __call__(
        self, conn: Any, direction: str, version: Any, kind: Any, message: Any, data: bytes
    ) -> None:
        if direction != "write":
            return  # each message once, from its sender, in the order it went out
        sender: Side = "server" if conn.server_side else "client"
        kind = int(kind)
        if kind == RECORD_HEADER:
            self._record[sender] = data[0] if data else 0
            return
        protection = self._protection(sender)
        if kind == INNER_CONTENT_TYPE:
            if data[:1] == bytes([APPLICATION_DATA]):
                self.messages.append(_application_data(sender, protection))
        elif kind == HANDSHAKE:
            self._handshake(sender, int(version), data, protection)
        elif kind == ALERT:
            self.messages.append(messages.alert_message(sender, data, protection=protection))
        elif kind == CHANGE_CIPHER_SPEC:
            self.messages.append(messages.change_cipher_spec(sender, protection=protection))

    def _handshake(self, sender: Side, version: int, data: bytes, protection: str) -> None:
        message = messages.handshake_message(sender, data, protection=protection)
        self.messages.append(message)
        if message.name == "Certificate":
            self.tls13[sender] = version == ssl.TLSVersion.TLSv1_3
            try:
                self.chains[sender] = messages.certificate_chain(data, tls13=self.tls13[sender])
            except ValueError:
                self.chains[sender] = []
        if message.name == "Finished":
            self._finished.add(sender)

    def _protection(self, sender: Side) -> str:
        # RFC 8446 §7.1: a side's records after its own Finished use application traffic keys.
        if self._record.get(sender) != APPLICATION_DATA:
            return "in the clear"
        if sender in self._finished:
            return "encrypted (application traffic keys)"
        return "encrypted (handshake traffic keys)"


def _application_data(sender: Side, protection: str) -> Message:
    what = "an HTTP request" if sender == "client" else "the HTTP answer"
    fields = (Field("carries", what),)
    return Message(sender, "Application data", "RFC 8446 §5.2", protection, fields)


def perform(setup: Setup, *, now: datetime) -> Transcript:
    recorder = _Recorder()
    client_context, server_context = _contexts(setup)
    client_context._msg_callback = recorder  # type: ignore[attr-defined]
    server_context._msg_callback = recorder  # type: ignore[attr-defined]
    to_server, from_server, to_client, from_client = (ssl.MemoryBIO() for _ in range(4))
    client = client_context.wrap_bio(to_client, from_client, server_hostname=setup.server_name)
    server = server_context.wrap_bio(to_server, from_server, server_side=True)
    ends = {"client": client, "server": server}
    errors: dict[Side, ssl.SSLError] = {}
    done: set[Side] = set()

    def carry() -> None:
        to_server.write(from_client.read())
        to_client.write(from_server.read())

    sides: tuple[Side, Side] = ("client", "server")
    for _ in range(MAX_ROUNDS):
        for side in sides:
            if side in done or side in errors:
                continue
            try:
                ends[side].do_handshake()
                done.add(side)
            except ssl.SSLWantReadError:
                pass
            except ssl.SSLError as error:
                errors[side] = error
            carry()
        if done | set(errors) == set(sides):
            break
    version, cipher = "", ""
    if "client" in done:
        version, cipher = client.version() or "", (client.cipher() or ("",))[0]
    exchanged = "client" in done and _exchange(client, server, errors, carry)
    return Transcript(
        scenario=setup.scenario,
        messages=tuple(recorder.messages),
        chains=_verdicts(setup, recorder, errors, done, now=now),
        completed=exchanged,
        version=version,
        cipher=cipher,
        client_error=_words(errors.get("client")),
        server_error=_words(errors.get("server")),
        alert=_first_alert(recorder.messages),
    )


def _exchange(
    client: ssl.SSLObject, server: ssl.SSLObject, errors: dict[Side, ssl.SSLError], carry: Any
) -> bool:
    """The client's request and the server's answer; False when an alert cut them off."""
    try:
        client.write(REQUEST)
        carry()
        if "server" not in errors:
            server.read(len(REQUEST))
            server.write(ANSWER)
            carry()
        client.read(len(ANSWER))
    except ssl.SSLWantReadError:
        return False  # the server had stopped talking: no answer came
    except ssl.SSLError as error:
        side: Side = "client" if "server" in errors else "server"
        errors.setdefault(side, error)
        return False
    return "server" not in errors


def _verdicts(
    setup: Setup,
    recorder: _Recorder,
    errors: dict[Side, ssl.SSLError],
    done: set[Side],
    *,
    now: datetime,
) -> tuple[ChainVerdict, ...]:
    verdicts = []
    pairs: tuple[tuple[Side, Side], ...] = (("server", "client"), ("client", "server"))
    for holder, verifier in pairs:
        chain = recorder.chains.get(holder)
        if not chain:
            continue
        trusts = setup.client_trusts if verifier == "client" else setup.server_trusts
        checks = check_chain(
            chain,
            trusted=[ca.certificate for ca in trusts],
            holder=holder,
            host=setup.server_name if holder == "server" else None,
            now=now,
        )
        error = errors.get(verifier)
        if isinstance(error, ssl.SSLCertVerificationError):
            accepted, reason = False, f"refused: {error.verify_message}"
        else:
            accepted = verifier in done or error is None
            reason = "accepted" if accepted else f"stopped before judging: {_words(error)}"
        verdicts.append(ChainVerdict(verifier, checks, accepted, reason))
    return tuple(verdicts)


def _first_alert(recorded: list[Message]) -> str:
    for message in recorded:
        if message.name == "Alert" and message.fatal:
            return message.fields[0].value
    return ""


_SOURCE_LOCATION = re.compile(r"\s*\(_ssl\.c:\d+\)")


def _words(error: ssl.SSLError | None) -> str:
    """The error as ssl words it, without CPython's source location."""
    if error is None:
        return ""
    return f"{type(error).__name__}: {_SOURCE_LOCATION.sub('', str(error.args[-1]))}"


def _contexts(setup: Setup) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.minimum_version = ssl.TLSVersion.TLSv1_2  # RFC 8996: TLS 1.0 and 1.1 are gone
    server.num_tickets = 0  # one handshake, nothing to resume
    certificates.load_into(server, setup.server)
    if setup.ask_for_client_certificate:
        server.verify_mode = ssl.CERT_REQUIRED
        for authority in setup.server_trusts:
            server.load_verify_locations(cadata=authority.certificate_pem)
    client = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # verifies the server and its name
    for authority in setup.client_trusts:
        client.load_verify_locations(cadata=authority.certificate_pem)
    if setup.client is not None:
        certificates.load_into(client, setup.client)
    if setup.client_only_version is not None:
        with warnings.catch_warnings():
            # Offering a deprecated version is the point of this scenario (RFC 8996).
            warnings.simplefilter("ignore", DeprecationWarning)
            client.minimum_version = client.maximum_version = setup.client_only_version
        # OpenSSL 3 refuses to even offer TLS 1.0 at its default security level.
        client.set_ciphers("DEFAULT:@SECLEVEL=0")
    return client, server
