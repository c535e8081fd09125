"""Every password-to-key derivation of the PKCS12 code, behind one function.

:func:`derive` is the single call point: PBKDF2 (PBES2 and PBMAC1), the
PKCS#12 KDF (PKCS#12 PBE ciphers and the classic MAC), PBKDF1 (PBES1) and
scrypt all go through it, so a per-command work budget is charged in one
place. The KDFs are memoised (a few results): saving a store derives the MAC
key and the certificate-safe key from fresh salts, then the check that
re-reads the written bytes derives the same keys from the same salts again.
The KDFs are deterministic, so the second derivation proves nothing; the
check still recomputes the MAC over, and decrypts, the bytes actually written.

The PKCS#12 KDF is implemented here over :mod:`hashlib` rather than taken
from ``jks.rfc7292.derive_key``: importing pyjks costs ~75 ms at start-up and
its byte-by-byte adder is slow; ``tests/test_format_pkcs12_hostile.py`` checks this
implementation against pyjks' on several hashes and lengths.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ...der import DerError

#: scrypt bounds: N at most 2**20 and 128*N*r*p at most 256 MiB of work memory
#: (OpenSSL's own default limit is 32 MiB for N*r; we read what it writes).
SCRYPT_MAX_N = 1 << 20
SCRYPT_MAX_MEM = 256 * 1024 * 1024

PURPOSE_KEY = 1
PURPOSE_IV = 2
PURPOSE_MAC = 3

_CACHE = 16


@dataclass(frozen=True)
class ScryptParams:
    n: int
    r: int
    p: int

    def check(self) -> None:
        if self.n < 2 or self.n & (self.n - 1) or self.n > SCRYPT_MAX_N:
            raise DerError(f"scrypt cost parameter {self.n} out of range")
        if not (1 <= self.r <= 64 and 1 <= self.p <= 64):
            raise DerError("scrypt block size or parallelization out of range")
        if 128 * self.n * self.r * self.p > SCRYPT_MAX_MEM:
            raise DerError("scrypt parameters need too much memory")


def hash_ctor(name: str) -> Any:
    ctor = getattr(hashlib, name, None)
    if ctor is not None:
        return ctor
    return lambda data=b"": hashlib.new(name, data)


@lru_cache(maxsize=_CACHE)
def derive(
    kdf: str,
    hash_name: str,
    password: bytes,
    salt: bytes,
    iterations: int,
    n: int,
    purpose: int = 0,
    scrypt: ScryptParams | None = None,
) -> bytes:
    """``n`` key bytes. ``kdf`` is "pbkdf2", "pkcs12" (``password`` BMP-encoded,
    ``purpose`` 1/2/3), "pbkdf1" or "scrypt" (``scrypt`` parameters; the
    iterations are ignored). The single place every derivation runs through."""
    if kdf == "pbkdf2":
        return hashlib.pbkdf2_hmac(hash_name, password, salt, iterations, n)
    if kdf == "pkcs12":
        return _pkcs12(hash_name, password, salt, iterations, purpose, n)
    if kdf == "pbkdf1":
        return _pbkdf1(hash_name, password, salt, iterations, n)
    if kdf == "scrypt" and scrypt is not None:
        scrypt.check()
        return hashlib.scrypt(
            password, salt=salt, n=scrypt.n, r=scrypt.r, p=scrypt.p,
            maxmem=SCRYPT_MAX_MEM + 1024 * 1024, dklen=n,
        )
    raise DerError(f"unknown key derivation {kdf}")


def _pbkdf1(hash_name: str, password: bytes, salt: bytes, iterations: int, n: int) -> bytes:
    """RFC 8018 5.1: T_1 = Hash(P || S), T_i = Hash(T_{i-1}); the first n bytes."""
    h = hash_ctor(hash_name)
    t = h(password + salt).digest()
    for _ in range(iterations - 1):
        t = h(t).digest()
    if n > len(t):
        raise DerError("PBKDF1 cannot derive that many bytes")
    return bytes(t[:n])


def _pkcs12(
    hash_name: str, password: bytes, salt: bytes, iterations: int, purpose: int, n: int
) -> bytes:
    """RFC 7292 Appendix B.2; ``password`` already BMP-encoded."""
    h = hash_ctor(hash_name)
    probe = h()
    u, v = probe.digest_size, probe.block_size
    d = bytes([purpose]) * v
    s = (salt * (v // len(salt) + 1))[: v * ((len(salt) + v - 1) // v)] if salt else b""
    p = (
        (password * (v // len(password) + 1))[: v * ((len(password) + v - 1) // v)]
        if password
        else b""
    )
    block = bytearray(s + p)
    mask = (1 << (8 * v)) - 1
    out = bytearray()
    while True:
        a = h(d + bytes(block)).digest()
        for _ in range(iterations - 1):
            a = h(a).digest()
        out += a
        if len(out) >= n:
            return bytes(out[:n])
        b = int.from_bytes((a * (v // u + 1))[:v], "big") + 1
        for j in range(0, len(block), v):
            x = (int.from_bytes(block[j : j + v], "big") + b) & mask
            block[j : j + v] = x.to_bytes(v, "big")
