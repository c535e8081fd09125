"""The keystore model: one abstraction for every store type.

A :class:`Keystore` is an ordered map of entries by alias with keytool's alias
rules (case-insensitive lookup; JKS/JCEKS store aliases lower-cased, PKCS12 key
entries too, PKCS12 trusted certificates keep the case given). It knows nothing
about bytes on disk: :mod:`keystoretool.formats` turns bytes into entries and
back, :mod:`keystoretool.storage` moves bytes to and from files.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from .entries import Entry, PrivateKeyEntry, SecretKeyEntry, TrustedCertEntry, java_lower, now
from .errors import AliasError, KeystoreToolError, alias_missing
from .formats import PROPRIETARY, WRITABLE, StoreType

DEFAULT_STORE_TYPE = StoreType.PKCS12


@dataclass
class StoreChange:
    """What one :meth:`Keystore.save` changed in a file, by alias, against the
    entries the store held when it was loaded (or last saved): ``renamed``
    holds ``{"from": old, "to": new}`` pairs; ``replaced``: an alias now names
    another entry."""

    keystore: str
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    renamed: list[dict[str, str]] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)

    @property
    def entries_affected(self) -> int:
        return len(self.added) + len(self.removed) + len(self.renamed) + len(self.replaced)


#: (lower-cased key, alias) of each entry, by the entry's identity.
_Snapshot = dict[int, tuple[str, str]]


def _change(path: str, before: _Snapshot, after: _Snapshot) -> StoreChange:
    renamed = sorted(({"from": before[i][1], "to": after[i][1]}
                      for i in before.keys() & after.keys() if before[i][0] != after[i][0]),
                     key=lambda r: r["from"])
    before_keys = {k for k, _ in before.values()}
    after_keys = {k for k, _ in after.values()}
    gone = [before[i] for i in before.keys() - after.keys()]
    new = [after[i] for i in after.keys() - before.keys()]
    return StoreChange(
        path,
        added=sorted(a for k, a in new if k not in before_keys),
        removed=sorted(a for k, a in gone if k not in after_keys),
        renamed=renamed,
        replaced=sorted(a for k, a in new if k in before_keys),
    )


class Keystore:
    """An ordered collection of keystore entries addressed by alias.

    ``store_type`` is the real on-disk format ("JKS", "JCEKS", "PKCS12", ...);
    ``display_type`` is what keytool would print as "Keystore type:" (the
    user's -storetype when given). ``password`` is the store password the
    store was loaded with and will be saved with.
    """

    def __init__(
        self,
        store_type: str = DEFAULT_STORE_TYPE,
        entries: list[Entry] | None = None,
        *,
        password: str | None = None,
        path: str | os.PathLike[str] | None = None,
        state: Any = None,
        display_type: str | None = None,
        verified: bool = True,
    ) -> None:
        self.store_type = store_type.upper()
        self.display_type = (display_type or self.store_type).upper()
        self.password = password
        self.path = os.fspath(path) if path is not None else None
        self.state = state  # format-specific settings to reuse when rewriting
        self.verified = verified
        #: What the format read but did not understand, one line each (see ``loads``).
        self.load_warnings: list[str] = []
        #: PKCS12 certificates that belong to no key and carry no trust attribute.
        self.unattached: list[Entry] = []
        # (lock path, digest) of the file this store was last read from or
        # written to, so save() can tell that another process changed it.
        self._loaded: tuple[str, bytes] | None = None
        self._entries: dict[str, Entry] = {}
        for entry in entries or []:
            key = java_lower(entry.alias)
            # A file holding the same alias twice (malformed): the first wins,
            # as in keytool's maps after the duplicate is rejected.
            self._entries.setdefault(key, entry)
        # The entries as loaded (or last saved): what save() reports changes against.
        self._baseline: tuple[_Snapshot, list[Entry]] = self._snapshot()

    def _snapshot(self) -> tuple[_Snapshot, list[Entry]]:
        # (the entries are kept alive with their ids, so an id is never reused)
        entries = list(self._entries.items())
        return {id(e): (k, e.alias) for k, e in entries}, [e for _, e in entries]

    # ---- construction -------------------------------------------------
    @classmethod
    def new(
        cls, store_type: str = DEFAULT_STORE_TYPE, password: str | None = None,
        *, profile: str | None = None,
    ) -> Keystore:
        """An empty keystore; ``profile`` picks PKCS12 algorithms ("modern",
        keytool 17's, or "legacy", readable by Java 8 and OpenSSL 1.x)."""
        store_type = store_type.upper()
        if store_type not in WRITABLE:
            raise KeystoreToolError(f"{store_type} not found")
        return cls(store_type, [], password=password, state=_new_state(store_type, profile))

    @classmethod
    def loads(
        cls, data: bytes, password: str | None, store_type: str | None = None
    ) -> Keystore:
        """Parse keystore bytes (type probed from the content unless given)."""
        from . import formats

        loaded = formats.load(data, password, store_type)
        ks = cls(
            loaded.store_type,
            loaded.entries,
            password=password,
            state=loaded.state,
            display_type=store_type,
            verified=loaded.verified,
        )
        ks.load_warnings = list(loaded.warnings)
        ks.unattached = list(loaded.unattached)
        return ks

    @classmethod
    def load(
        cls,
        path: str | os.PathLike[str],
        password: str | None,
        store_type: str | None = None,
    ) -> Keystore:
        """Read and parse a keystore file.

        >>> ks = Keystore.load("client.jks", "changeit")   # doctest: +SKIP
        >>> ks.aliases()                                   # doctest: +SKIP
        ['client']
        """
        from . import storage

        data = storage.read_keystore(path)
        ks = cls.loads(data, password, store_type)
        ks.path = os.fspath(path)
        try:
            ks._loaded = (storage.lock_path(path), _digest(data))
        except KeystoreToolError:  # a path we may read but never write through
            pass
        return ks

    @classmethod
    @contextmanager
    def edit(
        cls,
        path: str | os.PathLike[str],
        password: str | None,
        store_type: str | None = None,
        *,
        create: str | None = None,
        backup: bool = False,
        lock_timeout: float | None = None,
    ) -> Iterator[Keystore]:
        """Change a keystore file as the command line does: the file's lock
        is held from the read to the write, so no other keystoretool process
        (CLI or API) changes it in between, and the store is saved (atomic,
        verified) when the block ends without an exception.

        ``create``: a store type ("PKCS12", "JKS", "JCEKS") to create the
        file with if it does not exist; without it a missing file is an error.

        >>> with Keystore.edit("client.p12", "changeit") as ks:   # doctest: +SKIP
        ...     ks.rename("old", "new")
        """
        from . import storage

        timeout = storage.DEFAULT_LOCK_TIMEOUT if lock_timeout is None else lock_timeout
        with storage.locked(path, timeout) as held:
            if held.exists:
                ks = cls.load(path, password, store_type)
            elif create is not None:
                ks = cls.new(create, password)
                ks.path = os.fspath(path)
            else:
                raise KeystoreToolError(f"Keystore file does not exist: {os.fspath(path)}")
            yield ks
            ks.save(path, backup=backup)

    # ---- serialisation ------------------------------------------------
    def dumps(self, password: str | None = None) -> bytes:
        """The store as bytes in its own format, protected by ``password``
        (default: the password it was loaded with)."""
        from . import formats

        pw = self.password if password is None else password
        return formats.dump(self.store_type, list(self._entries.values()), pw, self.state)

    def save(
        self,
        path: str | os.PathLike[str] | None = None,
        password: str | None = None,
        *,
        backup: bool = False,
        notice: Callable[[str], object] | None = None,
    ) -> StoreChange:
        """Write the store atomically; the written file is re-read and checked
        to hold exactly these entries before it replaces the old one. Returns
        what changed since the store was loaded (or last saved).

        It takes the file's lock for the write, with the CLI's rules. Saving
        back to the file this store was loaded from is refused if another
        process changed that file since :meth:`load` (``KeystoreToolError``:
        its change would otherwise be lost); use :meth:`edit` to hold the
        lock from the read to the write instead."""
        from . import storage

        target = os.fspath(path) if path is not None else self.path
        if target is None:
            raise KeystoreToolError("No keystore file to save to")
        pw = self.password if password is None else password
        data = self.dumps(pw)
        with storage.locked(target) as held:
            if self._loaded is not None and self._loaded[0] == held.real and held.exists:
                try:
                    current = _digest(storage.read_keystore(target))
                except KeystoreToolError:
                    current = b""
                if current != self._loaded[1]:
                    raise KeystoreToolError(
                        f"{target} was changed by another process since it was loaded; "
                        "load it again (or use Keystore.edit, which holds the lock)")
            storage.atomic_write(target, data, verify=lambda b: self.verify_bytes(b, pw),
                                 backup=backup, notice=notice)
            self._loaded = (held.real, _digest(data))
        self.path = target
        self.password = pw
        after = self._snapshot()
        change = _change(target, self._baseline[0], after[0])
        self._baseline = after
        return change

    def verify_bytes(self, data: bytes, password: str | None) -> None:
        """Raise unless ``data`` parses to the same aliases, entry kinds and
        certificate chains. (A PKCS12 stores certificates as separate bags and
        its loader rebuilds a key's chain by issuer, as Java's does, so a chain
        read back may go on past the one written — never differ from it.)"""
        from . import formats

        loaded = formats.load(data, password, self.store_type)
        got = {java_lower(e.alias): (e.kind, tuple(e.chain_der)) for e in loaded.entries}
        ok = len(got) == len(self._entries) == len(loaded.entries)
        for key, entry in self._entries.items():
            if not ok:
                break
            kind, chain = got.get(key, (None, ()))
            want = tuple(entry.chain_der)
            ok = kind == entry.kind and chain[: len(want)] == want and (
                len(chain) == len(want) or self.store_type == StoreType.PKCS12)
        if not ok:
            raise KeystoreToolError(
                "Internal check failed: the keystore written does not hold the intended "
                "entries; the original file was left unchanged"
            )

    # ---- lookup -------------------------------------------------------
    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[Entry]:
        return iter(list(self._entries.values()))

    def __contains__(self, alias: object) -> bool:
        return isinstance(alias, str) and java_lower(alias) in self._entries

    def aliases(self) -> list[str]:
        """Stored aliases in file (enumeration) order."""
        return list(self._entries)

    def sorted_aliases(self) -> list[str]:
        """Aliases as ``keytool -list`` orders them (UTF-16 code unit order)."""
        return sorted(self._entries, key=lambda a: a.encode("utf-16-be"))

    def items(self) -> list[tuple[str, Entry]]:
        """(stored alias, entry) pairs in file (enumeration) order."""
        return list(self._entries.items())

    def find(self, alias: str) -> Entry | None:
        """The entry for ``alias`` (case-insensitive, as keytool looks aliases
        up), or None."""
        return self._entries.get(java_lower(alias))

    def get(self, alias: str) -> Entry:
        """The entry for ``alias`` (case-insensitive); ``AliasError`` if absent."""
        entry = self.find(alias)
        if entry is None:
            raise alias_missing(alias)
        return entry

    # ---- changes ------------------------------------------------------
    def stored_alias(self, alias: str, entry: Entry) -> str:
        """The alias as this store type keeps it for ``entry``."""
        if self.store_type == StoreType.PKCS12 and isinstance(entry, TrustedCertEntry):
            return alias
        return java_lower(alias)

    def check_storable(self, entry: Entry) -> None:
        """The store type's rules for an entry (keytool's KeyStoreException texts)."""
        if self.store_type == StoreType.JKS and isinstance(entry, SecretKeyEntry):
            raise KeystoreToolError("Cannot store non-PrivateKeys")
        if self.store_type in PROPRIETARY and isinstance(entry, PrivateKeyEntry) \
                and not entry.chain_der:  # a key-only PKCS12 (Java's KeyStore.setKeyEntry text)
            raise KeystoreToolError("Private key must be accompanied by certificate chain")
        if (
            self.store_type == StoreType.PKCS12
            and isinstance(entry, PrivateKeyEntry)
            and len(entry.chain_der) > 1
        ):
            from .certinfo import issuer_and_subject

            names = [issuer_and_subject(der) for der in entry.chain_der]
            for (issuer, _), (_, signer_subject) in zip(names, names[1:], strict=False):
                if issuer != signer_subject:
                    raise KeystoreToolError("Certificate chain is not valid")

    def put(self, alias: str, entry: Entry, *, replace: bool = False) -> None:
        """Add ``entry`` under ``alias`` (at the end of the enumeration order)."""
        self.check_storable(entry)
        if java_lower(alias) in self._entries and not replace:
            raise AliasError(f"Alias <{alias}> already exists")
        self._insert(alias, entry)

    def _insert(self, alias: str, entry: Entry) -> None:
        key = java_lower(alias)
        self._entries.pop(key, None)
        entry.alias = self.stored_alias(alias, entry)
        self._entries[key] = entry

    def delete(self, alias: str) -> Entry:
        """Remove and return the entry for ``alias``."""
        key = java_lower(alias)
        if key not in self._entries:
            raise alias_missing(alias)
        return self._entries.pop(key)

    def rename(self, alias: str, new_alias: str) -> Entry:
        """keytool -changealias: the destination is checked first, then the
        source; the entry moves to the end and its creation date becomes now."""
        if java_lower(new_alias) in self._entries:
            raise AliasError(f"Destination alias <{new_alias}> already exists")
        entry = self.delete(alias)
        entry.created = now()
        self._insert(new_alias, entry)
        return entry

    def keep_unattached(self) -> int:
        """Add the certificates that belong to no key and carry no trust
        attribute (which keytool ignores) as trusted-certificate entries, under
        their stable aliases; returns how many. For reading and importing: the
        file's own copies of them are still written back by a save."""
        n = 0
        for entry in self.unattached:
            if java_lower(entry.alias) not in self._entries:
                self._entries[java_lower(entry.alias)] = entry
                n += 1
        self.unattached = []
        return n

    def key_entries(self) -> list[PrivateKeyEntry]:
        """The private-key entries: what a TLS client can present."""
        return [e for e in self._entries.values() if isinstance(e, PrivateKeyEntry)]

    def has_secret_or_key_entries(self) -> bool:
        """True unless the store holds only trusted certificates (a truststore);
        keytool's proprietary-format warning depends on it."""
        return any(
            isinstance(e, (PrivateKeyEntry, SecretKeyEntry)) for e in self._entries.values()
        )


__all__ = ["Keystore", "PrivateKeyEntry", "TrustedCertEntry", "SecretKeyEntry", "Entry"]


def _new_state(store_type: str, profile: str | None) -> Any:
    if store_type == StoreType.PKCS12:
        from .formats import pkcs12

        return pkcs12.new_state(profile or "modern")
    if profile is not None:
        raise KeystoreToolError("--p12-profile applies to PKCS12 keystores only")
    return None


def _digest(data: bytes) -> bytes:
    import hashlib

    return hashlib.sha256(data).digest()


def pkcs12_password_warning(password: str) -> str | None:
    """JDK keytool refuses non-ASCII PKCS12 passwords: say so when one is used."""
    if password.isascii():
        return None
    return (
        "The PKCS12 keystore password is not ASCII: keytool and other Java programs "
        "refuse such passwords (\"Password is not ASCII\")."
    )
