"""JKS and JCEKS keystores (read and write), BKS and UBER (read only).

JKS and JCEKS are parsed and written here with ``struct`` and ``hashlib`` only:
they are simple formats, and ``import jks`` (pyjks, with pycryptodomex, javaobj
and pyasn1_modules) costs ~80 ms of start-up that a ``-list`` does not need.
pyjks is imported only for BKS/UBER; javaobj only for a JCEKS secret key whose
serialised form is not the one the JDK writes; ``cryptography``'s TripleDES only
when a JCEKS key is actually decrypted or encrypted.

Layout (``sun.security.provider.JavaKeyStore`` / ``com.sun.crypto.provider.JceKeyStore``)::

    magic u4 (FEEDFEED | CECECECE), version u4 (1 | 2), count u4, entries, digest[20]
    entry: tag u4, alias (Java modified UTF-8, u2 length), created-ms s8, then
      tag 1 (key):     u4 length + EncryptedPrivateKeyInfo, u4 chain count,
                       per cert [v2: UTF type] + u4 length + DER
      tag 2 (trusted): [v2: UTF type] + u4 length + DER
      tag 3 (secret, JCEKS only): a Java-serialised javax.crypto.SealedObject
    digest = SHA-1(password as UTF-16BE || "Mighty Aphrodite" || everything before it)

Keys are never decrypted at load: entries carry a :class:`SealedKey` holding the
on-disk protected bytes, so an untouched key is written back byte for byte
(keeping its own key password) and only a command that needs the key pays for
decryption.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import struct
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from ..entries import Entry, PrivateKeyEntry, SecretKeyEntry, TrustedCertEntry, java_lower
from ..errors import FormatError, IntegrityError, KeystoreToolError, UnrecoverableKeyError
from . import LoadedStore
from .budget import UNBOUNDED, WorkBudget

JKS_MAGIC = 0xFEEDFEED
JCEKS_MAGIC = 0xCECECECE
_WHITENER = b"Mighty Aphrodite"
_DIGEST_LEN = 20

#: Sun KeyProtector (JKS private keys), 1.3.6.1.4.1.42.2.17.1.1
SUN_KEY_PROTECTOR_OID = (1, 3, 6, 1, 4, 1, 42, 2, 17, 1, 1)
#: PBEWithMD5AndTripleDES (JCEKS private keys), 1.3.6.1.4.1.42.2.19.1
PBE_MD5_3DES_OID = (1, 3, 6, 1, 4, 1, 42, 2, 19, 1)
PBE_MD5_3DES = "PBEWithMD5AndTripleDES"
#: What JDK 17.0.15 uses for new JCEKS keys (salt is 8 bytes).
JCEKS_ITERATIONS = 200_000
#: com.sun.crypto.provider.KeyProtector.MAX_ITERATION_COUNT
_MAX_ITERATIONS = 5_000_000
#: BouncyCastle writes 1024..2047 iterations; pyjks' pure-Python PKCS#12 KDF
#: needs ~0.75 ms per 1000, so counts are bounded by :mod:`.budget` ("bks").
#: At most this many sealed BKS entries are opened at load to learn their kind.
_MAX_BKS_PROBES = 64

TRUNCATED = "Keystore file is truncated or corrupt"
TAMPERED = "Keystore was tampered with, or password was incorrect"
INVALID = "Invalid keystore format"

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


# --------------------------------------------------------------------------
# small helpers


def _pw_utf16(password: str) -> bytes:
    """Java ``char[]`` bytes of a password (UTF-16BE, surrogates passed through)."""
    return password.encode("utf-16-be", "surrogatepass")


def store_digest(password: str, body: bytes) -> bytes:
    """The JKS/JCEKS trailer: SHA-1(pw UTF-16BE || "Mighty Aphrodite" || body)."""
    h = hashlib.sha1(_pw_utf16(password))
    h.update(_WHITENER)
    h.update(body)
    return h.digest()


def ms_to_datetime(ms: int) -> datetime:
    try:
        return _EPOCH + timedelta(milliseconds=ms)
    except OverflowError:
        # A nonsense timestamp is not worth refusing the store for.
        return _EPOCH


def datetime_to_ms(when: datetime) -> int:
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return (when - _EPOCH) // timedelta(milliseconds=1)


def encode_java_utf(text: str) -> bytes:
    """Java's ``DataOutputStream.writeUTF`` body (modified UTF-8, no length)."""
    if "\0" not in text and all(ord(c) < 0x10000 for c in text):
        return text.encode("utf-8", "surrogatepass")
    out = bytearray()
    units = text.encode("utf-16-be", "surrogatepass")
    for i in range(0, len(units), 2):
        unit = int.from_bytes(units[i : i + 2], "big")
        if unit == 0:
            out += b"\xc0\x80"
        else:
            out += chr(unit).encode("utf-8", "surrogatepass")
    return bytes(out)


