"""keystoretool.certinfo against real keytool 17, byte for byte: every certificate
(keytool-, openssl- and hand-made; tests/certinfohelpers.py) through one
``-printcert`` and ``-list -v``, warnings included.
"""

from __future__ import annotations

import pytest
from certinfohelpers import (
    ALL_LABELS,
    KEYTOOL_ALIASES,
    KeytoolStore,
    Printed,
    _list_v_blocks,
    _load,
    assert_same,
    ctx,
    ext,
    make_cert,
    oid,
    seq,
    spki,
    tlv,
)

from keystoretool import certinfo

pytestmark = [pytest.mark.require_keytool("17"), pytest.mark.interop]


@pytest.mark.parametrize("label", ALL_LABELS)
def test_printcert_block_matches_keytool(printed: Printed, label: str) -> None:
    der = printed.ders[label]
    assert_same(printed.blocks[label], certinfo.print_x509(der), f"-printcert of {label}")
    cert = _load(der) if not label.startswith("der:") else None
    if cert is not None:  # the cryptography object gives the same text as the DER
        assert certinfo.print_x509(cert) == printed.blocks[label]


def test_printcert_weak_warnings_match_keytool(printed: Printed) -> None:
    n = len(printed.labels)
    ours: list[str] = []
    for i, label in enumerate(printed.labels, 1):
        ours += certinfo.weak_warnings(f"The certificate #{i} of {n}", printed.ders[label])
    assert ours == printed.warnings
    # the set covers weak and disabled signatures and keys
    text = "\n".join(ours)
    for needle in ("SHA1withRSA signature algorithm", "MD5withRSA", "is disabled.",
                   "1024-bit RSA key", "768-bit RSA key", "192-bit EC (secp192r1) key",
                   "1024-bit DSA key", "163-bit EC (sect163k1) key"):
        assert needle in text


@pytest.mark.parametrize("alias", KEYTOOL_ALIASES)
def test_list_v_blocks_match_keytool(keytool_store: KeytoolStore, alias: str) -> None:
    blocks = _list_v_blocks(keytool_store.list_v, alias)
    chain = keytool_store.certs[alias]
    assert len(blocks) == len(chain)
    trusted = alias == "trusted"
    for i, (block, der) in enumerate(zip(blocks, chain, strict=True), 1):
        assert_same(block, certinfo.print_x509(der, trusted=trusted), f"-list -v {alias}[{i}]")


def test_list_v_weak_warnings_match_keytool(keytool_store: KeytoolStore) -> None:
    expected = keytool_store.list_err.split("Warning:\n", 1)[1].splitlines()
    ours: list[str] = []
    for alias in sorted(KEYTOOL_ALIASES):  # PKCS12 lists aliases in this order here
        for der in keytool_store.certs[alias]:
            ours += certinfo.weak_warnings(f"<{alias}>", der, trusted=alias == "trusted")
    assert sorted(ours) == sorted(expected)
    assert "<trusted> uses a 1024-bit RSA key" in "\n".join(ours)
    assert not any("<trusted> uses the SHA1withRSA" in w for w in ours)


def test_broken_input_raises_keytools_error() -> None:
    with pytest.raises(certinfo.CertificateParseError, match="^Failed to parse input$"):
        certinfo.print_x509(b"\x30\x03\x02\x01")
    with pytest.raises(certinfo.CertificateParseError):
        certinfo.weak_warnings("The certificate", b"garbage")
    with pytest.raises(certinfo.CertificateParseError):
        certinfo.x500_str(b"\x31\x00")
    assert certinfo.x500_str(seq()) == "" and certinfo.x500_rfc2253(seq()) == ""
    with pytest.raises(certinfo.CertificateParseError):  # keytool refuses these too
        certinfo.print_x509(make_cert(version=1, exts=[ext("1.2.3", b"")]))
    with pytest.raises(certinfo.CertificateParseError, match="^Failed to parse input$"):
        certinfo.print_x509(make_cert(exts=[ext("2.5.29.17", seq(ctx(6, b"x")), True)]))


def test_algorithm_warnings_for_requests() -> None:
    key = spki("rsa1024")
    assert certinfo.algorithm_warnings("The certificate request", "SHA1withRSA", key) == [
        "The certificate request uses the SHA1withRSA signature algorithm which is considered "
        "a security risk. This algorithm will be disabled in a future update.",
        "The certificate request uses a 1024-bit RSA key which is considered a security risk. "
        "This key size will be disabled in a future update.",
    ]
    assert certinfo.algorithm_warnings("x", "MD5withRSA", None) == [
        "x uses the MD5withRSA signature algorithm which is considered a security risk and is "
        "disabled."
    ]
    assert certinfo.algorithm_warnings("x", "SHA256withRSA", spki("rsa2048")) == []


def test_trusted_entry_signature_is_not_tagged() -> None:
    weak = make_cert(key="rsa1024", sigalg=seq(oid("1.2.840.113549.1.1.5"), tlv(5, b"")))
    assert "Signature algorithm name: SHA1withRSA (weak)\n" in certinfo.print_x509(weak)
    assert "Signature algorithm name: SHA1withRSA\n" in certinfo.print_x509(weak, trusted=True)
    assert "1024-bit RSA key (weak)" in certinfo.print_x509(weak, trusted=True)
    plain = certinfo.print_x509(weak, weak_check=False)
    assert "(weak)" not in plain and "SHA1withRSA\n" in plain
