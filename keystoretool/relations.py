"""Certificate relations, one home for them: which certificate signed which,
whether two names are the same name, whether two certificates hold the same key.

Every module that compares certificates (the CA-reply logic of
:mod:`keystoretool.certs`, the chain checks of :mod:`keystoretool.chain`,
:mod:`keystoretool.crl`, :mod:`keystoretool.jarsig`, :mod:`keystoretool.tls`)
asks here, so the rules cannot drift apart:

* :func:`names_equal` is ``X500Principal.equals``: the RFC 2253 canonical
  forms of both names are compared (``AVA.toRFC2253CanonicalString``), so
  ``CN=root  ca`` and ``CN=Root CA`` are the same name;
* :func:`signed_by` is keytool's ``KeyStoreUtil.signedBy``: the issuer's
  subject equals the certificate's issuer name, and the issuer's key verifies
  the certificate's signature;
* :func:`same_key` compares SubjectPublicKeyInfo encodings.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from . import der

if TYPE_CHECKING:  # pragma: no cover
    from cryptography import x509

# The attribute types with an RFC 2253 keyword (AVAKeyword's rfc2253Compliant
# entries: CN C L ST O OU STREET DC UID). Any other type has an OID as its
# keyword, and its value is compared as #hex of its DER.
_RFC2253_KEYWORD_OIDS = frozenset({
    "2.5.4.3", "2.5.4.6", "2.5.4.7", "2.5.4.8", "2.5.4.10", "2.5.4.11", "2.5.4.9",
    "0.9.2342.19200300.100.1.25", "0.9.2342.19200300.100.1.1",
})
# The string types the canonical form prints as text (isDerString(v, true)).
_CANONICAL_STRING_TAGS = frozenset({der.PRINTABLE_STRING, der.UTF8_STRING})
_ESCAPEES = ',+<>;"\\'


def cert_der(cert: x509.Certificate) -> bytes:
    """The certificate's DER encoding."""
    from cryptography.hazmat.primitives.serialization import Encoding

    return cert.public_bytes(Encoding.DER)


def spki(key: Any) -> bytes:
    """A public key's SubjectPublicKeyInfo, DER."""
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    return key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)  # type: ignore[no-any-return]


def same_key(a: x509.Certificate | Any, b: x509.Certificate | Any) -> bool:
    """True when ``a`` and ``b`` (certificates or public keys) hold the same
    public key. A key ``cryptography`` cannot encode matches nothing."""
    try:
        return spki(_public_key(a)) == spki(_public_key(b))
    except (ValueError, TypeError):  # unsupported algorithm, exotic key type
        return False


def _public_key(item: Any) -> Any:
    return item.public_key() if hasattr(item, "tbs_certificate_bytes") else item


def fingerprint(cert: x509.Certificate | bytes, algorithm: str = "SHA-256") -> str:
    """keytool's fingerprint of a certificate (object or DER): upper-case hex
    pairs joined by colons."""
    data = cert if isinstance(cert, bytes | bytearray) else cert_der(cert)
    digest = hashlib.new(algorithm.replace("-", "").lower(), data).digest()
    return ":".join(f"{b:02X}" for b in digest)


# ---------------------------------------------------------------------------
# Names
# ---------------------------------------------------------------------------
def _canonical_value(value: der.Node) -> str:
    """``AVA.toRFC2253CanonicalString``'s value part, before case folding."""
    text = value.content.decode("utf-8", errors="replace")
    out: list[str] = []
    previous_white = False
    for i, c in enumerate(text):
        escaped = c in _ESCAPEES or (i == 0 and c == "#")
        if escaped or (c.isascii() and c.isalnum()) or c in " '()+,-./:=?":
            if escaped:
                out.append("\\")
            if c == " ":  # the one white-space character among these
                if previous_white:
                    continue
                previous_white = True
            else:
                previous_white = False
            out.append(c)
        else:
            previous_white = False
            out.append(c)
    return _java_trim("".join(out))


def _java_trim(text: str) -> str:
    """``String.trim()``: every character up to U+0020 is removed at both ends."""
    start, end = 0, len(text)
    while start < end and text[start] <= " ":
        start += 1
    while end > start and text[end - 1] <= " ":
        end -= 1
    return text[start:end]


@lru_cache(maxsize=4096)
def _canonical_der(name_der: bytes) -> tuple[tuple[str, ...], ...]:
    import unicodedata

    rdns: list[tuple[str, ...]] = []
    for rdn in der.parse(name_der, "Name").seq("Name"):
        avas: list[str] = []
        for ava in rdn.expect(der.SET, "RDN").children("RDN"):
            oid_node, value = ava.seq("AttributeTypeAndValue", 2, 2)
            oid = oid_node.oid()
            if oid in _RFC2253_KEYWORD_OIDS and value.tag in _CANONICAL_STRING_TAGS:
                text = f"{oid}={_canonical_value(value)}"
            else:
                text = f"{oid}=#{value.raw.hex()}"
            avas.append(unicodedata.normalize("NFKD", text.upper().lower()))
        rdns.append(tuple(sorted(avas)))
    return tuple(rdns)


def canonical_name(name: x509.Name | bytes) -> tuple[tuple[str, ...], ...]:
    """A key equal for two names exactly when ``X500Principal.equals`` says
    they are equal: per attribute of CN, C, L, ST, O, OU, STREET, DC or UID in
    a PrintableString or UTF8String, the value with runs of spaces collapsed,
    ends trimmed, case folded (upper- then lower-case) and NFKD-normalised;
    every other attribute as the hex of its DER value. The attributes of a
    multi-valued RDN are compared as a set. ``name`` is an ``x509.Name`` or
    its DER; a name that does not parse is its own key."""
    data = name if isinstance(name, bytes | bytearray) else name.public_bytes()
    try:
        return _canonical_der(bytes(data))
    except der.DerError:
        return (("#" + bytes(data).hex(),),)


def names_equal(a: x509.Name | bytes, b: x509.Name | bytes) -> bool:
    """``X500Principal.equals`` (see :func:`canonical_name`)."""
    return canonical_name(a) == canonical_name(b)


# ---------------------------------------------------------------------------
# Signatures
# ---------------------------------------------------------------------------
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
    """``KeyStoreUtil.signedBy``: ``issuer``'s subject is ``cert``'s issuer
    name (:func:`names_equal`) and ``issuer``'s key verifies ``cert``."""
    if not names_equal(issuer.subject, cert.issuer):
        return False
    try:
        key = issuer.public_key()
    except Exception:  # an algorithm cryptography does not support
        return False
    return verify_signature(cert, key)


def is_self_signed(cert: x509.Certificate) -> bool:
    """``cert`` names itself as issuer and its own key verifies it."""
    return signed_by(cert, cert)
