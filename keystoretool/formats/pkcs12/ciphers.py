"""Block and stream ciphers of PKCS#12 bags and safes, as data.

Every cipher OpenSSL 3 can put in a PKCS12 file (with or without
``-legacy``) is listed in :data:`PBES2_CIPHERS` by OID with its key and IV
size, and :func:`crypt` runs it. Primitives come from ``cryptography``
(AES, SM4; Camellia, SEED, IDEA, CAST5, Blowfish, 3DES, RC4 from its
``decrepit`` module) and from pycryptodomex where ``cryptography`` lacks or
deprecates one: single DES (``cryptography`` only offers it through
TripleDES with a deprecation warning) and RC2 at any effective key size
(``cryptography`` does RC2 at 128 bits only). Both libraries are imported
lazily, per cipher.

Refused, because neither library implements them: ARIA (OpenSSL's
``-keypbe aria-*-cbc``), GOST 28147-89 / Kuznyechik / Magma, and RC5.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...der import DerError, Node

OCTET_STRING = 0x04
SEQUENCE = 0x30
INTEGER = 0x02


class UnsupportedCipher(DerError):
    """A well-formed file using an algorithm we do not implement (the message names it)."""


@dataclass(frozen=True)
class CipherInfo:
    """A cipher: ``family`` selects the primitive, ``key_len``/``iv_len`` in
    bytes (``iv_len`` 0: a stream cipher, no padding). ``name`` is what
    messages and ``openssl`` call it. ``rc2_bits`` is RC2's effective key size."""

    family: str
    key_len: int
    iv_len: int
    name: str = ""
    rc2_bits: int = 0
    variable_key: bool = False  # the key length comes from PBKDF2's keyLength

    @property
    def block(self) -> int:
        return self.iv_len if self.iv_len else 1


#: PBES2 encryption schemes by OID (RFC 8018 appendix B.2 and the OIDs OpenSSL writes).
PBES2_CIPHERS: dict[str, CipherInfo] = {
    "2.16.840.1.101.3.4.1.2": CipherInfo("aes", 16, 16, "AES-128-CBC"),
    "2.16.840.1.101.3.4.1.22": CipherInfo("aes", 24, 16, "AES-192-CBC"),
    "2.16.840.1.101.3.4.1.42": CipherInfo("aes", 32, 16, "AES-256-CBC"),
    "1.2.840.113549.3.7": CipherInfo("3des", 24, 8, "DES-EDE3-CBC"),
    "1.3.14.3.2.7": CipherInfo("des", 8, 8, "DES-CBC"),
    "1.2.840.113549.3.2": CipherInfo("rc2", 16, 8, "RC2-CBC", 128, variable_key=True),
    "1.2.392.200011.61.1.1.1.2": CipherInfo("camellia", 16, 16, "CAMELLIA-128-CBC"),
    "1.2.392.200011.61.1.1.1.3": CipherInfo("camellia", 24, 16, "CAMELLIA-192-CBC"),
    "1.2.392.200011.61.1.1.1.4": CipherInfo("camellia", 32, 16, "CAMELLIA-256-CBC"),
    "1.2.410.200004.1.4": CipherInfo("seed", 16, 16, "SEED-CBC"),
    "1.3.6.1.4.1.188.7.1.1.2": CipherInfo("idea", 16, 8, "IDEA-CBC"),
    "1.2.840.113533.7.66.10": CipherInfo("cast5", 16, 8, "CAST5-CBC", variable_key=True),
    "1.3.6.1.4.1.3029.1.2": CipherInfo("blowfish", 16, 8, "BF-CBC", variable_key=True),
    "1.2.156.10197.1.104.2": CipherInfo("sm4", 16, 16, "SM4-CBC"),
}

#: Ciphers we recognise in a file but cannot run: OID -> name for the message.
REFUSED_CIPHERS: dict[str, str] = {
    "1.2.410.200046.1.1.2": "ARIA-128-CBC",
    "1.2.410.200046.1.1.7": "ARIA-192-CBC",
    "1.2.410.200046.1.1.12": "ARIA-256-CBC",
    "1.2.840.113549.3.9": "RC5-CBC",
    "1.2.643.2.2.21": "GOST 28147-89",
    "1.2.643.7.1.1.5.2.2": "Kuznyechik-CBC",
    "1.2.643.7.1.1.5.1.2": "Magma-CBC",
}

#: RFC 8018 B.2.3: rc2ParameterVersion <-> effective key bits (other values < 256 are
#: reserved; 256 and above are the bit count itself).
_RC2_VERSION_BITS = {160: 40, 120: 64, 58: 128}


def cipher_name(oid: str) -> str:
    info = PBES2_CIPHERS.get(oid)
    if info is not None:
        return info.name
    return REFUSED_CIPHERS.get(oid, oid)


