"""Public keys and signature algorithms as keytool names them: key sizes
(``CurveDB``), ``getSigAlgName()``, and JDK 17's weak/disabled rules; the
certificate parse every rendering starts from."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, NamedTuple

from ..x509der import Certificate, parse_certificate
from .common import (
    CertificateParseError,
    _children,
    _DerError,
    _int,
    _oid,
    _parse_boundary,
    _parse_one,
)
from .jdkdata import _known_oids

if TYPE_CHECKING:  # cryptography is imported only when one of its objects is passed in
    from cryptography import x509

_DIGESTS = {
    "1.3.14.3.2.26": "SHA-1",
    "2.16.840.1.101.3.4.2.1": "SHA-256",
    "2.16.840.1.101.3.4.2.2": "SHA-384",
    "2.16.840.1.101.3.4.2.3": "SHA-512",
    "2.16.840.1.101.3.4.2.4": "SHA-224",
    "2.16.840.1.101.3.4.2.5": "SHA-512/224",
    "2.16.840.1.101.3.4.2.6": "SHA-512/256",
}

# sun.security.util.CurveDB of JDK 17: OID -> (first name, order bit length).
_CURVES = {
    "1.2.840.10045.3.0.5": ("X9.62 c2tnb191v1", 191),
    "1.2.840.10045.3.0.6": ("X9.62 c2tnb191v2", 190),
    "1.2.840.10045.3.0.7": ("X9.62 c2tnb191v3", 189),
    "1.2.840.10045.3.0.11": ("X9.62 c2tnb239v1", 238),
    "1.2.840.10045.3.0.12": ("X9.62 c2tnb239v2", 237),
    "1.2.840.10045.3.0.13": ("X9.62 c2tnb239v3", 236),
    "1.2.840.10045.3.0.18": ("X9.62 c2tnb359v1", 353),
    "1.2.840.10045.3.0.20": ("X9.62 c2tnb431r1", 418),
    "1.2.840.10045.3.1.1": ("secp192r1", 192),
    "1.2.840.10045.3.1.2": ("X9.62 prime192v2", 192),
    "1.2.840.10045.3.1.3": ("X9.62 prime192v3", 192),
    "1.2.840.10045.3.1.4": ("X9.62 prime239v1", 239),
    "1.2.840.10045.3.1.5": ("X9.62 prime239v2", 239),
    "1.2.840.10045.3.1.6": ("X9.62 prime239v3", 239),
    "1.2.840.10045.3.1.7": ("secp256r1", 256),
    "1.3.36.3.3.2.8.1.1.1": ("brainpoolP160r1", 160),
    "1.3.36.3.3.2.8.1.1.3": ("brainpoolP192r1", 192),
    "1.3.36.3.3.2.8.1.1.5": ("brainpoolP224r1", 224),
    "1.3.36.3.3.2.8.1.1.7": ("brainpoolP256r1", 256),
    "1.3.36.3.3.2.8.1.1.9": ("brainpoolP320r1", 320),
    "1.3.36.3.3.2.8.1.1.11": ("brainpoolP384r1", 384),
    "1.3.36.3.3.2.8.1.1.13": ("brainpoolP512r1", 512),
    "1.3.132.0.1": ("sect163k1", 163),
    "1.3.132.0.2": ("sect163r1", 162),
    "1.3.132.0.3": ("sect239k1", 238),
    "1.3.132.0.4": ("sect113r1", 113),
    "1.3.132.0.5": ("sect113r2", 113),
    "1.3.132.0.6": ("secp112r1", 112),
    "1.3.132.0.7": ("secp112r2", 110),
    "1.3.132.0.8": ("secp160r1", 161),
    "1.3.132.0.9": ("secp160k1", 161),
    "1.3.132.0.10": ("secp256k1", 256),
    "1.3.132.0.15": ("sect163r2", 163),
    "1.3.132.0.16": ("sect283k1", 281),
    "1.3.132.0.17": ("sect283r1", 282),
    "1.3.132.0.22": ("sect131r1", 131),
    "1.3.132.0.23": ("sect131r2", 131),
    "1.3.132.0.24": ("sect193r1", 193),
    "1.3.132.0.25": ("sect193r2", 193),
    "1.3.132.0.26": ("sect233k1", 232),
    "1.3.132.0.27": ("sect233r1", 233),
    "1.3.132.0.28": ("secp128r1", 128),
    "1.3.132.0.29": ("secp128r2", 126),
    "1.3.132.0.30": ("secp160r2", 161),
    "1.3.132.0.31": ("secp192k1", 192),
    "1.3.132.0.32": ("secp224k1", 225),
    "1.3.132.0.33": ("secp224r1", 224),
    "1.3.132.0.34": ("secp384r1", 384),
    "1.3.132.0.35": ("secp521r1", 521),
    "1.3.132.0.36": ("sect409k1", 407),
    "1.3.132.0.37": ("sect409r1", 409),
    "1.3.132.0.38": ("sect571k1", 570),
    "1.3.132.0.39": ("sect571r1", 570),
}


class _KeyInfo(NamedTuple):
    algorithm: str  # Key.getAlgorithm()
    display: str  # keytool's fullDisplayAlgName()
    size: int  # KeyUtil.getKeySize(), -1 when unknown


def _spki_info(spki_der: bytes) -> _KeyInfo:
    spki = _children(_parse_one(spki_der).content)
    alg = _children(spki[0].content)
    oid = _oid(alg[0].content)
    params = alg[1] if len(alg) > 1 else None
    key_bits = spki[1].content[1:]
    if oid in ("1.2.840.113549.1.1.1", "2.5.8.1.1", "1.2.840.113549.1.1.10"):
        name = "RSASSA-PSS" if oid.endswith(".10") else "RSA"
        modulus = _int(_children(_parse_one(key_bits).content)[0].content)
        return _KeyInfo(name, name, modulus.bit_length())
    if oid in ("1.2.840.10040.4.1", "1.3.14.3.2.12"):
        size = -1
        if params is not None and params.tag == 0x30:
            size = _int(_children(params.content)[0].content).bit_length()
        return _KeyInfo("DSA", "DSA", size)
    if oid == "1.2.840.10045.2.1":
        if params is not None and params.tag == 0x06:
            curve = _CURVES.get(_oid(params.content))
            if curve is not None:
                return _KeyInfo("EC", f"EC ({curve[0]})", curve[1])
        return _KeyInfo("EC", "EC", -1)
    named = {"1.3.101.112": ("Ed25519", 255), "1.3.101.113": ("Ed448", 448),
             "1.3.101.110": ("XDH", 255), "1.3.101.111": ("XDH", 448)}
    if oid in named:
        return _KeyInfo(named[oid][0], named[oid][0], named[oid][1])
    return _KeyInfo(oid, oid, -1)


@_parse_boundary
def key_description(public_key: object) -> str:
    """keytool's key text without weakness tag: ``2048-bit RSA key``,
    ``256-bit EC (secp256r1) key``, ``255-bit Ed25519 key``.

    Accepts a ``cryptography`` public key or SubjectPublicKeyInfo DER bytes.
    """
    return _key_text(_spki_info(_spki_der(public_key)))


def _spki_der(public_key: object) -> bytes:
    if isinstance(public_key, bytes | bytearray):
        return bytes(public_key)
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    return public_key.public_bytes(  # type: ignore[attr-defined, no-any-return]
        Encoding.DER, PublicFormat.SubjectPublicKeyInfo
    )


def _key_text(info: _KeyInfo, tag: str = "") -> str:
    if info.size < 0:
        return f"{info.display} key of unknown size"
    return f"{info.size}-bit {info.display} key{tag}"


def _sig_alg_name_of(alg_der: bytes) -> str:
    alg = _children(_parse_one(alg_der).content)
    oid = _oid(alg[0].content)
    if oid == "1.2.840.10045.4.3" and len(alg) > 1:  # SpecifiedSHA2withECDSA
        try:
            digest = _oid(_children(alg[1].content)[0].content)
            if digest in _DIGESTS:
                return _DIGESTS[digest].replace("-", "") + "withECDSA"
        except (_DerError, IndexError):
            pass
        return "SpecifiedSHA2withECDSA"
    return _known_oids().get(oid, oid)


@_parse_boundary
def java_sig_alg_name(cert: x509.Certificate | bytes) -> str:
    """``X509Certificate.getSigAlgName()``: ``SHA256withRSA``, ``RSASSA-PSS``..."""
    return _sig_alg_name_of(_parse_cert(_cert_der(cert)).signature)


# jdk.certpath.disabledAlgorithms / jdk.security.legacyAlgorithms of JDK 17.
def _sig_strength(name: str) -> str:
    parts = {p.upper() for p in re.split(r"with|and", name, flags=re.IGNORECASE)}
    if parts & {"MD2", "MD5"}:
        return "disabled"
    if parts & {"SHA1", "SHA-1"}:
        return "weak"
    return ""


def _key_strength(info: _KeyInfo) -> str:
    limits = {"RSA": (1024, 2048), "DSA": (1024, 2048), "EC": (224, 0)}
    if info.algorithm not in limits or info.size < 0:
        return ""
    disabled_below, weak_below = limits[info.algorithm]
    if info.size < disabled_below:
        return "disabled"
    if info.size < weak_below:
        return "weak"
    return ""


def _parse_cert(der: bytes) -> Certificate:
    """The fields keytool prints, from a DER certificate (CertificateParseError if broken)."""
    try:
        return parse_certificate(der)
    except (_DerError, IndexError, ValueError) as exc:
        raise CertificateParseError() from exc


def _cert_der(cert: x509.Certificate | bytes) -> bytes:
    if isinstance(cert, bytes | bytearray):
        return bytes(cert)
    from cryptography.hazmat.primitives.serialization import Encoding

    return cert.public_bytes(Encoding.DER)
