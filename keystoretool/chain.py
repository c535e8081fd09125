"""Certificate chains: order them, diagnose them, verify them, complete them.

What people doing mutual TLS hit most is an incomplete or badly ordered client
chain ("unable to get local issuer certificate"). The rules checked here are
the ones servers apply and Salesforce documents for port 8443:

* the chain starts with the client (leaf) certificate;
* each next certificate is the one that signed the previous certificate;
* every intermediate between the leaf and the root is present;
* the root is optional and generally should not be sent.

:func:`diagnose` returns a :class:`ChainReport` whose findings have a stable
``code`` (for tests and ``--json``), a ``severity`` (``"problem"`` makes a
command exit 2, ``"note"`` does not) and a one-line message.

:func:`verify` checks a chain against a CA bundle the way
``openssl verify -CAfile`` does, with ``cryptography.x509.verification``
(path building, signatures, validity, basicConstraints); the leaf's purpose is
checked separately by :func:`diagnose` so the two messages stay distinct.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from .errors import KeystoreToolError

if TYPE_CHECKING:  # pragma: no cover
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes

PROBLEM = "problem"
NOTE = "note"

# Finding codes (stable: used by --json consumers and tests).
EMPTY = "empty"
OUT_OF_ORDER = "out-of-order"
DUPLICATE = "duplicate"
UNRELATED = "unrelated"
MISSING_ISSUER = "missing-intermediate"
ROOT_INCLUDED = "root-included"
ISSUER_NOT_INCLUDED = "ends-below-root"
EXPIRED = "expired"
NOT_YET_VALID = "not-yet-valid"
NOT_CA = "not-a-ca"
NO_CERT_SIGN = "no-keycertsign"
BAD_SIGNATURE = "bad-signature"
NO_CLIENT_AUTH = "no-client-auth"
NO_EKU = "no-eku"
KEY_MISMATCH = "key-mismatch"
UNTRUSTED = "untrusted"
SELF_SIGNED_LEAF = "self-signed-leaf"

_KEY_USAGE_NAMES = (
    ("digital_signature", "digitalSignature"),
    ("content_commitment", "nonRepudiation"),
    ("key_encipherment", "keyEncipherment"),
    ("data_encipherment", "dataEncipherment"),
    ("key_agreement", "keyAgreement"),
    ("key_cert_sign", "keyCertSign"),
    ("crl_sign", "cRLSign"),
)

_EKU_NAMES = {
    "1.3.6.1.5.5.7.3.1": "serverAuth",
    "1.3.6.1.5.5.7.3.2": "clientAuth",
    "1.3.6.1.5.5.7.3.3": "codeSigning",
    "1.3.6.1.5.5.7.3.4": "emailProtection",
    "1.3.6.1.5.5.7.3.8": "timeStamping",
    "1.3.6.1.5.5.7.3.9": "OCSPSigning",
    "2.5.29.37.0": "anyExtendedKeyUsage",
}
CLIENT_AUTH_OID = "1.3.6.1.5.5.7.3.2"
ANY_EKU_OID = "2.5.29.37.0"


# ---------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------
def load_certificates(data: bytes, source: str = "input") -> list[x509.Certificate]:
    """Every certificate in ``data``: PEM (any number, other PEM blocks such as
    keys are skipped), a single DER certificate, or a PKCS#7 bundle (PEM/DER),
    each with its names and key parsed (:func:`certs.fully_parsed`)."""
    from .certs import fully_parsed

    return [fully_parsed(c, source) for c in _load_certificates(data, source)]


def _load_certificates(data: bytes, source: str) -> list[x509.Certificate]:
    from cryptography import x509

    if b"-----BEGIN" in data:
        if b"-----BEGIN CERTIFICATE-----" in data or b"-----BEGIN X509 CERTIFICATE" in data:
            try:
                return list(x509.load_pem_x509_certificates(data))
            except (ValueError, x509.InvalidVersion) as exc:
                raise KeystoreToolError(f"{source}: Input not an X.509 certificate") from exc
        if b"-----BEGIN PKCS7-----" in data:
            return _pkcs7_certificates(_pem_pkcs7_der(data, source), source)
        raise KeystoreToolError(f"{source}: no certificate found")
    try:
        return [x509.load_der_x509_certificate(data)]
    except (ValueError, x509.InvalidVersion):
        pass
    return _pkcs7_certificates(data, source)


def _pem_pkcs7_der(data: bytes, source: str) -> bytes:
    import base64
    import binascii

    start = data.index(b"-----BEGIN PKCS7-----") + len(b"-----BEGIN PKCS7-----")
    end = data.find(b"-----END PKCS7-----", start)
    if end < 0:
        raise KeystoreToolError(f"{source}: Input not an X.509 certificate")
    try:
        return base64.b64decode(b"".join(data[start:end].split()), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise KeystoreToolError(f"{source}: Input not an X.509 certificate") from exc


def _pkcs7_certificates(der: bytes, source: str) -> list[x509.Certificate]:
    """A PKCS#7 bundle's certificates, file order (see :mod:`keystoretool.pkcs7`)."""
    from cryptography import x509

    from . import pkcs7

    try:
        return [x509.load_der_x509_certificate(d) for d in pkcs7.certificate_ders(der)]
    except (ValueError, x509.InvalidVersion) as exc:
        raise KeystoreToolError(f"{source}: Input not an X.509 certificate") from exc


