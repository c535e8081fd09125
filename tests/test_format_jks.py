"""keystoretool.formats.jks: JKS/JCEKS read+write, BKS/UBER read.

Reads the pyjks public corpus (fixtures/corpus/pyjks, passwords in its
README), keystores made by real keytool 17 and JDK 25 keytool, and hostile
bytes. Interop tests run real keytool 17 on what we write.
"""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from interop import FAST_JVM_FLAGS, keytool_path

from keystoretool.entries import Entry, PrivateKeyEntry, SecretKeyEntry, TrustedCertEntry
from keystoretool.errors import (
    FormatError,
    IntegrityError,
    KeystoreToolError,
    UnrecoverableKeyError,
)
from keystoretool.formats import jks as J

CORPUS = Path(__file__).resolve().parent.parent / "fixtures" / "corpus" / "pyjks"
TAMPERED = "Keystore was tampered with, or password was incorrect"
NON_ASCII_PW = "\u10da\u0028\u0ca0\u76ca\u0ca0\u10da\u0029"

needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="pyjks corpus not present")
interop = pytest.mark.interop
pytestmark = pytest.mark.filterwarnings(
    "ignore:Parsed a serial number which wasn't positive",  # old corpus certificates
    "ignore:the imp module is deprecated",  # twofish, used by pyjks for UBER
)


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


@pytest.fixture(scope="module")
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


@needs_corpus
@pytest.mark.parametrize("name", sorted(CORPUS_FILES))
def test_corpus_loads_with_password_and_keys_unseal(name: str) -> None:
    store_type, password, kinds, key_passwords = CORPUS_FILES[name]
    loaded = J.load(corpus(name), password, store_type)
    assert loaded.store_type == store_type
    assert loaded.verified is True
    assert {e.alias: e.kind for e in loaded.entries} == kinds
    for entry in loaded.entries:
        if isinstance(entry, TrustedCertEntry):
            x509.load_der_x509_certificate(entry.cert_der)
            continue
        assert entry.sealed is not None or entry.is_unlocked
        key = entry.unlock(key_passwords.get(entry.alias, password))
        if isinstance(entry, PrivateKeyEntry):
            entry.private_key()  # a real PKCS#8 key
            assert entry.chain_der, "key entries of the corpus all have chains"
            x509.load_der_x509_certificate(entry.chain_der[0])
        elif name in SECRET_ALGORITHMS:
            algorithm, size = SECRET_ALGORITHMS[name]
            assert entry.algorithm == algorithm
            assert len(key) == size


@needs_corpus
def test_corpus_bks_public_key_is_skipped_with_a_warning() -> None:
    loaded = J.load(corpus("bks/christmas.bksv1"), "12345678", "BKS")
    assert loaded.warnings == ["Entry <sealed_public_key> holds a public key; skipped"]


@needs_corpus
@pytest.mark.parametrize(
    "name",
    [
        "bks/custom_entry_passwords.bksv1",
        "bks/custom_entry_passwords.bksv2",
        "uber/custom_entry_passwords.uber",
    ],
)
def test_corpus_bks_custom_key_password(name: str) -> None:
    store_type = "UBER" if name.endswith("uber") else "BKS"
    loaded = J.load(corpus(name), "store_password", store_type)
    entries = {e.alias: e for e in loaded.entries}
    private = entries["sealed_private_key"]
    assert isinstance(private, PrivateKeyEntry)
    with pytest.raises(UnrecoverableKeyError, match="^Cannot recover key$"):
        private.unlock("store_password")
    private.unlock("private_password")
    private.private_key()


@needs_corpus
def test_corpus_jks_and_jceks_private_keys_are_the_same_key() -> None:
    a = J.load(corpus("jks/RSA2048_3certs.jks"), "12345678", "JKS").entries[0]
    b = J.load(corpus("jceks/RSA2048_3certs.jceks"), "12345678", "JCEKS").entries[0]
    assert isinstance(a, PrivateKeyEntry) and isinstance(b, PrivateKeyEntry)
    assert a.unlock("12345678") == b.unlock("12345678")
    assert a.chain_der == b.chain_der and len(a.chain_der) == 3


@needs_corpus
@pytest.mark.parametrize("name", [n for n, v in CORPUS_FILES.items() if v[0] != "UBER" and v[2]])
def test_corpus_without_password_reads_unverified(name: str) -> None:
    store_type, _password, kinds, _ = CORPUS_FILES[name]
    loaded = J.load(corpus(name), None, store_type)
    assert loaded.verified is False
    got = {e.alias: e.kind for e in loaded.entries}
    if store_type == "BKS":
        # BKS does not say what a sealed entry holds; without a password the
        # public key cannot be told from a secret key, so it is listed too.
        assert got.pop("sealed_public_key") == "SecretKeyEntry"
    assert got == kinds


@needs_corpus
def test_uber_without_password_is_a_clean_error() -> None:
    with pytest.raises(KeystoreToolError, match="UBER keystore cannot be read without"):
        J.load(corpus("uber/christmas.uber"), None, "UBER")


@needs_corpus
@pytest.mark.parametrize(
    "name",
    [
        "jks/RSA1024.jks",
        "jceks/AES128.jceks",
        "bks/christmas.bksv1",
        "bks/christmas.bksv2",
        "uber/christmas.uber",
        "jks/empty.jks",
    ],
)
def test_corpus_wrong_store_password(name: str) -> None:
    store_type = CORPUS_FILES[name][0]
    with pytest.raises(IntegrityError) as info:
        J.load(corpus(name), "wrong-password", store_type)
    assert str(info.value) == TAMPERED


