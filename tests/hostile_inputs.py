"""Crafted inputs that ask for unbounded work (issue 11 §6), shared by
``tests/test_budget.py`` (refusal messages) and ``tests/benchmarks/hostile.py``
(how long each takes to be answered).

Every builder is cheap: key material that must really decrypt is derived with
``openssl kdf`` (C) when the iteration count is large, not with our pure-Python
PKCS#12 KDF.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import shutil
import struct
import subprocess

from keystoretool import der
from keystoretool.formats.pkcs12 import bmpstring, pbe

OID_DATA = "1.2.840.113549.1.7.1"
OID_ENCRYPTED_DATA = "1.2.840.113549.1.7.6"
PBE_SHA1_3DES = "1.2.840.113549.1.12.1.3"


def _pkcs12_kdf(password: str, salt: bytes, iterations: int, purpose: int, n: int) -> bytes:
    """The SHA-1 PKCS#12 KDF, through OpenSSL when it is there (fast)."""
    pw = bmpstring.encode_password(password)
    if shutil.which("openssl") and password:
        out = subprocess.run(
            ["openssl", "kdf", "-keylen", str(n), "-kdfopt", "digest:SHA1",
             "-kdfopt", f"hexpass:{pw.hex()}",  # OpenSSL takes the BMP bytes as they are
             "-kdfopt", f"hexsalt:{salt.hex()}", "-kdfopt", f"iter:{iterations}",
             "-kdfopt", f"id:{purpose}", "-binary", "PKCS12KDF"],
            capture_output=True, check=False,
        )
        if out.returncode == 0 and len(out.stdout) == n:
            return out.stdout
    return pbe.pkcs12_kdf("sha1", pw, salt, iterations, purpose, n)


def _encrypted_safe(iterations: int, password: str | None, salt: bytes) -> bytes:
    """An EncryptedData safe (PBE-SHA1-3DES): an empty SafeContents that really
    decrypts with ``password``, or random bytes when ``password`` is None."""
    if password is None:
        ciphertext = os.urandom(16)
    else:
        from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
        from cryptography.hazmat.primitives.ciphers import Cipher, modes

        key = _pkcs12_kdf(password, salt, iterations, 1, 24)
        iv = _pkcs12_kdf(password, salt, iterations, 2, 8)
        plain = der.seq_of([])
        plain += bytes([8 - len(plain) % 8]) * (8 - len(plain) % 8)
        enc = Cipher(TripleDES(key), modes.CBC(iv)).encryptor()
        ciphertext = enc.update(plain) + enc.finalize()
    alg = der.seq(der.oid(PBE_SHA1_3DES), der.seq(der.octet_string(salt), der.integer(iterations)))
    info = der.seq(der.oid(OID_DATA), alg, der.tlv(der.ctx(0, constructed=False), ciphertext))
    return der.seq(
        der.oid(OID_ENCRYPTED_DATA), der.explicit(0, der.seq(der.integer(0), info))
    )


def p12_kdf_safes(safes: int = 1, iterations: int = 5_000_000,
                  password: str | None = None) -> bytes:
    """A PFX with ``safes`` encrypted safes of ``iterations`` PKCS#12-KDF
    iterations each and no MAC (~100 bytes per safe). With ``password`` the
    safes decrypt with it (all share one salt, so it is derived once)."""
    auth_safe = der.seq_of([
        _encrypted_safe(iterations, password, bytes([i % 256 + 1]) * 8) for i in range(safes)
    ])
    content = der.seq(der.oid(OID_DATA), der.explicit(0, der.octet_string(auth_safe)))
    return der.seq(der.integer(3), content)


def _bks_derive(password: str, salt: bytes, iterations: int, n: int) -> bytes:
    from jks import rfc7292  # type: ignore[import-untyped]

    return bytes(rfc7292.derive_key(hashlib.sha1, rfc7292.PURPOSE_MAC_MATERIAL, password,
                                    salt, iterations, n))


def bks_sealed_keys(keys: int = 16, iterations: int = 1_000_000,
                    password: str = "changeit") -> bytes:
    """A BKS v2 store (cheap store MAC, 1,024 iterations, right for
    ``password``) holding ``keys`` sealed key entries that each ask for
    ``iterations`` (~65 bytes per entry)."""
    salt = b"\x02" * 20
    body = b""
    for i in range(keys):
        alias = f"k{i}".encode()
        sealed = struct.pack(">I", 20) + b"\x03" * 20 + struct.pack(">I", iterations)
        sealed += os.urandom(16)
        body += b"\x04" + struct.pack(">H", len(alias)) + alias + struct.pack(">QI", 0, 0)
        body += struct.pack(">I", len(sealed)) + sealed
    body += b"\x00"
    mac_key = _bks_derive(password, salt, 1024, 20)
    head = struct.pack(">II", 2, len(salt)) + salt + struct.pack(">I", 1024)
    return head + body + hmac.digest(mac_key, body, "sha1")


def pem_begin_lines(lines: int = 20_000) -> bytes:
    """``-----BEGIN CERTIFICATE-----`` lines with no END: the old regex was quadratic."""
    return b"-----BEGIN CERTIFICATE-----\n" * lines


def same_name_certificates(count: int = 1_000) -> bytes:
    """``count`` self-signed certificates (PEM), each with its own key, all
    named CN=same: every pair is a candidate issuer, so naive chain ordering
    verifies count**2 signatures."""
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "same")])
    now = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    out = []
    for i in range(count):
        key = ec.generate_private_key(ec.SECP256R1())
        cert = (
            x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(i + 1)
            .not_valid_before(now).not_valid_after(now + dt.timedelta(days=3650))
            .sign(key, hashes.SHA256())
        )
        out.append(cert.public_bytes(serialization.Encoding.PEM))
    return b"".join(out)
