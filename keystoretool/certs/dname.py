"""Distinguished names as keytool reads them.

:func:`parse_dname` reads a ``-dname`` string the way Java's ``X500Name``
does (RFC 1779 keywords, ``,``/``;`` between RDNs, ``+`` inside one, quotes,
backslash escapes, ``#hex``), choosing PrintableString / UTF8String /
IA5String per attribute as Java does. :func:`ask_x500` asks keytool's six
questions when there is no ``-dname``.

:func:`typed_attribute` is the one place that uses ``cryptography``'s
private API (``_ASN1Type``, ``_type=``, ``_validate=``): its public API
cannot choose an attribute's string type, and keytool's output is only
byte-identical with Java's choice. ``tests/test_dname_string_types.py`` fails
loudly when an upgrade of ``cryptography`` changes that behaviour.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .. import der
from ..errors import KeystoreToolError

if TYPE_CHECKING:  # pragma: no cover
    from cryptography import x509
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
    data = bytes.fromhex(hexpart)
    if len(data) < 2 or data[0] not in _STRING_TAGS:
        raise KeystoreToolError("AVA: only string values are supported in #hex form")
    try:
        body = der.parse(data, "AVA").content
    except der.DerError:
        raise KeystoreToolError("AVA parse, invalid DER length") from None
    kind = _STRING_TAGS[data[0]]
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


def typed_attribute(oid: str, value: str, string_type: str | int, *,
                    validate: bool = True) -> x509.NameAttribute[str]:
    """A name attribute encoded with the ASN.1 string type ``string_type``: a
    name (``"PrintableString"``, ``"UTF8String"``, ``"IA5String"``...; those of
    :data:`_STRING_TAGS`) or a DER tag number. ``validate=False`` also keeps a value
    ``cryptography`` would refuse (a three-letter country read from a
    certificate). The only use of ``cryptography``'s private API in the
    package: keep it that way."""
    from cryptography import x509
    from cryptography.x509.name import _ASN1Type

    kind = _ASN1Type(string_type) if isinstance(string_type, int) \
        else getattr(_ASN1Type, string_type)
    if validate:
        return x509.NameAttribute(x509.ObjectIdentifier(oid), value, _type=kind)
    import warnings

    with warnings.catch_warnings():  # cryptography warns about what it keeps
        warnings.simplefilter("ignore")
        return x509.NameAttribute(x509.ObjectIdentifier(oid), value, _type=kind, _validate=False)


def name_from_avas(rdns: Sequence[Sequence[Ava]]) -> x509.Name:
    """An ``x509.Name`` encoding the RDNs given most-specific first (Java's
    string order) in DER order (reversed)."""
    from cryptography import x509

    out: list[x509.RelativeDistinguishedName] = []
    for avas in reversed(list(rdns)):
        attrs = []
        for ava in avas:
            if ava.oid == COUNTRY_OID:
                check_country(ava.value)
            try:
                attrs.append(typed_attribute(ava.oid, ava.value, ava.string_type))
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