def read_certificate_files(paths: Iterable[str]) -> list[x509.Certificate]:
    """Certificates from each file in turn (order kept)."""
    certs: list[x509.Certificate] = []
    for path in paths:
        try:
            with open(path, "rb") as fh:
                data = fh.read()
        except OSError as exc:
            raise KeystoreToolError(f"{path} ({exc.strerror or exc})") from exc
        certs.extend(load_certificates(data, path))
    return certs


def to_pem(certs: Iterable[x509.Certificate]) -> bytes:
    from cryptography.hazmat.primitives.serialization import Encoding

    return b"".join(c.public_bytes(Encoding.PEM) for c in certs)


def to_der(cert: x509.Certificate) -> bytes:
    from cryptography.hazmat.primitives.serialization import Encoding

    return cert.public_bytes(Encoding.DER)


# ---------------------------------------------------------------------------
# Relations between certificates
# ---------------------------------------------------------------------------
def fingerprint(cert: x509.Certificate) -> str:
    """SHA-256 fingerprint, keytool style (colon-separated upper-case hex)."""
    return ":".join(f"{b:02X}" for b in hashlib.sha256(to_der(cert)).digest())


def signed_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    """True when ``issuer``'s name is ``cert``'s issuer name and its key
    verifies ``cert``'s signature."""
    if cert.issuer != issuer.subject:
        return False
    try:
        cert.verify_directly_issued_by(issuer)
    except Exception:  # InvalidSignature, ValueError, TypeError (unsupported key)
        return False
    return True


def is_self_signed(cert: x509.Certificate) -> bool:
    return signed_by(cert, cert)


def same_public_key(a: PublicKeyTypes, b: PublicKeyTypes) -> bool:
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    try:
        return a.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo) == b.public_bytes(
            Encoding.DER, PublicFormat.SubjectPublicKeyInfo
        )
    except (ValueError, TypeError):  # pragma: no cover - exotic key types
        return False


