from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pki import certificates
from playground.labs.tls import cast, messages
from playground.labs.tls.handshake import Setup, perform
from playground.labs.tls.scenarios import FAULTS, SCENARIOS
from playground.models import TlsLabRun


def names(transcript, sender=None):
    return [m.name for m in transcript.messages if sender in (None, m.sender)]


def page_text(response):
    return html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode()))


def fault_article(response, slug):
    content = response.content.decode()
    found = re.search(rf'<article[^>]*id="fault-{slug}".*?</article>', content, re.S)
    assert found, slug
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(0))))


def start(client):
    response = client.post(reverse("playground:start_tls_lab"))
    assert response.status_code == 303
    run_url = response["Location"]
    return run_url, client.get(run_url)


# The handshakes themselves ------------------------------------------------------------------


def test_one_way_handshake_has_no_client_authentication():
    transcript = perform(SCENARIOS["one-way"].build(cast.make_cast()), now=datetime.now(UTC))
    assert transcript.completed
    assert transcript.version == "TLSv1.3"
    assert names(transcript, "server")[:7] == [
        "ServerHello",
        "ChangeCipherSpec",
        "EncryptedExtensions",
        "Certificate",
        "CertificateVerify",
        "Finished",
        "Application data",
    ]
    assert "CertificateRequest" not in names(transcript)
    assert "Certificate" not in names(transcript, "client")
    assert [chain.verifier for chain in transcript.chains] == ["client"]


def test_mutual_handshake_follows_rfc_8446_figure_1():
    transcript = perform(SCENARIOS["mutual"].build(cast.make_cast()), now=datetime.now(UTC))
    assert transcript.completed
    sent = [(m.sender, m.name) for m in transcript.messages if m.name != "ChangeCipherSpec"]
    assert sent == [
        ("client", "ClientHello"),
        ("server", "ServerHello"),
        ("server", "EncryptedExtensions"),
        ("server", "CertificateRequest"),
        ("server", "Certificate"),
        ("server", "CertificateVerify"),
        ("server", "Finished"),
        ("client", "Certificate"),
        ("client", "CertificateVerify"),
        ("client", "Finished"),
        ("client", "Application data"),
        ("server", "Application data"),
    ]
    by_name = {(m.sender, m.name): m for m in transcript.messages}
    assert by_name[("client", "ClientHello")].protection == "in the clear"
    assert by_name[("server", "CertificateRequest")].protection.startswith("encrypted (handshake")
    client_certificate = by_name[("client", "Certificate")].certificates[0]
    assert client_certificate.subject.endswith(f"CN={cast.CLIENT_NAME}")
    assert client_certificate.extended_key_usage == ("clientAuth",)
    server_certificate = by_name[("server", "Certificate")].certificates[0]
    assert server_certificate.alternative_names == (f"DNS:{cast.SERVER_NAME}",)
    assert [(c.verifier, c.accepted, c.ssl_accepted) for c in transcript.chains] == [
        ("client", True, True),
        ("server", True, True),
    ]


@pytest.mark.parametrize(
    ("slug", "alert", "client_error", "server_error", "failed_check"),
    [
        (
            "no-client-certificate",
            "certificate_required (116)",
            "TLSV13_ALERT_CERTIFICATE_REQUIRED",
            "PEER_DID_NOT_RETURN_A_CERTIFICATE",
            None,
        ),
        (
            "untrusted-ca",
            "unknown_ca (48)",
            "TLSV1_ALERT_UNKNOWN_CA",
            "unable to get local issuer certificate",
            "signature",
        ),
        (
            "expired-client-certificate",
            "certificate_expired (45)",
            "SSLV3_ALERT_CERTIFICATE_EXPIRED",
            "certificate has expired",
            "validity",
        ),
        (
            "wrong-host-name",
            "bad_certificate (42)",
            "Hostname mismatch",
            "SSLV3_ALERT_BAD_CERTIFICATE",
            "name",
        ),
        (
            "tls-1-0",
            "protocol_version (70)",
            "TLSV1_ALERT_PROTOCOL_VERSION",
            "UNSUPPORTED_PROTOCOL",
            None,
        ),
    ],
)
def test_each_fault_ends_in_its_real_alert(slug, alert, client_error, server_error, failed_check):
    transcript = perform(SCENARIOS[slug].build(cast.make_cast()), now=datetime.now(UTC))
    assert not transcript.completed
    assert transcript.alert == alert
    assert client_error in transcript.client_error
    assert server_error in transcript.server_error
    for chain in transcript.chains:
        assert chain.agrees, (slug, chain)
    failed = {c.aspect for chain in transcript.chains for c in chain.checks if not c.passed}
    assert (failed_check in failed) if failed_check else not failed


