"""keystoretool/x509der.py: the one named parse of a certificate's fields, on der.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from keystoretool import der, x509der

PEM_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "pem"


def _fixture_certs() -> list[x509.Certificate]:
    certs: list[x509.Certificate] = []
    for path in sorted(PEM_DIR.glob("*.pem")):
        certs.extend(x509.load_pem_x509_certificates(path.read_bytes()))
    assert certs
    return certs


@pytest.mark.parametrize("index", range(len(_fixture_certs())))
def test_fields_match_cryptography(index: int) -> None:
    cert = _fixture_certs()[index]
    data = cert.public_bytes(serialization.Encoding.DER)
    c = x509der.parse_certificate(data)
    assert c.der == data
    assert c.version == cert.version.value + 1
    assert c.serial == cert.serial_number
    assert c.issuer == cert.issuer.public_bytes()
    assert c.subject == cert.subject.public_bytes()
    assert c.not_before == cert.not_valid_before_utc
    assert c.not_after == cert.not_valid_after_utc
    assert c.spki == cert.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert x509der.parse_one(c.signature).children()[0].oid() == (
        cert.signature_algorithm_oid.dotted_string
    )
    assert c.extensions is not None
    assert [(e.oid, e.critical) for e in c.extensions] == [
        (e.oid.dotted_string, e.critical) for e in cert.extensions
    ]
    issuer, subject = x509der.issuer_and_subject(data)
    assert issuer == x509der.canonical_name(cert.issuer.public_bytes())
    assert subject == x509der.canonical_name(cert.subject.public_bytes())


def test_canonical_name_folds_case_and_spaces() -> None:
    def name(cn: str) -> bytes:
        return x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, cn)]).public_bytes()

    assert x509der.canonical_name(name("root  ca")) == x509der.canonical_name(name("Root CA"))


def test_certificates_are_read_as_der_only() -> None:
    cert = _fixture_certs()[0].public_bytes(serialization.Encoding.DER)
    # The same structure with an indefinite outer length: BER, refused for certificates.
    indefinite = b"\x30\x80" + x509der.parse_one(cert).content + b"\x00\x00"
    assert der.parse(indefinite).tag == der.SEQUENCE  # the BER reader takes it
    with pytest.raises(der.DerError) as info:
        x509der.parse_certificate(indefinite)
    assert info.value.kind == "bad-length"
    with pytest.raises(der.DerError) as info:
        x509der.parse_certificate(cert[:-1])
    assert info.value.kind == "short-read"
    with pytest.raises(der.DerError) as info:
        x509der.parse_certificate(cert + b"\x00")
    assert info.value.kind == "trailing"


def test_short_tbs_is_a_value_error() -> None:
    tbs = der.seq(der.explicit(0, der.integer(2)), der.integer(1))
    with pytest.raises(ValueError):
        x509der.parse_certificate(der.seq(tbs, der.seq(der.oid("1.2.3")), der.tlv(3, b"\0")))
