"""Certificate chores as keytool does them, on ``cryptography`` objects.

* :func:`parse_dname` reads a ``-dname`` string the way Java's ``X500Name``
  does (RFC 1779 keywords, ``,``/``;`` between RDNs, ``+`` inside one, quotes,
  backslash escapes, ``#hex``), choosing PrintableString / UTF8String /
  IA5String per attribute as Java does. :func:`ask_x500` asks keytool's six
  questions when there is no ``-dname``.
* :func:`parse_extensions` reads keytool's ``-ext`` syntax
  (``san=dns:a,ip:1.2.3.4``, ``bc:c``, ``ku:c=digitalSignature``, ``eku=clientAuth``,
  ``aia``/``sia``, ``crl``, ``1.2.3=0a0b``) into extensions in keytool's order,
  always ending with the SubjectKeyIdentifier.
* :func:`parse_startdate` is keytool's ``-startdate`` (``+1y-2m``, ``2026/01/31``,
  ``12:00:00``).
* :func:`generate_key_pair`, :func:`self_signed_certificate` and
  :func:`build_csr` make keytool's key pair, its v3 self-signed certificate
  (random 64-bit serial, SubjectKeyIdentifier) and its PKCS#10 request.
* :func:`read_certificates` parses certificate input as Java's X.509
  ``CertificateFactory`` does (DER, PEM blocks, PKCS#7 first block).
* :func:`establish_chain` / :func:`order_reply` / :func:`find_signer` are
  keytool's CA-reply logic (``establishCertChain``, ``validateReply``,
  ``getSigner``): a reply is installed leaf first, each certificate followed
  by its signer, completed from the keystore's certificates.

Everything here is pure: no prompts except through the callables passed to
:func:`ask_x500`, no files, no printing.
"""

from __future__ import annotations

import calendar
import ipaddress
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from .errors import KeystoreToolError

if TYPE_CHECKING:  # pragma: no cover
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric.types import (
        CertificateIssuerPrivateKeyTypes,
        PublicKeyTypes,
    )


class CertParseError(KeystoreToolError):
    """Input that is not certificate data. The message is Java's
    CertificateFactory reason; -printcert says "Failed to parse input"."""


# ---------------------------------------------------------------------------
# keytool's abbreviation matching (Main.oneOf)
# ---------------------------------------------------------------------------
def one_of(s: str, *choices: str | None) -> int:
    """Index of ``s`` in ``choices`` as keytool's ``oneOf`` matches it.

    ``s`` equal to a choice's abbreviation (first letter + every letter that
    is not lower case, e.g. ``kE`` for keyEncipherment), case included, picks
    that choice at once. Otherwise a choice matches when it starts with ``s``
    or its abbreviation equals ``s`` ignoring case (``san`` for
    SubjectAlternativeName), and more than one match is ambiguous. ``None``
    marks the start of experimental choices, which never make a match
    ambiguous. -1 if nothing matches.
    """
    matches: list[int] = []
    experiment = len(choices) + 1
    low = s.lower()
    for i, one in enumerate(choices):
        if one is None:
            experiment = i
            continue
        abbr = one[:1] + "".join(c for c in one[1:] if not c.islower())
        if one and abbr == s:
            return i
        if one.lower().startswith(low) or abbr.lower() == low:
            matches.append(i)
    if not matches:
        return -1
    if len(matches) == 1 or matches[1] > experiment:
        return matches[0]
    names = " ".join(str(choices[m]) for m in matches if m < experiment)
    raise KeystoreToolError(f"command {s} is ambiguous: {names}")


# ---------------------------------------------------------------------------
# Distinguished names
# ---------------------------------------------------------------------------
_KEYWORDS: dict[str, str] = {
    "CN": "2.5.4.3",
    "C": "2.5.4.6",
    "L": "2.5.4.7",
    "S": "2.5.4.8",
    "ST": "2.5.4.8",
    "O": "2.5.4.10",
    "OU": "2.5.4.11",
    "T": "2.5.4.12",
    "IP": "1.3.6.1.4.1.42.2.11.2.1",
    "STREET": "2.5.4.9",
    "DC": "0.9.2342.19200300.100.1.25",
    "DNQUALIFIER": "2.5.4.46",
    "DNQ": "2.5.4.46",
    "SURNAME": "2.5.4.4",
    "GIVENNAME": "2.5.4.42",
    "INITIALS": "2.5.4.43",
    "GENERATION": "2.5.4.44",
    "EMAIL": "1.2.840.113549.1.9.1",
    "EMAILADDRESS": "1.2.840.113549.1.9.1",
    "UID": "0.9.2342.19200300.100.1.1",
    "SERIALNUMBER": "2.5.4.5",
}
COUNTRY_OID = "2.5.4.6"
_IA5_OIDS = {"1.2.840.113549.1.9.1", "0.9.2342.19200300.100.1.25"}
_PRINTABLE = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 '()+,-./:=?")
_SPECIAL_DEFAULT = ',=\n+<>#;\\" '  # may follow a backslash
_MUST_ESCAPE_DEFAULT = ',+<>;"'  # may not appear unescaped

# DER string tags -> cryptography's _ASN1Type names
_STRING_TAGS = {
    0x0C: "UTF8String",
    0x13: "PrintableString",
    0x14: "T61String",
    0x16: "IA5String",
    0x1C: "UniversalString",
    0x1E: "BMPString",
}


def is_printable_string(value: str) -> bool:
    return all(c in _PRINTABLE for c in value)


def _escaped(index: int, start: int, text: str) -> bool:
    """True when text[index] is preceded by an odd number of backslashes."""
    n = 0
    i = index - 1
    while i >= start and text[i] == "\\":
        n += 1
        i -= 1
    return n % 2 == 1


def _split_unquoted(text: str, seps: str) -> list[str]:
    """Split at separators that are neither escaped nor inside quotes."""
    parts: list[str] = []
    start = 0
    quotes = 0
    for i, ch in enumerate(text):
        if ch == '"' and not _escaped(i, start, text):
            quotes += 1
        elif ch in seps and quotes % 2 == 0 and not _escaped(i, start, text):
            parts.append(text[start:i])
            start = i + 1
            quotes = 0
    parts.append(text[start:])
    return parts


def _keyword_oid(keyword: str) -> str:
    key = keyword.upper().strip()
    if key in _KEYWORDS:
        return _KEYWORDS[key]
    if key.startswith("OID."):
        key = key[4:]
    if key[:1].isdigit() and re.fullmatch(r"\d+(\.\d+)+", key):
        first, second = (int(x) for x in key.split(".")[:2])
        if first <= 2 and (first == 2 or second < 40):
            return key
    raise KeystoreToolError(f'Invalid keyword "{key}"')


def _string_type(oid: str, value: str) -> str:
    if oid in _IA5_OIDS:
        return "IA5String"
    return "PrintableString" if is_printable_string(value) else "UTF8String"


@dataclass(frozen=True)
class Ava:
    """One attribute of a parsed DN: OID, value and its ASN.1 string type."""

    oid: str
    value: str
    string_type: str