def _basic_ca(cert: x509.Certificate) -> bool | None:
    from cryptography import x509

    try:
        return bool(cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
    except (x509.ExtensionNotFound, ValueError):  # ValueError: a malformed extension
        return None


def _key_usage(cert: x509.Certificate) -> list[str] | None:
    from cryptography import x509

    try:
        ku = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except (x509.ExtensionNotFound, ValueError):  # ValueError: a malformed extension
        return None
    names = [label for attr, label in _KEY_USAGE_NAMES if getattr(ku, attr)]
    if ku.key_agreement:
        if ku.encipher_only:
            names.append("encipherOnly")
        if ku.decipher_only:
            names.append("decipherOnly")
    return names


def ext_key_usage(cert: x509.Certificate) -> list[str] | None:
    """Dotted OIDs of the EKU extension; None when absent."""
    from cryptography import x509

    try:
        eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except (x509.ExtensionNotFound, ValueError):  # ValueError: a malformed extension
        return None
    return [oid.dotted_string for oid in eku]


def aia_ca_issuers(cert: x509.Certificate) -> list[str]:
    """The AIA caIssuers addresses (where the issuer's certificate is published)."""
    from cryptography import x509
    from cryptography.x509.oid import AuthorityInformationAccessOID

    try:
        aia = cert.extensions.get_extension_for_class(x509.AuthorityInformationAccess).value
    except x509.ExtensionNotFound:
        return []
    except ValueError:  # malformed extension
        return []
    out: list[str] = []
    for desc in aia:
        if desc.access_method == AuthorityInformationAccessOID.CA_ISSUERS and isinstance(
            desc.access_location, x509.UniformResourceIdentifier
        ):
            out.append(desc.access_location.value)
    return out


def key_description(key: Any) -> str:
    """ "RSA 2048", "EC secp256r1", "Ed25519"..."""
    from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa

    if isinstance(key, rsa.RSAPublicKey | rsa.RSAPrivateKey):
        return f"RSA {key.key_size}"
    if isinstance(key, ec.EllipticCurvePublicKey | ec.EllipticCurvePrivateKey):
        return f"EC {key.curve.name}"
    if isinstance(key, dsa.DSAPublicKey | dsa.DSAPrivateKey):
        return f"DSA {key.key_size}"
    if isinstance(key, ed25519.Ed25519PublicKey | ed25519.Ed25519PrivateKey):
        return "Ed25519"
    if isinstance(key, ed448.Ed448PublicKey | ed448.Ed448PrivateKey):
        return "Ed448"
    return type(key).__name__


def _not_before(cert: x509.Certificate) -> datetime:
    return cert.not_valid_before_utc


def _not_after(cert: x509.Certificate) -> datetime:
    return cert.not_valid_after_utc


def name_str(name: x509.Name) -> str:
    """A distinguished name as keytool prints it (``X500Principal.toString()``)."""
    from .certinfo import x500_str

    try:
        return x500_str(name)
    except Exception:  # pragma: no cover - undecodable attribute
        return repr(name)


def describe(cert: x509.Certificate) -> dict[str, Any]:
    """The facts `chain` prints about one certificate."""
    try:
        key = key_description(cert.public_key())
    except Exception:  # unsupported algorithm
        key = cert.public_key_algorithm_oid.dotted_string
    eku = ext_key_usage(cert)
    return {
        "subject": name_str(cert.subject),
        "issuer": name_str(cert.issuer),
        "serial": format(cert.serial_number, "x"),
        "not_before": _not_before(cert).isoformat(),
        "not_after": _not_after(cert).isoformat(),
        "sha256": fingerprint(cert),
        "ca": _basic_ca(cert),
        "self_signed": is_self_signed(cert),
        "key": key,
        "key_usage": _key_usage(cert),
        "extended_key_usage": None if eku is None else [_EKU_NAMES.get(o, o) for o in eku],
        "aia_ca_issuers": aia_ca_issuers(cert),
    }


# ---------------------------------------------------------------------------
# Ordering
# ---------------------------------------------------------------------------
def _dedupe(certs: Sequence[x509.Certificate]) -> tuple[list[x509.Certificate], list[int]]:
    seen: set[bytes] = set()
    unique: list[x509.Certificate] = []
    dups: list[int] = []
    for i, c in enumerate(certs):
        der = to_der(c)
        if der in seen:
            dups.append(i)
            continue
        seen.add(der)
        unique.append(c)
    return unique, dups


#: Signature checks allowed to find which certificate signed which: a few per
#: certificate (cross-signed and renewed CAs share names), times
#: ``KEYSTORETOOL_WORK_LIMIT``. Only certificates naming each other are checked,
#: so real chains and CA bundles need about one per certificate.
SIGNATURE_CHECKS_PER_CERT = 4
SIGNATURE_CHECKS_BASE = 256


def _by_name(certs: Sequence[x509.Certificate], attr: str) -> dict[Any, list[x509.Certificate]]:
    out: dict[Any, list[x509.Certificate]] = {}
    for c in certs:
        out.setdefault(getattr(c, attr), []).append(c)
    return out


def _check_signature_work(certs: Sequence[x509.Certificate],
                          by_issuer: dict[Any, list[x509.Certificate]]) -> None:
    """Refuse, before verifying anything, input whose certificates name each
    other so often that finding the leaf would take quadratic work."""
    from .formats.budget import ENV, factor

    needed = sum(len(by_issuer.get(c.subject, ())) for c in certs)
    limit = int((SIGNATURE_CHECKS_PER_CERT * len(certs) + SIGNATURE_CHECKS_BASE) * factor())
    if needed > limit:
        crowded = max(by_issuer.values(), key=len)
        raise KeystoreToolError(
            f"Ordering these {len(certs):,} certificates would take {needed:,} signature "
            f"checks ({len(crowded):,} of them are issued by {name_str(crowded[0].issuer)}), "
            f"over the limit of {limit:,} ({SIGNATURE_CHECKS_PER_CERT} per certificate + "
            f"{SIGNATURE_CHECKS_BASE}; set {ENV}=N to multiply the work limits by N)"
        )


def find_leaf(
    certs: Sequence[x509.Certificate], public_key: PublicKeyTypes | None = None
) -> x509.Certificate | None:
    """The end-entity certificate: the one holding ``public_key`` when given,
    else the first certificate that signs none of the others (a non-CA one
    preferred). Only certificates whose issuer name is a candidate's subject
    are checked, so the work is linear for real input; input that would need
    quadratic work is refused first (:func:`_check_signature_work`)."""
    if not certs:
        return None
    if public_key is not None:
        for c in certs:
            try:
                if same_public_key(c.public_key(), public_key):
                    return c
            except Exception:  # unsupported algorithm in a certificate
                continue
        return None
    by_issuer = _by_name(certs, "issuer")
    _check_signature_work(certs, by_issuer)
    candidates = [
        c for c in certs
        if not any(o is not c and signed_by(o, c) for o in by_issuer.get(c.subject, ()))
    ]
    if not candidates:  # a cycle (e.g. cross-signed pair): take the first
        return certs[0]
    for c in candidates:
        if _basic_ca(c) is not True:
            return c
    return candidates[0]


def order_chain(
    certs: Sequence[x509.Certificate],
    leaf: x509.Certificate | None = None,
    pool: Sequence[x509.Certificate] = (),
) -> list[x509.Certificate]:
    """Leaf first, then each certificate's signer, from ``certs`` and then
    ``pool``; stops at a self-signed certificate or when no signer is known.
    Certificates that are not on the leaf's path are left out."""
    unique, _ = _dedupe(list(certs))
    if leaf is None:
        leaf = find_leaf(unique)
    if leaf is None:
        return []
    ordered = [leaf]
    used = {to_der(leaf)}
    by_subject = _by_name(unique + list(pool), "subject")  # signed_by needs the name
    current = leaf
    while not is_self_signed(current) and len(ordered) < 16:
        nxt = next(
            (c for c in by_subject.get(current.issuer, ())
             if to_der(c) not in used and signed_by(current, c)),
            None,
        )
        if nxt is None:
            break
        ordered.append(nxt)
        used.add(to_der(nxt))
        current = nxt
    return ordered


def without_root(chain: Sequence[x509.Certificate]) -> list[x509.Certificate]:
    """The chain minus a trailing self-signed root (kept when it is the leaf)."""
    out = list(chain)
    if len(out) > 1 and is_self_signed(out[-1]):
        out.pop()
    return out


# ---------------------------------------------------------------------------
# Diagnosis
# ---------------------------------------------------------------------------
@dataclass
class Finding:
    code: str
    severity: str
    message: str
    index: int | None = None  # position in the chain as given

    @property
    def is_problem(self) -> bool:
        return self.severity == PROBLEM

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "index": self.index,
        }


