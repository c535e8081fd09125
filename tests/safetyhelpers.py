"""Shared material of the "Nothing lost" tests (test_safety_crash, _concurrency, _fuzz).

Test stores of N entries (every tenth a private key, the others trusted
certificates), the CLI command line, and the report line printed past pytest's
capture for the README's Safety section.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from keystoretool.entries import Entry, PrivateKeyEntry, TrustedCertEntry
from keystoretool.model import Keystore

FORK = multiprocessing.get_context("fork")
REPO = Path(__file__).resolve().parents[1]
PASSWORD = "changeit"


def report(capsys: pytest.CaptureFixture[str], text: str) -> None:
    """Print a measured figure into the test log, past pytest's capture."""
    with capsys.disabled():
        print(f"\n[safety] {text}", flush=True)


# ---------------------------------------------------------------------------
# Test stores: N entries, every tenth a private key with its certificate,
# the others trusted certificates. Keys and names are fixed; the ECDSA
# signatures (hence certificate bytes) differ per run, which does not matter
# because every check compares a store with the entries it was built from.
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Material:
    kind: str  # "PrivateKeyEntry" | "trustedCertEntry"
    cert_der: bytes
    pkcs8: bytes | None


def make_material(count: int, key_every: int = 10) -> list[Material]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    ca = ec.derive_private_key(0xC0FFEE, ec.SECP256R1())
    start = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    out: list[Material] = []
    for i in range(count):
        is_key = i % key_every == 0
        key = ec.derive_private_key(1000 + i, ec.SECP256R1()) if is_key else ca
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"safety test entry {i}")])
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(i + 1)
            .not_valid_before(start)
            .not_valid_after(start + dt.timedelta(days=3650))
            .sign(ca, hashes.SHA256())
        )
        der = cert.public_bytes(serialization.Encoding.DER)
        if is_key:
            pkcs8 = key.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
            out.append(Material("PrivateKeyEntry", der, pkcs8))
        else:
            out.append(Material("trustedCertEntry", der, None))
    return out


def make_entry(alias: str, m: Material) -> Entry:
    if m.pkcs8 is not None:
        return PrivateKeyEntry(alias, chain_der=[m.cert_der], pkcs8=m.pkcs8)
    return TrustedCertEntry(alias, cert_der=m.cert_der)


def entry_signature(entry: Entry) -> tuple[str, tuple[bytes, ...]]:
    return (entry.kind, tuple(entry.chain_der))


def leftover_temps(directory: Path) -> list[Path]:
    return sorted(p for p in directory.iterdir() if p.name.endswith(".tmp"))


DELETE_ENTRIES = 100


def make_delete_store(path: Path, store_type: str) -> list[str]:
    material = make_material(DELETE_ENTRIES)
    aliases = [f"del{i:03d}" for i in range(DELETE_ENTRIES)]
    Keystore(
        store_type, [make_entry(a, m) for a, m in zip(aliases, material, strict=True)],
        password=PASSWORD,
    ).save(path)
    return aliases


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "keystoretool", *args]
