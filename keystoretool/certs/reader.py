"""Reading certificate input, as Java's X.509 ``CertificateFactory`` does.

:func:`read_certificates` is the one reader of certificate input: DER or PEM
certificates one after another, or a PKCS#7 (DER or PEM) first block, as
keytool reads a CA reply or ``-printcert`` input; given a ``source`` (a file
name, for the extra commands ``chain``, ``check``, ``importpem`` and
``probe``) PEM blocks other than certificates are skipped, so a key file with
its chain reads too, and errors name the source. :func:`lenient_certificate`
also reads a certificate in the form Java writes and ``cryptography``
refuses (DSA signature algorithms with NULL parameters).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from .. import der
from ..errors import KeystoreToolError
from ..relations import cert_der

if TYPE_CHECKING:  # pragma: no cover
    from cryptography import x509


class CertParseError(KeystoreToolError):
    """Input that is not certificate data. The message is Java's
    CertificateFactory reason; -printcert says "Failed to parse input"."""


_BEGIN = b"-----BEGIN "
_END = b"-----END "
_EOL = b"\r\n"
_LABEL = re.compile(rb"([^\r\n-]*)-----")
_REST_OF_LINE = re.compile(rb"[^\r\n]*[\r\n]+")


def _pem_label(data: bytes, start: int) -> tuple[bytes, int] | None:
    """``[^\\r\\n-]*-----`` at ``start``: (label, position after the dashes)."""
    m = _LABEL.match(data, start)
    return (m.group(1), m.end()) if m else None


def pem_block(data: bytes, pos: int) -> tuple[bytes, bytes, bytes, int] | None:
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


def _der_end(data: bytes, pos: int) -> int | None:
    """Where the BER element at ``pos`` ends (None if it is not one)."""
    try:
        view = memoryview(data)[pos:]  # no copy: a store may hold many blocks
        return der.parse(view, allow_trailing=True).end + pos  # type: ignore[arg-type]
    except der.DerError:
        return None


def _pem_body(raw_body: bytes) -> bytes:
    import base64

    body = re.sub(rb"[^A-Za-z0-9+/=]", b"", raw_body)
    try:
        return base64.b64decode(body + b"=" * (-len(body) % 4))
    except ValueError as exc:
        raise CertParseError("Could not parse certificate") from exc


def read_blocks(data: bytes) -> list[bytes]:
    """DER blocks as Java's ``X509Factory.readOneBlock`` finds them in turn
    (certificates, CRLs): DER elements one after another, or PEM blocks."""
    out: list[bytes] = []
    pos = 0
    while pos < len(data):
        if data[pos] == 0x30:
            end = _der_end(data, pos)
            if end is None:
                raise CertParseError("Could not parse certificate")
            out.append(data[pos:end])
            pos = end
            continue
        block = pem_block(data, pos)
        if block is None:
            break  # useless data after the last block is accepted
        header, raw_body, footer, pos = block
        if header.strip() != footer.strip():
            raise CertParseError("Header and footer do not match")
        out.append(_pem_body(raw_body))
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
    blocks = read_blocks(data)
    if not blocks:
        raise CertParseError("No certificate data found")
    pkcs7 = _pkcs7_certificates(blocks[0])
    if pkcs7 is not None:
        return pkcs7
    for block in blocks:
        try:
            x509.load_der_x509_certificate(block)
        except (ValueError, x509.InvalidVersion) as exc:  # InvalidVersion: not a ValueError
            if not _looks_like_certificate(block):
                raise CertParseError("Could not parse certificate") from exc
    return blocks


def _pkcs7_certificates(block: bytes) -> list[bytes] | None:
    """The certificates of a DER PKCS#7 (``[]`` for one without any), in file
    order, read by :mod:`keystoretool.pkcs7` (no reliance on cryptography's
    deprecated BER fallback); None when ``block`` is not a PKCS#7."""
    from cryptography import x509

    from .. import pkcs7

    if not pkcs7.is_signed_data(block):
        return None
    try:
        ders = pkcs7.certificate_ders(block)
        return [cert_der(x509.load_der_x509_certificate(d)) for d in ders]
    except (ValueError, x509.InvalidVersion) as exc:
        raise CertParseError("Could not parse certificate") from exc


_PEM_CERTIFICATE_LABELS = (b"CERTIFICATE", b"X509 CERTIFICATE", b"PKCS7")


