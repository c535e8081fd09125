"""keystoretool.formats.jks as a package (javaio, serial, protectors, codec,
bouncycastle): the public names it always had, protected keys read with the
project's one DER reader exactly as the JDK reads them, and a keytool-syntax
command on a JKS/JCEKS store that still imports no heavy library.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from interop import FIXTURES, keytool_path
from jkshelpers import interop

from keystoretool import der
from keystoretool.entries import Entry, PrivateKeyEntry
from keystoretool.errors import KeystoreToolError, UnrecoverableKeyError
from keystoretool.formats import jks as J

#: What ``keystoretool.formats.jks`` exported as one module; callers keep using them.
PUBLIC_NAMES = [
    "BksSealedKey", "INVALID", "JCEKS_ITERATIONS", "JCEKS_MAGIC", "JKS_MAGIC",
    "JceksSealedSecretKey", "JksSealedPrivateKey", "PBE_MD5_3DES", "PBE_MD5_3DES_OID",
    "SUN_KEY_PROTECTOR_OID", "TAMPERED", "TRUNCATED", "datetime_to_ms", "decode_java_utf",
    "dump", "encode_java_utf", "hashtable_order", "jce_pbe_decrypt", "jce_pbe_encrypt",
    "jce_protect", "load", "ms_to_datetime", "parse_epki", "parse_pbe_params",
    "parse_serialized_secret_key", "pbe_params", "seal_secret_key", "serialize_sealed_object",
    "serialize_secret_key_spec", "store_digest", "sun_protect", "sun_recover",
]
HEAVY = ("cryptography", "jks", "javaobj", "pyasn1", "pyasn1_modules", "Cryptodome", "typer")


def test_the_package_keeps_every_public_name() -> None:
    missing = [name for name in PUBLIC_NAMES if not hasattr(J, name)]
    assert missing == []
    assert set(PUBLIC_NAMES) <= set(J.__all__)


# ---- EncryptedPrivateKeyInfo shapes: what the JDK's parser accepts ----------


def _chain_entry() -> PrivateKeyEntry:
    loaded = J.load((FIXTURES / "kt17" / "all.jks").read_bytes(), "changeit", "JKS")
    entry = next(e for e in loaded.entries if e.alias == "chain")
    assert isinstance(entry, PrivateKeyEntry)
    return entry


def _shapes(sun_encrypted: bytes) -> dict[str, tuple[bytes, bool]]:
    """Sun-protected EPKIs of one key, and whether keytool 17 recovers the key
    (observed with ``keytool -importkeystore`` and ``KeyStore.getKey``)."""
    oid = der.oid(J.SUN_KEY_PROTECTOR_OID)
    data = der.octet_string(sun_encrypted)
    alg = der.seq(oid, der.null())
    return {
        "null-params": (der.seq(alg, data), True),
        "no-params": (der.seq(der.seq(oid), data), True),  # JDK 21+
        "ber-indefinite": (b"\x30\x80" + alg + data + b"\x00\x00", True),
        "two-params": (der.seq(der.seq(oid, der.null(), der.null()), data), False),
        "params-overrun": (der.seq(der.tlv(der.SEQUENCE, oid + b"\x05\x01"), data), False),
        "extra-element": (der.seq(alg, data, der.null()), False),
        "trailing-bytes": (der.seq(alg, data) + der.null(), False),
    }


@pytest.fixture(scope="module")
def shapes() -> dict[str, tuple[bytes, bool]]:
    entry = _chain_entry()
    assert isinstance(entry.sealed, J.JksSealedPrivateKey)
    return _shapes(J.parse_epki(entry.sealed.blob)[2])


@pytest.mark.parametrize(
    "shape",
    ["null-params", "no-params", "ber-indefinite", "two-params", "params-overrun",
     "extra-element", "trailing-bytes"],
)
def test_protected_key_shapes_as_the_jdk_reads_them(
    shapes: dict[str, tuple[bytes, bool]], shape: str
) -> None:
    blob, recoverable = shapes[shape]
    sealed = J.JksSealedPrivateKey(blob, "JKS")
    if recoverable:
        assert sealed.unseal("changeit") == _chain_entry().unlock("changeit")
    else:
        with pytest.raises(UnrecoverableKeyError, match="^Cannot recover key: malformed"):
            sealed.unseal("changeit")


def test_pbe_parameters_with_extra_data_are_refused() -> None:
    good = J.pbe_params(b"12345678", 1000)
    assert J.parse_pbe_params(good) == (b"12345678", 1000)
    extra = der.seq(der.octet_string(b"12345678"), der.integer(1000), der.null())
    for bad in (extra, good + der.null()):
        with pytest.raises(KeystoreToolError, match="^Invalid PBE algorithm parameter$"):
            J.parse_pbe_params(bad)


JAVA_GET_KEYS = """
import java.io.*;
import java.security.*;