@needs_corpus
@pytest.mark.parametrize(
    "name,alias",
    [
        ("jks/custom_entry_passwords.jks", "private"),
        ("jceks/custom_entry_passwords.jceks", "private"),
        ("jceks/custom_entry_passwords.jceks", "secret"),
        ("jceks/AES256.jceks", "mykey"),
        ("jceks/DSA2048.jceks", "mykey"),
        ("bks/christmas.bksv2", "sealed_secret_key"),
    ],
)
def test_corpus_wrong_key_password(name: str, alias: str) -> None:
    store_type, password, _, _ = CORPUS_FILES[name]
    entry = next(e for e in J.load(corpus(name), password, store_type).entries if e.alias == alias)
    assert isinstance(entry, (PrivateKeyEntry, SecretKeyEntry))
    for wrong in ("not-the-password", None, "\u00e9t\u00e9-non-ascii"):
        with pytest.raises(UnrecoverableKeyError) as info:
            entry.unlock(wrong)
        assert str(info.value) == "Cannot recover key"
    assert not entry.is_unlocked


@needs_corpus
@pytest.mark.parametrize("name", ["jks/duplicate_aliases.jks", "jceks/duplicate_aliases.jceks"])
def test_corpus_duplicate_aliases_refused(name: str) -> None:
    store_type = CORPUS_FILES.get(name, ("JKS" if name.endswith("jks") else "JCEKS",))[0]
    for password in ("12345678", None):
        with pytest.raises(FormatError, match="alias <my_alias> twice"):
            J.load(corpus(name), password, store_type)


@needs_corpus
def test_corpus_unknown_sealed_object_type_refused() -> None:
    with pytest.raises(FormatError, match="not a serialized SealedObject"):
        J.load(corpus("jceks/unknown_type_of_sealed_object.jceks"), "12345678", "JCEKS")


@needs_corpus
@pytest.mark.parametrize(
    "name,message",
    [
        ("jceks/unknown_sealed_object_sealAlg.jceks", "unsupported sealing algorithm"),
        ("jceks/unknown_type_inside_sealed_object.jceks", "unexpected sealed content"),
    ],
)
def test_corpus_odd_sealed_objects_list_but_do_not_unseal(name: str, message: str) -> None:
    # keytool -list does not open secret keys either; only recovery fails.
    loaded = J.load(corpus(name), "12345678", "JCEKS")
    (entry,) = loaded.entries
    assert isinstance(entry, SecretKeyEntry)
    with pytest.raises(UnrecoverableKeyError, match=message):
        entry.unlock("12345678")


@needs_corpus
def test_corpus_truststore_opens_without_password() -> None:
    # The corpus README's password for this file does not verify (keytool 17
    # agrees: "tampered with"); without a password it lists.
    with pytest.raises(IntegrityError):
        J.load(corpus("jks/truststore.jks"), "12345678", "JKS")
    loaded = J.load(corpus("jks/truststore.jks"), None, "JKS")
    assert loaded.entries and all(e.kind == "trustedCertEntry" for e in loaded.entries)


@needs_corpus
def test_jceks_file_refused_as_jks() -> None:
    with pytest.raises(FormatError, match="^Invalid keystore format$"):
        J.load(corpus("jceks/RSA1024.jceks"), "12345678", "JKS")


@needs_corpus
def test_load_keeps_timestamps() -> None:
    loaded = J.load(corpus("jks/RSA1024.jks"), "12345678", "JKS")
    created = loaded.entries[0].created
    assert created.tzinfo is not None
    assert datetime(2016, 1, 1, tzinfo=UTC) < created < datetime(2017, 1, 1, tzinfo=UTC)


# ---------------------------------------------------------------- hostile input


def _small_jks(material: dict[str, tuple[bytes, bytes]]) -> bytes:
    pkcs8, cert = material["alpha"]
    entries: list[Entry] = [
        PrivateKeyEntry("key", chain_der=[cert], pkcs8=pkcs8),
        TrustedCertEntry("ca", cert_der=material["bravo"][1]),
    ]
    return J.dump("JKS", entries, "changeit", None)


def test_every_truncation_is_a_clean_error(material: dict[str, tuple[bytes, bytes]]) -> None:
    data = _small_jks(material)
    for cut in range(len(data)):
        for password in ("changeit", None):
            try:
                J.load(data[:cut], password, "JKS")
            except KeystoreToolError as exc:
                assert "\n" not in str(exc)
            else:
                # Without a password the trailer is not read (keytool -list does
                # the same), so only the digest may be missing.
                assert password is None and cut >= len(data) - 20


def test_truncated_message(material: dict[str, tuple[bytes, bytes]]) -> None:
    data = _small_jks(material)
    with pytest.raises(FormatError, match="^Keystore file is truncated or corrupt$"):
        J.load(data[:300], "changeit", "JKS")


def test_every_byte_flip_is_detected(material: dict[str, tuple[bytes, bytes]]) -> None:
    data = _small_jks(material)
    for i in range(0, len(data), 7):
        bad = bytearray(data)
        bad[i] ^= 0x01
        with pytest.raises(KeystoreToolError):
            J.load(bytes(bad), "changeit", "JKS")


def test_tampered_body_reports_integrity(material: dict[str, tuple[bytes, bytes]]) -> None:
    data = bytearray(_small_jks(material))
    data[-100] ^= 0xFF  # inside the last certificate
    with pytest.raises(IntegrityError, match=f"^{TAMPERED}$"):
        J.load(bytes(data), "changeit", "JKS")


