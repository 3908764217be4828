"""Catalogue row I6: IPv6 spellings of refused IPv4 addresses are refused like their IPv4 form.

Addresses only: nothing here resolves a name or opens a connection.
"""

from __future__ import annotations

import ipaddress

import pytest

from playground.address_guard import refused_kind


@pytest.mark.parametrize(
    ("spelling", "kind"),
    [
        ("::127.0.0.1", "loopback"),  # IPv4-compatible
        ("::169.254.169.254", "link-local"),
        ("::10.0.0.1", "private or reserved"),
        ("64:ff9b::169.254.169.254", "link-local"),  # NAT64 well-known prefix
        ("64:ff9b::127.0.0.1", "loopback"),
        ("64:ff9b::192.168.1.1", "private or reserved"),
        ("::ffff:0:127.0.0.1", "loopback"),  # SIIT IPv4-translated
        ("::ffff:0:169.254.169.254", "link-local"),
        ("::ffff:127.0.0.1", "loopback"),  # IPv4-mapped
    ],
)
def test_i6_ipv6_forms_of_refused_ipv4_addresses_are_refused(spelling, kind):
    assert refused_kind(ipaddress.ip_address(spelling)) == kind


@pytest.mark.parametrize(
    "spelling", ["::203.0.113.9", "64:ff9b::203.0.113.9", "::ffff:0:203.0.113.9"]
)
def test_i6_ipv6_forms_are_refused_whatever_ipv4_address_they_carry_is_refused_for(spelling):
    # 203.0.113.0/24 is documentation space (RFC 5737): reserved, so refused in any spelling.
    assert refused_kind(ipaddress.ip_address(spelling)) == "private or reserved"


@pytest.mark.parametrize("spelling", ["::", "::1"])
def test_i6_the_ipv6_unspecified_and_loopback_addresses_stay_refused(spelling):
    assert refused_kind(ipaddress.ip_address(spelling))
