"""X.509 certificates and X.500 names read as Java reads them, with :mod:`.der`.

Two things live here because both the formats layer and the rendering layer
need them: the one named parse of a certificate's fields
(:func:`parse_certificate` -> :class:`Certificate`, as
``sun.security.x509.X509CertInfo`` reads a TBSCertificate), and X.500 names
(:func:`rdns`, the ``X500Principal`` RFC 2253 form and the canonical form
``X500Principal.equals`` compares). Java's ``toString()`` forms, which only
the rendering needs, stay in :mod:`keystoretool.certinfo`.

Parse failures raise :class:`~keystoretool.der.DerError` (a ``ValueError``).
"""

from __future__ import annotations

import datetime as _dt
import re
from typing import Any, NamedTuple

from . import der
from .der import DerError, Node

# sun.security.x509.AVAKeyword (the preferred keyword of each OID); the flag says
# whether the keyword is used by getName(RFC2253).
AVA_KEYWORDS: dict[str, tuple[str, bool]] = {
    "2.5.4.3": ("CN", True),
    "2.5.4.6": ("C", True),
    "2.5.4.7": ("L", True),
    "2.5.4.8": ("ST", True),
    "2.5.4.10": ("O", True),
    "2.5.4.11": ("OU", True),
    "2.5.4.12": ("T", False),
    "1.3.6.1.4.1.42.2.11.2.1": ("IP", False),
    "2.5.4.9": ("STREET", True),
    "0.9.2342.19200300.100.1.25": ("DC", True),
    "2.5.4.46": ("DNQ", False),
    "2.5.4.4": ("SURNAME", False),
    "2.5.4.42": ("GIVENNAME", False),
    "2.5.4.43": ("INITIALS", False),
    "2.5.4.44": ("GENERATION", False),
    "1.2.840.113549.1.9.1": ("EMAILADDRESS", False),
    "0.9.2342.19200300.100.1.1": ("UID", True),
    "2.5.4.5": ("SERIALNUMBER", False),
}

# The string types the RFC 2253 form prints as text (others as #hex).  JDK 17
# decodes every one of them as UTF-8, whatever its real encoding.
_RFC2253_STRING_TAGS = {
    der.PRINTABLE_STRING, der.T61_STRING, der.IA5_STRING, der.GENERAL_STRING,
    der.BMP_STRING, der.UTF8_STRING,
}


def parse_one(data: bytes) -> Node:
    """One DER element filling ``data`` (definite lengths only, as Java reads certificates)."""
    return der.parse(data, ber=False)


def children(content: bytes) -> list[Node]:
    """The DER elements one after another in ``content``."""
    return der.parse_all(content, ber=False)


def oid(content: bytes) -> str:
    """An OBJECT IDENTIFIER's content in dotted form (bounded by the enclosing value)."""
    return der.decode_oid(content, None)


def integer(content: bytes) -> int:
    """An INTEGER's content, any size (serial numbers, RSA moduli)."""
    if not content:
        raise DerError("Invalid encoding: zero length Int value")
    return int.from_bytes(content, "big", signed=True)


def is_printable_char(c: str) -> bool:
    """``DerValue.isPrintableStringChar``."""
    return ("a" <= c <= "z") or ("A" <= c <= "Z") or ("0" <= c <= "9") or c in " '()+,-./:=?"


# ---------------------------------------------------------------------------
# Certificates
# ---------------------------------------------------------------------------


class Extension(NamedTuple):
    oid: str
    critical: bool
    value: bytes  # the extnValue OCTET STRING's content


class Certificate(NamedTuple):
    """The fields of a DER certificate, by name (byte fields are whole DER encodings)."""

    der: bytes  # the whole certificate
    version: int  # 1, 2 or 3
    serial: int
    signature: bytes  # TBSCertificate.signature, the AlgorithmIdentifier
    issuer: bytes  # Name
    not_before: _dt.datetime  # aware, UTC
    not_after: _dt.datetime
    subject: bytes  # Name
    spki: bytes  # SubjectPublicKeyInfo
    extensions: list[Extension] | None  # None: no [3] extensions field


def parse_certificate(data: bytes) -> Certificate:
    """The TBSCertificate fields of a DER certificate (:class:`DerError` if broken)."""
    cert = children(parse_one(data).content)
    tbs = children(cert[0].content)
    version = 1
    i = 0
    if tbs[0].tag == 0xA0:  # [0] EXPLICIT version, absent for v1
        version = integer(parse_one(tbs[0].content).content) + 1
        i = 1
    # Too few fields: ValueError, as any other malformed certificate.
    serial_n, signature, issuer, validity, subject, spki = tbs[i : i + 6]
    serial = integer(serial_n.content)
    not_before, not_after = children(validity.content)[:2]
    exts: list[Extension] | None = None
    for t in tbs[i + 6 :]:  # issuerUniqueID [1], subjectUniqueID [2], extensions [3]
        if t.tag == 0xA3:
            if version != 3:  # as X509CertInfo: only a v3 certificate has extensions
                raise DerError("Extensions not allowed in v2 certificate")
            exts = []
            for e in children(parse_one(t.content).content):
                parts = children(e.content)
                critical = len(parts) == 3 and parts[1].content != b"\x00"
                exts.append(Extension(oid(parts[0].content), critical, parts[-1].content))
    return Certificate(
        data, version, serial, signature.raw, issuer.raw,
        parse_time(not_before.tag, not_before.content),
        parse_time(not_after.tag, not_after.content),
        subject.raw, spki.raw, exts,
    )