@dataclass
class ChainReport:
    given: list[x509.Certificate]
    ordered: list[x509.Certificate]
    findings: list[Finding] = field(default_factory=list)
    verified_chain: list[x509.Certificate] | None = None  # set when --cafile verified

    @property
    def sound(self) -> bool:
        return not any(f.is_problem for f in self.findings)

    @property
    def problems(self) -> list[Finding]:
        return [f for f in self.findings if f.is_problem]

    def fixed_chain(self, *, include_root: bool = False) -> list[x509.Certificate]:
        """The chain to send: ordered, leaf first, the root left out unless asked."""
        return list(self.ordered) if include_root else without_root(self.ordered)

    def to_dict(self) -> dict[str, Any]:
        return {
            "sound": self.sound,
            "chain": [describe(c) for c in self.given],
            "ordered": [fingerprint(c) for c in self.ordered],
            "findings": [f.to_dict() for f in self.findings],
            "verified_chain": None
            if self.verified_chain is None
            else [name_str(c.subject) for c in self.verified_chain],
        }


def _short(cert: x509.Certificate) -> str:
    return name_str(cert.subject)


def _fmt_time(t: datetime) -> str:
    return t.strftime("%Y-%m-%d %H:%M:%S UTC")


def diagnose(
    certs: Sequence[x509.Certificate],
    *,
    public_key: PublicKeyTypes | None = None,
    pool: Sequence[x509.Certificate] = (),
    cafile: Sequence[x509.Certificate] | None = None,
    at: datetime | None = None,
    client_auth: bool = True,
) -> ChainReport:
    """Check ``certs`` (as given, e.g. a key entry's chain) against the chain rules.

    ``public_key`` is the entry's key, to find and check the leaf. ``pool``
    holds other certificates that may fill a gap (e.g. from ``--add``);
    ``cafile`` trust anchors for a full verification. ``client_auth`` checks
    the leaf may be used as a TLS client certificate.
    """
    at = at or datetime.now(UTC)
    given = list(certs)
    findings: list[Finding] = []
    if not given:
        return ChainReport(given, [], [Finding(EMPTY, PROBLEM, "no certificate in the chain")])

    unique, dups = _dedupe(given)
    for i in dups:
        findings.append(
            Finding(
                DUPLICATE, PROBLEM, f"certificate [{i + 1}] is a duplicate: {_short(given[i])}", i
            )
        )

    leaf = find_leaf(unique, public_key)
    if leaf is None:
        findings.append(
            Finding(KEY_MISMATCH, PROBLEM, "no certificate in the chain matches the private key", 0)
        )
        leaf = find_leaf(unique)
        assert leaf is not None

    anchors = list(cafile or [])
    ordered = order_chain(unique, leaf)
    ders = [to_der(c) for c in unique]
    index_of = {to_der(c): i for i, c in reversed(list(enumerate(given)))}
    on_path = {to_der(c) for c in ordered}

    # Ordering: the chain as given must begin with the ordered path.
    want = [to_der(c) for c in ordered]
    if ders[: len(want)] != want:
        if ders[0] != want[0]:
            msg = (
                f"the chain does not start with the leaf certificate ({_short(leaf)}); "
                f"it starts with {_short(unique[0])}"
            )
            findings.append(Finding(OUT_OF_ORDER, PROBLEM, msg, 0))
        else:
            k = next(k for k in range(len(want)) if ders[k] != want[k])
            msg = (
                f"certificate [{index_of[ders[k]] + 1}] ({_short(unique[k])}) did not sign "
                f"certificate [{index_of[ders[k - 1]] + 1}] ({_short(unique[k - 1])}): each "
                f"certificate must be followed by its signer"
            )
            findings.append(Finding(OUT_OF_ORDER, PROBLEM, msg, index_of[ders[k]]))

    for c in unique:
        if to_der(c) not in on_path:
            findings.append(
                Finding(
                    UNRELATED,
                    PROBLEM,
                    f"certificate [{index_of[to_der(c)] + 1}] ({_short(c)}) is not part of "
                    f"the leaf's chain",
                    index_of[to_der(c)],
                )
            )

    # A certificate with the issuer's name whose key did not sign the top one.
    top = ordered[-1]
    if not is_self_signed(top):
        for o in unique:
            if o.subject == top.issuer and not signed_by(top, o):
                findings.append(
                    Finding(
                        BAD_SIGNATURE,
                        PROBLEM,
                        f"certificate [{index_of[to_der(o)] + 1}] has the issuer's name "
                        f"({_short(o)}) but its key did not sign {_short(top)}",
                        index_of[to_der(o)],
                    )
                )

    # Completeness.
    if not is_self_signed(top):
        extended = order_chain(unique, leaf, pool)
        filler = [c for c in extended[len(ordered) :] if not is_self_signed(c)]
        anchor = next((a for a in anchors if signed_by(top, a)), None)
        if anchor is not None and is_self_signed(anchor):
            pass  # ends just below a trusted root: complete (root optional)
        elif top is leaf or anchor is not None or filler or _basic_ca(top) is not True:
            where = aia_ca_issuers(top)
            msg = (
                f"intermediate certificate missing: {name_str(top.issuer)} "
                f"(the issuer of {_short(top)}) is not in the chain"
            )
            if filler:
                msg += f"; found in the certificates given: {_short(filler[0])}"
            if where:
                msg += f"; download it from {', '.join(where)}"
            findings.append(Finding(MISSING_ISSUER, PROBLEM, msg, index_of.get(to_der(top))))
        elif cafile is None:
            findings.append(
                Finding(
                    ISSUER_NOT_INCLUDED,
                    NOTE,
                    f"the chain ends with {_short(top)}, issued by {name_str(top.issuer)}: "
                    "complete if that is a root the server trusts, otherwise an intermediate "
                    "is missing (check with --cafile)",
                    index_of.get(to_der(top)),
                )
            )
    elif len(ordered) > 1:
        findings.append(
            Finding(
                ROOT_INCLUDED,
                NOTE,
                f"the root certificate ({_short(top)}) is included; it is optional and "
                f"generally should not be sent",
                index_of.get(to_der(top)),
            )
        )
    else:
        findings.append(
            Finding(SELF_SIGNED_LEAF, NOTE, f"the certificate is self-signed ({_short(top)})", 0)
        )

    # Per-certificate checks.
    for c in ordered:
        i = index_of[to_der(c)]
        if _not_after(c) < at:
            findings.append(
                Finding(EXPIRED, PROBLEM, f"{_short(c)} expired on {_fmt_time(_not_after(c))}", i)
            )
        elif _not_before(c) > at:
            findings.append(
                Finding(
                    NOT_YET_VALID,
                    PROBLEM,
                    f"{_short(c)} is not valid before {_fmt_time(_not_before(c))}",
                    i,
                )
            )
    for c in ordered[1:]:
        i = index_of[to_der(c)]
        if _basic_ca(c) is not True:
            findings.append(
                Finding(
                    NOT_CA,
                    PROBLEM,
                    f"{_short(c)} signs certificates but is not a CA "
                    "(basicConstraints CA:true missing)",
                    i,
                )
            )
        ku = _key_usage(c)
        if ku is not None and "keyCertSign" not in ku:
            findings.append(
                Finding(NO_CERT_SIGN, PROBLEM, f"{_short(c)} key usage lacks keyCertSign", i)
            )

    if client_auth:
        eku = ext_key_usage(leaf)
        if eku is None:
            findings.append(
                Finding(
                    NO_EKU,
                    NOTE,
                    f"the leaf ({_short(leaf)}) has no extended key usage (any purpose is allowed)",
                    index_of[to_der(leaf)],
                )
            )
        elif CLIENT_AUTH_OID not in eku and ANY_EKU_OID not in eku:
            names = ", ".join(_EKU_NAMES.get(o, o) for o in eku)
            findings.append(
                Finding(
                    NO_CLIENT_AUTH,
                    PROBLEM,
                    f"the leaf ({_short(leaf)}) may not be used for TLS client authentication: "
                    f"extended key usage is {names}, clientAuth missing",
                    index_of[to_der(leaf)],
                )
            )

    report = ChainReport(given, ordered, findings)
    if cafile is not None:
        try:
            report.verified_chain = verify(ordered, anchors, at=at, extra=list(pool))
        except KeystoreToolError as exc:
            findings.append(Finding(UNTRUSTED, PROBLEM, str(exc), 0))
    return report