public class GetKeys {
    public static void main(String[] a) throws Exception {
        KeyStore ks = KeyStore.getInstance("JKS");
        try (InputStream in = new FileInputStream(a[0])) { ks.load(in, "changeit".toCharArray()); }
        for (int i = 1; i < a.length; i++) {
            try {
                ks.getKey(a[i], "changeit".toCharArray());
                System.out.println(a[i] + " recovered");
            } catch (GeneralSecurityException e) {
                System.out.println(a[i] + " refused");
            }
        }
    }
}
"""


@interop
@pytest.mark.require_keytool("17")
def test_the_jdk_agrees_on_every_protected_key_shape(
    shapes: dict[str, tuple[bytes, bool]], tmp_path: Path
) -> None:
    """One JVM: the JDK's own JavaKeyStore.engineGetKey on every shape above."""
    template = _chain_entry()
    entries: list[Entry] = [
        PrivateKeyEntry(name, template.created, chain_der=template.chain_der,
                        sealed=J.JksSealedPrivateKey(blob, "JKS"))
        for name, (blob, _) in shapes.items()
    ]
    path = tmp_path / "shapes.jks"
    path.write_bytes(J.dump("JKS", entries, "changeit", None))
    source = tmp_path / "GetKeys.java"
    source.write_text(JAVA_GET_KEYS)
    env = dict(os.environ, LANG="C.UTF-8")
    env.pop("JAVA_TOOL_OPTIONS", None)
    java = Path(keytool_path("17")).resolve().parent / "java"
    res = subprocess.run(
        [str(java), str(source), str(path), *shapes], capture_output=True, text=True, env=env,
        timeout=300,
    )
    assert res.returncode == 0, res.stderr
    jdk = dict(line.split() for line in res.stdout.splitlines())
    ours = {}
    for entry in J.load(path.read_bytes(), "changeit", "JKS").entries:
        assert isinstance(entry, PrivateKeyEntry)
        try:
            entry.unlock("changeit")
            ours[entry.alias] = "recovered"
        except UnrecoverableKeyError:
            ours[entry.alias] = "refused"
    assert ours == jdk
    assert jdk == {n: "recovered" if ok else "refused" for n, (_, ok) in shapes.items()}


# ---- start-up ---------------------------------------------------------------


@pytest.mark.parametrize("name", ["all.jks", "all.jceks"])
def test_keytool_list_imports_no_heavy_library(name: str) -> None:
    """``-list`` of a JKS/JCEKS store: no cryptography, pyjks, javaobj, pyasn1 or
    typer, and not the BKS module (``python -X importtime``)."""
    res = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "keystoretool", "-list", "-keystore",
         str(FIXTURES / "kt17" / name), "-storepass", "changeit"],
        capture_output=True, text=True, timeout=120,
    )
    assert res.returncode == 0, res.stderr
    imported = {
        line.rsplit("|", 1)[1].strip()
        for line in res.stderr.splitlines()
        if line.startswith("import time:") and line.count("|") == 2
    }
    assert "keystoretool.formats.jks.codec" in imported
    heavy = sorted(m for m in imported if m.split(".")[0] in HEAVY)
    assert heavy == []
    assert "keystoretool.formats.jks.bouncycastle" not in imported
