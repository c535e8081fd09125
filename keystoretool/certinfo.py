"""Render certificates exactly as OpenJDK 17 ``keytool`` prints them.

keytool's ``printX509Cert`` block (used by ``-list -v``, ``-printcert`` and the
import prompts) is made of Java ``toString()`` forms: ``X500Principal``,
``Date``, ``BigInteger.toString(16)`` and the ``sun.security.x509`` extension
classes.  This module re-implements those forms from the certificate's DER so
the output is byte-identical to keytool's, including extensions that the
``cryptography`` package would refuse to parse.

Public API: :func:`print_x509`, :func:`print_certreq`, :func:`certreq_sig_alg_name`,
:func:`weak_warnings`, :func:`algorithm_warnings`,
:func:`fingerprint`, :func:`pem`, :func:`java_date`, :func:`java_medium_date`,
:func:`key_description`, :func:`java_sig_alg_name`, :func:`x500_str`,
:func:`x500_rfc2253`; :class:`CertificateParseError` where keytool says
"Failed to parse input".  Certificates may be given as ``cryptography``
objects or DER bytes (bytes also work where cryptography's parser is stricter
than Java's, e.g. keytool's own SHA256withDSA certificates).

What is emulated is JDK 17.0.15 exactly: its extension classes and their
``toString()`` quirks, ``KnownOIDs`` names, ``CurveDB`` key sizes, the
``jdk.certpath.disabledAlgorithms``/``jdk.security.legacyAlgorithms`` defaults
and the JVM's time-zone names (Locale.US short names of every zone ID).
"""

from __future__ import annotations

import base64
import datetime as _dt
import functools
import hashlib
import os
import re
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from keystoretool.errors import KeystoreToolError

if TYPE_CHECKING:  # cryptography is imported only when one of its objects is passed in
    from cryptography import x509

__all__ = [
    "CertificateParseError",
    "algorithm_warnings",
    "certreq_sig_alg_name",
    "fingerprint",
    "java_date",
    "java_medium_date",
    "java_sig_alg_name",
    "key_description",
    "pem",
    "print_certreq",
    "print_x509",
    "weak_warnings",
    "x500_rfc2253",
    "x500_str",
]


# ---------------------------------------------------------------------------
# Minimal DER reader (Java parses the certificate itself; so do we)
# ---------------------------------------------------------------------------


class _Tlv(NamedTuple):
    tag: int  # the identifier octet (low tag numbers only, as in X.509)
    content: bytes
    raw: bytes  # the whole encoding, tag and length included


class _DerError(ValueError):
    """Malformed DER; mirrors Java's ``java.io.IOException`` while parsing."""


_F = TypeVar("_F", bound=Callable[..., Any])


