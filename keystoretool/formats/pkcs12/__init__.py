"""PKCS12 keystores: any number of keys, read and written as keytool 17 does.

Layout follows SSLMate/go-pkcs12: :mod:`keystoretool.der` (bounded BER/DER), :mod:`.bmpstring`,
:mod:`.pbe` (PBES2 / PBES1 / PKCS#12 PBE schemes), :mod:`.ciphers` (the
block and stream ciphers, by OID), :mod:`.kdf` (every key derivation, through
one ``derive``), :mod:`.mac` (HMAC and PBMAC1), :mod:`.bags` (SafeBags,
:class:`SealedKey`), :mod:`.profiles` (algorithm choices as values) and
:mod:`.codec` (PFX <-> entries).

API used by :mod:`keystoretool.formats`::

    load(data, password, store_type) -> LoadedStore
    dump(store_type, entries, password, state) -> bytes
    new_state("modern" | "legacy") -> state for a new store
    PROFILES, password_warning(password)

Key contract (read this before writing a command):

* ``load`` never decrypts key bags. Each key entry holds a :class:`SealedKey`
  (``format == "PKCS12"``) with the bag's encrypted bytes; ``unseal(pw)``
  returns PKCS#8 DER for a private key or the raw bytes of a secret key (and
  then sets ``sealed.algorithm``, e.g. "AES"). A key protected by another
  password than the store's raises ``UnrecoverableKeyError`` with keytool's
  "Get Key failed: Given final block not properly padded..." message.
* ``dump`` writes a sealed PKCS12 key back **verbatim** when the store
  password equals the one it was loaded with. Otherwise (``storepasswd``, a
  key sealed by JKS/JCEKS, a key whose bag came from another file) it needs
  the clear key in ``entry.pkcs8`` / ``entry.key``: the model or CLI must call
  ``entry.unlock(old_password)`` first. ``dump`` cannot do it (it does not know
  the old password) and raises a ``KeystoreToolError`` naming the alias.
* ``state`` from ``load`` describes the file's own algorithms (certificate
  safe algorithm and iterations, MAC algorithm and iterations, key bag
  algorithm), so a rewrite keeps them. keytool 17 keeps the first two but
  protects *new* keys with its default AES-256 even in a legacy file; we use
  the file's own key algorithm instead, so an ``openssl -legacy`` or Java 8
  store stays readable by the consumers it was made for. ``state=None``
  means the modern profile (what keytool 17 writes); ``new_state("legacy")``
  gives 3DES keys, RC2-40 certificates and a SHA-1 MAC at 2048 iterations.
* ``password=None`` is accepted by ``dump`` only when nothing needs it (a
  password-less state: no MAC, clear certificates, keys sealed verbatim).
* A loaded entry's ``extras`` may hold ``pkcs12.*`` keys (original
  friendlyName, localKeyId and the creation date it implied). The localKeyId
  is reused only while ``entry.created`` is unchanged; commands that reset the
  date (changealias, imports) therefore get a fresh ``Time <ms>`` id.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import StoreType
from .bags import SealedKey
from .profiles import LEGACY, MODERN, PROFILES, Profile

if TYPE_CHECKING:  # pragma: no cover
    from ...entries import Entry
    from .. import LoadedStore

__all__ = [
    "LEGACY",
    "MODERN",
    "PROFILES",
    "Profile",
    "SealedKey",
    "dump",
    "load",
    "new_state",
    "password_warning",
]


def load(data: bytes, password: str | None, store_type: str = StoreType.PKCS12) -> LoadedStore:
    """Parse a PKCS12 file. ``password=None`` reads it as keytool does without
    a password: no MAC check, encrypted safes (usually the certificates) skipped."""
    from .. import LoadedStore
    from . import codec

    read = codec.load(data, password)
    return LoadedStore(StoreType.PKCS12, read.entries, state=read.profile, verified=read.verified,
                       warnings=read.warnings, unattached=list(read.unattached))


def dump(store_type: str, entries: list[Entry], password: str | None, state: Any = None) -> bytes:
    """Serialise ``entries`` (in list order) as a PKCS12 file."""
    from . import codec

    if state is None:
        profile = MODERN
    elif isinstance(state, Profile):
        profile = state
    else:
        from ...errors import KeystoreToolError

        raise KeystoreToolError("Internal error: the PKCS12 writer was given a foreign state")
    return codec.dump(entries, password, profile)


def new_state(profile: str) -> Profile:
    """The state for a new store written with ``profile`` ("modern"/"legacy")."""
    try:
        return PROFILES[profile.lower()]
    except KeyError:
        from ...errors import UsageError

        raise UsageError(
            f"Unknown PKCS12 profile: {profile} (choose one of: {', '.join(PROFILES)})"
        ) from None


def password_warning(password: str | None) -> str | None:
    """A warning when ``password`` would make the PKCS12 unusable from Java."""
    if password is not None and any(ord(c) > 0x7F for c in password):
        return (
            "The password contains non-ASCII characters: Java's keytool and KeyStore "
            'API refuse such PKCS12 passwords ("Password is not ASCII"), so only '
            "OpenSSL and keystoretool will open this keystore."
        )
    return None
