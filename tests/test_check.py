"""check --profile salesforce: one test per finding, and the name rules."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from interop import run_cli
from pkihelpers import CLIENT, SERVER, ec_key, key_entry, make_cert, make_pki, rsa_key

from keystoretool import profiles
from keystoretool.entries import TrustedCertEntry
from keystoretool.errors import KeystoreToolError, UsageError
from keystoretool.findings import Code, Finding, Severity
from keystoretool.model import Keystore

PW = "changeit"


@pytest.fixture(scope="module")
def pki() -> Any:
    return make_pki("SF", leaf_key=rsa_key(0))


def store(
    tmp_path: Path, entries: list[Any], store_type: str = "JKS", name: str = "sf.jks"
) -> Path:
    ks = Keystore.new(store_type, PW)
    for e in entries:
        ks.put(e.alias, e)
    path = tmp_path / name
    ks.save(str(path))
    return path


def findings(path: Path) -> list[Finding]:
    return profiles.check_salesforce(Keystore.load(str(path), PW))


def codes(path: Path) -> set[str]:
    return {f.code for f in findings(path) if f.is_problem}


def test_ready_store_has_no_finding(tmp_path: Path, pki: Any) -> None:
    path = store(tmp_path, [key_entry("ma_2_cert_oct_6_2021", pki.leaf_key, pki.chain)])
    assert findings(path) == []
    res = run_cli(["check", "--profile", "salesforce", "--keystore", path, "--storepass", PW])
    assert res.returncode == 0, res.stderr
    assert b"ready for Salesforce" in res.stdout


def test_store_type_pkcs12(tmp_path: Path, pki: Any) -> None:
    path = store(tmp_path, [key_entry("client", pki.leaf_key, pki.chain)], "PKCS12", "sf.p12")
    assert codes(path) == {Code.STORE_TYPE}
    res = run_cli(["check", "--profile", "salesforce", "--keystore", path, "--storepass", PW])
    assert res.returncode == 2
    lines = res.stdout.decode().splitlines()
    assert lines[0].startswith("problem: the keystore type is PKCS12; Salesforce imports JKS")


def test_no_key_entries(tmp_path: Path, pki: Any) -> None:
    path = store(
        tmp_path,
        [
            TrustedCertEntry(
                alias="root",
                cert_der=pki.root.public_bytes(
                    __import__(
                        "cryptography.hazmat.primitives.serialization", fromlist=["Encoding"]
                    ).Encoding.DER
                ),
            )
        ],
    )
    fs = findings(path)
    assert {f.code for f in fs if f.is_problem} == {Code.NO_KEY_ENTRIES}
    note = next(f for f in fs if f.code == Code.NOT_A_KEY_ENTRY)
    assert note.severity == Severity.NOTE and note.alias == "root"


@pytest.mark.parametrize(
    ("alias", "why"),
    [
        ("2cert", "must begin with a letter"),
        ("_cert", "must begin with a letter"),
        ("cert_", "must not end with an underscore"),
        ("my__cert", "two consecutive underscores"),
        ("my cert", "only letters, digits and underscores are allowed (not ' ')"),
        ("my-cert.v2", "(not '-', '.')"),
    ],
)
def test_alias_name_rules(tmp_path: Path, pki: Any, alias: str, why: str) -> None:
    path = store(tmp_path, [key_entry(alias, pki.leaf_key, pki.chain)])
    fs = [f for f in findings(path) if f.code == Code.ALIAS_NAME]
    assert len(fs) >= 1
    assert any(why in f.message for f in fs), [f.message for f in fs]
    assert fs[0].line().startswith(f"problem: {alias}: not a valid Salesforce unique name")


def test_key_algorithm_not_rsa(tmp_path: Path, pki: Any) -> None:
    cert, key = pki.issue("ec client", ec_key())
    path = store(tmp_path, [key_entry("ec_client", key, [cert, pki.inter])])
    fs = [f for f in findings(path) if f.is_problem]
    assert [f.code for f in fs] == [Code.KEY_ALGORITHM]
    assert "256-bit EC (secp256r1) key; Salesforce takes RSA keys only" in fs[0].message


def test_key_size(tmp_path: Path, pki: Any) -> None:
    key = rsa_key(1, 1024)
    cert, _ = pki.issue("small client", key)
    path = store(tmp_path, [key_entry("small", key, [cert, pki.inter])])
    fs = [f for f in findings(path) if f.is_problem]
    assert [f.code for f in fs] == [Code.KEY_SIZE]
    assert "RSA 1024-bit key" in fs[0].message


def test_key_password_differs(tmp_path: Path, pki: Any) -> None:
    entry = key_entry("client", pki.leaf_key, pki.chain)
    entry.key_password = "otherpass"
    path = store(tmp_path, [entry])
    assert codes(path) == {Code.KEY_PASSWORD}


def test_chain_missing_intermediate(tmp_path: Path, pki: Any) -> None:
    path = store(tmp_path, [key_entry("client", pki.leaf_key, [pki.leaf])])
    assert codes(path) == {"missing-intermediate"}


def test_chain_root_included(tmp_path: Path, pki: Any) -> None:
    path = store(tmp_path, [key_entry("client", pki.leaf_key, [pki.leaf, pki.inter, pki.root])])
    fs = [f for f in findings(path) if f.is_problem]
    assert [f.code for f in fs] == [Code.ROOT_INCLUDED]
    assert "Salesforce wants the chain without it" in fs[0].message


def test_chain_out_of_order(tmp_path: Path, pki: Any) -> None:
    # JKS keeps a chain in any order (PKCS12 would refuse it).
    path = store(tmp_path, [key_entry("client", pki.leaf_key, [pki.leaf, pki.root, pki.inter])])
    assert "out-of-order" in codes(path)


def test_self_signed(tmp_path: Path) -> None:
    key = rsa_key(0)
    cert = make_cert("self", key, eku=CLIENT)
    path = store(tmp_path, [key_entry("selfsigned", key, [cert])])
    assert codes(path) == {Code.SELF_SIGNED_LEAF}


def test_expired(tmp_path: Path, pki: Any) -> None:
    now = dt.datetime.now(dt.UTC)
    cert, key = pki.issue(
        "old", rsa_key(0), not_before=now - dt.timedelta(days=9), not_after=now - dt.timedelta(1)
    )
    path = store(tmp_path, [key_entry("old_cert", key, [cert, pki.inter])])
    assert codes(path) == {"expired"}


def test_not_for_client_auth(tmp_path: Path, pki: Any) -> None:
    cert, key = pki.issue("server", rsa_key(0), eku=SERVER)
    path = store(tmp_path, [key_entry("server_cert", key, [cert, pki.inter])])
    assert codes(path) == {"no-client-auth"}


def test_cli_json_and_lines(tmp_path: Path, pki: Any) -> None:
    path = store(
        tmp_path,
        [
            key_entry("good_one", pki.leaf_key, pki.chain),
            key_entry("bad__one", pki.leaf_key, [pki.leaf]),
        ],
    )
    res = run_cli(["check", "--profile", "salesforce", "--keystore", path, "--storepass", PW])
    assert res.returncode == 2
    out = res.stdout.decode().splitlines()
    assert any(
        line.startswith("problem: bad__one: not a valid Salesforce unique name") for line in out
    )
    assert any(
        line.startswith("problem: bad__one: intermediate certificate missing") for line in out
    )
    assert not any("good_one" in line for line in out)
    res = run_cli(
        ["check", "--profile", "salesforce", "--keystore", path, "--storepass", PW, "--json"]
    )
    assert res.returncode == 2
    doc = json.loads(res.stdout)
    assert doc["verdict"] == "problems"
    assert {f["code"] for f in doc["findings"]} == {"alias-name", "missing-intermediate"}


def test_cli_errors_exit_1(tmp_path: Path) -> None:
    res = run_cli(
        ["check", "--profile", "salesforce", "--keystore", tmp_path / "none.jks", "--storepass", PW]
    )
    assert res.returncode == 1
    assert res.stderr.startswith(b"keystoretool error: ")
    res = run_cli(
        ["check", "--profile", "nope", "--keystore", tmp_path / "none.jks", "--storepass", PW]
    )
    assert res.returncode == 1
    assert b"Unknown profile: nope" in res.stderr


def test_name_rules_api() -> None:
    assert profiles.salesforce_name_problems("ma_2_cert_oct_6_2021") == []
    assert profiles.salesforce_name_problems("") == ["the name is empty"]
    assert len(profiles.salesforce_name_problems("9a__b_")) == 3
    with pytest.raises(KeystoreToolError, match="breaks the salesforce name rules"):
        profiles.check_alias_name("Salesforce", "bad name")
    with pytest.raises(UsageError, match="Unknown name rules: x"):
        profiles.check_alias_name("x", "a")


def test_name_rules_on_changealias(tmp_path: Path, pki: Any) -> None:
    path = store(tmp_path, [key_entry("sourcealias", pki.leaf_key, pki.chain)])
    before = path.read_bytes()
    res = run_cli(
        [
            "-changealias",
            "-alias",
            "sourceAlias",
            "-destalias",
            "ma__cert",
            "-keystore",
            path,
            "-storepass",
            PW,
            "--name-rules",
            "salesforce",
        ]
    )
    assert res.returncode == 1
    assert b"Alias <ma__cert> breaks the salesforce name rules" in res.stderr
    assert path.read_bytes() == before
    res = run_cli(
        [
            "changealias",
            "--alias",
            "sourceAlias",
            "--destalias",
            "ma_2_cert_oct_6_2021",
            "--keystore",
            path,
            "--storepass",
            PW,
            "--name-rules",
            "salesforce",
        ]
    )
    assert res.returncode == 0, res.stderr
    assert Keystore.load(str(path), PW).aliases() == ["ma_2_cert_oct_6_2021"]