def parse_time(tag: int, content: bytes) -> _dt.datetime:
    """A UTCTime (``tag`` 0x17) or GeneralizedTime as ``DerInputBuffer.getTime()`` reads it."""
    text = content.decode("ascii")
    year_digits = 2 if tag == der.UTC_TIME else 4
    m = re.fullmatch(  # what DerInputBuffer.getTime() accepts, offsets included
        r"(\d{" + str(year_digits) + r"})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)?(?:[.,](\d+))?"
        r"(Z|[+-]\d{4})",
        text,
    )
    if m is None:
        raise DerError("Parse " + ("UTC" if tag == der.UTC_TIME else "Generalized") + " time")
    year = int(m.group(1))
    if tag == der.UTC_TIME:
        year += 2000 if year < 50 else 1900
    frac = m.group(7) or ""
    micro = int((frac + "000000")[:3]) * 1000 if frac else 0
    when = _dt.datetime(
        year, int(m.group(2)), int(m.group(3)), int(m.group(4)), int(m.group(5)),
        int(m.group(6) or 0), micro, tzinfo=_dt.UTC,
    )
    zone = m.group(8)
    if zone != "Z":
        offset = _dt.timedelta(hours=int(zone[1:3]), minutes=int(zone[3:5]))
        when = when - offset if zone[0] == "+" else when + offset
    return when


# ---------------------------------------------------------------------------
# Names
# ---------------------------------------------------------------------------


def rdns(name_der: bytes) -> list[list[tuple[str, Node]]]:
    """RDNs in DER order; each a list of (oid, value) in encoded order."""
    seq = parse_one(name_der)
    if seq.tag != der.SEQUENCE:
        raise DerError("X500Name: expected a SEQUENCE")
    out: list[list[tuple[str, Node]]] = []
    for rdn in children(seq.content):
        if rdn.tag != der.SET:
            raise DerError("X500 RDN")
        avas: list[tuple[str, Node]] = []
        for ava in children(rdn.content):
            parts = children(ava.content)
            if ava.tag != der.SEQUENCE or len(parts) != 2 or parts[0].tag != der.OID:
                raise DerError("X500 AVA")
            avas.append((oid(parts[0].content), parts[1]))
        out.append(avas)
    return out


def _ava_value_rfc2253(keyword: str, value: Node) -> str:
    """The value part of ``AVA.toRFC2253String()``."""
    if keyword[0].isdigit() or value.tag not in _RFC2253_STRING_TAGS:
        return "#" + value.raw.hex()
    val = value.content.decode("utf-8", errors="replace")
    escapees = ',=+<>#;"\\'
    buf: list[str] = []
    for c in val:
        if is_printable_char(c) or c in escapees:
            if c in escapees:
                buf.append("\\")
            buf.append(c)
        elif c == "\0":
            buf.append("\\00")
        else:
            buf.append(c)
    chars = "".join(buf)
    lead = 0
    while lead < len(chars) and chars[lead] in " \r":
        lead += 1
    trail = len(chars) - 1
    while trail >= 0 and chars[trail] in " \r":
        trail -= 1
    return "".join(
        ("\\" + c) if (i < lead or i > trail) else c for i, c in enumerate(chars)
    )


def rfc2253(name_der: bytes) -> str:
    """``X500Principal.getName(X500Principal.RFC2253)`` of a DER Name."""
    parts = []
    for rdn in reversed(rdns(name_der)):
        avas = []
        for ava_oid, value in rdn:
            entry = AVA_KEYWORDS.get(ava_oid)
            kw = entry[0] if entry is not None and entry[1] else ava_oid
            avas.append(kw + "=" + _ava_value_rfc2253(kw, value))
        parts.append("+".join(avas))
    return ",".join(parts)


def canonical_name(name_der: bytes) -> Any:
    """A DER Name in the form names are compared in: the one rule,
    :func:`keystoretool.relations.canonical_name` (``X500Principal.equals``)."""
    from .relations import canonical_name as java_canonical_name

    return java_canonical_name(name_der)


def issuer_and_subject(cert: bytes) -> tuple[Any, Any]:
    """Issuer and subject of a DER certificate in :func:`canonical_name` form."""
    c = parse_certificate(cert)
    return canonical_name(c.issuer), canonical_name(c.subject)

