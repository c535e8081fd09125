"""Certificate extensions as keytool prints them: ``Extension.toString()`` of
each class in ``sun.security.x509``, and keytool's ``printExtensions`` order."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from .. import der
from ..der import Node
from ..x509der import AVA_KEYWORDS as _AVA_KEYWORDS
from ..x509der import parse_time as _parse_time
from ..x509der import rdns as _rdns
from .common import (
    _bits,
    _children,
    _DerError,
    _hexdump,
    _int,
    _java_list,
    _java_reason,
    _java_str_key,
    _oid,
    _parse_one,
)
from .dates import java_date
from .jdkdata import _known_oids
from .names import _ava_value_default, _general_name, _general_names

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


def _seq(value: bytes, message: str) -> Node:
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


def _distribution_point(tlv: Node) -> str:
    full = relative = reasons = issuer = None
    for t in _children(tlv.content):
        number = t.tag & 0x1F
        if number == 0:
            choice = _parse_one(t.content)
            if choice.tag & 0x1F == 0:
                full = _java_list(_general_names(choice.content))
            else:
                rdn = _rdns(der.tlv(der.SEQUENCE, b"\x31" + choice.raw[1:]))
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


def _render_extensions(exts: Sequence[tuple[str, bool, bytes]]) -> str:
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
            reason = _java_reason(exc)
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
