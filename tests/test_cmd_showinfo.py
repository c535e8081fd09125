"""-showinfo -tls: keytool's layout, our TLS stack's content (a documented
difference: Python's ssl over OpenSSL, not JSSE)."""

from __future__ import annotations

import ssl

import pytest
from interop import run_cli, run_keytool

from keystoretool.tlsinfo import iana_name


def _sections(text: str) -> tuple[list[str], list[str]]:
    head, _, suites = text.partition("\nEnabled Cipher Suites\n---------------------\n")
    assert head.startswith("Enabled Protocols\n-----------------\n")
    return head.splitlines()[2:], suites.splitlines()


@pytest.mark.require_keytool("17")
def test_showinfo_tls_has_keytools_layout() -> None:
    theirs = run_keytool(["-showinfo", "-tls"])
    ours = run_cli(["-showinfo", "-tls"])
    assert theirs.returncode == ours.returncode == 0
    assert ours.stderr == b""
    t_protocols, t_suites = _sections(theirs.stdout.decode())
    o_protocols, o_suites = _sections(ours.stdout.decode())
    assert ours.stdout.decode().endswith("\n") and not ours.stdout.decode().endswith("\n\n")
    # TLS 1.3 and 1.2, newest first, in both stacks
    assert o_protocols == t_protocols == ["TLSv1.3", "TLSv1.2"]
    # suites under JSSE's (IANA) names; the TLS 1.3 suites are the same three
    assert all(s.startswith("TLS_") for s in o_suites)
    assert {s for s in o_suites if "_WITH_" not in s} == \
        {s for s in t_suites if "_WITH_" not in s} - {"TLS_EMPTY_RENEGOTIATION_INFO_SCSV"}
    assert "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384" in o_suites


def test_showinfo_tls_lists_our_default_context() -> None:
    ours = run_cli(["showinfo", "--tls"])
    assert ours.returncode == 0
    _, suites = _sections(ours.stdout.decode())
    expected = []
    for c in ssl.create_default_context().get_ciphers():
        if iana_name(c["name"]) not in expected:
            expected.append(iana_name(c["name"]))
    assert suites == expected


def test_showinfo_without_tls_and_names() -> None:
    r = run_cli(["-showinfo"])
    assert r.returncode == 0
    assert r.stdout == b'Missing option for -showinfo. Try "keystoretool -showinfo -tls".\n'
    assert iana_name("ECDHE-ECDSA-AES128-GCM-SHA256") == "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"
    assert iana_name("ECDHE-RSA-CHACHA20-POLY1305") == \
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"
    assert iana_name("DHE-RSA-AES256-SHA256") == "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256"
    assert iana_name("AES128-SHA") == "TLS_RSA_WITH_AES_128_CBC_SHA"
    assert iana_name("ECDHE-RSA-AES256-SHA") == "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA"
    assert iana_name("AES256-GCM-SHA384") == "TLS_RSA_WITH_AES_256_GCM_SHA384"
    assert iana_name("TLS_AES_128_GCM_SHA256") == "TLS_AES_128_GCM_SHA256"
