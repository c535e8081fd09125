"""keystoretool.formats.jks against real keytool 17, JDK 25 keytool and the JDK itself:
keytool's files load and unseal, keytool reads what we write, re-saves are
byte-identical, and the JDK's JceKeyStore recovers the exact keys we seal.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from interop import keytool_path
from jkshelpers import (
    file_order,
    interop,
    keytool,
    keytool_ok,
    listed_entries,
)

from keystoretool.entries import PrivateKeyEntry, SecretKeyEntry, TrustedCertEntry
from keystoretool.errors import (
    UnrecoverableKeyError,
)
from keystoretool.formats import jks as J

pytestmark = pytest.mark.filterwarnings(
    "ignore:Parsed a serial number which wasn't positive",  # old corpus certificates
    "ignore:the imp module is deprecated",  # twofish, used by pyjks for UBER
)


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
