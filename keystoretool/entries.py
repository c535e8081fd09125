"""Keystore entries: plain dataclasses shared by the model and every format.

Certificates are held as DER bytes (the canonical, cheap-to-carry form) and
parsed with ``cryptography`` only when a command looks at them. Keys may be held
*sealed* — in the protected form a format loaded them in — so that entries a
command does not touch are written back without a decrypt/re-encrypt round
trip. A format's ``dump`` reuses ``sealed`` when it can (same format, same
protecting password) and otherwise needs the clear key (``pkcs8`` / ``key``),
which the model obtains with :meth:`PrivateKeyEntry.unlock`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:  # pragma: no cover
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes


class SealedKey(Protocol):
    """A key as a format stores it on disk, decrypted on demand.

    ``format`` names the format that produced it ("JKS", "JCEKS", "PKCS12", ...).
    ``unseal`` returns the clear key bytes — PKCS#8 DER for a private key, the
    raw key for a secret key — or raises ``UnrecoverableKeyError``.
    """

    format: str

    def unseal(self, password: str | None) -> bytes: ...


def now() -> datetime:
    return datetime.now(UTC)


def java_lower(alias: str) -> str:
    """``String.toLowerCase(Locale.ENGLISH)`` as keytool applies it to aliases."""
    return alias.lower()


@dataclass(eq=False)
class _Base:
    alias: str
    created: datetime = field(default_factory=now)
    # Format-specific extras a format wants back when it rewrites the entry it
    # loaded (e.g. a PKCS12 localKeyId). Formats ignore keys they do not own.
    extras: dict[str, Any] = field(default_factory=dict)


@dataclass(eq=False)
class PrivateKeyEntry(_Base):
    """A private key with its certificate chain, leaf first."""

    chain_der: list[bytes] = field(default_factory=list)
    pkcs8: bytes | None = None
    sealed: SealedKey | None = None
    # The password that unlocks ``sealed`` when it is not the store password
    # (JKS/JCEKS keep per-key passwords). None means "same as the store's".
    key_password: str | None = None

    kind = "PrivateKeyEntry"

    @property
    def chain(self) -> list[x509.Certificate]:
        """The certificate chain parsed with ``cryptography``, leaf first: the
        leaf certifies this key, each next certificate signs the one before."""
        from cryptography import x509

        return [x509.load_der_x509_certificate(d) for d in self.chain_der]

    @property
    def is_unlocked(self) -> bool:
        """True once the clear key is known (loaded in clear, or ``unlock``ed)."""
        return self.pkcs8 is not None

    def unlock(self, password: str | None) -> bytes:
        """Decrypt the sealed key with ``password`` (keeps the result)."""
        if self.pkcs8 is None:
            if self.sealed is None:  # pragma: no cover - construction bug
                raise ValueError("entry has neither a clear nor a sealed key")
            self.pkcs8 = self.sealed.unseal(password)
        return self.pkcs8

    def private_key(self) -> PrivateKeyTypes:
        """The key as a ``cryptography`` object (after :meth:`unlock`)."""
        from cryptography.hazmat.primitives.serialization import load_der_private_key

        if self.pkcs8 is None:
            raise ValueError("key is sealed; call unlock(password) first")
        return load_der_private_key(self.pkcs8, password=None)

    def set_key(self, pkcs8: bytes, chain_der: list[bytes] | None = None) -> None:
        """Replace the key material; the old sealed form no longer applies."""
        self.pkcs8 = pkcs8
        self.sealed = None
        if chain_der is not None:
            self.chain_der = list(chain_der)


@dataclass(eq=False)
class TrustedCertEntry(_Base):
    """A trusted certificate (keytool's trustedCertEntry)."""

    cert_der: bytes = b""

    kind = "trustedCertEntry"

    @property
    def cert(self) -> x509.Certificate:
        """The trusted certificate parsed with ``cryptography``."""
        from cryptography import x509

        return x509.load_der_x509_certificate(self.cert_der)

    @property
    def chain_der(self) -> list[bytes]:
        """The certificate as a one-element chain (uniform with key entries)."""
        return [self.cert_der]


@dataclass(eq=False)
class SecretKeyEntry(_Base):
    """A symmetric key (JCEKS, PKCS12 secretBag, BKS)."""

    algorithm: str | None = None  # Java algorithm name, e.g. "AES"
    key: bytes | None = None
    sealed: SealedKey | None = None
    key_password: str | None = None

    kind = "SecretKeyEntry"

    @property
    def chain_der(self) -> list[bytes]:
        """Secret keys have no certificates."""
        return []

    @property
    def is_unlocked(self) -> bool:
        """True once the clear key bytes are known."""
        return self.key is not None

    def unlock(self, password: str | None) -> bytes:
        """Decrypt the sealed key with ``password`` (keeps the result)."""
        if self.key is None:
            if self.sealed is None:  # pragma: no cover
                raise ValueError("entry has neither a clear nor a sealed key")
            self.key = self.sealed.unseal(password)
            if self.algorithm is None:  # some formats learn it only by decrypting
                self.algorithm = getattr(self.sealed, "algorithm", None)
        return self.key


Entry = PrivateKeyEntry | TrustedCertEntry | SecretKeyEntry