def _parse_value(raw: str) -> tuple[str, str | None]:
    """The value part of an AVA -> (text, forced string type or None)."""
    i = 0
    while i < len(raw) and raw[i] in " \n":
        i += 1
    rest = raw[i:]
    if not rest:
        return "", None
    if rest[0] == "#":
        return _parse_hex_value(rest[1:])
    if rest[0] == '"':
        out: list[str] = []
        j = 1
        while True:
            if j >= len(rest):
                raise KeystoreToolError("Quoted string did not end with quote")
            ch = rest[j]
            if ch == "\\":
                j += 1
                if j >= len(rest) or (rest[j] not in _SPECIAL_DEFAULT and rest[j] != "\\"):
                    bad = rest[j] if j < len(rest) else ""
                    raise KeystoreToolError(f"Invalid escaped character in AVA: '{bad}'")
                out.append(rest[j])
            elif ch == '"':
                break
            else:
                out.append(ch)
            j += 1
        if rest[j + 1:].strip(" \n"):
            raise KeystoreToolError("Invalid DN: characters after quoted string")
        return "".join(out), None
    out = []
    spaces = 0
    j = 0
    while j < len(rest):
        ch = rest[j]
        escape = False
        if ch == "\\":
            j += 1
            if j >= len(rest) or rest[j] not in _SPECIAL_DEFAULT:
                bad = rest[j] if j < len(rest) else ""
                raise KeystoreToolError(f"Invalid escaped character in AVA: '{bad}'")
            ch = rest[j]
            escape = True
        elif ch in _MUST_ESCAPE_DEFAULT:
            raise KeystoreToolError(f"Character '{ch}' in AVA appears without escape")
        if ch == " " and not escape:
            spaces += 1  # trailing unescaped spaces are dropped
        else:
            out.append(" " * spaces)
            spaces = 0
            out.append(ch)
        j += 1
    return "".join(out), None


def _parse_hex_value(hexpart: str) -> tuple[str, str | None]:
    hexpart = hexpart.strip()
    if not hexpart or len(hexpart) % 2 or not re.fullmatch(r"[0-9A-Fa-f]+", hexpart):
        raise KeystoreToolError("AVA parse, invalid hex digit")
    der = bytes.fromhex(hexpart)
    if len(der) < 2 or der[0] not in _STRING_TAGS:
        raise KeystoreToolError("AVA: only string values are supported in #hex form")
    tag = der[0]
    length = der[1]
    body = der[2:]
    if length & 0x80:
        n = length & 0x7F
        length = int.from_bytes(der[2:2 + n], "big")
        body = der[2 + n:]
    if len(body) != length:
        raise KeystoreToolError("AVA parse, invalid DER length")
    kind = _STRING_TAGS[tag]
    if kind == "BMPString":
        text = body.decode("utf-16-be")
    elif kind == "UniversalString":
        text = body.decode("utf-32-be")
    elif kind == "UTF8String":
        text = body.decode("utf-8")
    else:
        text = body.decode("latin-1")
    return text, kind


def parse_dname_avas(dname: str) -> list[list[Ava]]:
    """RDNs of a ``-dname`` string, in the order written (most specific first)."""
    if dname == "":
        return []
    rdns: list[list[Ava]] = []
    for rdn_text in _split_unquoted(dname, ",;"):
        avas: list[Ava] = []
        for ava_text in _split_unquoted(rdn_text, "+"):
            if "=" not in ava_text:
                raise KeystoreToolError("Incorrect AVA format")
            keyword, _, raw = ava_text.partition("=")
            oid = _keyword_oid(keyword)
            value, forced = _parse_value(raw)
            avas.append(Ava(oid, value, forced or _string_type(oid, value)))
        rdns.append(avas)
    return rdns


def check_country(value: str) -> None:
    """keystoretool refuses a country that is not a two-letter code (X.520
    requires one; keytool itself would accept ``C=USA``)."""
    if not re.fullmatch(r"[A-Za-z]{2}", value):
        raise KeystoreToolError(
            f"Illegal value: C={value} (the country must be a two-letter code such as US)"
        )


def name_from_avas(rdns: Sequence[Sequence[Ava]]) -> x509.Name:
    """An ``x509.Name`` encoding the RDNs given most-specific first (Java's
    string order) in DER order (reversed)."""
    from cryptography import x509
    from cryptography.x509.name import _ASN1Type

    out: list[x509.RelativeDistinguishedName] = []
    for avas in reversed(list(rdns)):
        attrs = []
        for ava in avas:
            if ava.oid == COUNTRY_OID:
                check_country(ava.value)
            try:
                attrs.append(
                    x509.NameAttribute(
                        x509.ObjectIdentifier(ava.oid),
                        ava.value,
                        _type=getattr(_ASN1Type, ava.string_type),
                    )
                )
            except (ValueError, TypeError) as exc:
                raise KeystoreToolError(f"Illegal value in DN: {exc}") from exc
        try:
            out.append(x509.RelativeDistinguishedName(attrs))
        except ValueError as exc:
            raise KeystoreToolError(f"Illegal DN: {exc}") from exc
    return x509.Name(out)


def parse_dname(dname: str) -> x509.Name:
    """keytool's ``-dname`` as an ``x509.Name``.

    >>> parse_dname("CN=John Doe, OU=Eng, O=ACME, C=DE").rfc4514_string()
    'CN=John Doe,OU=Eng,O=ACME,C=DE'
    """
    return name_from_avas(parse_dname_avas(dname))


def x500_from_answers(cn: str, ou: str, o: str, l_: str, st: str, c: str) -> x509.Name:
    """Java's ``X500Name(cn, ou, o, l, st, c)``: six single-valued RDNs."""
    pairs = [("2.5.4.3", cn), ("2.5.4.11", ou), ("2.5.4.10", o), ("2.5.4.7", l_),
             ("2.5.4.8", st), (COUNTRY_OID, c)]
    return name_from_avas([[Ava(oid, v, _string_type(oid, v))] for oid, v in pairs])


def _collate(word: str) -> str:
    """Java's Collator at PRIMARY strength: case and accents ignored."""
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


X500_QUESTIONS = (
    "What is your first and last name?",
    "What is the name of your organizational unit?",
    "What is the name of your organization?",
    "What is the name of your City or Locality?",
    "What is the name of your State or Province?",
    "What is the two-letter country code for this unit?",
)


def ask_x500(
    ask: Callable[[str], str | None],
    say: Callable[[str], object],
    describe: Callable[[x509.Name], str],
) -> x509.Name:
    """keytool's interactive questions for a DN (``getX500Name``).

    ``ask(prompt)`` shows a prompt and returns the answer line (None at EOF);
    ``say`` writes to stderr; ``describe`` renders a name as keytool prints it.
    The previous answer is the default of each question; "Unknown" at first.
    Unlike keytool, a country that is not a two-letter code is asked again.
    """
    answers = ["Unknown"] * 6
    retries = 20
    while True:
        if retries < 0:
            raise KeystoreToolError("Too many retries, program terminated")
        retries -= 1
        for i, question in enumerate(X500_QUESTIONS):
            while True:
                value = ask(f"{question}\n  [{answers[i]}]:  ")
                if value is not None and value != "":
                    answers[i] = value
                if i != 5 or re.fullmatch(r"[A-Za-z]{2}", answers[5]):
                    break
                say(f"The country must be a two-letter code such as US, not {answers[5]}\n")
                if retries < 0:
                    raise KeystoreToolError("Too many retries, program terminated")
                retries -= 1
        name = x500_from_answers(*answers)
        reply = ask(f"Is {describe(name)} correct?\n  [no]:  ")
        if reply is not None and _collate(reply) in ("yes", "y"):
            say("\n")
            return name


# ---------------------------------------------------------------------------
# -ext
# ---------------------------------------------------------------------------
EXT_NAMES: tuple[str | None, ...] = (
    "BasicConstraints",
    "KeyUsage",
    "ExtendedKeyUsage",
    "SubjectAlternativeName",
    "IssuerAlternativeName",
    "SubjectInfoAccess",
    "AuthorityInfoAccess",
    None,
    "CRLDistributionPoints",
)
KU_NAMES = (
    "digitalSignature", "nonRepudiation", "keyEncipherment", "dataEncipherment",
    "keyAgreement", "keyCertSign", "cRLSign", "encipherOnly", "decipherOnly",
    "contentCommitment",
)
EKU_NAMES = (
    "anyExtendedKeyUsage", "serverAuth", "clientAuth", "codeSigning", "emailProtection",
    "", "", "", "timeStamping", "OCSPSigning",
)
_ALPHA_DIGITS = set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")


