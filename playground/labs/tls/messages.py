"""Reading a TLS handshake message: what each one carries, in the words of RFC 8446 §4.

The bytes are a whole handshake message (type, 24-bit length, body) as OpenSSL handed it to
the message callback, already decrypted. A message this module cannot read is shown by name and
size only: a reader for teaching, never one that decides anything.
"""

from __future__ import annotations

from collections.abc import Callable

from cryptography import x509

from pki import certificates
from playground.labs.tls import names
from playground.labs.tls.transcript import CertificateCard, Field, Message, Side


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.at = 0

    def integer(self, size: int) -> int:
        chunk = self.take(size)
        return int.from_bytes(chunk, "big")

    def take(self, size: int) -> bytes:
        if self.at + size > len(self.data):
            raise ValueError("message ends early")
        chunk = self.data[self.at : self.at + size]
        self.at += size
        return chunk

    def vector(self, length_size: int) -> bytes:
        return self.take(self.integer(length_size))

    def codes(self, length_size: int) -> list[int]:
        body = self.vector(length_size)
        return [int.from_bytes(body[i : i + 2], "big") for i in range(0, len(body) - 1, 2)]

    def extensions(self) -> dict[int, bytes]:
        if self.at >= len(self.data):
            return {}
        inner = _Reader(self.vector(2))
        found: dict[int, bytes] = {}
        while inner.at < len(inner.data):
            kind = inner.integer(2)
            found[kind] = inner.vector(2)
        return found


# Handshake types (RFC 8446 §4) → name and section.
MESSAGE_TYPES: dict[int, tuple[str, str]] = {
    1: ("ClientHello", "RFC 8446 §4.1.2"),
    2: ("ServerHello", "RFC 8446 §4.1.3"),
    4: ("NewSessionTicket", "RFC 8446 §4.6.1"),
    8: ("EncryptedExtensions", "RFC 8446 §4.3.1"),
    11: ("Certificate", "RFC 8446 §4.4.2"),
    12: ("ServerKeyExchange", "RFC 5246 §7.4.3"),
    13: ("CertificateRequest", "RFC 8446 §4.3.2"),
    14: ("ServerHelloDone", "RFC 5246 §7.4.5"),
    15: ("CertificateVerify", "RFC 8446 §4.4.3"),
    16: ("ClientKeyExchange", "RFC 5246 §7.4.7"),
    20: ("Finished", "RFC 8446 §4.4.4"),
    24: ("KeyUpdate", "RFC 8446 §4.6.3"),
}


def handshake_message(sender: Side, data: bytes, *, protection: str) -> Message:
    kind = data[0] if data else -1
    name, section = MESSAGE_TYPES.get(kind, (f"handshake message {kind}", "RFC 8446 §4"))
    body = data[4:]
    reader = _READERS.get(kind)
    fields: tuple[Field, ...] = (Field("size", f"{len(data)} bytes"),)
    cards: tuple[CertificateCard, ...] = ()
    if reader is not None:
        try:
            read_fields, cards = reader(body)
            fields = (*read_fields, *fields)
        except ValueError:
            pass  # shown by name and size only
    return Message(sender, name, section, protection, fields, cards)


def alert_message(sender: Side, data: bytes, *, protection: str) -> Message:
    level = data[0] if data else 2
    code = data[1] if len(data) > 1 else -1
    description = names.named(names.ALERTS, code)
    fields = (
        Field("description", f"{description} ({code})"),
        Field("level", "fatal" if level == 2 else "warning"),
    )
    return Message(sender, "Alert", "RFC 8446 §6", protection, fields, fatal=level == 2)


def change_cipher_spec(sender: Side, *, protection: str) -> Message:
    note = Field("why", "a dummy message so middleboxes that expect TLS 1.2 let the handshake pass")
    return Message(sender, "ChangeCipherSpec", "RFC 8446 §D.4", protection, (note,))


def card(certificate: x509.Certificate) -> CertificateCard:
    described = certificates.describe(certificate)
    return CertificateCard(
        subject=described.subject,
        issuer=described.issuer,
        serial_number=described.serial_number,
        not_before=described.not_before.isoformat(),
        not_after=described.not_after.isoformat(),
        key=described.key,
        alternative_names=tuple(described.alternative_names),
        extended_key_usage=tuple(described.extended_key_usage),
        is_authority=described.is_authority,
        x5t_s256=described.x5t_s256,
    )


def certificate_chain(data: bytes, *, tls13: bool) -> list[bytes]:
    """The DER certificates a Certificate message carries, leaf first (RFC 8446 §4.4.2)."""
    reader = _Reader(data[4:])
    if tls13:
        reader.vector(1)  # certificate_request_context
    entries = _Reader(reader.vector(3))
    found = []
    while entries.at < len(entries.data):
        found.append(entries.vector(3))
        if tls13:
            entries.vector(2)  # each entry's extensions
    return found


_Read = tuple[tuple[Field, ...], tuple[CertificateCard, ...]]


