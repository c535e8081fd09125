"""BKS and UBER keystores (BouncyCastle's ``BcKeyStoreSpi``), read only, through pyjks.

pyjks (``jks.bks``) parses the file and checks its HMAC (BKS) or decrypts it
(UBER, Twofish); it is imported only here, when such a store is opened, since
``import jks`` costs ~80 ms of start-up. Every key derivation pyjks runs is
charged to the file's :class:`~keystoretool.formats.budget.WorkBudget` before
it runs ("bks": PKCS#12 KDF over SHA-1, 1,024-2,047 iterations from
BouncyCastle). Sealed key entries stay sealed (:class:`BksSealedKey`); BKS does
not say whether one holds a private, public or secret key, so at most
:data:`MAX_BKS_PROBES` of them are opened at load with the store password.
"""

from __future__ import annotations

import struct

from ...entries import Entry, PrivateKeyEntry, SecretKeyEntry, TrustedCertEntry
from ...errors import FormatError, IntegrityError, KeystoreToolError, UnrecoverableKeyError
from .. import LoadedStore
from ..budget import UNBOUNDED, WorkBudget
from .javaio import INVALID, TAMPERED, TRUNCATED, DataReader, ms_to_datetime

#: At most this many sealed BKS entries are opened at load to learn their kind.
MAX_BKS_PROBES = 64
#: A BKS file ends with its HMAC-SHA1.
_HMAC_LEN = 20


class BksSealedKey:
    """A BouncyCastle sealed key entry (PBEWithSHAAnd3-KeyTripleDES-CBC)."""

    def __init__(self, blob: bytes, store_format: str, kind: str) -> None:
        self.blob = blob
        self.format = store_format
        self.kind = kind  # "private" or "secret": what the entry was listed as
        self.algorithm: str | None = None
        self.entry: SecretKeyEntry | None = None
        self.budget: WorkBudget = UNBOUNDED  # set by the loader: the file's allowance

    def iterations(self) -> int | None:
        """The sealing iteration count (salt blob, then u4), None if malformed."""
        if len(self.blob) < 4:
            return None
        n = int.from_bytes(self.blob[:4], "big")
        if len(self.blob) < 8 + n:
            return None
        return int.from_bytes(self.blob[4 + n : 8 + n], "big")

    #: Weighted output blocks of one unsealing (3DES key: 2, IV: 1).
    BLOCKS = 3

    def open(self, password: str | None) -> tuple[str, str | None, bytes]:
        """Decrypt: (kind "private" | "public" | "secret", algorithm, encoded key)."""
        if password is None:
            raise UnrecoverableKeyError()
        from jks import bks, rfc7292, util  # type: ignore[import-untyped]

        try:
            salt, pos = bks.BksKeyStore._read_data(self.blob, 0)
            iterations = struct.unpack_from(">I", self.blob, pos)[0]
            self.budget.charge("bks", iterations, self.BLOCKS)
            plain = rfc7292.decrypt_PBEWithSHAAnd3KeyTripleDESCBC(
                self.blob[pos + 4 :], password, salt, iterations
            )
        except (util.BadPaddingException, util.BadDataLengthException) as exc:
            raise UnrecoverableKeyError() from exc
        except (struct.error, ValueError) as exc:
            raise UnrecoverableKeyError("Cannot recover key: malformed sealed key") from exc
        try:
            r = DataReader(plain)
            key_type = r.u1()
            r.utf()  # format: PKCS#8 / X.509 / RAW, implied by the type
            algorithm = r.utf()
            encoded = r.blob()
        except FormatError as exc:
            raise UnrecoverableKeyError() from exc
        kinds = {0: "private", 1: "public", 2: "secret"}
        if key_type not in kinds:
            raise UnrecoverableKeyError()
        return kinds[key_type], algorithm, encoded

    def unseal(self, password: str | None) -> bytes:
        kind, algorithm, encoded = self.open(password)
        if kind != self.kind:
            raise KeystoreToolError(f"The key entry holds a {kind} key, not a {self.kind} key")
        self.algorithm = algorithm
        if self.entry is not None and self.entry.algorithm is None:
            self.entry.algorithm = algorithm
        return encoded


