"""Java's binary I/O as JKS, JCEKS and BKS use it, with ``struct`` only.

* :class:`DataReader` reads what ``java.io.DataOutputStream`` writes (big-endian
  ``int``/``long``, ``writeUTF`` strings, length-prefixed byte arrays), and every
  short read is a clean :class:`~keystoretool.errors.FormatError`.
* :func:`encode_java_utf` / :func:`decode_java_utf` are Java's *modified*
  UTF-8 (``DataOutputStream.writeUTF``: NUL as ``C0 80``, characters above
  U+FFFF as two encoded surrogates).
* :func:`hashtable_order` replays ``java.util.Hashtable``'s enumeration order,
  which is the entry order ``JavaKeyStore`` and ``JceKeyStore`` write.
* :func:`password_bytes`: a password as the bytes of a Java ``char[]``.
* :func:`ms_to_datetime` / :func:`datetime_to_ms`: ``java.util.Date`` as the
  milliseconds since the epoch that the stores hold.
"""

from __future__ import annotations

import struct
from datetime import UTC, datetime, timedelta

from ...errors import FormatError, KeystoreToolError

#: keytool's messages for an unreadable store (``JavaKeyStore.engineLoad``).
TRUNCATED = "Keystore file is truncated or corrupt"
TAMPERED = "Keystore was tampered with, or password was incorrect"
INVALID = "Invalid keystore format"

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def ms_to_datetime(ms: int) -> datetime:
    """A stored creation date (ms since the epoch) as an aware datetime."""
    try:
        return _EPOCH + timedelta(milliseconds=ms)
    except OverflowError:
        # A nonsense timestamp is not worth refusing the store for.
        return _EPOCH


def datetime_to_ms(when: datetime) -> int:
    """``Date.getTime()``: a naive datetime is taken as UTC."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return (when - _EPOCH) // timedelta(milliseconds=1)


def password_bytes(password: str) -> bytes:
    """Java ``char[]`` bytes of a password (UTF-16BE, surrogates passed through)."""
    return password.encode("utf-16-be", "surrogatepass")


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


def write_utf(text: str) -> bytes:
    """``DataOutputStream.writeUTF``: u2 length, then the modified UTF-8."""
    raw = encode_java_utf(text)
    if len(raw) > 0xFFFF:
        raise KeystoreToolError(f"encoded string too long: {len(raw)} bytes")
    return struct.pack(">H", len(raw)) + raw


def write_blob(data: bytes) -> bytes:
    """A byte array as the stores write it: u4 length, then the bytes."""
    return struct.pack(">I", len(data)) + data


class DataReader:
    """``java.io.DataInputStream`` over bytes, bounds-checked: every short read
    is a clean ``FormatError``. ``pos`` is public so a caller can hand the rest
    of the buffer to another parser and continue after it."""

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
        """``readUTF``."""
        return decode_java_utf(self.take(self.u2()))

    def blob(self) -> bytes:
        """A u4-length-prefixed byte array."""
        return self.take(self.u4())


def _string_hash(text: str) -> int:
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
        h = _string_hash(key)
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
