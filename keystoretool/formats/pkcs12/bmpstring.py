"""BMPString handling: friendly names and PKCS#12 KDF passwords.

PKCS#12 (RFC 7292 Appendix B.1) feeds passwords to its KDF as big-endian
UTF-16 followed by two zero bytes. Java encodes ``char[]`` (so characters
outside the BMP become surrogate pairs) and uses *no* bytes at all for the
empty password; OpenSSL uses the two zero bytes even then. Readers therefore
try both for the empty password.
"""

from __future__ import annotations


def encode_password(password: str) -> bytes:
    """The password bytes the PKCS#12 KDF uses, as Java computes them."""
    if not password:
        return b""
    return password.encode("utf-16-be", "surrogatepass") + b"\x00\x00"


def password_candidates(password: str) -> list[bytes]:
    """Encodings to try when reading (Java's first, then OpenSSL's for "")."""
    if not password:
        return [b"", b"\x00\x00"]
    return [encode_password(password)]


def decode(raw: bytes) -> str:
    """A BMPString value (UTF-16BE; lone surrogates kept as Java keeps them)."""
    if len(raw) % 2:
        raise ValueError("odd-length BMPString")
    return raw.decode("utf-16-be", "surrogatepass")


def encode(text: str) -> bytes:
    return text.encode("utf-16-be", "surrogatepass")