def test_without_a_client_certificate_the_tls13_client_finishes_before_it_is_refused():
    transcript = perform(
        SCENARIOS["no-client-certificate"].build(cast.make_cast()), now=datetime.now(UTC)
    )
    sent = [(m.sender, m.name) for m in transcript.messages]
    assert sent.index(("client", "Finished")) < sent.index(("server", "Alert"))
    empty = transcript.messages[sent.index(("client", "Certificate"))]
    assert not empty.certificates
    assert empty.fields[0].value == "empty: no certificate to offer"
    assert transcript.version == "TLSv1.3"  # the client's handshake had completed


def test_tls_1_0_is_refused_at_the_first_message():
    transcript = perform(SCENARIOS["tls-1-0"].build(cast.make_cast()), now=datetime.now(UTC))
    hello = transcript.messages[0]
    assert (hello.sender, hello.name) == ("client", "ClientHello")
    assert {f.name: f.value for f in hello.fields}["legacy_version"] == "TLS 1.0"
    assert names(transcript) == ["ClientHello", "Alert"]
    assert transcript.chains == ()


# Chain checks agree with OpenSSL ------------------------------------------------------------

hours = st.integers(min_value=-72, max_value=72)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    starts=hours,
    length=st.integers(min_value=1, max_value=96),
    host=st.sampled_from([cast.SERVER_NAME, "api.handshake.test", "ORG.handshake.test"]),
    server_purpose=st.sampled_from([certificates.Purpose.SERVER, certificates.Purpose.CLIENT]),
)
def test_step_by_step_checks_agree_with_openssl(starts, length, host, server_purpose):
    actors = cast.make_cast()
    now = datetime.now(UTC)
    begin = now + timedelta(hours=starts)
    server = certificates.issue(
        actors.authority,
        common_name=cast.SERVER_NAME,
        purpose=server_purpose,
        dns_names=[cast.SERVER_NAME],
        not_before=begin,
        not_after=begin + timedelta(hours=length),
    )
    setup = Setup(
        scenario="one-way", server=server, client_trusts=(actors.authority,), server_name=host
    )
    transcript = perform(setup, now=now)
    (chain,) = transcript.chains
    assert chain.agrees, chain
    assert chain.ssl_accepted == transcript.completed


@given(st.binary(max_size=600), st.sampled_from([1, 2, 4, 8, 11, 13, 15, 20, 99]))
def test_reading_any_bytes_as_a_message_never_raises(body, kind):
    data = bytes([kind]) + len(body).to_bytes(3, "big") + body
    message = messages.handshake_message("client", data, protection="in the clear")
    assert message.fields[-1].value == f"{len(data)} bytes"


# The pages ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_lab_page_offers_both_handshakes_and_links_to_the_advisor(client):
    response = client.get(reverse("playground:tls_lab"))
    assert response.status_code == 200
    content = response.content.decode()
    assert f'action="{reverse("playground:start_tls_lab")}"' in content
    assert f'href="{reverse("advisor:wizard")}"' in content
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
def test_playground_links_to_the_lab(client):
    content = client.get(reverse("playground:flow_list")).content.decode()
    assert f'href="{reverse("playground:tls_lab")}"' in content


