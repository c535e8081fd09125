"""Encoders as values: which algorithms a PKCS12 file is written with.

A :class:`Profile` says how keys, the certificate safe and the MAC are
protected. ``MODERN`` is exactly what keytool 17 writes for a new store;
``LEGACY`` is what Java 8 and OpenSSL 1.x (``openssl pkcs12 -legacy``) read.
A file that was loaded gets a profile describing its own algorithms, so a
rewrite keeps them (as keytool does).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from .mac import NO_MAC, MacSpec
from .pbe import MIN_SOUND_ITERATIONS, PbeSpec, unsound

NOT_ENCRYPTED = PbeSpec("NONE", 0, 0)


@dataclass(frozen=True)
class Profile:
    name: str
    key: PbeSpec  # pkcs8ShroudedKeyBag and secretBag encryption
    cert: PbeSpec  # the certificate safe (NOT_ENCRYPTED: a plain data safe)
    mac: MacSpec  # NO_MAC: no integrity MAC
    #: SafeBags of a loaded file we do not interpret (certificates that belong to
    #: no key, CRLs, unknown bag types), written back as they were.
    kept_bags: tuple[bytes, ...] = ()
    #: Set by :func:`sound_profile` when a loaded file's algorithms are too weak to reuse.
    note: str | None = None

    @property
    def rewrite_note(self) -> str | None:
        """One line for the user when a rewrite does not reuse this file's
        algorithms (they are weak); None when it does."""
        return sound_profile(self).note

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


def _unsound_mac(spec: MacSpec) -> str | None:
    if spec.algorithm == "NONE":
        return None
    md5 = "md5" in (spec.prf, spec.hmac_hash) if spec.algorithm == "PBMAC1" else False
    if spec.algorithm == "md5" or md5:
        return "an MD5 MAC is weak"
    if spec.iterations < MIN_SOUND_ITERATIONS:
        return f"{spec.iterations} MAC iterations are too few"
    return None


def sound_profile(loaded: Profile) -> Profile:
    """The profile a rewrite of a loaded file uses: its own algorithms where
    they are still sound, the modern ones where not (DES, RC2-40/64, RC4,
    PBES1, MD5, fewer than 2048 iterations, or what we only read, e.g. scrypt),
    with a one-line note saying so. The named profiles (``--p12-profile``) are
    used as they are."""
    if loaded.name != "loaded":
        return loaded
    key, cert, mac = loaded.key, loaded.cert, loaded.mac
    reasons: list[str] = []
    for part, why in (("key", unsound(key)), ("cert", unsound(cert)), ("mac", _unsound_mac(mac))):
        if why is None:
            continue
        reasons.append(why)
        if part == "key":
            key = MODERN.key
        elif part == "cert":
            cert = MODERN.cert
        else:
            mac = MODERN.mac
    if not reasons:
        return loaded
    note = (
        f"Note: this PKCS12's own protection is not reused ({'; '.join(dict.fromkeys(reasons))}): "
        "what is encrypted anew uses the modern profile (AES-256-CBC, PBKDF2-SHA256, SHA-256 MAC)."
    )
    return replace(loaded, name="loaded-sound", key=key, cert=cert, mac=mac, note=note)


__all__ = [
    "LEGACY", "MODERN", "NOT_ENCRYPTED", "NO_MAC", "PROFILES", "Profile", "sound_profile",
]
