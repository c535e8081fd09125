"""JKS and JCEKS keystores (read and write), BKS and UBER (read only).

JKS and JCEKS are parsed and written here with ``struct`` and ``hashlib`` only:
they are simple formats, and ``import jks`` (pyjks, with pycryptodomex, javaobj
and pyasn1_modules) costs ~80 ms of start-up that a ``-list`` does not need.
pyjks is imported only for BKS/UBER; javaobj only for a JCEKS secret key whose
serialised form is not the one the JDK writes; ``cryptography``'s TripleDES only
when a JCEKS key is actually decrypted or encrypted.

Layout, one module per concern as pyjks and :mod:`..pkcs12` do it:

* :mod:`.javaio` — ``DataInputStream``/``DataOutputStream``, Java's modified
  UTF-8, ``java.util.Hashtable`` order, dates;
* :mod:`.serial` — Java object serialisation of ``SealedObjectForKeyProtector``
  and ``SecretKeySpec`` (JCEKS secret keys);
* :mod:`.protectors` — ``sun.security.provider.KeyProtector`` (JKS) and
  ``com.sun.crypto.provider.KeyProtector`` (JCEKS, PBEWithMD5AndTripleDES),
  and the sealed keys entries carry;
* :mod:`.codec` — ``JavaKeyStore`` / ``JceKeyStore`` files <-> entries;
* :mod:`.bouncycastle` — BKS and UBER through pyjks.

API used by :mod:`keystoretool.formats`::

    load(data, password, store_type) -> LoadedStore
    dump(store_type, entries, password, state) -> bytes

Keys are never decrypted at load: entries carry a sealed key holding the
on-disk protected bytes, so an untouched key is written back byte for byte
(keeping its own key password) and only a command that needs the key pays for
decryption.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import Any

from ...entries import Entry
from ...errors import FormatError, IntegrityError, KeystoreToolError
from .. import LoadedStore
from .codec import JCEKS_MAGIC, JKS_MAGIC, dump_jks, load_jks, store_digest
from .javaio import (
    INVALID,
    TAMPERED,
    TRUNCATED,
    datetime_to_ms,
    decode_java_utf,
    encode_java_utf,
    hashtable_order,
    ms_to_datetime,
)
from .protectors import (
    JCEKS_ITERATIONS,
    PBE_MD5_3DES_OID,
    SUN_KEY_PROTECTOR_OID,
    JceksSealedSecretKey,
    JksSealedPrivateKey,
    encode_epki,
    jce_pbe_decrypt,
    jce_pbe_encrypt,
    jce_protect,
    parse_epki,
    parse_pbe_params,
    pbe_params,
    seal_secret_key,
    sun_protect,
    sun_recover,
)
from .serial import (
    PBE_MD5_3DES,
    parse_serialized_secret_key,
    serialize_sealed_object,
    serialize_secret_key_spec,
)

__all__ = [
    "INVALID",
    "JCEKS_ITERATIONS",
    "JCEKS_MAGIC",
    "JKS_MAGIC",
    "MAX_BKS_PROBES",
    "PBE_MD5_3DES",
    "PBE_MD5_3DES_OID",
    "SUN_KEY_PROTECTOR_OID",
    "TAMPERED",
    "TRUNCATED",
    "BksSealedKey",
    "JceksSealedSecretKey",
    "JksSealedPrivateKey",
    "datetime_to_ms",
    "decode_java_utf",
    "dump",
    "encode_epki",
    "encode_java_utf",
    "hashtable_order",
    "jce_pbe_decrypt",
    "jce_pbe_encrypt",
    "jce_protect",
    "load",
    "ms_to_datetime",
    "parse_epki",
    "parse_pbe_params",
    "parse_serialized_secret_key",
    "pbe_params",
    "seal_secret_key",
    "serialize_sealed_object",
    "serialize_secret_key_spec",
    "store_digest",
    "sun_protect",
    "sun_recover",
]


def __getattr__(name: str) -> Any:
    """The BKS/UBER names, importing :mod:`.bouncycastle` only when asked for."""
    if name in ("BksSealedKey", "MAX_BKS_PROBES"):
        from . import bouncycastle

        return getattr(bouncycastle, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def load(data: bytes, password: str | None, store_type: str) -> LoadedStore:
    """Parse JKS, JCEKS, BKS or UBER bytes; keys stay sealed."""
    store_type = store_type.upper()
    if store_type in ("JKS", "JCEKS"):
        return _guarded(lambda: load_jks(data, password, store_type))
    from .bouncycastle import load_bks

    if store_type == "BKS":
        try:
            return _guarded(lambda: load_bks(data, password, "BKS"))
        except (FormatError, IntegrityError) as exc:
            # BKS v1 and UBER both start with the int 1: detection cannot tell
            # them apart, so an unreadable "BKS" gets a second try as UBER.
            if data[:4] != b"\0\0\0\1":
                raise
            if password is None:
                raise FormatError(
                    f"{INVALID} (an UBER keystore cannot be read without its password)"
                ) from exc
            try:
                return _guarded(lambda: load_bks(data, password, "UBER"))
            except IntegrityError as uber_exc:
                # Not BKS-shaped but decrypts badly as UBER: most likely an
                # UBER store opened with the wrong password.
                raise (uber_exc if isinstance(exc, FormatError) else exc) from None
            except KeystoreToolError:
                raise exc from None
    if store_type == "UBER":
        return _guarded(lambda: load_bks(data, password, "UBER"))
    raise KeystoreToolError(f"{store_type} not found")


def dump(store_type: str, entries: list[Entry], password: str | None, state: object) -> bytes:
    """Serialise ``entries`` as a JKS or JCEKS keystore protected by ``password``."""
    store_type = store_type.upper()
    if store_type not in ("JKS", "JCEKS"):
        raise KeystoreToolError(f"Writing {store_type} keystores is not supported")
    return dump_jks(store_type, entries, password)


def _guarded(parse: Callable[[], LoadedStore]) -> LoadedStore:
    """Any stray parse error of hostile bytes becomes keytool's one-line message."""
    try:
        return parse()
    except KeystoreToolError:
        raise
    except RecursionError as exc:
        raise FormatError(INVALID) from exc
    except (struct.error, IndexError, ValueError, OverflowError) as exc:
        raise FormatError(TRUNCATED) from exc
