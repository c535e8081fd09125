"""Encoders as values: which algorithms a PKCS12 file is written with.

A :class:`Profile` says how keys, the certificate safe and the MAC are
protected. ``MODERN`` is exactly what keytool 17 writes for a new store;
``LEGACY`` is what Java 8 and OpenSSL 1.x (``openssl pkcs12 -legacy``) read.
A file that was loaded gets a profile describing its own algorithms, so a
rewrite keeps them (as keytool does).
"""

from __future__ import annotations

from dataclasses import dataclass

from .mac import NO_MAC, MacSpec
from .pbe import PbeSpec

NOT_ENCRYPTED = PbeSpec("NONE", 0, 0)


@dataclass(frozen=True)
class Profile:
    name: str
    key: PbeSpec  # pkcs8ShroudedKeyBag and secretBag encryption
    cert: PbeSpec  # the certificate safe (NOT_ENCRYPTED: a plain data safe)
    mac: MacSpec  # NO_MAC: no integrity MAC

    @property
    def passwordless(self) -> bool:
        """keytool's "password-less" store: no MAC and clear certificates."""
        return self.mac.algorithm == "NONE" and self.cert.scheme == "NONE"


MODERN = Profile(
    "modern",
    key=PbeSpec("PBES2-AES-256-CBC", 10000, 20, "sha256"),
    cert=PbeSpec("PBES2-AES-256-CBC", 10000, 20, "sha256"),
    mac=MacSpec("sha256", 10000, 20),
)

LEGACY = Profile(
    "legacy",
    key=PbeSpec("PBE-SHA1-3DES", 2048, 20),
    cert=PbeSpec("PBE-SHA1-RC2-40", 2048, 20),
    mac=MacSpec("sha1", 2048, 20),
)

PROFILES: dict[str, Profile] = {"modern": MODERN, "legacy": LEGACY}

__all__ = ["LEGACY", "MODERN", "NOT_ENCRYPTED", "NO_MAC", "PROFILES", "Profile"]