def _parse_boundary(func: _F) -> _F:
    """A public entry point that reads certificate bytes: whatever the DER
    reader trips over (a short read, a bad length, an RDN, AVA or OID that is
    not one) is :class:`CertificateParseError`, never an internal error."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except CertificateParseError:
            raise
        except (_DerError, IndexError, ValueError, OverflowError) as exc:
            raise CertificateParseError() from exc

    return wrapper  # type: ignore[return-value]


def _read_tlv(data: bytes, pos: int = 0) -> tuple[_Tlv, int]:
    if pos + 2 > len(data):
        raise _DerError("DerInputStream.getLength(): lengthTag=0, too short")
    tag = data[pos]
    if tag & 0x1F == 0x1F:
        raise _DerError("Unsupported high tag number")
    first = data[pos + 1]
    hdr = 2
    if first < 0x80:
        length = first
    else:
        n = first & 0x7F
        if n == 0 or n > 4 or pos + 2 + n > len(data):
            raise _DerError("Invalid length bytes")
        length = int.from_bytes(data[pos + 2 : pos + 2 + n], "big")
        hdr += n
    end = pos + hdr + length
    if end > len(data):
        raise _DerError("Short read of DER value")
    return _Tlv(tag, data[pos + hdr : end], data[pos:end]), end


def _parse_one(data: bytes) -> _Tlv:
    tlv, end = _read_tlv(data)
    if end != len(data):
        raise _DerError("extra data at the end")
    return tlv


def _children(content: bytes) -> list[_Tlv]:
    out: list[_Tlv] = []
    pos = 0
    while pos < len(content):
        tlv, pos = _read_tlv(content, pos)
        out.append(tlv)
    return out


def _oid(content: bytes) -> str:
    if not content:
        raise _DerError("ObjectIdentifier() -- Invalid DER encoding, not ended")
    arcs: list[int] = []
    value = 0
    for b in content:
        value = (value << 7) | (b & 0x7F)
        if not b & 0x80:
            arcs.append(value)
            value = 0
    if content[-1] & 0x80:
        raise _DerError("ObjectIdentifier() -- Invalid DER encoding, not ended")
    first = arcs[0]
    head = [0, first] if first < 40 else [1, first - 40] if first < 80 else [2, first - 80]
    return ".".join(str(a) for a in head + arcs[1:])


def _int(content: bytes) -> int:
    if not content:
        raise _DerError("Invalid encoding: zero length Int value")
    return int.from_bytes(content, "big", signed=True)


def _bits(content: bytes) -> list[bool]:
    """A BIT STRING as Java's ``BitArray`` (bit 0 = most significant bit)."""
    if not content:
        raise _DerError("Invalid encoding: zero length bit string")
    unused = content[0]
    data = content[1:]
    n = len(data) * 8 - unused
    return [bool(data[i // 8] & (0x80 >> (i % 8))) for i in range(max(n, 0))]


def _java_list(items: Iterable[object]) -> str:
    """``AbstractCollection.toString()``."""
    return "[" + ", ".join(str(i) for i in items) + "]"


def _hexdump(data: bytes) -> str:
    """``sun.security.util.HexDumpEncoder.encodeBuffer(byte[])``."""
    lines: list[str] = []
    for offset in range(0, len(data), 16):
        chunk = data[offset : offset + 16]
        hexpart = ""
        for i, b in enumerate(chunk):
            hexpart += f"{b:02X} "
            if i == 7:
                hexpart += "  "
        for i in range(len(chunk), 16):
            hexpart += "   "
            if i == 7:
                hexpart += "  "
        text = "".join(chr(b) if 0x20 <= b <= 0x7A else "." for b in chunk)
        lines.append(f"{offset & 0xFFFF:04X}: {hexpart} {text}\n")
    return "".join(lines)


# ---------------------------------------------------------------------------
# Names: X500Principal.toString() and getName(RFC2253)
# ---------------------------------------------------------------------------

# sun.security.x509.AVAKeyword (the preferred keyword of each OID); the flags say
# whether the keyword is used by getName(RFC2253).
_AVA_KEYWORDS: dict[str, tuple[str, bool]] = {
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

_TAG_UTF8, _TAG_PRINTABLE, _TAG_T61, _TAG_IA5 = 0x0C, 0x13, 0x14, 0x16
_TAG_GENERAL, _TAG_UNIVERSAL, _TAG_BMP = 0x1B, 0x1C, 0x1E

# DerValue.getAsString(): the charset Java decodes each string type with.
_AS_STRING_CHARSET = {
    _TAG_UTF8: "utf-8",
    _TAG_PRINTABLE: "ascii",
    _TAG_T61: "latin-1",
    _TAG_IA5: "ascii",
    _TAG_UNIVERSAL: "utf-32-be",
    _TAG_BMP: "utf-16-be",
    _TAG_GENERAL: "ascii",
}
# The string types the RFC 2253 form prints as text (others as #hex).  JDK 17
# decodes every one of them as UTF-8, whatever its real encoding.
_RFC2253_STRING_TAGS = {_TAG_PRINTABLE, _TAG_T61, _TAG_IA5, _TAG_GENERAL, _TAG_BMP, _TAG_UTF8}


def _decode(data: bytes, charset: str) -> str:
    text = data.decode(charset, errors="replace")
    # Java strings are UTF-16: characters outside the BMP count as two chars,
    # which matters for nothing below except escaping, so keep Python's form.
    return text


def _is_printable_char(c: str) -> bool:
    """``DerValue.isPrintableStringChar``."""
    return ("a" <= c <= "z") or ("A" <= c <= "Z") or ("0" <= c <= "9") or c in " '()+,-./:=?"


def _ava_value_default(value: _Tlv) -> str:
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


def _ava_value_rfc2253(keyword: str, value: _Tlv) -> str:
    """The value part of ``AVA.toRFC2253String()``."""
    if keyword[0].isdigit() or value.tag not in _RFC2253_STRING_TAGS:
        return "#" + value.raw.hex()
    val = _decode(value.content, "utf-8")
    escapees = ',=+<>#;"\\'
    buf: list[str] = []
    for c in val:
        if _is_printable_char(c) or c in escapees:
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


def _rdns(name_der: bytes) -> list[list[tuple[str, _Tlv]]]:
    """RDNs in DER order; each a list of (oid, value) in encoded order."""
    seq = _parse_one(name_der)
    if seq.tag != 0x30:
        raise _DerError("X500Name: expected a SEQUENCE")
    out: list[list[tuple[str, _Tlv]]] = []
    for rdn in _children(seq.content):
        if rdn.tag != 0x31:
            raise _DerError("X500 RDN")
        avas: list[tuple[str, _Tlv]] = []
        for ava in _children(rdn.content):
            parts = _children(ava.content)
            if ava.tag != 0x30 or len(parts) != 2 or parts[0].tag != 0x06:
                raise _DerError("X500 AVA")
            avas.append((_oid(parts[0].content), parts[1]))
        out.append(avas)
    return out


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
        rdns = _rdns(_name_der(name))
    except (_DerError, IndexError, ValueError) as exc:
        raise CertificateParseError("Invalid X.500 name") from exc
    parts = []
    for rdn in reversed(rdns):
        avas = []
        for oid, value in rdn:
            entry = _AVA_KEYWORDS.get(oid)
            kw = entry[0] if entry is not None and entry[1] else oid
            avas.append(kw + "=" + _ava_value_rfc2253(kw, value))
        parts.append("+".join(avas))
    return ",".join(parts)


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


def _general_name(tlv: _Tlv) -> str:
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


def _directory_string(tlv: _Tlv) -> str | None:
    charset = _AS_STRING_CHARSET.get(tlv.tag)
    return _decode(tlv.content, charset) if charset else None


def _edi_party_name(tlv: _Tlv) -> str:
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


# ---------------------------------------------------------------------------
# Extensions: Java's Extension.toString() for each class in sun.security.x509
# ---------------------------------------------------------------------------

_KEY_USAGE = [
    "DigitalSignature",
    "Non_repudiation",
    "Key_Encipherment",
    "Data_Encipherment",
    "Key_Agreement",
    "Key_CertSign",
    "Crl_Sign",
    "Encipher_Only",
    "Decipher_Only",
]

_REASONS = [
    None,
    "key compromise",
    "CA compromise",
    "affiliation changed",
    "superseded",
    "cessation of operation",
    "certificate hold",
    "privilege withdrawn",
    "AA compromise",
]

_ACCESS_METHODS = {
    "1.3.6.1.5.5.7.48.2": "caIssuers",
    "1.3.6.1.5.5.7.48.5": "caRepository",
    "1.3.6.1.5.5.7.48.3": "timeStamping",
    "1.3.6.1.5.5.7.48.1": "ocsp",
}


def _seq(value: bytes, message: str) -> _Tlv:
    """The extension value as a SEQUENCE, else Java's ``message``."""
    tlv = _parse_one(value)
    if tlv.tag != 0x30:
        raise _DerError(message)
    return tlv


def _key_identifier(octets: bytes) -> str:
    return "KeyIdentifier [\n" + _hexdump(octets) + "]\n"


def _ext_basic_constraints(value: bytes, critical: bool) -> str:
    seq = _seq(value, "Invalid encoding of BasicConstraints")
    parts = _children(seq.content)
    ca = False
    path_len = -1
    if parts and parts[0].tag == 0x01:
        ca = parts[0].content != b"\x00"
        if len(parts) == 1:
            path_len = 2**31 - 1
        else:
            if parts[1].tag != 0x02:
                raise _DerError("Invalid encoding of BasicConstraints")
            path_len = _int(parts[1].content)
    if path_len < 0:
        pl = " undefined"
    elif path_len == 2**31 - 1:
        pl = " no limit"
    else:
        pl = str(path_len)
    return f"BasicConstraints:[\n  CA:{str(ca).lower()}\n  PathLen:{pl}\n]\n"


def _ext_key_usage(value: bytes, critical: bool) -> str:
    if value[:1] == b"\x04":  # Java tolerates a doubly wrapped value here
        value = _parse_one(value).content
    if len(value) < 2:
        raise _DerError("Too short")
    tlv = _parse_one(value)
    if tlv.tag != 0x03:
        raise _DerError(f"DerValue.getBitString, not a bit string {tlv.tag}")
    bits = _bits(tlv.content)
    lines = [f"  {n}\n" for i, n in enumerate(_KEY_USAGE) if i < len(bits) and bits[i]]
    return "KeyUsage [\n" + "".join(lines) + "]\n"


def _ext_netscape_cert_type(value: bytes, critical: bool) -> str:
    tlv = _parse_one(value)
    if tlv.tag != 0x03:
        raise _DerError("Invalid encoding of NetscapeCertType extension")
    bits = _bits(tlv.content)
    names = {0: "   SSL client\n", 1: "   SSL server\n", 2: "   S/MIME\n",
             3: "   Object Signing\n", 5: "   SSL CA\n", 6: "   S/MIME CA\n",
             7: "   Object Signing CA"}
    text = "".join(t for i, t in names.items() if i < len(bits) and bits[i])
    return "NetscapeCertType [\n" + text + "]\n"


def _ext_eku(value: bytes, critical: bool) -> str:
    seq = _seq(value, "Invalid encoding for ExtendedKeyUsageExtension.")
    names = []
    for t in _children(seq.content):
        if t.tag != 0x06:
            raise _DerError("Invalid encoding for ExtendedKeyUsageExtension.")
        oid = _oid(t.content)
        names.append(_known_oids().get(oid, oid))
    return "ExtendedKeyUsages [\n  " + "\n  ".join(names) + "\n]\n"


def _ext_ski(value: bytes, critical: bool) -> str:
    tlv = _parse_one(value)
    if tlv.tag != 0x04:
        raise _DerError(f"DerValue.getOctetString, not an Octet String: {tlv.tag}")
    return "SubjectKeyIdentifier [\n" + _key_identifier(tlv.content) + "]\n"


def _ext_aki(value: bytes, critical: bool) -> str:
    seq = _seq(value, "Invalid encoding for AuthorityKeyIdentifierExtension.")
    text = "AuthorityKeyIdentifier [\n"
    key_id = names = serial = None
    for t in _children(seq.content):
        number = t.tag & 0x1F
        if number == 0 and key_id is None:
            key_id = _key_identifier(t.content)
        elif number == 1 and names is None:
            names = _java_list(_general_names(t.content))
        elif number == 2 and serial is None:
            raw = _int(t.content).to_bytes(len(t.content), "big", signed=True)
            serial = "SerialNumber: " + ":".join(f"{b:02x}" for b in raw)
        else:
            raise _DerError("Invalid encoding of AuthorityKeyIdentifierExtension.")
    if key_id is not None:
        text += key_id
    if names is not None:
        text += names + "\n"
    if serial is not None:
        text += serial + "\n"
    return text + "]\n"


def _alt_names(title: str) -> Callable[[bytes, bool], str]:
    def render(value: bytes, critical: bool) -> str:
        seq = _seq(value, "Invalid encoding for GeneralNames.")
        lines = "".join("  " + n + "\n" for n in _general_names(seq.content))
        return title + " [\n" + lines + "]\n"

    return render


def _distribution_point(tlv: _Tlv) -> str:
    full = relative = reasons = issuer = None
    for t in _children(tlv.content):
        number = t.tag & 0x1F
        if number == 0:
            choice = _parse_one(t.content)
            if choice.tag & 0x1F == 0:
                full = _java_list(_general_names(choice.content))
            else:
                rdn = _rdns(b"\x30" + _der_len(len(choice.raw)) + b"\x31" + choice.raw[1:])
                relative = " + ".join(
                    (_AVA_KEYWORDS[o][0] if o in _AVA_KEYWORDS else "OID." + o)
                    + "="
                    + _ava_value_default(v)
                    for o, v in rdn[0]
                )
        elif number == 1:
            reasons = _bits(t.content)
        elif number == 2:
            issuer = _java_list(_general_names(t.content))
    text = "DistributionPoint:\n     " + (full or "") + (relative or "") + "\n"
    if reasons is not None:
        text += "   ReasonFlags:\n"
        for i, bit in enumerate(reasons):
            if bit:
                name = _REASONS[i] if 0 < i < len(_REASONS) else f"Unknown reason {i}"
                text += "    " + str(name) + "\n"
    if issuer is not None:
        text += "   CRLIssuer:" + issuer + "\n"
    return text


def _der_len(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def _crl_dps(title: str) -> Callable[[bytes, bool], str]:
    def render(value: bytes, critical: bool) -> str:
        seq = _seq(value, f"Invalid encoding for {title} extension.")
        points = [_distribution_point(t) for t in _children(seq.content)]
        return title + " [\n  " + _java_list(points) + "]\n"

    return render


def _info_access(title: str) -> Callable[[bytes, bool], str]:
    java_class = title + "Extension"

    def render(value: bytes, critical: bool) -> str:
        seq = _seq(value, f"Invalid encoding for {java_class}.")
        descs = []
        for t in _children(seq.content):
            parts = _children(t.content)
            if len(parts) != 2 or parts[0].tag != 0x06:
                raise _DerError("Invalid encoding for AccessDescription")
            oid = _oid(parts[0].content)
            method = _ACCESS_METHODS.get(oid, oid)
            descs.append(
                "\n   accessMethod: " + method
                + "\n   accessLocation: " + _general_name(parts[1]) + "\n"
            )
        return title + " [\n  " + _java_list(descs) + "\n]\n"

    return render


def _ext_policies(value: bytes, critical: bool) -> str:
    seq = _seq(value, "Invalid encoding for CertificatePoliciesExtension.")
    text = "CertificatePolicies [\n"
    for info in _children(seq.content):
        parts = _children(info.content)
        if not parts or parts[0].tag != 0x06:
            raise _DerError("Invalid encoding of PolicyInformation")
        quals = []
        if len(parts) > 1:
            for q in _children(parts[1].content):
                qparts = _children(q.content)
                qid = _oid(qparts[0].content)
                data = qparts[1].raw if len(qparts) > 1 else None
                quals.append(
                    "PolicyQualifierInfo: [\n  qualifierID: " + qid + "\n  qualifier: "
                    + (_hexdump(data) if data is not None else "null") + "\n]"
                )
        text += (
            "  [CertificatePolicyId: [" + _oid(parts[0].content) + "]\n"
            + _java_list(quals) + "  ]\n"
        )
    return text + "]\n"


def _ext_policy_mappings(value: bytes, critical: bool) -> str:
    seq = _seq(value, "Invalid encoding for PolicyMappingsExtension.")
    maps = []
    for m in _children(seq.content):
        a, b = (_oid(t.content) for t in _children(m.content))
        maps.append(
            "CertificatePolicyMap: [\nIssuerDomain:CertificatePolicyId: [" + a + "]\n"
            + "SubjectDomain:CertificatePolicyId: [" + b + "]\n]\n"
        )
    return "PolicyMappings [\n" + _java_list(maps) + "]\n"


def _ext_policy_constraints(value: bytes, critical: bool) -> str:
    seq = _seq(value, "Sequence tag missing for PolicyConstraint.")
    require = inhibit = -1
    for t in _children(seq.content):
        if t.tag & 0x1F == 0:
            require = _int(t.content)
        elif t.tag & 0x1F == 1:
            inhibit = _int(t.content)
    r = "unspecified;" if require == -1 else f"{require};"
    i = "unspecified" if inhibit == -1 else str(inhibit)
    return f"PolicyConstraints: [  Require: {r}\tInhibit: {i} ]\n"


def _ext_inhibit_any(value: bytes, critical: bool) -> str:
    if not critical:
        raise _DerError("Criticality cannot be false for InhibitAnyPolicy")
    tlv = _parse_one(value)
    if tlv.tag != 0x02:
        raise _DerError("Invalid encoding of InhibitAnyPolicy: data not integer")
    skip = _int(tlv.content)
    if skip < -1:
        raise _DerError("Invalid value for skipCerts")
    return f"InhibitAnyPolicy: {2**31 - 1 if skip == -1 else skip}\n"


def _subtrees(content: bytes) -> str:
    trees = []
    for st in _children(content):
        parts = _children(st.content)
        name = _general_name(parts[0])
        minimum, maximum = 0, -1
        for p in parts[1:]:
            if p.tag & 0x1F == 0:
                minimum = _int(p.content)
            elif p.tag & 0x1F == 1:
                maximum = _int(p.content)
        trees.append(
            "\n   GeneralSubtree: [\n    GeneralName: " + name
            + f"\n    Minimum: {minimum}\n    Maximum: "
            + ("undefined" if maximum == -1 else str(maximum)) + "    ]\n"
        )
    return "   GeneralSubtrees:\n" + _java_list(trees) + "\n"


def _ext_name_constraints(value: bytes, critical: bool) -> str:
    seq = _seq(value, "Invalid encoding for NameConstraintsExtension.")
    text = "NameConstraints: ["
    for t in _children(seq.content):
        if t.tag & 0x1F == 0:
            text += "\n    Permitted:" + _subtrees(t.content)
        elif t.tag & 0x1F == 1:
            text += "\n    Excluded:" + _subtrees(t.content)
    return text + "   ]\n"


def _ext_private_key_usage(value: bytes, critical: bool) -> str:
    seq = _seq(value, "Invalid encoding of PrivateKeyUsageExtension")
    not_before = not_after = None
    for t in _children(seq.content):
        when = java_date(_parse_time(0x18, t.content))
        if t.tag & 0x1F == 0:
            not_before = when
        else:
            not_after = when
    text = "PrivateKeyUsage: [\n"
    if not_before is not None:
        text += "From: " + not_before + (", " if not_after is not None else "")
    if not_after is not None:
        text += "To: " + not_after
    return text + "]\n"


def _debug_hex(value: int) -> str:
    """``sun.security.util.Debug.toHexString(BigInteger)``."""
    digits = format(abs(value), "x")
    if len(digits) % 2:
        digits = "0" + digits
    out = "   -" if value < 0 else "    "
    for i in range(0, len(digits), 2):
        out += digits[i : i + 2]
        j = i + 2
        if j != len(digits):
            out += "\n    " if j % 64 == 0 else " " if j % 8 == 0 else ""
    return out


def _ext_crl_number(value: bytes, critical: bool) -> str:
    tlv = _parse_one(value)
    return "CRL Number: " + _debug_hex(_int(tlv.content)) + "\n"


def _ext_empty(value: bytes, critical: bool) -> str:
    return ""


# OID -> (the extension class's NAME, which orders the output, renderer).
_EXTENSIONS: dict[str, tuple[str, Callable[[bytes, bool], str] | None]] = {
    "2.5.29.14": ("SubjectKeyIdentifier", _ext_ski),
    "2.5.29.15": ("KeyUsage", _ext_key_usage),
    "2.5.29.16": ("PrivateKeyUsage", _ext_private_key_usage),
    "2.5.29.17": ("SubjectAlternativeName", _alt_names("SubjectAlternativeName")),
    "2.5.29.18": ("IssuerAlternativeName", _alt_names("IssuerAlternativeName")),
    "2.5.29.19": ("BasicConstraints", _ext_basic_constraints),
    "2.5.29.20": ("CRLNumber", _ext_crl_number),
    "2.5.29.21": ("CRLReasonCode", None),
    "2.5.29.30": ("NameConstraints", _ext_name_constraints),
    "2.5.29.33": ("PolicyMappings", _ext_policy_mappings),
    "2.5.29.35": ("AuthorityKeyIdentifier", _ext_aki),
    "2.5.29.36": ("PolicyConstraints", _ext_policy_constraints),
    "2.16.840.1.113730.1.1": ("NetscapeCertType", _ext_netscape_cert_type),
    "2.5.29.32": ("CertificatePolicies", _ext_policies),
    "2.5.29.37": ("ExtendedKeyUsage", _ext_eku),
    "2.5.29.54": ("InhibitAnyPolicy", _ext_inhibit_any),
    "2.5.29.31": ("CRLDistributionPoints", _crl_dps("CRLDistributionPoints")),
    "2.5.29.29": ("CertificateIssuer", None),
    "1.3.6.1.5.5.7.1.11": ("SubjectInfoAccess", _info_access("SubjectInfoAccess")),
    "1.3.6.1.5.5.7.1.1": ("AuthorityInfoAccess", _info_access("AuthorityInfoAccess")),
    "2.5.29.28": ("IssuingDistributionPoint", None),
    "2.5.29.27": ("DeltaCRLIndicator", None),
    "2.5.29.46": ("FreshestCRL", _crl_dps("FreshestCRL")),
    "1.3.6.1.5.5.7.48.1.5": ("OCSPNoCheck", _ext_empty),
}


def _render_extensions(exts: list[tuple[str, bool, bytes]]) -> str:
    """keytool's ``printExtensions``: parsed ones sorted by name, then failures."""
    parsed: list[tuple[str, str]] = []
    failed: list[tuple[str, str]] = []
    for oid, critical, value in exts:
        head = f"ObjectId: {oid} Criticality={str(critical).lower()}\n"
        name, render = _EXTENSIONS.get(oid, (oid, None))
        if render is None:  # a plain sun.security.x509.Extension: hex dump of the value
            body = _hexdump(value) + "\n" if value else "(Empty value)\n"
            parsed.append((name, head + body))
            continue
        try:
            parsed.append((name, head + render(value, critical)))
            continue
        except _DerError as exc:
            reason = str(exc)
        except (IndexError, ValueError):
            reason = f"Invalid encoding of {name}"
        if critical:  # Java refuses the whole certificate
            raise _DerError(f"Unparseable critical extension {name}: {reason}")
        failed.append((
            oid,
            head + f"Unparseable {name} extension due to\njava.io.IOException: {reason}\n\n"
            + _hexdump(value),
        ))
    parsed.sort(key=lambda p: _java_str_key(p[0]))
    failed.sort(key=lambda p: _java_str_key(p[0]))
    items = [text for _, text in parsed + failed]
    if not items:
        return ""
    out = "\nExtensions: \n\n"
    for i, text in enumerate(items, 1):
        out += f"#{i}: {text}\n"
    return out


def _java_str_key(s: str) -> list[int]:
    """Sort key matching ``String.compareTo`` (UTF-16 code units)."""
    data = s.encode("utf-16-be")
    return [int.from_bytes(data[i : i + 2], "big") for i in range(0, len(data), 2)]


# ---------------------------------------------------------------------------
# Algorithms and keys
# ---------------------------------------------------------------------------

_DIGESTS = {
    "1.3.14.3.2.26": "SHA-1",
    "2.16.840.1.101.3.4.2.1": "SHA-256",
    "2.16.840.1.101.3.4.2.2": "SHA-384",
    "2.16.840.1.101.3.4.2.3": "SHA-512",
    "2.16.840.1.101.3.4.2.4": "SHA-224",
    "2.16.840.1.101.3.4.2.5": "SHA-512/224",
    "2.16.840.1.101.3.4.2.6": "SHA-512/256",
}

# sun.security.util.CurveDB of JDK 17: OID -> (first name, order bit length).
_CURVES = {
    "1.2.840.10045.3.0.5": ("X9.62 c2tnb191v1", 191),
    "1.2.840.10045.3.0.6": ("X9.62 c2tnb191v2", 190),
    "1.2.840.10045.3.0.7": ("X9.62 c2tnb191v3", 189),
    "1.2.840.10045.3.0.11": ("X9.62 c2tnb239v1", 238),
    "1.2.840.10045.3.0.12": ("X9.62 c2tnb239v2", 237),
    "1.2.840.10045.3.0.13": ("X9.62 c2tnb239v3", 236),
    "1.2.840.10045.3.0.18": ("X9.62 c2tnb359v1", 353),
    "1.2.840.10045.3.0.20": ("X9.62 c2tnb431r1", 418),
    "1.2.840.10045.3.1.1": ("secp192r1", 192),
    "1.2.840.10045.3.1.2": ("X9.62 prime192v2", 192),
    "1.2.840.10045.3.1.3": ("X9.62 prime192v3", 192),
    "1.2.840.10045.3.1.4": ("X9.62 prime239v1", 239),
    "1.2.840.10045.3.1.5": ("X9.62 prime239v2", 239),
    "1.2.840.10045.3.1.6": ("X9.62 prime239v3", 239),
    "1.2.840.10045.3.1.7": ("secp256r1", 256),
    "1.3.36.3.3.2.8.1.1.1": ("brainpoolP160r1", 160),
    "1.3.36.3.3.2.8.1.1.3": ("brainpoolP192r1", 192),
    "1.3.36.3.3.2.8.1.1.5": ("brainpoolP224r1", 224),
    "1.3.36.3.3.2.8.1.1.7": ("brainpoolP256r1", 256),
    "1.3.36.3.3.2.8.1.1.9": ("brainpoolP320r1", 320),
    "1.3.36.3.3.2.8.1.1.11": ("brainpoolP384r1", 384),
    "1.3.36.3.3.2.8.1.1.13": ("brainpoolP512r1", 512),
    "1.3.132.0.1": ("sect163k1", 163),
    "1.3.132.0.2": ("sect163r1", 162),
    "1.3.132.0.3": ("sect239k1", 238),
    "1.3.132.0.4": ("sect113r1", 113),
    "1.3.132.0.5": ("sect113r2", 113),
    "1.3.132.0.6": ("secp112r1", 112),
    "1.3.132.0.7": ("secp112r2", 110),
    "1.3.132.0.8": ("secp160r1", 161),
    "1.3.132.0.9": ("secp160k1", 161),
    "1.3.132.0.10": ("secp256k1", 256),
    "1.3.132.0.15": ("sect163r2", 163),
    "1.3.132.0.16": ("sect283k1", 281),
    "1.3.132.0.17": ("sect283r1", 282),
    "1.3.132.0.22": ("sect131r1", 131),
    "1.3.132.0.23": ("sect131r2", 131),
    "1.3.132.0.24": ("sect193r1", 193),
    "1.3.132.0.25": ("sect193r2", 193),
    "1.3.132.0.26": ("sect233k1", 232),
    "1.3.132.0.27": ("sect233r1", 233),
    "1.3.132.0.28": ("secp128r1", 128),
    "1.3.132.0.29": ("secp128r2", 126),
    "1.3.132.0.30": ("secp160r2", 161),
    "1.3.132.0.31": ("secp192k1", 192),
    "1.3.132.0.32": ("secp224k1", 225),
    "1.3.132.0.33": ("secp224r1", 224),
    "1.3.132.0.34": ("secp384r1", 384),
    "1.3.132.0.35": ("secp521r1", 521),
    "1.3.132.0.36": ("sect409k1", 407),
    "1.3.132.0.37": ("sect409r1", 409),
    "1.3.132.0.38": ("sect571k1", 570),
    "1.3.132.0.39": ("sect571r1", 570),
}


class _KeyInfo(NamedTuple):
    algorithm: str  # Key.getAlgorithm()
    display: str  # keytool's fullDisplayAlgName()
    size: int  # KeyUtil.getKeySize(), -1 when unknown


def _spki_info(spki_der: bytes) -> _KeyInfo:
    spki = _children(_parse_one(spki_der).content)
    alg = _children(spki[0].content)
    oid = _oid(alg[0].content)
    params = alg[1] if len(alg) > 1 else None
    key_bits = spki[1].content[1:]
    if oid in ("1.2.840.113549.1.1.1", "2.5.8.1.1", "1.2.840.113549.1.1.10"):
        name = "RSASSA-PSS" if oid.endswith(".10") else "RSA"
        modulus = _int(_children(_parse_one(key_bits).content)[0].content)
        return _KeyInfo(name, name, modulus.bit_length())
    if oid in ("1.2.840.10040.4.1", "1.3.14.3.2.12"):
        size = -1
        if params is not None and params.tag == 0x30:
            size = _int(_children(params.content)[0].content).bit_length()
        return _KeyInfo("DSA", "DSA", size)
    if oid == "1.2.840.10045.2.1":
        if params is not None and params.tag == 0x06:
            curve = _CURVES.get(_oid(params.content))
            if curve is not None:
                return _KeyInfo("EC", f"EC ({curve[0]})", curve[1])
        return _KeyInfo("EC", "EC", -1)
    named = {"1.3.101.112": ("Ed25519", 255), "1.3.101.113": ("Ed448", 448),
             "1.3.101.110": ("XDH", 255), "1.3.101.111": ("XDH", 448)}
    if oid in named:
        return _KeyInfo(named[oid][0], named[oid][0], named[oid][1])
    return _KeyInfo(oid, oid, -1)


@_parse_boundary
def key_description(public_key: object) -> str:
    """keytool's key text without weakness tag: ``2048-bit RSA key``,
    ``256-bit EC (secp256r1) key``, ``255-bit Ed25519 key``.

    Accepts a ``cryptography`` public key or SubjectPublicKeyInfo DER bytes.
    """
    return _key_text(_spki_info(_spki_der(public_key)))


def _spki_der(public_key: object) -> bytes:
    if isinstance(public_key, bytes | bytearray):
        return bytes(public_key)
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    return public_key.public_bytes(  # type: ignore[attr-defined, no-any-return]
        Encoding.DER, PublicFormat.SubjectPublicKeyInfo
    )


def _key_text(info: _KeyInfo, tag: str = "") -> str:
    if info.size < 0:
        return f"{info.display} key of unknown size"
    return f"{info.size}-bit {info.display} key{tag}"


def _sig_alg_name_of(alg_der: bytes) -> str:
    alg = _children(_parse_one(alg_der).content)
    oid = _oid(alg[0].content)
    if oid == "1.2.840.10045.4.3" and len(alg) > 1:  # SpecifiedSHA2withECDSA
        try:
            digest = _oid(_children(alg[1].content)[0].content)
            if digest in _DIGESTS:
                return _DIGESTS[digest].replace("-", "") + "withECDSA"
        except (_DerError, IndexError):
            pass
        return "SpecifiedSHA2withECDSA"
    return _known_oids().get(oid, oid)


@_parse_boundary
def java_sig_alg_name(cert: x509.Certificate | bytes) -> str:
    """``X509Certificate.getSigAlgName()``: ``SHA256withRSA``, ``RSASSA-PSS``..."""
    return _sig_alg_name_of(_parse_cert(_cert_der(cert)).sig_alg)


# jdk.certpath.disabledAlgorithms / jdk.security.legacyAlgorithms of JDK 17.
def _sig_strength(name: str) -> str:
    parts = {p.upper() for p in re.split(r"with|and", name, flags=re.IGNORECASE)}
    if parts & {"MD2", "MD5"}:
        return "disabled"
    if parts & {"SHA1", "SHA-1"}:
        return "weak"
    return ""


def _key_strength(info: _KeyInfo) -> str:
    limits = {"RSA": (1024, 2048), "DSA": (1024, 2048), "EC": (224, 0)}
    if info.algorithm not in limits or info.size < 0:
        return ""
    disabled_below, weak_below = limits[info.algorithm]
    if info.size < disabled_below:
        return "disabled"
    if info.size < weak_below:
        return "weak"
    return ""


# ---------------------------------------------------------------------------
# Certificate structure
# ---------------------------------------------------------------------------


class _Cert(NamedTuple):
    der: bytes
    version: int
    serial: int
    sig_alg: bytes
    issuer: bytes
    not_before: _dt.datetime
    not_after: _dt.datetime
    subject: bytes
    spki: bytes
    extensions: list[tuple[str, bool, bytes]] | None


def _parse_time(tag: int, content: bytes) -> _dt.datetime:
    text = content.decode("ascii")
    year_digits = 2 if tag == 0x17 else 4
    m = re.fullmatch(  # what DerInputBuffer.getTime() accepts, offsets included
        r"(\d{" + str(year_digits) + r"})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)?(?:[.,](\d+))?"
        r"(Z|[+-]\d{4})",
        text,
    )
    if m is None:
        raise _DerError("Parse " + ("UTC" if tag == 0x17 else "Generalized") + " time")
    year = int(m.group(1))
    if tag == 0x17:
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


class CertificateParseError(KeystoreToolError):
    """The bytes are not a certificate keytool could read."""

    def __init__(self, message: str = "Failed to parse input") -> None:
        super().__init__(message)


def _parse_cert(der: bytes) -> _Cert:
    """The fields keytool prints, from a DER certificate (CertificateParseError if broken)."""
    try:
        return _parse_cert_fields(der)
    except (_DerError, IndexError, ValueError) as exc:
        raise CertificateParseError() from exc


def _parse_cert_fields(der: bytes) -> _Cert:
    cert = _children(_parse_one(der).content)
    tbs = _children(cert[0].content)
    i = 0
    version = 1
    if tbs[0].tag == 0xA0:
        version = _int(_parse_one(tbs[0].content).content) + 1
        i = 1
    serial = _int(tbs[i].content)
    validity = _children(tbs[i + 3].content)
    exts: list[tuple[str, bool, bytes]] | None = None
    for t in tbs[i + 6 :]:
        if t.tag == 0xA3:
            if version != 3:  # as X509CertInfo: only a v3 certificate has extensions
                raise _DerError("Extensions not allowed in v2 certificate")
            exts = []
            for e in _children(_parse_one(t.content).content):
                parts = _children(e.content)
                critical = len(parts) == 3 and parts[1].content != b"\x00"
                exts.append((_oid(parts[0].content), critical, parts[-1].content))
    return _Cert(
        der, version, serial, tbs[i + 1].raw, tbs[i + 2].raw,
        _parse_time(validity[0].tag, validity[0].content),
        _parse_time(validity[1].tag, validity[1].content),
        tbs[i + 4].raw, tbs[i + 5].raw, exts,
    )


def _cert_der(cert: x509.Certificate | bytes) -> bytes:
    if isinstance(cert, bytes | bytearray):
        return bytes(cert)
    from cryptography.hazmat.primitives.serialization import Encoding

    return cert.public_bytes(Encoding.DER)


# ---------------------------------------------------------------------------
# Public rendering API
# ---------------------------------------------------------------------------


def fingerprint(der: bytes, algo: str = "SHA-256") -> str:
    """keytool's ``getCertFingerPrint``: uppercase hex joined with ``:``."""
    name = algo.replace("-", "").lower()
    return ":".join(f"{b:02X}" for b in hashlib.new(name, der).digest())


def pem(der: bytes, kind: str = "CERTIFICATE") -> str:
    """keytool's PEM: BEGIN line + LF, base64 in 64-char lines joined by CRLF,
    LF after the last line, END line + LF (``-rfc``, ``-exportcert``,
    ``-certreq`` with ``kind="NEW CERTIFICATE REQUEST"``)."""
    b64 = base64.b64encode(der).decode("ascii")
    lines = [b64[i : i + 64] for i in range(0, len(b64), 64)]
    return f"-----BEGIN {kind}-----\n" + "\r\n".join(lines) + f"\n-----END {kind}-----\n"


@_parse_boundary
def print_x509(
    cert: x509.Certificate | bytes, weak_check: bool = True, trusted: bool = False
) -> str:
    """keytool 17's ``printX509Cert`` block, byte for byte, ending with a newline.

    Raises :class:`CertificateParseError` ("Failed to parse input") where Java
    cannot parse the certificate, e.g. a malformed *critical* extension; a
    malformed non-critical one is shown as keytool does ("Unparseable ...").

    ``weak_check`` adds the ``(weak)``/``(disabled)`` tags keytool always prints
    (JDK 17 rules: MD2/MD5 signatures and RSA/DSA < 1024, EC < 224 bits are
    disabled; SHA-1 signatures and RSA/DSA < 2048 bits are weak); pass False for
    an untagged rendering.  ``trusted`` says the certificate equals a
    trusted-cert entry of the keystore in use (keytool's ``isTrustedCert``; also
    a CA cert inside a key entry's chain when the same cert is stored as a
    trusted entry): keytool does not tag the signature algorithm of a trust
    anchor, the key is still tagged.
    The time zone follows ``TZ`` the way the JVM does (see :func:`java_date`).
    """
    c = _parse_cert(_cert_der(cert))
    sig = _sig_alg_name_of(c.sig_alg)
    key = _spki_info(c.spki)
    if weak_check and not trusted:
        strength = _sig_strength(sig)
        if strength:
            sig = f"{sig} ({strength})"
    key_tag = ""
    if weak_check:
        strength = _key_strength(key)
        key_tag = f" ({strength})" if strength else ""
    serial = format(c.serial, "x") if c.serial >= 0 else "-" + format(-c.serial, "x")
    text = (
        f"Owner: {_x500_str_der(c.subject)}\n"
        f"Issuer: {_x500_str_der(c.issuer)}\n"
        f"Serial number: {serial}\n"
        f"Valid from: {java_date(c.not_before)} until: {java_date(c.not_after)}\n"
        "Certificate fingerprints:\n"
        f"\t SHA1: {fingerprint(c.der, 'SHA-1')}\n"
        f"\t SHA256: {fingerprint(c.der, 'SHA-256')}\n"
        f"Signature algorithm name: {sig}\n"
        f"Subject Public Key Algorithm: {_key_text(key, key_tag)}\n"
        f"Version: {c.version}\n"
    )
    if c.extensions is not None:
        try:
            text += _render_extensions(c.extensions)
        except _DerError as exc:
            raise CertificateParseError() from exc
    return text


@_parse_boundary
def certreq_sig_alg_name(csr_der: bytes) -> str:
    """Java's name of a PKCS#10 request's signature algorithm (``SHA256withRSA``...);
    ``csr_der`` is a request ``cryptography`` has already parsed."""
    return _sig_alg_name_of(_children(_read_tlv(csr_der)[0].content)[1].raw)


@_parse_boundary
def print_certreq(
    subject: x509.Name | bytes,
    spki_der: bytes,
    sig_alg: str,
    extensions: list[tuple[str, bool, bytes]],
) -> str:
    """keytool 17's ``-printcertreq`` text, ending with a newline: the subject,
    the public key (SubjectPublicKeyInfo DER) and the signature algorithm name,
    tagged ``(weak)``/``(disabled)`` as in :func:`print_x509`, then the
    requested extensions given as ``(dotted OID, critical, value DER)``."""
    key = _spki_info(spki_der)
    key_tag = _key_strength(key)
    sig_tag = _sig_strength(sig_alg)
    text = (
        "PKCS #10 Certificate Request (Version 1.0)\n"
        f"Subject: {x500_str(subject)}\n"
        "Format: X.509\n"
        f"Public Key: {_key_text(key, f' ({key_tag})' if key_tag else '')}\n"
        f"Signature algorithm: {sig_alg}{f' ({sig_tag})' if sig_tag else ''}\n"
    )
    if extensions:
        text += _render_extensions(extensions).replace(
            "\nExtensions: \n\n", "\nExtension Request:\n\n", 1)
    return text


@_parse_boundary
def weak_warnings(label: str, cert: x509.Certificate | bytes, trusted: bool = False) -> list[str]:
    """keytool's end-of-command warning lines for one certificate.

    ``label`` is keytool's subject of the sentence: ``<alias>``, ``The
    certificate``, ``The input``, ``The certificate #2 of 3``...  The signature
    algorithm of a ``trusted`` cert (trusted-cert entry) is not checked.
    """
    c = _parse_cert(_cert_der(cert))
    sig = None if trusted else _sig_alg_name_of(c.sig_alg)
    return algorithm_warnings(label, sig, c.spki)


@_parse_boundary
def algorithm_warnings(label: str, sig_alg: str | None, public_key: object | None) -> list[str]:
    """keytool's weak/disabled warnings for a signature algorithm name (``None``: not
    checked) and a public key (``cryptography`` key, SubjectPublicKeyInfo DER or
    ``None``); e.g. for certificate requests, worded as for certificates."""
    out: list[str] = []
    strength = _sig_strength(sig_alg) if sig_alg else ""
    if strength == "disabled":
        out.append(
            f"{label} uses the {sig_alg} signature algorithm which is considered a security "
            "risk and is disabled."
        )
    elif strength == "weak":
        out.append(
            f"{label} uses the {sig_alg} signature algorithm which is considered a security "
            "risk. This algorithm will be disabled in a future update."
        )
    if public_key is None:
        return out
    key = _spki_info(_spki_der(public_key))
    strength = _key_strength(key)
    if strength == "disabled":
        out.append(
            f"{label} uses a {_key_text(key)} which is considered a security risk and "
            "is disabled."
        )
    elif strength == "weak":
        out.append(
            f"{label} uses a {_key_text(key)} which is considered a security risk. This "
            "key size will be disabled in a future update."
        )
    return out


# ---------------------------------------------------------------------------
# Dates in the JVM's default time zone
# ---------------------------------------------------------------------------

_DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
_CUSTOM_GMT = re.compile(r"GMT([+-])(\d{1,2})(?::?(\d\d))?")


class _JavaZone(NamedTuple):
    tz: _dt.tzinfo
    java_id: str
    custom_name: str | None  # "GMT+05:00" for custom zones


def _system_zone_id() -> str:
    """What the JVM reads on Linux: ``TZ``, else /etc/timezone, else /etc/localtime."""
    tz = os.environ.get("TZ")
    if tz:
        tz = tz[1:] if tz.startswith(":") else tz
        for prefix in ("/usr/share/zoneinfo/", "/usr/lib/zoneinfo/"):
            if tz.startswith(prefix):
                tz = tz[len(prefix) :]
        return tz
    try:
        with open("/etc/timezone", encoding="ascii") as fh:
            value = fh.read().strip()
        if value:
            return value
    except OSError:
        pass
    try:
        target = os.readlink("/etc/localtime")
        if "zoneinfo/" in target:
            return target.split("zoneinfo/", 1)[1]
    except OSError:
        pass
    return "UTC"


def _custom_zone(sign: str, hours: int, minutes: int) -> _JavaZone | None:
    if hours > 23 or minutes > 59:
        return None
    offset = _dt.timedelta(hours=hours, minutes=minutes) * (-1 if sign == "-" else 1)
    if offset == _dt.timedelta(0):
        return _JavaZone(_dt.UTC, "GMT", "GMT")
    name = f"GMT{sign}{hours:02d}:{minutes:02d}"
    return _JavaZone(_dt.timezone(offset), name, name)


# Java's three-letter zone IDs (ZoneInfoFile.oldMappings; EST, MST, HST stay fixed).
_JAVA_OLD_IDS = {
    "ACT": "Australia/Darwin", "AET": "Australia/Sydney",
    "AGT": "America/Argentina/Buenos_Aires", "ART": "Africa/Cairo", "AST": "America/Anchorage",
    "BET": "America/Sao_Paulo", "BST": "Asia/Dhaka", "CAT": "Africa/Harare",
    "CNT": "America/St_Johns", "CST": "America/Chicago", "CTT": "Asia/Shanghai",
    "EAT": "Africa/Addis_Ababa", "ECT": "Europe/Paris", "IET": "America/Indiana/Indianapolis",
    "IST": "Asia/Kolkata", "JST": "Asia/Tokyo", "MIT": "Pacific/Apia", "NET": "Asia/Yerevan",
    "NST": "Pacific/Auckland", "PLT": "Asia/Karachi", "PNT": "America/Phoenix",
    "PRT": "America/Puerto_Rico", "PST": "America/Los_Angeles", "SST": "Pacific/Guadalcanal",
    "VST": "Asia/Ho_Chi_Minh",
}
# SystemV zones with daylight saving follow these rules.
_SYSTEM_V_RULES = {
    "AST4ADT": "America/Halifax", "EST5EDT": "EST5EDT", "CST6CDT": "CST6CDT",
    "MST7MDT": "MST7MDT", "PST8PDT": "PST8PDT", "YST9YDT": "America/Anchorage",
}


@functools.lru_cache(maxsize=8)
def _java_zone(zone_id: str) -> _JavaZone:
    import zoneinfo

    names = _java_tz_names()
    if zone_id in names or zone_id in zoneinfo.available_timezones():
        key = _JAVA_OLD_IDS.get(zone_id, zone_id)
        system_v = re.fullmatch(r"SystemV/[A-Z]{3}(\d+)([A-Z]{3})?", zone_id)
        if system_v and not system_v.group(2):  # fixed standard time
            hours = int(system_v.group(1))
            return _JavaZone(_dt.timezone(_dt.timedelta(hours=-hours)), zone_id, None)
        if system_v:
            key = _SYSTEM_V_RULES.get(zone_id[8:], key)
        try:
            return _JavaZone(zoneinfo.ZoneInfo(key), zone_id, None)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            pass
    m = _CUSTOM_GMT.fullmatch(zone_id)
    if m:
        custom = _custom_zone(m.group(1), int(m.group(2)), int(m.group(3) or 0))
        if custom is not None:
            return custom
    # Unknown ID: the JVM falls back to the C library's current GMT offset.
    time.tzset()
    offset = time.localtime().tm_gmtoff
    if offset == 0:
        return _JavaZone(_dt.UTC, "GMT", "GMT")
    sign = "-" if offset < 0 else "+"
    return _custom_zone(sign, abs(offset) // 3600, abs(offset) % 3600 // 60) or _JavaZone(
        _dt.UTC, "GMT", "GMT"
    )


def _zone_abbreviation(zone: _JavaZone, local: _dt.datetime) -> str:
    if zone.custom_name is not None:
        return zone.custom_name
    if zone.java_id in _NEGATIVE_DST_ZONES:
        raw = _NEGATIVE_DST_ZONES[zone.java_id]
        daylight = (local.utcoffset() or _dt.timedelta(0)) > raw
    else:
        daylight = bool(local.dst())
    names = _java_tz_names().get(zone.java_id)
    if names is not None:
        return names[1] if daylight else names[0]
    abbr = local.tzname() or ""
    if abbr.isalpha():
        return abbr
    offset = local.utcoffset() or _dt.timedelta(0)
    if daylight:
        offset -= local.dst() or _dt.timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    if minutes == 0:
        return "GMT"
    sign = "-" if minutes < 0 else "+"
    return f"GMT{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


# Zones whose tzdata uses negative DST.  Java reads the "rearguard" data: these
# are their raw (standard) offsets there, and anything ahead of it (Irish
# summer time, Morocco outside Ramadan, Namibia since 2017) is daylight time.
_NEGATIVE_DST_ZONES = {
    "Europe/Dublin": _dt.timedelta(0),
    "Eire": _dt.timedelta(0),
    "Africa/Casablanca": _dt.timedelta(0),
    "Africa/El_Aaiun": _dt.timedelta(0),
    "Africa/Windhoek": _dt.timedelta(hours=1),
}


def _as_utc(dt: _dt.datetime) -> _dt.datetime:
    return dt.replace(tzinfo=_dt.UTC) if dt.tzinfo is None else dt


def java_date(dt: _dt.datetime) -> str:
    """``java.util.Date.toString()``: ``Fri Nov 27 12:45:36 UTC 2026``.

    Naive datetimes are taken as UTC.  The zone is the JVM's default: ``TZ``
    (``America/New_York`` -> ``EST``/``EDT``, ``GMT+05:00``), else the system
    zone; abbreviations are JDK 17's (Locale.US short names).
    """
    zone = _java_zone(_system_zone_id())
    local = _as_utc(dt).astimezone(zone.tz)
    return (
        f"{_DAYS[local.weekday()]} {_MONTHS[local.month - 1]} {local.day:02d} "
        f"{local.hour:02d}:{local.minute:02d}:{local.second:02d} "
        f"{_zone_abbreviation(zone, local)} {local.year}"
    )


def java_medium_date(dt: _dt.datetime) -> str:
    """``DateFormat.MEDIUM`` in the English locale: ``Nov 27, 2026`` (JVM time zone)."""
    zone = _java_zone(_system_zone_id())
    local = _as_utc(dt).astimezone(zone.tz)
    return f"{_MONTHS[local.month - 1]} {local.day}, {local.year}"


@functools.lru_cache(maxsize=1)
def _known_oids() -> dict[str, str]:
    """``sun.security.util.KnownOIDs``: OID -> stdName (EKU and algorithm names)."""
    return dict(line.split(" ", 1) for line in _KNOWN_OIDS.strip().splitlines())


@functools.lru_cache(maxsize=1)
def _java_tz_names() -> dict[str, tuple[str, str]]:
    table: dict[str, tuple[str, str]] = {}
    current: tuple[str, str] = ("GMT", "GMT")
    for line in _JAVA_TZ_NAMES.strip().splitlines():
        words = line.split()
        if words[0] == "+":
            ids = words[1:]
        else:
            current = (words[0], words[1])
            ids = words[2:]
        for zone_id in ids:
            table[zone_id] = current
    return table


# TimeZone.getDisplayName(daylight, SHORT, Locale.US) of every zone ID of JDK 17
# (17.0.15), as "<standard> <daylight> <ids...>"; "+" continues the line above.
_JAVA_TZ_NAMES = """
ACST ACDT Australia/Adelaide Australia/Broken_Hill Australia/Darwin Australia/North
+ Australia/South Australia/Yancowinna ACT
ACT ACST America/Eirunepe America/Porto_Acre America/Rio_Branco Brazil/Acre
ACWST ACWDT Australia/Eucla
AEST AEDT Antarctica/Macquarie Australia/ACT Australia/Brisbane Australia/Canberra
+ Australia/Currie Australia/Hobart Australia/Lindeman Australia/Melbourne Australia/NSW
+ Australia/Queensland Australia/Sydney Australia/Tasmania Australia/Victoria AET
AFT AFST Asia/Kabul
AKST AKDT America/Anchorage America/Juneau America/Metlakatla America/Nome America/Sitka
+ America/Yakutat SystemV/YST9YDT US/Alaska AST
AKST AKST SystemV/YST9
ALMT ALMST Asia/Almaty
AMT AMST America/Boa_Vista America/Campo_Grande America/Cuiaba America/Manaus
+ America/Porto_Velho Asia/Yerevan Brazil/West NET
ANAT ANAST Asia/Anadyr
AQTT AQTST Asia/Aqtau Asia/Aqtobe
ART ARST America/Argentina/Buenos_Aires America/Argentina/Catamarca
+ America/Argentina/ComodRivadavia America/Argentina/Cordoba America/Argentina/Jujuy
+ America/Argentina/La_Rioja America/Argentina/Mendoza America/Argentina/Rio_Gallegos
+ America/Argentina/Salta America/Argentina/San_Juan America/Argentina/San_Luis
+ America/Argentina/Tucuman America/Argentina/Ushuaia America/Buenos_Aires
+ America/Catamarca America/Cordoba America/Jujuy America/Mendoza America/Rosario AGT
AST ADT America/Anguilla America/Antigua America/Aruba America/Barbados America/Blanc-
+ Sablon America/Curacao America/Dominica America/Glace_Bay America/Goose_Bay
+ America/Grenada America/Guadeloupe America/Halifax America/Kralendijk
+ America/Lower_Princes America/Marigot America/Martinique America/Moncton
+ America/Montserrat America/Port_of_Spain America/Puerto_Rico America/Santo_Domingo
+ America/St_Barthelemy America/St_Kitts America/St_Lucia America/St_Thomas
+ America/St_Vincent America/Thule America/Tortola America/Virgin Asia/Aden Asia/Baghdad
+ Asia/Bahrain Asia/Kuwait Asia/Qatar Asia/Riyadh Atlantic/Bermuda Canada/Atlantic
+ SystemV/AST4 SystemV/AST4ADT PRT
AWST AWDT Antarctica/Casey Australia/Perth Australia/West
AZOT AZOST Atlantic/Azores
AZT AZST Asia/Baku
BDT BDST Asia/Dacca Asia/Dhaka BST
BNT BNST Asia/Brunei
BOT BOST America/La_Paz
BRT BRST America/Araguaina America/Bahia America/Belem America/Fortaleza America/Maceio
+ America/Recife America/Santarem America/Sao_Paulo Brazil/East BET
BST BST Pacific/Bougainville
BTT BTST Asia/Thimbu Asia/Thimphu
CAT CAST Africa/Blantyre Africa/Bujumbura Africa/Gaborone Africa/Harare Africa/Juba
+ Africa/Khartoum Africa/Kigali Africa/Lubumbashi Africa/Lusaka Africa/Maputo CAT
CAT WAT Africa/Windhoek
CCT CCST Indian/Cocos
CET CEST Africa/Algiers Africa/Ceuta Africa/Tunis Arctic/Longyearbyen Atlantic/Jan_Mayen
+ CET Europe/Amsterdam Europe/Andorra Europe/Belgrade Europe/Berlin Europe/Bratislava
+ Europe/Brussels Europe/Budapest Europe/Busingen Europe/Copenhagen Europe/Gibraltar
+ Europe/Ljubljana Europe/Luxembourg Europe/Madrid Europe/Malta Europe/Monaco
+ Europe/Oslo Europe/Paris Europe/Podgorica Europe/Prague Europe/Rome Europe/San_Marino
+ Europe/Sarajevo Europe/Skopje Europe/Stockholm Europe/Tirane Europe/Vaduz
+ Europe/Vatican Europe/Vienna Europe/Warsaw Europe/Zagreb Europe/Zurich Poland ECT
CHAST CHADT NZ-CHAT Pacific/Chatham
CHOT CHOST Asia/Choibalsan
CHUT CHUST Pacific/Chuuk Pacific/Truk Pacific/Yap
CKT CKHST Pacific/Rarotonga
CLT CLST America/Santiago Antarctica/Palmer Chile/Continental
COT COST America/Bogota
CST CDT America/Bahia_Banderas America/Belize America/Chicago America/Chihuahua
+ America/Costa_Rica America/El_Salvador America/Guatemala America/Havana
+ America/Indiana/Knox America/Indiana/Tell_City America/Knox_IN America/Managua
+ America/Matamoros America/Menominee America/Merida America/Mexico_City
+ America/Monterrey America/North_Dakota/Beulah America/North_Dakota/Center
+ America/North_Dakota/New_Salem America/Ojinaga America/Rainy_River
+ America/Rankin_Inlet America/Regina America/Resolute America/Swift_Current
+ America/Tegucigalpa America/Winnipeg Asia/Chongqing Asia/Chungking Asia/Harbin
+ Asia/Macao Asia/Macau Asia/Shanghai Asia/Taipei CST6CDT Canada/Central
+ Canada/Saskatchewan Cuba Mexico/General PRC SystemV/CST6 SystemV/CST6CDT US/Central
+ US/Indiana-Starke CST CTT
CVT CVST Atlantic/Cape_Verde
CXT CXST Indian/Christmas
ChST ChDT Pacific/Guam Pacific/Saipan
DAVT DAVST Antarctica/Davis
DDUT DDUST Antarctica/DumontDUrville
EAST EASST Chile/EasterIsland Pacific/Easter
EAT EAST Africa/Addis_Ababa Africa/Asmara Africa/Asmera Africa/Dar_es_Salaam
+ Africa/Djibouti Africa/Kampala Africa/Mogadishu Africa/Nairobi Indian/Antananarivo
+ Indian/Comoro Indian/Mayotte EAT
ECT ECST America/Guayaquil
EET EEST Africa/Cairo Africa/Tripoli Asia/Amman Asia/Beirut Asia/Damascus Asia/Famagusta
+ Asia/Gaza Asia/Hebron Asia/Nicosia EET Egypt Europe/Athens Europe/Bucharest
+ Europe/Chisinau Europe/Helsinki Europe/Kaliningrad Europe/Kiev Europe/Kyiv
+ Europe/Mariehamn Europe/Nicosia Europe/Riga Europe/Sofia Europe/Tallinn
+ Europe/Tiraspol Europe/Uzhgorod Europe/Vilnius Europe/Zaporozhye Libya ART
EGT EGST America/Scoresbysund
EST EDT America/Atikokan America/Cancun America/Cayman America/Coral_Harbour
+ America/Detroit America/Fort_Wayne America/Grand_Turk America/Indiana/Indianapolis
+ America/Indiana/Marengo America/Indiana/Petersburg America/Indiana/Vevay
+ America/Indiana/Vincennes America/Indiana/Winamac America/Indianapolis America/Iqaluit
+ America/Jamaica America/Kentucky/Louisville America/Kentucky/Monticello
+ America/Louisville America/Montreal America/Nassau America/New_York America/Nipigon
+ America/Panama America/Pangnirtung America/Port-au-Prince America/Thunder_Bay
+ America/Toronto Canada/Eastern EST5EDT Jamaica SystemV/EST5 SystemV/EST5EDT US/East-
+ Indiana US/Eastern US/Michigan IET
EST EST EST
FJT FJST Pacific/Fiji
FKT FKST Atlantic/Stanley
FNT FNST America/Noronha Brazil/DeNoronha
GALT GALST Pacific/Galapagos
GAMT GAMST Pacific/Gambier
GET GEST Asia/Tbilisi
GFT GFST America/Cayenne
GILT GILST Pacific/Tarawa
GMT BST Europe/Belfast Europe/Guernsey Europe/Isle_of_Man Europe/Jersey Europe/London GB
+ GB-Eire
GMT CEST Antarctica/Troll
GMT GHST Africa/Accra
GMT GMT Africa/Abidjan Africa/Bamako Africa/Banjul Africa/Bissau Africa/Conakry
+ Africa/Dakar Africa/Freetown Africa/Lome Africa/Monrovia Africa/Nouakchott
+ Africa/Ouagadougou Africa/Sao_Tome Africa/Timbuktu America/Danmarkshavn
+ Atlantic/Reykjavik Atlantic/St_Helena Etc/GMT Etc/GMT+0 Etc/GMT-0 Etc/GMT0
+ Etc/Greenwich GMT GMT0 Greenwich Iceland
GMT IST Eire Europe/Dublin
GMT+01:00 GMT+01:00 Etc/GMT-1
GMT+02:00 GMT+02:00 Etc/GMT-2
GMT+03:00 GMT+03:00 Etc/GMT-3
GMT+04:00 GMT+04:00 Etc/GMT-4 Europe/Astrakhan Europe/Saratov Europe/Ulyanovsk
GMT+05:00 GMT+05:00 Asia/Atyrau Etc/GMT-5
GMT+06:00 GMT+06:00 Etc/GMT-6
GMT+07:00 GMT+07:00 Asia/Barnaul Asia/Tomsk Etc/GMT-7
GMT+08:00 GMT+08:00 Etc/GMT-8
GMT+09:00 GMT+09:00 Etc/GMT-9
GMT+10:00 GMT+10:00 Etc/GMT-10
GMT+11:00 GMT+11:00 Etc/GMT-11
GMT+12:00 GMT+12:00 Etc/GMT-12
GMT+13:00 GMT+13:00 Etc/GMT-13 Pacific/Kanton
GMT+14:00 GMT+14:00 Etc/GMT-14
GMT-01:00 GMT-01:00 Etc/GMT+1
GMT-02:00 GMT-02:00 Etc/GMT+2
GMT-03:00 GMT-03:00 America/Punta_Arenas Etc/GMT+3
GMT-04:00 GMT-04:00 Etc/GMT+4
GMT-05:00 GMT-05:00 Etc/GMT+5
GMT-06:00 GMT-06:00 Etc/GMT+6
GMT-07:00 GMT-07:00 Etc/GMT+7
GMT-08:00 GMT-08:00 Etc/GMT+8
GMT-09:00 GMT-09:00 Etc/GMT+9
GMT-10:00 GMT-10:00 Etc/GMT+10
GMT-11:00 GMT-11:00 Etc/GMT+11
GMT-12:00 GMT-12:00 Etc/GMT+12
GST GDT Asia/Dubai Asia/Muscat Atlantic/South_Georgia
GYT GYST America/Guyana
HAST HADT America/Adak America/Atka Pacific/Johnston US/Aleutian
HKT HKST Asia/Hong_Kong Hongkong
HOVT HOVST Asia/Hovd
HST HDT Pacific/Honolulu SystemV/HST10 US/Hawaii
HST HST HST
ICT ICST Asia/Bangkok Asia/Ho_Chi_Minh Asia/Phnom_Penh Asia/Saigon Asia/Vientiane VST
IOT IOST Indian/Chagos
IRKT IRKST Asia/Irkutsk
IRST IRDT Asia/Tehran Iran
IST IDT Asia/Calcutta Asia/Colombo Asia/Jerusalem Asia/Kolkata Asia/Tel_Aviv Israel IST
JST JDT Asia/Tokyo Japan JST
KGT KGST Asia/Bishkek
KOST KOSST Pacific/Kosrae
KRAT KRAST Asia/Krasnoyarsk Asia/Novokuznetsk
KST KDT Asia/Pyongyang Asia/Seoul ROK
LHST LHDT Australia/LHI Australia/Lord_Howe
LINT LINST Pacific/Kiritimati
MAGT MAGST Asia/Magadan
MART MARST Pacific/Marquesas
MAWT MAWST Antarctica/Mawson
MET MEST MET
MHT MHST Kwajalein Pacific/Kwajalein Pacific/Majuro
MMT MMST Asia/Rangoon Asia/Yangon
MSK MSD Europe/Kirov Europe/Minsk Europe/Moscow Europe/Simferopol Europe/Volgograd W-SU
MST MDT America/Boise America/Cambridge_Bay America/Ciudad_Juarez America/Creston
+ America/Dawson America/Dawson_Creek America/Denver America/Edmonton
+ America/Fort_Nelson America/Hermosillo America/Inuvik America/Mazatlan America/Phoenix
+ America/Shiprock America/Whitehorse America/Yellowknife Canada/Mountain Canada/Yukon
+ MST7MDT Mexico/BajaSur Navajo SystemV/MST7 SystemV/MST7MDT US/Arizona US/Mountain PNT
MST MST MST
MUT MUST Indian/Mauritius
MVT MVST Indian/Maldives
MYT MYST Asia/Kuala_Lumpur Asia/Kuching
NCT NCST Pacific/Noumea
NFT NFST Pacific/Norfolk
NOVT NOVST Asia/Novosibirsk
NPT NPST Asia/Kathmandu Asia/Katmandu
NRT NRST Pacific/Nauru
NST NDT America/St_Johns Canada/Newfoundland CNT
NUT NUST Pacific/Niue
NZST NZDT Antarctica/McMurdo Antarctica/South_Pole NZ Pacific/Auckland NST
OMST OMSST Asia/Omsk
ORAT ORAST Asia/Oral
PET PEST America/Lima
PETT PETST Asia/Kamchatka
PGT PGST Pacific/Port_Moresby
PHOT PHOST Pacific/Enderbury
PKT PKST Asia/Karachi PLT
PMST PMDT America/Miquelon
PONT PONST Pacific/Pohnpei Pacific/Ponape
PST PDT America/Ensenada America/Los_Angeles America/Santa_Isabel America/Tijuana
+ America/Vancouver Asia/Manila Canada/Pacific Mexico/BajaNorte PST8PDT Pacific/Pitcairn
+ SystemV/PST8PDT US/Pacific PST
PST PST SystemV/PST8
PWT PWST Pacific/Palau
PYT PYST America/Asuncion
QOST QOSST Asia/Qostanay
QYZT QYZST Asia/Qyzylorda
RET REST Indian/Reunion
ROTT ROTST Antarctica/Rothera
SAKT SAKST Asia/Sakhalin
SAMT SAMST Europe/Samara
SAST SAST Africa/Johannesburg Africa/Maseru Africa/Mbabane
SBT SBST Pacific/Guadalcanal SST
SCT SCST Indian/Mahe
SGT SGST Asia/Singapore Singapore
SRET SREDT Asia/Srednekolymsk
SRT SRST America/Paramaribo
SST SDT Pacific/Midway Pacific/Pago_Pago Pacific/Samoa US/Samoa
SYOT SYOST Antarctica/Syowa
TAHT TAHST Pacific/Tahiti
TFT TFST Indian/Kerguelen
TJT TJST Asia/Dushanbe
TKT TKST Pacific/Fakaofo
TLT TLST Asia/Dili
TMT TMST Asia/Ashgabat Asia/Ashkhabad
TOT TOST Pacific/Tongatapu
TRT TRST Asia/Istanbul Europe/Istanbul Turkey
TVT TVST Pacific/Funafuti
ULAT ULAST Asia/Ulaanbaatar Asia/Ulan_Bator
UTC UTC Etc/UCT Etc/UTC Etc/Universal Etc/Zulu UCT UTC Universal Zulu
UYT UYST America/Montevideo
UZT UZST Asia/Samarkand Asia/Tashkent
VET VEST America/Caracas
VLAT VLAST Asia/Ust-Nera Asia/Vladivostok
VOST VOSST Antarctica/Vostok
VUT VUST Pacific/Efate
WAKT WAKST Pacific/Wake
WAT WAST Africa/Bangui Africa/Brazzaville Africa/Douala Africa/Kinshasa Africa/Lagos
+ Africa/Libreville Africa/Luanda Africa/Malabo Africa/Ndjamena Africa/Niamey
+ Africa/Porto-Novo
WET WEST Africa/Casablanca Africa/El_Aaiun Atlantic/Canary Atlantic/Faeroe
+ Atlantic/Faroe Atlantic/Madeira Europe/Lisbon Portugal WET
WFT WFST Pacific/Wallis
WGT WGST America/Godthab America/Nuuk
WIB WIST Asia/Jakarta Asia/Pontianak
WIT EIST Asia/Jayapura
WITA CIST Asia/Makassar Asia/Ujung_Pandang
WSST WSDT Pacific/Apia MIT
XJT XJDT Asia/Kashgar Asia/Urumqi
YAKT YAKST Asia/Chita Asia/Khandyga Asia/Yakutsk
YEKT YEKST Asia/Yekaterinburg
"""

# Every sun.security.util.KnownOIDs constant of JDK 17.0.15 as "<oid> <stdName>".
_KNOWN_OIDS = """
2.5.4.3 CommonName
2.5.4.4 Surname
2.5.4.5 SerialNumber
2.5.4.6 CountryName
2.5.4.7 LocalityName
2.5.4.8 StateName
2.5.4.9 StreetAddress
2.5.4.10 OrgName
2.5.4.11 OrgUnitName
2.5.4.12 Title
2.5.4.42 GivenName
2.5.4.43 Initials
2.5.4.44 GenerationQualifier
2.5.4.46 DNQualifier
2.5.29.9 SubjectDirectoryAttributes
2.5.29.14 SubjectKeyID
2.5.29.15 KeyUsage
2.5.29.16 PrivateKeyUsage
2.5.29.17 SubjectAlternativeName
2.5.29.18 IssuerAlternativeName
2.5.29.19 BasicConstraints
2.5.29.20 CRLNumber
2.5.29.21 ReasonCode
2.5.29.23 HoldInstructionCode
2.5.29.24 InvalidityDate
2.5.29.27 DeltaCRLIndicator
2.5.29.28 IssuingDistributionPoint
2.5.29.29 CertificateIssuer
2.5.29.30 NameConstraints
2.5.29.31 CRLDistributionPoints
2.5.29.32 CertificatePolicies
2.5.29.32.0 CE_CERT_POLICIES_ANY
2.5.29.33 PolicyMappings
2.5.29.35 AuthorityKeyID
2.5.29.36 PolicyConstraints
2.5.29.37 extendedKeyUsage
2.5.29.37.0 anyExtendedKeyUsage
2.5.29.46 FreshestCRL
2.5.29.54 InhibitAnyPolicy
1.3.6.1.5.5.7.1.1 AuthInfoAccess
1.3.6.1.5.5.7.1.11 SubjectInfoAccess
1.3.6.1.5.5.7.3.1 serverAuth
1.3.6.1.5.5.7.3.2 clientAuth
1.3.6.1.5.5.7.3.3 codeSigning
1.3.6.1.5.5.7.3.4 emailProtection
1.3.6.1.5.5.7.3.5 ipsecEndSystem
1.3.6.1.5.5.7.3.6 ipsecTunnel
1.3.6.1.5.5.7.3.7 ipsecUser
1.3.6.1.5.5.7.3.8 timeStamping
1.3.6.1.5.5.7.3.9 OCSPSigning
1.3.6.1.5.5.7.48.1 OCSP
1.3.6.1.5.5.7.48.1.1 OCSPBasicResponse
1.3.6.1.5.5.7.48.1.2 OCSPNonceExt
1.3.6.1.5.5.7.48.1.5 OCSPNoCheck
1.3.6.1.5.5.7.48.2 caIssuers
1.3.6.1.5.5.7.48.3 timeStamping
1.3.6.1.5.5.7.48.5 caRepository
2.16.840.1.101.3.4.1 AES
2.16.840.1.101.3.4.1.1 AES_128/ECB/NoPadding
2.16.840.1.101.3.4.1.2 AES_128/CBC/NoPadding
2.16.840.1.101.3.4.1.3 AES_128/OFB/NoPadding
2.16.840.1.101.3.4.1.4 AES_128/CFB/NoPadding
2.16.840.1.101.3.4.1.5 AES_128/KW/NoPadding
2.16.840.1.101.3.4.1.6 AES_128/GCM/NoPadding
2.16.840.1.101.3.4.1.8 AES_128/KWP/NoPadding
2.16.840.1.101.3.4.1.21 AES_192/ECB/NoPadding
2.16.840.1.101.3.4.1.22 AES_192/CBC/NoPadding
2.16.840.1.101.3.4.1.23 AES_192/OFB/NoPadding
2.16.840.1.101.3.4.1.24 AES_192/CFB/NoPadding
2.16.840.1.101.3.4.1.25 AES_192/KW/NoPadding
2.16.840.1.101.3.4.1.26 AES_192/GCM/NoPadding
2.16.840.1.101.3.4.1.28 AES_192/KWP/NoPadding
2.16.840.1.101.3.4.1.41 AES_256/ECB/NoPadding
2.16.840.1.101.3.4.1.42 AES_256/CBC/NoPadding
2.16.840.1.101.3.4.1.43 AES_256/OFB/NoPadding
2.16.840.1.101.3.4.1.44 AES_256/CFB/NoPadding
2.16.840.1.101.3.4.1.45 AES_256/KW/NoPadding
2.16.840.1.101.3.4.1.46 AES_256/GCM/NoPadding
2.16.840.1.101.3.4.1.48 AES_256/KWP/NoPadding
2.16.840.1.101.3.4.2.1 SHA-256
2.16.840.1.101.3.4.2.2 SHA-384
2.16.840.1.101.3.4.2.3 SHA-512
2.16.840.1.101.3.4.2.4 SHA-224
2.16.840.1.101.3.4.2.5 SHA-512/224
2.16.840.1.101.3.4.2.6 SHA-512/256
2.16.840.1.101.3.4.2.7 SHA3-224
2.16.840.1.101.3.4.2.8 SHA3-256
2.16.840.1.101.3.4.2.9 SHA3-384
2.16.840.1.101.3.4.2.10 SHA3-512
2.16.840.1.101.3.4.2.11 SHAKE128
2.16.840.1.101.3.4.2.12 SHAKE256
2.16.840.1.101.3.4.2.13 HmacSHA3-224
2.16.840.1.101.3.4.2.14 HmacSHA3-256
2.16.840.1.101.3.4.2.15 HmacSHA3-384
2.16.840.1.101.3.4.2.16 HmacSHA3-512
2.16.840.1.101.3.4.2.17 SHAKE128-LEN
2.16.840.1.101.3.4.2.18 SHAKE256-LEN
2.16.840.1.101.3.4.3.1 SHA224withDSA
2.16.840.1.101.3.4.3.2 SHA256withDSA
2.16.840.1.101.3.4.3.3 SHA384withDSA
2.16.840.1.101.3.4.3.4 SHA512withDSA
2.16.840.1.101.3.4.3.5 SHA3-224withDSA
2.16.840.1.101.3.4.3.6 SHA3-256withDSA
2.16.840.1.101.3.4.3.7 SHA3-384withDSA
2.16.840.1.101.3.4.3.8 SHA3-512withDSA
2.16.840.1.101.3.4.3.9 SHA3-224withECDSA
2.16.840.1.101.3.4.3.10 SHA3-256withECDSA
2.16.840.1.101.3.4.3.11 SHA3-384withECDSA
2.16.840.1.101.3.4.3.12 SHA3-512withECDSA
2.16.840.1.101.3.4.3.13 SHA3-224withRSA
2.16.840.1.101.3.4.3.14 SHA3-256withRSA
2.16.840.1.101.3.4.3.15 SHA3-384withRSA
2.16.840.1.101.3.4.3.16 SHA3-512withRSA
1.2.840.113549.1.1 RSA
1.2.840.113549.1.1.1 RSA
1.2.840.113549.1.1.2 MD2withRSA
1.2.840.113549.1.1.4 MD5withRSA
1.2.840.113549.1.1.5 SHA1withRSA
1.2.840.113549.1.1.7 OAEP
1.2.840.113549.1.1.8 MGF1
1.2.840.113549.1.1.9 PSpecified
1.2.840.113549.1.1.10 RSASSA-PSS
1.2.840.113549.1.1.11 SHA256withRSA
1.2.840.113549.1.1.12 SHA384withRSA
1.2.840.113549.1.1.13 SHA512withRSA
1.2.840.113549.1.1.14 SHA224withRSA
1.2.840.113549.1.1.15 SHA512/224withRSA
1.2.840.113549.1.1.16 SHA512/256withRSA
1.2.840.113549.1.3.1 DiffieHellman
1.2.840.113549.1.5.3 PBEWithMD5AndDES
1.2.840.113549.1.5.6 PBEWithMD5AndRC2
1.2.840.113549.1.5.10 PBEWithSHA1AndDES
1.2.840.113549.1.5.11 PBEWithSHA1AndRC2
1.2.840.113549.1.5.12 PBKDF2WithHmacSHA1
1.2.840.113549.1.5.13 PBES2
1.2.840.113549.1.7 PKCS7
1.2.840.113549.1.7.1 Data
1.2.840.113549.1.7.2 SignedData
1.2.840.1113549.1.7.1 JDK_OLD_Data
1.2.840.1113549.1.7.2 JDK_OLD_SignedData
1.2.840.113549.1.7.3 EnvelopedData
1.2.840.113549.1.7.4 SignedAndEnvelopedData
1.2.840.113549.1.7.5 DigestedData
1.2.840.113549.1.7.6 EncryptedData
1.2.840.113549.1.9.1 EmailAddress
1.2.840.113549.1.9.2 UnstructuredName
1.2.840.113549.1.9.3 ContentType
1.2.840.113549.1.9.4 MessageDigest
1.2.840.113549.1.9.5 SigningTime
1.2.840.113549.1.9.6 CounterSignature
1.2.840.113549.1.9.7 ChallengePassword
1.2.840.113549.1.9.8 UnstructuredAddress
1.2.840.113549.1.9.9 ExtendedCertificateAttributes
1.2.840.113549.1.9.10 IssuerAndSerialNumber
1.2.840.113549.1.9.14 ExtensionRequest
1.2.840.113549.1.9.15 SMIMECapability
1.2.840.113549.1.9.16.1.4 TimeStampTokenInfo
1.2.840.113549.1.9.16.2.12 SigningCertificate
1.2.840.113549.1.9.16.2.14 SignatureTimestampToken
1.2.840.113549.1.9.16.3.18 CHACHA20-POLY1305
1.2.840.113549.1.9.20 FriendlyName
1.2.840.113549.1.9.21 LocalKeyID
1.2.840.113549.1.9.22.1 CertTypeX509
1.2.840.113549.1.9.52 CMSAlgorithmProtection
1.2.840.113549.1.12.1.1 PBEWithSHA1AndRC4_128
1.2.840.113549.1.12.1.2 PBEWithSHA1AndRC4_40
1.2.840.113549.1.12.1.3 PBEWithSHA1AndDESede
1.2.840.113549.1.12.1.5 PBEWithSHA1AndRC2_128
1.2.840.113549.1.12.1.6 PBEWithSHA1AndRC2_40
1.2.840.113549.1.12.10.1.2 PKCS8ShroudedKeyBag
1.2.840.113549.1.12.10.1.3 CertBag
1.2.840.113549.1.12.10.1.5 SecretBag
1.2.840.113549.2.2 MD2
1.2.840.113549.2.5 MD5
1.2.840.113549.2.7 HmacSHA1
1.2.840.113549.2.8 HmacSHA224
1.2.840.113549.2.9 HmacSHA256
1.2.840.113549.2.10 HmacSHA384
1.2.840.113549.2.11 HmacSHA512
1.2.840.113549.2.12 HmacSHA512/224
1.2.840.113549.2.13 HmacSHA512/256
1.2.840.113549.3.2 RC2/CBC/PKCS5Padding
1.2.840.113549.3.4 ARCFOUR
1.2.840.113549.3.7 DESede/CBC/NoPadding
1.2.840.113549.3.9 RC5/CBC/PKCS5Padding
1.2.840.10040.4.1 DSA
1.2.840.10040.4.3 SHA1withDSA
1.2.840.10045.2.1 EC
1.2.840.10045.3.0.5 X9.62 c2tnb191v1
1.2.840.10045.3.0.6 X9.62 c2tnb191v2
1.2.840.10045.3.0.7 X9.62 c2tnb191v3
1.2.840.10045.3.0.11 X9.62 c2tnb239v1
1.2.840.10045.3.0.12 X9.62 c2tnb239v2
1.2.840.10045.3.0.13 X9.62 c2tnb239v3
1.2.840.10045.3.0.18 X9.62 c2tnb359v1
1.2.840.10045.3.0.20 X9.62 c2tnb431r1
1.2.840.10045.3.1.1 secp192r1
1.2.840.10045.3.1.2 X9.62 prime192v2
1.2.840.10045.3.1.3 X9.62 prime192v3
1.2.840.10045.3.1.4 X9.62 prime239v1
1.2.840.10045.3.1.5 X9.62 prime239v2
1.2.840.10045.3.1.6 X9.62 prime239v3
1.2.840.10045.3.1.7 secp256r1
1.2.840.10045.4.1 SHA1withECDSA
1.2.840.10045.4.3.1 SHA224withECDSA
1.2.840.10045.4.3.2 SHA256withECDSA
1.2.840.10045.4.3.3 SHA384withECDSA
1.2.840.10045.4.3.4 SHA512withECDSA
1.2.840.10045.4.3 SpecifiedSHA2withECDSA
1.2.840.10046.2.1 DiffieHellman
1.3.36.3.3.2.8.1.1.1 brainpoolP160r1
1.3.36.3.3.2.8.1.1.3 brainpoolP192r1
1.3.36.3.3.2.8.1.1.5 brainpoolP224r1
1.3.36.3.3.2.8.1.1.7 brainpoolP256r1
1.3.36.3.3.2.8.1.1.9 brainpoolP320r1
1.3.36.3.3.2.8.1.1.11 brainpoolP384r1
1.3.36.3.3.2.8.1.1.13 brainpoolP512r1
1.3.132.0.1 sect163k1
1.3.132.0.2 sect163r1
1.3.132.0.3 sect239k1
1.3.132.0.4 sect113r1
1.3.132.0.5 sect113r2
1.3.132.0.6 secp112r1
1.3.132.0.7 secp112r2
1.3.132.0.8 secp160r1
1.3.132.0.9 secp160k1
1.3.132.0.10 secp256k1
1.3.132.0.15 sect163r2
1.3.132.0.16 sect283k1
1.3.132.0.17 sect283r1
1.3.132.0.22 sect131r1
1.3.132.0.23 sect131r2
1.3.132.0.24 sect193r1
1.3.132.0.25 sect193r2
1.3.132.0.26 sect233k1
1.3.132.0.27 sect233r1
1.3.132.0.28 secp128r1
1.3.132.0.29 secp128r2
1.3.132.0.30 secp160r2
1.3.132.0.31 secp192k1
1.3.132.0.32 secp224k1
1.3.132.0.33 secp224r1
1.3.132.0.34 secp384r1
1.3.132.0.35 secp521r1
1.3.132.0.36 sect409k1
1.3.132.0.37 sect409r1
1.3.132.0.38 sect571k1
1.3.132.0.39 sect571r1
1.3.132.1.12 ECDH
1.3.14.3.2.7 DES/CBC
1.3.14.3.2.12 DSA
1.3.14.3.2.13 SHA1withDSA
1.3.14.3.2.15 SHA1withRSA
1.3.14.3.2.17 DESede
1.3.14.3.2.26 SHA-1
1.3.14.3.2.27 SHA1withDSA
1.3.14.3.2.29 SHA1withRSA
1.3.101.110 X25519
1.3.101.111 X448
1.3.101.112 Ed25519
1.3.101.113 Ed448
0.9.2342.19200300.100.1.1 UCL_UserID
0.9.2342.19200300.100.1.25 UCL_DomainComponent
2.16.840.1.113730.1.1 NETSCAPE_CertType
2.16.840.1.113730.2.5 NETSCAPE_CertSequence
2.16.840.1.113730.4.1 NETSCAPE_ExportApproved
2.16.840.1.113894.746875.1.1 ORACLE_TrustedKeyUsage
2.5.8.1.1 RSA
1.3.6.1.4.1.42.2.11.2.1 SkipIPAddress
1.3.6.1.4.1.42.2.17.1.1 JAVASOFT_JDKKeyProtector
1.3.6.1.4.1.42.2.19.1 JAVASOFT_JCEKeyProtector
1.3.6.1.4.1.311.10.3.3 MICROSOFT_ExportApproved
"""


@_parse_boundary
def summary(cert: x509.Certificate | bytes) -> dict[str, str]:
    """The facts a script wants about a certificate, from keytool's own forms:
    subject and issuer as ``X500Principal.toString()``, lowercase hex serial,
    validity in ISO 8601 (UTC), SHA-256 fingerprint as keytool prints it.
    Works on any DER certificate keytool accepts (also where cryptography's
    stricter parser refuses one, e.g. keytool's DSA certificates)."""
    c = _parse_cert(_cert_der(cert))
    return {
        "subject": _x500_str_der(c.subject),
        "issuer": _x500_str_der(c.issuer),
        "serial": format(c.serial, "x") if c.serial >= 0 else "-" + format(-c.serial, "x"),
        "not_before": _as_utc(c.not_before).isoformat(),
        "not_after": _as_utc(c.not_after).isoformat(),
        "sha256": fingerprint(c.der, "SHA-256"),
    }


@_parse_boundary
def issuer_and_subject(cert: bytes) -> tuple[str, str]:
    """Issuer and subject of a DER certificate in a canonical form for
    comparing names as ``X500Principal.equals`` does (RFC 2253, case and
    inner white space folded)."""
    c = _parse_cert(cert)
    return _canonical_name(c.issuer), _canonical_name(c.subject)


@_parse_boundary
def subject_rfc2253(cert: bytes) -> str:
    """A DER certificate's subject as Java's ``getName(RFC2253)`` (the
    friendlyName keytool gives the CA certificates of a PKCS12 chain)."""
    return x500_rfc2253(_parse_cert(cert).subject)


def _canonical_name(name_der: bytes) -> str:
    return " ".join(x500_rfc2253(name_der).casefold().split())


def subject_public_key_info(cert: bytes) -> bytes:
    """A DER certificate's SubjectPublicKeyInfo, DER (also for certificates
    ``cryptography`` refuses): two certificates certify the same key when
    these are equal."""
    return _parse_cert(cert).spki