def _client_hello(body: bytes) -> _Read:
    reader = _Reader(body)
    legacy = reader.integer(2)
    reader.take(32)  # random
    reader.vector(1)  # legacy_session_id
    suites = reader.codes(2)
    reader.vector(1)  # legacy_compression_methods
    extensions = reader.extensions()
    fields = [Field("legacy_version", names.named(names.VERSIONS, legacy))]
    if 43 in extensions:
        offered = _Reader(extensions[43]).codes(1)
        versions = ", ".join(names.named(names.VERSIONS, v) for v in offered)
        fields.append(Field("supported_versions", versions))
    if 0 in extensions:
        server_name = _Reader(extensions[0])
        server_name.integer(2)
        server_name.integer(1)
        fields.append(Field("server_name", server_name.vector(2).decode("ascii", "replace")))
    suite_names = [names.cipher_suite(s) for s in suites]
    fields.append(Field("cipher_suites", f"{len(suites)} offered: " + ", ".join(suite_names)))
    fields.extend(_hello_extensions(extensions, client=True))
    return tuple(fields), ()


def _server_hello(body: bytes) -> _Read:
    reader = _Reader(body)
    legacy = reader.integer(2)
    reader.take(32)
    reader.vector(1)
    suite = reader.integer(2)
    reader.integer(1)
    extensions = reader.extensions()
    version = legacy
    if 43 in extensions:
        version = int.from_bytes(extensions[43][:2], "big")
    fields = [
        Field("version chosen", names.named(names.VERSIONS, version)),
        Field("cipher_suite", names.cipher_suite(suite)),
        *_hello_extensions(extensions, client=False),
    ]
    return tuple(fields), ()


def _hello_extensions(extensions: dict[int, bytes], *, client: bool) -> list[Field]:
    fields = []
    if 51 in extensions:
        shares = _Reader(extensions[51])
        if client:
            entries = _Reader(shares.vector(2))
            groups = []
            while entries.at < len(entries.data):
                groups.append(names.named(names.GROUPS, entries.integer(2)))
                entries.vector(2)
            fields.append(Field("key_share", "public keys for " + ", ".join(groups)))
        else:
            group = names.named(names.GROUPS, shares.integer(2))
            fields.append(Field("key_share", f"the server's public key for {group}"))
    if 13 in extensions:
        schemes = _Reader(extensions[13]).codes(2)
        fields.append(Field("signature_algorithms", _schemes(schemes)))
    listed = ", ".join(names.named(names.EXTENSIONS, kind) for kind in extensions)
    fields.append(Field("extensions", listed or "none"))
    return fields


def _schemes(codes: list[int]) -> str:
    return ", ".join(names.named(names.SIGNATURE_SCHEMES, code) for code in codes)


def _encrypted_extensions(body: bytes) -> _Read:
    extensions = _Reader(body).extensions()
    listed = ", ".join(names.named(names.EXTENSIONS, kind) for kind in extensions)
    return (Field("extensions", listed or "none"),), ()


def _certificate_request(body: bytes) -> _Read:
    reader = _Reader(body)
    context = reader.vector(1)
    extensions = reader.extensions()
    fields = [
        Field("certificate_request_context", f"{len(context)} bytes (empty in the handshake)")
    ]
    if 13 in extensions:
        fields.append(Field("signature_algorithms", _schemes(_Reader(extensions[13]).codes(2))))
    authorities = "listed" if 47 in extensions else "none named: any CA the server trusts"
    fields.append(Field("certificate_authorities", authorities))
    return tuple(fields), ()


def _certificate(body: bytes) -> _Read:
    chain = certificate_chain(b"\x0b\x00\x00\x00" + body, tls13=True)
    if not chain:
        return (Field("certificate_list", "empty: no certificate to offer"),), ()
    cards = tuple(card(x509.load_der_x509_certificate(der)) for der in chain)
    return (Field("certificate_list", f"{len(chain)} certificate(s)"),), cards


def _certificate_verify(body: bytes) -> _Read:
    reader = _Reader(body)
    scheme = names.named(names.SIGNATURE_SCHEMES, reader.integer(2))
    signature = reader.vector(2)
    fields = (
        Field("algorithm", scheme),
        Field("signature", f"{len(signature)} bytes over the transcript so far"),
    )
    return fields, ()


def _finished(body: bytes) -> _Read:
    return (Field("verify_data", f"{len(body)} bytes: an HMAC of the whole transcript"),), ()


def _new_session_ticket(body: bytes) -> _Read:
    lifetime = _Reader(body).integer(4)
    return (Field("ticket_lifetime", f"{lifetime} seconds"),), ()


_READERS: dict[int, Callable[[bytes], _Read]] = {
    1: _client_hello,
    2: _server_hello,
    4: _new_session_ticket,
    8: _encrypted_extensions,
    11: _certificate,
    13: _certificate_request,
    15: _certificate_verify,
    20: _finished,
}
