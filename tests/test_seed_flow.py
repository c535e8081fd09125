"""The user's seed workflow end to end (seed-salesforce-mutual-auth.txt):

1. a 2048-bit RSA key pair and a CSR with CN, e-mail, company, department,
   city, state and two-letter country (keystoretool genkeypair + certreq);
2. openssl acting as a root CA and an intermediate CA signs the CSR;
3. the signed certificate is installed on the key entry together with its
   intermediate (keystoretool importcert of ``cat leaf.pem inter.pem``);
4. real keytool lists the result: the same chain keytool itself produces
   from the same inputs (leaf, intermediate, and the root when it is in
   the store), on JKS, JCEKS and PKCS12.

Two comparisons per case: keytool running the import step on a copy of the
very store keystoretool made (same key, so every fingerprint must be equal),
and keytool running the whole flow itself (its own key: same aliases, types,
chain length and CA certificates).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from interop import keytool_entries, openssl, run_cli, run_keytool, sha256_fingerprint

pytestmark = pytest.mark.usefixtures("require_keytool", "require_openssl")

SEED_DNAME = ("CN=www.mycompany.com, EMAILADDRESS=admin@mycompany.com, OU=Accounting, "
              "O=My Company Inc, L=San Francisco, ST=California, C=US")
PW = "Snaplogic123"
EXT_CNF = """
[v3_inter]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[v3_client]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
"""


def ok(proc, what: str) -> None:  # type: ignore[no-untyped-def]
    assert proc.returncode == 0, (what, proc.stdout.decode(errors="replace"),
                                  proc.stderr.decode(errors="replace"))


class OpensslCA:
    """A root CA and an intermediate CA run with the openssl command line."""

    def __init__(self, folder: Path) -> None:
        self.dir = folder
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "ext.cnf").write_text(EXT_CNF)
        ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
        ok(openssl(["req", "-x509", *ec, "-keyout", "root.key", "-out", "root.pem", "-days",
                    "3650", "-subj", "/O=Seed Trust/CN=Seed Root CA"], cwd=folder), "root")
        ok(openssl(["req", "-new", *ec, "-keyout", "inter.key", "-out", "inter.csr", "-subj",
                    "/O=Seed Trust/CN=Seed Intermediate CA"], cwd=folder), "inter csr")
        ok(openssl(["x509", "-req", "-in", "inter.csr", "-CA", "root.pem", "-CAkey", "root.key",
                    "-set_serial", "2", "-days", "1825", "-extfile", "ext.cnf", "-extensions",
                    "v3_inter", "-out", "inter.pem"], cwd=folder), "inter")
        self.root = folder / "root.pem"
        self.inter = folder / "inter.pem"
        self.serial = 100

    def sign(self, csr: Path, out: Path) -> Path:
        """The intermediate signs a client CSR; returns the leaf PEM."""
        self.serial += 1
        ok(openssl(["x509", "-req", "-in", str(csr), "-CA", "inter.pem", "-CAkey", "inter.key",
                    "-set_serial", str(self.serial), "-days", "365", "-extfile", "ext.cnf",
                    "-extensions", "v3_client", "-out", str(out)], cwd=self.dir), "sign")
        return out

    def bundle(self, leaf: Path, out: Path) -> Path:
        """``cat leaf.pem inter.pem > bundle.pem``, as the seed document does."""
        out.write_bytes(leaf.read_bytes() + self.inter.read_bytes())
        return out


def fp(pem_path: Path) -> str:
    cert = x509.load_pem_x509_certificate(pem_path.read_bytes())
    return sha256_fingerprint(cert.public_bytes(Encoding.DER))


@pytest.fixture(scope="module")
def ca(tmp_path_factory: pytest.TempPathFactory) -> OpensslCA:
    return OpensslCA(tmp_path_factory.mktemp("ca"))


def ext_for(store_type: str) -> str:
    return {"JKS": "jks", "JCEKS": "jceks", "PKCS12": "p12"}[store_type]


@pytest.mark.parametrize("root_in_store", [True, False], ids=["root-trusted", "no-root"])
@pytest.mark.parametrize("store_type", ["PKCS12", "JKS", "JCEKS"])
def test_seed_flow_matches_keytool(tmp_path: Path, ca: OpensslCA, store_type: str,
                                   root_in_store: bool) -> None:
    ext = ext_for(store_type)
    ours = tmp_path / f"ours.{ext}"
    common = ["-keystore", ours, "-storepass", PW, "-storetype", store_type]

    # 1. key pair + CSR (keytool syntax), then the same CSR in native syntax
    ok(run_cli(["-genkeypair", "-alias", "ma_2_cert", "-keyalg", "RSA", "-keysize", "2048",
                "-dname", SEED_DNAME, "-keypass", PW, *common]), "genkeypair")
    ok(run_cli(["-certreq", "-alias", "ma_2_cert", "-file", tmp_path / "ours.csr", *common]),
       "certreq")
    native = run_cli(["certreq", "--alias", "ma_2_cert", "--keystore", ours, "--storepass", PW])
    ok(native, "native certreq")
    csr_text = (tmp_path / "ours.csr").read_bytes().decode("ascii")
    assert csr_text.startswith("-----BEGIN NEW CERTIFICATE REQUEST-----\n")
    assert "\r\n" in csr_text
    ok(openssl(["req", "-in", tmp_path / "ours.csr", "-noout", "-verify"]), "req -verify")
    csr = x509.load_pem_x509_csr(csr_text.encode())
    assert csr.subject.rfc4514_string() == (
        "CN=www.mycompany.com,1.2.840.113549.1.9.1=admin@mycompany.com,OU=Accounting,"
        "O=My Company Inc,L=San Francisco,ST=California,C=US")
    assert csr.public_key().key_size == 2048

    # 2. the CA signs it; 3. the reply (leaf + intermediate) is installed
    leaf = ca.sign(tmp_path / "ours.csr", tmp_path / "ours-leaf.pem")
    reply = ca.bundle(leaf, tmp_path / "ours-reply.pem")
    theirs_same_key = tmp_path / f"kt-copy.{ext}"
    shutil.copyfile(ours, theirs_same_key)

    def import_steps(runner, store: Path, reply_path: Path):  # type: ignore[no-untyped-def]
        args = ["-keystore", store, "-storepass", PW, "-storetype", store_type]
        if root_in_store:
            ok(runner(["-importcert", "-alias", "seedroot", "-file", ca.root, "-noprompt",
                       *args]), "import root")
            # the root is trusted: no question, the root is appended to the chain
            return runner(["-importcert", "-alias", "ma_2_cert", "-file", reply_path, *args])
        # the top certificate is not trusted: keytool asks, the user says yes
        return runner(["-importcert", "-alias", "ma_2_cert", "-file", reply_path, *args],
                      stdin=b"yes\n")

    mine = import_steps(run_cli, ours, reply)
    ok(mine, "our importcert")
    kt = import_steps(run_keytool, theirs_same_key, reply)
    ok(kt, "keytool importcert")
    assert "Certificate reply was installed in keystore" in mine.stderr.decode()
    assert "Certificate reply was installed in keystore" in kt.stderr.decode()
    if not root_in_store:
        # the untrusted top certificate is shown on stdout, the question on stderr
        assert mine.stdout == kt.stdout
        assert b"... is not trusted. Install reply anyway? [no]:  " in mine.stderr

    # 4. keytool lists the same thing in both stores
    listed = keytool_entries(ours, PW, store_type)
    assert listed == keytool_entries(theirs_same_key, PW, store_type)
    chain = listed["ma_2_cert"]
    expected = [fp(leaf), fp(ca.inter)] + ([fp(ca.root)] if root_in_store else [])
    assert chain == ("PrivateKeyEntry", expected)
    if root_in_store:
        assert listed["seedroot"] == ("trustedCertEntry", [fp(ca.root)])
    # our own listing of the result, byte for byte as keytool prints it
    list_args = ["-list", "-v", "-keystore", ours, "-storepass", PW, "-storetype", store_type]
    assert run_cli(list_args).stdout == run_keytool(list_args).stdout

    # ... and the same structure as keytool's own run of the whole flow
    kts = tmp_path / f"keytool.{ext}"
    kargs = ["-keystore", kts, "-storepass", PW, "-storetype", store_type]
    ok(run_keytool(["-genkeypair", "-alias", "ma_2_cert", "-keyalg", "RSA", "-keysize", "2048",
                    "-dname", SEED_DNAME, "-keypass", PW, *kargs]), "keytool genkeypair")
    ok(run_keytool(["-certreq", "-alias", "ma_2_cert", "-file", tmp_path / "kt.csr", *kargs]),
       "keytool certreq")
    kt_leaf = ca.sign(tmp_path / "kt.csr", tmp_path / "kt-leaf.pem")
    ok(import_steps(run_keytool, kts, ca.bundle(kt_leaf, tmp_path / "kt-reply.pem")), "kt flow")
    theirs = keytool_entries(kts, PW, store_type)
    assert sorted(theirs) == sorted(listed)
    for alias, (kind, fps) in theirs.items():
        assert listed[alias][0] == kind
        assert len(listed[alias][1]) == len(fps)
        assert listed[alias][1][1:] == fps[1:]  # the CA certificates are the same

    # the installed chain is in the order Salesforce requires: leaf, then its signer
    ours_pem = run_cli(["-exportcert", "-rfc", "-alias", "ma_2_cert", *common])
    ok(ours_pem, "exportcert")
    exported = x509.load_pem_x509_certificate(ours_pem.stdout)
    assert sha256_fingerprint(exported.public_bytes(Encoding.DER)) == fp(leaf)


@pytest.mark.parametrize("store_type", ["PKCS12", "JKS"])
def test_seed_flow_noprompt_installs_reply_as_given(tmp_path: Path, ca: OpensslCA,
                                                    store_type: str) -> None:
    """-noprompt installs the reply as given, without appending the trusted root.

    (A PKCS12 keeps certificates as separate bags and keytool rebuilds a key's
    chain from issuer links when it loads one, so there keytool lists the
    trusted root at the end of the chain anyway: both tools' files must list
    alike.)
    """
    listings = {}
    for runner, name in ((run_cli, "ours"), (run_keytool, "theirs")):
        ks = tmp_path / f"{name}.{ext_for(store_type)}"
        args = ["-keystore", ks, "-storepass", PW, "-storetype", store_type]
        ok(runner(["-genkeypair", "-alias", "c", "-keyalg", "RSA", "-dname", SEED_DNAME, *args]),
           "gen")
        ok(runner(["-certreq", "-alias", "c", "-file", tmp_path / f"{name}.csr", *args]), "req")
        leaf = ca.sign(tmp_path / f"{name}.csr", tmp_path / f"{name}-leaf.pem")
        ok(runner(["-importcert", "-alias", "root", "-file", ca.root, "-noprompt", *args]), "root")
        ok(runner(["-importcert", "-alias", "c", "-noprompt", "-file",
                   ca.bundle(leaf, tmp_path / f"{name}-reply.pem"), *args]), "reply")
        entries = keytool_entries(ks, PW, store_type)
        assert entries["c"][1][:2] == [fp(leaf), fp(ca.inter)]
        listings[name] = {a: (k, len(f), f[1:]) for a, (k, f) in entries.items()}
        # and we list the file as keytool does (for PKCS12: chains rebuilt through
        # the trusted root's bag, as Java's loader does)
        listed = run_cli(["list", "--keystore", ks, "--storepass", PW, "--json"])
        ok(listed, "list")
        doc = json.loads(listed.stdout)
        assert {e["alias"]: (e["type"], [c["sha256"] for c in e["chain"]])
                for e in doc["entries"]} == entries
    assert listings["ours"] == listings["theirs"]
    if store_type == "JKS":
        assert listings["ours"]["c"][1] == 2
