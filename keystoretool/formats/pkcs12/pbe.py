"""Password-based encryption of PKCS#12 bags and safes.

Two families, both described here as data (tables of OIDs to parameters):

* PKCS#12 PBE (RFC 7292 Appendix B/C): key and IV from the PKCS#12 KDF over
  SHA-1 — ``pbeWithSHAAnd3-KeyTripleDES-CBC`` (Java 8, ``openssl -legacy``
  keys), ``pbeWithSHAAnd40BitRC2-CBC`` (their certificates), 128-bit RC2 and
  2-key 3DES.
* PBES2 (RFC 8018): PBKDF2 with an HMAC-SHA1/2 PRF, then AES-CBC or 3DES-CBC
  (what keytool 17 and OpenSSL 3 write).

Ciphers come from ``cryptography`` (3DES and RC2 from its ``decrepit``
module). ``cryptography`` only implements RC2 with 128-bit keys, so 40-bit RC2
uses pycryptodomex's ARC2 (already installed as a pyjks dependency).

The PKCS#12 KDF is implemented here over :mod:`hashlib` rather than taken
from ``jks.rfc7292.derive_key``: importing pyjks costs ~75 ms at start-up and
its byte-by-byte adder is slow; ``tests/test_format_pkcs12_hostile.py`` checks this
implementation against pyjks' on several hashes and lengths.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from . import bmpstring, der
from .der import DerError, Node

#: Java refuses larger counts ("PBE iteration count too large"); so do we, so
#: a hostile file cannot make us spin for minutes.
MAX_ITERATIONS = 5_000_000
MAX_SALT = 1024

OID_PBES2 = "1.2.840.113549.1.5.13"
OID_PBKDF2 = "1.2.840.113549.1.5.12"
OID_PBMAC1 = "1.2.840.113549.1.5.14"

#: hashlib names by digest OID (MAC digests) ...
DIGEST_OIDS: dict[str, str] = {
    "1.3.14.3.2.26": "sha1",
    "2.16.840.1.101.3.4.2.4": "sha224",
    "2.16.840.1.101.3.4.2.1": "sha256",
    "2.16.840.1.101.3.4.2.2": "sha384",
    "2.16.840.1.101.3.4.2.3": "sha512",
    "2.16.840.1.101.3.4.2.5": "sha512_224",
    "2.16.840.1.101.3.4.2.6": "sha512_256",
}
#: ... and by HMAC OID (PBKDF2 PRFs, PBMAC1 MACs).
HMAC_OIDS: dict[str, str] = {
    "1.2.840.113549.2.7": "sha1",
    "1.2.840.113549.2.8": "sha224",
    "1.2.840.113549.2.9": "sha256",
    "1.2.840.113549.2.10": "sha384",
    "1.2.840.113549.2.11": "sha512",
    "1.2.840.113549.2.12": "sha512_224",
    "1.2.840.113549.2.13": "sha512_256",
}
DIGEST_OID_BY_NAME = {v: k for k, v in DIGEST_OIDS.items()}
HMAC_OID_BY_NAME = {v: k for k, v in HMAC_OIDS.items()}


@dataclass(frozen=True)
class CipherInfo:
    """A block cipher in CBC mode: family ("aes", "3des", "rc2"), key and IV size."""

    family: str
    key_len: int
    iv_len: int


#: PKCS#12 PBE schemes (SHA-1 KDF) by OID.
PKCS12_PBE: dict[str, CipherInfo] = {
    "1.2.840.113549.1.12.1.3": CipherInfo("3des", 24, 8),  # pbeWithSHAAnd3-KeyTripleDES-CBC
    "1.2.840.113549.1.12.1.4": CipherInfo("3des", 16, 8),  # pbeWithSHAAnd2-KeyTripleDES-CBC
    "1.2.840.113549.1.12.1.5": CipherInfo("rc2", 16, 8),  # pbeWithSHAAnd128BitRC2-CBC
    "1.2.840.113549.1.12.1.6": CipherInfo("rc2", 5, 8),  # pbeWithSHAAnd40BitRC2-CBC
}
#: PBES2 encryption schemes by OID.
PBES2_CIPHERS: dict[str, CipherInfo] = {
    "2.16.840.1.101.3.4.1.2": CipherInfo("aes", 16, 16),
    "2.16.840.1.101.3.4.1.22": CipherInfo("aes", 24, 16),
    "2.16.840.1.101.3.4.1.42": CipherInfo("aes", 32, 16),
    "1.2.840.113549.3.7": CipherInfo("3des", 24, 8),  # des-ede3-cbc
}

#: Names the profiles use for schemes -> (kind, OID).
SCHEMES: dict[str, tuple[str, str]] = {
    "PBES2-AES-128-CBC": ("pbes2", "2.16.840.1.101.3.4.1.2"),
    "PBES2-AES-192-CBC": ("pbes2", "2.16.840.1.101.3.4.1.22"),
    "PBES2-AES-256-CBC": ("pbes2", "2.16.840.1.101.3.4.1.42"),
    "PBES2-DES-EDE3-CBC": ("pbes2", "1.2.840.113549.3.7"),
    "PBE-SHA1-3DES": ("pkcs12", "1.2.840.113549.1.12.1.3"),
    "PBE-SHA1-2DES": ("pkcs12", "1.2.840.113549.1.12.1.4"),
    "PBE-SHA1-RC2-128": ("pkcs12", "1.2.840.113549.1.12.1.5"),
    "PBE-SHA1-RC2-40": ("pkcs12", "1.2.840.113549.1.12.1.6"),
}
SCHEME_BY_OID = {(k, o): name for name, (k, o) in SCHEMES.items()}

PURPOSE_KEY = 1
PURPOSE_IV = 2
PURPOSE_MAC = 3


class DecryptError(Exception):
    """Wrong password (bad padding) — the caller words the message."""


class UnsupportedAlgorithm(DerError):
    """A well-formed file using an algorithm we do not implement."""


@dataclass(frozen=True)
class PbeSpec:
    """How to protect a bag or a safe: a scheme name from :data:`SCHEMES`
    (or "NONE": not encrypted), iterations, salt length and, for PBES2, the
    PBKDF2 PRF."""

    scheme: str
    iterations: int
    salt_len: int = 20
    prf: str = "sha256"


# ---- KDFs ---------------------------------------------------------------
def hash_ctor(name: str) -> Any:
    ctor = getattr(hashlib, name, None)
    if ctor is not None:
        return ctor
    return lambda data=b"": hashlib.new(name, data)


# Both KDFs are memoised (a few results): saving a store derives the MAC key
# and the certificate-safe key from fresh salts, then the check that re-reads
# the written bytes derives the same keys from the same salts again. The KDFs
# are deterministic, so the second derivation proves nothing; the check still
# recomputes the MAC over, and decrypts, the bytes actually written.
_KDF_CACHE = 16


@lru_cache(maxsize=_KDF_CACHE)
def pkcs12_kdf(
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


@lru_cache(maxsize=_KDF_CACHE)
def pbkdf2(hash_name: str, password: str, salt: bytes, iterations: int, n: int) -> bytes:
    # PBES2/PBMAC1 passwords are UTF-8 bytes (Java and OpenSSL agree).
    return hashlib.pbkdf2_hmac(
        hash_name, password.encode("utf-8", "surrogatepass"), salt, iterations, n
    )


def check_iterations(n: int, what: str) -> int:
    if n < 1 or n > MAX_ITERATIONS:
        raise DerError(f"{what} iteration count {n} out of range")
    return n


# ---- ciphers ------------------------------------------------------------
def _cipher(info: CipherInfo, key: bytes, iv: bytes, encrypt: bool) -> Any:
    if info.family == "rc2" and len(key) != 16:
        from Cryptodome.Cipher import ARC2

        return ARC2.new(key, ARC2.MODE_CBC, iv=iv, effective_keylen=8 * len(key))  # type: ignore[call-arg]
    from cryptography.hazmat.primitives.ciphers import Cipher, modes

    algo: Any
    if info.family == "aes":
        from cryptography.hazmat.primitives.ciphers import algorithms

        algo = algorithms.AES(key)
    elif info.family == "3des":
        from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES

        # 2-key 3DES is 3-key 3DES with k3 = k1 (cryptography deprecates 16-byte keys)
        algo = TripleDES(key + key[:8] if len(key) == 16 else key)
    else:
        from cryptography.hazmat.decrepit.ciphers.algorithms import RC2

        algo = RC2(key)
    c = Cipher(algo, modes.CBC(iv))
    return c.encryptor() if encrypt else c.decryptor()


def _crypt(info: CipherInfo, key: bytes, iv: bytes, data: bytes, encrypt: bool) -> bytes:
    ctx = _cipher(info, key, iv, encrypt)
    if hasattr(ctx, "finalize"):
        return bytes(ctx.update(data) + ctx.finalize())
    return bytes(ctx.encrypt(data) if encrypt else ctx.decrypt(data))


def _unpad(data: bytes, block: int) -> bytes:
    if not data or len(data) % block:
        raise DecryptError("bad length")
    n = data[-1]
    if n < 1 or n > block or data[-n:] != bytes([n]) * n:
        raise DecryptError("bad padding")
    return data[:-n]


def _pad(data: bytes, block: int) -> bytes:
    n = block - len(data) % block
    return data + bytes([n]) * n


# ---- AlgorithmIdentifier parsing ------------------------------------------
@dataclass(frozen=True)
class ParsedPbe:
    kind: str  # "pkcs12" | "pbes2"
    cipher: CipherInfo
    salt: bytes
    iterations: int
    scheme: str  # name in SCHEMES
    prf: str = "sha1"
    iv: bytes = b""
    key_len: int = 0

    def spec(self) -> PbeSpec:
        return PbeSpec(self.scheme, self.iterations, max(8, min(len(self.salt), 64)), self.prf)


def pbkdf2_alg_id(salt: bytes, iterations: int, key_len: int, prf: str) -> bytes:
    """The PBKDF2 AlgorithmIdentifier DER (salt, iterations, key length, HMAC PRF),
    as PBES2 and PBMAC1 both write it."""
    params = der.seq(
        der.octet_string(salt),
        der.integer(iterations),
        der.integer(key_len),
        der.seq(der.oid(HMAC_OID_BY_NAME[prf]), der.null()),
    )
    return der.seq(der.oid(OID_PBKDF2), params)


def parse_pbkdf2_params(node: Node) -> tuple[bytes, int, int | None, str]:
    kids = node.seq("PBKDF2 parameters", 2, 4)
    if kids[0].tag not in (der.OCTET_STRING, der.OCTET_STRING | der.CONSTRUCTED):
        raise UnsupportedAlgorithm("PBKDF2 salt source not supported")
    salt = kids[0].octets("PBKDF2 salt")
    if len(salt) > MAX_SALT:
        raise DerError("PBKDF2 salt too long")
    iterations = check_iterations(kids[1].integer("PBKDF2 iteration count"), "PBKDF2")
    key_len: int | None = None
    prf = "sha1"
    for k in kids[2:]:
        if k.tag == der.INTEGER:
            key_len = k.integer("PBKDF2 key length")
            if key_len < 1 or key_len > 256:
                raise DerError("PBKDF2 key length out of range")
        else:
            prf_oid = k.seq("PBKDF2 PRF", 1, 2)[0].oid()
            if prf_oid not in HMAC_OIDS:
                raise UnsupportedAlgorithm(f"PBKDF2 PRF {prf_oid} not supported")
            prf = HMAC_OIDS[prf_oid]
    return salt, iterations, key_len, prf


def parse_algorithm(node: Node) -> ParsedPbe:
    kids = node.seq("encryption algorithm", 1, 2)
    alg = kids[0].oid()
    if alg in PKCS12_PBE:
        if len(kids) != 2:
            raise DerError("PBE parameters missing")
        p = kids[1].seq("PBE parameters", 2, 2)
        salt = p[0].octets("PBE salt")
        if len(salt) > MAX_SALT:
            raise DerError("PBE salt too long")
        it = check_iterations(p[1].integer("PBE iteration count"), "PBE")
        return ParsedPbe("pkcs12", PKCS12_PBE[alg], salt, it, SCHEME_BY_OID[("pkcs12", alg)])
    if alg == OID_PBES2:
        if len(kids) != 2:
            raise DerError("PBES2 parameters missing")
        kdf, enc = kids[1].seq("PBES2 parameters", 2, 2)
        kdf_kids = kdf.seq("PBES2 KDF", 2, 2)
        if kdf_kids[0].oid() != OID_PBKDF2:
            raise UnsupportedAlgorithm("PBES2 key derivation other than PBKDF2 is not supported")
        salt, it, key_len, prf = parse_pbkdf2_params(kdf_kids[1])
        enc_kids = enc.seq("PBES2 encryption scheme", 2, 2)
        enc_oid = enc_kids[0].oid()
        if enc_oid not in PBES2_CIPHERS:
            raise UnsupportedAlgorithm(f"PBES2 cipher {enc_oid} not supported")
        info = PBES2_CIPHERS[enc_oid]
        iv = enc_kids[1].octets("PBES2 IV")
        if len(iv) != info.iv_len:
            raise DerError("PBES2 IV has the wrong length")
        if key_len is not None and key_len != info.key_len:
            raise DerError("PBES2 key length does not match the cipher")
        return ParsedPbe(
            "pbes2", info, salt, it, SCHEME_BY_OID[("pbes2", enc_oid)], prf, iv, info.key_len
        )
    raise UnsupportedAlgorithm(f"encryption algorithm {alg} not supported")


def decrypt(params: ParsedPbe, data: bytes, password: str) -> bytes:
    """Decrypt with the parsed parameters; DecryptError on a wrong password."""
    info = params.cipher
    block = 16 if info.family == "aes" else 8
    if not data or len(data) % block:
        raise DecryptError("ciphertext length is not a multiple of the block size")
    if params.kind == "pbes2":
        key = pbkdf2(params.prf, password, params.salt, params.iterations, info.key_len)
        return _unpad(_crypt(info, key, params.iv, data, False), block)
    last: DecryptError | None = None
    for pw in bmpstring.password_candidates(password):
        key = pkcs12_kdf("sha1", pw, params.salt, params.iterations, PURPOSE_KEY, info.key_len)
        iv = pkcs12_kdf("sha1", pw, params.salt, params.iterations, PURPOSE_IV, info.iv_len)
        try:
            return _unpad(_crypt(info, key, iv, data, False), block)
        except DecryptError as e:
            last = e
    assert last is not None
    raise last


def decrypt_node(alg: Node, data: bytes, password: str) -> bytes:
    return decrypt(parse_algorithm(alg), data, password)


def encrypt(spec: PbeSpec, plaintext: bytes, password: str) -> tuple[bytes, bytes]:
    """Encrypt; returns (AlgorithmIdentifier DER, ciphertext)."""
    kind, alg_oid = SCHEMES[spec.scheme]
    salt = os.urandom(spec.salt_len)
    if kind == "pbes2":
        info = PBES2_CIPHERS[alg_oid]
        iv = os.urandom(info.iv_len)
        key = pbkdf2(spec.prf, password, salt, spec.iterations, info.key_len)
        alg_id = der.seq(
            der.oid(OID_PBES2),
            der.seq(
                pbkdf2_alg_id(salt, spec.iterations, info.key_len, spec.prf),
                der.seq(der.oid(alg_oid), der.octet_string(iv)),
            ),
        )
        block = 16 if info.family == "aes" else 8
        return alg_id, _crypt(info, key, iv, _pad(plaintext, block), True)
    info = PKCS12_PBE[alg_oid]
    pw = bmpstring.encode_password(password)
    key = pkcs12_kdf("sha1", pw, salt, spec.iterations, PURPOSE_KEY, info.key_len)
    iv = pkcs12_kdf("sha1", pw, salt, spec.iterations, PURPOSE_IV, info.iv_len)
    alg_id = der.seq(
        der.oid(alg_oid), der.seq(der.octet_string(salt), der.integer(spec.iterations))
    )
    return alg_id, _crypt(info, key, iv, _pad(plaintext, 8), True)
