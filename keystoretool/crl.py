"""Certificate revocation lists as keytool 17 makes and prints them.

``build_crl`` is ``-gencrl``: the issuer is the signing entry's subject, every
``-id SERIAL[:REASON]`` is revoked at the start date, the next update is
``-validity`` days later, and a reason becomes a non-critical CRLReason entry
extension. Like Java's X509CRLImpl the CRL is version 1 (no version field)
unless an entry has an extension. ``cryptography`` builds and signs it; only
the v1 form (which ``cryptography`` cannot write) is re-signed here.

``render`` is Java's ``X509CRLImpl.toString`` as ``-printcrl`` prints it.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from . import certinfo, certs, relations
from . import der as _der
from .certinfo.common import _hexdump, _java_str_key
from .certinfo.extensions import _EXTENSIONS
from .certinfo.keys import _sig_strength
from .errors import KeystoreToolError

if TYPE_CHECKING:  # pragma: no cover
    from cryptography import x509

#: java.security.cert.CRLReason, by code.
REASONS = ("UNSPECIFIED", "KEY_COMPROMISE", "CA_COMPROMISE", "AFFILIATION_CHANGED",
           "SUPERSEDED", "CESSATION_OF_OPERATION", "CERTIFICATE_HOLD", "UNUSED",
           "REMOVE_FROM_CRL", "PRIVILEGE_WITHDRAWN", "AA_COMPROMISE")
_REASON_OID = "2.5.29.21"


def _java_int(text: str, limit_bits: int | None = 32) -> int:
    """Integer.parseInt / new BigInteger: decimal, optional sign."""
    body = text[1:] if text[:1] in "+-" else text
    if not body or not body.isdigit() or not body.isascii():
        raise KeystoreToolError(f'For input string: "{text}"')
    value = int(text)
    if limit_bits is not None and not -(1 << (limit_bits - 1)) <= value < 1 << (limit_bits - 1):
        raise KeystoreToolError(f'For input string: "{text}"')
    return value


def _der_int_body(value: int) -> bytes:
    """Two's-complement minimal content octets (BigInteger.toByteArray)."""
    return value.to_bytes(max(1, (value.bit_length() + 8) // 8), "big", signed=True)


def parse_id(text: str) -> tuple[int, int | None]:
    """``-id SERIAL[:REASON]``: a decimal serial and an optional reason code."""
    serial_text, colon, reason_text = text.partition(":")
    serial = _java_int(serial_text, None)
    reason = _java_int(reason_text) if colon else None
    if serial <= 0:
        raise KeystoreToolError(f"Invalid serial number: {serial_text} (must be positive)")
    return serial, reason


def build_crl(key: Any, issuer_cert: x509.Certificate, ids: Sequence[str], *,
              start: _dt.datetime, validity_days: int, sigalg: str | None = None) -> bytes:
    """The DER of keytool's -gencrl CRL."""
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    alg = certs.resolve_sigalg(sigalg, key)
    this_update = start.astimezone(_dt.UTC).replace(microsecond=0)
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(issuer_cert.subject)
        .last_update(this_update)
        .next_update(this_update + _dt.timedelta(days=validity_days))
    )
    with_extensions = False
    for text in ids:
        serial, reason = parse_id(text)
        entry = (x509.RevokedCertificateBuilder().serial_number(serial)
                 .revocation_date(this_update))
        if reason is not None:
            with_extensions = True
            value = b"\x0a" + bytes([len(_der_int_body(reason))]) + _der_int_body(reason)
            entry = entry.add_extension(
                x509.UnrecognizedExtension(x509.ObjectIdentifier(_REASON_OID), value), False)
        builder = builder.add_revoked_certificate(entry.build())
    from cryptography.hazmat.primitives import hashes

    try:
        draft = builder.sign(key, alg.hash() if alg.hash_name not in (None, "SHA1")
                             else hashes.SHA256() if alg.hash_name else None)
    except (ValueError, TypeError) as exc:
        raise KeystoreToolError(f"Cannot sign with {alg.name}: {exc}") from exc
    der = draft.public_bytes(Encoding.DER)
    if with_extensions and not alg.needs_resign:
        return der
    return certs.resign(der, key, alg, inner_alg=True, drop_version=not with_extensions)


# ---------------------------------------------------------------------------
def load_crls(data: bytes) -> list[x509.CertificateRevocationList]:
    """Every CRL in ``data`` (DER or PEM, one after another), as Java's
    CertificateFactory.generateCRLs reads them."""
    from cryptography import x509

    if not data.strip():
        return []
    try:
        blocks = certs.read_blocks(data)
        if not blocks:
            raise ValueError
        return [x509.load_der_x509_crl(block) for block in blocks]
    except ValueError:
        raise KeystoreToolError("Failed to parse input") from None


def _serial_text(serial: int) -> str:
    """``SerialNumber.toString()``: the two's-complement bytes, ``01:8e:e9``."""
    return ":".join(f"{b:02x}" for b in _der_int_body(serial))


def _ext_text(oid: str, critical: bool, value: bytes, indent: str) -> str:
    """``Extension.toString()`` of a CRL or CRL entry extension."""
    head = f"ObjectId: {oid} Criticality={str(critical).lower()}\n"
    try:
        if oid == _REASON_OID:
            code = int.from_bytes(value[2:], "big", signed=True) if value[:1] == b"\x0a" else 0
            name = REASONS[code] if 0 <= code < len(REASONS) else "UNSPECIFIED"
            return head + f"{indent}Reason Code: {name}"
        render = _EXTENSIONS.get(oid, (oid, None))[1]
        if render is not None:
            return head + render(value, critical)
    except Exception:  # noqa: BLE001 - Java prints the hex dump of what it cannot parse
        pass
    octet = _der.tlv(_der.OCTET_STRING, value)
    return (head + "Extension unknown: DER encoded OCTET string =\n"
            + _hexdump(octet) + "\n")


def render(crl: x509.CertificateRevocationList) -> str:
    """``X509CRLImpl.toStringWithAlgName`` (keytool -printcrl), ending with a newline
    (the ``println`` keytool adds)."""
    from cryptography.hazmat.primitives.serialization import Encoding

    der = crl.public_bytes(Encoding.DER)
    tbs, alg_id, _ = _der.parse(der, "CRL").seq("CRL", 3, 3)
    version = 2 if tbs.seq("TBSCertList", 1)[0].tag == _der.INTEGER else 1
    sig_name = certinfo._sig_alg_name_of(alg_id.raw)
    strength = _sig_strength(sig_name)
    shown = f"{sig_name} ({strength})" if strength else sig_name
    alg_oid = crl.signature_algorithm_oid.dotted_string
    out = [f"X.509 CRL v{version}\n",
           f"Signature Algorithm: {shown}, OID={alg_oid}\n",
           f"Issuer: {certinfo.x500_str(crl.issuer.public_bytes())}\n",
           f"\nThis Update: {certinfo.java_date(crl.last_update_utc)}\n"]
    if crl.next_update_utc is not None:
        out.append(f"Next Update: {certinfo.java_date(crl.next_update_utc)}\n")
    revoked = list(crl)
    if not revoked:
        out.append("\nNO certificates have been revoked\n")
    else:
        out.append(f"\nRevoked Certificates: {len(revoked)}")
        for i, entry in enumerate(revoked, 1):
            out.append(f"\n[{i}] SerialNumber: {_serial_text(entry.serial_number)}  "
                       f"On: {certinfo.java_date(entry.revocation_date_utc)}")
            exts = _raw_extensions(entry.extensions)
            if exts:
                out.append(f"\n    CRL Entry Extensions: {len(exts)}")
                for j, (oid, critical, value) in enumerate(exts, 1):
                    out.append(f"\n    [{j}]: " + _ext_text(oid, critical, value, "    "))
            out.append("\n")
    exts = _raw_extensions(crl.extensions)
    if exts:
        out.append(f"\nCRL Extensions: {len(exts)}")
        for j, (oid, critical, value) in enumerate(exts, 1):
            out.append(f"\n[{j}]: " + _ext_text(oid, critical, value, ""))
    out.append("\nSignature:\n" + _hexdump(crl.signature) + "\n")
    return "".join(out) + "\n"


def _raw_extensions(extensions: Any) -> list[tuple[str, bool, bytes]]:
    """(OID, critical, value) in Java's CRLExtensions order: a TreeMap keyed by
    the extension class's NAME (``CRLNumber``...), or the OID when Java has no
    class for it in a CRL."""
    out = []
    for ext in extensions:
        out.append((ext.oid.dotted_string, ext.critical, ext.value.public_bytes()))
    return sorted(out, key=lambda e: _java_str_key(_crl_ext_name(e[0])))


def _crl_ext_name(oid: str) -> str:
    return _EXTENSIONS.get(oid, (oid, None))[0]


def verify(crl: x509.CertificateRevocationList, candidates: Sequence[tuple[str, bytes]]
           ) -> tuple[str, Any] | None:
    """keytool's verifyCRL: the first (alias, certificate DER) whose subject is
    the CRL's issuer and whose key verifies it; returns (alias, public key)."""
    for alias, der in candidates:
        try:
            cert = certs.lenient_certificate(der)
            if not relations.names_equal(cert.subject, crl.issuer):
                continue
            key = cert.public_key()
            if relations.verify_signature(crl, key):
                return alias, key
        except Exception:  # noqa: BLE001, S112 - an unusable candidate is skipped, as Java does
            continue
    return None
