"""JKS and JCEKS files <-> entries (``sun.security.provider.JavaKeyStore``,
``com.sun.crypto.provider.JceKeyStore``).

Layout::

    magic u4 (FEEDFEED | CECECECE), version u4 (1 | 2), count u4, entries, digest[20]
    entry: tag u4, alias (Java modified UTF-8, u2 length), created-ms s8, then
      tag 1 (key):     u4 length + EncryptedPrivateKeyInfo, u4 chain count,
                       per cert [v2: UTF type] + u4 length + DER
      tag 2 (trusted): [v2: UTF type] + u4 length + DER
      tag 3 (secret, JCEKS only): a Java-serialised javax.crypto.SealedObject
    digest = SHA-1(password as UTF-16BE || "Mighty Aphrodite" || everything before it)

Reading keeps every key sealed (:mod:`.protectors`); writing puts a key sealed
by the same store type back byte for byte, keeping its own key password, and
orders entries as the JDK's ``Hashtable`` does (:func:`.javaio.hashtable_order`).
"""

from __future__ import annotations

import hashlib
import struct

from ...entries import Entry, PrivateKeyEntry, SecretKeyEntry, TrustedCertEntry, java_lower
from ...errors import FormatError, IntegrityError, KeystoreToolError
from .. import LoadedStore
from ..budget import WorkBudget
from .javaio import (
    INVALID,
    TAMPERED,
    TRUNCATED,
    DataReader,
    datetime_to_ms,
    hashtable_order,
    ms_to_datetime,
    password_bytes,
    write_blob,
    write_utf,
)
from .protectors import (
    MAX_ITERATIONS,
    JceksSealedSecretKey,
    JksSealedPrivateKey,
    jce_protect,
    seal_secret_key,
    sun_protect,
)
from .serial import read_sealed_object

JKS_MAGIC = 0xFEEDFEED
JCEKS_MAGIC = 0xCECECECE
_WHITENER = b"Mighty Aphrodite"
DIGEST_LEN = 20
#: Smallest possible entry: tag 4 + alias length 2 + date 8 + 4 (+ more).
_MIN_ENTRY = 18


def store_digest(password: str, body: bytes) -> bytes:
    """The JKS/JCEKS trailer: SHA-1(pw UTF-16BE || "Mighty Aphrodite" || body)."""
    h = hashlib.sha1(password_bytes(password))
    h.update(_WHITENER)
    h.update(body)
    return h.digest()


# --------------------------------------------------------------------------
# reading


def load_jks(data: bytes, password: str | None, store_type: str) -> LoadedStore:
    """``engineLoad``: the entries of a JKS or JCEKS file (``store_type`` JKS
    refuses a JCEKS file, as keytool does); the digest is checked when a
    password is given."""
    r = DataReader(data)
    magic = r.u4() if len(data) >= 4 else -1
    if magic == JKS_MAGIC:
        real = "JKS"
    elif magic == JCEKS_MAGIC:
        real = "JCEKS"
    else:
        raise FormatError(INVALID)
    if real == "JCEKS" and store_type == "JKS":
        raise FormatError(INVALID)
    version = r.u4()
    if version not in (1, 2):
        raise FormatError(INVALID)
    count = r.u4()
    if count > r.remaining() // _MIN_ENTRY:
        raise FormatError(TRUNCATED)
    entries: list[Entry] = []
    seen: set[str] = set()
    for _ in range(count):
        tag = r.u4()
        alias = r.utf()
        created = ms_to_datetime(r.s8())
        entry: Entry
        if tag == 1:
            blob = r.blob()
            n = r.u4()
            if n > r.remaining() // 4:
                raise FormatError(TRUNCATED)
            chain = [_read_cert(r, version) for _ in range(n)]
            entry = PrivateKeyEntry(
                alias, created, chain_der=chain, sealed=JksSealedPrivateKey(blob, real)
            )
        elif tag == 2:
            entry = TrustedCertEntry(alias, created, cert_der=_read_cert(r, version))
        elif tag == 3 and real == "JCEKS":
            sealed_object, r.pos = read_sealed_object(data, r.pos)
            sealed = JceksSealedSecretKey(sealed_object)
            entry = SecretKeyEntry(alias, created, sealed=sealed)
            sealed.entry = entry
        else:
            raise FormatError(f"Unrecognized keystore entry: {tag}")
        key = java_lower(alias)  # JavaKeyStore.convertAlias
        if key in seen:
            raise FormatError(f"Keystore contains the alias <{alias}> twice")
        seen.add(key)
        entries.append(entry)
    if real == "JCEKS":
        _plan_jceks(entries)
    body_end = r.pos
    verified = False
    if password is not None:
        stored = data[body_end : body_end + DIGEST_LEN]
        if len(stored) != DIGEST_LEN:
            raise FormatError(TRUNCATED)
        if store_digest(password, data[:body_end]) != stored:
            raise IntegrityError(TAMPERED)
        verified = True
    return LoadedStore(real, entries, state={"version": version}, verified=verified)


