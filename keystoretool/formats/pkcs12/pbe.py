"""Password-based encryption of PKCS#12 bags and safes.

Two families, both described here as data (tables of OIDs to parameters):

* PKCS#12 PBE (RFC 7292 Appendix B/C): key and IV from the PKCS#12 KDF over
  SHA-1 — ``pbeWithSHAAnd3-KeyTripleDES-CBC`` (Java 8, ``openssl -legacy``
  keys), ``pbeWithSHAAnd40BitRC2-CBC`` (their certificates), 128-bit RC2 and
  2-key 3DES.
  Also RC4-128 and RC4-40 (read only).
* PBES2 (RFC 8018): PBKDF2 (any HMAC PRF of :data:`HMAC_OIDS`) or scrypt, then
  any cipher of :data:`.ciphers.PBES2_CIPHERS` (what keytool 17 and OpenSSL 3 write).
* PBES1 (RFC 8018 6.1): PBKDF1 with MD5 or SHA-1, then DES-CBC or RC2-CBC
  (64-bit) — OpenSSL's ``PBE-MD5-DES`` and friends (read only).

The ciphers are in :mod:`.ciphers`, the key derivations in :mod:`.kdf`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from ... import der
from ...der import DerError, Node
from ..budget import UNBOUNDED, WorkBudget, blocks
from . import bmpstring, ciphers, kdf
from .ciphers import PBES2_CIPHERS, CipherInfo
from .kdf import PURPOSE_IV, PURPOSE_KEY
from .kdf import PURPOSE_MAC as PURPOSE_MAC  # re-exported for mac.py
from .kdf import hash_ctor as hash_ctor

#: Java refuses larger counts ("PBE iteration count too large"); so do we, so
#: a hostile file cannot make us spin for minutes.
MAX_ITERATIONS = 5_000_000
MAX_SALT = 1024

OID_PBES2 = "1.2.840.113549.1.5.13"
OID_PBKDF2 = "1.2.840.113549.1.5.12"
OID_PBMAC1 = "1.2.840.113549.1.5.14"
OID_SCRYPT = "1.3.6.1.4.1.11591.4.11"

#: hashlib names by digest OID (MAC digests) ...
DIGEST_OIDS: dict[str, str] = {
    "1.2.840.113549.2.5": "md5",
    "1.3.14.3.2.26": "sha1",
    "2.16.840.1.101.3.4.2.4": "sha224",
    "2.16.840.1.101.3.4.2.1": "sha256",
    "2.16.840.1.101.3.4.2.2": "sha384",
    "2.16.840.1.101.3.4.2.3": "sha512",
    "2.16.840.1.101.3.4.2.5": "sha512_224",
    "2.16.840.1.101.3.4.2.6": "sha512_256",
    "2.16.840.1.101.3.4.2.7": "sha3_224",
    "2.16.840.1.101.3.4.2.8": "sha3_256",
    "2.16.840.1.101.3.4.2.9": "sha3_384",
    "2.16.840.1.101.3.4.2.10": "sha3_512",
}
#: ... and by HMAC OID (PBKDF2 PRFs, PBMAC1 MACs).
HMAC_OIDS: dict[str, str] = {
    "1.2.840.113549.2.6": "md5",
    "1.2.840.113549.2.7": "sha1",
    "1.2.840.113549.2.8": "sha224",
    "1.2.840.113549.2.9": "sha256",
    "1.2.840.113549.2.10": "sha384",
    "1.2.840.113549.2.11": "sha512",
    "1.2.840.113549.2.12": "sha512_224",
    "1.2.840.113549.2.13": "sha512_256",
    "2.16.840.1.101.3.4.2.13": "sha3_224",
    "2.16.840.1.101.3.4.2.14": "sha3_256",
    "2.16.840.1.101.3.4.2.15": "sha3_384",
    "2.16.840.1.101.3.4.2.16": "sha3_512",
}
DIGEST_OID_BY_NAME = {v: k for k, v in DIGEST_OIDS.items()}
HMAC_OID_BY_NAME = {v: k for k, v in HMAC_OIDS.items()}


#: PKCS#12 PBE schemes (SHA-1 KDF) by OID.
PKCS12_PBE: dict[str, CipherInfo] = {
    "1.2.840.113549.1.12.1.3": CipherInfo("3des", 24, 8),  # pbeWithSHAAnd3-KeyTripleDES-CBC
    "1.2.840.113549.1.12.1.4": CipherInfo("3des", 16, 8),  # pbeWithSHAAnd2-KeyTripleDES-CBC
    "1.2.840.113549.1.12.1.5": CipherInfo("rc2", 16, 8),  # pbeWithSHAAnd128BitRC2-CBC
    "1.2.840.113549.1.12.1.6": CipherInfo("rc2", 5, 8),  # pbeWithSHAAnd40BitRC2-CBC
    "1.2.840.113549.1.12.1.1": CipherInfo("rc4", 16, 0),  # pbeWithSHAAnd128BitRC4
    "1.2.840.113549.1.12.1.2": CipherInfo("rc4", 5, 0),  # pbeWithSHAAnd40BitRC4
}
#: PBES1 schemes by OID: (PBKDF1 hash, cipher). RC2 here has 64 effective bits.
PBES1: dict[str, tuple[str, CipherInfo]] = {
    "1.2.840.113549.1.5.3": ("md5", CipherInfo("des", 8, 8, "DES-CBC")),
    "1.2.840.113549.1.5.6": ("md5", CipherInfo("rc2", 8, 8, "RC2-64-CBC", 64)),
    "1.2.840.113549.1.5.10": ("sha1", CipherInfo("des", 8, 8, "DES-CBC")),
    "1.2.840.113549.1.5.11": ("sha1", CipherInfo("rc2", 8, 8, "RC2-64-CBC", 64)),
}
#: Recognised but refused: OID -> the reason shown to the user.
REFUSED_PBE: dict[str, str] = {
    "1.2.840.113549.1.5.1": "pbeWithMD2AndDES-CBC (MD2 is not available)",
    "1.2.840.113549.1.5.4": "pbeWithMD2AndRC2-CBC (MD2 is not available)",
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
    "PBE-SHA1-RC4-128": ("pkcs12", "1.2.840.113549.1.12.1.1"),
    "PBE-SHA1-RC4-40": ("pkcs12", "1.2.840.113549.1.12.1.2"),
    "PBE-MD5-DES": ("pbes1", "1.2.840.113549.1.5.3"),
    "PBE-MD5-RC2-64": ("pbes1", "1.2.840.113549.1.5.6"),
    "PBE-SHA1-DES": ("pbes1", "1.2.840.113549.1.5.10"),
    "PBE-SHA1-RC2-64": ("pbes1", "1.2.840.113549.1.5.11"),
}
for _oid, _info in PBES2_CIPHERS.items():
    SCHEMES.setdefault(f"PBES2-{_info.name}", ("pbes2", _oid))
SCHEME_BY_OID = {(k, o): name for name, (k, o) in SCHEMES.items()}


class DecryptError(Exception):
    """Wrong password (bad padding) — the caller words the message."""


UnsupportedAlgorithm = ciphers.UnsupportedCipher


@dataclass(frozen=True)
class PbeSpec:
    """How to protect a bag or a safe: a scheme name from :data:`SCHEMES`
    (or "NONE": not encrypted), iterations, salt length and, for PBES2, the
    PBKDF2 PRF."""

    scheme: str
    iterations: int
    salt_len: int = 20
    prf: str = "sha256"


# ---- KDFs (all through kdf.derive) ---------------------------------------
def pkcs12_kdf(
    hash_name: str, password: bytes, salt: bytes, iterations: int, purpose: int, n: int
) -> bytes:
    """RFC 7292 Appendix B.2; ``password`` already BMP-encoded."""
    return kdf.derive("pkcs12", hash_name, password, salt, iterations, n, purpose)


def pbkdf2(hash_name: str, password: str, salt: bytes, iterations: int, n: int) -> bytes:
    # PBES2/PBMAC1 passwords are UTF-8 bytes (Java and OpenSSL agree).
    return kdf.derive(
        "pbkdf2", hash_name, password.encode("utf-8", "surrogatepass"), salt, iterations, n
    )


def check_iterations(n: int, what: str) -> int:
    if n < 1 or n > MAX_ITERATIONS:
        raise DerError(f"{what} iteration count {n} out of range")
    return n


# ---- ciphers ------------------------------------------------------------
def _crypt(info: CipherInfo, key: bytes, iv: bytes, data: bytes, encrypt: bool) -> bytes:
    return ciphers.crypt(info, key, iv, data, encrypt)


def _unpad(data: bytes, block: int) -> bytes:
    if block == 1:
        return data  # a stream cipher (RC4): no padding
    if not data or len(data) % block:
        raise DecryptError("bad length")
    n = data[-1]
    if n < 1 or n > block or data[-n:] != bytes([n]) * n:
        raise DecryptError("bad padding")
    return data[:-n]


def _pad(data: bytes, block: int) -> bytes:
    if block == 1:
        return data
    n = block - len(data) % block
    return data + bytes([n]) * n


# ---- AlgorithmIdentifier parsing ------------------------------------------
@dataclass(frozen=True)
class ParsedPbe:
    kind: str  # "pkcs12" | "pbes2" | "pbes1"
    cipher: CipherInfo
    salt: bytes
    iterations: int
    scheme: str  # name in SCHEMES, or a descriptive name of a read-only variant
    prf: str = "sha1"  # PBKDF2 PRF; the PBKDF1 hash for PBES1
    iv: bytes = b""
    key_len: int = 0
    scrypt: kdf.ScryptParams | None = None

    def spec(self) -> PbeSpec:
        return PbeSpec(self.scheme, self.iterations, max(8, min(len(self.salt), 64)), self.prf)


#: Schemes and PRFs too weak to protect anything new (DES, RC2-40/64, RC4, MD5).
WEAK_SCHEMES = frozenset(
    {"PBE-SHA1-RC2-40", "PBE-SHA1-RC4-128", "PBE-SHA1-RC4-40", "PBES2-DES-CBC",
     "PBE-MD5-DES", "PBE-MD5-RC2-64", "PBE-SHA1-DES", "PBE-SHA1-RC2-64"}
)
#: OpenSSL's default iteration count; fewer is weak.
MIN_SOUND_ITERATIONS = 2048


def unsound(spec: PbeSpec) -> str | None:
    """Why ``spec`` must not protect anything we encrypt anew (None: it may)."""
    if spec.scheme == "NONE":
        return None
    if spec.scheme not in SCHEMES:
        return f"{spec.scheme} is read-only here"
    if spec.scheme in WEAK_SCHEMES:
        return f"{spec.scheme} is weak"
    if SCHEMES[spec.scheme][0] == "pbes2" and spec.prf == "md5":
        return "PBKDF2 with HMAC-MD5 is weak"
    if spec.iterations < MIN_SOUND_ITERATIONS:
        return f"{spec.iterations} iterations are too few"
    return None


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


def _parse_scrypt_params(node: Node) -> tuple[bytes, kdf.ScryptParams, int | None]:
    """RFC 7914 7.1: SEQUENCE { salt, costParameter, blockSize, parallelizationParameter,
    keyLength OPTIONAL }."""
    kids = node.seq("scrypt parameters", 4, 5)
    salt = kids[0].octets("scrypt salt")
    if len(salt) > MAX_SALT:
        raise DerError("scrypt salt too long")
    params = kdf.ScryptParams(
        kids[1].integer("scrypt cost"), kids[2].integer("scrypt block size"),
        kids[3].integer("scrypt parallelization"),
    )
    params.check()
    key_len = kids[4].integer("scrypt key length") if len(kids) == 5 else None
    if key_len is not None and not 1 <= key_len <= 256:
        raise DerError("scrypt key length out of range")
    return salt, params, key_len


def _salt_and_iterations(node: Node, what: str) -> tuple[bytes, int]:
    p = node.seq(f"{what} parameters", 2, 2)
    salt = p[0].octets(f"{what} salt")
    if len(salt) > MAX_SALT:
        raise DerError(f"{what} salt too long")
    return salt, check_iterations(p[1].integer(f"{what} iteration count"), what)


def parse_algorithm(node: Node) -> ParsedPbe:
    kids = node.seq("encryption algorithm", 1, 2)
    alg = kids[0].oid()
    if alg in PKCS12_PBE:
        if len(kids) != 2:
            raise DerError("PBE parameters missing")
        salt, it = _salt_and_iterations(kids[1], "PBE")
        return ParsedPbe("pkcs12", PKCS12_PBE[alg], salt, it, SCHEME_BY_OID[("pkcs12", alg)])
    if alg in PBES1:
        if len(kids) != 2:
            raise DerError("PBES1 parameters missing")
        salt, it = _salt_and_iterations(kids[1], "PBES1")
        if len(salt) != 8:
            raise DerError("PBES1 salt must be 8 bytes")
        hash_name, info = PBES1[alg]
        return ParsedPbe("pbes1", info, salt, it, SCHEME_BY_OID[("pbes1", alg)], hash_name)
    if alg == OID_PBES2:
        if len(kids) != 2:
            raise DerError("PBES2 parameters missing")
        kdf_node, enc = kids[1].seq("PBES2 parameters", 2, 2)
        kdf_kids = kdf_node.seq("PBES2 KDF", 2, 2)
        kdf_oid = kdf_kids[0].oid()
        scrypt: kdf.ScryptParams | None = None
        prf = "sha1"
        if kdf_oid == OID_PBKDF2:
            salt, it, key_len, prf = parse_pbkdf2_params(kdf_kids[1])
        elif kdf_oid == OID_SCRYPT:
            salt, scrypt, key_len = _parse_scrypt_params(kdf_kids[1])
            it = 1
        else:
            raise UnsupportedAlgorithm(f"PBES2 key derivation {kdf_oid} is not supported")
        enc_kids = enc.seq("PBES2 encryption scheme", 1, 2)
        enc_oid = enc_kids[0].oid()
        info, iv = ciphers.pbes2_cipher(enc_oid, enc_kids[1] if len(enc_kids) > 1 else None,
                                        key_len)
        scheme = SCHEME_BY_OID[("pbes2", enc_oid)]
        if info != PBES2_CIPHERS[enc_oid]:  # RC2/CAST5/Blowfish with another key size
            scheme = f"PBES2-{info.name}-{info.rc2_bits or 8 * info.key_len}"
        if scrypt is not None:
            scheme = f"PBES2-scrypt-{info.name}"
        return ParsedPbe("pbes2", info, salt, it, scheme, prf, iv, info.key_len, scrypt)
    if alg in REFUSED_PBE:
        raise UnsupportedAlgorithm(f"{REFUSED_PBE[alg]} is not supported")
    raise UnsupportedAlgorithm(f"encryption algorithm {alg} not supported")


def _pbes2_key(params: ParsedPbe, password: str) -> bytes:
    if params.scrypt is not None:
        return kdf.derive("scrypt", "", password.encode("utf-8", "surrogatepass"),
                          params.salt, 1, params.cipher.key_len, 0, params.scrypt)
    return pbkdf2(params.prf, password, params.salt, params.iterations, params.cipher.key_len)


def derivations(params: ParsedPbe, candidates: int = 1) -> list[tuple[str, int, int]]:
    """The key derivations decrypting with ``params`` runs, as (KDF name in
    :data:`..budget.KDFS`, iterations, weighted output blocks) — what a
    :class:`WorkBudget` is charged. ``candidates``: password encodings tried."""
    if params.kind == "pbes2":
        if params.scrypt is not None:
            sp = params.scrypt
            return [("scrypt", sp.n * sp.r * sp.p, 1)]
        digest = kdf.hash_ctor(params.prf)().digest_size
        return [("pbkdf2", params.iterations, blocks(params.cipher.key_len, digest, params.prf))]
    if params.kind == "pbes1":
        return [("pbkdf1", params.iterations, 1)]
    per = [
        ("pkcs12", params.iterations, blocks(params.cipher.key_len, 20)),
        ("pkcs12", params.iterations, blocks(params.cipher.iv_len, 20)),
    ]
    return per * candidates


def planned_units(params: ParsedPbe, password: str | None, budget: WorkBudget) -> int:
    """Worst-case units to decrypt with ``params`` (every password encoding tried);
    refuses a derivation over its KDF's cap."""
    n = len(bmpstring.password_candidates(password)) if password is not None else 1
    return sum(budget.cost(k, it, b) for k, it, b in derivations(params, n))