def decode_java_utf(raw: bytes) -> str:
    """Inverse of :func:`encode_java_utf`; surrogate pairs become one character."""
    try:
        text = raw.replace(b"\xc0\x80", b"\0").decode("utf-8", "surrogatepass")
        if any(0xD800 <= ord(c) <= 0xDFFF for c in text):
            text = text.encode("utf-16-be", "surrogatepass").decode("utf-16-be", "surrogatepass")
        return text
    except UnicodeError as exc:
        raise FormatError("Keystore contains a malformed UTF-8 string") from exc


def _write_utf(text: str) -> bytes:
    raw = encode_java_utf(text)
    if len(raw) > 0xFFFF:
        raise KeystoreToolError(f"encoded string too long: {len(raw)} bytes")
    return struct.pack(">H", len(raw)) + raw


class _Reader:
    """Bounds-checked big-endian reader: every short read is a clean FormatError."""

    __slots__ = ("data", "pos")

    def __init__(self, data: bytes, pos: int = 0) -> None:
        self.data = data
        self.pos = pos

    def remaining(self) -> int:
        return len(self.data) - self.pos

    def take(self, n: int) -> bytes:
        if n < 0 or n > len(self.data) - self.pos:
            raise FormatError(TRUNCATED)
        start = self.pos
        self.pos += n
        return self.data[start : self.pos]

    def u1(self) -> int:
        return self.take(1)[0]

    def u2(self) -> int:
        return int.from_bytes(self.take(2), "big")

    def u4(self) -> int:
        return int.from_bytes(self.take(4), "big")

    def s8(self) -> int:
        return int.from_bytes(self.take(8), "big", signed=True)

    def utf(self) -> str:
        return decode_java_utf(self.take(self.u2()))

    def blob(self) -> bytes:
        return self.take(self.u4())


# --------------------------------------------------------------------------
# minimal DER (EncryptedPrivateKeyInfo and PBEParameter only)


def _der_tlv(data: bytes, pos: int, end: int) -> tuple[int, int, int]:
    """(tag, value start, value end) of the TLV at ``pos``; bounded by ``end``."""
    if pos + 2 > end:
        raise ValueError("short DER")
    tag = data[pos]
    first = data[pos + 1]
    pos += 2
    if first < 0x80:
        length = first
    else:
        n = first & 0x7F
        if n == 0 or n > 4 or pos + n > end:
            raise ValueError("bad DER length")
        length = int.from_bytes(data[pos : pos + n], "big")
        pos += n
    if pos + length > end:
        raise ValueError("DER value overruns")
    return tag, pos, pos + length


def _der_oid(raw: bytes) -> tuple[int, ...]:
    if not raw:
        raise ValueError("empty OID")
    arcs: list[int] = []
    value = 0
    for byte in raw:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            arcs.append(value)
            value = 0
    first = min(arcs[0] // 40, 2)
    return (first, arcs[0] - 40 * first, *arcs[1:])


def _der_len(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(raw)]) + raw


def _der(tag: int, value: bytes) -> bytes:
    return bytes([tag]) + _der_len(len(value)) + value


def _der_oid_bytes(oid: tuple[int, ...]) -> bytes:
    body = bytearray([oid[0] * 40 + oid[1]])
    for arc in oid[2:]:
        chunk = [arc & 0x7F]
        arc >>= 7
        while arc:
            chunk.append(0x80 | (arc & 0x7F))
            arc >>= 7
        body += bytes(reversed(chunk))
    return _der(0x06, bytes(body))


def parse_epki(blob: bytes) -> tuple[tuple[int, ...], bytes | None, bytes]:
    """EncryptedPrivateKeyInfo -> (algorithm OID, parameters TLV or None, encryptedData).

    Parameters are optional: JDK 21+ writes the Sun KeyProtector OID without NULL.
    """
    try:
        tag, start, end = _der_tlv(blob, 0, len(blob))
        if tag != 0x30:
            raise ValueError("not a SEQUENCE")
        tag, a_start, a_end = _der_tlv(blob, start, end)
        if tag != 0x30:
            raise ValueError("no AlgorithmIdentifier")
        tag, o_start, o_end = _der_tlv(blob, a_start, a_end)
        if tag != 0x06:
            raise ValueError("no OID")
        oid = _der_oid(blob[o_start:o_end])
        params = blob[o_end:a_end] if o_end < a_end else None
        tag, d_start, d_end = _der_tlv(blob, a_end, end)
        if tag != 0x04:
            raise ValueError("no encryptedData")
        return oid, params, blob[d_start:d_end]
    except (ValueError, IndexError) as exc:
        raise UnrecoverableKeyError("Cannot recover key: malformed protected key") from exc


def parse_pbe_params(params: bytes) -> tuple[bytes, int]:
    """PBEParameter ::= SEQUENCE { salt OCTET STRING, iterationCount INTEGER }."""
    try:
        tag, start, end = _der_tlv(params, 0, len(params))
        if tag != 0x30:
            raise ValueError
        tag, s_start, s_end = _der_tlv(params, start, end)
        if tag != 0x04:
            raise ValueError
        tag, i_start, i_end = _der_tlv(params, s_end, end)
        if tag != 0x02 or i_end - i_start > 8 or i_end == i_start:
            raise ValueError
        return params[s_start:s_end], int.from_bytes(params[i_start:i_end], "big", signed=True)
    except (ValueError, IndexError) as exc:
        raise KeystoreToolError("Invalid PBE algorithm parameter") from exc