@pytest.mark.django_db
def test_performing_the_lab_shows_both_handshakes_side_by_side(client):
    run_url, response = start(client)
    assert response.status_code == 200
    text = page_text(response)
    assert text.count("Handshake complete.") == 2
    assert "TLSv1.3, TLS_AES_256_GCM_SHA384" in text
    assert "CertificateRequest" in text
    assert "RFC 8446 §4.3.2" in text
    assert "x5t#S256" in text
    assert text.count("they agree") == 3  # the server's chain twice, the client's once
    assert "they disagree" not in text
    run = TlsLabRun.objects.get()
    assert [entry["scenario"] for entry in run.handshakes] == ["one-way", "mutual"]
    assert run_url == reverse("playground:tls_lab_run", args=[run.pk])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("slug", "alert"),
    [
        ("no-client-certificate", "certificate_required"),
        ("untrusted-ca", "unknown_ca"),
        ("expired-client-certificate", "certificate_expired"),
        ("wrong-host-name", "bad_certificate"),
        ("tls-1-0", "protocol_version"),
    ],
)
def test_break_it_shows_the_real_alert_and_the_lesson(client, slug, alert):
    run_url, _ = start(client)
    run = TlsLabRun.objects.get()
    response = client.post(reverse("playground:break_tls_lab", args=[run.pk, slug]))
    assert response.status_code == 303
    assert response["Location"] == f"{run_url}#fault-{slug}"
    article = fault_article(client.get(run_url), slug)
    assert f"Refused with the alert {alert}" in article
    assert "The lesson." in article
    assert "Try it again" in article
    run.refresh_from_db()
    assert run.handshakes[-1]["scenario"] == slug
    assert run.version == 1


@pytest.mark.django_db
def test_a_fault_not_yet_tried_shows_only_its_button(client):
    run_url, response = start(client)
    for fault in FAULTS:
        article = fault_article(response, fault.slug)
        assert "Try it" in article
        assert "Refused" not in article


@pytest.mark.django_db
def test_another_browser_cannot_see_or_break_a_lab_run(client):
    run_url, _ = start(client)
    run = TlsLabRun.objects.get()
    stranger = Client()
    assert stranger.get(run_url).status_code == 404
    fault_url = reverse("playground:break_tls_lab", args=[run.pk, "tls-1-0"])
    assert stranger.post(fault_url).status_code == 404
    run.refresh_from_db()
    assert len(run.handshakes) == 2
    assert "Lab run of" not in stranger.get(reverse("playground:tls_lab")).content.decode()


@pytest.mark.django_db
def test_unknown_faults_and_wrong_methods_get_clear_answers(client):
    run_url, _ = start(client)
    run = TlsLabRun.objects.get()
    assert (
        client.post(reverse("playground:break_tls_lab", args=[run.pk, "mutual"])).status_code == 404
    )
    assert (
        client.post(reverse("playground:break_tls_lab", args=[run.pk, "nope"])).status_code == 404
    )
    assert (
        client.get(reverse("playground:break_tls_lab", args=[run.pk, "tls-1-0"])).status_code == 405
    )
    assert client.get(reverse("playground:start_tls_lab")).status_code == 405
    assert client.get(reverse("playground:tls_lab_run", args=["x" * 32])).status_code == 404


@pytest.mark.django_db
def test_the_lab_run_lists_on_the_lab_page_for_its_owner(client):
    run_url, _ = start(client)
    assert f'href="{run_url}"' in client.get(reverse("playground:tls_lab")).content.decode()


@pytest.mark.django_db
def test_purge_expired_retires_lab_runs_a_week_after_their_last_handshake(client):
    from io import StringIO

    from django.core.management import call_command
    from django.utils import timezone

    start(client)
    start(client)
    old, recent = TlsLabRun.objects.order_by("created")
    TlsLabRun.objects.filter(pk=old.pk).update(updated=timezone.now() - timedelta(days=8))
    out = StringIO()
    call_command("purge_expired", stdout=out)
    assert "handshake lab runs: 1 deleted in 1 batch" in out.getvalue()
    assert list(TlsLabRun.objects.values_list("pk", flat=True)) == [recent.pk]


@pytest.mark.django_db
def test_starting_lab_runs_is_counted_with_the_playground_runs(client):
    from org.creation_limits import RUNS

    for _ in range(RUNS.per_visitor):
        assert client.post(reverse("playground:start_tls_lab")).status_code == 303
    refused = client.post(reverse("playground:start_tls_lab"))
    assert refused.status_code == 429
    assert TlsLabRun.objects.count() == RUNS.per_visitor