def decrypt(
    params: ParsedPbe, data: bytes, password: str, budget: WorkBudget = UNBOUNDED
) -> bytes:
    """Decrypt with the parsed parameters; DecryptError on a wrong password.
    Each derivation is charged to ``budget`` before it runs."""
    info = params.cipher
    block = info.block
    if not data or len(data) % block:
        raise DecryptError("ciphertext length is not a multiple of the block size")
    if params.kind == "pbes2":
        for name, it, b in derivations(params):
            budget.charge(name, it, b)
        key = _pbes2_key(params, password)
        return _unpad(_crypt(info, key, params.iv, data, False), block)
    if params.kind == "pbes1":
        for name, it, b in derivations(params):
            budget.charge(name, it, b)
        # PBES1 passwords are the raw bytes (OpenSSL: the UTF-8 of what was typed).
        dk = kdf.derive("pbkdf1", params.prf, password.encode("utf-8", "surrogatepass"),
                        params.salt, params.iterations, 16)
        return _unpad(_crypt(info, dk[:8], dk[8:], data, False), block)
    last: DecryptError | None = None
    for pw in bmpstring.password_candidates(password):
        for name, it, b in derivations(params):
            budget.charge(name, it, b)
        key = pkcs12_kdf("sha1", pw, params.salt, params.iterations, PURPOSE_KEY, info.key_len)
        iv = (pkcs12_kdf("sha1", pw, params.salt, params.iterations, PURPOSE_IV, info.iv_len)
              if info.iv_len else b"")
        try:
            return _unpad(_crypt(info, key, iv, data, False), block)
        except DecryptError as e:
            last = e
    assert last is not None
    raise last


def decrypt_node(
    alg: Node, data: bytes, password: str, budget: WorkBudget = UNBOUNDED
) -> bytes:
    return decrypt(parse_algorithm(alg), data, password, budget)


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
                der.seq(der.oid(alg_oid), ciphers.pbes2_params(alg_oid, info, iv)),
            ),
        )
        return alg_id, _crypt(info, key, iv, _pad(plaintext, info.block), True)
    if kind != "pkcs12":
        raise UnsupportedAlgorithm(f"{spec.scheme} is read-only")
    info = PKCS12_PBE[alg_oid]
    pw = bmpstring.encode_password(password)
    key = pkcs12_kdf("sha1", pw, salt, spec.iterations, PURPOSE_KEY, info.key_len)
    iv = pkcs12_kdf("sha1", pw, salt, spec.iterations, PURPOSE_IV, info.iv_len)
    alg_id = der.seq(
        der.oid(alg_oid), der.seq(der.octet_string(salt), der.integer(spec.iterations))
    )
    return alg_id, _crypt(info, key, iv, _pad(plaintext, info.block), True)