def _check_dns_name(name: str, allow_wildcard: bool) -> None:
    """Java's ``DNSName`` syntax rules."""
    if not name:
        raise KeystoreToolError("DNSName must not be null or empty")
    if " " in name:
        raise KeystoreToolError("DNSName with blank components is not permitted")
    if name.startswith(".") or name.endswith("."):
        raise KeystoreToolError("DNSName may not begin or end with a .")
    start = 0
    while start < len(name):
        end = name.find(".", start)
        if end < 0:
            end = len(name)
        if end - start < 1:
            raise KeystoreToolError("DNSName with empty components are not permitted")
        if name[start] not in _ALPHA_DIGITS:
            if not allow_wildcard:
                raise KeystoreToolError("DNSName components must begin with a letter or digit")
            if (len(name) < 3 or name.find("*") != 0 or name[start + 1:start + 2] != "."
                    or name[start + 2:start + 3] not in _ALPHA_DIGITS
                    or name[start + 2:start + 3] == ""):
                raise KeystoreToolError(
                    "DNSName components must begin with a letter, digit, or the first "
                    "component can have only a wildcard character *"
                )
        for ch in name[start + 1:end]:
            if ch not in _ALPHA_DIGITS and ch != "-":
                raise KeystoreToolError(
                    "DNSName components must consist of letters, digits, and hyphens"
                )
        start = end + 1


def _oid(text: str) -> x509.ObjectIdentifier:
    from cryptography import x509

    if not re.fullmatch(r"\d+(\.\d+)+", text):
        bad = text.split(".")[0] if text else text
        raise KeystoreToolError(
            f'ObjectIdentifier() -- Invalid format: For input string: "{bad}"'
        )
    try:
        return x509.ObjectIdentifier(text)
    except ValueError as exc:
        raise KeystoreToolError(f"ObjectIdentifier() -- Invalid format: {text}") from exc


def general_name(kind: str, value: str, san: bool) -> x509.GeneralName:
    """keytool's ``createGeneralName``: EMAIL, URI, DNS, IP or OID."""
    from cryptography import x509

    p = one_of(kind, "EMAIL", "URI", "DNS", "IP", "OID")
    if p < 0:
        raise KeystoreToolError(f"Unrecognized GeneralName type: {kind}")
    if p == 0:
        if not value:
            raise KeystoreToolError("RFC822Name may not be null or empty")
        domain = value[value.find("@") + 1:]
        if not domain:
            raise KeystoreToolError("RFC822Name may not end with @")
        if domain == ".":
            raise KeystoreToolError("RFC822Name domain may not be just .")
        return x509.RFC822Name(value)
    if p == 1:
        if not re.match(r"[A-Za-z][A-Za-z0-9+.\-]*:", value):
            raise KeystoreToolError(f"URI name must include scheme:{value}")
        return x509.UniformResourceIdentifier(value)
    if p == 2:
        _check_dns_name(value, allow_wildcard=san)
        return x509.DNSName(value)
    if p == 3:
        try:
            return x509.IPAddress(ipaddress.ip_address(value))
        except ValueError as exc:
            raise KeystoreToolError(
                f"IPAddress {value} is not a valid IPv4 or IPv6 address"
            ) from exc
    return x509.RegisteredID(_oid(value))


def _general_names(value: str, ext: str, san: bool) -> list[x509.GeneralName]:
    names = []
    for item in value.split(","):
        colon = item.find(":")
        if colon < 0:
            raise KeystoreToolError(f"Illegal item {item} in {ext}")
        names.append(general_name(item[:colon], item[colon + 1:], san))
    return names


def _key_usage_der(bits: Sequence[bool]) -> bytes:
    """DER of a KeyUsage BIT STRING with trailing zero bits removed."""
    last = max((i for i, b in enumerate(bits) if b), default=-1)
    if last < 0:
        return b"\x03\x01\x00"
    nbits = last + 1
    nbytes = (nbits + 7) // 8
    value = 0
    for i in range(nbytes * 8):
        value = (value << 1) | (1 if i < len(bits) and bits[i] else 0)
    unused = nbytes * 8 - nbits
    body = bytes([unused]) + value.to_bytes(nbytes, "big")
    return b"\x03" + bytes([len(body)]) + body


def _java_int(text: str) -> int:
    if not re.fullmatch(r"[+-]?\d+", text) or not -(2**31) <= int(text) < 2**31:
        raise KeystoreToolError(f'For input string: "{text}"')
    return int(text)


def _one_extension(extstr: str) -> tuple[str, Any, bool]:
    """(OID string, cryptography ExtensionType, critical) for one ``-ext`` value."""
    from cryptography import x509
    from cryptography.x509.oid import ExtensionOID

    name, eq, value_text = extstr.partition("=")
    value: str | None = value_text if eq else None
    critical = False
    colon = name.find(":")
    if colon >= 0:
        if one_of(name[colon + 1:], "critical") == 0:
            critical = True
        name = name[:colon]
    kind = one_of(name, *EXT_NAMES)
    illegal = KeystoreToolError(f"Illegal value: {extstr}")
    if kind == 0:  # BasicConstraints
        ca, path_len = False, -1
        if value is None:
            ca = True
        elif re.fullmatch(r"[+-]?\d+", value):
            path_len, ca = _java_int(value), True
        else:
            for part in value.split(","):
                nv = part.split(":")
                if len(nv) != 2:
                    raise illegal
                if nv[0].lower() == "ca":
                    ca = nv[1].lower() == "true"
                elif nv[0].lower() == "pathlen":
                    path_len = _java_int(nv[1])
                else:
                    raise illegal
        path = path_len if ca and path_len >= 0 else None
        bc = x509.BasicConstraints(ca, path)
        return ExtensionOID.BASIC_CONSTRAINTS.dotted_string, bc, critical
    if kind == 1:  # KeyUsage
        if value is None:
            raise illegal
        bits = [False] * 9
        for word in value.split(","):
            p = one_of(word, *KU_NAMES)
            if p < 0:
                raise KeystoreToolError(f"Unknown keyUsage type: {word}")
            bits[1 if p == 9 else p] = True
        ext = x509.UnrecognizedExtension(ExtensionOID.KEY_USAGE, _key_usage_der(bits))
        return ExtensionOID.KEY_USAGE.dotted_string, ext, critical
    if kind == 2:  # ExtendedKeyUsage
        if value is None:
            raise illegal
        oids = []
        for word in value.split(","):
            p = one_of(word, *EKU_NAMES)
            if p < 0:
                try:
                    oids.append(_oid(word))
                except KeystoreToolError:
                    raise KeystoreToolError(f"Unknown extendedkeyUsage type: {word}") from None
            elif p == 0:
                oids.append(x509.ObjectIdentifier("2.5.29.37.0"))
            else:
                oids.append(x509.ObjectIdentifier(f"1.3.6.1.5.5.7.3.{p}"))
        return ExtensionOID.EXTENDED_KEY_USAGE.dotted_string, x509.ExtendedKeyUsage(oids), critical
    if kind in (3, 4):  # SubjectAlternativeName, IssuerAlternativeName
        if value is None:
            raise illegal
        names = _general_names(value, extstr, san=kind == 3)
        if kind == 3:
            return (ExtensionOID.SUBJECT_ALTERNATIVE_NAME.dotted_string,
                    x509.SubjectAlternativeName(names), critical)
        return (ExtensionOID.ISSUER_ALTERNATIVE_NAME.dotted_string,
                x509.IssuerAlternativeName(names), critical)
    if kind in (5, 6):  # SubjectInfoAccess, AuthorityInfoAccess
        if critical:
            raise KeystoreToolError(f"This extension cannot be marked as critical. {extstr}")
        if value is None:
            raise illegal
        descriptions = []
        for item in value.split(","):
            c1 = item.find(":")
            c2 = item.find(":", c1 + 1)
            if c1 < 0 or c2 < 0:
                raise illegal
            method, gtype, gvalue = item[:c1], item[c1 + 1:c2], item[c2 + 1:]
            p = one_of(method, "", "ocsp", "caIssuers", "timeStamping", "", "caRepository")
            if p < 0:
                try:
                    method_oid = _oid(method)
                except KeystoreToolError:
                    raise KeystoreToolError(f"Unknown AccessDescription type: {method}") from None
            else:
                method_oid = x509.ObjectIdentifier(f"1.3.6.1.5.5.7.48.{p}")
            descriptions.append(
                x509.AccessDescription(method_oid, general_name(gtype, gvalue, san=False))
            )
        if kind == 5:
            return (ExtensionOID.SUBJECT_INFORMATION_ACCESS.dotted_string,
                    x509.SubjectInformationAccess(descriptions), False)
        return (ExtensionOID.AUTHORITY_INFORMATION_ACCESS.dotted_string,
                x509.AuthorityInformationAccess(descriptions), False)
    if kind == 8:  # CRLDistributionPoints (experimental in keytool)
        if value is None:
            raise illegal
        names = _general_names(value, extstr, san=False)
        dp = x509.DistributionPoint(full_name=names, relative_name=None, reasons=None,
                                    crl_issuer=None)
        return (ExtensionOID.CRL_DISTRIBUTION_POINTS.dotted_string,
                x509.CRLDistributionPoints([dp]), critical)
    # an OID with an optional hex value (non-hex characters such as ':' are skipped)
    oid = _oid(name)
    data = b""
    if value is not None:
        digits = "".join(c for c in value if c in "0123456789abcdefABCDEF")
        if len(digits) % 2:
            raise KeystoreToolError(f"Odd number of hex digits found: {extstr}")
        data = bytes.fromhex(digits)
    return oid.dotted_string, x509.UnrecognizedExtension(oid, data), critical