@pytest.mark.parametrize(
    "data,message",
    [
        (b"\xfe\xed\xfe\xed\x00\x00\x00\x02\x7f\xff\xff\xff", "truncated"),
        (
            b"\xfe\xed\xfe\xed\x00\x00\x00\x02\x00\x00\x00\x01"
            + b"\x00\x00\x00\x01\x00\x01a"
            + b"\x00" * 8
            + b"\xff\xff\xff\xf0"
            + b"\x00" * 64,
            "truncated",
        ),
        (b"\xfe\xed\xfe\xed\x00\x00\x00\x07\x00\x00\x00\x00", "Invalid keystore format"),
        (
            b"\xfe\xed\xfe\xed\x00\x00\x00\x02\x00\x00\x00\x01"
            + b"\x00\x00\x00\x09\x00\x01a"
            + b"\x00" * 40,
            "Unrecognized keystore entry: 9",
        ),
        (
            b"\xfe\xed\xfe\xed\x00\x00\x00\x02\x00\x00\x00\x01"
            + b"\x00\x00\x00\x03\x00\x01a"
            + b"\x00" * 40,
            "Unrecognized keystore entry: 3",
        ),
        (b"hello world", "Invalid keystore format"),
        (b"", "Invalid keystore format"),
    ],
)
def test_malformed_headers(data: bytes, message: str) -> None:
    for password in ("changeit", None):
        with pytest.raises(FormatError, match=message):
            J.load(data, password, "JKS")


def test_huge_chain_count_is_bounded() -> None:
    body = (
        b"\xfe\xed\xfe\xed\x00\x00\x00\x02\x00\x00\x00\x01"
        + b"\x00\x00\x00\x01\x00\x01a"
        + b"\x00" * 8
        + b"\x00\x00\x00\x02\x30\x00"
        + b"\x7f\xff\xff\xff"
        + b"\x00" * 40
    )
    with pytest.raises(FormatError, match="truncated"):
        J.load(body, None, "JKS")


def test_jceks_garbage_secret_entry() -> None:
    body = (
        b"\xce\xce\xce\xce\x00\x00\x00\x02\x00\x00\x00\x01"
        + b"\x00\x00\x00\x03\x00\x01a"
        + b"\x00" * 8
        + b"\xac\xed\x00\x05\x73\x72"
        + b"\xff" * 60
    )
    with pytest.raises(FormatError):
        J.load(body, None, "JCEKS")


