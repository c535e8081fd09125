"""X.500 names and GeneralNames as Java's ``toString()`` prints them.

``X500Principal.toString()`` (:func:`x500_str`), ``getName(RFC2253)``
(:func:`x500_rfc2253`, computed in :mod:`keystoretool.x509der`) and
``sun.security.x509.GeneralName.toString()`` for every choice.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .. import der
from ..der import Node
from ..x509der import AVA_KEYWORDS as _AVA_KEYWORDS
from ..x509der import is_printable_char as _is_printable_char
from ..x509der import rdns as _rdns
from ..x509der import rfc2253 as _rfc2253
from .common import (
    CertificateParseError,
    _children,
    _decode,
    _DerError,
    _hexdump,
    _oid,
    _parse_one,
)

if TYPE_CHECKING:  # cryptography is imported only when one of its objects is passed in
    from cryptography import x509

# DerValue.getAsString(): the string types Java decodes (the one charset table).
_AS_STRING_CHARSET = {t: c for t, c in der.STRING_CHARSETS.items() if t in der.JAVA_STRING_TAGS}

def _ava_value_default(value: Node) -> str:
    """The value part of ``AVA.toString()`` (RFC 1779-style quoting)."""
    charset = _AS_STRING_CHARSET.get(value.tag)
    if charset is None:
        return "#" + value.raw.hex()
    val = _decode(value.content, charset)
    escapees = ',+=\n<>#;\\"'
    quote = False
    prev_white = False
    out: list[str] = []
    n = len(val)
    already_quoted = n > 1 and val[0] == '"' and val[-1] == '"'
    for i, c in enumerate(val):
        if already_quoted and (i == 0 or i == n - 1):
            out.append(c)
            continue
        if _is_printable_char(c) or c in escapees:
            if not quote and ((i == 0 and c in " \n") or c in escapees):
                quote = True
            if c not in " \n":
                if c in '"\\':
                    out.append("\\")
                prev_white = False
            else:
                if not quote and prev_white:
                    quote = True
                prev_white = True
            out.append(c)
        else:
            prev_white = False
            out.append(c)
    text = "".join(out)
    if text and text[-1] in " \n":
        quote = True
    if not already_quoted and quote:
        return '"' + text + '"'
    return text


def _name_der(name: x509.Name | bytes) -> bytes:
    return bytes(name) if isinstance(name, bytes | bytearray) else name.public_bytes()


def _x500_str_der(name_der: bytes) -> str:
    rdns = _rdns(name_der)
    parts = []
    for rdn in reversed(rdns):
        avas = []
        for oid, value in rdn:
            kw = _AVA_KEYWORDS[oid][0] if oid in _AVA_KEYWORDS else "OID." + oid
            avas.append(kw + "=" + _ava_value_default(value))
        parts.append(" + ".join(avas))
    return ", ".join(parts)


def x500_str(name: x509.Name | bytes) -> str:
    """``X500Principal.toString()``: ``CN=John Doe, OU=Eng, O=ACME, C=DE``.

    Accepts a ``cryptography`` Name or the DER encoding of a Name.  RDNs are
    printed last-to-first, multi-valued RDNs joined with ``" + "``, values
    quoted as Java does (``O="ACME, Inc."``), unknown types as ``OID.1.2.3=``.
    """
    try:
        return _x500_str_der(_name_der(name))
    except (_DerError, IndexError, ValueError) as exc:
        raise CertificateParseError("Invalid X.500 name") from exc


def x500_rfc2253(name: x509.Name | bytes) -> str:
    """``X500Principal.getName(X500Principal.RFC2253)`` (e.g. PKCS12 friendlyNames)."""
    try:
        return _rfc2253(_name_der(name))
    except (_DerError, IndexError, ValueError) as exc:
        raise CertificateParseError("Invalid X.500 name") from exc


# ---------------------------------------------------------------------------
# GeneralName and friends
# ---------------------------------------------------------------------------


def _ip_text(addr: bytes) -> str:
    """``InetAddress.getByAddress(..).getHostAddress()``."""
    if len(addr) == 4:
        return ".".join(str(b) for b in addr)
    if addr[:10] == b"\0" * 10 and addr[10:12] == b"\xff\xff":
        return ".".join(str(b) for b in addr[12:])  # IPv4-mapped becomes Inet4Address
    return ":".join(f"{int.from_bytes(addr[i:i + 2], 'big'):x}" for i in range(0, 16, 2))


def _ip_name(addr: bytes) -> str:
    """``IPAddressName.toString()``."""
    if len(addr) == 4:
        return "IPAddress: " + _ip_text(addr)
    if len(addr) == 8:
        return "IPAddress: " + _ip_text(addr[:4]) + "/" + _ip_text(addr[4:])
    if len(addr) == 16:
        return "IPAddress: " + _ip_text(addr)
    if len(addr) == 32:
        mask = int.from_bytes(addr[16:], "big")
        prefix = 0
        while prefix < 128 and mask & (1 << (127 - prefix)):
            prefix += 1
        if mask & ((1 << (128 - prefix)) - 1):
            return "IPAddress: " + _hexdump(addr)
        return "IPAddress: " + _ip_text(addr[:16]) + "/" + str(prefix)
    raise _DerError("Invalid IPAddressName")


_URI_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
_URI_BAD = re.compile(r"[\x00-\x20\"<>\\^`{|}\x7f]")


def _uri_name(text: str) -> str:
    if _URI_BAD.search(text):
        raise _DerError("invalid URI name:" + text)
    if not _URI_SCHEME.match(text):
        raise _DerError("URI name must include scheme:" + text)
    return "URIName: " + text


def _rfc822_name(text: str) -> str:
    if not text:
        raise _DerError("RFC822Name may not be null or empty")
    domain = text[text.find("@") + 1 :]
    if not domain:
        raise _DerError("RFC822Name may not end with @")
    if domain == ".":
        raise _DerError("RFC822Name domain may not be just .")
    return "RFC822Name: " + text


def _general_name(tlv: Node) -> str:
    """``GeneralName.toString()`` for one implicitly/explicitly tagged choice."""
    number = tlv.tag & 0x1F
    if number == 0:  # otherName
        parts = _children(tlv.content)
        if not parts or parts[0].tag != 0x06:
            raise _DerError("Invalid encoding of Other-Name")
        return "Other-Name: Unrecognized ObjectIdentifier: " + _oid(parts[0].content)
    if number == 1:
        return _rfc822_name(_decode(tlv.content, "ascii"))
    if number == 2:
        return "DNSName: " + _decode(tlv.content, "ascii")
    if number == 3:
        return "X400Address: <DER-encoded value>"
    if number == 4:
        inner = _children(tlv.content)
        if len(inner) != 1:
            raise _DerError("Invalid encoding of Directory Name")
        return _x500_str_der(inner[0].raw)
    if number == 5:
        return _edi_party_name(tlv)
    if number == 6:
        return _uri_name(_decode(tlv.content, "ascii"))
    if number == 7:
        return _ip_name(tlv.content)
    if number == 8:
        return "OIDName: " + _oid(tlv.content)
    raise _DerError("Unrecognized GeneralName tag, (" + str(number) + ")")


def _directory_string(tlv: Node) -> str | None:
    charset = _AS_STRING_CHARSET.get(tlv.tag)
    return _decode(tlv.content, charset) if charset else None


def _edi_party_name(tlv: Node) -> str:
    """JDK 17's EDIPartyName: only *primitive* [0]/[1] fields are read (a quirk)."""
    assigner = party = None
    for part in _children(tlv.content):
        opt = part
        if opt.tag == 0x80:
            opt = _parse_one(opt.content)
            assigner = _directory_string(opt)
        if opt.tag == 0x81:
            opt = _parse_one(opt.content)
            party = _directory_string(opt)
    text = "EDIPartyName: "
    if assigner is not None:
        text += "  nameAssigner = " + assigner + ","  # (a null assigner is skipped)
    return text + "  partyName = " + ("null" if party is None else party)


def _general_names(content: bytes) -> list[str]:
    """``new GeneralNames(DerValue)`` (the SEQUENCE tag already checked or implicit)."""
    if not content:
        raise _DerError("No data available in passed DER encoded value.")
    return [_general_name(t) for t in _children(content)]
