"""The key protectors of JKS and JCEKS, and the sealed keys they produce.

* **Sun** (``sun.security.provider.KeyProtector``, JKS private keys): a
  SHA-1 keystream over the password's UTF-16 bytes and a 20-byte salt, plus a
  SHA-1 check of the clear key; OID 1.3.6.1.4.1.42.2.17.1.1.
* **JCE** (``com.sun.crypto.provider.KeyProtector``, JCEKS keys):
  PBEWithMD5AndTripleDES (``com.sun.crypto.provider.PBES1Core``, the JDK's own
  scheme, not PKCS#5), OID 1.3.6.1.4.1.42.2.19.1. A private key is wrapped in
  an EncryptedPrivateKeyInfo; a secret key is a serialised ``SecretKeySpec``
  encrypted inside a ``SealedObjectForKeyProtector`` (:mod:`.serial`).

Both wrap the key in an EncryptedPrivateKeyInfo, read and written with the
project's one DER reader (:mod:`keystoretool.der`). Keys are never decrypted at
load: entries carry a :class:`JksSealedPrivateKey` / :class:`JceksSealedSecretKey`
holding the protected bytes, and only a command that needs the key pays for
decryption, charged to the file's :class:`~keystoretool.formats.budget.WorkBudget`.
``cryptography``'s TripleDES is imported only when a JCEKS key is actually
decrypted or encrypted.
"""

from __future__ import annotations

import hashlib
import os

from ... import der
from ...entries import SecretKeyEntry
from ...errors import KeystoreToolError, UnrecoverableKeyError
from ..budget import UNBOUNDED, WorkBudget
from .javaio import password_bytes
from .serial import (
    PBE_MD5_3DES,
    SealedObject,
    parse_serialized_secret_key,
    serialize_sealed_object,
    serialize_secret_key_spec,
)

#: Sun KeyProtector (JKS private keys).
SUN_KEY_PROTECTOR_OID = "1.3.6.1.4.1.42.2.17.1.1"
#: PBEWithMD5AndTripleDES (JCEKS private keys).
PBE_MD5_3DES_OID = "1.3.6.1.4.1.42.2.19.1"
#: What JDK 17.0.15 uses for new JCEKS keys (salt is 8 bytes).
JCEKS_ITERATIONS = 200_000
#: com.sun.crypto.provider.KeyProtector.MAX_ITERATION_COUNT
MAX_ITERATIONS = 5_000_000


# --------------------------------------------------------------------------
# EncryptedPrivateKeyInfo and PBEParameter


def encode_epki(oid: str, params: bytes, encrypted: bytes) -> bytes:
    """EncryptedPrivateKeyInfo ::= SEQUENCE { AlgorithmIdentifier { oid,
    ``params`` (DER, may be empty) }, encryptedData OCTET STRING }."""
    return der.seq(der.seq(der.oid(oid), params), der.octet_string(encrypted))


def parse_epki(blob: bytes) -> tuple[str, bytes | None, bytes]:
    """EncryptedPrivateKeyInfo -> (algorithm OID, parameters DER or None, encryptedData).

    Parameters are optional: JDK 21+ writes the Sun KeyProtector OID without NULL.
    As the JDK's ``EncryptedPrivateKeyInfo`` and ``AlgorithmId`` parsers do, BER
    lengths are accepted and extra elements or trailing bytes are refused.
    """
    try:
        alg_node, data = der.parse(blob, "EncryptedPrivateKeyInfo").seq(
            "EncryptedPrivateKeyInfo", 2, 2
        )
        alg = alg_node.seq("AlgorithmIdentifier", 1, 2)
        params = alg[1].raw if len(alg) == 2 else None
        encrypted = data.expect(der.OCTET_STRING, "encryptedData").content
        return alg[0].oid("algorithm"), params, encrypted
    except (ValueError, IndexError) as exc:
        raise UnrecoverableKeyError("Cannot recover key: malformed protected key") from exc


def parse_pbe_params(params: bytes) -> tuple[bytes, int]:
    """PBEParameter ::= SEQUENCE { salt OCTET STRING, iterationCount INTEGER }
    (``com.sun.crypto.provider.PBEParameters``: nothing else, nothing after)."""
    try:
        salt, count = der.parse(params, "PBEParameter").seq("PBEParameter", 2, 2)
        return salt.expect(der.OCTET_STRING, "salt").content, count.integer("iterationCount")
    except (ValueError, IndexError) as exc:
        raise KeystoreToolError("Invalid PBE algorithm parameter") from exc


def pbe_params(salt: bytes, iterations: int) -> bytes:
    """The PBEParameter DER of ``salt`` and ``iterations``."""
    return der.seq(der.octet_string(salt), der.integer(iterations))


