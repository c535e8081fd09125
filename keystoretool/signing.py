"""keytool -gencert: a certificate for a PKCS#10 request, signed by a key entry.

The certificate has keytool 17's shape: v3, a random 64-bit serial, the
issuer's subject as issuer, the request's subject (or ``-dname``), and the
extensions of keytool's ``createV3Extensions``: the request's own extensions
only where ``-ext honored=...`` asks for them, then every ``-ext``, then the
SubjectKeyIdentifier of the new key and an AuthorityKeyIdentifier holding the
issuer's SubjectKeyIdentifier (computed from its key when the issuer
certificate has none; none at all when the request carries the issuer's own
key). Extensions are encoded in OID order, as Java's CertificateExtensions
does.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from . import certs
from .errors import KeystoreToolError

if TYPE_CHECKING:  # pragma: no cover
    from cryptography import x509


def read_request(data: bytes) -> x509.CertificateSigningRequest:
    """keytool's reading of ``-infile``: the base64 lines between a
    ``-----BEGIN ...REQUEST`` line and its ``-----END`` line."""
    from cryptography import x509

    body: list[bytes] = []
    reading = False
    for line in data.splitlines():
        if line.startswith(b"-----BEGIN") and b"REQUEST" in line:
            reading = True
        elif line.startswith(b"-----END") and b"REQUEST" in line:
            break
        elif reading:
            body.append(line.strip())
    try:
        der = base64.b64decode(b"".join(body), validate=True)
    except (binascii.Error, ValueError):
        raise KeystoreToolError("Failed to parse input") from None
    if len(der) < 2:
        raise KeystoreToolError("Too short")
    try:
        request = x509.load_der_x509_csr(der)
        request.public_key()  # parsed lazily: make a bad field fail here
        request.subject.public_bytes()
        valid = request.is_signature_valid
    except Exception:  # noqa: BLE001 - ValueError, UnsupportedAlgorithm, InvalidVersion...
        raise KeystoreToolError("Failed to parse input") from None
    if not valid:  # Java's PKCS10 constructor checks the signature
        raise KeystoreToolError("Invalid PKCS #10 signature")
    return request


def _honored(spec: str, requested: dict[str, tuple[Any, bool]]) -> dict[str, tuple[Any, bool]]:
    """The request's extensions kept by ``-ext honored=all,-san,eku:critical,...``."""
    items = spec.lower()[len("honored="):].split(",")
    chosen: dict[str, tuple[Any, bool]] = {}
    if "all" in items:
        chosen.update(requested)
    for item in items:
        if item == "all":
            continue
        add, action = True, -1
        if item.startswith("-"):
            add, ext_type = False, item[1:]
        else:
            ext_type, colon, mode = item.partition(":")
            if colon:
                action = certs.one_of(mode, "critical", "non-critical")
                if action < 0:
                    raise KeystoreToolError(f"Illegal value: {item}")
        kind = certs.one_of(ext_type, *certs.EXT_NAMES)
        known = _EXT_OIDS[kind] if 0 <= kind < len(_EXT_OIDS) else None
        oid = known if known is not None else certs.parse_oid(ext_type).dotted_string
        if not add:
            chosen.pop(oid, None)
        elif oid in requested:
            value, critical = requested[oid]
            chosen[oid] = (value, critical if action < 0 else action == 0)
    return chosen


#: OIDs of certs.EXT_NAMES, index for index (keytool's findOidForExtName).
_EXT_OIDS = ("2.5.29.19", "2.5.29.15", "2.5.29.37", "2.5.29.17", "2.5.29.18",
             "1.3.6.1.5.5.7.1.11", "1.3.6.1.5.5.7.1.1", None, "2.5.29.31")


def sign_request(
    request: x509.CertificateSigningRequest,
    issuer_cert: x509.Certificate,
    key: Any,
    *,
    start: datetime,
    validity_days: int,
    sigalg: str | None = None,
    ext_values: Sequence[str] = (),
    dname: str | None = None,
) -> x509.Certificate:
    """The certificate keytool -gencert issues for ``request``."""
    from cryptography import x509

    requested: dict[str, tuple[Any, bool]] = {}
    try:
        for ext in request.extensions:
            raw = x509.UnrecognizedExtension(ext.oid, ext.value.public_bytes())
            requested[ext.oid.dotted_string] = (raw, ext.critical)
    except (ValueError, TypeError, x509.DuplicateExtension):
        requested = {}
    subject = request.subject if dname is None else certs.parse_dname(dname)
    return issue(subject, request.public_key(), issuer_cert, key, start=start,
                 validity_days=validity_days, sigalg=sigalg, ext_values=ext_values,
                 requested=requested)


def issue(
    subject: x509.Name,
    subject_key: Any,
    issuer_cert: x509.Certificate,
    key: Any,
    *,
    start: datetime,
    validity_days: int,
    sigalg: str | None = None,
    ext_values: Sequence[str] = (),
    requested: dict[str, tuple[Any, bool]] | None = None,
) -> x509.Certificate:
    """A certificate for ``subject_key`` signed by ``key`` (whose certificate is
    ``issuer_cert``), with keytool's createV3Extensions: ``requested``
    extensions kept by ``-ext honored=...``, the ``-ext`` values, the SKI and
    the AKI (``-gencert``, ``-genkeypair -signer``)."""
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
    from cryptography.x509.oid import ExtensionOID

    alg = certs.resolve_sigalg(sigalg, key)
    chosen: dict[str, tuple[Any, bool]] = {}
    honored = next((v for v in ext_values if v.lower().startswith("honored=")), None)
    if honored is not None:
        chosen.update(_honored(honored, requested or {}))
    for ext in certs.parse_extensions(ext_values, subject_key):  # -ext values, then the SKI
        chosen[ext.oid.dotted_string] = (ext.value, ext.critical)
    issuer_pub = issuer_cert.public_key()
    spki = Encoding.DER, PublicFormat.SubjectPublicKeyInfo
    if subject_key.public_bytes(*spki) != issuer_pub.public_bytes(*spki):
        try:
            key_id = issuer_cert.extensions.get_extension_for_class(
                x509.SubjectKeyIdentifier).value.digest
        except (x509.ExtensionNotFound, ValueError):
            key_id = x509.SubjectKeyIdentifier.from_public_key(
                issuer_pub).digest  # type: ignore[arg-type]
        aki = x509.AuthorityKeyIdentifier(key_id, None, None)
        chosen[ExtensionOID.AUTHORITY_KEY_IDENTIFIER.dotted_string] = (aki, False)
    if validity_days <= 0:
        raise KeystoreToolError("Validity must be greater than zero")
    not_before = start.astimezone(UTC).replace(microsecond=0)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_cert.subject)
        .public_key(subject_key)
        .serial_number(certs.random_serial())
        .not_valid_before(not_before)
        .not_valid_after(not_before + timedelta(days=validity_days))
    )
    for _, (value, critical) in sorted(chosen.items()):
        builder = builder.add_extension(value, critical)
    return certs.sign_certificate(builder, key, alg)
