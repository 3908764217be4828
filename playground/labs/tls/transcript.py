"""What the lab records of one handshake: its messages, the chain checks and how it ended.

Frozen dataclasses, stored as JSON in a lab run (playground.run_store's dump and load).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Side = Literal["client", "server"]


@dataclass(frozen=True)
class Field:
    name: str
    value: str


@dataclass(frozen=True)
class CertificateCard:
    """A certificate as a handshake message carried it."""

    subject: str
    issuer: str
    serial_number: str
    not_before: str
    not_after: str
    key: str
    alternative_names: tuple[str, ...]
    extended_key_usage: tuple[str, ...]
    is_authority: bool
    x5t_s256: str


@dataclass(frozen=True)
class Message:
    """One TLS message, as the side that received it read it (after decrypting it)."""

    sender: Side
    name: str
    section: str  # where RFC 8446 (or the RFC named in it) defines it
    protection: str  # how it travelled: in the clear, or under which keys
    fields: tuple[Field, ...] = ()
    certificates: tuple[CertificateCard, ...] = ()
    fatal: bool = False  # an alert that ends the connection


@dataclass(frozen=True)
class Check:
    """One step of checking a certificate chain, with its reason."""

    aspect: Literal["signature", "validity", "name", "usage", "trust"]
    certificate: str  # the subject the check is about
    passed: bool
    reason: str


@dataclass(frozen=True)
class ChainVerdict:
    """A chain one side received, checked step by step, next to what OpenSSL decided."""

    verifier: Side
    checks: tuple[Check, ...]
    ssl_accepted: bool
    ssl_reason: str

    @property
    def accepted(self) -> bool:
        return all(check.passed for check in self.checks)

    @property
    def agrees(self) -> bool:
        return self.accepted == self.ssl_accepted


@dataclass(frozen=True)
class Transcript:
    scenario: str
    messages: tuple[Message, ...]
    chains: tuple[ChainVerdict, ...]
    completed: bool  # both sides finished the handshake and exchanged application data
    version: str = ""
    cipher: str = ""
    client_error: str = ""
    server_error: str = ""
    alert: str = ""  # the alert that ended it, as the wire carried it