def load_bks(data: bytes, password: str | None, store_type: str) -> LoadedStore:
    """The entries of a BKS (``store_type`` "BKS") or UBER ("UBER") file."""
    import jks  # type: ignore[import-untyped]
    from jks import bks

    warnings: list[str] = []
    header = DataReader(data)
    header.take(4)
    header.blob()  # salt
    # The store's own derivation (BKS: its HMAC key; UBER: Twofish key + IV)
    # runs inside pyjks: charge it first.
    work = WorkBudget(f"{store_type} keystore", "BKS", 1)
    work.charge("bks", header.u4(), 3 if store_type == "UBER" else 1)
    try:
        if store_type == "UBER":
            if password is None:
                raise KeystoreToolError("An UBER keystore cannot be read without its password")
            store = bks.UberKeyStore.loads(data, password, try_decrypt_keys=False)
        elif password is not None:
            store = bks.BksKeyStore.loads(data, password, try_decrypt_keys=False)
        else:
            # No integrity check: parse the entries after the salt and count.
            r = DataReader(data)
            version = r.u4()
            if version not in (1, 2):
                raise FormatError(INVALID)
            r.blob()
            r.u4()
            found, size = bks.BksKeyStore._load_bks_entries(
                data[r.pos :], "bks", None, try_decrypt_keys=False
            )
            if r.remaining() - size != _HMAC_LEN:
                # Not followed by exactly its HMAC: not a BKS store (maybe UBER).
                raise FormatError(INVALID)
            store = bks.BksKeyStore("bks", found, version=version)
    except KeystoreToolError:
        raise
    except (jks.util.KeystoreSignatureException, jks.util.DecryptionFailureException) as exc:
        raise IntegrityError(TAMPERED) from exc
    except jks.util.DuplicateAliasException as exc:
        raise FormatError(f"Keystore contains a duplicate alias: {exc}") from exc
    except (struct.error, jks.util.KeystoreException) as exc:
        raise FormatError(TRUNCATED if isinstance(exc, struct.error) else INVALID) from exc
    except Exception as exc:  # pyjks/pyasn1 raise anything on hostile bytes
        raise FormatError(INVALID) from exc

    sealed_items = [
        it for it in store.entries.values() if isinstance(it, bks.BksSealedKeyEntry)
    ]
    work.add_items(len(sealed_items))
    planned = 0
    for it in sealed_items:
        iterations = BksSealedKey(it._encrypted, store_type, "").iterations()
        if iterations is not None:
            planned += work.cost("bks", iterations, BksSealedKey.BLOCKS)
    work.require(planned, "the sealed keys")

    entries: list[Entry] = []
    probes = 0
    for alias, item in store.entries.items():
        created = ms_to_datetime(int(item.timestamp))
        chain = [c.cert for c in item.cert_chain]
        if isinstance(item, bks.BksTrustedCertEntry):
            entries.append(TrustedCertEntry(alias, created, cert_der=item.cert))
        elif isinstance(item, bks.BksSealedKeyEntry):
            sealed = BksSealedKey(item._encrypted, store_type, "private" if chain else "secret")
            sealed.budget = work
            if password is not None and probes < MAX_BKS_PROBES:
                # BKS does not say what a sealed entry holds; learn it with the
                # store password when that opens it (the usual case).
                probes += 1
                try:
                    sealed.kind = sealed.open(password)[0]
                except KeystoreToolError:
                    pass
            if sealed.kind == "public":
                warnings.append(f"Entry <{alias}> holds a public key; skipped")
                continue
            if sealed.kind == "private":
                entries.append(PrivateKeyEntry(alias, created, chain_der=chain, sealed=sealed))
            else:
                secret = SecretKeyEntry(alias, created, sealed=sealed)
                sealed.entry = secret
                entries.append(secret)
        elif isinstance(item, bks.BksKeyEntry):
            if item.type == bks.KEY_TYPE_PRIVATE:
                entries.append(PrivateKeyEntry(alias, created, chain_der=chain, pkcs8=item.encoded))
            elif item.type == bks.KEY_TYPE_SECRET:
                entries.append(
                    SecretKeyEntry(alias, created, algorithm=item.algorithm, key=item.encoded)
                )
            else:
                warnings.append(f"Entry <{alias}> holds a public key; skipped")
        elif isinstance(item, bks.BksSecretKeyEntry):
            entries.append(SecretKeyEntry(alias, created, key=item.key))
    return LoadedStore(
        store_type,
        entries,
        state={"version": getattr(store, "version", None)},
        verified=password is not None,
        warnings=warnings,
    )
