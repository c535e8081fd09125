"""Benchmark keystores, generated once and cached (not 1,000 keytool calls).

Key stores hold ``N`` PrivateKeyEntries ``entry0 .. entry{N-1}``: RSA-2048 keys
(a pool of four distinct keys, reused: key generation is not what we measure),
each with its own self-signed SHA256withRSA certificate (CN=entry<i>, a
SubjectKeyIdentifier, as ``keytool -genkeypair`` makes). Truststores hold
``N`` trustedCertEntries ``ca0 .. ca{N-1}`` (self-signed CA certificates).
Every store is written by keystoretool's own API (JKS: Sun KeyProtector keys;
PKCS12: keytool 17's algorithms — PBES2/AES-256 keys and certificates with
10,000-iteration PBKDF2, HMAC-SHA256 MAC), and keytool reads them all: the
benchmark runs keytool on each of them.

The cache directory holds one file per (kind, format, size); a file is reused
while the generator version below is unchanged.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path

PASSWORD = "changeit"
GENERATOR_VERSION = "1"
KEY_POOL = 4


def cache_dir() -> Path:
    base = os.environ.get("KEYSTORETOOL_BENCH_CACHE") or os.path.join(
        tempfile.gettempdir(), f"keystoretool-bench-v{GENERATOR_VERSION}"
    )
    path = Path(base)
    path.mkdir(parents=True, exist_ok=True)
    return path


def key_alias(i: int) -> str:
    return f"entry{i}"


def trust_alias(i: int) -> str:
    return f"ca{i}"


class _Material:
    """Keys and certificates, built lazily (cryptography is imported only
    when a store must be generated)."""

    def __init__(self) -> None:
        from cryptography.hazmat.primitives.asymmetric import rsa

        self.keys = [rsa.generate_private_key(public_exponent=65537, key_size=2048)
                     for _ in range(KEY_POOL)]
        self.not_before = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
        self.not_after = dt.datetime(2036, 1, 1, tzinfo=dt.UTC)

    def pkcs8(self, i: int) -> bytes:
        from cryptography.hazmat.primitives import serialization

        return self.keys[i % KEY_POOL].private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    def cert(self, i: int, cn: str, *, ca: bool) -> bytes:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.x509.oid import NameOID

        key = self.keys[i % KEY_POOL]
        name = x509.Name([
            x509.NameAttribute(NameOID.COMMON_NAME, cn),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "keystoretool benchmark"),
        ])
        builder = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(1_000_000 + i)
            .not_valid_before(self.not_before)
            .not_valid_after(self.not_after)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                           critical=False)
        )
        if ca:
            builder = builder.add_extension(x509.BasicConstraints(ca=True, path_length=None),
                                            critical=True)
        cert = builder.sign(key, hashes.SHA256())
        return cert.public_bytes(serialization.Encoding.DER)


_MATERIAL: _Material | None = None


def _material() -> _Material:
    global _MATERIAL
    if _MATERIAL is None:
        _MATERIAL = _Material()
    return _MATERIAL


def store_path(kind: str, store_type: str, size: int) -> Path:
    ext = "jks" if store_type == "JKS" else "p12"
    return cache_dir() / f"{kind}-{size}.{ext}"


def ensure(kind: str, store_type: str, size: int) -> Path:
    """The cached store (``kind`` "keys" or "trust"), generated if missing."""
    path = store_path(kind, store_type, size)
    if path.exists():
        return path
    from keystoretool.entries import PrivateKeyEntry, TrustedCertEntry
    from keystoretool.model import Keystore

    m = _material()
    ks = Keystore.new(store_type, PASSWORD)
    for i in range(size):
        if kind == "keys":
            alias = key_alias(i)
            ks.put(alias, PrivateKeyEntry(alias, chain_der=[m.cert(i, alias, ca=False)],
                                          pkcs8=m.pkcs8(i)))
        else:
            alias = trust_alias(i)
            ks.put(alias, TrustedCertEntry(alias, cert_der=m.cert(i, f"Benchmark CA {i}",
                                                                   ca=True)))
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_bytes(ks.dumps())
    os.replace(tmp, path)
    return path
