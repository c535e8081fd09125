"""Key pairs, signature algorithms and the certificates and requests keytool
makes from them.

* :func:`generate_key_pair` is ``-genkeypair``'s key (RSA/DSA 2048, EC
  secp256r1, Ed25519, Ed448); :func:`resolve_sigalg` picks a Java signature
  algorithm for a key as keytool does.
* :func:`self_signed_certificate` and :func:`build_csr` make keytool's v3
  self-signed certificate (random 64-bit serial, SubjectKeyIdentifier) and its
  PKCS#10 request; :func:`resign` signs what ``cryptography`` will not (SHA-1,
  a v1 CRL).
* :func:`parse_startdate` is keytool's ``-startdate`` (``+1y-2m``,
  ``2026/01/31``, ``12:00:00``).
"""

from __future__ import annotations

import calendar
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from .. import der
from ..errors import KeystoreToolError
from ..relations import cert_der
from .extensions import parse_extensions

if TYPE_CHECKING:  # pragma: no cover
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric.types import CertificateIssuerPrivateKeyTypes



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
        object is built with SHA-256 and re-signed (see :func:`resign`)."""
        return self.hash_name == "SHA1"


#: AlgorithmIdentifier DER of the SHA-1 signature algorithms (as Java writes them).
SHA1_ALG_IDS = {
    "RSA": bytes.fromhex("300d06092a864886f70d0101050500"),
    "EC": bytes.fromhex("300906072a8648ce3d0401"),
    "DSA": bytes.fromhex("300906072a8648ce380403"),
}


def sign_raw(key: Any, data: bytes, alg: SigAlg) -> bytes:
    """The signature of ``data`` by ``key`` with ``alg`` (the bare signature
    value, as it goes into a BIT STRING)."""
    from cryptography.hazmat.primitives.asymmetric import ec, padding

    fam = key_family(key)
    if fam == "RSA":
        return key.sign(data, padding.PKCS1v15(), alg.hash())  # type: ignore[no-any-return]
    if fam == "EC":
        return key.sign(data, ec.ECDSA(alg.hash()))  # type: ignore[no-any-return]
    return key.sign(data, alg.hash())  # type: ignore[no-any-return]


def resign(signed: bytes, key: Any, alg: SigAlg, *, inner_alg: bool,
           drop_version: bool = False) -> bytes:
    """``signed`` (a certificate, CRL or PKCS#10 request: SEQUENCE {to-be-signed,
    algorithm, signature}) signed again by ``key`` with ``alg``.

    When ``alg`` is a SHA-1 algorithm, which ``cryptography``'s builders
    refuse, its identifier replaces the outer one and, with ``inner_alg``,
    the one inside the to-be-signed part (its first SEQUENCE: a certificate's
    or CRL's ``signature`` field). ``drop_version`` removes the to-be-signed
    part's first field (a v1 CRL has no version)."""
    try:
        tbs, alg_node, _sig = der.parse(signed, "signed data").seq("signed data", 3, 3)
        fields = tbs.seq("to-be-signed data")
    except der.DerError as exc:
        raise KeystoreToolError(f"Cannot sign with {alg.name}: {exc}") from exc
    alg_id = alg_node.raw
    parts = [f.raw for f in fields]
    if alg.needs_resign:
        alg_id = SHA1_ALG_IDS[key_family(key)]
        if inner_alg:
            at = next(i for i, f in enumerate(fields) if f.tag == der.SEQUENCE)
            parts[at] = alg_id
    if drop_version:
        parts = parts[1:]
    body = der.seq(*parts)
    signature = sign_raw(key, body, alg)
    return der.seq(body, alg_id, der.tlv(der.BIT_STRING, b"\x00" + signature))


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
    ``cryptography`` refuses: see :func:`resign`)."""
    from cryptography import x509

    try:
        if alg.needs_resign:
            from cryptography.hazmat.primitives import hashes

            draft = cert_der(builder.sign(key, hashes.SHA256()))  # type: ignore[arg-type]
            return x509.load_der_x509_certificate(resign(draft, key, alg, inner_alg=True))
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
            return resign(draft.public_bytes(Encoding.DER), key, alg, inner_alg=False)
        csr = builder.sign(key, alg.hash())  # type: ignore[arg-type]
    except (ValueError, TypeError) as exc:
        raise KeystoreToolError(f"Cannot sign with {alg.name}: {exc}") from exc
    return csr.public_bytes(Encoding.DER)