def parse_extensions(
    ext_values: Sequence[str], public_key: PublicKeyTypes | None = None
) -> list[x509.Extension[Any]]:
    """keytool's ``createV3Extensions`` for ``-ext`` values.

    A later ``-ext`` of the same type replaces an earlier one. When
    ``public_key`` is given the SubjectKeyIdentifier of that key is added (and
    replaces any given one), as keytool always does. The result is ordered as
    keytool encodes it: by the OID's dotted string.
    """
    from cryptography import x509
    from cryptography.x509.oid import ExtensionOID

    chosen: dict[str, tuple[Any, bool]] = {}
    for extstr in ext_values:
        name = extstr.partition("=")[0].partition(":")[0]
        if name.lower() == "honored":
            continue
        oid, value, critical = _one_extension(extstr)
        chosen[oid] = (value, critical)
    if public_key is not None:
        chosen[ExtensionOID.SUBJECT_KEY_IDENTIFIER.dotted_string] = (
            x509.SubjectKeyIdentifier.from_public_key(public_key),  # type: ignore[arg-type]
            False)
    return [
        x509.Extension(value.oid, critical, value)
        for _, (value, critical) in sorted(chosen.items(), key=lambda kv: kv[0])
    ]


# ---------------------------------------------------------------------------
# -startdate
# ---------------------------------------------------------------------------
def _add_months(dt: datetime, months: int) -> datetime:
    """``Calendar.add(MONTH, n)``: the day is clamped to the target month."""
    total = dt.year * 12 + (dt.month - 1) + months
    year, month = divmod(total, 12)
    day = min(dt.day, calendar.monthrange(year, month + 1)[1])
    return dt.replace(year=year, month=month + 1, day=day)


def parse_startdate(text: str | None, now: datetime | None = None) -> datetime:
    """keytool's ``-startdate``: ``([+-]nnn[ymdHMS])+``, ``yyyy/mm/dd``,
    ``HH:MM:SS`` or ``yyyy/mm/dd HH:MM:SS`` (local time, lenient like Java's
    Calendar: 2020/13/01 is 2021/01/01). None means now."""
    current = now if now is not None else datetime.now().astimezone()
    if text is None:
        return current
    illegal = KeystoreToolError("Illegal startdate value")
    if not text:
        raise illegal
    try:
        return _startdate(text, current, illegal)
    except (OverflowError, ValueError):  # a date before year 1 or after 9999
        raise KeystoreToolError(
            "Illegal startdate value: the date is out of range (years 1 to 9999)") from None


def _startdate(text: str, current: datetime, illegal: KeystoreToolError) -> datetime:
    c = current
    if text[0] in "+-":
        for sign, number, unit in _relative_parts(text, illegal):
            n = sign * number
            if unit == "y":
                c = _add_months(c, 12 * n)
            elif unit == "m":
                c = _add_months(c, n)
            elif unit == "d":
                c += timedelta(days=n)
            elif unit == "H":
                c += timedelta(hours=n)
            elif unit == "M":
                c += timedelta(minutes=n)
            else:
                c += timedelta(seconds=n)
        return c
    date_part = time_part = None
    if len(text) == 19:
        if text[10] != " ":
            raise illegal
        date_part, time_part = text[:10], text[11:]
    elif len(text) == 10:
        date_part = text
    elif len(text) == 8:
        time_part = text
    else:
        raise illegal
    if date_part is not None:
        m = re.fullmatch(r"(\d{4})/(\d{2})/(\d{2})", date_part)
        if not m:
            raise illegal
        year, month, day = (int(g) for g in m.groups())
        base = _add_months(c.replace(year=year, month=1, day=1), month - 1)
        c = base + timedelta(days=day - 1)
    if time_part is not None:
        m = re.fullmatch(r"(\d{2}):(\d{2}):(\d{2})", time_part)
        if not m:
            raise illegal
        hh, mm, ss = (int(g) for g in m.groups())
        c = c.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(
            hours=hh, minutes=mm, seconds=ss)
    return c


def _relative_parts(text: str, illegal: KeystoreToolError) -> list[tuple[int, int, str]]:
    parts = []
    i = 0
    while i < len(text):
        if text[i] not in "+-":
            raise illegal
        sign = 1 if text[i] == "+" else -1
        j = i + 1
        while j < len(text) and text[j].isdigit() and text[j] in "0123456789":
            j += 1
        if j == i + 1 or j >= len(text) or text[j] not in "ymdHMS":
            raise illegal
        number = int(text[i + 1:j])
        if number >= 2**31:
            raise KeystoreToolError(f'For input string: "{text[i + 1:j]}"')
        parts.append((sign, number, text[j]))
        i = j + 1
    return parts


# ---------------------------------------------------------------------------
# Keys and signature algorithms
# ---------------------------------------------------------------------------
EC_CURVES = {
    # name (and aliases Java accepts) -> (cryptography curve class name, bits, keytool name)
    "secp256r1": ("SECP256R1", 256),
    "nist p-256": ("SECP256R1", 256),
    "x9.62 prime256v1": ("SECP256R1", 256),
    "prime256v1": ("SECP256R1", 256),
    "1.2.840.10045.3.1.7": ("SECP256R1", 256),
    "secp384r1": ("SECP384R1", 384),
    "nist p-384": ("SECP384R1", 384),
    "1.3.132.0.34": ("SECP384R1", 384),
    "secp521r1": ("SECP521R1", 521),
    "nist p-521": ("SECP521R1", 521),
    "1.3.132.0.35": ("SECP521R1", 521),
}
_EC_BY_SIZE = {256: "secp256r1", 384: "secp384r1", 521: "secp521r1"}

# Java class names keytool shows when a signature algorithm does not fit a key.
_JAVA_KEY_CLASS = {
    "RSA": "sun.security.rsa.RSAPrivateCrtKeyImpl",
    "EC": "sun.security.ec.ECPrivateKeyImpl",
    "DSA": "sun.security.provider.DSAPrivateKey",
    "EdDSA": "sun.security.ec.ed.EdDSAPrivateKeyImpl",
}


@dataclass
class GeneratedKey:
    """A new key pair and what keytool says about it."""

    private_key: Any
    key_size: int  # the number in "Generating N bit ..."
    display_alg: str  # "RSA", "EC (secp256r1)", "Ed25519"
    warnings: list[str]


