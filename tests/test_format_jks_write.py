"""keystoretool.formats.jks writing JKS and JCEKS: round trips, untouched keys
keep their blobs, keytool's trailer digest, alias case, file order.
"""

from __future__ import annotations

import json
import struct
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from jkshelpers import (
    _small_jks,
    corpus,
    file_order,
    needs_corpus,
)

from keystoretool.entries import Entry, PrivateKeyEntry, SecretKeyEntry, TrustedCertEntry
from keystoretool.errors import (
    KeystoreToolError,
    UnrecoverableKeyError,
)
from keystoretool.formats import jks as J

pytestmark = pytest.mark.filterwarnings(
    "ignore:Parsed a serial number which wasn't positive",  # old corpus certificates
    "ignore:the imp module is deprecated",  # twofish, used by pyjks for UBER
)


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
