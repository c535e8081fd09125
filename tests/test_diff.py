"""diff A B: entries only in A / only in B, changed entries (type, certificate,
chain, key), renames and certificates under other aliases; aliases compared
as keytool looks them up; keys by public key unless --keys; dates only with
--dates; exit 0 identical / 2 different / 1 error; JKS vs PKCS12 by content."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from interop import run_cli, run_keytool
from pkihelpers import der, ec_key, key_entry, make_pki, save_store

from keystoretool.entries import SecretKeyEntry, TrustedCertEntry
from keystoretool.model import Keystore

PW = "changeit"


def save(path: Path, entries: list[Any], store_type: str = "PKCS12", pw: str = PW) -> Path:
    return save_store(path, entries, store_type, pw)


@pytest.fixture(scope="module")
def pki() -> Any:
    return make_pki("Diff")


def diff(a: Path, b: Path, *extra: Any) -> tuple[int, list[str]]:
    res = run_cli(["diff", a, b, "--storepass", PW, *extra])
    assert res.returncode in (0, 2), res.stderr
    return res.returncode, res.stdout.decode().splitlines()


def diff_json(a: Path, b: Path, *extra: Any) -> dict[str, Any]:
    res = run_cli(["diff", a, b, "--storepass", PW, "--json", *extra])
    assert res.returncode in (0, 2), res.stderr
    doc: dict[str, Any] = json.loads(res.stdout)
    assert doc["verdict"] == ("identical" if res.returncode == 0 else "different")
    return doc


# ---------------------------------------------------------------------------
# identical content
# ---------------------------------------------------------------------------
def test_jks_and_pkcs12_made_by_keytool_compare_identical(require_keytool: str,
                                                          tmp_path: Path) -> None:
    jks, p12 = tmp_path / "a.jks", tmp_path / "a.p12"
    common = ["-keystore", jks, "-storetype", "JKS", "-storepass", PW]

    def kt(*args: Any, stdin: bytes = b"") -> bytes:
        res = run_keytool([*args, *common], stdin=stdin)
        assert res.returncode == 0, res.stderr
        return res.stdout

    kt("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-dname", "CN=Diff CA", "-ext", "bc:c")
    kt("-genkeypair", "-alias", "client", "-keyalg", "EC", "-dname", "CN=client")
    csr = kt("-certreq", "-alias", "client")
    reply = kt("-gencert", "-alias", "ca", "-rfc", stdin=csr)
    (tmp_path / "reply.pem").write_bytes(reply)
    kt("-importcert", "-alias", "client", "-file", tmp_path / "reply.pem")
    (tmp_path / "ca.pem").write_bytes(kt("-exportcert", "-alias", "ca", "-rfc"))
    kt("-importcert", "-alias", "MyRoot", "-file", tmp_path / "ca.pem", "-noprompt")
    res = run_keytool(["-importkeystore", "-srckeystore", jks, "-destkeystore", p12,
                       "-deststoretype", "PKCS12", "-srcstorepass", PW, "-deststorepass", PW])
    assert res.returncode == 0, res.stderr
    assert jks.read_bytes() != p12.read_bytes()
    status, lines = diff(jks, p12)
    assert status == 0, lines
    assert lines == [
        f"--- {jks} (JKS, 3 entries)",
        f"+++ {p12} (PKCS12, 3 entries)",
        "The keystores hold the same entries.",
    ]
    doc = diff_json(p12, jks, "--keys")  # the private keys decrypt to the same keys too
    assert doc["only_in_a"] == doc["only_in_b"] == doc["changed"] == []


def test_aliases_compare_case_insensitively(pki: Any, tmp_path: Path) -> None:
    a = save(tmp_path / "a.p12", [TrustedCertEntry("MyCA", cert_der=der(pki.root))])
    b = save(tmp_path / "b.jks", [TrustedCertEntry("myca", cert_der=der(pki.root))], "JKS")
    assert Keystore.load(str(a), PW).aliases() == ["myca"]
    assert [e.alias for e in Keystore.load(str(a), PW)] == ["MyCA"]
    status, lines = diff(a, b)
    assert status == 0
    assert lines[-1] == "The keystores hold the same entries."


def test_creation_dates_only_with_dates(pki: Any, tmp_path: Path) -> None:
    e1 = key_entry("client", pki.leaf_key, pki.chain)
    e2 = key_entry("client", pki.leaf_key, pki.chain)
    e1.created = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    e2.created = dt.datetime(2025, 6, 1, tzinfo=dt.UTC)
    a = save(tmp_path / "a.jks", [e1], "JKS")
    b = save(tmp_path / "b.jks", [e2], "JKS")
    assert diff(a, b)[0] == 0
    status, lines = diff(a, b, "--dates")
    assert status == 2
    assert lines[2] == (f"~ <client>: creation date differs ({a}: 2024-01-01T00:00:00+00:00; "
                        f"{b}: 2025-06-01T00:00:00+00:00)")
    assert diff_json(a, b, "--dates")["changed"][0]["differences"][0]["code"] == "created"


# ---------------------------------------------------------------------------
# each kind of difference
# ---------------------------------------------------------------------------
def test_only_in_a_and_only_in_b(pki: Any, tmp_path: Path) -> None:
    shared = TrustedCertEntry("root", cert_der=der(pki.root))
    a = save(tmp_path / "a.p12", [shared, key_entry("client", pki.leaf_key, pki.chain)])
    b = save(tmp_path / "b.p12", [TrustedCertEntry("root", cert_der=der(pki.root)),
                                  TrustedCertEntry("inter", cert_der=der(pki.inter))])
    status, lines = diff(a, b)
    assert status == 2
    assert lines[2:] == [
        f"- <client>: only in {a} (PrivateKeyEntry, CN=Diff client, O=Test PKI)",
        f"+ <inter>: only in {b} (trustedCertEntry, CN=Diff Intermediate CA, O=Test PKI)",
        f"The keystores differ: 1 only in {a}, 1 only in {b}.",
    ]
    doc = diff_json(a, b)
    assert [e["alias"] for e in doc["only_in_a"]] == ["client"]
    # a PKCS12 chain is rebuilt by issuer on load, as Java does: the root joins it
    assert doc["only_in_a"][0]["chain"] == [
        ":".join(f"{x:02X}" for x in hashlib.sha256(der(c)).digest())
        for c in [*pki.chain, pki.root]
    ]
    assert [e["alias"] for e in doc["only_in_b"]] == ["inter"]


def test_certificate_renewed_with_the_same_key(pki: Any, tmp_path: Path) -> None:
    renewed, _ = pki.issue("Diff client", pki.leaf_key,
                           not_after=dt.datetime.now(dt.UTC) + dt.timedelta(days=700))
    a = save(tmp_path / "a.p12", [key_entry("client", pki.leaf_key, pki.chain)])
    b = save(tmp_path / "b.p12", [key_entry("client", pki.leaf_key, [renewed, pki.inter])])
    status, lines = diff(a, b)
    assert status == 2
    assert lines[2] == (
        f"~ <client>: certificate differs, same key ({a}: CN=Diff client, O=Test PKI, serial "
        f"{pki.leaf.serial_number:x}, until {pki.leaf.not_valid_after_utc.isoformat()}; {b}: "
        f"CN=Diff client, O=Test PKI, serial {renewed.serial_number:x}, until "
        f"{renewed.not_valid_after_utc.isoformat()})")
    assert len(lines) == 4  # no "key differs": the public keys are the same
    codes = [d["code"] for d in diff_json(a, b)["changed"][0]["differences"]]
    assert codes == ["certificate"]


def test_different_key(pki: Any, tmp_path: Path) -> None:
    other, other_key = pki.issue("Diff client", ec_key())
    a = save(tmp_path / "a.p12", [key_entry("client", pki.leaf_key, pki.chain)])
    b = save(tmp_path / "b.jks", [key_entry("client", other_key, [other, pki.inter])], "JKS")
    status, lines = diff(a, b)
    assert status == 2
    assert lines[2].startswith("~ <client>: certificate differs (")
    assert lines[3] == "~ <client>: key differs (the certificates hold different public keys)"
    codes = [d["code"] for d in diff_json(a, b)["changed"][0]["differences"]]
    assert codes == ["certificate", "key"]


def test_different_chain(pki: Any, tmp_path: Path) -> None:
    a = save(tmp_path / "a.jks", [key_entry("client", pki.leaf_key, pki.chain)], "JKS")
    b = save(tmp_path / "b.jks", [key_entry("client", pki.leaf_key, [pki.leaf])], "JKS")
    status, lines = diff(a, b)
    assert status == 2
    assert lines[2] == f"~ <client>: chain differs ({a}: 2 certificates; {b}: 1 certificate)"
    assert diff_json(a, b)["changed"][0]["differences"][0]["code"] == "chain"


def test_different_entry_type(pki: Any, tmp_path: Path) -> None:
    a = save(tmp_path / "a.p12", [key_entry("client", pki.leaf_key, pki.chain)])
    b = save(tmp_path / "b.p12", [TrustedCertEntry("client", cert_der=der(pki.leaf))])
    status, lines = diff(a, b)
    assert status == 2
    assert lines[2] == (f"~ <client>: entry type differs ({a}: PrivateKeyEntry; "
                        f"{b}: trustedCertEntry)")


def test_renamed_entry(pki: Any, tmp_path: Path) -> None:
    a = save(tmp_path / "a.jks", [key_entry("old_name", pki.leaf_key, pki.chain)], "JKS")
    b = save(tmp_path / "b.p12", [key_entry("new_name", pki.leaf_key, pki.chain)])
    status, lines = diff(a, b)
    assert status == 2
    assert lines[2:] == [
        f"> <old_name> in {a} is <new_name> in {b} (same entry, renamed)",
        "The keystores differ: 1 renamed.",
    ]
    doc = diff_json(a, b)
    assert doc["renamed"] == [{"a_alias": "old_name", "b_alias": "new_name",
                               "entry_type": "PrivateKeyEntry",
                               "subject": "CN=Diff client, O=Test PKI"}]
    assert doc["only_in_a"] == doc["only_in_b"] == doc["same_certificate"] == []


def test_same_certificate_under_another_alias(pki: Any, tmp_path: Path) -> None:
    a = save(tmp_path / "a.p12", [TrustedCertEntry("ca", cert_der=der(pki.root))])
    b = save(tmp_path / "b.p12", [TrustedCertEntry("ca", cert_der=der(pki.inter)),
                                  TrustedCertEntry("root", cert_der=der(pki.root))])
    status, lines = diff(a, b)
    assert status == 2
    assert f"+ <root>: only in {b} (trustedCertEntry, CN=Diff Root CA, O=Test PKI)" in lines
    assert f"= certificate CN=Diff Root CA, O=Test PKI is <ca> in {a}, <root> in {b}" in lines
    doc = diff_json(a, b)
    (same,) = doc["same_certificate"]
    assert (same["a_aliases"], same["b_aliases"]) == (["ca"], ["root"])
    assert [c["alias"] for c in doc["changed"]] == ["ca"]


# ---------------------------------------------------------------------------
# keys
# ---------------------------------------------------------------------------
def test_no_private_key_is_decrypted_unless_asked(pki: Any, tmp_path: Path) -> None:
    """JKS keys with their own password: compared without it (by public key);
    --keys needs it."""
    e1 = key_entry("client", pki.leaf_key, pki.chain)
    e1.key_password = "keypw-a"
    e2 = key_entry("client", pki.leaf_key, pki.chain)
    e2.key_password = "keypw-b"
    a = save(tmp_path / "a.jks", [e1], "JKS")
    b = save(tmp_path / "b.jks", [e2], "JKS")
    assert diff(a, b)[0] == 0
    res = run_cli(["diff", a, b, "--storepass", PW, "--keys"])
    assert res.returncode == 1
    assert res.stderr.decode().startswith(
        f"keystoretool error: Cannot recover the key of <client> in {a}: ")
    assert len(res.stderr.decode().splitlines()) == 1
    res = run_cli(["diff", a, b, "--storepass", PW, "--keys", "--keypass", "keypw-a",
                   "--other-keypass:env", "KB"], env={"KB": "keypw-b"})
    assert res.returncode == 0, res.stderr


def test_keys_finds_a_different_private_key(pki: Any, tmp_path: Path) -> None:
    a = save(tmp_path / "a.jks", [key_entry("client", pki.leaf_key, pki.chain)], "JKS")
    b = save(tmp_path / "b.jks", [key_entry("client", ec_key(), pki.chain)], "JKS")  # mismatched
    assert diff(a, b)[0] == 0  # same certificates: by public key they are the same
    status, lines = diff(a, b, "--keys")
    assert status == 2
    assert lines[2] == "~ <client>: private key differs"


def test_secret_keys(tmp_path: Path) -> None:
    a = save(tmp_path / "a.jceks", [SecretKeyEntry("k", algorithm="AES", key=b"\x01" * 16)],
             "JCEKS")
    b = save(tmp_path / "b.p12", [SecretKeyEntry("k", algorithm="AES", key=b"\x02" * 16)])
    status, lines = diff(a, b)
    assert status == 0
    assert lines[-1] == "note: secret keys were compared by algorithm only; --keys compares " \
                        "their values"
    status, lines = diff(a, b, "--keys")
    assert status == 2
    assert "~ <k>: secret key differs" in lines
    c = save(tmp_path / "c.p12", [SecretKeyEntry("k", algorithm="AES", key=b"\x01" * 16)])
    assert diff(a, c, "--keys")[0] == 0


# ---------------------------------------------------------------------------
# passwords, syntax, errors
# ---------------------------------------------------------------------------
def test_other_storepass_and_keytool_syntax(pki: Any, tmp_path: Path) -> None:
    a = save(tmp_path / "a.jks", [TrustedCertEntry("ca", cert_der=der(pki.root))], "JKS")
    b = save(tmp_path / "b.p12", [TrustedCertEntry("ca", cert_der=der(pki.root))], pw="otherpw")
    res = run_cli(["diff", a, b, "--storepass", PW, "--other-storepass", "otherpw"])
    assert res.returncode == 0, res.stderr
    res = run_cli(["-diff", "-keystore", a, "-keystore", b, "-storepass", PW,
                   "-other-storepass:env", "OTHER"], env={"OTHER": "otherpw"})
    assert res.returncode == 0, res.stderr
    assert b"specified multiple times" not in res.stderr
    res = run_cli(["diff", a, b, "--storepass", PW])  # B's password is not A's
    assert res.returncode == 1
    assert res.stderr == b"keystoretool error: keystore password was incorrect\n"


@pytest.mark.parametrize("args", [["one.jks"], ["a", "b", "c"], []])
def test_diff_needs_two_keystores(args: list[str]) -> None:
    res = run_cli(["diff", *args, "--storepass", PW])
    assert res.returncode == 1
    assert res.stderr == b"keystoretool error: Give two keystores: keystoretool diff A B\n"


def test_unreadable_keystore_is_an_error(pki: Any, tmp_path: Path) -> None:
    a = save(tmp_path / "a.p12", [TrustedCertEntry("ca", cert_der=der(pki.root))])
    garbage = tmp_path / "g.jks"
    garbage.write_bytes(b"\xfe\xed\xfe\xed\x00")
    before = a.read_bytes()
    res = run_cli(["diff", a, garbage, "--storepass", PW])
    assert res.returncode == 1
    assert res.stderr.startswith(b"keystoretool error: ") and res.stderr.count(b"\n") == 1
    res = run_cli(["diff", a, tmp_path / "missing.p12", "--storepass", PW])
    assert res.returncode == 1
    assert b"Keystore file does not exist" in res.stderr
    assert a.read_bytes() == before


def test_json_document(pki: Any, tmp_path: Path) -> None:
    a = save(tmp_path / "a.p12", [TrustedCertEntry("ca", cert_der=der(pki.root))])
    b = save(tmp_path / "b.jks", [TrustedCertEntry("ca", cert_der=der(pki.root)),
                                  TrustedCertEntry("x", cert_der=der(pki.inter))], "JKS")
    doc = diff_json(a, b)
    assert doc["schema_version"] == 2
    assert doc["a"] == {"keystore": str(a), "type": "PKCS12", "entries": 1}
    assert doc["b"] == {"keystore": str(b), "type": "JKS", "entries": 2}
    assert doc["compared"] == {"dates": False, "keys": False}
    (only,) = doc["only_in_b"]
    assert set(only) == {"alias", "entry_type", "certificate", "chain", "algorithm", "created"}
    assert only["alias"] == "x" and only["entry_type"] == "trustedCertEntry"
    assert only["certificate"]["subject"] == pki.inter.subject.rfc4514_string().replace(",", ", ")
    assert only["certificate"]["sha256"] == only["chain"][0]


def test_pkcs12_chain_rebuilt_on_load_is_a_chain_difference(require_keytool: str, pki: Any,
                                                             tmp_path: Path) -> None:
    """A JKS key entry's chain without its root, the root beside it as a trusted entry:
    keytool's PKCS12 conversion reads back a 3-certificate chain (Java rebuilds PKCS12
    chains from every certificate in the file); diff says so, as keytool -list does."""
    jks, p12 = tmp_path / "ext.jks", tmp_path / "ext.p12"
    save(jks, [key_entry("client", pki.leaf_key, pki.chain),
               TrustedCertEntry("root", cert_der=der(pki.root))], "JKS")
    res = run_keytool(["-importkeystore", "-srckeystore", jks, "-destkeystore", p12,
                       "-deststoretype", "PKCS12", "-srcstorepass", PW, "-deststorepass", PW])
    assert res.returncode == 0, res.stderr
    lengths = []
    for path in (jks, p12):
        listing = run_keytool(["-list", "-v", "-alias", "client", "-keystore", path,
                               "-storepass", PW]).stdout.decode()
        lengths.append(int(listing.split("Certificate chain length: ")[1].split()[0]))
    assert lengths == [2, 3]
    status, lines = diff(jks, p12)
    assert status == 2
    assert lines[2] == f"~ <client>: chain differs ({jks}: 2 certificates; {p12}: 3 certificates)"


FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def test_keys_with_own_passwords_fall_back_to_the_store_password(tmp_path: Path) -> None:
    """kt17/all.jceks: keys under the store password and <diffpw> under its own;
    --keypass unlocks that one, the store password the others."""
    a = FIXTURES / "kt17" / "all.jceks"
    b = tmp_path / "copy.jceks"
    b.write_bytes(a.read_bytes())
    res = run_cli(["diff", a, b, "--storepass", PW, "--keys", "--keypass", "keypass456"])
    assert res.returncode == 0, res.stdout + res.stderr
    assert res.stdout.decode().splitlines()[-1] == "The keystores hold the same entries."
    res = run_cli(["diff", a, b, "--storepass", PW, "--keys"])
    assert res.returncode == 1
    assert b"Cannot recover the key of <diffpw>" in res.stderr


def test_bouncycastle_uber_and_bks_compare_by_content() -> None:
    uber = FIXTURES / "corpus" / "pyjks" / "uber" / "christmas.uber"
    bks = FIXTURES / "corpus" / "pyjks" / "bks" / "christmas.bksv2"
    res = run_cli(["diff", uber, bks, "--storepass", "12345678", "--keys"])
    assert res.returncode == 0, res.stdout + res.stderr
    lines = res.stdout.decode().splitlines()
    assert lines == [f"--- {uber} (UBER, 5 entries)", f"+++ {bks} (BKS, 5 entries)",
                     "The keystores hold the same entries."]


def test_prompts_name_each_keystore(pki: Any, tmp_path: Path) -> None:
    a = save(tmp_path / "a.jks", [TrustedCertEntry("ca", cert_der=der(pki.root))], "JKS")
    b = save(tmp_path / "b.p12", [TrustedCertEntry("ca", cert_der=der(pki.root))], pw="otherpw")
    res = run_cli(["diff", a, b], stdin=f"{PW}\notherpw\n".encode())
    assert res.returncode == 0, res.stderr
    assert res.stderr.decode() == (f"Enter keystore password for {a}:  "
                                   f"Enter keystore password for {b}:  ")