def generate_key_pair(
    keyalg: str | None, keysize: int | None = None, groupname: str | None = None
) -> GeneratedKey:
    """keytool -genkeypair's key: RSA/DSA 2048, EC secp256r1, Ed25519, Ed448 by default."""
    from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa

    if keyalg is None:
        raise KeystoreToolError("The -keyalg option must be specified.")
    alg = keyalg.upper()
    warnings: list[str] = []
    if groupname is not None and keysize is not None:
        raise KeystoreToolError("Cannot specify both -groupname and -keysize")
    if alg in ("XDH", "X25519", "X448"):
        raise KeystoreToolError("Cannot derive signature algorithm from XDH")
    if alg == "RSA":
        size = 2048 if keysize is None else keysize
        if groupname is not None:
            raise KeystoreToolError(f"Unknown curve name: {groupname}")
        if size < 512 or size > 16384:
            raise KeystoreToolError("Invalid key sizes")
        return GeneratedKey(rsa.generate_private_key(65537, size), size, "RSA", warnings)
    if alg == "DSA":
        size = 2048 if keysize is None else keysize
        if groupname is not None:
            raise KeystoreToolError(f"Unknown curve name: {groupname}")
        if size not in (1024, 2048, 3072, 4096):
            raise KeystoreToolError(
                "Modulus size must range from 512 to 1024 and be a multiple of 64, or be one "
                "of 2048 and 3072"
            )
        return GeneratedKey(dsa.generate_private_key(size), size, "DSA", warnings)
    if alg == "EC":
        if groupname is not None:
            info = EC_CURVES.get(groupname.lower())
            if info is None:
                raise KeystoreToolError(f"Unknown curve name: {groupname}")
            curve_cls, bits = info
        else:
            bits = 256 if keysize is None else keysize
            if bits not in _EC_BY_SIZE:
                raise KeystoreToolError(f"Not a supported curve for key size {bits}")
            if keysize is not None:
                warnings.append(
                    "Specifying -keysize for generating EC keys is deprecated, please use "
                    f'"-groupname {_EC_BY_SIZE[bits]}" instead.'
                )
            curve_cls = _EC_BY_SIZE[bits].upper()
        key = ec.generate_private_key(getattr(ec, curve_cls)())
        return GeneratedKey(key, bits, f"EC ({key.curve.name})", warnings)
    if alg in ("ED25519", "EDDSA", "ED448"):
        if groupname is not None:
            raise KeystoreToolError(f"Unknown curve name: {groupname}")
        ed448_wanted = alg == "ED448" or (alg == "EDDSA" and keysize == 448)
        size = 448 if ed448_wanted else 255
        if keysize is not None and keysize != size:
            raise KeystoreToolError(f"Unsupported size: {keysize}")
        if ed448_wanted:
            return GeneratedKey(ed448.Ed448PrivateKey.generate(), 448, "Ed448", warnings)
        return GeneratedKey(ed25519.Ed25519PrivateKey.generate(), 255, "Ed25519", warnings)
    raise KeystoreToolError(f"{keyalg} KeyPairGenerator not available")


def key_family(key: Any) -> str:
    """RSA, EC, DSA, Ed25519 or Ed448 for a private or public key."""
    from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa

    if isinstance(key, (rsa.RSAPrivateKey, rsa.RSAPublicKey)):
        return "RSA"
    if isinstance(key, (ec.EllipticCurvePrivateKey, ec.EllipticCurvePublicKey)):
        return "EC"
    if isinstance(key, (dsa.DSAPrivateKey, dsa.DSAPublicKey)):
        return "DSA"
    if isinstance(key, (ed25519.Ed25519PrivateKey, ed25519.Ed25519PublicKey)):
        return "Ed25519"
    if isinstance(key, (ed448.Ed448PrivateKey, ed448.Ed448PublicKey)):
        return "Ed448"
    raise KeystoreToolError(f"Unsupported key type {type(key).__name__}")


def default_sigalg(key: Any) -> str:
    """keytool's default signature algorithm for a key (SignatureUtil)."""
    fam = key_family(key)
    if fam == "RSA":
        size = key.key_size
        return ("SHA512" if size > 7680 else "SHA384" if size > 3072 else "SHA256") + "withRSA"
    if fam == "EC":
        size = key.curve.key_size
        return ("SHA512" if size >= 512 else "SHA384" if size >= 384 else "SHA256") + "withECDSA"
    if fam == "DSA":
        return "SHA256withDSA"
    return fam


_HASHES = {
    "SHA1": "SHA1", "SHA224": "SHA224", "SHA256": "SHA256", "SHA384": "SHA384",
    "SHA512": "SHA512", "SHA3-224": "SHA3_224", "SHA3-256": "SHA3_256",
    "SHA3-384": "SHA3_384", "SHA3-512": "SHA3_512",
}
_SIG_RE = re.compile(r"(SHA1|SHA224|SHA256|SHA384|SHA512|SHA3-224|SHA3-256|SHA3-384|SHA3-512)"
                     r"WITH(RSA|ECDSA|DSA)")


@dataclass(frozen=True)
class SigAlg:
    """A Java signature algorithm resolved for a key."""

    name: str  # canonical Java name, e.g. SHA256withRSA
    hash_name: str | None  # cryptography hashes class name, None for EdDSA

    def hash(self) -> Any:
        from cryptography.hazmat.primitives import hashes

        return None if self.hash_name is None else getattr(hashes, self.hash_name)()

    @property
    def needs_resign(self) -> bool:
        """SHA-1 signatures: ``cryptography``'s builders refuse them, so the
        object is built with SHA-256 and re-signed (see :func:`_resign`)."""
        return self.hash_name == "SHA1"


# AlgorithmIdentifier DER of the SHA-1 signature algorithms (as Java writes them)
_SHA1_ALG_IDS = {
    "RSA": bytes.fromhex("300d06092a864886f70d0101050500"),
    "EC": bytes.fromhex("300906072a8648ce3d0401"),
    "DSA": bytes.fromhex("300906072a8648ce380403"),
}


def _sign_raw(key: Any, data: bytes, alg: SigAlg) -> bytes:
    from cryptography.hazmat.primitives.asymmetric import ec, padding

    fam = key_family(key)
    if fam == "RSA":
        return key.sign(data, padding.PKCS1v15(), alg.hash())  # type: ignore[no-any-return]
    if fam == "EC":
        return key.sign(data, ec.ECDSA(alg.hash()))  # type: ignore[no-any-return]
    return key.sign(data, alg.hash())  # type: ignore[no-any-return]


def _resign(der: bytes, key: Any, alg: SigAlg, *, inner_alg: bool) -> bytes:
    """Re-sign a certificate (``inner_alg``: its TBS also names the
    algorithm) or a PKCS#10 request with ``alg``."""
    alg_id = _SHA1_ALG_IDS[key_family(key)]
    _, start, end = _tlv(der, 0)
    body, _old_alg, _old_sig = _children(der, start, end)
    if inner_alg:
        _, tstart, tend = _tlv(body, 0)
        fields = _children(body, tstart, tend)
        i = 2 if fields[0][0] == 0xA0 else 1
        fields[i] = alg_id
        body = _encode(0x30, b"".join(fields))
    signature = _sign_raw(key, body, alg)
    return _encode(0x30, body + alg_id + _encode(0x03, b"\x00" + signature))


