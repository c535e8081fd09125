"""The TLS handshake messages the probe reads (RFC 5246 and RFC 8446):
Certificate and CertificateRequest bodies, and the X.501 names of the CAs a
server accepts. Bounded reads only: every length is checked against what is
left, and malformed input raises ``ValueError``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import der

if TYPE_CHECKING:
    from cryptography import x509

_EXT_CERTIFICATE_AUTHORITIES = 47


# ---------------------------------------------------------------------------
# Handshake message parsing
# ---------------------------------------------------------------------------
class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def take(self, n: int) -> bytes:
        if self.pos + n > len(self.data):
            raise ValueError("truncated handshake message")
        out = self.data[self.pos : self.pos + n]
        self.pos += n
        return out

    def uint(self, n: int) -> int:
        return int.from_bytes(self.take(n), "big")

    def vec(self, n: int) -> bytes:
        return self.take(self.uint(n))

    @property
    def left(self) -> int:
        return len(self.data) - self.pos


def parse_certificate_message(body: bytes, tls13: bool) -> list[bytes]:
    """DER certificates of a Certificate handshake message (header removed)."""
    r = _Reader(body)
    if tls13:
        r.vec(1)  # certificate_request_context
    certs = _Reader(r.vec(3))
    out: list[bytes] = []
    while certs.left:
        out.append(certs.vec(3))
        if tls13:
            certs.vec(2)  # per-certificate extensions
    return out


def parse_certificate_request(body: bytes, tls13: bool) -> list[bytes]:
    """DER distinguished names of a CertificateRequest (header removed)."""
    r = _Reader(body)
    if tls13:
        r.vec(1)  # certificate_request_context
        exts = _Reader(r.vec(2))
        while exts.left:
            ext_type = exts.uint(2)
            data = exts.vec(2)
            if ext_type == _EXT_CERTIFICATE_AUTHORITIES:
                return _dn_list(_Reader(data).vec(2))
        return []
    r.vec(1)  # certificate_types
    if r.left >= 2:
        # TLS 1.2 has supported_signature_algorithms; TLS 1.0/1.1 do not.
        sig = r.vec(2)
        if r.left < 2:  # it was the CA list of an older version
            return _dn_list(sig)
    return _dn_list(r.vec(2)) if r.left >= 2 else []


def _dn_list(data: bytes) -> list[bytes]:
    r = _Reader(data)
    out = []
    while r.left:
        out.append(r.vec(2))
    return out


def parse_name(der_name: bytes) -> x509.Name:
    """An X.501 Name from DER (cryptography has no public parser for a bare Name).

    Read with :mod:`keystoretool.der`; each value keeps its string type (text
    decoded with :data:`~keystoretool.der.STRING_CHARSETS`), a value of another
    type is kept readable as ``#hex``. Malformed DER raises ``ValueError``.
    """
    from cryptography import x509

    from .certs.dname import typed_attribute

    name = der.parse(der_name, "Name", ber=False)
    rdns = []
    for rdn_set in name.seq("Name"):
        attrs = []
        for atv in rdn_set.expect(der.SET, "RDN").children("RDN"):
            parts = atv.children("attribute")
            if len(parts) < 2:
                raise der.DerError("attribute: type and value expected")
            oid_node, value = parts[:2]
            oid = der.decode_oid(oid_node.expect(der.OID, "attribute type").content, None)
            codec = der.STRING_CHARSETS.get(value.tag)
            attr = None
            try:
                if codec:
                    attr = typed_attribute(oid, value.content.decode(codec), value.tag,
                                           validate=False)
            except ValueError:  # a string type cryptography does not name
                attr = None
            except TypeError as exc:
                raise ValueError(str(exc)) from exc
            if attr is None:  # not a string type: keep it readable, as hex
                attr = typed_attribute(oid, "#" + value.content.hex(), "UTF8String",
                                       validate=False)
            attrs.append(attr)
        rdns.append(x509.RelativeDistinguishedName(attrs))
    return x509.Name(rdns)
