"""The JSON contract: every --json document validates against the shipped
schema (jsonschema, draft 2020-12); one certificate object, one finding
object, one verdict key, schema_version everywhere; a failed --json command
prints a JSON error object with its exit status unchanged; check prints the
command that fixes each finding, and that command does fix it."""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Any

import pytest
from interop import run_cli
from jsonschema import Draft202012Validator
from pkihelpers import der, key_entry, make_pki, pem, rsa_key, save_store, write

from keystoretool import profiles
from keystoretool.entries import TrustedCertEntry
from keystoretool.findings import Code
from keystoretool.jsondoc import SCHEMA_VERSION, schema_text

PW = "changeit"


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    schema = json.loads(schema_text())
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def valid(validator: Draft202012Validator, text: bytes | str, kind: str) -> dict[str, Any]:
    doc = json.loads(text)
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors][:5]
    assert doc["schema_version"] == SCHEMA_VERSION and doc["kind"] == kind
    return doc


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("contract")
    pki = make_pki("Contract", leaf_key=rsa_key(0))
    entries = [key_entry("client", pki.leaf_key, [pki.leaf, pki.inter, pki.root]),
               TrustedCertEntry("root", cert_der=der(pki.root))]
    return {
        "pki": pki,
        "jks": save_store(tmp / "a.jks", entries, "JKS"),
        "p12": save_store(tmp / "b.p12", entries[:1], "PKCS12"),
        "leaf": write(tmp / "leaf.pem", pem(pki.leaf)),
        "chain": write(tmp / "chain.pem", pem(pki.leaf, pki.inter)),
        "tmp": tmp,
    }


def test_schema_command_prints_the_shipped_schema(validator: Draft202012Validator) -> None:
    res = run_cli(["schema"])
    assert res.returncode == 0
    schema = json.loads(res.stdout)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert res.stdout.decode() == schema_text()


def test_every_command_json_validates(validator: Draft202012Validator,
                                      stores: dict[str, Any]) -> None:
    jks, p12, tmp = stores["jks"], stores["p12"], stores["tmp"]
    sp = ["--storepass", PW]
    res = run_cli(["list", "--keystore", jks, *sp, "--json"])
    assert res.returncode == 0
    listed = valid(validator, res.stdout, "list")
    res = run_cli(["-list", "-keystore", jks, "-storepass", PW, "-json"])  # keytool syntax
    assert res.returncode == 0 and valid(validator, res.stdout, "list") == listed

    res = run_cli(["chain", "--keystore", jks, "--alias", "client", *sp, "--json"])
    assert res.returncode == 0
    chain = valid(validator, res.stdout, "chain")
    assert chain["verdict"] == "sound"
    assert [f["code"] for f in chain["findings"]] == ["root-included"]

    res = run_cli(["chain", "--cert", stores["leaf"], "--json"])
    assert res.returncode == 2
    assert valid(validator, res.stdout, "chain")["verdict"] == "problems"

    res = run_cli(["check", "--profile", "salesforce", "--keystore", jks, *sp, "--json"])
    assert res.returncode == 2
    check = valid(validator, res.stdout, "check")
    assert check["verdict"] == "problems"

    res = run_cli(["expiry", jks, p12, *sp, "--json"])
    assert res.returncode == 0
    expiry = valid(validator, res.stdout, "expiry")
    assert expiry["verdict"] == "ok"

    res = run_cli(["diff", jks, p12, *sp, "--json"])
    assert res.returncode == 2
    assert valid(validator, res.stdout, "diff")["verdict"] == "different"

    res = run_cli(["printcert", "--file", stores["chain"], "--json"])
    assert res.returncode == 0
    printed = valid(validator, res.stdout, "printcert")
    assert len(printed["certificates"]) == 2

    csr = tmp / "client.csr"
    assert run_cli(["certreq", "--keystore", jks, "--alias", "client", *sp,
                    "--file", csr]).returncode == 0
    res = run_cli(["-printcertreq", "-file", csr, "-json"])
    assert res.returncode == 0
    req = valid(validator, res.stdout, "printcertreq")
    assert req["subject"] == "CN=Contract client, O=Test PKI" and req["key"] == "2048-bit RSA key"

    batch = write(tmp / "batch.txt", f"-list -keystore {jks} -storepass {PW}\n"
                  f"-list -keystore {tmp / 'missing.jks'} -storepass {PW}\n".encode())
    res = run_cli(["batch", "--keep-going", "--no-check", "--json", batch])  # runs both lines
    assert res.returncode == 1
    lines = [valid(validator, line, "batch") for line in res.stdout.splitlines()]
    assert [d["ok"] for d in lines] == [True, False]
    res = run_cli(["batch", "--json", batch])  # checked first: nothing runs
    assert res.returncode == 1
    (problem,) = [valid(validator, line, "batch") for line in res.stdout.splitlines()]
    assert problem["line"] == 2 and problem["skipped"] and "does not exist" in problem["error"]

    # One certificate object everywhere: the same leaf, the same object.
    leaf = listed["entries"][0]["chain"][0] if listed["entries"][0]["alias"] == "client" \
        else listed["entries"][1]["chain"][0]
    assert chain["certificates"][0] == leaf
    assert printed["certificates"][0] == leaf
    assert next(c["certificate"] for c in expiry["certificates"]
                if c["keystore"] == str(jks) and c["position"] == 1
                and c["alias"] == "client") == leaf
    assert sorted(leaf) == sorted(["subject", "issuer", "serial", "not_before", "not_after",
                                   "sha256", "ca", "self_signed", "key", "key_usage",
                                   "extended_key_usage", "aia_ca_issuers"])