def _looks_like_pkcs8(data: bytes) -> bool:
    """One SEQUENCE filling ``data``: what a right password decrypts to."""
    try:
        return der.parse(data).tag == der.SEQUENCE
    except der.DerError:
        return False


# --------------------------------------------------------------------------
# sun.security.provider.KeyProtector (JKS)


def _sun_keystream_xor(password: bytes, iv: bytes, data: bytes) -> bytes:
    stream = bytearray()
    cur = iv
    while len(stream) < len(data):
        cur = hashlib.sha1(password + cur).digest()
        stream += cur
    n = len(data)
    x = int.from_bytes(data, "big") ^ int.from_bytes(bytes(stream[:n]), "big")
    return x.to_bytes(n, "big")


def sun_protect(pkcs8: bytes, password: str) -> bytes:
    """``KeyProtector.protect``: an EncryptedPrivateKeyInfo with the Sun OID
    and NULL parameters (as JDK 17 writes it)."""
    pw = password_bytes(password)
    iv = os.urandom(20)
    body = iv + _sun_keystream_xor(pw, iv, pkcs8) + hashlib.sha1(pw + pkcs8).digest()
    return encode_epki(SUN_KEY_PROTECTOR_OID, der.null(), body)


def sun_recover(encrypted: bytes, password: str) -> bytes:
    """``KeyProtector.recover``: the clear PKCS#8, or UnrecoverableKeyError."""
    if len(encrypted) < 40:
        raise UnrecoverableKeyError()
    pw = password_bytes(password)
    iv, body, check = encrypted[:20], encrypted[20:-20], encrypted[-20:]
    key = _sun_keystream_xor(pw, iv, body)
    if hashlib.sha1(pw + key).digest() != check:
        raise UnrecoverableKeyError()
    return key


# --------------------------------------------------------------------------
# com.sun.crypto.provider.KeyProtector (JCEKS): PBEWithMD5AndTripleDES


def derive_key_iv(
    password: str, salt: bytes, iterations: int, budget: WorkBudget = UNBOUNDED
) -> tuple[bytes, bytes]:
    """``PBES1Core.deriveCipherKey`` for PBEWithMD5AndTripleDES: (3DES key, IV)."""
    if len(salt) != 8:
        raise KeystoreToolError("Salt must be 8 bytes long")
    if iterations > MAX_ITERATIONS:
        raise KeystoreToolError("PBE iteration count too large")
    if any(not 0x20 <= ord(c) <= 0x7E for c in password):
        raise KeystoreToolError("Password is not ASCII")
    budget.charge("jce-md5", iterations)
    pw = password.encode("ascii")
    halves = [salt[:4], salt[4:]]
    if halves[0] == halves[1]:
        # The JDK's "inversion" has a typo ([a,b,c,d] -> [d,a,b,d]); match it.
        a, b, _c, d = halves[0]
        halves[0] = bytes([d, a, b, d])
    derived = b""
    md5 = hashlib.md5
    for half in halves:
        cur = half
        for _ in range(max(iterations, 1)):
            cur = md5(cur + pw).digest()
        derived += cur
    return derived[:24], derived[24:]


def _tdes(key: bytes, iv: bytes, data: bytes, encrypt: bool) -> bytes:
    from cryptography.hazmat.primitives.ciphers import Cipher, modes

    try:
        from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
    except ImportError:  # pragma: no cover - older cryptography
        from cryptography.hazmat.primitives.ciphers.algorithms import (  # type: ignore[attr-defined,no-redef]
            TripleDES,
        )
    cipher = Cipher(TripleDES(key), modes.CBC(iv))
    ctx = cipher.encryptor() if encrypt else cipher.decryptor()
    return ctx.update(data) + ctx.finalize()


def jce_pbe_encrypt(plain: bytes, password: str, salt: bytes, iterations: int) -> bytes:
    key, iv = derive_key_iv(password, salt, iterations)
    pad = 8 - len(plain) % 8
    return _tdes(key, iv, plain + bytes([pad]) * pad, encrypt=True)


def jce_pbe_decrypt(
    data: bytes, password: str, salt: bytes, iterations: int, budget: WorkBudget = UNBOUNDED
) -> bytes:
    if not data or len(data) % 8:
        raise UnrecoverableKeyError()
    key, iv = derive_key_iv(password, salt, iterations, budget)
    padded = _tdes(key, iv, data, encrypt=False)
    pad = padded[-1]
    if not 1 <= pad <= 8 or padded[-pad:] != bytes([pad]) * pad:
        raise UnrecoverableKeyError()
    return padded[:-pad]