# ---------------------------------------------------------------------------
# Verification against a CA bundle (openssl verify -CAfile)
# ---------------------------------------------------------------------------
def verify(
    chain: Sequence[x509.Certificate],
    anchors: Sequence[x509.Certificate],
    *,
    at: datetime | None = None,
    extra: Sequence[x509.Certificate] = (),
) -> list[x509.Certificate]:
    """Build and verify a path from ``chain[0]`` to one of ``anchors`` using
    ``chain[1:]`` and ``extra`` as untrusted intermediates. Returns the
    verified path (leaf ... anchor); raises KeystoreToolError when none."""
    from cryptography import x509
    from cryptography.x509 import verification as v

    if not chain:
        raise KeystoreToolError("no certificate to verify")
    if not anchors:
        raise KeystoreToolError("the CA file holds no certificate")
    ca_policy = v.ExtensionPolicy.permit_all().require_present(
        x509.BasicConstraints, v.Criticality.AGNOSTIC, None
    )
    builder = (
        v.PolicyBuilder()
        .store(v.Store(list(anchors)))
        .time(at or datetime.now(UTC))
        .extension_policies(ca_policy=ca_policy, ee_policy=v.ExtensionPolicy.permit_all())
    )
    verifier = builder.build_client_verifier()
    try:
        verified = verifier.verify(chain[0], list(chain[1:]) + list(extra))
    except v.VerificationError as exc:
        detail = str(exc).split(" (encountered processing", 1)[0]
        detail = detail.replace("validation failed: ", "")
        if "candidates exhausted" in detail and "no interior errors" in detail:
            detail = f"unable to get local issuer certificate ({name_str(chain[-1].issuer)})"
        raise KeystoreToolError(f"verification failed: {detail}") from exc
    return list(verified.chain)


# ---------------------------------------------------------------------------
# Completing a key entry's chain
# ---------------------------------------------------------------------------
def complete_chain(
    chain: Sequence[x509.Certificate],
    additions: Sequence[x509.Certificate],
    *,
    public_key: PublicKeyTypes | None = None,
    include_root: bool = False,
) -> list[x509.Certificate]:
    """The entry's chain rebuilt leaf first from its own certificates plus
    ``additions``; raises KeystoreToolError when ``additions`` extend nothing."""
    current = list(chain)
    if not current:
        raise KeystoreToolError("the entry has no certificate chain")
    leaf = find_leaf(current, public_key) or current[0]
    before = order_chain(current, leaf)
    after = order_chain(current, leaf, additions)
    if not include_root:
        after = without_root(after)
        before_cmp = without_root(before)
    else:
        before_cmp = before
    if [to_der(c) for c in after] == [to_der(c) for c in before_cmp]:
        raise KeystoreToolError(
            "No certificate given extends the chain of the entry"
            f" (its top certificate is issued by {name_str(before[-1].issuer)})"
        )
    return after