@needs_corpus
@pytest.mark.parametrize(
    "name", ["bks/christmas.bksv1", "uber/christmas.uber", "jceks/custom_entry_passwords.jceks"]
)
def test_truncated_other_formats(name: str) -> None:
    store_type, password, _, _ = CORPUS_FILES[name]
    data = corpus(name)
    for cut in (0, 3, 4, 10, 30, 100, len(data) // 2, len(data) - 21, len(data) - 1):
        with pytest.raises(KeystoreToolError):
            J.load(data[:cut], password, store_type)


# ---------------------------------------------------------------- writing


def test_jks_round_trip(material: dict[str, tuple[bytes, bytes]]) -> None:
    pkcs8, cert = material["alpha"]
    created = datetime(2024, 5, 6, 7, 8, 9, 123000, tzinfo=UTC)
    entries: list[Entry] = [
        PrivateKeyEntry(
            "MyKey",
            created,
            chain_der=[cert, material["bravo"][1]],
            pkcs8=pkcs8,
            key_password="keypass1",
        ),
        TrustedCertEntry("Root", created, cert_der=material["charlie"][1]),
    ]
    data = J.dump("JKS", entries, "storepass", None)
    assert data[:4] == b"\xfe\xed\xfe\xed"
    loaded = J.load(data, "storepass", "JKS")
    got = {e.alias: e for e in loaded.entries}
    assert set(got) == {"mykey", "root"}
    key = got["mykey"]
    assert isinstance(key, PrivateKeyEntry)
    assert key.created == created
    assert key.chain_der == [cert, material["bravo"][1]]
    with pytest.raises(UnrecoverableKeyError):
        key.unlock("storepass")
    assert key.unlock("keypass1") == pkcs8
    root = got["root"]
    assert isinstance(root, TrustedCertEntry) and root.cert_der == material["charlie"][1]
    # Untouched entries are carried byte for byte: dump(load(x)) == x.
    assert J.dump("JKS", loaded.entries, "storepass", None) == J.dump(
        "JKS", J.load(data, "storepass", "JKS").entries, "storepass", None
    )


def test_untouched_key_keeps_its_blob_and_key_password(
    material: dict[str, tuple[bytes, bytes]],
) -> None:
    pkcs8, cert = material["alpha"]
    data = J.dump(
        "JKS",
        [PrivateKeyEntry("k", chain_der=[cert], pkcs8=pkcs8, key_password="own-pass")],
        "store1",
        None,
    )
    (entry,) = J.load(data, "store1", "JKS").entries
    assert isinstance(entry, PrivateKeyEntry) and isinstance(entry.sealed, J.JksSealedPrivateKey)
    blob = entry.sealed.blob
    entry.unlock("own-pass")  # looking at the key does not change it
    again = J.dump("JKS", [entry], "store2", None)  # new store password
    (reloaded,) = J.load(again, "store2", "JKS").entries
    assert isinstance(reloaded, PrivateKeyEntry)
    assert isinstance(reloaded.sealed, J.JksSealedPrivateKey)
    assert reloaded.sealed.blob == blob
    assert reloaded.unlock("own-pass") == pkcs8


def test_changed_key_is_reprotected(material: dict[str, tuple[bytes, bytes]]) -> None:
    pkcs8, cert = material["alpha"]
    data = J.dump("JKS", [PrivateKeyEntry("k", chain_der=[cert], pkcs8=pkcs8)], "store1", None)
    (entry,) = J.load(data, "store1", "JKS").entries
    assert isinstance(entry, PrivateKeyEntry)
    entry.set_key(material["bravo"][0], [material["bravo"][1]])
    entry.key_password = "new-key-pw"
    (reloaded,) = J.load(J.dump("JKS", [entry], "store1", None), "store1", "JKS").entries
    assert isinstance(reloaded, PrivateKeyEntry)
    assert reloaded.unlock("new-key-pw") == material["bravo"][0]


def test_trailer_digest_is_keytools(material: dict[str, tuple[bytes, bytes]]) -> None:
    import hashlib

    data = _small_jks(material)
    expected = hashlib.sha1(
        "changeit".encode("utf-16-be") + b"Mighty Aphrodite" + data[:-20]
    ).digest()
    assert data[-20:] == expected


def test_aliases_written_lower_case(material: dict[str, tuple[bytes, bytes]]) -> None:
    entries: list[Entry] = [
        TrustedCertEntry("ÉCOLE-CA", cert_der=material["alpha"][1]),
        TrustedCertEntry("İx", cert_der=material["bravo"][1]),
    ]
    data = J.dump("JKS", entries, "changeit", None)
    assert sorted(file_order(data)) == sorted(["école-ca", "i̇x"])


def test_modified_utf8_aliases_round_trip(material: dict[str, tuple[bytes, bytes]]) -> None:
    aliases = ["nul\0inside", "emoji-\U0001f511", "ascii"]
    entries: list[Entry] = [TrustedCertEntry(a, cert_der=material["alpha"][1]) for a in aliases]
    data = J.dump("JKS", entries, "changeit", None)
    assert "\U0001f511".encode("utf-8") not in data  # CESU-8 style surrogates, as Java writes
    assert b"nul\xc0\x80inside" in data
    assert sorted(file_order(data)) == sorted(aliases)


def test_jks_refuses_secret_keys() -> None:
    entry = SecretKeyEntry("aes", algorithm="AES", key=b"\x01" * 16)
    with pytest.raises(KeystoreToolError, match="^Cannot store non-PrivateKeys$"):
        J.dump("JKS", [entry], "changeit", None)


def test_dump_needs_a_password(material: dict[str, tuple[bytes, bytes]]) -> None:
    with pytest.raises(KeystoreToolError):
        J.dump("JKS", [TrustedCertEntry("a", cert_der=material["alpha"][1])], None, None)


def test_dump_refuses_bks() -> None:
    with pytest.raises(KeystoreToolError, match="not supported"):
        J.dump("BKS", [], "changeit", None)


def test_jceks_round_trip_new_keys(material: dict[str, tuple[bytes, bytes]]) -> None:
    pkcs8, cert = material["alpha"]
    entries: list[Entry] = [
        PrivateKeyEntry("key", chain_der=[cert], pkcs8=pkcs8),
        SecretKeyEntry("aes", algorithm="AES", key=bytes(range(16)), key_password="secretpw"),
        TrustedCertEntry("ca", cert_der=material["bravo"][1]),
    ]
    data = J.dump("JCEKS", entries, "storepass", None)
    assert data[:4] == b"\xce\xce\xce\xce"
    loaded = {e.alias: e for e in J.load(data, "storepass", "JCEKS").entries}
    key = loaded["key"]
    assert isinstance(key, PrivateKeyEntry) and key.unlock("storepass") == pkcs8
    oid, params, _ = J.parse_epki(key.sealed.blob)  # type: ignore[union-attr]
    assert oid == J.PBE_MD5_3DES_OID and params is not None
    salt, iterations = J.parse_pbe_params(params)
    assert len(salt) == 8 and iterations == 200_000
    secret = loaded["aes"]
    assert isinstance(secret, SecretKeyEntry) and secret.algorithm is None  # sealed until opened
    with pytest.raises(UnrecoverableKeyError):
        secret.unlock("storepass")
    assert secret.unlock("secretpw") == bytes(range(16))
    assert secret.algorithm == "AES"
    # carried byte for byte
    again = J.dump("JCEKS", list(loaded.values()), "storepass", None)
    assert again == J.dump("JCEKS", J.load(again, "storepass", "JCEKS").entries, "storepass", None)


def test_jceks_secret_key_with_unknown_algorithm_is_refused() -> None:
    with pytest.raises(KeystoreToolError, match="algorithm is unknown"):
        J.dump("JCEKS", [SecretKeyEntry("s", key=b"\x00" * 16)], "changeit", None)


def test_jceks_non_ascii_key_password_refused(material: dict[str, tuple[bytes, bytes]]) -> None:
    pkcs8, cert = material["alpha"]
    entry = PrivateKeyEntry("k", chain_der=[cert], pkcs8=pkcs8, key_password="pässwort")
    with pytest.raises(KeystoreToolError, match="^Password is not ASCII$"):
        J.dump("JCEKS", [entry], "changeit", None)


@needs_corpus
def test_jks_key_converted_to_jceks_and_back(material: dict[str, tuple[bytes, bytes]]) -> None:
    entries = J.load(corpus("jks/RSA1024.jks"), "12345678", "JKS").entries
    jceks = J.dump("JCEKS", entries, "12345678", None)  # needs the key: unseals with store pw
    (entry,) = J.load(jceks, "12345678", "JCEKS").entries
    assert isinstance(entry, PrivateKeyEntry)
    assert J.parse_epki(entry.sealed.blob)[0] == J.PBE_MD5_3DES_OID  # type: ignore[union-attr]
    back = J.dump("JKS", [entry], "12345678", None)
    (entry2,) = J.load(back, "12345678", "JKS").entries
    original = J.load(corpus("jks/RSA1024.jks"), "12345678", "JKS").entries[0]
    assert isinstance(original, PrivateKeyEntry)
    assert entry2.unlock("12345678") == original.unlock("12345678")  # type: ignore[union-attr]


@needs_corpus
def test_corpus_jceks_secret_keys_carried_unchanged() -> None:
    data = corpus("jceks/custom_entry_passwords.jceks")
    entries = J.load(data, "store_password", "JCEKS").entries
    out = J.dump("JCEKS", entries, "store_password", None)

    def blobs(items: list[Entry]) -> dict[str, bytes]:
        found: dict[str, bytes] = {}
        for e in items:
            sealed = getattr(e, "sealed", None)
            if isinstance(sealed, (J.JksSealedPrivateKey, J.JceksSealedSecretKey)):
                found[e.alias] = sealed.blob
        return found

    before = blobs(entries)
    assert set(before) == {"private", "secret"}
    assert blobs(J.load(out, "store_password", "JCEKS").entries) == before
    secret = next(e for e in J.load(out, "store_password", "JCEKS").entries if e.alias == "secret")
    assert isinstance(secret, SecretKeyEntry)
    assert len(secret.unlock("secret_password")) == 16 and secret.algorithm == "AES"


def test_hashtable_order_matches_reference_examples() -> None:
    # Values from a java.util.Hashtable order reference script (checked
    # against keytool's file order) for file orders of 3, 12 and 20 aliases.
    assert J.hashtable_order(["des3", "hmac", "aes", "rsa"]) == ["des3", "rsa", "aes", "hmac"]
    names = "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima".split()
    assert J.hashtable_order(names) == J.hashtable_order(list(names))
    assert sorted(J.hashtable_order(names)) == sorted(names)
    many = [f"alias{i}" for i in range(2000)]
    assert sorted(J.hashtable_order(many)) == sorted(many)


def test_datetime_ms_round_trip() -> None:
    when = datetime(2026, 11, 27, 12, 45, 36, 216000, tzinfo=UTC)
    assert J.ms_to_datetime(J.datetime_to_ms(when)) == when
    assert J.datetime_to_ms(when) == 1795783536216


def test_thousand_entries_load_without_heavy_imports(
    material: dict[str, tuple[bytes, bytes]], tmp_path: Path
) -> None:
    pkcs8, cert = material["alpha"]
    entries: list[Entry] = []
    for i in range(500):
        entries.append(TrustedCertEntry(f"ca{i}", cert_der=cert))
        entries.append(PrivateKeyEntry(f"key{i}", chain_der=[cert], pkcs8=pkcs8))
    path = tmp_path / "big.jks"
    path.write_bytes(J.dump("JKS", entries, "changeit", None))
    code = (
        "import sys, time\n"
        "from keystoretool.formats import jks\n"
        f"data = open({str(path)!r}, 'rb').read()\n"
        "t = time.perf_counter()\n"
        "loaded = jks.load(data, 'changeit', 'JKS')\n"
        "elapsed = time.perf_counter() - t\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('jks', 'javaobj', 'cryptography', 'pyasn1', 'pyasn1_modules', 'Cryptodome'))\n"
        "print(json.dumps([len(loaded.entries), heavy, elapsed]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", "import json\n" + code], capture_output=True, text=True, check=True
    )
    count, heavy, _elapsed = json.loads(out.stdout)
    assert count == 1000
    assert heavy == []