def _jce_unseal(
    encrypted: bytes, password: str, params: bytes, budget: WorkBudget = UNBOUNDED
) -> bytes:
    """Decrypt a JCEKS key sealed with PBEWithMD5AndTripleDES (``params``: its
    PBEParameter DER); a non-ASCII password just cannot recover the key."""
    salt, iterations = parse_pbe_params(params)
    try:
        return jce_pbe_decrypt(encrypted, password, salt, iterations, budget)
    except KeystoreToolError as exc:
        if exc.message == "Password is not ASCII":
            raise UnrecoverableKeyError() from exc
        raise


def jce_protect(pkcs8: bytes, password: str, iterations: int = JCEKS_ITERATIONS) -> bytes:
    """``com.sun.crypto.provider.KeyProtector.protect`` (JCEKS private keys)."""
    salt = os.urandom(8)
    enc = jce_pbe_encrypt(pkcs8, password, salt, iterations)
    return encode_epki(PBE_MD5_3DES_OID, pbe_params(salt, iterations), enc)


def seal_secret_key(algorithm: str, key: bytes, password: str) -> bytes:
    """Protect a secret key the way ``JceKeyStore.engineSetKeyEntry`` does:
    ``KeyProtector.seal`` of a ``SecretKeySpec``, serialised."""
    salt = os.urandom(8)
    params = pbe_params(salt, JCEKS_ITERATIONS)
    encrypted = jce_pbe_encrypt(
        serialize_secret_key_spec(algorithm, key), password, salt, JCEKS_ITERATIONS
    )
    return serialize_sealed_object(encrypted, params)


# --------------------------------------------------------------------------
# sealed keys


class JksSealedPrivateKey:
    """A JKS/JCEKS private key as stored: the EncryptedPrivateKeyInfo bytes.

    ``format`` is the store type it came from; ``dump`` of the same type writes
    ``blob`` back unchanged.
    """

    def __init__(self, blob: bytes, store_format: str) -> None:
        self.blob = blob
        self.format = store_format
        self.budget: WorkBudget = UNBOUNDED  # set by the loader: the file's allowance

    def jce_iterations(self) -> int | None:
        """The PBE iteration count of a JCEKS-protected key (None for others)."""
        try:
            oid, params, _ = parse_epki(self.blob)
            if oid != PBE_MD5_3DES_OID or params is None:
                return None
            return parse_pbe_params(params)[1]
        except KeystoreToolError:
            return None

    def unseal(self, password: str | None) -> bytes:
        if password is None:
            raise UnrecoverableKeyError()
        oid, params, encrypted = parse_epki(self.blob)
        if oid == SUN_KEY_PROTECTOR_OID:
            return sun_recover(encrypted, password)
        if oid == PBE_MD5_3DES_OID and self.format == "JCEKS":
            if params is None:
                raise KeystoreToolError("Invalid PBE algorithm parameter")
            plain = _jce_unseal(encrypted, password, params, self.budget)
            if not _looks_like_pkcs8(plain):
                raise UnrecoverableKeyError()
            return plain
        raise UnrecoverableKeyError(f"Cannot recover key: unsupported protection algorithm {oid}")


class JceksSealedSecretKey:
    """A JCEKS secret key: the serialised SealedObject as stored in the file.

    After :meth:`unseal`, :attr:`algorithm` holds the key's Java algorithm name
    (and the owning entry's ``algorithm`` is filled in if it was unknown).
    """

    format = "JCEKS"

    def __init__(self, sealed: SealedObject) -> None:
        self.blob = sealed.blob
        self.encrypted = sealed.encrypted
        self.params = sealed.params
        self.seal_alg = sealed.seal_alg
        self.params_alg = sealed.params_alg
        self.algorithm: str | None = None
        self.entry: SecretKeyEntry | None = None
        self.budget: WorkBudget = UNBOUNDED  # set by the loader: the file's allowance

    def jce_iterations(self) -> int | None:
        if self.seal_alg != PBE_MD5_3DES or not self.params:
            return None
        try:
            return parse_pbe_params(self.params)[1]
        except KeystoreToolError:
            return None

    def unseal(self, password: str | None) -> bytes:
        if password is None:
            raise UnrecoverableKeyError()
        if self.seal_alg != PBE_MD5_3DES:
            raise UnrecoverableKeyError(
                f"Cannot recover key: unsupported sealing algorithm {self.seal_alg}"
            )
        if not self.params:
            raise UnrecoverableKeyError("Cannot get algorithm parameters")
        plain = _jce_unseal(self.encrypted, password, self.params, self.budget)
        algorithm, key = parse_serialized_secret_key(plain)
        self.algorithm = algorithm
        if self.entry is not None and self.entry.algorithm is None:
            self.entry.algorithm = algorithm
        return key
