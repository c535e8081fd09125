"""A small, bounded DER/BER reader and DER writer for the PKCS#12 structures.

Why not pyasn1: importing ``pyasn1_modules.rfc7292`` alone costs ~65 ms and
pyasn1 decodes a 1,000-bag store in about a second, while keytool-style
commands must start fast and rename one alias in a large store cheaply. PKCS#12
only needs TLV walking, so this module reads tag-length-value triples
(definite and BER indefinite lengths, constructed OCTET STRINGs) with hard
limits on depth, element count and lengths, and writes definite-length DER.

Every parse failure raises :class:`DerError`; :mod:`.codec` turns it into the
user-facing ``FormatError``.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

# Universal tags (identifier octets) used by PKCS#12.
BOOLEAN = 0x01
INTEGER = 0x02
BIT_STRING = 0x03
OCTET_STRING = 0x04
NULL = 0x05
OID = 0x06
UTF8_STRING = 0x0C
PRINTABLE_STRING = 0x13
IA5_STRING = 0x16
BMP_STRING = 0x1E
SEQUENCE = 0x30
SET = 0x31
CONSTRUCTED = 0x20

#: Nesting deeper than this is refused (PKCS#12 needs about 12 levels).
MAX_DEPTH = 40
#: Most children one SEQUENCE/SET may have (bags per safe, attributes, ...).
MAX_CHILDREN = 200_000


class DerError(ValueError):
    """The bytes are not the ASN.1 structure expected."""


def ctx(n: int, constructed: bool = True) -> int:
    """The identifier octet of context-specific tag ``[n]``."""
    return 0x80 | (CONSTRUCTED if constructed else 0) | n


class Node:
    """One decoded TLV: ``tag`` is the identifier octet, ``content`` the value
    bytes (for a BER indefinite-length element: everything up to the
    end-of-contents marker) and ``raw`` the whole encoding."""

    __slots__ = ("buf", "tag", "start", "cstart", "cend", "end", "depth")

    def __init__(
        self, buf: bytes, tag: int, start: int, cstart: int, cend: int, end: int, depth: int
    ) -> None:
        self.buf = buf
        self.tag = tag
        self.start = start
        self.cstart = cstart
        self.cend = cend
        self.end = end
        self.depth = depth

    @property
    def constructed(self) -> bool:
        return bool(self.tag & CONSTRUCTED)

    @property
    def content(self) -> bytes:
        return self.buf[self.cstart : self.cend]

    @property
    def raw(self) -> bytes:
        return self.buf[self.start : self.end]

    def expect(self, tag: int, what: str) -> Node:
        if self.tag != tag:
            raise DerError(f"{what}: unexpected tag 0x{self.tag:02x}")
        return self

    def children(self, what: str = "structure") -> list[Node]:
        if not self.constructed:
            raise DerError(f"{what}: expected a constructed value")
        return _read_all(self.buf, self.cstart, self.cend, self.depth + 1)

    def seq(self, what: str, min_len: int = 0, max_len: int | None = None) -> list[Node]:
        """Children of a SEQUENCE, checking the count."""
        self.expect(SEQUENCE, what)
        kids = self.children(what)
        if len(kids) < min_len or (max_len is not None and len(kids) > max_len):
            raise DerError(f"{what}: wrong number of elements")
        return kids

    def explicit(self, n: int, what: str) -> Node:
        """The single element inside explicit tag ``[n]``."""
        self.expect(ctx(n), what)
        kids = self.children(what)
        if len(kids) != 1:
            raise DerError(f"{what}: expected one element")
        return kids[0]

    def octets(self, what: str = "OCTET STRING") -> bytes:
        """An OCTET STRING's value, joining BER constructed segments."""
        if self.tag == OCTET_STRING:
            return self.content
        if self.tag == OCTET_STRING | CONSTRUCTED:
            return b"".join(k.octets(what) for k in self.children(what))
        raise DerError(f"{what}: expected an OCTET STRING")

    def oid(self, what: str = "OBJECT IDENTIFIER") -> str:
        self.expect(OID, what)
        return decode_oid(self.content)

    def integer(self, what: str = "INTEGER", max_bytes: int = 8) -> int:
        self.expect(INTEGER, what)
        c = self.content
        if not c or len(c) > max_bytes:
            raise DerError(f"{what}: integer out of range")
        return int.from_bytes(c, "big", signed=True)


