"""What every part of :mod:`keystoretool.certinfo` shares: the parse-error
boundary, DER access (through :mod:`keystoretool.x509der`), and Java's small
``toString()`` helpers (hex dump, list form, string order)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from ..der import DerError
from ..errors import KeystoreToolError
from ..x509der import children as _children
from ..x509der import integer as _int
from ..x509der import oid as _oid
from ..x509der import parse_one as _parse_one

__all__ = [
    "CertificateParseError",
    "_DerError",
    "_bits",
    "_children",
    "_decode",
    "_hexdump",
    "_int",
    "_java_list",
    "_java_reason",
    "_java_str_key",
    "_oid",
    "_parse_boundary",
    "_parse_one",
]

#: Malformed DER; mirrors Java's ``java.io.IOException`` while parsing.
_DerError = DerError

# The reader's failures in the words of Java's DerInputStream (keytool shows
# them for an unparseable non-critical extension).
_JAVA_READER_MESSAGES = {
    "short-header": "DerInputStream.getLength(): lengthTag=0, too short",
    "high-tag": "Unsupported high tag number",
    "bad-length": "Invalid length bytes",
    "short-read": "Short read of DER value",
    "trailing": "extra data at the end",
    "bad-oid": "ObjectIdentifier() -- Invalid DER encoding, not ended",
}


def _java_reason(exc: DerError) -> str:
    """The IOException message Java gives for ``exc``."""
    return _JAVA_READER_MESSAGES.get(exc.kind or "", str(exc))

_F = TypeVar("_F", bound=Callable[..., Any])


def _parse_boundary(func: _F) -> _F:
    """A public entry point that reads certificate bytes: whatever the DER
    reader trips over (a short read, a bad length, an RDN, AVA or OID that is
    not one) is :class:`CertificateParseError`, never an internal error."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except CertificateParseError:
            raise
        except (_DerError, IndexError, ValueError, OverflowError) as exc:
            raise CertificateParseError() from exc

    return wrapper  # type: ignore[return-value]


def _bits(content: bytes) -> list[bool]:
    """A BIT STRING as Java's ``BitArray`` (bit 0 = most significant bit)."""
    if not content:
        raise _DerError("Invalid encoding: zero length bit string")
    unused = content[0]
    data = content[1:]
    n = len(data) * 8 - unused
    return [bool(data[i // 8] & (0x80 >> (i % 8))) for i in range(max(n, 0))]


def _java_list(items: Iterable[object]) -> str:
    """``AbstractCollection.toString()``."""
    return "[" + ", ".join(str(i) for i in items) + "]"


def _hexdump(data: bytes) -> str:
    """``sun.security.util.HexDumpEncoder.encodeBuffer(byte[])``."""
    lines: list[str] = []
    for offset in range(0, len(data), 16):
        chunk = data[offset : offset + 16]
        hexpart = ""
        for i, b in enumerate(chunk):
            hexpart += f"{b:02X} "
            if i == 7:
                hexpart += "  "
        for i in range(len(chunk), 16):
            hexpart += "   "
            if i == 7:
                hexpart += "  "
        text = "".join(chr(b) if 0x20 <= b <= 0x7A else "." for b in chunk)
        lines.append(f"{offset & 0xFFFF:04X}: {hexpart} {text}\n")
    return "".join(lines)


def _decode(data: bytes, charset: str) -> str:
    text = data.decode(charset, errors="replace")
    # Java strings are UTF-16: characters outside the BMP count as two chars,
    # which matters for nothing below except escaping, so keep Python's form.
    return text


def _java_str_key(s: str) -> list[int]:
    """Sort key matching ``String.compareTo`` (UTF-16 code units)."""
    data = s.encode("utf-16-be")
    return [int.from_bytes(data[i : i + 2], "big") for i in range(0, len(data), 2)]


class CertificateParseError(KeystoreToolError):
    """The bytes are not a certificate keytool could read."""

    def __init__(self, message: str = "Failed to parse input") -> None:
        super().__init__(message)
