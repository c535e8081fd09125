"""Shared by tests/test_pkcs12_algorithms.py and tests/test_pkcs12_shapes.py.

The files are ``fixtures/p12x/`` (made by ``fixtures/gen/p12x.py``, passwords
and expectations in its ``manifest.json``). Each file is checked three ways:

* our ``-list -rfc --keep-unattached-certs`` shows the same certificates and
  the same number of keys as ``openssl pkcs12 -info -legacy``;
* every key we decrypt equals the key openssl decrypts, and matches the
  public key of its certificate;
* ``-importkeystore`` into JKS and into PKCS12 gives files keytool 17 lists
  with the same entries. keytool runs once per session for all files: one
  JVM runs keytool's own ``Main`` for every listing (``tests/java/KeytoolMany.java``),
  instead of ~130 JVM start-ups.
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import re
import subprocess
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from interop import (
    FIXTURES,
    KEYTOOL17,
    OPENSSL,
    Entries,
    _tool_env,
    parse_keytool_list_v,
    sha256_fingerprint,
)

P12X = FIXTURES / "p12x"
MANIFEST: dict[str, Any] = json.loads((P12X / "manifest.json").read_text(encoding="utf-8"))
FILES: dict[str, dict[str, Any]] = MANIFEST["files"]
JAVA_HELPER = Path(__file__).resolve().parent / "java" / "KeytoolMany.java"
DEST_PASSWORD = "changeit"

_PEM_RE = re.compile(
    r"-----BEGIN (CERTIFICATE|PRIVATE KEY)-----\r?\n(.*?)-----END \1-----", re.S
)


def names(*prefixes: str) -> list[str]:
    return sorted(n for n in FILES if n.startswith(prefixes))


def readable(name: str) -> bool:
    rec = FILES[name]
    return rec["expect"] == "read" and not rec["key_refused_message"]


@dataclass
class CliResult:
    rc: int
    out: str
    err: str
    python_warnings: list[str]


def cli(*args: str) -> CliResult:
    """Our CLI in this process (fast); Python warnings are recorded, not shown."""
    from keystoretool.cli.main import main

    out, err = io.StringIO(), io.StringIO()
    with warnings.catch_warnings(record=True) as caught, contextlib.redirect_stdout(out), \
            contextlib.redirect_stderr(err):
        warnings.simplefilter("always")
        rc = main(list(args))
    return CliResult(rc, out.getvalue(), err.getvalue(), [str(w.message) for w in caught])


def pem_blocks(text: str, kind: str) -> list[bytes]:
    return [base64.b64decode("".join(body.split())) for k, body in _PEM_RE.findall(text)
            if k == kind]


def our_listing(name: str) -> tuple[set[bytes], int, CliResult]:
    """(distinct certificates, number of key entries, the run) of our -list -rfc."""
    r = cli("-list", "-rfc", "-keystore", str(P12X / name), "-storepass",
            FILES[name]["password"], "--keep-unattached-certs")
    keys = len(re.findall(r"^Entry type: PrivateKeyEntry", r.out, re.M))
    return set(pem_blocks(r.out, "CERTIFICATE")), keys, r


def openssl_view(name: str) -> tuple[set[bytes], int, list[bytes]]:
    """(distinct certificates, number of key bags, decrypted PKCS#8 keys) as
    ``openssl pkcs12 -info -legacy`` shows them."""
    rec = FILES[name]
    r = subprocess.run(
        [OPENSSL or "openssl", "pkcs12", "-info", "-legacy", "-nodes", "-in", str(P12X / name),
         "-passin", f"pass:{rec['password']}", *rec["openssl_info_args"]],
        capture_output=True, check=False, env=_tool_env(),
    )
    text = r.stdout.decode() + r.stderr.decode()
    assert r.returncode == 0, text
    key_bags = len(re.findall(r"^(Shrouded Keybag|Key bag)", text, re.M))
    return set(pem_blocks(text, "CERTIFICATE")), key_bags, pem_blocks(text, "PRIVATE KEY")


def spki(public_key: Any) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return bytes(public_key.public_bytes(serialization.Encoding.DER,
                                         serialization.PublicFormat.SubjectPublicKeyInfo))


def check_against_openssl(name: str) -> None:
    """The per-file test: certificates, key count, keys and their certificates."""
    from cryptography.hazmat.primitives.serialization import load_der_private_key

    from keystoretool import Keystore, PrivateKeyEntry

    certs, keys, run = our_listing(name)
    assert run.rc == 0, run.err
    assert run.python_warnings == []
    assert "Traceback" not in run.err
    o_certs, o_keys, o_pkcs8 = openssl_view(name)
    assert certs == o_certs
    assert keys == o_keys == FILES[name]["keys"]
    assert len(certs) == FILES[name]["certs"]

    rec = FILES[name]
    ks = Keystore.load(P12X / name, rec["password"])
    ks.keep_unattached()
    o_public = {spki(load_der_private_key(k, None).public_key()) for k in o_pkcs8}
    ours = set()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for entry in ks:
            if not isinstance(entry, PrivateKeyEntry):
                continue
            entry.unlock(rec["password"])
            public = spki(entry.private_key().public_key())
            ours.add(public)
            if entry.chain_der:  # a key-only file has no certificate to match
                assert public == spki(entry.chain[0].public_key())
    assert [str(w.message) for w in caught] == []
    if o_pkcs8 or "-nokeys" not in rec["openssl_info_args"]:
        assert ours == o_public


def our_entries(path: Path, password: str) -> Entries:
    """What we read, in keytool's terms (alias, type, chain SHA-256s)."""
    from keystoretool import Keystore, PrivateKeyEntry, SecretKeyEntry, TrustedCertEntry

    kind = {PrivateKeyEntry: "PrivateKeyEntry", TrustedCertEntry: "trustedCertEntry",
            SecretKeyEntry: "SecretKeyEntry"}
    ks = Keystore.load(path, password)
    ks.keep_unattached()
    return {a: (kind[type(e)], [sha256_fingerprint(d) for d in e.chain_der])
            for a, e in ks.items()}


def expected_import(name: str, dest_type: str, run: CliResult) -> Entries:
    """What an import of ``name`` into ``dest_type`` holds: everything we read, but
    JKS cannot hold a private key without certificates (Java refuses it; the
    import reports the entry and goes on)."""
    want = our_entries(P12X / name, FILES[name]["password"])
    if dest_type == "JKS":
        for alias, (kind, chain) in list(want.items()):
            if kind == "PrivateKeyEntry" and not chain:
                del want[alias]
                assert (f"Problem importing entry for alias {alias}: Private key must be "
                        "accompanied by certificate chain.") in run.err
    return want


class ImportedByKeytool:
    """Every readable p12x file imported into a new JKS and a new PKCS12 by our
    ``-importkeystore --keep-unattached-certs``, then listed by keytool 17 in one JVM."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.results: dict[tuple[str, str], CliResult] = {}
        self.listings: dict[tuple[str, str], str] = {}
        jobs: list[tuple[str, str, Path]] = []
        for name in names(""):
            if not readable(name):
                continue
            for dest_type in ("JKS", "PKCS12"):
                dest = workdir / f"{name}.{dest_type.lower()}"
                self.results[(name, dest_type)] = cli(
                    "-importkeystore", "-srckeystore", str(P12X / name), "-srcstorepass",
                    FILES[name]["password"], "-destkeystore", str(dest), "-deststoretype",
                    dest_type, "-deststorepass", DEST_PASSWORD, "-noprompt",
                    "--keep-unattached-certs")
                jobs.append((name, dest_type, dest))
        lines = ["\t".join(["-list", "-v", "-keystore", str(d), "-storepass", DEST_PASSWORD])
                 for _, _, d in jobs]
        (workdir / "jobs.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        java = Path(KEYTOOL17 or "keytool").resolve().parent / "java"
        proc = subprocess.run(
            [str(java), "--add-opens", "java.base/sun.security.tools.keytool=ALL-UNNAMED",
             "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", str(JAVA_HELPER),
             str(workdir / "jobs.txt")],
            capture_output=True, check=False, env=_tool_env(), timeout=600,
        )
        out = proc.stdout.decode("utf-8", errors="replace")
        assert proc.returncode == 0, out + proc.stderr.decode(errors="replace")
        chunks = out.split("=== -list -v -keystore ")[1:]
        for (name, dest_type, _), chunk in zip(jobs, chunks, strict=True):
            self.listings[(name, dest_type)] = chunk

    def entries(self, name: str, dest_type: str) -> Entries:
        chunk = self.listings[(name, dest_type)]
        assert "=== rc 1" not in chunk and "keytool error" not in chunk, chunk
        return parse_keytool_list_v(chunk)


def check_import(imported: ImportedByKeytool, name: str, dest_type: str) -> None:
    """The per-file import test: our import succeeded without Python warnings, and
    keytool 17 and we read the destination with the expected entries."""
    run = imported.results[(name, dest_type)]
    assert run.rc == 0, run.err
    assert run.python_warnings == []
    want = expected_import(name, dest_type, run)
    assert imported.entries(name, dest_type) == want
    assert our_entries(imported.workdir / f"{name}.{dest_type.lower()}", DEST_PASSWORD) == want


@pytest.fixture(scope="session", name="imported")
def imported_fixture(tmp_path_factory: pytest.TempPathFactory) -> ImportedByKeytool:
    """All imports and the one keytool JVM, once per test session."""
    from conftest import ensure_keytool

    ensure_keytool()
    return ImportedByKeytool(tmp_path_factory.mktemp("p12x-imports"))