def resolve_sigalg(sigalg: str | None, key: Any) -> SigAlg:
    """The signature algorithm ``sigalg`` (or keytool's default) for ``key``.

    Names are matched case-insensitively, as Java's Signature.getInstance does.
    """
    fam = key_family(key)
    name = default_sigalg(key) if sigalg is None else sigalg
    upper = name.upper()
    m = _SIG_RE.fullmatch(upper)
    if m:
        digest, kind = m.groups()
        want = {"RSA": "RSA", "ECDSA": "EC", "DSA": "DSA"}[kind]
        canonical = f"{digest}with{kind}"
        if want != fam:
            raise KeystoreToolError(
                f"No installed provider supports this key: {_JAVA_KEY_CLASS.get(fam, fam)}")
        if fam == "DSA" and digest.startswith("SHA3"):
            raise KeystoreToolError(f"{name} Signature not available")
        return SigAlg(canonical, _HASHES[digest])
    if upper in ("ED25519", "ED448", "EDDSA"):
        if fam not in ("Ed25519", "Ed448"):
            raise KeystoreToolError(
                f"No installed provider supports this key: {_JAVA_KEY_CLASS.get(fam, fam)}")
        canonical = fam if upper == "EDDSA" else {"ED25519": "Ed25519", "ED448": "Ed448"}[upper]
        if canonical != fam:
            raise KeystoreToolError(
                f"No installed provider supports this key: {_JAVA_KEY_CLASS['EdDSA']}")
        return SigAlg(canonical, None)
    raise KeystoreToolError(f"{name} Signature not available")


# ---------------------------------------------------------------------------
# Certificates and requests
# ---------------------------------------------------------------------------
def random_serial() -> int:
    """``CertificateSerialNumber.newRandom64bit``: a positive, non-zero
    integer of at most 64 bits."""
    while True:
        n = int.from_bytes(os.urandom(8), "big")
        if n:
            return n


def validity_end(start: datetime, days: int) -> datetime:
    """``start`` plus ``days``, refused as keytool refuses it past the year 9999."""
    end_ordinal = start.toordinal() + days
    if end_ordinal > datetime.max.toordinal() or end_ordinal < 1:
        year = _ordinal_year(end_ordinal)
        raise KeystoreToolError(f"Validity period ends at calendar year {year} which is greater "
                                "than 9999")
    try:
        return start + timedelta(days=days)
    except OverflowError:  # the last day of year 9999, past the start's time of day
        raise KeystoreToolError("Validity period ends at calendar year 10000 which is greater "
                                "than 9999") from None


def _ordinal_year(ordinal: int) -> int:
    """The proleptic Gregorian year of a day number (1 = 0001-01-01), any size."""
    n400, n = divmod(ordinal - 1, 146097)
    n100, n = divmod(n, 36524)
    n4, n = divmod(n, 1461)
    n1, n = divmod(n, 365)
    year = n400 * 400 + n100 * 100 + n4 * 4 + n1 + 1
    return year - 1 if n1 == 4 or n100 == 4 else year


def self_signed_certificate(
    key: CertificateIssuerPrivateKeyTypes,
    subject: x509.Name,
    *,
    start: datetime,
    validity_days: int,
    sigalg: str | None = None,
    ext_values: Sequence[str] = (),
    serial: int | None = None,
) -> x509.Certificate:
    """keytool's self-signed v3 certificate: random 64-bit serial, subject =
    issuer, the requested extensions plus the SubjectKeyIdentifier."""
    from cryptography import x509

    if validity_days <= 0:
        raise KeystoreToolError("Validity must be greater than zero")
    alg = resolve_sigalg(sigalg, key)
    not_before = start.astimezone(UTC).replace(microsecond=0)
    not_after = validity_end(not_before, validity_days)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(serial if serial is not None else random_serial())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
    )
    for ext in parse_extensions(ext_values, key.public_key()):
        builder = builder.add_extension(ext.value, ext.critical)
    return sign_certificate(builder, key, alg)


def sign_certificate(builder: x509.CertificateBuilder, key: CertificateIssuerPrivateKeyTypes,
                     alg: SigAlg) -> x509.Certificate:
    """Sign a certificate builder with ``alg`` (SHA-1 included, which
    ``cryptography`` refuses: see :func:`_resign`)."""
    from cryptography import x509

    try:
        if alg.needs_resign:
            from cryptography.hazmat.primitives import hashes

            draft = cert_der(builder.sign(key, hashes.SHA256()))  # type: ignore[arg-type]
            return x509.load_der_x509_certificate(_resign(draft, key, alg, inner_alg=True))
        return builder.sign(key, alg.hash())  # type: ignore[arg-type]
    except (ValueError, TypeError) as exc:
        raise KeystoreToolError(f"Cannot sign with {alg.name}: {exc}") from exc


def build_csr(
    key: CertificateIssuerPrivateKeyTypes,
    subject: x509.Name,
    *,
    sigalg: str | None = None,
    ext_values: Sequence[str] = (),
) -> bytes:
    """keytool -certreq's PKCS#10 request (DER): the subject, the key, an
    extensionRequest with the ``-ext`` extensions plus the SubjectKeyIdentifier."""
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    alg = resolve_sigalg(sigalg, key)
    builder = x509.CertificateSigningRequestBuilder().subject_name(subject)
    for ext in parse_extensions(ext_values, key.public_key()):
        builder = builder.add_extension(ext.value, ext.critical)
    try:
        if alg.needs_resign:
            from cryptography.hazmat.primitives import hashes

            draft = builder.sign(key, hashes.SHA256())  # type: ignore[arg-type]
            return _resign(draft.public_bytes(Encoding.DER), key, alg, inner_alg=False)
        csr = builder.sign(key, alg.hash())  # type: ignore[arg-type]
    except (ValueError, TypeError) as exc:
        raise KeystoreToolError(f"Cannot sign with {alg.name}: {exc}") from exc
    return csr.public_bytes(Encoding.DER)


# ---------------------------------------------------------------------------
# Reading certificate input (Java's X.509 CertificateFactory)
# ---------------------------------------------------------------------------
_BEGIN = b"-----BEGIN "
_END = b"-----END "
_EOL = b"\r\n"


_LABEL = re.compile(rb"([^\r\n-]*)-----")
_REST_OF_LINE = re.compile(rb"[^\r\n]*[\r\n]+")


def _pem_label(data: bytes, start: int) -> tuple[bytes, int] | None:
    """``[^\\r\\n-]*-----`` at ``start``: (label, position after the dashes)."""
    m = _LABEL.match(data, start)
    return (m.group(1), m.end()) if m else None


def _pem_block(data: bytes, pos: int) -> tuple[bytes, bytes, bytes, int] | None:
    """The first PEM block at or after ``pos``, in one linear pass: (header
    label, body, footer label, end). A BEGIN line starts a line; the block
    ends at the first well-formed END line after it (any label: a mismatch is
    the caller's error). When no END follows the first valid BEGIN, none
    follows a later one either, so the scan stops there."""
    b = data.find(_BEGIN, pos)
    while b >= 0:
        if b == 0 or data[b - 1] in _EOL:
            head = _pem_label(data, b + len(_BEGIN))
            rest = _REST_OF_LINE.match(data, head[1]) if head is not None else None
            if head is not None and rest is not None:
                body_start = rest.end()
                e = data.find(_END, body_start)
                while e >= 0:
                    foot = _pem_label(data, e + len(_END))
                    if foot is not None:
                        return head[0], data[body_start:e], foot[0], foot[1]
                    e = data.find(_END, e + 1)
                return None
        b = data.find(_BEGIN, b + 1)
    return None


def _der_length(data: bytes) -> int | None:
    """Total length of the DER element at the start of ``data`` (None if bad)."""
    if len(data) < 2:
        return None
    first = data[1]
    if first < 0x80:
        return 2 + first
    n = first & 0x7F
    if n == 0 or n > 4 or len(data) < 2 + n:
        return None
    return 2 + n + int.from_bytes(data[2:2 + n], "big")


def _blocks(data: bytes) -> list[bytes]:
    """DER blocks as Java's ``X509Factory.readOneBlock`` finds them in turn."""
    import base64

    out: list[bytes] = []
    pos = 0
    while pos < len(data):
        if data[pos] == 0x30:
            n = _der_length(data[pos:])
            if n is None or pos + n > len(data):
                raise CertParseError("Could not parse certificate")
            out.append(data[pos:pos + n])
            pos += n
            continue
        block = _pem_block(data, pos)
        if block is None:
            break  # useless data after the last block is accepted
        header, raw_body, footer, pos = block
        if header.strip() != footer.strip():
            raise CertParseError("Header and footer do not match")
        body = re.sub(rb"[^A-Za-z0-9+/=]", b"", raw_body)
        try:
            out.append(base64.b64decode(body + b"=" * (-len(body) % 4)))
        except ValueError as exc:
            raise CertParseError("Could not parse certificate") from exc
        while pos < len(data) and data[pos] in b"\r\n":
            pos += 1
    return out