def _plan_jceks(entries: list[Entry]) -> None:
    """Give every JCEKS-sealed key the file's key-derivation budget and refuse
    the file now when unsealing all its keys once would exceed it."""
    sealed = [
        k for k in (getattr(e, "sealed", None) for e in entries)
        if isinstance(k, (JksSealedPrivateKey, JceksSealedSecretKey))
    ]
    counts = [(k, k.jce_iterations()) for k in sealed]
    work = WorkBudget("JCEKS keystore", "JCEKS", sum(it is not None for _, it in counts))
    planned = 0
    for key, iterations in counts:
        key.budget = work
        if iterations is not None and 0 < iterations <= MAX_ITERATIONS:
            planned += work.cost("jce-md5", iterations)
    work.require(planned, "the keys")


def _read_cert(r: DataReader, version: int) -> bytes:
    if version == 2:
        cert_type = r.utf()
        if cert_type != "X.509":
            raise FormatError(f"{cert_type} not found")
    return r.blob()


# --------------------------------------------------------------------------
# writing


def _cert_bytes(der: bytes) -> bytes:
    return write_utf("X.509") + write_blob(der)


def _private_key_blob(entry: PrivateKeyEntry, store_type: str, password: str) -> bytes:
    sealed = entry.sealed
    if isinstance(sealed, JksSealedPrivateKey) and sealed.format == store_type:
        return sealed.blob
    key_password = entry.key_password or password
    pkcs8 = entry.pkcs8
    if pkcs8 is None:
        pkcs8 = entry.unlock(key_password)
    if store_type == "JKS":
        return sun_protect(pkcs8, key_password)
    return jce_protect(pkcs8, key_password)


def _secret_key_blob(entry: SecretKeyEntry, password: str) -> bytes:
    sealed = entry.sealed
    if isinstance(sealed, JceksSealedSecretKey):
        return sealed.blob
    key_password = entry.key_password or password
    key = entry.key if entry.key is not None else entry.unlock(key_password)
    algorithm = entry.algorithm or getattr(sealed, "algorithm", None)
    if not algorithm:
        raise KeystoreToolError(
            f"Cannot store secret key <{entry.alias}>: its algorithm is unknown"
        )
    return seal_secret_key(algorithm, key, key_password)


def dump_jks(store_type: str, entries: list[Entry], password: str | None) -> bytes:
    """``engineStore``: version 2, entries in ``Hashtable`` order, digest last."""
    if password is None:
        raise KeystoreToolError("A keystore password is required to write a keystore")
    by_alias: dict[str, Entry] = {}
    for entry in entries:
        alias = java_lower(entry.alias)
        if alias in by_alias:
            raise KeystoreToolError(f"Alias <{alias}> already exists")
        if store_type == "JKS" and isinstance(entry, SecretKeyEntry):
            raise KeystoreToolError("Cannot store non-PrivateKeys")
        by_alias[alias] = entry
    magic = JKS_MAGIC if store_type == "JKS" else JCEKS_MAGIC
    out = bytearray(struct.pack(">III", magic, 2, len(by_alias)))
    for alias in hashtable_order(list(by_alias)):
        entry = by_alias[alias]
        head = write_utf(alias) + struct.pack(">q", datetime_to_ms(entry.created))
        if isinstance(entry, PrivateKeyEntry):
            blob = _private_key_blob(entry, store_type, password)
            out += struct.pack(">I", 1) + head + write_blob(blob)
            out += struct.pack(">I", len(entry.chain_der))
            for der in entry.chain_der:
                out += _cert_bytes(der)
        elif isinstance(entry, TrustedCertEntry):
            out += struct.pack(">I", 2) + head + _cert_bytes(entry.cert_der)
        elif isinstance(entry, SecretKeyEntry):
            out += struct.pack(">I", 3) + head + _secret_key_blob(entry, password)
        else:  # pragma: no cover - construction bug
            raise KeystoreToolError(f"Cannot store entry of type {type(entry).__name__}")
    out += store_digest(password, bytes(out))
    return bytes(out)