def pbe_params(salt: bytes, iterations: int) -> bytes:
    it = iterations.to_bytes((iterations.bit_length() + 8) // 8, "big")
    return _der(0x30, _der(0x04, salt) + _der(0x02, it))


def _looks_like_pkcs8(data: bytes) -> bool:
    try:
        tag, _start, end = _der_tlv(data, 0, len(data))
    except ValueError:
        return False
    return tag == 0x30 and end == len(data)


# --------------------------------------------------------------------------
# key protection algorithms


def _sun_keystream_xor(password_bytes: bytes, iv: bytes, data: bytes) -> bytes:
    stream = bytearray()
    cur = iv
    while len(stream) < len(data):
        cur = hashlib.sha1(password_bytes + cur).digest()
        stream += cur
    n = len(data)
    x = int.from_bytes(data, "big") ^ int.from_bytes(bytes(stream[:n]), "big")
    return x.to_bytes(n, "big")


def sun_protect(pkcs8: bytes, password: str) -> bytes:
    """``sun.security.provider.KeyProtector.protect``: an EncryptedPrivateKeyInfo
    with the Sun OID and NULL parameters (as JDK 17 writes it)."""
    pw = _pw_utf16(password)
    iv = os.urandom(20)
    body = iv + _sun_keystream_xor(pw, iv, pkcs8) + hashlib.sha1(pw + pkcs8).digest()
    alg = _der(0x30, _der_oid_bytes(SUN_KEY_PROTECTOR_OID) + b"\x05\x00")
    return _der(0x30, alg + _der(0x04, body))


def sun_recover(encrypted: bytes, password: str) -> bytes:
    """``KeyProtector.recover``: the clear PKCS#8, or UnrecoverableKeyError."""
    if len(encrypted) < 40:
        raise UnrecoverableKeyError()
    pw = _pw_utf16(password)
    iv, body, check = encrypted[:20], encrypted[20:-20], encrypted[-20:]
    key = _sun_keystream_xor(pw, iv, body)
    if hashlib.sha1(pw + key).digest() != check:
        raise UnrecoverableKeyError()
    return key


def _jce_key_iv(
    password: str, salt: bytes, iterations: int, budget: WorkBudget = UNBOUNDED
) -> tuple[bytes, bytes]:
    """com.sun.crypto.provider.PBES1Core.deriveCipherKey for PBEWithMD5AndTripleDES."""
    if len(salt) != 8:
        raise KeystoreToolError("Salt must be 8 bytes long")
    if iterations > _MAX_ITERATIONS:
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
    key, iv = _jce_key_iv(password, salt, iterations)
    pad = 8 - len(plain) % 8
    return _tdes(key, iv, plain + bytes([pad]) * pad, encrypt=True)


def jce_pbe_decrypt(
    data: bytes, password: str, salt: bytes, iterations: int, budget: WorkBudget = UNBOUNDED
) -> bytes:
    if not data or len(data) % 8:
        raise UnrecoverableKeyError()
    key, iv = _jce_key_iv(password, salt, iterations, budget)
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
    alg = _der(0x30, _der_oid_bytes(PBE_MD5_3DES_OID) + pbe_params(salt, iterations))
    return _der(0x30, alg + _der(0x04, enc))


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
        dotted = ".".join(map(str, oid))
        raise UnrecoverableKeyError(
            f"Cannot recover key: unsupported protection algorithm {dotted}"
        )


class JceksSealedSecretKey:
    """A JCEKS secret key: the serialised SealedObject as stored in the file.

    After :meth:`unseal`, :attr:`algorithm` holds the key's Java algorithm name
    (and the owning entry's ``algorithm`` is filled in if it was unknown).
    """

    format = "JCEKS"

    def __init__(
        self,
        blob: bytes,
        encrypted: bytes,
        params: bytes | None,
        seal_alg: str | None,
        params_alg: str | None,
    ) -> None:
        self.blob = blob
        self.encrypted = encrypted
        self.params = params
        self.seal_alg = seal_alg
        self.params_alg = params_alg
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


# --------------------------------------------------------------------------
# Java serialisation of the two objects JCEKS needs


def _jstr(text: str) -> bytes:
    return b"\x74" + _write_utf(text)


_BYTE_ARRAY_DESC = (
    bytes.fromhex("7572") + _write_utf("[B") + bytes.fromhex("acf317f8060854e0020000") + b"\x78\x70"
)

#: ObjectOutputStream of SealedObjectForKeyProtector, up to its encodedParams length.
_SEALED_PREFIX = (
    bytes.fromhex("aced00057372")
    + _write_utf("com.sun.crypto.provider.SealedObjectForKeyProtector")
    + bytes.fromhex("cd57ca59e730bb53020000")
    + b"\x78\x72"
    + _write_utf("javax.crypto.SealedObject")
    + bytes.fromhex("3e363da6c3b754700200045b")
    + _write_utf("encodedParams")
    + _jstr("[B")
    + b"\x5b"
    + _write_utf("encryptedContent")
    + bytes.fromhex("71007e00024c")
    + _write_utf("paramsAlg")
    + _jstr("Ljava/lang/String;")
    + b"\x4c"
    + _write_utf("sealAlg")
    + bytes.fromhex("71007e0003")
    + b"\x78\x70"
    + _BYTE_ARRAY_DESC
)
_SEALED_SECOND_ARRAY = bytes.fromhex("7571007e0005")

_SECRET_KEY_SPEC_PREFIX = (
    bytes.fromhex("aced00057372")
    + _write_utf("javax.crypto.spec.SecretKeySpec")
    + bytes.fromhex("5b470b66e230614d0200024c")
    + _write_utf("algorithm")
    + _jstr("Ljava/lang/String;")
    + b"\x5b"
    + _write_utf("key")
    + _jstr("[B")
    + b"\x78\x70"
)


def serialize_secret_key_spec(algorithm: str, key: bytes) -> bytes:
    """``new ObjectOutputStream(...).writeObject(new SecretKeySpec(key, algorithm))``."""
    return (
        _SECRET_KEY_SPEC_PREFIX
        + _jstr(algorithm)
        + _BYTE_ARRAY_DESC
        + struct.pack(">I", len(key))
        + key
    )


def serialize_sealed_object(encrypted: bytes, params: bytes) -> bytes:
    """A SealedObjectForKeyProtector as JceKeyStore writes it."""
    return (
        _SEALED_PREFIX
        + struct.pack(">I", len(params))
        + params
        + _SEALED_SECOND_ARRAY
        + struct.pack(">I", len(encrypted))
        + encrypted
        + _jstr(PBE_MD5_3DES)
        + _jstr(PBE_MD5_3DES)
    )


def seal_secret_key(algorithm: str, key: bytes, password: str) -> bytes:
    """Protect a secret key the way ``JceKeyStore.engineSetKeyEntry`` does."""
    salt = os.urandom(8)
    params = pbe_params(salt, JCEKS_ITERATIONS)
    encrypted = jce_pbe_encrypt(
        serialize_secret_key_spec(algorithm, key), password, salt, JCEKS_ITERATIONS
    )
    return serialize_sealed_object(encrypted, params)


def _read_jstring_or_ref(r: _Reader, strings: dict[int, str]) -> str | None:
    tc = r.u1()
    if tc == 0x74:
        value = r.utf()
        strings[0x7E0000 + 8 + len(strings)] = value
        return value
    if tc == 0x71:
        handle = r.u4()
        if handle not in strings:
            raise ValueError("unknown handle")
        return strings[handle]
    if tc == 0x70:
        return None
    raise ValueError("unexpected type code")


def _read_sealed_object(data: bytes, pos: int) -> tuple[JceksSealedSecretKey, int]:
    """Parse the SealedObject at ``pos``; returns it and the position after it."""
    if data.startswith(_SEALED_PREFIX, pos):
        r = _Reader(data, pos + len(_SEALED_PREFIX))
        try:
            params = r.blob()
            if r.take(len(_SEALED_SECOND_ARRAY)) != _SEALED_SECOND_ARRAY:
                raise ValueError("layout")
            encrypted = r.blob()
            strings: dict[int, str] = {}
            params_alg = _read_jstring_or_ref(r, strings)
            seal_alg = _read_jstring_or_ref(r, strings)
            sealed = JceksSealedSecretKey(
                data[pos : r.pos], encrypted, params, seal_alg, params_alg
            )
            return sealed, r.pos
        except ValueError:
            pass  # an unusual but maybe valid stream: let javaobj read it
    return _read_sealed_object_javaobj(data, pos)


@contextlib.contextmanager
def _quiet_javaobj() -> Iterator[None]:
    """javaobj logs a multi-line "Oops state dump" on every bad stream; a user
    must see our one-line error only."""
    import logging

    logger = logging.getLogger("javaobj")
    was = logger.disabled
    logger.disabled = True
    try:
        yield
    finally:
        logger.disabled = was


def _java_bytes(value: Any) -> bytes | None:
    if value is None:
        return None
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    return bytes(b & 0xFF for b in value)


def _is_subclass(obj: Any, name: str) -> bool:
    clazz = obj.get_class() if hasattr(obj, "get_class") else None
    while clazz is not None:
        if clazz.name == name:
            return True
        clazz = clazz.superclass
    return False


def _read_sealed_object_javaobj(data: bytes, pos: int) -> tuple[JceksSealedSecretKey, int]:
    import javaobj  # type: ignore[import-untyped]

    stream = io.BytesIO(data[pos:])
    try:
        with _quiet_javaobj():
            obj = javaobj.load(stream, ignore_remaining_data=True)
    except Exception as exc:  # javaobj raises anything on hostile bytes
        raise FormatError("Invalid secret key entry: not a serialized SealedObject") from exc
    if not _is_subclass(obj, "javax.crypto.SealedObject"):
        raise FormatError("Invalid secret key entry: not a serialized SealedObject")
    end = pos + stream.tell()
    try:
        encrypted = _java_bytes(getattr(obj, "encryptedContent", None)) or b""
        params = _java_bytes(getattr(obj, "encodedParams", None))
        seal_alg = getattr(obj, "sealAlg", None)
        params_alg = getattr(obj, "paramsAlg", None)
    except (TypeError, ValueError) as exc:
        raise FormatError("Invalid secret key entry: malformed SealedObject") from exc
    sealed = JceksSealedSecretKey(
        data[pos:end],
        encrypted,
        params,
        str(seal_alg) if seal_alg is not None else None,
        str(params_alg) if params_alg is not None else None,
    )
    return sealed, end


def parse_serialized_secret_key(plain: bytes) -> tuple[str, bytes]:
    """The (algorithm, raw key) of a serialised SecretKeySpec or KeyRep(SECRET, RAW)."""
    if plain.startswith(_SECRET_KEY_SPEC_PREFIX):
        r = _Reader(plain, len(_SECRET_KEY_SPEC_PREFIX))
        try:
            if r.u1() == 0x74:
                algorithm = r.utf()
                if r.take(len(_BYTE_ARRAY_DESC)) == _BYTE_ARRAY_DESC:
                    return algorithm, r.blob()
        except KeystoreToolError:
            pass
    if not plain.startswith(b"\xac\xed"):
        # A wrong password that happened to leave valid padding.
        raise UnrecoverableKeyError()
    import javaobj

    try:
        with _quiet_javaobj():
            obj = javaobj.loads(plain)
    except Exception as exc:
        raise UnrecoverableKeyError() from exc
    try:
        if _is_subclass(obj, "javax.crypto.spec.SecretKeySpec"):
            return str(obj.algorithm), _java_bytes(obj.key) or b""
        if _is_subclass(obj, "java.security.KeyRep"):
            kind = getattr(getattr(obj, "type", None), "constant", None)
            if kind == "SECRET" and str(obj.format) == "RAW":
                return str(obj.algorithm), _java_bytes(obj.encoded) or b""
    except (AttributeError, TypeError, ValueError) as exc:
        raise UnrecoverableKeyError("Cannot recover key: unexpected sealed content") from exc
    raise UnrecoverableKeyError("Cannot recover key: unexpected sealed content")


# --------------------------------------------------------------------------
# JKS / JCEKS reading

#: Smallest possible entry: tag 4 + alias length 2 + date 8 + 4 (+ more).
_MIN_ENTRY = 18


def _load_jks(data: bytes, password: str | None, store_type: str) -> LoadedStore:
    r = _Reader(data)
    magic = r.u4() if len(data) >= 4 else -1
    if magic == JKS_MAGIC:
        real = "JKS"
    elif magic == JCEKS_MAGIC:
        real = "JCEKS"
    else:
        raise FormatError(INVALID)
    if real == "JCEKS" and store_type == "JKS":
        raise FormatError(INVALID)
    version = r.u4()
    if version not in (1, 2):
        raise FormatError(INVALID)
    count = r.u4()
    if count > r.remaining() // _MIN_ENTRY:
        raise FormatError(TRUNCATED)
    entries: list[Entry] = []
    seen: set[str] = set()
    for _ in range(count):
        tag = r.u4()
        alias = r.utf()
        created = ms_to_datetime(r.s8())
        entry: Entry
        if tag == 1:
            blob = r.blob()
            n = r.u4()
            if n > r.remaining() // 4:
                raise FormatError(TRUNCATED)
            chain = [_read_cert(r, version) for _ in range(n)]
            entry = PrivateKeyEntry(
                alias, created, chain_der=chain, sealed=JksSealedPrivateKey(blob, real)
            )
        elif tag == 2:
            entry = TrustedCertEntry(alias, created, cert_der=_read_cert(r, version))
        elif tag == 3 and real == "JCEKS":
            sealed, r.pos = _read_sealed_object(data, r.pos)
            entry = SecretKeyEntry(alias, created, sealed=sealed)
            sealed.entry = entry
        else:
            raise FormatError(f"Unrecognized keystore entry: {tag}")
        key = java_lower(alias)  # JavaKeyStore.convertAlias
        if key in seen:
            raise FormatError(f"Keystore contains the alias <{alias}> twice")
        seen.add(key)
        entries.append(entry)
    if real == "JCEKS":
        _plan_jceks(entries)
    body_end = r.pos
    verified = False
    if password is not None:
        stored = data[body_end : body_end + _DIGEST_LEN]
        if len(stored) != _DIGEST_LEN:
            raise FormatError(TRUNCATED)
        if store_digest(password, data[:body_end]) != stored:
            raise IntegrityError(TAMPERED)
        verified = True
    return LoadedStore(real, entries, state={"version": version}, verified=verified)


def _plan_jceks(entries: list[Entry]) -> None:
    """Give every JCEKS-sealed key the file's key-derivation budget and refuse
    the file now when unsealing all its keys once would exceed it."""
    sealed = [
        k for k in (getattr(e, "sealed", None) for e in entries)
        if isinstance(k, (JksSealedPrivateKey, JceksSealedSecretKey))
    ]
    counts = [(k, k.jce_iterations()) for k in sealed]
    work = WorkBudget("JCEKS keystore", "JCEKS", sum(it is not None for _, it in counts))
    planned = 0
    for key, iterations in counts:
        key.budget = work
        if iterations is not None and 0 < iterations <= _MAX_ITERATIONS:
            planned += work.cost("jce-md5", iterations)
    work.require(planned, "the keys")


def _read_cert(r: _Reader, version: int) -> bytes:
    if version == 2:
        cert_type = r.utf()
        if cert_type != "X.509":
            raise FormatError(f"{cert_type} not found")
    return r.blob()


# --------------------------------------------------------------------------
# JKS / JCEKS writing


def _jhash(text: str) -> int:
    """``String.hashCode`` over UTF-16 code units, as an unsigned 31-bit value."""
    h = 0
    units = text.encode("utf-16-be", "surrogatepass")
    for i in range(0, len(units), 2):
        h = (31 * h + (units[i] << 8 | units[i + 1])) & 0xFFFFFFFF
    return h & 0x7FFFFFFF


def hashtable_order(keys: list[str]) -> list[str]:
    """Enumeration order of a ``java.util.Hashtable`` (capacity 11, load factor
    0.75) after ``put`` of ``keys`` in this order: new keys are linked at the
    head of their bucket, a rehash (to 2n+1) walks old buckets from the end,
    and enumeration walks buckets from the last one down."""
    cap = 11
    table: list[list[tuple[int, str]]] = [[] for _ in range(cap)]
    threshold = int(cap * 0.75)
    count = 0
    present: set[str] = set()
    for key in keys:
        if key in present:
            continue
        h = _jhash(key)
        if count >= threshold:
            old = table
            cap = cap * 2 + 1
            table = [[] for _ in range(cap)]
            threshold = int(cap * 0.75)
            for bucket in reversed(old):
                for hk in bucket:
                    table[hk[0] % cap].insert(0, hk)
        table[h % cap].insert(0, (h, key))
        present.add(key)
        count += 1
    return [k for bucket in reversed(table) for _h, k in bucket]


def _cert_bytes(der: bytes) -> bytes:
    return _write_utf("X.509") + struct.pack(">I", len(der)) + der


def _private_key_blob(entry: PrivateKeyEntry, store_type: str, password: str) -> bytes:
    sealed = entry.sealed
    if isinstance(sealed, JksSealedPrivateKey) and sealed.format == store_type:
        return sealed.blob
    key_password = entry.key_password or password
    pkcs8 = entry.pkcs8
    if pkcs8 is None:
        pkcs8 = entry.unlock(key_password)
    if store_type == "JKS":
        return sun_protect(pkcs8, key_password)
    return jce_protect(pkcs8, key_password)


def _secret_key_blob(entry: SecretKeyEntry, password: str) -> bytes:
    sealed = entry.sealed
    if isinstance(sealed, JceksSealedSecretKey):
        return sealed.blob
    key_password = entry.key_password or password
    key = entry.key if entry.key is not None else entry.unlock(key_password)
    algorithm = entry.algorithm or getattr(sealed, "algorithm", None)
    if not algorithm:
        raise KeystoreToolError(
            f"Cannot store secret key <{entry.alias}>: its algorithm is unknown"
        )
    return seal_secret_key(algorithm, key, key_password)


def _dump_jks(store_type: str, entries: list[Entry], password: str | None) -> bytes:
    if password is None:
        raise KeystoreToolError("A keystore password is required to write a keystore")
    by_alias: dict[str, Entry] = {}
    for entry in entries:
        alias = java_lower(entry.alias)
        if alias in by_alias:
            raise KeystoreToolError(f"Alias <{alias}> already exists")
        if store_type == "JKS" and isinstance(entry, SecretKeyEntry):
            raise KeystoreToolError("Cannot store non-PrivateKeys")
        by_alias[alias] = entry
    magic = JKS_MAGIC if store_type == "JKS" else JCEKS_MAGIC
    out = bytearray(struct.pack(">III", magic, 2, len(by_alias)))
    for alias in hashtable_order(list(by_alias)):
        entry = by_alias[alias]
        head = _write_utf(alias) + struct.pack(">q", datetime_to_ms(entry.created))
        if isinstance(entry, PrivateKeyEntry):
            blob = _private_key_blob(entry, store_type, password)
            out += struct.pack(">I", 1) + head + struct.pack(">I", len(blob)) + blob
            out += struct.pack(">I", len(entry.chain_der))
            for der in entry.chain_der:
                out += _cert_bytes(der)
        elif isinstance(entry, TrustedCertEntry):
            out += struct.pack(">I", 2) + head + _cert_bytes(entry.cert_der)
        elif isinstance(entry, SecretKeyEntry):
            out += struct.pack(">I", 3) + head + _secret_key_blob(entry, password)
        else:  # pragma: no cover - construction bug
            raise KeystoreToolError(f"Cannot store entry of type {type(entry).__name__}")
    out += store_digest(password, bytes(out))
    return bytes(out)


# --------------------------------------------------------------------------
# BKS / UBER (BouncyCastle), read only, through pyjks


class BksSealedKey:
    """A BouncyCastle sealed key entry (PBEWithSHAAnd3-KeyTripleDES-CBC)."""

    def __init__(self, blob: bytes, store_format: str, kind: str) -> None:
        self.blob = blob
        self.format = store_format
        self.kind = kind  # "private" or "secret": what the entry was listed as
        self.algorithm: str | None = None
        self.entry: SecretKeyEntry | None = None
        self.budget: WorkBudget = UNBOUNDED  # set by the loader: the file's allowance

    def iterations(self) -> int | None:
        """The sealing iteration count (salt blob, then u4), None if malformed."""
        if len(self.blob) < 4:
            return None
        n = int.from_bytes(self.blob[:4], "big")
        if len(self.blob) < 8 + n:
            return None
        return int.from_bytes(self.blob[4 + n : 8 + n], "big")

    #: Weighted output blocks of one unsealing (3DES key: 2, IV: 1).
    BLOCKS = 3

    def open(self, password: str | None) -> tuple[str, str | None, bytes]:
        """Decrypt: (kind "private" | "public" | "secret", algorithm, encoded key)."""
        if password is None:
            raise UnrecoverableKeyError()
        from jks import bks, rfc7292, util  # type: ignore[import-untyped]

        try:
            salt, pos = bks.BksKeyStore._read_data(self.blob, 0)
            iterations = struct.unpack_from(">I", self.blob, pos)[0]
            self.budget.charge("bks", iterations, self.BLOCKS)
            plain = rfc7292.decrypt_PBEWithSHAAnd3KeyTripleDESCBC(
                self.blob[pos + 4 :], password, salt, iterations
            )
        except (util.BadPaddingException, util.BadDataLengthException) as exc:
            raise UnrecoverableKeyError() from exc
        except (struct.error, ValueError) as exc:
            raise UnrecoverableKeyError("Cannot recover key: malformed sealed key") from exc
        try:
            r = _Reader(plain)
            key_type = r.u1()
            r.utf()  # format: PKCS#8 / X.509 / RAW, implied by the type
            algorithm = r.utf()
            encoded = r.blob()
        except FormatError as exc:
            raise UnrecoverableKeyError() from exc
        kinds = {0: "private", 1: "public", 2: "secret"}
        if key_type not in kinds:
            raise UnrecoverableKeyError()
        return kinds[key_type], algorithm, encoded

    def unseal(self, password: str | None) -> bytes:
        kind, algorithm, encoded = self.open(password)
        if kind != self.kind:
            raise KeystoreToolError(f"The key entry holds a {kind} key, not a {self.kind} key")
        self.algorithm = algorithm
        if self.entry is not None and self.entry.algorithm is None:
            self.entry.algorithm = algorithm
        return encoded


def _load_bks(data: bytes, password: str | None, store_type: str) -> LoadedStore:
    import jks  # type: ignore[import-untyped]
    from jks import bks

    warnings: list[str] = []
    header = _Reader(data)
    header.take(4)
    header.blob()  # salt
    # The store's own derivation (BKS: its HMAC key; UBER: Twofish key + IV)
    # runs inside pyjks: charge it first.
    work = WorkBudget(f"{store_type} keystore", "BKS", 1)
    work.charge("bks", header.u4(), 3 if store_type == "UBER" else 1)
    try:
        if store_type == "UBER":
            if password is None:
                raise KeystoreToolError("An UBER keystore cannot be read without its password")
            store = bks.UberKeyStore.loads(data, password, try_decrypt_keys=False)
        elif password is not None:
            store = bks.BksKeyStore.loads(data, password, try_decrypt_keys=False)
        else:
            # No integrity check: parse the entries after the salt and count.
            r = _Reader(data)
            version = r.u4()
            if version not in (1, 2):
                raise FormatError(INVALID)
            r.blob()
            r.u4()
            found, size = bks.BksKeyStore._load_bks_entries(
                data[r.pos :], "bks", None, try_decrypt_keys=False
            )
            if r.remaining() - size != _DIGEST_LEN:
                # Not followed by exactly its HMAC: not a BKS store (maybe UBER).
                raise FormatError(INVALID)
            store = bks.BksKeyStore("bks", found, version=version)
    except KeystoreToolError:
        raise
    except (jks.util.KeystoreSignatureException, jks.util.DecryptionFailureException) as exc:
        raise IntegrityError(TAMPERED) from exc
    except jks.util.DuplicateAliasException as exc:
        raise FormatError(f"Keystore contains a duplicate alias: {exc}") from exc
    except (struct.error, jks.util.KeystoreException) as exc:
        raise FormatError(TRUNCATED if isinstance(exc, struct.error) else INVALID) from exc
    except Exception as exc:  # pyjks/pyasn1 raise anything on hostile bytes
        raise FormatError(INVALID) from exc

    sealed_items = [
        it for it in store.entries.values() if isinstance(it, bks.BksSealedKeyEntry)
    ]
    work.add_items(len(sealed_items))
    planned = 0
    for it in sealed_items:
        iterations = BksSealedKey(it._encrypted, store_type, "").iterations()
        if iterations is not None:
            planned += work.cost("bks", iterations, BksSealedKey.BLOCKS)
    work.require(planned, "the sealed keys")

    entries: list[Entry] = []
    probes = 0
    for alias, item in store.entries.items():
        created = ms_to_datetime(int(item.timestamp))
        chain = [c.cert for c in item.cert_chain]
        if isinstance(item, bks.BksTrustedCertEntry):
            entries.append(TrustedCertEntry(alias, created, cert_der=item.cert))
        elif isinstance(item, bks.BksSealedKeyEntry):
            sealed = BksSealedKey(item._encrypted, store_type, "private" if chain else "secret")
            sealed.budget = work
            if password is not None and probes < _MAX_BKS_PROBES:
                # BKS does not say what a sealed entry holds; learn it with the
                # store password when that opens it (the usual case).
                probes += 1
                try:
                    sealed.kind = sealed.open(password)[0]
                except KeystoreToolError:
                    pass
            if sealed.kind == "public":
                warnings.append(f"Entry <{alias}> holds a public key; skipped")
                continue
            if sealed.kind == "private":
                entries.append(PrivateKeyEntry(alias, created, chain_der=chain, sealed=sealed))
            else:
                secret = SecretKeyEntry(alias, created, sealed=sealed)
                sealed.entry = secret
                entries.append(secret)
        elif isinstance(item, bks.BksKeyEntry):
            if item.type == bks.KEY_TYPE_PRIVATE:
                entries.append(PrivateKeyEntry(alias, created, chain_der=chain, pkcs8=item.encoded))
            elif item.type == bks.KEY_TYPE_SECRET:
                entries.append(
                    SecretKeyEntry(alias, created, algorithm=item.algorithm, key=item.encoded)
                )
            else:
                warnings.append(f"Entry <{alias}> holds a public key; skipped")
        elif isinstance(item, bks.BksSecretKeyEntry):
            entries.append(SecretKeyEntry(alias, created, key=item.key))
    return LoadedStore(
        store_type,
        entries,
        state={"version": getattr(store, "version", None)},
        verified=password is not None,
        warnings=warnings,
    )


# --------------------------------------------------------------------------
# format API


def load(data: bytes, password: str | None, store_type: str) -> LoadedStore:
    """Parse JKS, JCEKS, BKS or UBER bytes; keys stay sealed."""
    store_type = store_type.upper()
    if store_type in ("JKS", "JCEKS"):
        return _guarded(lambda: _load_jks(data, password, store_type))
    if store_type == "BKS":
        try:
            return _guarded(lambda: _load_bks(data, password, "BKS"))
        except (FormatError, IntegrityError) as exc:
            # BKS v1 and UBER both start with the int 1: detection cannot tell
            # them apart, so an unreadable "BKS" gets a second try as UBER.
            if data[:4] != b"\0\0\0\1":
                raise
            if password is None:
                raise FormatError(
                    f"{INVALID} (an UBER keystore cannot be read without its password)"
                ) from exc
            try:
                return _guarded(lambda: _load_bks(data, password, "UBER"))
            except IntegrityError as uber_exc:
                # Not BKS-shaped but decrypts badly as UBER: most likely an
                # UBER store opened with the wrong password.
                raise (uber_exc if isinstance(exc, FormatError) else exc) from None
            except KeystoreToolError:
                raise exc from None
    if store_type == "UBER":
        return _guarded(lambda: _load_bks(data, password, "UBER"))
    raise KeystoreToolError(f"{store_type} not found")


def dump(store_type: str, entries: list[Entry], password: str | None, state: object) -> bytes:
    """Serialise ``entries`` as a JKS or JCEKS keystore protected by ``password``."""
    store_type = store_type.upper()
    if store_type not in ("JKS", "JCEKS"):
        raise KeystoreToolError(f"Writing {store_type} keystores is not supported")
    return _dump_jks(store_type, entries, password)


def _guarded(parse: Callable[[], LoadedStore]) -> LoadedStore:
    try:
        return parse()
    except KeystoreToolError:
        raise
    except RecursionError as exc:
        raise FormatError(INVALID) from exc
    except (struct.error, IndexError, ValueError, OverflowError) as exc:
        raise FormatError(TRUNCATED) from exc
