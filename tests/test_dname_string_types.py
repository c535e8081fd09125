"""keytool's per-attribute string types in a DN, byte for byte.

``keystoretool.certs.dname.typed_attribute`` is the one place that uses
cryptography's private API (``_ASN1Type``, ``_type=``, ``_validate=``) to pick
an attribute's ASN.1 string type as Java's X500Name does. An upgrade of
cryptography that changes or drops that API fails here, loudly, before it can
change a certificate or request keystoretool writes.
"""

from __future__ import annotations

import pytest

from keystoretool import certs
from keystoretool.certs.dname import typed_attribute


def _tlv(tag: int, content: bytes) -> bytes:
    assert len(content) < 0x80
    return bytes([tag, len(content)]) + content


def _rdn(oid_der: bytes, tag: int, value: bytes) -> bytes:
    return _tlv(0x31, _tlv(0x30, _tlv(0x06, oid_der) + _tlv(tag, value)))


CN = bytes.fromhex("550403")
O = bytes.fromhex("55040a")  # noqa: E741
C = bytes.fromhex("550406")
EMAIL = bytes.fromhex("2a864886f70d010901")
DC = bytes.fromhex("0992268993f22c640119")
PRINTABLE, UTF8, IA5 = 0x13, 0x0C, 0x16


def test_dname_string_types_are_javas() -> None:
    # Java's X500Name: IA5String for EMAILADDRESS and DC, PrintableString when
    # every character is printable, UTF8String otherwise; DER order reversed.
    name = certs.parse_dname("CN=Jürgen Groß, O=ACME Inc., EMAILADDRESS=a@b.example, DC=ex, C=DE")
    expected = _tlv(0x30, b"".join([
        _rdn(C, PRINTABLE, b"DE"),
        _rdn(DC, IA5, b"ex"),
        _rdn(EMAIL, IA5, b"a@b.example"),
        _rdn(O, PRINTABLE, b"ACME Inc."),
        _rdn(CN, UTF8, "Jürgen Groß".encode()),
    ]))
    assert name.public_bytes() == expected


def test_hex_value_keeps_its_string_type() -> None:
    # CN=#0c03414243: a UTF8String "ABC" that Java would otherwise write as PrintableString
    name = certs.parse_dname("CN=#0c03414243")
    assert name.public_bytes() == _tlv(0x30, _rdn(CN, UTF8, b"ABC"))


@pytest.mark.parametrize(("kind", "tag"), [
    ("PrintableString", PRINTABLE), ("UTF8String", UTF8), ("IA5String", IA5),
    ("T61String", 0x14), ("BMPString", 0x1E),
])
def test_typed_attribute_encodes_the_type_asked(kind: str, tag: int) -> None:
    from cryptography import x509

    value = "AB".encode("utf-16-be") if kind == "BMPString" else b"AB"
    for string_type in (kind, tag):  # by name or by DER tag
        attr = typed_attribute("2.5.4.3", "AB", string_type)
        assert x509.Name([attr]).public_bytes() == _tlv(0x30, _rdn(CN, tag, value))


def test_typed_attribute_without_validation_keeps_a_bad_country() -> None:
    from cryptography import x509

    with pytest.raises(ValueError):
        typed_attribute("2.5.4.6", "USA", "PrintableString")
    attr = typed_attribute("2.5.4.6", "USA", "PrintableString", validate=False)
    assert x509.Name([attr]).public_bytes() == _tlv(0x30, _rdn(C, PRINTABLE, b"USA"))