def pbes2_cipher(oid: str, params: Node | None, key_len: int | None) -> tuple[CipherInfo, bytes]:
    """The cipher and IV of a PBES2 encryptionScheme. ``key_len`` is PBKDF2's
    keyLength, when given."""
    info = PBES2_CIPHERS.get(oid)
    if info is None:
        raise UnsupportedCipher(f"PBES2 cipher {cipher_name(oid)} is not supported")
    if params is None:
        raise DerError(f"{info.name} parameters missing")
    rc2_bits = info.rc2_bits
    if params.tag == OCTET_STRING:
        iv = params.octets("IV")
    elif params.tag == SEQUENCE:
        # RC2-CBC-Parameter ::= SEQUENCE { rc2ParameterVersion INTEGER OPTIONAL, iv }
        # CAST5CBCParameters ::= SEQUENCE { iv, keyLength INTEGER }
        # IDEA-CBCPar ::= SEQUENCE { iv OCTET STRING OPTIONAL }
        kids = params.seq(f"{info.name} parameters", 0, 2)
        iv = b""
        for k in kids:
            if k.tag == OCTET_STRING:
                iv = k.octets("IV")
            elif k.tag == INTEGER:
                n = k.integer(f"{info.name} parameter", 4)
                if info.family == "rc2":
                    rc2_bits = n if n >= 256 else _RC2_VERSION_BITS.get(n, 0)
                    if not rc2_bits or rc2_bits > 1024:
                        raise DerError(f"RC2 parameter version {n} not valid")
                    if rc2_bits < 40:
                        raise UnsupportedCipher(f"RC2 with {rc2_bits}-bit keys is not supported")
                elif info.family == "cast5":
                    if key_len is not None and n != key_len:
                        raise DerError("CAST5 key length does not match PBKDF2's")
                    key_len = n
            else:
                raise DerError(f"{info.name} parameters not valid")
        if not iv and info.family == "idea":
            iv = bytes(8)  # IDEA-CBCPar: an absent IV is all zeros
    else:
        raise DerError(f"{info.name} parameters not valid")
    if len(iv) != info.iv_len:
        raise DerError(f"{info.name} IV has the wrong length")
    if key_len is None and info.family == "rc2" and rc2_bits != info.rc2_bits:
        key_len = max(5, min(128, (rc2_bits + 7) // 8))  # as OpenSSL: key size = effective size
    if key_len is not None and key_len != info.key_len:
        if not info.variable_key:
            raise DerError("PBES2 key length does not match the cipher")
        lo, hi = {"rc2": (5, 128), "cast5": (5, 16), "blowfish": (4, 56)}[info.family]
        if not lo <= key_len <= hi:
            raise DerError(f"{info.name} key length {key_len} out of range")
        info = CipherInfo(info.family, key_len, info.iv_len, info.name, rc2_bits, True)
    if info.family == "rc2" and rc2_bits != info.rc2_bits:
        info = CipherInfo(info.family, info.key_len, info.iv_len, info.name, rc2_bits, True)
    return info, iv


def _context(info: CipherInfo, key: bytes, iv: bytes, encrypt: bool) -> Any:
    family = info.family
    if family in ("rc2", "des"):
        from Cryptodome.Cipher import ARC2, DES

        if family == "des":
            return DES.new(key, DES.MODE_CBC, iv=iv)
        # pycryptodomex refuses effective sizes under 40 bits; so does every producer we know.
        return ARC2.new(key, ARC2.MODE_CBC, iv=iv, effective_keylen=info.rc2_bits or 8 * len(key))  # type: ignore[call-arg]
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    algo: Any
    if family == "aes":
        algo = algorithms.AES(key)
    elif family == "sm4":
        algo = algorithms.SM4(key)
    else:
        from cryptography.hazmat.decrepit.ciphers import algorithms as old

        if family == "3des":
            # 2-key 3DES is 3-key 3DES with k3 = k1 (cryptography deprecates 16-byte keys)
            algo = old.TripleDES(key + key[:8] if len(key) == 16 else key)
        elif family == "rc4":
            algo = old.ARC4(key)
        else:
            table: dict[str, Any] = {
                "camellia": old.Camellia,
                "seed": old.SEED,
                "idea": old.IDEA,
                "cast5": old.CAST5,
                "blowfish": old.Blowfish,
            }
            algo = table[family](key)
    c = Cipher(algo, modes.CBC(iv) if info.iv_len else None)
    return c.encryptor() if encrypt else c.decryptor()


def crypt(info: CipherInfo, key: bytes, iv: bytes, data: bytes, encrypt: bool) -> bytes:
    """Run the cipher over ``data`` (already padded for encryption)."""
    if info.family == "rc4" and len(key) < 5:
        raise UnsupportedCipher("RC4 keys under 40 bits are not supported")
    try:
        ctx = _context(info, key, iv, encrypt)
        if hasattr(ctx, "finalize"):
            return bytes(ctx.update(data) + ctx.finalize())
        return bytes(ctx.encrypt(data) if encrypt else ctx.decrypt(data))
    except ValueError as e:  # a key or IV size the primitive refuses (a damaged file)
        raise DerError(f"{info.name or info.family}: {e}") from None


def pbes2_params(oid: str, info: CipherInfo, iv: bytes) -> bytes:
    """The DER parameters written after a PBES2 cipher OID (the IV; RC2 adds its version)."""
    from ... import der

    if info.family == "rc2":
        version = {v: k for k, v in _RC2_VERSION_BITS.items()}.get(info.rc2_bits, info.rc2_bits)
        return der.seq(der.integer(version), der.octet_string(iv))
    return der.octet_string(iv)
