"""keystoretool.chain: ordering, one test per diagnosis, verification, completion."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import pytest
from pkihelpers import CLIENT, SERVER, ec_key, make_cert, make_pki, pem, write

from keystoretool import certs
from keystoretool import chain as ch
from keystoretool.errors import KeystoreToolError
from keystoretool.findings import Code
from keystoretool.jsondoc import certificate
from keystoretool.relations import cert_der


@pytest.fixture(scope="module")
def pki():  # type: ignore[no-untyped-def]
    return make_pki("Chain", aia="http://pki.example.test/inter.crt")


def codes(report: ch.ChainReport) -> set[str]:
    """Finding codes, without the note every chain sent without its root gets."""
    return {f.code for f in report.findings if f.code != Code.ENDS_BELOW_ROOT}


def test_sound_chain_has_no_problem(pki) -> None:  # type: ignore[no-untyped-def]
    report = ch.diagnose([pki.leaf, pki.inter], public_key=pki.leaf_key.public_key())
    assert report.sound, report.findings
    # Without a CA file, whether the intermediate's issuer is a root is unknown: a note.
    assert [f.code for f in report.findings] == [Code.ENDS_BELOW_ROOT]
    assert "check with --cafile" in report.findings[0].message
    assert report.ordered == [pki.leaf, pki.inter]
    assert ch.diagnose([pki.leaf, pki.inter], cafile=[pki.root]).findings == []


def test_root_included_is_a_note_and_fix_drops_it(pki) -> None:  # type: ignore[no-untyped-def]
    report = ch.diagnose([pki.leaf, pki.inter, pki.root])
    assert report.sound
    assert codes(report) == {Code.ROOT_INCLUDED}
    assert "optional" in report.findings[0].message
    assert report.fixed_chain() == [pki.leaf, pki.inter]
    assert report.fixed_chain(include_root=True) == [pki.leaf, pki.inter, pki.root]


def test_out_of_order_detected_and_fixed(pki) -> None:  # type: ignore[no-untyped-def]
    report = ch.diagnose([pki.leaf, pki.root, pki.inter])
    assert Code.OUT_OF_ORDER in codes(report)
    assert not report.sound
    msg = next(f.message for f in report.findings if f.code == Code.OUT_OF_ORDER)
    assert "did not sign" in msg and "Chain Root CA" in msg
    assert report.fixed_chain() == [pki.leaf, pki.inter]


def test_not_starting_with_leaf(pki) -> None:  # type: ignore[no-untyped-def]
    report = ch.diagnose([pki.inter, pki.leaf])
    f = next(f for f in report.findings if f.code == Code.OUT_OF_ORDER)
    assert "does not start with the leaf" in f.message
    assert "Chain client" in f.message
    assert report.ordered == [pki.leaf, pki.inter]


def test_missing_intermediate_names_issuer_and_aia(pki) -> None:  # type: ignore[no-untyped-def]
    report = ch.diagnose([pki.leaf])
    f = next(f for f in report.findings if f.code == Code.MISSING_INTERMEDIATE)
    assert f.is_problem
    assert "CN=Chain Intermediate CA" in f.message
    assert "http://pki.example.test/inter.crt" in f.message


def test_missing_intermediate_found_in_pool(pki) -> None:  # type: ignore[no-untyped-def]
    report = ch.diagnose([pki.leaf], pool=[pki.root, pki.inter])
    f = next(f for f in report.findings if f.code == Code.MISSING_INTERMEDIATE)
    assert "found in the certificates given" in f.message


def test_root_in_pool_is_not_a_missing_intermediate(pki) -> None:  # type: ignore[no-untyped-def]
    report = ch.diagnose([pki.leaf, pki.inter], pool=[pki.root])
    assert report.sound and codes(report) == set()


def test_leaf_issued_by_trusted_root_is_complete(pki) -> None:  # type: ignore[no-untyped-def]
    k = ec_key()
    direct = make_cert("direct", k, (pki.root, pki.root_key), eku=CLIENT)
    assert Code.MISSING_INTERMEDIATE in codes(ch.diagnose([direct]))
    report = ch.diagnose([direct], cafile=[pki.root])
    assert report.sound, report.findings
    assert report.verified_chain == [direct, pki.root]


def test_duplicate(pki) -> None:  # type: ignore[no-untyped-def]
    report = ch.diagnose([pki.leaf, pki.inter, pki.inter])
    f = next(f for f in report.findings if f.code == Code.DUPLICATE)
    assert f.index == 2 and "[3]" in f.message


def test_unrelated_certificate(pki) -> None:  # type: ignore[no-untyped-def]
    other = make_pki("Other")
    report = ch.diagnose([pki.leaf, pki.inter, other.root])
    f = next(f for f in report.findings if f.code == Code.UNRELATED)
    assert "Other Root CA" in f.message
    assert report.fixed_chain() == [pki.leaf, pki.inter]


def test_expired_and_not_yet_valid(pki) -> None:  # type: ignore[no-untyped-def]
    now = dt.datetime.now(dt.UTC)
    old, _ = pki.issue(
        "old", not_before=now - dt.timedelta(days=30), not_after=now - dt.timedelta(days=2)
    )
    report = ch.diagnose([old, pki.inter])
    f = next(f for f in report.findings if f.code == Code.EXPIRED)
    assert "CN=old" in f.message and "expired on" in f.message
    future, _ = pki.issue("future", not_before=now + dt.timedelta(days=2))
    report = ch.diagnose([future, pki.inter])
    f = next(f for f in report.findings if f.code == Code.NOT_YET_VALID)
    assert "CN=future" in f.message
    # Judged at another time, the same chain is fine.
    later = ch.diagnose([future, pki.inter], at=now + dt.timedelta(days=3))
    assert later.sound


def test_intermediate_not_a_ca(pki) -> None:  # type: ignore[no-untyped-def]
    k = ec_key()
    fake_inter = make_cert("Fake Inter", k, (pki.root, pki.root_key), ca=False)
    leaf = make_cert("victim", ec_key(), (fake_inter, k), eku=CLIENT)
    report = ch.diagnose([leaf, fake_inter])
    assert Code.NOT_CA in codes(report)


def test_intermediate_without_keycertsign(pki) -> None:  # type: ignore[no-untyped-def]
    from cryptography import x509

    k = ec_key()
    ku = x509.KeyUsage(True, False, False, False, False, False, True, False, False)
    inter = make_cert("No Sign CA", k, (pki.root, pki.root_key), ca=True, key_usage=ku)
    leaf = make_cert("child", ec_key(), (inter, k), eku=CLIENT)
    report = ch.diagnose([leaf, inter])
    assert codes(report) == {Code.NO_CERT_SIGN}


def test_wrong_certificate_with_the_issuers_name(pki) -> None:  # type: ignore[no-untyped-def]
    # Same subject name as the intermediate, different key (e.g. a renewed CA).
    impostor = make_cert("Chain Intermediate CA", ec_key(), (pki.root, pki.root_key), ca=True)
    report = ch.diagnose([pki.leaf, impostor])
    assert Code.BAD_SIGNATURE in codes(report)
    assert Code.MISSING_INTERMEDIATE in codes(report)


def test_leaf_without_client_auth(pki) -> None:  # type: ignore[no-untyped-def]
    srv, _ = pki.issue("server-only", eku=SERVER)
    report = ch.diagnose([srv, pki.inter])
    f = next(f for f in report.findings if f.code == Code.NO_CLIENT_AUTH)
    assert "serverAuth" in f.message and "clientAuth missing" in f.message
    assert ch.diagnose([srv, pki.inter], client_auth=False).sound


def test_leaf_without_eku_is_a_note(pki) -> None:  # type: ignore[no-untyped-def]
    plain = make_cert("plain", ec_key(), (pki.inter, pki.inter_key))
    report = ch.diagnose([plain, pki.inter])
    assert report.sound and codes(report) == {Code.NO_EKU}


def test_key_mismatch(pki) -> None:  # type: ignore[no-untyped-def]
    report = ch.diagnose([pki.leaf, pki.inter], public_key=ec_key().public_key())
    assert Code.KEY_MISMATCH in codes(report)


def test_empty_chain() -> None:
    report = ch.diagnose([])
    assert codes(report) == {Code.EMPTY} and not report.sound


def test_cafile_verification(pki) -> None:  # type: ignore[no-untyped-def]
    ok = ch.diagnose([pki.leaf, pki.inter], cafile=[pki.root])
    assert ok.sound and ok.verified_chain == [pki.leaf, pki.inter, pki.root]
    other = make_pki("Elsewhere")
    bad = ch.diagnose([pki.leaf, pki.inter], cafile=[other.root])
    f = next(f for f in bad.findings if f.code == Code.UNTRUSTED)
    assert f.message.startswith("verification failed:")
    assert "unable to get local issuer certificate" in f.message


def test_verify_rejects_expired() -> None:
    now = dt.datetime.now(dt.UTC)
    p = make_pki("V")
    with pytest.raises(KeystoreToolError, match="not valid at validation time"):
        ch.verify([p.leaf, p.inter], [p.root], at=now + dt.timedelta(days=4000))


def test_self_signed_leaf_is_a_note() -> None:
    k = ec_key()
    ss = make_cert("selfie", k, eku=CLIENT)
    report = ch.diagnose([ss], public_key=k.public_key())
    assert report.sound and codes(report) == {Code.SELF_SIGNED_LEAF}


def test_load_certificates_formats(pki, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from cryptography.hazmat.primitives.serialization import Encoding, pkcs7

    assert certs.read_certificates(pem(pki.leaf, pki.inter), "input") == [pki.leaf, pki.inter]
    assert certs.read_certificates(cert_der(pki.leaf), "input") == [pki.leaf]
    p7 = pkcs7.serialize_certificates([pki.leaf, pki.inter], Encoding.DER)
    assert set(certs.read_certificates(p7, "input")) == {pki.leaf, pki.inter}
    with pytest.raises(KeystoreToolError, match="Input not an X.509 certificate"):
        certs.read_certificates(b"garbage", "x.pem")
    with pytest.raises(KeystoreToolError, match="no certificate found"):
        certs.read_certificates(
            b"-----BEGIN PRIVATE KEY-----\nAA==\n-----END PRIVATE KEY-----\n", "k.pem")
    with pytest.raises(KeystoreToolError, match="nope.pem"):
        certs.read_certificate_files([str(tmp_path / "nope.pem")])


def test_complete_chain(pki) -> None:  # type: ignore[no-untyped-def]
    done = ch.complete_chain([pki.leaf], [pki.root, pki.inter])
    assert done == [pki.leaf, pki.inter]
    assert ch.complete_chain([pki.leaf], [pki.inter, pki.root], include_root=True) == [
        pki.leaf,
        pki.inter,
        pki.root,
    ]
    with pytest.raises(KeystoreToolError, match="extends the chain"):
        ch.complete_chain([pki.leaf, pki.inter], [make_pki("Z").root])


def test_describe(pki) -> None:  # type: ignore[no-untyped-def]
    d = certificate(pki.leaf)
    assert d["subject"].startswith("CN=Chain client")
    assert d["ca"] is False and d["extended_key_usage"] == ["clientAuth"]
    assert d["aia_ca_issuers"] == ["http://pki.example.test/inter.crt"]
    assert d["key"] == "256-bit EC (secp256r1) key"
    assert len(d["sha256"]) == 95
    assert certificate(pki.inter)["key_usage"] == ["digitalSignature", "keyCertSign", "cRLSign"]


def test_fixed_chain_passes_openssl_verify(pki, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    report = ch.diagnose([pki.root, pki.inter, pki.leaf])
    assert not report.sound
    bundle = write(tmp_path / "bundle.pem", ch.to_pem(report.fixed_chain()))
    root = write(tmp_path / "root.pem", pem(pki.root))
    res = subprocess.run(
        ["openssl", "verify", "-CAfile", str(root), "-untrusted", str(bundle), str(bundle)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert res.returncode == 0, res.stdout + res.stderr
    assert ": OK" in res.stdout


# ---------------------------------------------------------------------------
# The `chain` command
# ---------------------------------------------------------------------------
PW = "changeit"


def _store(tmp_path: Path, chain: list, key, store_type: str = "JKS") -> Path:  # type: ignore[no-untyped-def]
    from pkihelpers import key_entry

    from keystoretool.model import Keystore

    ks = Keystore.new(store_type, PW)
    ks.put("client", key_entry("client", key, chain))
    path = tmp_path / f"ks.{store_type.lower()}"
    ks.save(str(path))
    return path


def test_cli_sound_entry(tmp_path: Path, pki) -> None:  # type: ignore[no-untyped-def]
    from interop import run_cli

    store = _store(tmp_path, [pki.leaf, pki.inter], pki.leaf_key)
    res = run_cli(["chain", "--keystore", store, "--storepass", PW, "--alias", "client"])
    assert res.returncode == 0, res.stderr
    out = res.stdout.decode()
    assert "Certificate[1]:\n  Subject: CN=Chain client, O=Test PKI" in out
    assert "Extended key usage: clientAuth" in out
    assert "CA issuers (AIA): http://pki.example.test/inter.crt" in out
    assert out.rstrip().endswith("Chain is sound.")


def test_cli_missing_intermediate_exit_2_and_json(tmp_path: Path, pki) -> None:  # type: ignore[no-untyped-def]
    import json

    from interop import run_cli

    store = _store(tmp_path, [pki.leaf], pki.leaf_key, "PKCS12")
    res = run_cli(["chain", "--keystore", store, "--storepass", PW, "--alias", "client"])
    assert res.returncode == 2
    assert "problem: intermediate certificate missing: CN=Chain Intermediate CA" in (
        res.stdout.decode()
    )
    res = run_cli(["chain", "--keystore", store, "--storepass", PW, "--alias", "client", "--json"])
    assert res.returncode == 2
    doc = json.loads(res.stdout)
    assert doc["verdict"] == "problems"
    assert [f["code"] for f in doc["findings"]] == ["missing-intermediate"]
    assert doc["certificates"][0]["aia_ca_issuers"] == ["http://pki.example.test/inter.crt"]


def test_cli_add_completes_entry(tmp_path: Path, pki) -> None:  # type: ignore[no-untyped-def]
    from interop import keytool_entries, run_cli, sha256_fingerprint

    store = _store(tmp_path, [pki.leaf], pki.leaf_key)
    cas = write(tmp_path / "cas.pem", pem(pki.root, pki.inter))
    res = run_cli(
        ["chain", "--keystore", store, "--storepass", PW, "--alias", "client", "--add", cas]
    )
    assert res.returncode == 0, res.stderr
    assert "now holds 2 certificates" in res.stdout.decode()
    got = keytool_entries(store, PW)  # no keytool 17: skipped, or failed in CI (conftest)
    assert got == {
        "client": ("PrivateKeyEntry", [sha256_fingerprint(cert_der(c)) for c in pki.chain])
    }
    before = store.read_bytes()
    res = run_cli(
        ["chain", "--keystore", store, "--storepass", PW, "--alias", "client", "--add", cas]
    )
    assert res.returncode == 1 and b"extends the chain" in res.stderr
    assert store.read_bytes() == before


def test_cli_fix_output_passes_openssl_verify(tmp_path: Path, pki) -> None:  # type: ignore[no-untyped-def]
    from interop import run_cli

    # The seed's mistake: files in the wrong order, root included.
    root = write(tmp_path / "root.pem", pem(pki.root))
    inter = write(tmp_path / "inter.pem", pem(pki.inter))
    leaf = write(tmp_path / "leaf.pem", pem(pki.leaf))
    bundle = tmp_path / "bundle.pem"
    res = run_cli(
        ["chain", "--cert", root, "--cert", inter, "--cert", leaf, "--fix", "--out", bundle]
    )
    assert res.returncode == 0, res.stdout + res.stderr
    assert "problem: the chain does not start with the leaf" in res.stdout.decode()
    assert certs.read_certificates(bundle.read_bytes(), "input") == [pki.leaf, pki.inter]
    v = subprocess.run(
        ["openssl", "verify", "-CAfile", str(root), "-untrusted", str(bundle), str(bundle)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert v.returncode == 0 and ": OK" in v.stdout, v.stdout + v.stderr
    # --fix with --add fills the gap from the pool; to stdout without --out.
    res = run_cli(["chain", "--cert", leaf, "--add", inter, "--fix"])
    assert res.returncode == 0
    assert certs.read_certificates(res.stdout, "input") == [pki.leaf, pki.inter]
    # A gap --fix cannot fill: exit 2 and the remaining problem is named.
    res = run_cli(["chain", "--cert", leaf, "--fix", "--out", tmp_path / "b2.pem"])
    assert res.returncode == 2
    assert b"after fix: problem: intermediate certificate missing" in res.stdout


def test_cli_cafile(tmp_path: Path, pki) -> None:  # type: ignore[no-untyped-def]
    from interop import run_cli

    root = write(tmp_path / "root.pem", pem(pki.root))
    chain_file = write(tmp_path / "chain.pem", pem(pki.leaf, pki.inter))
    res = run_cli(["chain", "--cert", chain_file, "--cafile", root])
    assert res.returncode == 0, res.stdout
    assert b"verified: CN=Chain Root CA" in res.stdout
    other = write(tmp_path / "other.pem", pem(make_pki("Nope").root))
    res = run_cli(["chain", "--cert", chain_file, "--cafile", other])
    assert res.returncode == 2
    assert b"problem: verification failed: unable to get local issuer certificate" in res.stdout


def test_cli_errors(tmp_path: Path, pki) -> None:  # type: ignore[no-untyped-def]
    from interop import run_cli

    res = run_cli(["chain", "--cert", tmp_path / "missing.pem"])
    assert res.returncode == 1
    assert res.stderr.startswith(b"keystoretool error: ") and b"No such file" in res.stderr
    junk = write(tmp_path / "junk.pem", b"not a certificate")
    res = run_cli(["chain", "--cert", junk])
    assert res.returncode == 1 and b"Input not an X.509 certificate" in res.stderr
    res = run_cli(["chain"])
    assert res.returncode == 1 and b"Must specify alias" in res.stderr
