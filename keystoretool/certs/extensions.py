"""keytool's ``-ext`` syntax, and its abbreviation matching.

:func:`parse_extensions` reads ``-ext`` values (``san=dns:a,ip:1.2.3.4``,
``bc:c``, ``ku:c=digitalSignature``, ``eku=clientAuth``, ``aia``/``sia``,
``crl``, ``1.2.3=0a0b``) into extensions in keytool's order, always ending
with the SubjectKeyIdentifier (``Main.createV3Extensions``). Each extension
name has its handler in :data:`_HANDLERS`; :func:`one_of` is keytool's
``oneOf``, which matches abbreviated names.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from ..errors import KeystoreToolError

if TYPE_CHECKING:  # pragma: no cover
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes


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


def parse_oid(text: str) -> x509.ObjectIdentifier:
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
    return x509.RegisteredID(parse_oid(value))


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


#: What one ``-ext`` value becomes: (OID string, cryptography ExtensionType,
#: critical). A handler gets the whole ``-ext`` text (for messages), the
#: value after ``=`` (None without one) and whether ``:critical`` was given.
ExtHandler = Callable[[str, "str | None", bool], tuple[str, Any, bool]]


def _basic_constraints(extstr: str, value: str | None, critical: bool) -> tuple[str, Any, bool]:
    from cryptography import x509
    from cryptography.x509.oid import ExtensionOID

    ca, path_len = False, -1
    if value is None:
        ca = True
    elif re.fullmatch(r"[+-]?\d+", value):
        path_len, ca = _java_int(value), True
    else:
        for part in value.split(","):
            nv = part.split(":")
            if len(nv) != 2:
                raise _illegal(extstr)
            if nv[0].lower() == "ca":
                ca = nv[1].lower() == "true"
            elif nv[0].lower() == "pathlen":
                path_len = _java_int(nv[1])
            else:
                raise _illegal(extstr)
    path = path_len if ca and path_len >= 0 else None
    return ExtensionOID.BASIC_CONSTRAINTS.dotted_string, x509.BasicConstraints(ca, path), critical


def _key_usage(extstr: str, value: str | None, critical: bool) -> tuple[str, Any, bool]:
    from cryptography import x509
    from cryptography.x509.oid import ExtensionOID

    if value is None:
        raise _illegal(extstr)
    bits = [False] * 9
    for word in value.split(","):
        p = one_of(word, *KU_NAMES)
        if p < 0:
            raise KeystoreToolError(f"Unknown keyUsage type: {word}")
        bits[1 if p == 9 else p] = True
    ext = x509.UnrecognizedExtension(ExtensionOID.KEY_USAGE, _key_usage_der(bits))
    return ExtensionOID.KEY_USAGE.dotted_string, ext, critical


def _extended_key_usage(extstr: str, value: str | None, critical: bool) -> tuple[str, Any, bool]:
    from cryptography import x509
    from cryptography.x509.oid import ExtensionOID

    if value is None:
        raise _illegal(extstr)
    oids = []
    for word in value.split(","):
        p = one_of(word, *EKU_NAMES)
        if p < 0:
            try:
                oids.append(parse_oid(word))
            except KeystoreToolError:
                raise KeystoreToolError(f"Unknown extendedkeyUsage type: {word}") from None
        elif p == 0:
            oids.append(x509.ObjectIdentifier("2.5.29.37.0"))
        else:
            oids.append(x509.ObjectIdentifier(f"1.3.6.1.5.5.7.3.{p}"))
    return ExtensionOID.EXTENDED_KEY_USAGE.dotted_string, x509.ExtendedKeyUsage(oids), critical


def _alternative_name(san: bool) -> ExtHandler:
    def handler(extstr: str, value: str | None, critical: bool) -> tuple[str, Any, bool]:
        from cryptography import x509
        from cryptography.x509.oid import ExtensionOID

        if value is None:
            raise _illegal(extstr)
        names = _general_names(value, extstr, san=san)
        if san:
            return (ExtensionOID.SUBJECT_ALTERNATIVE_NAME.dotted_string,
                    x509.SubjectAlternativeName(names), critical)
        return (ExtensionOID.ISSUER_ALTERNATIVE_NAME.dotted_string,
                x509.IssuerAlternativeName(names), critical)
    return handler


def _info_access(subject: bool) -> ExtHandler:
    def handler(extstr: str, value: str | None, critical: bool) -> tuple[str, Any, bool]:
        from cryptography import x509
        from cryptography.x509.oid import ExtensionOID

        if critical:
            raise KeystoreToolError(f"This extension cannot be marked as critical. {extstr}")
        if value is None:
            raise _illegal(extstr)
        descriptions = []
        for item in value.split(","):
            c1 = item.find(":")
            c2 = item.find(":", c1 + 1)
            if c1 < 0 or c2 < 0:
                raise _illegal(extstr)
            method, gtype, gvalue = item[:c1], item[c1 + 1:c2], item[c2 + 1:]
            p = one_of(method, "", "ocsp", "caIssuers", "timeStamping", "", "caRepository")
            if p < 0:
                try:
                    method_oid = parse_oid(method)
                except KeystoreToolError:
                    raise KeystoreToolError(f"Unknown AccessDescription type: {method}") from None
            else:
                method_oid = x509.ObjectIdentifier(f"1.3.6.1.5.5.7.48.{p}")
            descriptions.append(
                x509.AccessDescription(method_oid, general_name(gtype, gvalue, san=False))
            )
        if subject:
            return (ExtensionOID.SUBJECT_INFORMATION_ACCESS.dotted_string,
                    x509.SubjectInformationAccess(descriptions), False)
        return (ExtensionOID.AUTHORITY_INFORMATION_ACCESS.dotted_string,
                x509.AuthorityInformationAccess(descriptions), False)
    return handler


def _crl_distribution_points(extstr: str, value: str | None,
                             critical: bool) -> tuple[str, Any, bool]:
    from cryptography import x509
    from cryptography.x509.oid import ExtensionOID

    if value is None:
        raise _illegal(extstr)
    names = _general_names(value, extstr, san=False)
    dp = x509.DistributionPoint(full_name=names, relative_name=None, reasons=None,
                                crl_issuer=None)
    return (ExtensionOID.CRL_DISTRIBUTION_POINTS.dotted_string,
            x509.CRLDistributionPoints([dp]), critical)


#: keytool's extension names (``EXT_NAMES``, matched by :func:`one_of`) ->
#: handler. CRLDistributionPoints is experimental in keytool.
_HANDLERS: dict[str, ExtHandler] = {
    "BasicConstraints": _basic_constraints,
    "KeyUsage": _key_usage,
    "ExtendedKeyUsage": _extended_key_usage,
    "SubjectAlternativeName": _alternative_name(san=True),
    "IssuerAlternativeName": _alternative_name(san=False),
    "SubjectInfoAccess": _info_access(subject=True),
    "AuthorityInfoAccess": _info_access(subject=False),
    "CRLDistributionPoints": _crl_distribution_points,
}


def _illegal(extstr: str) -> KeystoreToolError:
    return KeystoreToolError(f"Illegal value: {extstr}")


def _one_extension(extstr: str) -> tuple[str, Any, bool]:
    """(OID string, cryptography ExtensionType, critical) for one ``-ext`` value."""
    from cryptography import x509

    name, eq, value_text = extstr.partition("=")
    value: str | None = value_text if eq else None
    critical = False
    colon = name.find(":")
    if colon >= 0:
        if one_of(name[colon + 1:], "critical") == 0:
            critical = True
        name = name[:colon]
    kind = one_of(name, *EXT_NAMES)
    if kind >= 0:
        return _HANDLERS[str(EXT_NAMES[kind])](extstr, value, critical)
    # an OID with an optional hex value (non-hex characters such as ':' are skipped)
    oid = parse_oid(name)
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
