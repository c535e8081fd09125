"""exportpem / importpem: PEM for curl, PEM keys into any keystore type.

exportpem output is used by real curl (or openssl s_client) against a TLS
server requiring a client certificate; importpem output is listed by real
keytool with the right chain."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from interop import keytool_entries, run_cli, run_keytool, sha256_fingerprint
from pkihelpers import (
    Pki,
    ec_key,
    env_without_proxy,
    key_entry,
    key_pem,
    make_pki,
    openssl_server,
    pem,
    rsa_key,
    write,
)

from keystoretool.model import Keystore

PW = "changeit"
PASS = "pem-secret"


@pytest.fixture(scope="module")
def pki() -> Pki:
    return make_pki("Pem", leaf_key=rsa_key(0))


def make_store(tmp_path: Path, pki: Pki, store_type: str = "JKS") -> Path:
    ks = Keystore.new(store_type, PW)
    ks.put("client", key_entry("client", pki.leaf_key, [pki.leaf, pki.inter]))
    path = tmp_path / f"client.{store_type.lower()}"
    ks.save(str(path))
    return path


def fps(*certs: Any) -> list[str]:
    return [sha256_fingerprint(c.public_bytes(serialization.Encoding.DER)) for c in certs]


# ---------------------------------------------------------------------------
# exportpem
# ---------------------------------------------------------------------------
def test_exportpem_split_encrypted(tmp_path: Path, pki: Pki) -> None:
    store = make_store(tmp_path, pki)
    crt, key = tmp_path / "client.crt", tmp_path / "client.key"
    res = run_cli(
        [
            "exportpem",
            "--keystore",
            store,
            "--storepass",
            PW,
            "--alias",
            "client",
            "--certout",
            crt,
            "--keyout",
            key,
            "--passout",
            "env:KEYPW",
        ],
        env={"KEYPW": PASS},
    )
    assert res.returncode == 0, res.stderr
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(crt).st_mode) == 0o600
    assert key.read_bytes().startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    loaded = serialization.load_pem_private_key(key.read_bytes(), PASS.encode())
    assert loaded.private_numbers() == pki.leaf_key.private_numbers()  # type: ignore[union-attr]
    from cryptography import x509

    assert x509.load_pem_x509_certificates(crt.read_bytes()) == [pki.leaf, pki.inter]


def test_exportpem_one_file_unencrypted_needs_explicit_flag(tmp_path: Path, pki: Pki) -> None:
    store = make_store(tmp_path, pki, "PKCS12")
    out = tmp_path / "all.pem"
    # No passphrase source and nothing on stdin: refused, nothing written.
    res = run_cli(
        ["exportpem", "--keystore", store, "--storepass", PW, "--alias", "client", "--out", out]
    )
    assert res.returncode == 1
    assert not out.exists()
    res = run_cli(
        [
            "exportpem",
            "--keystore",
            store,
            "--storepass",
            PW,
            "--alias",
            "client",
            "--out",
            out,
            "--no-encrypt",
        ]
    )
    assert res.returncode == 0, res.stderr
    data = out.read_bytes()
    assert data.startswith(b"-----BEGIN PRIVATE KEY-----")
    assert data.count(b"-----BEGIN CERTIFICATE-----") == 2
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600


def test_exportpem_passphrase_from_prompt(tmp_path: Path, pki: Pki) -> None:
    store = make_store(tmp_path, pki)
    out = tmp_path / "p.pem"
    res = run_cli(
        ["exportpem", "--keystore", store, "--storepass", PW, "--alias", "client", "--out", out],
        stdin=f"{PASS}\n{PASS}\n".encode(),
    )
    assert res.returncode == 0, res.stderr
    assert b"Enter PEM pass phrase:" in res.stderr
    serialization.load_pem_private_key(out.read_bytes(), PASS.encode())


def test_exportpem_errors(tmp_path: Path, pki: Pki) -> None:
    store = make_store(tmp_path, pki)
    base = ["exportpem", "--keystore", store, "--storepass", PW]
    res = run_cli([*base, "--alias", "nope", "--out", tmp_path / "x", "--no-encrypt"])
    assert res.returncode == 1 and b"Alias <nope> does not exist" in res.stderr
    res = run_cli([*base, "--alias", "client", "--certout", tmp_path / "c"])
    assert res.returncode == 1 and b"--keyout" in res.stderr
    res = run_cli([*base, "--alias", "client", "--out", tmp_path / "x", "--passout", "pass:short"])
    assert res.returncode == 1 and b"at least 6 characters" in res.stderr
    assert not (tmp_path / "x").exists()


def test_exported_pem_works_with_curl(tmp_path: Path, pki: Pki) -> None:
    store = make_store(tmp_path, pki)
    crt, key = tmp_path / "client.crt", tmp_path / "client.key"
    res = run_cli(
        [
            "exportpem",
            "--keystore",
            store,
            "--storepass",
            PW,
            "--alias",
            "client",
            "--certout",
            crt,
            "--keyout",
            key,
            "--passout",
            f"pass:{PASS}",
        ]
    )
    assert res.returncode == 0, res.stderr
    with openssl_server(tmp_path, pki) as srv:
        if shutil.which("curl"):
            got = subprocess.run(
                [
                    "curl",
                    "-sS",
                    "--max-time",
                    "20",
                    "--cacert",
                    str(tmp_path / "clientca.pem"),
                    "--cert",
                    str(crt),
                    "--key",
                    str(key),
                    "--pass",
                    PASS,
                    f"https://localhost:{srv.port}/",
                ],
                capture_output=True,
                timeout=60,
                env=env_without_proxy(),
            )
            assert got.returncode == 0, got.stderr
            # s_server -www echoes the session, including the client certificate.
            assert b"Pem client" in got.stdout
        else:  # pragma: no cover - curl missing
            got = subprocess.run(
                [
                    "openssl",
                    "s_client",
                    "-connect",
                    f"127.0.0.1:{srv.port}",
                    "-cert",
                    str(crt),
                    "-key",
                    str(key),
                    "-pass",
                    f"pass:{PASS}",
                    "-CAfile",
                    str(tmp_path / "clientca.pem"),
                    "-verify_return_error",
                ],
                input=b"GET / HTTP/1.0\r\n\r\n",
                capture_output=True,
                timeout=60,
            )
            assert got.returncode == 0, got.stderr
        # Without the intermediate (the seed's problem) the server refuses it.
        write(tmp_path / "leaf-only.crt", pem(pki.leaf))
        if shutil.which("curl"):
            bad = subprocess.run(
                [
                    "curl",
                    "-sS",
                    "--max-time",
                    "20",
                    "--cacert",
                    str(tmp_path / "clientca.pem"),
                    "--cert",
                    str(tmp_path / "leaf-only.crt"),
                    "--key",
                    str(key),
                    "--pass",
                    PASS,
                    f"https://localhost:{srv.port}/",
                ],
                capture_output=True,
                timeout=60,
                env=env_without_proxy(),
            )
            assert bad.returncode != 0


# ---------------------------------------------------------------------------
# importpem
# ---------------------------------------------------------------------------
KEY_FORMATS = [
    ("pkcs8", None),
    ("pkcs8", PASS.encode()),
    ("traditional", None),  # PKCS#1 for RSA, SEC1 for EC
    ("traditional", PASS.encode()),  # legacy Proc-Type encryption
]


@pytest.mark.parametrize("store_type", ["JKS", "JCEKS", "PKCS12"])
def test_importpem_listed_by_keytool(tmp_path: Path, pki: Pki, store_type: str) -> None:
    key = write(tmp_path / "k.pem", key_pem(pki.leaf_key, PASS.encode()))
    # Chain given in the wrong order, root included, across two files.
    write(tmp_path / "ca.pem", pem(pki.root, pki.inter))
    write(tmp_path / "leaf.pem", pem(pki.leaf))
    store = tmp_path / f"new.{store_type.lower()}"
    res = run_cli(
        [
            "importpem",
            "--key",
            key,
            "--passin",
            f"pass:{PASS}",
            "--cert",
            tmp_path / "ca.pem",
            "--cert",
            tmp_path / "leaf.pem",
            "--alias",
            "client",
            "--keystore",
            store,
            "--storetype",
            store_type,
            "--storepass",
            PW,
        ]
    )
    assert res.returncode == 0, res.stderr
    entries = keytool_entries(store, PW, storetype=store_type)
    assert entries == {"client": ("PrivateKeyEntry", fps(pki.leaf, pki.inter, pki.root))}
    # keytool can use the key: export it to PKCS12 with keytool itself.
    dest = tmp_path / "copy.p12"
    kt = run_keytool(
        [
            "-importkeystore",
            "-srckeystore",
            store,
            "-srcstoretype",
            store_type,
            "-srcstorepass",
            PW,
            "-destkeystore",
            dest,
            "-deststoretype",
            "PKCS12",
            "-deststorepass",
            PW,
            "-noprompt",
        ]
    )
    assert kt.returncode == 0, kt.stdout + kt.stderr


@pytest.mark.parametrize(("fmt", "password"), KEY_FORMATS)
@pytest.mark.parametrize("algo", ["rsa", "ec"])
def test_importpem_key_formats(
    tmp_path: Path, pki: Pki, fmt: str, password: bytes | None, algo: str
) -> None:
    key_obj = pki.leaf_key if algo == "rsa" else ec_key()
    leaf = pki.leaf if algo == "rsa" else pki.issue("ec leaf", key_obj)[0]
    data = key_pem(key_obj, password, fmt)
    if fmt == "traditional":
        assert (b"RSA PRIVATE KEY" if algo == "rsa" else b"EC PRIVATE KEY") in data
    # One file holding the key and the chain, as openssl users often keep it.
    bundle = write(tmp_path / "bundle.pem", data + pem(pki.inter, leaf))
    store = tmp_path / "s.p12"
    args = ["importpem", "--key", bundle, "--alias", "k", "--keystore", store, "--storepass", PW]
    if password:
        args += ["--passin", "env:PEMPW"]
    res = run_cli(args, env={"PEMPW": PASS})
    assert res.returncode == 0, res.stderr
    ks = Keystore.load(str(store), PW)
    entry = ks.get("k")
    assert entry.chain_der == [
        c.public_bytes(serialization.Encoding.DER) for c in (leaf, pki.inter)
    ]
    entry.unlock(PW)  # type: ignore[union-attr]
    got = entry.private_key()  # type: ignore[union-attr]
    assert got.private_numbers() == key_obj.private_numbers()  # type: ignore[union-attr]


def test_importpem_into_existing_store_and_collision(tmp_path: Path, pki: Pki) -> None:
    store = make_store(tmp_path, pki)  # holds "client"
    key = write(tmp_path / "k.pem", key_pem(pki.leaf_key))
    certs = write(tmp_path / "c.pem", pem(pki.leaf, pki.inter))
    before = store.read_bytes()
    res = run_cli(
        [
            "importpem",
            "--key",
            key,
            "--cert",
            certs,
            "--alias",
            "client",
            "--keystore",
            store,
            "--storepass",
            PW,
        ]
    )
    assert res.returncode == 1
    assert b"alias <client> already exists" in res.stderr
    assert store.read_bytes() == before
    res = run_cli(
        [
            "importpem",
            "--key",
            key,
            "--cert",
            certs,
            "--alias",
            "second",
            "--keystore",
            store,
            "--storepass",
            PW,
        ]
    )
    assert res.returncode == 0, res.stderr
    assert sorted(Keystore.load(str(store), PW).aliases()) == ["client", "second"]


def test_importpem_refusals(tmp_path: Path, pki: Pki) -> None:
    store = tmp_path / "s.jks"
    enc = write(tmp_path / "enc.pem", key_pem(pki.leaf_key, PASS.encode()))
    certs = write(tmp_path / "c.pem", pem(pki.leaf, pki.inter))
    base = [
        "importpem",
        "--cert",
        certs,
        "--keystore",
        store,
        "--storetype",
        "JKS",
        "--storepass",
        PW,
        "--alias",
        "a",
    ]
    res = run_cli([*base, "--key", enc, "--passin", "pass:wrong-pass"])
    assert res.returncode == 1 and b"cannot decrypt the private key" in res.stderr
    other = write(tmp_path / "other.pem", key_pem(ec_key()))
    res = run_cli([*base, "--key", other])
    assert res.returncode == 1 and b"Public keys in reply and keystore don't match" in res.stderr
    res = run_cli([*base, "--key", certs])
    assert res.returncode == 1 and b"no PEM private key found" in res.stderr
    res = run_cli([*base, "--key", tmp_path / "missing.pem"])
    assert res.returncode == 1 and b"(No such file or directory)" in res.stderr
    assert not store.exists()
    res = run_cli(
        [*base[:-2], "--alias", "bad__name", "--name-rules", "salesforce", "--key", other]
    )
    assert res.returncode == 1 and b"breaks the salesforce name rules" in res.stderr


def test_importpem_warns_about_missing_intermediate(tmp_path: Path, pki: Pki) -> None:
    key = write(tmp_path / "k.pem", key_pem(pki.leaf_key))
    leaf = write(tmp_path / "leaf.pem", pem(pki.leaf))
    store = tmp_path / "s.p12"
    res = run_cli(
        [
            "importpem",
            "--key",
            key,
            "--cert",
            leaf,
            "--alias",
            "a",
            "--keystore",
            store,
            "--storepass",
            PW,
        ]
    )
    assert res.returncode == 0, res.stderr
    assert b"intermediate certificate missing" in res.stderr