def _read_header(buf: bytes, pos: int, end: int) -> tuple[int, int, int | None]:
    """Tag, content start and content length (None = indefinite)."""
    if pos + 2 > end:
        raise DerError("truncated data")
    tag = buf[pos]
    if tag & 0x1F == 0x1F:
        raise DerError("unsupported high tag number")
    first = buf[pos + 1]
    pos += 2
    if first < 0x80:
        return tag, pos, first
    if first == 0x80:
        if not tag & CONSTRUCTED:
            raise DerError("indefinite length on a primitive value")
        return tag, pos, None
    n = first & 0x7F
    if n > 4 or pos + n > end:
        raise DerError("length field too big or truncated")
    length = int.from_bytes(buf[pos : pos + n], "big")
    return tag, pos + n, length


def _read_one(buf: bytes, pos: int, end: int, depth: int) -> Node:
    if depth > MAX_DEPTH:
        raise DerError("nesting too deep")
    tag, cstart, length = _read_header(buf, pos, end)
    if length is not None:
        cend = cstart + length
        if cend > end:
            raise DerError("truncated data")
        return Node(buf, tag, pos, cstart, cend, cend, depth)
    # Indefinite length: walk the children up to the end-of-contents octets.
    p = cstart
    count = 0
    while True:
        if p + 2 > end:
            raise DerError("truncated data (missing end-of-contents)")
        if buf[p] == 0 and buf[p + 1] == 0:
            return Node(buf, tag, pos, cstart, p, p + 2, depth)
        p = _read_one(buf, p, end, depth + 1).end
        count += 1
        if count > MAX_CHILDREN:
            raise DerError("too many elements")


def _read_all(buf: bytes, pos: int, end: int, depth: int) -> list[Node]:
    out: list[Node] = []
    while pos < end:
        node = _read_one(buf, pos, end, depth)
        out.append(node)
        pos = node.end
        if len(out) > MAX_CHILDREN:
            raise DerError("too many elements")
    return out


def parse(buf: bytes, what: str = "data", allow_trailing: bool = False) -> Node:
    """Decode one element filling ``buf`` (trailing bytes refused unless allowed)."""
    node = _read_one(buf, 0, len(buf), 0)
    if node.end != len(buf) and not allow_trailing:
        raise DerError(f"{what}: trailing data")
    return node


# ---- OIDs -----------------------------------------------------------------
@lru_cache(maxsize=512)
def decode_oid(c: bytes) -> str:
    if not c or len(c) > 64 or c[-1] & 0x80:
        raise DerError("bad OBJECT IDENTIFIER")
    arcs: list[int] = []
    x = 0
    for b in c:
        x = (x << 7) | (b & 0x7F)
        if not b & 0x80:
            arcs.append(x)
            x = 0
    first = arcs[0]
    head = [min(first // 40, 2), first - 40 * min(first // 40, 2)]
    return ".".join(str(a) for a in head + arcs[1:])


def encode_oid_content(dotted: str) -> bytes:
    arcs = [int(a) for a in dotted.split(".")]
    vals = [arcs[0] * 40 + arcs[1], *arcs[2:]]
    out = bytearray()
    for v in vals:
        chunk = [v & 0x7F]
        v >>= 7
        while v:
            chunk.append(0x80 | (v & 0x7F))
            v >>= 7
        out.extend(reversed(chunk))
    return bytes(out)


# ---- writer ---------------------------------------------------------------
def tlv(tag: int, content: bytes) -> bytes:
    n = len(content)
    if n < 0x80:
        return bytes((tag, n)) + content
    ln = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes((tag, 0x80 | len(ln))) + ln + content


def seq(*items: bytes) -> bytes:
    return tlv(SEQUENCE, b"".join(items))


def seq_of(items: Iterable[bytes]) -> bytes:
    return tlv(SEQUENCE, b"".join(items))


def set_of(items: Iterable[bytes]) -> bytes:
    """A DER SET OF: elements sorted by their encodings."""
    return tlv(SET, b"".join(sorted(items)))


def octet_string(b: bytes) -> bytes:
    return tlv(OCTET_STRING, b)


@lru_cache(maxsize=512)
def oid(dotted: str) -> bytes:
    return tlv(OID, encode_oid_content(dotted))


def integer(n: int) -> bytes:
    length = max(1, (n.bit_length() + 8) // 8)
    return tlv(INTEGER, n.to_bytes(length, "big", signed=True))


def null() -> bytes:
    return b"\x05\x00"


def explicit(n: int, inner: bytes) -> bytes:
    return tlv(ctx(n), inner)


def bmp_string(text: str) -> bytes:
    return tlv(BMP_STRING, text.encode("utf-16-be"))