def _pem_certificate_ders(data: bytes, source: str) -> list[bytes]:
    """The certificates of the certificate and PKCS#7 blocks of PEM text
    (other blocks, such as keys, are skipped)."""
    not_certificate = KeystoreToolError(f"{source}: Input not an X.509 certificate")
    out: list[bytes] = []
    pos = 0
    while (block := pem_block(data, pos)) is not None:
        label, raw_body, _footer, pos = block
        if label.strip() not in _PEM_CERTIFICATE_LABELS:
            continue
        try:
            body = _pem_body(raw_body)
        except CertParseError:
            raise not_certificate from None
        if label.strip() == b"PKCS7":
            found = _pkcs7_certificates(body)
            if not found:
                raise not_certificate
            out.extend(found)
        else:
            out.append(body)
    if not out:
        if any(b"-----BEGIN " + label in data for label in _PEM_CERTIFICATE_LABELS):
            raise not_certificate
        raise KeystoreToolError(f"{source}: no certificate found")
    return out


def read_certificates(data: bytes, source: str | None = None) -> list[x509.Certificate]:
    """Every certificate in ``data``, each with its names and key parsed
    (:func:`fully_parsed`).

    Without ``source``: as keytool reads it (:func:`read_certificate_ders`),
    failing with Java's reasons (:class:`CertParseError`); empty input gives
    []. With ``source`` (the file name, in every message): PEM text may hold
    other blocks, which are skipped; anything without a certificate is
    refused ("<source>: Input not an X.509 certificate", "<source>: no
    certificate found")."""
    from cryptography import x509

    if source is None:
        ders = read_certificate_ders(data)
    elif b"-----BEGIN" in data:
        ders = _pem_certificate_ders(data, source)
    else:
        try:
            ders = read_certificate_ders(data)
        except CertParseError:
            ders = []
        if not ders:
            raise KeystoreToolError(f"{source}: Input not an X.509 certificate")
    out = []
    for one in ders:
        try:
            cert = x509.load_der_x509_certificate(one)
        except (ValueError, x509.InvalidVersion) as exc:
            if source is not None:
                raise KeystoreToolError(f"{source}: Input not an X.509 certificate") from exc
            raise CertParseError(f"Unsupported certificate: {exc}") from exc
        out.append(fully_parsed(cert, source))
    return out


def read_certificate_files(paths: Iterable[str]) -> list[x509.Certificate]:
    """Certificates from each file in turn (order kept), read with
    :func:`read_certificates` and the file name as source."""
    certs: list[x509.Certificate] = []
    for path in paths:
        try:
            with open(path, "rb") as fh:
                data = fh.read()
        except OSError as exc:
            raise KeystoreToolError(f"{path} ({exc.strerror or exc})") from exc
        certs.extend(read_certificates(data, path))
    return certs


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


def load_certificate(data: bytes) -> x509.Certificate | None:
    """The certificate, or None when ``cryptography`` cannot parse it."""
    from cryptography import x509

    try:
        return fully_parsed(x509.load_der_x509_certificate(data))
    except (ValueError, x509.InvalidVersion, CertParseError):
        return None


_DSA_SIG_OIDS = (
    bytes.fromhex("06072a8648ce380403"),  # 1.2.840.10040.4.3 SHA1withDSA
    bytes.fromhex("0609608648016503040301"),  # SHA224withDSA
    bytes.fromhex("0609608648016503040302"),  # SHA256withDSA
)


def _strip_dsa_null(alg: bytes) -> bytes:
    for oid in _DSA_SIG_OIDS:
        if alg == der.seq(oid, der.null()):
            return der.seq(oid)
    return alg


def lenient_certificate(data: bytes) -> x509.Certificate:
    """The certificate for reading its names and key, also in a form
    ``cryptography`` refuses: a DSA signature algorithm with NULL parameters,
    as Java writes it, is re-encoded without them (the signature then no
    longer verifies; use this only to read fields)."""
    cert = load_certificate(data)
    if cert is not None:
        return cert
    from cryptography import x509

    try:
        tbs, alg, sig = der.parse(data, "certificate").seq("certificate", 3, 3)
        fields = [f.raw for f in tbs.seq("TBSCertificate", 2)]
        i = 2 if fields[0][0] == 0xA0 else 1
        fields[i] = _strip_dsa_null(fields[i])
        fixed = der.seq(der.seq(*fields), _strip_dsa_null(alg.raw), sig.raw)
        return fully_parsed(x509.load_der_x509_certificate(fixed))
    except (ValueError, IndexError, x509.InvalidVersion) as exc:  # DerError is a ValueError
        raise KeystoreToolError(f"Unsupported certificate: {exc}") from exc


def _looks_like_certificate(block: bytes) -> bool:
    """SEQUENCE { SEQUENCE tbs, SEQUENCE algorithm, BIT STRING } spanning the block."""
    try:
        node = der.parse(block, "certificate")
        if node.tag != der.SEQUENCE:
            return False
        return [k.tag for k in node.children()] == [der.SEQUENCE, der.SEQUENCE, der.BIT_STRING]
    except der.DerError:
        return False