@pytest.mark.parametrize(("args", "code", "text"), [
    (["list", "--keystore", "{tmp}/none.jks", "--storepass", PW, "--json"], "error",
     "does not exist"),
    (["list", "--keystore", "{jks}", "--storepass", "wrong-pw", "--json"], "integrity",
     "password was incorrect"),
    (["check", "--profile", "bogus", "--keystore", "{jks}", "--storepass", PW, "--json"],
     "usage", "Unknown profile: bogus"),
    (["chain", "--cert", "{tmp}/none.pem", "--json"], "storage", "none.pem"),
    (["-list", "-keystore", "{tmp}/none.jks", "-storepass", PW, "-json"], "error",
     "does not exist"),
    (["expiry", "--within", "3x", "{jks}", "--storepass", PW, "--json"], "usage",
     "Invalid duration"),
])
def test_failed_json_command_prints_an_error_object(
    validator: Draft202012Validator, stores: dict[str, Any], args: list[str], code: str,
    text: str,
) -> None:
    argv = [a.format(tmp=stores["tmp"], jks=stores["jks"]) for a in args]
    res = run_cli(argv)
    assert res.returncode == 1
    doc = valid(validator, res.stdout, "error")
    assert doc["error"]["code"] == code, doc
    assert text in doc["error"]["message"]
    assert res.stderr.decode().strip().endswith(doc["error"]["message"])
    # without --json: no JSON on stdout
    res = run_cli([a for a in argv if a not in ("--json", "-json")])
    assert res.returncode == 1 and res.stdout == b""


def test_one_finding_type_and_codes() -> None:
    assert not hasattr(profiles, "ROOT_INCLUDED") and not hasattr(profiles, "CheckFinding")
    values = [c.value for c in Code]
    assert len(values) == len(set(values))
    schema = json.loads(schema_text())
    assert schema["$defs"]["finding"]["properties"]["code"]["enum"] == values


def test_check_prints_the_command_that_fixes_each_finding(tmp_path: Path,
                                                          validator: Draft202012Validator) -> None:
    pki = make_pki("Fix", leaf_key=rsa_key(0))
    path = save_store(tmp_path / "sf.jks",
                      [key_entry("my-client", pki.leaf_key, [pki.leaf, pki.root, pki.inter])],
                      "JKS")
    base = ["check", "--profile", "salesforce", "--keystore", path, "--storepass", PW]
    res = run_cli(base)
    assert res.returncode == 2
    out = res.stdout.decode().splitlines()
    fixes = {line.split(": ", 1)[1] for line in out if line.startswith("  fix: ")}
    q = shlex.quote(str(path))
    assert f"keystoretool changealias --keystore {q} --alias my-client --destalias my_client" \
        in fixes
    assert f"keystoretool chain --keystore {q} --alias my-client --fix" in fixes
    i = out.index("problem: my-client: not a valid Salesforce unique name: only letters, digits "
                  "and underscores are allowed (not '-')")
    assert out[i + 1].startswith("  fix: keystoretool changealias")
    doc = valid(validator, run_cli([*base, "--json"]).stdout, "check")
    by_code = {f["code"]: f for f in doc["findings"]}
    assert by_code["root-included"]["severity"] == "problem"
    assert by_code["out-of-order"]["fix"] == f"keystoretool chain --keystore {q} --alias " \
        "my-client --fix"
    # Running the printed commands (with the password) makes the keystore ready.
    for fix in sorted(fixes, key=lambda f: "changealias" in f):
        res = run_cli([*shlex.split(fix)[1:], "--storepass", PW])
        assert res.returncode == 0, res.stdout + res.stderr
    res = run_cli(base)
    assert res.returncode == 0, res.stdout
    assert res.stdout.decode().endswith("ready for Salesforce\n")


def test_chain_fix_repairs_the_entry_in_place(tmp_path: Path) -> None:
    pki = make_pki("InPlace", leaf_key=rsa_key(0))
    path = save_store(tmp_path / "c.jks",
                      [key_entry("c", pki.leaf_key, [pki.leaf, pki.root, pki.inter])], "JKS")
    base = ["chain", "--keystore", path, "--alias", "c", "--storepass", PW]
    res = run_cli([*base, "--fix"])
    assert res.returncode == 0, res.stderr
    assert b"Chain of <c> now holds 2 certificates." in res.stdout
    doc = json.loads(run_cli([*base, "--json"]).stdout)
    assert [c["subject"] for c in doc["certificates"]] == [
        "CN=InPlace client, O=Test PKI", "CN=InPlace Intermediate CA, O=Test PKI"]
    before = path.read_bytes()
    res = run_cli([*base, "--fix"])  # nothing left to fix: an error, the store unchanged
    assert res.returncode == 1 and b"already ordered" in res.stderr
    assert path.read_bytes() == before
