"""On-disk keystore formats: detect the type, load bytes, dump bytes.

Every format module exposes::

    load(data: bytes, password: str | None, store_type: str) -> LoadedStore
    dump(store_type: str, entries: list[Entry], password: str | None, state: object) -> bytes

``password=None`` means "no password given": the store is read without an
integrity check where the format allows it (keytool's behaviour for ``-list``).
``state`` is whatever the format's ``load`` put in ``LoadedStore.state`` for
this file (e.g. the PKCS12 algorithms to reuse), or None for a new store.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from ..errors import FormatError, KeystoreToolError

if TYPE_CHECKING:  # pragma: no cover
    from ..entries import Entry

JKS_MAGIC = b"\xfe\xed\xfe\xed"
JCEKS_MAGIC = b"\xce\xce\xce\xce"



class StoreType(StrEnum):
    """A keystore format, by keytool's (upper-case) ``-storetype`` name.

    A ``StrEnum``: a member equals its name as a string, so a type read from
    a command line compares with it directly."""

    JKS = "JKS"
    JCEKS = "JCEKS"
    PKCS12 = "PKCS12"
    BKS = "BKS"  # Bouncy Castle's formats: read (through pyjks), never written
    UBER = "UBER"


#: Types we can read.
READABLE: tuple[StoreType, ...] = tuple(StoreType)
#: Types we can write.
WRITABLE: tuple[StoreType, ...] = (StoreType.JKS, StoreType.JCEKS, StoreType.PKCS12)
#: keytool's "proprietary format" stores (its migrate-to-PKCS12 warning).
PROPRIETARY: tuple[StoreType, ...] = (StoreType.JKS, StoreType.JCEKS)
#: The type of a store created without ``-storetype`` (keytool 9+).
DEFAULT_STORE_TYPE = StoreType.PKCS12


@dataclass
class LoadedStore:
    store_type: str  # the file's real format
    entries: list[Entry]
    state: Any = None
    verified: bool = True  # False when read without a password (no integrity check)
    warnings: list[str] = field(default_factory=list)  # what was read but not understood
    #: Certificates that belong to no key and carry no trust attribute: keytool
    #: ignores them; ``Keystore.keep_unattached()`` makes them trusted entries.
    unattached: list[Entry] = field(default_factory=list)


def detect(data: bytes) -> StoreType | None:
    """The store type by content, as keytool probes it; None when unknown."""
    if data[:4] == JKS_MAGIC:
        return StoreType.JKS
    if data[:4] == JCEKS_MAGIC:
        return StoreType.JCEKS
    if data[:1] == b"\x30" and len(data) > 4:
        return StoreType.PKCS12
    if len(data) >= 4 and int.from_bytes(data[:4], "big") in (1, 2):
        # BKS (version 1 or 2) starts with a big-endian int version, then a salt.
        return StoreType.BKS
    return None


def resolve_type(data: bytes, requested: str | None) -> StoreType:
    """The format to parse ``data`` with, honouring keytool's -storetype rules.

    JKS and PKCS12 are "dual format" (each reads the other's files); JCEKS
    reads JKS files. The returned type is always the file's real format.
    """
    probed = detect(data)
    if requested is None:
        if probed is None or probed == StoreType.BKS:
            # BKS cannot be told from random bytes reliably; keytool cannot
            # read BKS at all, so it says this for any unknown content.
            if probed == StoreType.BKS:
                return StoreType.BKS
            raise FormatError(
                "Unrecognized keystore format. Please load it with a specified type"
            )
        return probed
    req = requested.upper()
    if req not in READABLE:
        raise KeystoreToolError(f"{req} not found")
    kind = StoreType(req)
    if kind in (StoreType.JKS, StoreType.PKCS12) and probed in (StoreType.JKS, StoreType.PKCS12):
        return probed
    if kind == StoreType.JCEKS and probed in (StoreType.JKS, StoreType.JCEKS):
        return probed
    if kind in (StoreType.BKS, StoreType.UBER):
        return kind
    if probed != kind:  # (a PKCS12 requested for unknown content included)
        raise FormatError("Invalid keystore format")
    return kind


def _module(store_type: str) -> Any:
    if store_type in READABLE and store_type != StoreType.PKCS12:
        from . import jks

        return jks
    if store_type == StoreType.PKCS12:
        from . import pkcs12

        return pkcs12
    raise KeystoreToolError(f"{store_type} not found")


def load(data: bytes, password: str | None, store_type: str | None = None) -> LoadedStore:
    """Parse keystore bytes. ``store_type`` is the user's -storetype, if any."""
    real = resolve_type(data, store_type)
    return _module(real).load(data, password, real)  # type: ignore[no-any-return]


def dump(store_type: str, entries: list[Entry], password: str | None, state: Any = None) -> bytes:
    """Serialise entries in ``store_type``'s format."""
    if store_type not in WRITABLE:
        raise KeystoreToolError(f"Writing {store_type} keystores is not supported")
    data: bytes = _module(store_type).dump(store_type, entries, password, state)
    from ..storage import MAX_KEYSTORE_SIZE

    if len(data) > MAX_KEYSTORE_SIZE:
        # Never write a file that every later command would refuse to read.
        raise KeystoreToolError(
            f"The keystore would be {len(data):,} bytes, over the {MAX_KEYSTORE_SIZE:,}-byte "
            "limit keystoretool reads; nothing was written"
        )
    return data