# ---------------------------------------------------------------- interop: keytool 17


@pytest.fixture(scope="module")
def keytool_jks(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A JKS made by keytool 17: a key with the store password, a key with its
    own password (keypass2), and a trusted certificate."""
    d = tmp_path_factory.mktemp("ktjks")
    ks = d / "kt.jks"
    common: list[str | Path] = ["-keystore", ks, "-storetype", "JKS", "-storepass", "changeit"]
    keytool_ok(
        "-genkeypair",
        *common,
        "-alias",
        "Server",
        "-keyalg",
        "EC",
        "-dname",
        "CN=server",
        "-keypass",
        "changeit",
    )
    keytool_ok(
        "-genkeypair",
        *common,
        "-alias",
        "diffpw",
        "-keyalg",
        "RSA",
        "-keysize",
        "2048",
        "-dname",
        "CN=diffpw",
        "-keypass",
        "keypass2",
    )
    keytool_ok("-exportcert", *common, "-alias", "server", "-file", d / "server.der")
    keytool_ok("-importcert", *common, "-alias", "RootCA", "-file", d / "server.der", "-noprompt")
    return ks


@interop
def test_keytool_jks_loads_and_unseals(keytool_jks: Path) -> None:
    loaded = J.load(keytool_jks.read_bytes(), "changeit", "JKS")
    entries = {e.alias: e for e in loaded.entries}
    assert {a: e.kind for a, e in entries.items()} == {
        "server": "PrivateKeyEntry",
        "diffpw": "PrivateKeyEntry",
        "rootca": "trustedCertEntry",
    }
    server, diffpw = entries["server"], entries["diffpw"]
    assert isinstance(server, PrivateKeyEntry) and isinstance(diffpw, PrivateKeyEntry)
    server.unlock("changeit")
    server.private_key()
    with pytest.raises(UnrecoverableKeyError, match="^Cannot recover key$"):
        diffpw.unlock("changeit")
    diffpw.unlock("keypass2")
    assert diffpw.chain[0].public_key().public_numbers() == (  # type: ignore[union-attr]
        diffpw.private_key().public_key().public_numbers()  # type: ignore[union-attr]
    )


@interop
def test_keytool_resave_is_byte_identical_to_ours(keytool_jks: Path, tmp_path: Path) -> None:
    """keytool loading our bytes and storing them again writes exactly what we write
    for the same entries: same Hashtable order, timestamps, carried key blobs, digest."""
    ours = J.dump(
        "JKS", J.load(keytool_jks.read_bytes(), "changeit", "JKS").entries, "changeit", None
    )
    copy = tmp_path / "resaved.jks"
    copy.write_bytes(ours)
    keytool_ok("-storepasswd", "-keystore", copy, "-storepass", "changeit", "-new", "changeit")
    resaved = copy.read_bytes()
    assert J.dump("JKS", J.load(ours, "changeit", "JKS").entries, "changeit", None) == resaved


@interop
def test_keytool_reads_what_we_write(
    keytool_jks: Path, material: dict[str, tuple[bytes, bytes]], tmp_path: Path
) -> None:
    entries = J.load(keytool_jks.read_bytes(), "changeit", "JKS").entries
    pkcs8, cert = material["alpha"]
    entries.append(
        PrivateKeyEntry("NewKey", chain_der=[cert], pkcs8=pkcs8, key_password="newkeypw")
    )
    entries.append(
        PrivateKeyEntry("samepw", chain_der=[material["bravo"][1]], pkcs8=material["bravo"][0])
    )
    entries.append(TrustedCertEntry("Extra", cert_der=material["charlie"][1]))
    for i in range(12):  # enough to make the Hashtable rehash
        entries.append(TrustedCertEntry(f"t{i}", cert_der=material["charlie"][1]))
    path = tmp_path / "ours.jks"
    path.write_bytes(J.dump("JKS", entries, "changeit", None))
    listed = listed_entries(path, "changeit", "JKS")
    assert listed == {
        "server": "PrivateKeyEntry",
        "diffpw": "PrivateKeyEntry",
        "rootca": "trustedCertEntry",
        "newkey": "PrivateKeyEntry",
        "samepw": "PrivateKeyEntry",
        "extra": "trustedCertEntry",
        **{f"t{i}": "trustedCertEntry" for i in range(12)},
    }
    common: list[str | Path] = ["-keystore", path, "-storepass", "changeit"]
    # keys with their own passwords: the carried one and the new one
    req = keytool_ok("-certreq", *common, "-alias", "diffpw", "-keypass", "keypass2")
    assert "BEGIN NEW CERTIFICATE REQUEST" in req
    req = keytool_ok("-certreq", *common, "-alias", "newkey", "-keypass", "newkeypw")
    assert "BEGIN NEW CERTIFICATE REQUEST" in req
    bad = keytool("-certreq", *common, "-alias", "newkey", "-keypass", "changeit")
    assert "Cannot recover key" in bad.stdout
    req = keytool_ok("-certreq", *common, "-alias", "samepw")
    assert "BEGIN NEW CERTIFICATE REQUEST" in req
    exported = keytool_ok("-exportcert", "-rfc", *common, "-alias", "newkey")
    assert (
        x509.load_pem_x509_certificate(exported.encode()).public_bytes(serialization.Encoding.DER)
        == cert
    )


@pytest.fixture(scope="module")
def keytool_jceks(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A JCEKS made by keytool 17: RSA key, AES key, HmacSHA256 key with its own password."""
    d = tmp_path_factory.mktemp("ktjceks")
    ks = d / "kt.jceks"
    common: list[str | Path] = ["-keystore", ks, "-storetype", "JCEKS", "-storepass", "changeit"]
    keytool_ok(
        "-genkeypair",
        *common,
        "-alias",
        "rsa",
        "-keyalg",
        "RSA",
        "-keysize",
        "2048",
        "-dname",
        "CN=rsa",
        "-keypass",
        "changeit",
    )
    keytool_ok(
        "-genseckey",
        *common,
        "-alias",
        "aes",
        "-keyalg",
        "AES",
        "-keysize",
        "128",
        "-keypass",
        "changeit",
    )
    keytool_ok(
        "-genseckey",
        *common,
        "-alias",
        "hmac",
        "-keyalg",
        "HmacSHA256",
        "-keysize",
        "256",
        "-keypass",
        "hmacpass",
    )
    return ks


@interop
def test_keytool_jceks_loads_and_unseals(keytool_jceks: Path) -> None:
    entries = {e.alias: e for e in J.load(keytool_jceks.read_bytes(), "changeit", "JCEKS").entries}
    assert {a: e.kind for a, e in entries.items()} == {
        "rsa": "PrivateKeyEntry",
        "aes": "SecretKeyEntry",
        "hmac": "SecretKeyEntry",
    }
    entries["rsa"].unlock("changeit")  # type: ignore[union-attr]
    entries["rsa"].private_key()  # type: ignore[union-attr]
    assert len(entries["aes"].unlock("changeit")) == 16  # type: ignore[union-attr]
    assert entries["aes"].algorithm == "AES"  # type: ignore[union-attr]
    with pytest.raises(UnrecoverableKeyError):
        entries["hmac"].unlock("changeit")  # type: ignore[union-attr]
    assert len(entries["hmac"].unlock("hmacpass")) == 32  # type: ignore[union-attr]
    assert entries["hmac"].algorithm == "HmacSHA256"  # type: ignore[union-attr]


@interop
def test_keytool_reads_our_jceks_with_new_and_carried_keys(
    keytool_jceks: Path, material: dict[str, tuple[bytes, bytes]], tmp_path: Path
) -> None:
    entries = J.load(keytool_jceks.read_bytes(), "changeit", "JCEKS").entries
    pkcs8, cert = material["alpha"]
    entries.append(PrivateKeyEntry("newrsa", chain_der=[cert], pkcs8=pkcs8))
    entries.append(SecretKeyEntry("newaes", algorithm="AES", key=bytes(range(32))))
    entries.append(
        SecretKeyEntry("newdes3", algorithm="DESede", key=bytes(range(24)), key_password="des3pass")
    )
    entries.append(TrustedCertEntry("ca", cert_der=material["bravo"][1]))
    path = tmp_path / "ours.jceks"
    path.write_bytes(J.dump("JCEKS", entries, "changeit", None))
    assert listed_entries(path, "changeit", "JCEKS") == {
        "rsa": "PrivateKeyEntry",
        "aes": "SecretKeyEntry",
        "hmac": "SecretKeyEntry",
        "newrsa": "PrivateKeyEntry",
        "newaes": "SecretKeyEntry",
        "newdes3": "SecretKeyEntry",
        "ca": "trustedCertEntry",
    }
    # keytool recovers every key (carried and new) when it imports the store;
    # the two keys with their own passwords are answered at its prompts.
    p12 = tmp_path / "out.p12"
    res = keytool(
        "-importkeystore",
        "-srckeystore",
        path,
        "-srcstoretype",
        "JCEKS",
        "-srcstorepass",
        "changeit",
        "-destkeystore",
        p12,
        "-deststoretype",
        "PKCS12",
        "-deststorepass",
        "changeit",
        "-noprompt",
        stdin="".join(
            {"hmac": "hmacpass\n", "newdes3": "des3pass\n"}.get(a, "")
            for a in file_order(path.read_bytes())
        ),
    )
    assert res.returncode == 0, res.stdout + res.stderr
    assert "7 entries successfully imported, 0 entries failed or cancelled" in res.stderr
    assert listed_entries(p12, "changeit", "PKCS12") == {
        "rsa": "PrivateKeyEntry",
        "aes": "SecretKeyEntry",
        "hmac": "SecretKeyEntry",
        "newrsa": "PrivateKeyEntry",
        "newaes": "SecretKeyEntry",
        "newdes3": "SecretKeyEntry",
        "ca": "trustedCertEntry",
    }
    req = keytool_ok(
        "-certreq",
        "-keystore",
        path,
        "-storetype",
        "JCEKS",
        "-storepass",
        "changeit",
        "-alias",
        "newrsa",
    )
    assert "BEGIN NEW CERTIFICATE REQUEST" in req


@interop
def test_keytool_jceks_resave_is_byte_identical_to_ours(
    keytool_jceks: Path, tmp_path: Path
) -> None:
    ours = J.dump(
        "JCEKS", J.load(keytool_jceks.read_bytes(), "changeit", "JCEKS").entries, "changeit", None
    )
    copy = tmp_path / "resaved.jceks"
    copy.write_bytes(ours)
    keytool_ok(
        "-storepasswd",
        "-keystore",
        copy,
        "-storetype",
        "JCEKS",
        "-storepass",
        "changeit",
        "-new",
        "changeit",
    )
    assert (
        J.dump("JCEKS", J.load(ours, "changeit", "JCEKS").entries, "changeit", None)
        == copy.read_bytes()
    )


# ---------------------------------------------------------------- interop: JDK 25 keytool


@interop
@pytest.mark.require_keytool("25")
def test_jdk25_jks_loads_unseals_and_is_carried(tmp_path: Path) -> None:
    ks = tmp_path / "j25.jks"
    keytool_ok(
        "-genkeypair",
        "-keystore",
        ks,
        "-storetype",
        "JKS",
        "-storepass",
        "changeit",
        "-keypass",
        "k25-pass",
        "-alias",
        "k25",
        "-keyalg",
        "EC",
        "-dname",
        "CN=k25",
        tool="25",
    )
    loaded = J.load(ks.read_bytes(), "changeit", "JKS")
    (entry,) = loaded.entries
    assert isinstance(entry, PrivateKeyEntry) and isinstance(entry.sealed, J.JksSealedPrivateKey)
    oid, params, _ = J.parse_epki(entry.sealed.blob)
    assert oid == J.SUN_KEY_PROTECTOR_OID and params is None  # pyjks #79 shape
    with pytest.raises(UnrecoverableKeyError):
        entry.unlock("changeit")
    entry.unlock("k25-pass")
    assert entry.chain[0].public_key() == entry.private_key().public_key()
    # Carried as is, keytool 17 still reads it.
    out = tmp_path / "carried.jks"
    out.write_bytes(J.dump("JKS", loaded.entries, "changeit", None))
    req = keytool_ok(
        "-certreq",
        "-keystore",
        out,
        "-storepass",
        "changeit",
        "-alias",
        "k25",
        "-keypass",
        "k25-pass",
    )
    assert "BEGIN NEW CERTIFICATE REQUEST" in req


@needs_corpus
def test_uber_detected_as_bks_is_read_as_uber() -> None:
    # formats.detect() says "BKS" for any file starting with the int 1 or 2;
    # an UBER store (also version 1) is recognised when BKS parsing fails.
    data = corpus("uber/christmas.uber")
    loaded = J.load(data, "12345678", "BKS")
    assert loaded.store_type == "UBER"
    assert {e.alias for e in loaded.entries} == set(CORPUS_FILES["uber/christmas.uber"][2])
    with pytest.raises(IntegrityError, match=f"^{TAMPERED}$"):
        J.load(data, "wrong-password", "BKS")
    with pytest.raises(FormatError, match="UBER keystore cannot be read without its password"):
        J.load(data, None, "BKS")


@needs_corpus
def test_bks_through_the_format_dispatcher() -> None:
    from keystoretool import formats

    loaded = formats.load(corpus("bks/christmas.bksv2"), "12345678")
    assert loaded.store_type == "BKS"
    loaded = formats.load(corpus("uber/christmas.uber"), "12345678")
    assert loaded.store_type == "UBER"
    loaded = formats.load(corpus("jceks/AES128.jceks"), "12345678", "JCEKS")
    assert loaded.store_type == "JCEKS"
    loaded = formats.load(corpus("jks/RSA1024.jks"), "12345678", "JCEKS")
    assert loaded.store_type == "JKS"  # JCEKS reads JKS files; they stay JKS


def test_bks_hostile_iteration_count_is_refused_fast() -> None:
    data = struct.pack(">II", 2, 20) + b"\x00" * 20 + b"\xff\xff\xff\xff" + b"\x00" * 21
    for password in ("changeit", None):
        with pytest.raises(FormatError, match="iteration count too large"):
            J.load(data, password, "BKS")


@needs_corpus
def test_broken_sealed_object_is_one_clean_error(capfd: pytest.CaptureFixture[str]) -> None:
    data = bytearray(corpus("jceks/custom_entry_passwords.jceks"))
    start = data.index(b"com.sun.crypto.provider.SealedObjectForKeyProtector")
    data[start] = ord("x")  # not the JDK's layout any more: parsed by javaobj
    cut = bytes(data[: start + 300])  # and truncated inside the object
    with pytest.raises(FormatError, match="^Invalid secret key entry"):
        J.load(cut, None, "JCEKS")
    out, err = capfd.readouterr()
    assert out == "" and err == ""  # javaobj's "Oops state dump" logging is silenced


@needs_corpus
def test_case_variants_of_one_alias_are_duplicates() -> None:
    data = bytearray(corpus("jks/3certs.jks"))
    data[data.index(b"cert2")] = ord("C")  # "Cert2" is "cert2" to Java
    data[data.index(b"cert3") + 4] = ord("2")  # and "cert3" becomes "cert2"
    with pytest.raises(FormatError, match="twice"):
        J.load(bytes(data), None, "JKS")


JAVA_DUMP_KEYS = """
import java.io.FileInputStream;
import java.security.Key;
import java.security.KeyStore;

public class DumpKeys {
    public static void main(String[] a) throws Exception {
        KeyStore ks = KeyStore.getInstance(a[1]);
        try (FileInputStream in = new FileInputStream(a[0])) {
            ks.load(in, a[2].toCharArray());
        }
        for (int i = 3; i < a.length; i += 2) {
            Key k = ks.getKey(a[i], a[i + 1].toCharArray());
            StringBuilder hex = new StringBuilder();
            for (byte b : k.getEncoded()) hex.append(String.format("%02x", b));
            System.out.println(a[i] + " " + k.getAlgorithm() + " " + k.getFormat() + " " + hex);
        }
    }
}
"""


@interop
@pytest.mark.require_keytool("17")
def test_java_recovers_the_exact_keys_we_seal(
    keytool_jceks: Path, material: dict[str, tuple[bytes, bytes]], tmp_path: Path
) -> None:
    """The JDK's own JceKeyStore opens our SealedObjects and PBEWithMD5AndTripleDES
    keys and gets back exactly our key bytes; and we read keytool's keys exactly
    as the JDK does."""
    entries = J.load(keytool_jceks.read_bytes(), "changeit", "JCEKS").entries
    entries += [
        SecretKeyEntry("newaes", algorithm="AES", key=bytes(range(32))),
        SecretKeyEntry("newdes3", algorithm="DESede", key=bytes(range(24)), key_password="d3pass"),
        SecretKeyEntry("newhmac", algorithm="HmacSHA512", key=b"\xa5" * 64),
        PrivateKeyEntry("newkey", chain_der=[material["alpha"][1]], pkcs8=material["alpha"][0]),
    ]
    path = tmp_path / "ours.jceks"
    path.write_bytes(J.dump("JCEKS", entries, "changeit", None))
    source = tmp_path / "DumpKeys.java"
    source.write_text(JAVA_DUMP_KEYS)
    passwords = {
        "aes": "changeit",
        "hmac": "hmacpass",
        "newaes": "changeit",
        "newdes3": "d3pass",
        "newhmac": "changeit",
        "newkey": "changeit",
        "rsa": "changeit",
    }
    args = [a for alias, pw in passwords.items() for a in (alias, pw)]
    env = dict(os.environ, LANG="C.UTF-8")
    env.pop("JAVA_TOOL_OPTIONS", None)
    res = subprocess.run(
        [str(Path(keytool_path("17")).resolve().parent / "java"), str(source), str(path), "JCEKS", "changeit", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert res.returncode == 0, res.stderr
    java = {line.split()[0]: line.split()[1:] for line in res.stdout.splitlines()}
    ours = {e.alias: e for e in J.load(path.read_bytes(), "changeit", "JCEKS").entries}
    for alias, pw in passwords.items():
        entry = ours[alias]
        assert isinstance(entry, (PrivateKeyEntry, SecretKeyEntry))
        algorithm, fmt, hexkey = java[alias]
        key = entry.unlock(pw)
        if isinstance(entry, SecretKeyEntry):
            assert fmt == "RAW"
            assert (entry.algorithm, key.hex()) == (algorithm, hexkey)
        else:
            assert fmt == "PKCS#8"
            from cryptography.hazmat.primitives.serialization import load_der_private_key

            theirs = load_der_private_key(bytes.fromhex(hexkey), None)
            assert theirs.private_numbers() == entry.private_key().private_numbers()  # type: ignore[union-attr]


@needs_corpus
def test_random_corruption_never_escapes_as_a_traceback() -> None:
    import random

    rng = random.Random(20261127)
    sources = [
        ("jks/custom_entry_passwords.jks", "JKS"),
        ("jceks/custom_entry_passwords.jceks", "JCEKS"),
        ("jceks/AES256.jceks", "JCEKS"),
        ("bks/christmas.bksv2", "BKS"),
    ]
    for _ in range(400):
        name, store_type = rng.choice(sources)
        data = bytearray(corpus(name))
        for _ in range(rng.randint(1, 4)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        if rng.random() < 0.3:
            data = data[: rng.randrange(len(data))]
        try:
            loaded = J.load(
                bytes(data), rng.choice([None, "store_password", "12345678"]), store_type
            )
        except KeystoreToolError as exc:
            assert str(exc) and "\n" not in str(exc)
            continue
        for entry in loaded.entries:
            if isinstance(entry, PrivateKeyEntry) and store_type == "JKS":
                try:
                    entry.unlock("private_password")
                except KeystoreToolError as exc:
                    assert "\n" not in str(exc)


def test_version_1_jks_without_certificate_types(material: dict[str, tuple[bytes, bytes]]) -> None:
    cert = material["alpha"][1]
    body = (
        struct.pack(">III", 0xFEEDFEED, 1, 1)
        + struct.pack(">IH", 2, 2)
        + b"ca"
        + struct.pack(">q", 1_000_000_000_000)
        + struct.pack(">I", len(cert))
        + cert
    )
    data = body + J.store_digest("changeit", body)
    (entry,) = J.load(data, "changeit", "JKS").entries
    assert isinstance(entry, TrustedCertEntry) and entry.cert_der == cert
    assert entry.created == datetime(2001, 9, 9, 1, 46, 40, tzinfo=UTC)
    # written back as version 2, with the "X.509" type strings
    out = J.dump("JKS", [entry], "changeit", None)
    assert out[4:8] == b"\x00\x00\x00\x02" and b"X.509" in out