def read_certificate_ders(data: bytes) -> list[bytes]:
    """DER of every certificate in ``data`` as keytool reads a reply or
    -printcert input: DER or PEM certificates one after another, or a PKCS#7
    (DER or PEM) first block. Empty input gives []; anything else that holds
    no certificate raises :class:`CertParseError`.

    A certificate ``cryptography`` refuses but whose outer structure is a
    certificate's is kept (Java writes NULL parameters in DSA signature
    algorithm identifiers, which ``cryptography`` rejects)."""
    from cryptography import x509

    if not data:
        return []
    blocks = _blocks(data)
    if not blocks:
        raise CertParseError("No certificate data found")
    if _is_pkcs7(blocks[0]):
        return _pkcs7_certificate_ders(blocks[0])
    for block in blocks:
        try:
            x509.load_der_x509_certificate(block)
        except (ValueError, x509.InvalidVersion) as exc:  # InvalidVersion: not a ValueError
            if not _looks_like_certificate(block):
                raise CertParseError("Could not parse certificate") from exc
    return blocks


def read_certificates(data: bytes) -> list[x509.Certificate]:
    """:func:`read_certificate_ders` as ``x509.Certificate`` objects."""
    from cryptography import x509

    out = []
    for der in read_certificate_ders(data):
        try:
            cert = x509.load_der_x509_certificate(der)
        except (ValueError, x509.InvalidVersion) as exc:
            raise CertParseError(f"Unsupported certificate: {exc}") from exc
        out.append(fully_parsed(cert))
    return out


def fully_parsed(cert: x509.Certificate, source: str | None = None) -> x509.Certificate:
    """``cert``, once its names and public key have been parsed.

    ``cryptography`` parses those lazily, so a damaged name or key would
    otherwise surface as an exception deep inside a chain check; every
    loader calls this at its boundary, turning the damage into a
    :class:`CertParseError` (``Unsupported certificate: ...``)."""
    from cryptography import x509
    from cryptography.exceptions import UnsupportedAlgorithm

    where = f"{source}: " if source else ""
    try:
        _ = cert.subject, cert.issuer
        cert.public_key()
    except UnsupportedAlgorithm as exc:
        raise CertParseError(f"{where}Unsupported certificate key: {exc}") from exc
    except (ValueError, TypeError, x509.InvalidVersion) as exc:  # TypeError: a bad attribute
        raise CertParseError(f"{where}Unsupported certificate: {exc}") from exc
    return cert


def load_certificate(der: bytes) -> x509.Certificate | None:
    """The certificate, or None when ``cryptography`` cannot parse it."""
    from cryptography import x509

    try:
        return fully_parsed(x509.load_der_x509_certificate(der))
    except (ValueError, x509.InvalidVersion, CertParseError):
        return None


_DSA_SIG_OIDS = (
    bytes.fromhex("06072a8648ce380403"),  # 1.2.840.10040.4.3 SHA1withDSA
    bytes.fromhex("0609608648016503040301"),  # SHA224withDSA
    bytes.fromhex("0609608648016503040302"),  # SHA256withDSA
)


def _tlv(data: bytes, pos: int) -> tuple[int, int, int]:
    """(tag, start of content, end) of the DER element at ``pos``."""
    n = data[pos + 1]
    if n < 0x80:
        return data[pos], pos + 2, pos + 2 + n
    k = n & 0x7F
    length = int.from_bytes(data[pos + 2:pos + 2 + k], "big")
    return data[pos], pos + 2 + k, pos + 2 + k + length


def _encode(tag: int, content: bytes) -> bytes:
    n = len(content)
    if n < 0x80:
        return bytes([tag, n]) + content
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(body)]) + body + content


def _children(data: bytes, start: int, end: int) -> list[bytes]:
    out = []
    pos = start
    while pos < end:
        _, _, stop = _tlv(data, pos)
        out.append(data[pos:stop])
        pos = stop
    return out


def _strip_dsa_null(alg: bytes) -> bytes:
    for oid in _DSA_SIG_OIDS:
        if alg == _encode(0x30, oid + b"\x05\x00"):
            return _encode(0x30, oid)
    return alg


def lenient_certificate(der: bytes) -> x509.Certificate:
    """The certificate for reading its names and key, also in a form
    ``cryptography`` refuses: a DSA signature algorithm with NULL parameters,
    as Java writes it, is re-encoded without them (the signature then no
    longer verifies; use this only to read fields)."""
    cert = load_certificate(der)
    if cert is not None:
        return cert
    from cryptography import x509

    try:
        _, start, end = _tlv(der, 0)
        tbs, alg, sig = _children(der, start, end)
        _, tstart, tend = _tlv(tbs, 0)
        fields = _children(tbs, tstart, tend)
        i = 2 if fields[0][0] == 0xA0 else 1
        fields[i] = _strip_dsa_null(fields[i])
        fixed = _encode(0x30, _encode(0x30, b"".join(fields)) + _strip_dsa_null(alg) + sig)
        return fully_parsed(x509.load_der_x509_certificate(fixed))
    except (ValueError, IndexError, x509.InvalidVersion) as exc:
        raise KeystoreToolError(f"Unsupported certificate: {exc}") from exc


def _looks_like_certificate(der: bytes) -> bool:
    """SEQUENCE { SEQUENCE tbs, SEQUENCE algorithm, BIT STRING } spanning the block."""
    total = _der_length(der)
    if total != len(der) or der[0] != 0x30:
        return False
    n = der[1]
    pos = 2 + (n & 0x7F if n & 0x80 else 0)
    tags = []
    while pos < len(der):
        length = _der_length(der[pos:])
        if length is None or pos + length > len(der):
            return False
        tags.append(der[pos])
        pos += length
    return tags == [0x30, 0x30, 0x03]


def _is_pkcs7(der: bytes) -> bool:
    from . import pkcs7

    return pkcs7.is_signed_data(der)


def _pkcs7_certificate_ders(block: bytes) -> list[bytes]:
    """A PKCS#7 reply's certificates (our reader: no reliance on cryptography's
    deprecated BER fallback); each must parse as a certificate."""
    from cryptography import x509

    from . import pkcs7

    try:
        ders = pkcs7.certificate_ders(block)
        return [cert_der(x509.load_der_x509_certificate(d)) for d in ders]
    except (ValueError, x509.InvalidVersion) as exc:
        raise CertParseError("Could not parse certificate") from exc


# ---------------------------------------------------------------------------
# Certificate relations as keytool checks them
# ---------------------------------------------------------------------------
def spki(key: Any) -> bytes:
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    return key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)  # type: ignore[no-any-return]


def cert_der(cert: x509.Certificate) -> bytes:
    from cryptography.hazmat.primitives.serialization import Encoding

    return cert.public_bytes(Encoding.DER)


def same_key(a: x509.Certificate, b: x509.Certificate) -> bool:
    return spki(a.public_key()) == spki(b.public_key())


def _canonical_name(name: x509.Name) -> tuple[Any, ...]:
    """X500Principal.equals: attribute values compared case-insensitively
    with runs of white space collapsed."""
    out = []
    for rdn in name.rdns:
        attrs = []
        for attr in rdn:
            value = attr.value if isinstance(attr.value, str) else attr.value.hex()
            attrs.append((attr.oid.dotted_string, " ".join(value.split()).lower()))
        out.append(tuple(sorted(attrs)))
    return tuple(out)


def names_equal(a: x509.Name, b: x509.Name) -> bool:
    return a == b or _canonical_name(a) == _canonical_name(b)


