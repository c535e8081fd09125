"""keytool's certificate texts: the ``printX509Cert`` block, ``-printcertreq``,
the weak/disabled warnings, fingerprints and PEM, and the facts a script wants."""

from __future__ import annotations

import base64
import hashlib
from typing import TYPE_CHECKING, Any

from ..der import parse as _der_parse
from ..x509der import canonical_name as _canonical_name
from .common import CertificateParseError, _children, _DerError, _parse_boundary
from .dates import _as_utc, java_date
from .extensions import _render_extensions
from .keys import (
    _cert_der,
    _key_strength,
    _key_text,
    _parse_cert,
    _sig_alg_name_of,
    _sig_strength,
    _spki_der,
    _spki_info,
)
from .names import _x500_str_der, x500_rfc2253, x500_str

if TYPE_CHECKING:  # cryptography is imported only when one of its objects is passed in
    from cryptography import x509


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
    sig = _sig_alg_name_of(c.signature)
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
    request = _der_parse(csr_der, allow_trailing=True, ber=False)
    return _sig_alg_name_of(_children(request.content)[1].raw)


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
    sig = None if trusted else _sig_alg_name_of(c.signature)
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
def issuer_and_subject(cert: bytes) -> tuple[Any, Any]:
    """Issuer and subject of a DER certificate in the canonical form names
    are compared in (:func:`keystoretool.relations.canonical_name`)."""
    c = _parse_cert(cert)
    try:
        return _canonical_name(c.issuer), _canonical_name(c.subject)
    except (_DerError, IndexError, ValueError) as exc:
        raise CertificateParseError("Invalid X.500 name") from exc


@_parse_boundary
def subject_rfc2253(cert: bytes) -> str:
    """A DER certificate's subject as Java's ``getName(RFC2253)`` (the
    friendlyName keytool gives the CA certificates of a PKCS12 chain)."""
    return x500_rfc2253(_parse_cert(cert).subject)


def subject_public_key_info(cert: bytes) -> bytes:
    """A DER certificate's SubjectPublicKeyInfo, DER (also for certificates
    ``cryptography`` refuses): two certificates certify the same key when
    these are equal."""
    return _parse_cert(cert).spki
