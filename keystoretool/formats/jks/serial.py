"""Java object serialisation of the objects a JCEKS store holds.

A JCEKS secret-key entry (tag 3) is ``ObjectOutputStream.writeObject`` of a
``com.sun.crypto.provider.SealedObjectForKeyProtector`` (a
``javax.crypto.SealedObject``), and what it seals is a serialised
``javax.crypto.spec.SecretKeySpec`` (older JDKs: a ``java.security.KeyRep``).
``JceKeyStore`` always writes the same stream layout, so both objects are
written here from byte templates and read back by matching those templates;
an unusual but valid stream (another writer, another JDK) falls back to
javaobj, imported only then (it costs ~17 ms of start-up).
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator
from typing import Any, NamedTuple

from ...errors import FormatError, KeystoreToolError, UnrecoverableKeyError
from .javaio import DataReader, write_blob, write_utf

_TC_NULL = 0x70
_TC_REFERENCE = 0x71
_TC_STRING = 0x74
#: The algorithm ``JceKeyStore`` seals secret keys with (its ``sealAlg`` and ``paramsAlg``).
PBE_MD5_3DES = "PBEWithMD5AndTripleDES"
#: The first handle ``ObjectOutputStream`` assigns (``baseWireHandle``).
_BASE_WIRE_HANDLE = 0x7E0000


def _jstr(text: str) -> bytes:
    """A ``TC_STRING`` object."""
    return bytes([_TC_STRING]) + write_utf(text)


#: The class descriptor of ``byte[]`` (``TC_CLASSDESC "[B"`` ... ``TC_NULL``).
_BYTE_ARRAY_DESC = (
    bytes.fromhex("7572") + write_utf("[B") + bytes.fromhex("acf317f8060854e0020000") + b"\x78\x70"
)

#: ObjectOutputStream of SealedObjectForKeyProtector, up to its encodedParams length.
_SEALED_PREFIX = (
    bytes.fromhex("aced00057372")
    + write_utf("com.sun.crypto.provider.SealedObjectForKeyProtector")
    + bytes.fromhex("cd57ca59e730bb53020000")
    + b"\x78\x72"
    + write_utf("javax.crypto.SealedObject")
    + bytes.fromhex("3e363da6c3b754700200045b")
    + write_utf("encodedParams")
    + _jstr("[B")
    + b"\x5b"
    + write_utf("encryptedContent")
    + bytes.fromhex("71007e00024c")
    + write_utf("paramsAlg")
    + _jstr("Ljava/lang/String;")
    + b"\x4c"
    + write_utf("sealAlg")
    + bytes.fromhex("71007e0003")
    + b"\x78\x70"
    + _BYTE_ARRAY_DESC
)
#: The second byte[] (encryptedContent) refers back to the first's descriptor.
_SEALED_SECOND_ARRAY = bytes.fromhex("7571007e0005")

_SECRET_KEY_SPEC_PREFIX = (
    bytes.fromhex("aced00057372")
    + write_utf("javax.crypto.spec.SecretKeySpec")
    + bytes.fromhex("5b470b66e230614d0200024c")
    + write_utf("algorithm")
    + _jstr("Ljava/lang/String;")
    + b"\x5b"
    + write_utf("key")
    + _jstr("[B")
    + b"\x78\x70"
)


class SealedObject(NamedTuple):
    """The fields of a serialised ``javax.crypto.SealedObject``; ``blob`` is
    the whole stream as stored, so an untouched entry is written back as is."""

    blob: bytes
    encrypted: bytes
    params: bytes | None
    seal_alg: str | None
    params_alg: str | None


def serialize_secret_key_spec(algorithm: str, key: bytes) -> bytes:
    """``new ObjectOutputStream(...).writeObject(new SecretKeySpec(key, algorithm))``."""
    return _SECRET_KEY_SPEC_PREFIX + _jstr(algorithm) + _BYTE_ARRAY_DESC + write_blob(key)


def serialize_sealed_object(encrypted: bytes, params: bytes) -> bytes:
    """A SealedObjectForKeyProtector as ``JceKeyStore`` writes it."""
    return (
        _SEALED_PREFIX
        + write_blob(params)
        + _SEALED_SECOND_ARRAY
        + write_blob(encrypted)
        + _jstr(PBE_MD5_3DES)
        + _jstr(PBE_MD5_3DES)
    )


def _read_jstring_or_ref(r: DataReader, strings: dict[int, str]) -> str | None:
    tc = r.u1()
    if tc == _TC_STRING:
        value = r.utf()
        # Handles 0..7 belong to the descriptors and arrays of the prefix.
        strings[_BASE_WIRE_HANDLE + 8 + len(strings)] = value
        return value
    if tc == _TC_REFERENCE:
        handle = r.u4()
        if handle not in strings:
            raise ValueError("unknown handle")
        return strings[handle]
    if tc == _TC_NULL:
        return None
    raise ValueError("unexpected type code")


def read_sealed_object(data: bytes, pos: int) -> tuple[SealedObject, int]:
    """Parse the SealedObject stream at ``pos``; returns it and the position after it."""
    if data.startswith(_SEALED_PREFIX, pos):
        r = DataReader(data, pos + len(_SEALED_PREFIX))
        try:
            params = r.blob()
            if r.take(len(_SEALED_SECOND_ARRAY)) != _SEALED_SECOND_ARRAY:
                raise ValueError("layout")
            encrypted = r.blob()
            strings: dict[int, str] = {}
            params_alg = _read_jstring_or_ref(r, strings)
            seal_alg = _read_jstring_or_ref(r, strings)
            return SealedObject(data[pos : r.pos], encrypted, params, seal_alg, params_alg), r.pos
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


def _read_sealed_object_javaobj(data: bytes, pos: int) -> tuple[SealedObject, int]:
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
    sealed = SealedObject(
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
        r = DataReader(plain, len(_SECRET_KEY_SPEC_PREFIX))
        try:
            if r.u1() == _TC_STRING:
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