def verify_signature(cert: x509.Certificate | x509.CertificateRevocationList, key: Any) -> bool:
    """``cert.verify(key)``: the signature of a certificate or CRL checks out
    with ``key`` (names are not compared; SHA-1 is accepted, as Java does)."""
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa

    try:
        data = cert.tbs_certificate_bytes if isinstance(cert, x509.Certificate) \
            else cert.tbs_certlist_bytes
        sig = cert.signature
        if isinstance(key, rsa.RSAPublicKey):
            key.verify(sig, data, cert.signature_algorithm_parameters,  # type: ignore[arg-type]
                       cert.signature_hash_algorithm)  # type: ignore[arg-type]
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(sig, data, ec.ECDSA(cert.signature_hash_algorithm))  # type: ignore[arg-type]
        elif isinstance(key, dsa.DSAPublicKey):
            key.verify(sig, data, cert.signature_hash_algorithm)  # type: ignore[arg-type]
        elif isinstance(key, (ed25519.Ed25519PublicKey, ed448.Ed448PublicKey)):
            key.verify(sig, data)
        else:
            return False
    except Exception:  # InvalidSignature, unsupported algorithm, mismatched key type
        return False
    return True


def signed_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    """KeyStoreUtil.signedBy: issuer name matches and the signature verifies."""
    return names_equal(issuer.subject, cert.issuer) and verify_signature(cert, issuer.public_key())


def is_self_signed(cert: x509.Certificate) -> bool:
    return signed_by(cert, cert)


# ---------------------------------------------------------------------------
# CA replies
# ---------------------------------------------------------------------------
@dataclass
class Candidate:
    """A certificate keytool may use to complete a chain, with its label
    (``Issuer <alias>`` or ``Issuer <alias> in cacerts``)."""

    label: str
    cert: x509.Certificate


def establish_chain(
    user_cert: x509.Certificate | None,
    reply: x509.Certificate,
    candidates: Sequence[Candidate],
) -> list[x509.Certificate]:
    """keytool's ``establishCertChain`` for a one-certificate reply (or a
    trusted certificate when ``user_cert`` is None): the chain from ``reply``
    up to a self-signed root, using ``candidates`` (the keystore's
    certificates in enumeration order, then cacerts), leaf first."""
    if user_cert is not None:
        if not same_key(user_cert, reply):
            raise KeystoreToolError("Public keys in reply and keystore don't match")
        if cert_der(user_cert) == cert_der(reply):
            raise KeystoreToolError("Certificate reply and certificate in keystore are identical")
    by_subject: dict[tuple[Any, ...], list[Candidate]] = {}
    for cand in candidates:  # names_equal(subject, issuer) <=> same canonical name
        by_subject.setdefault(_canonical_name(cand.cert.subject), []).append(cand)
    from .formats.budget import factor

    checks = [int((4 * len(candidates) + 256) * factor())]
    chain = _build_chain(reply, by_subject, set(), checks)
    if chain is None:
        raise KeystoreToolError("Failed to establish chain from reply")
    return chain


def _build_chain(
    cert: x509.Certificate, by_subject: dict[tuple[Any, ...], list[Candidate]],
    seen: set[bytes], checks: list[int],
) -> list[x509.Certificate] | None:
    """Depth-first, as keytool's buildChain; ``checks`` is the signature
    checks left (certificates cross-signed many times over could otherwise
    make the search exponential)."""
    if is_self_signed(cert):
        return [cert]
    der = cert_der(cert)
    if der in seen:  # a loop of cross-signed certificates
        return None
    seen = seen | {der}
    for cand in by_subject.get(_canonical_name(cert.issuer), ()):
        checks[0] -= 1
        if checks[0] < 0:
            from .formats.budget import ENV

            raise KeystoreToolError(
                "Failed to establish chain from reply: too many candidate issuers share "
                f"names (set {ENV}=N to multiply the work limits by N)"
            )
        if not verify_signature(cert, cand.cert.public_key()):
            continue
        rest = _build_chain(cand.cert, by_subject, seen, checks)
        if rest is not None:
            return [cert, *rest]
    return None


def order_reply(alias: str, user_cert: x509.Certificate,
                reply: Sequence[x509.Certificate]) -> list[x509.Certificate]:
    """keytool's ``validateReply`` ordering of a multi-certificate reply:
    duplicates dropped, the certificate with the entry's key first, then each
    one's signer. With three or more certificates a missing link gives
    "Incomplete certificate chain in reply". The last certificate is kept as
    it comes (keytool does not check that it signed the one before)."""
    certs: list[x509.Certificate] = []
    seen: set[bytes] = set()
    for c in reply:
        d = cert_der(c)
        if d not in seen:
            seen.add(d)
            certs.append(c)
    want = spki(user_cert.public_key())
    idx = next((i for i, c in enumerate(certs) if spki(c.public_key()) == want), None)
    if idx is None:
        raise KeystoreToolError(f"Certificate reply does not contain public key for <{alias}>")
    certs[0], certs[idx] = certs[idx], certs[0]
    this = certs[0]
    for i in range(1, len(certs) - 1):
        for j in range(i, len(certs)):
            if signed_by(this, certs[j]):
                certs[i], certs[j] = certs[j], certs[i]
                this = certs[i]
                break
        else:
            raise KeystoreToolError("Incomplete certificate chain in reply")
    return certs


def find_signer(top: x509.Certificate, candidates: Sequence[Candidate]) -> Candidate | None:
    """keytool's ``getSigner``: ``top`` itself when a candidate is that very
    certificate, else the first candidate whose key verifies ``top``."""
    der = cert_der(top)
    for cand in candidates:
        if cert_der(cand.cert) == der:
            return Candidate("", top)
    for cand in candidates:
        if verify_signature(top, cand.cert.public_key()):
            return cand
    return None


def pkcs12_chain_valid(chain: Sequence[x509.Certificate]) -> bool:
    """PKCS12KeyStore.validateChain: each certificate's issuer is the next
    one's subject, and no certificate appears twice."""
    for a, b in zip(chain, chain[1:], strict=False):
        if not names_equal(a.issuer, b.subject):
            return False
    return len({cert_der(c) for c in chain}) == len(chain)


def store_candidates(entries: Sequence[tuple[str, bytes]],
                     cacerts: Sequence[tuple[str, bytes]] = ()) -> list[Candidate]:
    """Candidates from (alias, first-certificate DER) pairs of a keystore in
    enumeration order, then of the system CA store."""
    from cryptography import x509

    out: list[Candidate] = []
    labelled = [(f"Issuer <{a}>", d) for a, d in entries]
    labelled += [(f"Issuer <{a}> in cacerts", d) for a, d in cacerts]
    for label, der in labelled:
        try:
            out.append(Candidate(label, x509.load_der_x509_certificate(der)))
        except ValueError:  # a form cryptography cannot check cannot sign anything here
            continue
    return out


def system_ca_certificates() -> list[tuple[str, bytes]]:
    """The system CA store for ``-trustcacerts``: the OpenSSL default CA file
    (Debian's /etc/ssl/certs/ca-certificates.crt), or $KEYSTORETOOL_CACERTS
    (a PEM bundle) when set. Labels are the subjects."""
    import ssl

    path = os.environ.get("KEYSTORETOOL_CACERTS") or ssl.get_default_verify_paths().cafile
    if not path or not os.path.isfile(path):
        return []
    import warnings

    from cryptography.utils import CryptographyDeprecationWarning

    with warnings.catch_warnings():
        # Some roots of the system bundle have a serial number that is not
        # positive (Go Daddy's is 0): cryptography warns about each one. The
        # bundle is not the user's file, so that is no news for them.
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        try:
            with open(path, "rb") as fh:
                certs = read_certificates(fh.read())
        except (OSError, KeystoreToolError):
            return []
        return [(c.subject.rfc4514_string(), cert_der(c)) for c in certs]
