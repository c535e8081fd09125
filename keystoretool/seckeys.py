"""Secret keys as keytool 17 makes them: ``-genseckey`` (Java's KeyGenerator
for AES, DES, DESede and HmacSHA*) and ``-importpass`` (a password kept as a
PBE secret key).

Only the randomness comes from the OS (``os.urandom``, what Java's SecureRandom
reads too); the rules are Java's: key sizes each KeyGenerator accepts, DES
parity bits, the two-key DESede of ``-keysize 112``, the canonical algorithm
names keytool prints ("Generated 128-bit AES secret key").
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from .errors import KeystoreToolError

#: The algorithm name Java's PBE SecretKeyFactory gives the key of ``-importpass``;
#: PKCS12 stores it under OID 1.2.840.113549.1.5.3, JCEKS by this name.
PBE_ALGORITHM = "PBEWithMD5AndDES"

#: Java's canonical KeyGenerator names (matched case-insensitively, as JCA does).
_HMACS = ("HmacSHA1", "HmacSHA224", "HmacSHA256", "HmacSHA384", "HmacSHA512",
          "HmacSHA512/224", "HmacSHA512/256", "HmacSHA3-224", "HmacSHA3-256",
          "HmacSHA3-384", "HmacSHA3-512")
_NAMES = {n.upper(): n for n in ("AES", "DES", "DESede", *_HMACS)}
_NAMES["TRIPLEDES"] = "DESede"


@dataclass(frozen=True)
class SecretKey:
    algorithm: str  # Java's name, e.g. "AES"
    key: bytes
    bits: int  # the key size keytool reports


def _odd_parity(key: bytes) -> bytes:
    """DES keys carry odd parity in the low bit of each byte (DESKeyGenerator)."""
    out = bytearray()
    for b in key:
        high = b & 0xFE
        out.append(high | (0 if bin(high).count("1") % 2 else 1))
    return bytes(out)


def _des_key() -> bytes:
    while True:
        key = _odd_parity(os.urandom(8))
        if key.hex() not in ("0101010101010101", "fefefefefefefefe",
                             "1f1f1f1f0e0e0e0e", "e0e0e0e0f1f1f1f1"):
            return key


def generate(algorithm: str, keysize: int | None) -> SecretKey:
    """``KeyGenerator.getInstance(algorithm).init(keysize).generateKey()``
    with keytool's defaults (DES 56, DESede 168; the others need ``-keysize``)."""
    name = _NAMES.get(algorithm.upper())
    if name is None:
        raise KeystoreToolError(f"{algorithm} KeyGenerator not available")
    if keysize is None:
        if name == "DES":
            keysize = 56
        elif name == "DESede":
            keysize = 168
        else:
            raise KeystoreToolError("Please provide -keysize for secret key generation")
    if name == "AES":
        if keysize not in (128, 192, 256):
            raise KeystoreToolError("Wrong keysize: must be equal to 128, 192 or 256")
        return SecretKey(name, os.urandom(keysize // 8), keysize)
    if name == "DES":
        if keysize != 56:
            raise KeystoreToolError("Wrong keysize: must be equal to 56")
        return SecretKey(name, _des_key(), keysize)
    if name == "DESede":
        if keysize not in (112, 168):
            raise KeystoreToolError("Wrong keysize: must be equal to 112 or 168")
        k1, k2 = _des_key(), _des_key()
        while k2 == k1:
            k2 = _des_key()
        k3 = k1 if keysize == 112 else _des_key()
        return SecretKey(name, k1 + k2 + k3, keysize)
    if keysize <= 0:  # HmacSHA*: any positive size, rounded up to whole bytes
        raise KeystoreToolError("Keysize must be positive")
    return SecretKey(name, os.urandom((keysize + 7) // 8), keysize)


def pbe_key(password: str) -> SecretKey:
    """``SecretKeyFactory.getInstance("PBE").generateSecret(new PBEKeySpec(pw))``:
    the password's bytes, which must be printable ASCII (PBEKey's rule)."""
    if any(not (0x20 <= ord(c) <= 0x7E) for c in password):
        raise KeystoreToolError("Password is not ASCII")
    data = password.encode("ascii")
    return SecretKey(PBE_ALGORITHM, data, len(data) * 8)
