"""keytool's listing layouts, and the JSON listing for scripts.

Plain ``-list`` needs only SHA-256 fingerprints (:func:`keystoretool.relations.fingerprint`,
hashlib only) and dates, so that it never imports the X.509 machinery; ``-v`` and ``-rfc``
use :mod:`keystoretool.certinfo` for keytool's exact certificate blocks.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from ..entries import Entry, PrivateKeyEntry, SecretKeyEntry, TrustedCertEntry
from ..errors import KeystoreToolError
from ..formats import StoreType
from ..model import Keystore

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
STARS = "*******************************************"
ENTRY_SEPARATOR = f"\n\n{STARS}\n{STARS}\n\n\n"

PROVIDERS: dict[str, str] = {StoreType.JKS: "SUN", StoreType.PKCS12: "SUN",
                             StoreType.JCEKS: "SunJCE", StoreType.BKS: "BC", StoreType.UBER: "BC"}


def medium_date(dt: datetime) -> str:
    """Java's MessageFormat ``{0,date}`` (MEDIUM, English): ``Nov 27, 2026``."""
    local = dt.astimezone()
    return f"{_MONTHS[local.month - 1]} {local.day}, {local.year}"


def plural_entries(n: int) -> str:
    # keytool: "{0,number,integer}" -> grouped digits in English ("1,000 entries")
    return f"Your keystore contains {n:,} {'entry' if n == 1 else 'entries'}"


def header(ks: Keystore) -> str:
    provider = PROVIDERS.get(ks.store_type, "SUN")
    return (
        f"Keystore type: {ks.display_type}\nKeystore provider: {provider}\n\n"
        f"{plural_entries(len(ks))}\n\n"
    )


def entry_plain(label: str, entry: Entry) -> str:
    line = f"{label}, {medium_date(entry.created)}, {entry.kind}, \n"
    if isinstance(entry, SecretKeyEntry):
        return line
    chain = entry.chain_der
    if not chain:
        return line + "Certificate chain length: 0\n"
    from ..relations import fingerprint

    return line + f"Certificate fingerprint (SHA-256): {fingerprint(chain[0])}\n"


@contextlib.contextmanager
def _certificates_of(label: str) -> Iterator[None]:
    """A certificate of the entry that cannot be parsed is named by its alias
    (keytool refuses such a store when loading it)."""
    from ..certinfo import CertificateParseError

    try:
        yield
    except CertificateParseError as exc:
        name = label if label.startswith("<") or label[:1].isupper() else f"<{label}>"
        raise KeystoreToolError(f"{name}: a certificate of this entry cannot be parsed "
                                "(the keystore is damaged)") from exc


def entry_long(label: str, entry: Entry, *, rfc: bool) -> str:
    """The ``-v`` / ``-rfc`` block of one entry (without separators)."""
    with _certificates_of(label):
        return _entry_long(label, entry, rfc=rfc)


def _entry_long(label: str, entry: Entry, *, rfc: bool) -> str:
    parts = [f"Alias name: {label}\n", f"Creation date: {medium_date(entry.created)}\n",
             f"Entry type: {entry.kind}\n"]
    if isinstance(entry, SecretKeyEntry):
        return "".join(parts)
    if isinstance(entry, TrustedCertEntry):
        parts.append("\n")
        parts.append(_cert_text(entry.cert_der, rfc, trusted=True))
        return "".join(parts)
    assert isinstance(entry, PrivateKeyEntry)
    chain = entry.chain_der
    parts.append(f"Certificate chain length: {len(chain)}\n")
    for i, der in enumerate(chain, 1):
        parts.append(f"Certificate[{i}]:\n")
        parts.append(_cert_text(der, rfc))
    return "".join(parts)


def _cert_text(der: bytes, rfc: bool, *, trusted: bool = False) -> str:
    from .. import certinfo

    if rfc:
        return certinfo.pem(der)
    return certinfo.print_x509(der, trusted=trusted)


def weak_warnings(label: str, entry: Entry) -> list[str]:
    """keytool's weak-algorithm warnings for a listed entry (``label`` is
    ``<alias>`` in a full listing, ``The certificate`` with -alias)."""

    with _certificates_of(label):
        return _weak_warnings(label, entry)


def _weak_warnings(label: str, entry: Entry) -> list[str]:
    from .. import certinfo

    chain = entry.chain_der
    out: list[str] = []
    if isinstance(entry, PrivateKeyEntry):
        for i, der in enumerate(chain, 1):
            tag = label if len(chain) == 1 else f"{label} #{i} of {len(chain)}"
            out += certinfo.weak_warnings(tag, der)
    elif isinstance(entry, TrustedCertEntry):
        out += certinfo.weak_warnings(label, entry.cert_der, trusted=True)
    return out


def entry_json(alias: str, entry: Entry) -> dict[str, Any]:
    with _certificates_of(alias):
        return _entry_json(alias, entry)


def _entry_json(alias: str, entry: Entry) -> dict[str, Any]:
    from ..jsondoc import certificate

    return {
        "alias": alias,
        "type": entry.kind,
        "created": entry.created.isoformat(),
        "chain": [certificate(d) for d in entry.chain_der],
        **({"algorithm": entry.algorithm} if isinstance(entry, SecretKeyEntry) else {}),
    }


def store_json(path: str, ks: Keystore, aliases: list[str]) -> str:
    from ..jsondoc import document, dumps  # only --json needs json

    return dumps(document(
        "list",
        keystore=path,
        type=ks.display_type,
        format=ks.store_type,
        verified=ks.verified,
        entries=[entry_json(a, ks.get(a)) for a in aliases],
    ))
