"""genkeypair, certreq, importcert, exportcert, printcert, storepasswd, keypasswd
as a user runs them, with real keytool 17 as the oracle.

* printcert / list -v / exportcert output is compared byte for byte with
  keytool's for RSA, EC, DSA and Ed25519 certificates with and without
  extensions;
* CSRs: keytool signs ours with -gencert, openssl verifies ours for keys
  keytool made, and for deterministic signatures (RSA PKCS#1 v1.5, Ed25519)
  our request is byte-identical to keytool's;
* refused replies (wrong key, missing intermediate) are refused by both with
  the same message and leave the store byte-identical;
* password changes are checked by keytool reading the result.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import Encoding
from interop import keytool_entries, openssl, run_cli, run_keytool
from pkihelpers import make_pki, pem

pytestmark = pytest.mark.usefixtures("require_keytool")

PW = "changeit"
DNAME = "CN=John Doe, EMAILADDRESS=j@x.com, OU=Eng, O=ACME, L=Berlin, ST=BE, C=DE"
EXTS = ["san=dns:a.example,ip:1.2.3.4,email:x@y.z,uri:http://a/b", "bc:c=0",
        "ku:c=digitalSignature,keyEncipherment", "eku=clientAuth,serverAuth",
        "aia=caIssuers:uri:http://ca.example/ca.crt"]
KEYS = {"rsa": ["-keyalg", "RSA"], "ec": ["-keyalg", "EC"], "dsa": ["-keyalg", "DSA"],
        "ed25519": ["-keyalg", "Ed25519"]}


def ok(proc, what: str = "") -> None:  # type: ignore[no-untyped-def]
    assert proc.returncode == 0, (what, proc.stdout.decode(errors="replace"),
                                  proc.stderr.decode(errors="replace"))


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def gen(runner, ks: Path, alias: str, key: str, *extra: str, storetype: str | None = None):  # type: ignore[no-untyped-def]
    args = ["-genkeypair", "-keystore", ks, "-storepass", PW, "-alias", alias, *KEYS[key],
            "-dname", DNAME, *extra]
    if storetype:
        args += ["-storetype", storetype]
    proc = runner(args)
    ok(proc, f"genkeypair {alias}")
    return proc


@pytest.fixture(scope="module")
def kt_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A PKCS12 made by keytool: one key per type, with and without extensions."""
    folder = tmp_path_factory.mktemp("ktstore")
    ks = folder / "kt.p12"
    for key in KEYS:
        gen(run_keytool, ks, key, key)
        ext_args = [a for e in EXTS for a in ("-ext", e)]
        gen(run_keytool, ks, f"{key}-ext", key, *ext_args)
    return ks


def export(ks: Path, alias: str, dest: Path) -> Path:
    proc = run_keytool(["-exportcert", "-keystore", ks, "-storepass", PW, "-alias", alias,
                        "-file", dest])
    ok(proc)
    return dest


# ------------------------------------------------------------------ printcert, list -v
@pytest.mark.parametrize("alias", [k + s for k in KEYS for s in ("", "-ext")])
def test_printcert_matches_keytool(kt_store: Path, tmp_path: Path, alias: str) -> None:
    der = export(kt_store, alias, tmp_path / "c.der")
    pem_file = tmp_path / "c.pem"
    pem_file.write_bytes(run_keytool(["-exportcert", "-rfc", "-keystore", kt_store, "-storepass",
                                      PW, "-alias", alias]).stdout)
    for f in (der, pem_file):
        for extra in ([], ["-rfc"]):
            theirs = run_keytool(["-printcert", "-file", f, *extra])
            ours = run_cli(["-printcert", "-file", f, *extra])
            ok(ours)
            assert ours.stdout == theirs.stdout
            assert ours.stderr == theirs.stderr
    native = run_cli(["printcert", "--file", der])
    assert native.stdout == run_keytool(["-printcert", "-file", der]).stdout


def test_printcert_bundle_stdin_and_errors(kt_store: Path, tmp_path: Path) -> None:
    bundle = tmp_path / "b.pem"
    bundle.write_bytes(b"leading text\n" + b"".join(
        run_keytool(["-exportcert", "-rfc", "-keystore", kt_store, "-storepass", PW, "-alias",
                     a]).stdout for a in ("rsa", "ec-ext", "ed25519")))
    theirs = run_keytool(["-printcert"], stdin=bundle.read_bytes())
    ours = run_cli(["-printcert"], stdin=bundle.read_bytes())
    assert ours.stdout == theirs.stdout and b"Certificate[3]:" in ours.stdout
    p7 = tmp_path / "b.p7b"
    ok(openssl(["crl2pkcs7", "-nocrl", "-certfile", bundle, "-out", p7]))
    assert run_cli(["-printcert", "-file", p7]).stdout == run_keytool(
        ["-printcert", "-file", p7]).stdout
    (tmp_path / "empty").write_bytes(b"")
    (tmp_path / "junk").write_bytes(b"hello")
    for name, message in (("empty", b"Empty input"), ("junk", b"Failed to parse input"),
                          ("missing", b"missing (No such file or directory)")):
        theirs = run_keytool(["-printcert", "-file", name], cwd=tmp_path)
        ours = run_cli(["-printcert", "-file", name], cwd=tmp_path)
        assert theirs.returncode == ours.returncode == 1
        assert message in theirs.stdout and message in ours.stderr


def test_list_v_of_keytool_store_matches_keytool(kt_store: Path) -> None:
    args = ["-list", "-v", "-keystore", kt_store, "-storepass", PW]
    assert run_cli(args).stdout == run_keytool(args).stdout


@pytest.mark.parametrize("store_type", ["PKCS12", "JKS", "JCEKS"])
def test_list_v_of_our_store_matches_keytool(tmp_path: Path, store_type: str) -> None:
    ks = tmp_path / "ours.ks"
    for key in KEYS:
        gen(run_cli, ks, key, key, storetype=store_type)
        gen(run_cli, ks, f"{key}-ext", key, *[a for e in EXTS for a in ("-ext", e)],
            storetype=store_type)
    args = ["-list", "-v", "-keystore", ks, "-storepass", PW]
    theirs = run_keytool(args)
    ok(theirs)
    assert run_cli(args).stdout == theirs.stdout
    for alias in ("rsa-ext", "dsa"):
        one = ["-list", "-v", "-alias", alias, "-keystore", ks, "-storepass", PW]
        assert run_cli(one).stdout == run_keytool(one).stdout


# ------------------------------------------------------------------ genkeypair
@pytest.mark.parametrize("key, extra", [
    ("rsa", ["-keysize", "4096"]), ("ec", ["-groupname", "secp384r1"]), ("ec", ["-keysize", "521"]),
    ("dsa", []), ("ed25519", []), ("rsa", ["-validity", "3650"])])
def test_genkeypair_messages_match_keytool(tmp_path: Path, key: str, extra: list[str]) -> None:
    theirs = gen(run_keytool, tmp_path / "kt.p12", "k", key, *extra)
    ours = gen(run_cli, tmp_path / "ours.p12", "k", key, *extra)
    assert ours.stderr == theirs.stderr
    mine = run_keytool(["-list", "-v", "-keystore", tmp_path / "ours.p12", "-storepass", PW])
    kt = run_keytool(["-list", "-v", "-keystore", tmp_path / "kt.p12", "-storepass", PW])
    pick = ("Signature algorithm name", "Subject Public Key Algorithm", "Owner", "Version")
    assert [ln for ln in mine.stdout.splitlines() if ln.decode().startswith(pick)] == \
        [ln for ln in kt.stdout.splitlines() if ln.decode().startswith(pick)]


def test_genkeypair_jks_key_password_prompt(tmp_path: Path) -> None:
    answers = b"changeit\nchangeit\nkeypass1\nkeypass1\n"
    args = ["-genkeypair", "-keyalg", "EC", "-dname", "CN=x", "-alias", "k", "-storetype", "JKS"]
    theirs = run_keytool([*args, "-keystore", tmp_path / "kt.jks"], stdin=answers)
    ours = run_cli([*args, "-keystore", tmp_path / "ours.jks"], stdin=answers)
    ok(ours)
    cut = b"\nWarning:\n"
    assert ours.stderr.split(cut)[0] == theirs.stderr.split(cut)[0]
    # keytool needs the key password we set
    r = run_keytool(["-certreq", "-alias", "k", "-keystore", tmp_path / "ours.jks",
                     "-storepass", PW, "-keypass", "keypass1"])
    ok(r)


def test_genkeypair_interactive_dname(tmp_path: Path) -> None:
    answers = b"John Doe\nEng\nACME\nBerlin\nBE\nDE\nyes\n"
    args = ["-genkeypair", "-keyalg", "EC", "-alias", "k", "-storepass", PW]
    theirs = run_keytool([*args, "-keystore", tmp_path / "kt.p12"], stdin=answers)
    ours = run_cli([*args, "-keystore", tmp_path / "ours.p12"], stdin=answers)
    ok(ours)
    assert ours.stderr == theirs.stderr
    assert b"Is CN=John Doe, OU=Eng, O=ACME, L=Berlin, ST=BE, C=DE correct?\n  [no]:  " in \
        ours.stderr


@pytest.mark.parametrize(
    "args, message",
    [
        (["-keyalg", "RSA", "-alias", "dup"],
         b"Key pair not generated, alias <dup> already exists"),
        (["-alias", "n"], b"The -keyalg option must be specified."),
        (["-keyalg", "RSA", "-alias", "n", "-sigalg", "SHA256withECDSA"],
         b"No installed provider supports this key: sun.security.rsa.RSAPrivateCrtKeyImpl"),
        (["-keyalg", "RSA", "-alias", "n", "-validity", "0"],
         b"Validity must be greater than zero"),
        (["-keyalg", "RSA", "-alias", "n", "-keypass", "abc"],
         b"Key password must be at least 6 characters"),
        (["-keyalg", "EC", "-alias", "n", "-ext", "ku=foo"], b"Unknown keyUsage type: foo"),
        (["-keyalg", "EC", "-alias", "n", "-startdate", "2020-01-01"],
         b"Illegal startdate value"),
        (["-keyalg", "XDH", "-alias", "n"], b"Cannot derive signature algorithm from XDH"),
    ],
)
def test_genkeypair_errors_like_keytool(tmp_path: Path, args: list[str], message: bytes) -> None:
    outs = []
    for runner, name in ((run_keytool, "kt.p12"), (run_cli, "ours.p12")):
        ks = tmp_path / name
        gen(runner, ks, "dup", "ec")
        before = sha(ks)
        proc = runner(["-genkeypair", "-keystore", ks, "-storepass", PW, "-dname", "CN=x", *args])
        assert proc.returncode == 1
        assert sha(ks) == before
        outs.append(proc.stdout + proc.stderr)
    assert message in outs[0] and message in outs[1]


def test_genkeypair_refuses_three_letter_country(tmp_path: Path) -> None:
    proc = run_cli(["-genkeypair", "-keystore", tmp_path / "k.p12", "-storepass", PW, "-keyalg",
                    "EC", "-dname", "CN=x, C=USA"])
    assert proc.returncode == 1 and b"C=USA" in proc.stderr
    assert not (tmp_path / "k.p12").exists()


# ------------------------------------------------------------------ certreq
@pytest.mark.parametrize("key", ["rsa", "ed25519"])
def test_certreq_identical_to_keytool_for_deterministic_signatures(tmp_path: Path,
                                                                   key: str) -> None:
    ks = tmp_path / "kt.jks"
    gen(run_keytool, ks, "k", key, "-storetype", "JKS", "-keypass", "keypass1")
    extra = ["-ext", "san=dns:client.example", "-ext", "eku=clientAuth", "-dname",
             "CN=Other, O=ACME, C=US"]
    for args in ([], extra):
        cmd = ["-certreq", "-alias", "k", "-keystore", ks, "-storepass", PW, "-keypass",
               "keypass1", *args]
        theirs, ours = run_keytool(cmd), run_cli(cmd)
        ok(ours)
        assert ours.stdout == theirs.stdout


@pytest.mark.parametrize("key", list(KEYS))
@pytest.mark.parametrize("store_type", ["JKS", "PKCS12"])
def test_certreq_for_keytool_key_verifies_with_openssl(tmp_path: Path, key: str,
                                                       store_type: str) -> None:
    ks = tmp_path / "kt.ks"
    gen(run_keytool, ks, "k", key, "-storetype", store_type)
    csr = tmp_path / "r.csr"
    proc = run_cli(["-certreq", "-alias", "k", "-keystore", ks, "-storepass", PW, "-file", csr,
                    "-v"])
    ok(proc)
    assert proc.stderr.startswith(f"Certification request stored in file <{csr}>\n"
                                  "Submit this to your CA\n".encode())
    v = openssl(["req", "-in", csr, "-noout", "-verify"])
    assert v.returncode == 0 and b"verify OK" in v.stdout + v.stderr


def test_certreq_errors(tmp_path: Path) -> None:
    ks = tmp_path / "k.p12"
    gen(run_keytool, ks, "k", "ec")
    run_keytool(["-exportcert", "-keystore", ks, "-storepass", PW, "-alias", "k", "-file",
                 tmp_path / "k.der"])
    ok(run_keytool(["-importcert", "-keystore", ks, "-storepass", PW, "-alias", "trusted",
                    "-file", tmp_path / "k.der", "-noprompt"]))
    for alias, message in (("trusted", b"Alias <trusted> has no key"),
                           ("nosuch", b"Alias <nosuch> does not exist")):
        cmd = ["-certreq", "-alias", alias, "-keystore", ks, "-storepass", PW]
        theirs, ours = run_keytool(cmd), run_cli(cmd)
        assert theirs.returncode == ours.returncode == 1
        assert message in theirs.stdout and message in ours.stderr


def test_keytool_gencert_signs_our_csr_and_we_install_it(tmp_path: Path) -> None:
    ca = tmp_path / "ca.p12"
    ok(run_keytool(["-genkeypair", "-keystore", ca, "-storepass", PW, "-alias", "ca", "-keyalg",
                    "EC", "-dname", "CN=Keytool CA, O=ACME", "-ext", "bc:c"]))
    ca_pem = tmp_path / "ca.pem"
    ca_pem.write_bytes(run_keytool(["-exportcert", "-rfc", "-keystore", ca, "-storepass", PW,
                                    "-alias", "ca"]).stdout)
    ours = tmp_path / "ours.jks"
    gen(run_cli, ours, "client", "rsa", storetype="JKS")
    ok(run_cli(["-certreq", "-alias", "client", "-keystore", ours, "-storepass", PW, "-file",
                tmp_path / "c.csr"]))
    ok(run_keytool(["-gencert", "-keystore", ca, "-storepass", PW, "-alias", "ca", "-infile",
                    tmp_path / "c.csr", "-outfile", tmp_path / "c.pem", "-rfc", "-ext",
                    "eku=clientAuth"]))
    ok(run_cli(["-importcert", "-alias", "ca", "-file", ca_pem, "-noprompt", "-keystore", ours,
                "-storepass", PW]))
    copy = tmp_path / "copy.jks"
    shutil.copyfile(ours, copy)
    args = ["-importcert", "-alias", "client", "-file", tmp_path / "c.pem", "-storepass", PW]
    mine = run_cli([*args, "-keystore", ours])
    theirs = run_keytool([*args, "-keystore", copy])
    ok(mine)
    ok(theirs)
    assert b"Certificate reply was installed in keystore\n" in mine.stderr
    entries = keytool_entries(ours, PW)
    assert entries == keytool_entries(copy, PW)
    assert len(entries["client"][1]) == 2  # leaf + the keytool CA (a one-cert reply)


# ------------------------------------------------------------------ refused replies
@pytest.fixture
def two_stores(tmp_path: Path) -> tuple[Path, Path]:
    """The same PKCS12 twice (key 'client' made by us, a trusted 'root')."""
    pki = make_pki("Refuse")
    (tmp_path / "root.pem").write_bytes(pem(pki.root))
    (tmp_path / "inter.pem").write_bytes(pem(pki.inter))
    ours = tmp_path / "ours.p12"
    gen(run_cli, ours, "client", "ec")
    ok(run_cli(["-importcert", "-alias", "root", "-file", tmp_path / "root.pem", "-noprompt",
                "-keystore", ours, "-storepass", PW]))
    ok(run_cli(["-certreq", "-alias", "client", "-keystore", ours, "-storepass", PW, "-file",
                tmp_path / "c.csr"]))
    csr = x509.load_pem_x509_csr((tmp_path / "c.csr").read_bytes())
    builder = (x509.CertificateBuilder().subject_name(csr.subject).issuer_name(pki.inter.subject)
               .public_key(csr.public_key()).serial_number(7)
               .not_valid_before(pki.inter.not_valid_before_utc)
               .not_valid_after(pki.inter.not_valid_after_utc))
    good = builder.sign(pki.inter_key, hashes.SHA256())
    (tmp_path / "leaf.pem").write_bytes(good.public_bytes(Encoding.PEM))
    (tmp_path / "other.pem").write_bytes(pem(pki.leaf))  # another key
    (tmp_path / "other-bundle.pem").write_bytes(pem(pki.leaf, pki.inter))
    (tmp_path / "leaf-root-other.pem").write_bytes(
        good.public_bytes(Encoding.PEM) + pem(pki.root) + pem(make_pki("Unrelated").root))
    copy = tmp_path / "kt.p12"
    shutil.copyfile(ours, copy)
    return ours, copy


@pytest.mark.parametrize(
    "reply, message",
    [
        ("other.pem", b"Public keys in reply and keystore don't match"),
        ("other-bundle.pem", b"Certificate reply does not contain public key for <client>"),
        ("leaf.pem", b"Failed to establish chain from reply"),  # intermediate missing
        ("leaf-root-other.pem", b"Incomplete certificate chain in reply"),
    ],
)
def test_bad_replies_refused_by_both(two_stores: tuple[Path, Path], reply: str,
                                     message: bytes) -> None:
    ours, theirs = two_stores
    before = sha(ours)
    args = ["-importcert", "-alias", "client", "-file", ours.parent / reply, "-storepass", PW]
    mine = run_cli([*args, "-keystore", ours])
    kt = run_keytool([*args, "-keystore", theirs])
    assert kt.returncode == 1 and message in kt.stdout
    assert mine.returncode == 1
    assert mine.stderr.decode().strip().endswith(message.decode())
    assert sha(ours) == before


def test_reply_then_intermediate_in_store_completes_chain(two_stores: tuple[Path, Path]) -> None:
    ours, theirs = two_stores
    folder = ours.parent
    for runner, ks in ((run_cli, ours), (run_keytool, theirs)):
        ok(runner(["-importcert", "-alias", "inter", "-file", folder / "inter.pem", "-keystore",
                   ks, "-storepass", PW]))  # chains to the trusted root: added silently
        ok(runner(["-importcert", "-alias", "client", "-file", folder / "leaf.pem", "-keystore",
                   ks, "-storepass", PW]))
    assert keytool_entries(ours, PW) == keytool_entries(theirs, PW)
    assert len(keytool_entries(ours, PW)["client"][1]) == 3


# ------------------------------------------------------------------ trusted certificates
def test_importcert_trusted_prompts(tmp_path: Path, kt_store: Path) -> None:
    cert = export(kt_store, "rsa", tmp_path / "c.der")
    for answer, added in ((b"no\n", False), (b"yes\n", True)):
        outs = []
        for runner, name in ((run_keytool, "kt"), (run_cli, "ours")):
            ks = tmp_path / f"{name}-{added}.p12"
            proc = runner(["-importcert", "-alias", "ca", "-file", cert, "-keystore", ks,
                           "-storepass", PW], stdin=answer)
            ok(proc)
            outs.append(proc)
            assert ks.exists() == added
        assert outs[0].stdout == outs[1].stdout  # the certificate, printed before the question
        assert outs[0].stderr == outs[1].stderr
    # the same certificate again under another alias
    ks = tmp_path / "ours-True.p12"
    kt = tmp_path / "kt-True.p12"
    args = ["-importcert", "-alias", "again", "-file", cert, "-storepass", PW]
    theirs = run_keytool([*args, "-keystore", kt], stdin=b"no\n")
    ours = run_cli([*args, "-keystore", ks], stdin=b"no\n")
    assert ours.stderr == theirs.stderr
    assert b"Certificate already exists in keystore under alias <ca>\n" in ours.stderr
    # an existing alias
    args = ["-importcert", "-alias", "ca", "-file", cert, "-storepass", PW, "-noprompt"]
    theirs = run_keytool([*args, "-keystore", kt])
    ours = run_cli([*args, "-keystore", ks])
    assert theirs.returncode == ours.returncode == 1
    assert b"Certificate not imported, alias <ca> already exists" in theirs.stdout
    assert b"Certificate not imported, alias <ca> already exists" in ours.stderr


# ------------------------------------------------------------------ exportcert
@pytest.mark.parametrize("store_type", ["JKS", "JCEKS", "PKCS12"])
def test_exportcert_matches_keytool(tmp_path: Path, store_type: str) -> None:
    ks = tmp_path / "k.ks"
    gen(run_cli, ks, "client", "ec", storetype=store_type)
    for extra in ([], ["-rfc"]):
        args = ["-exportcert", "-alias", "client", "-keystore", ks, "-storepass", PW, *extra]
        theirs, ours = run_keytool(args), run_cli(args)
        ok(ours)
        assert ours.stdout == theirs.stdout
        out = tmp_path / f"out{len(extra)}"
        ours = run_cli([*args, "-file", out])
        assert ours.stderr.startswith(f"Certificate stored in file <{out}>\n".encode())
        assert out.read_bytes() == theirs.stdout
    missing = run_cli(["-exportcert", "-alias", "nosuch", "-keystore", ks, "-storepass", PW])
    assert missing.returncode == 1 and b"Alias <nosuch> does not exist" in missing.stderr


# ------------------------------------------------------------------ passwords
@pytest.mark.parametrize("store_type", ["JKS", "JCEKS", "PKCS12"])
def test_storepasswd_then_keytool_reads_new_password(tmp_path: Path, store_type: str) -> None:
    ks = tmp_path / "k.ks"
    gen(run_cli, ks, "client", "ec", storetype=store_type)
    before = keytool_entries(ks, PW)
    ok(run_cli(["-storepasswd", "-new", "newpass1", "-keystore", ks, "-storepass", PW]))
    assert keytool_entries(ks, "newpass1") == before
    wrong = run_keytool(["-list", "-keystore", ks, "-storepass", PW])
    assert wrong.returncode == 1
    # keytool can still use the key: PKCS12 keys follow the store password,
    # JKS/JCEKS keys keep their own (the old store password), as with keytool
    keypass = "newpass1" if store_type == "PKCS12" else PW
    ok(run_keytool(["-certreq", "-alias", "client", "-keystore", ks, "-storepass", "newpass1",
                    "-keypass", keypass]))


def test_storepasswd_prompts_like_keytool(tmp_path: Path) -> None:
    for answers, rc in ((b"short\nchangeit\nnewpass1\nnewpass1\n", 0),
                        (b"newpass1\nnewpass2\nshort\n\n", 1)):
        outs = []
        for runner, name in ((run_keytool, "kt"), (run_cli, "ours")):
            ks = tmp_path / f"{name}{rc}.p12"
            gen(runner, ks, "client", "ec")
            proc = runner(["-storepasswd", "-keystore", ks, "-storepass", PW], stdin=answers)
            assert proc.returncode == rc
            outs.append(proc)
            if rc == 0:
                assert keytool_entries(ks, "newpass1")
        assert outs[1].stderr.startswith(outs[0].stderr.split(b"keytool error")[0])
    assert outs[0].stderr.startswith(
        b"New keystore password: Re-enter new keystore password: They don't match. Try again\n"
        b"New keystore password: Password is too short - must be at least 6 characters\n")


def test_keypasswd_jks_then_keytool_uses_new_key_password(tmp_path: Path) -> None:
    ks = tmp_path / "k.jks"
    gen(run_cli, ks, "client", "rsa", "-keypass", "oldkey1", storetype="JKS")
    ok(run_cli(["-keypasswd", "-alias", "client", "-keypass", "oldkey1", "-new", "newkey1",
                "-keystore", ks, "-storepass", PW]))
    base = ["-certreq", "-alias", "client", "-keystore", ks, "-storepass", PW, "-keypass"]
    ok(run_keytool([*base, "newkey1"]))
    old = run_keytool([*base, "oldkey1"])
    assert old.returncode == 1 and b"Cannot recover key" in old.stdout


def test_keypasswd_prompts_for_new_password(tmp_path: Path) -> None:
    ks = tmp_path / "k.jceks"
    gen(run_cli, ks, "client", "ec", storetype="JCEKS")
    proc = run_cli(["keypasswd", "--alias", "client", "--keystore", ks, "--storepass", PW],
                   stdin=b"newkey1\nnewkey1\n")
    ok(proc)
    assert proc.stderr.startswith(b"New key password for <client>: "
                                  b"Re-enter new key password for <client>: ")
    ok(run_keytool(["-certreq", "-alias", "client", "-keystore", ks, "-storepass", PW,
                    "-keypass", "newkey1"]))


def test_keypasswd_on_pkcs12_refused_like_keytool(tmp_path: Path) -> None:
    ks = tmp_path / "k.p12"
    gen(run_cli, ks, "client", "ec")
    before = sha(ks)
    args = ["-keypasswd", "-alias", "client", "-new", "newkey1", "-keystore", ks]
    theirs, ours = run_keytool(args), run_cli(args)
    assert theirs.returncode == ours.returncode == 1
    message = b"-keypasswd commands not supported if -storetype is PKCS12"
    assert message in theirs.stdout and message in ours.stderr
    assert b"Enter keystore password" not in ours.stderr  # refused before any prompt
    assert sha(ks) == before


# ------------------------------------------------------------------ weak algorithms
def test_weak_key_and_sha1_warnings_like_keytool(tmp_path: Path) -> None:
    outs = []
    for runner, name in ((run_keytool, "kt"), (run_cli, "ours")):
        ks = tmp_path / f"{name}.p12"
        g = runner(["-genkeypair", "-keystore", ks, "-storepass", PW, "-alias", "w", "-keyalg",
                    "RSA", "-keysize", "1024", "-sigalg", "SHA1withRSA", "-dname", "CN=w"])
        ok(g)
        r = runner(["-certreq", "-keystore", ks, "-storepass", PW, "-alias", "w", "-sigalg",
                    "SHA1withRSA", "-file", tmp_path / f"{name}.csr"])
        ok(r)
        outs.append((g.stderr, r.stderr))
        v = openssl(["req", "-in", tmp_path / f"{name}.csr", "-noout", "-verify"])
        assert v.returncode == 0
    assert outs[0] == outs[1]
    assert b"uses the SHA1withRSA signature algorithm" in outs[1][1]


# ------------------------------------------------------------------ more reply cases
def test_untrusted_top_declined_leaves_store_unchanged(two_stores: tuple[Path, Path]) -> None:
    ours, theirs = two_stores
    folder = ours.parent
    bundle = folder / "leaf-inter.pem"
    bundle.write_bytes((folder / "leaf.pem").read_bytes() + (folder / "inter.pem").read_bytes())
    # without the root in the store the intermediate is the untrusted top certificate
    for runner, ks in ((run_cli, ours), (run_keytool, theirs)):
        ok(runner(["-delete", "-alias", "root", "-keystore", ks, "-storepass", PW]))
    before = sha(ours)
    args = ["-importcert", "-alias", "client", "-file", bundle, "-storepass", PW]
    mine = run_cli([*args, "-keystore", ours], stdin=b"no\n")
    kt = run_keytool([*args, "-keystore", theirs], stdin=b"no\n")
    ok(mine)
    assert mine.stdout == kt.stdout  # the top certificate
    assert mine.stderr == kt.stderr
    assert mine.stderr.endswith(b"... is not trusted. Install reply anyway? [no]:  "
                                b"Certificate reply was not installed in keystore\n")
    assert sha(ours) == before


def test_trustcacerts_uses_the_system_ca_store(tmp_path: Path) -> None:
    pki = make_pki("System")
    (tmp_path / "cacerts.pem").write_bytes(pem(pki.root))
    (tmp_path / "root.pem").write_bytes(pem(pki.root))
    env = {"KEYSTORETOOL_CACERTS": str(tmp_path / "cacerts.pem")}
    ks = tmp_path / "k.p12"
    gen(run_cli, ks, "other", "ec")
    proc = run_cli(["-importcert", "-trustcacerts", "-alias", "root", "-file",
                    tmp_path / "root.pem", "-keystore", ks, "-storepass", PW], stdin=b"no\n",
                   env=env)
    ok(proc)
    assert proc.stderr == (
        b"Certificate already exists in system-wide CA keystore under alias "
        b"<CN=System Root CA,O=Test PKI>\n"
        b"Do you still want to add it to your own keystore? [no]:  "
        b"Certificate was not added to keystore\n")
    # an intermediate signed by a system CA is added without a question
    (tmp_path / "inter.pem").write_bytes(pem(pki.inter))
    proc = run_cli(["-importcert", "-trustcacerts", "-alias", "inter", "-file",
                    tmp_path / "inter.pem", "-keystore", ks, "-storepass", PW], env=env)
    ok(proc)
    assert proc.stdout == b"" and b"Certificate was added to keystore" in proc.stderr


@pytest.mark.parametrize("store_type", ["JKS", "JCEKS", "PKCS12"])
def test_native_syntax_workflow(tmp_path: Path, store_type: str) -> None:
    ks = tmp_path / "client.ks"
    base = ["--keystore", ks, "--storepass", PW]
    ok(run_cli(["genkeypair", "--alias", "client", "--keyalg", "EC", "--groupname", "secp384r1",
                "--dname", "CN=client, O=ACME, C=US", "--ext", "eku=clientAuth",
                "--storetype", store_type, *base]))
    req = run_cli(["certreq", "--alias", "client", *base])
    ok(req)
    csr = x509.load_pem_x509_csr(req.stdout)
    pki = make_pki("Native")
    leaf = (x509.CertificateBuilder().subject_name(csr.subject).issuer_name(pki.inter.subject)
            .public_key(csr.public_key()).serial_number(42)
            .not_valid_before(pki.inter.not_valid_before_utc)
            .not_valid_after(pki.inter.not_valid_after_utc)
            .sign(pki.inter_key, hashes.SHA256()))
    (tmp_path / "reply.pem").write_bytes(pem(leaf, pki.inter, pki.root))
    ok(run_cli(["importcert", "--alias", "client", "--file", tmp_path / "reply.pem",
                "--noprompt", *base]))
    entries = keytool_entries(ks, PW)
    assert [len(entries["client"][1]), entries["client"][0]] == [3, "PrivateKeyEntry"]
    out = run_cli(["exportcert", "--alias", "client", "--rfc", *base])
    ok(out)
    assert x509.load_pem_x509_certificate(out.stdout) == leaf
    ok(run_cli(["storepasswd", "--new", "newpass1", *base]))
    assert keytool_entries(ks, "newpass1") == entries


def test_reply_and_trusted_cert_from_stdin(two_stores: tuple[Path, Path]) -> None:
    ours, theirs = two_stores
    folder = ours.parent
    bundle = (folder / "leaf.pem").read_bytes() + (folder / "inter.pem").read_bytes()
    for runner, ks in ((run_cli, ours), (run_keytool, theirs)):
        proc = runner(["-importcert", "-alias", "client", "-keystore", ks, "-storepass", PW],
                      stdin=bundle)
        ok(proc)
        assert proc.stderr.endswith(b"Certificate reply was installed in keystore\n")
        proc = runner(["-importcert", "-alias", "inter2", "-noprompt", "-keystore", ks,
                       "-storepass", PW], stdin=(folder / "inter.pem").read_bytes())
        ok(proc)
    assert keytool_entries(ours, PW) == keytool_entries(theirs, PW)
    assert len(keytool_entries(ours, PW)["client"][1]) == 3  # + the trusted root


def test_garbage_reply_refused_like_keytool(two_stores: tuple[Path, Path]) -> None:
    ours, theirs = two_stores
    for data, message in ((b"hello\n", b"No certificate data found"),
                          (b"", b"Reply has no certificates")):
        args = ["-importcert", "-alias", "client", "-storepass", PW]
        mine = run_cli([*args, "-keystore", ours], stdin=data)
        kt = run_keytool([*args, "-keystore", theirs], stdin=data)
        assert mine.returncode == kt.returncode == 1
        assert message in kt.stdout and message in mine.stderr


# ------------------------------------------------------------------ printcertreq
@pytest.mark.parametrize("key", list(KEYS))
def test_printcertreq_matches_keytool(kt_store: Path, tmp_path: Path, key: str) -> None:
    for alias, extra in ((key, []), (f"{key}-ext", ["-ext", "san=dns:x.example,ip:10.0.0.1",
                                                    "-ext", "ku:c=dS,keyEncipherment", "-ext", "bc:c=1"])):
        csr = tmp_path / f"{alias}.csr"
        ok(run_cli(["-certreq", "-alias", alias, "-keystore", kt_store, "-storepass", PW,
                    "-file", csr, *extra]))
        theirs = run_keytool(["-printcertreq", "-file", csr])
        ours = run_cli(["-printcertreq", "-file", csr])
        ok(ours)
        assert (ours.stdout, ours.stderr) == (theirs.stdout, theirs.stderr)
        assert run_cli(["printcertreq"], stdin=csr.read_bytes()).stdout == theirs.stdout


def test_printcertreq_weak_openssl_request(tmp_path: Path) -> None:
    csr = tmp_path / "o.csr"
    ok(openssl(["req", "-new", "-newkey", "rsa:1024", "-nodes", "-keyout", tmp_path / "o.key",
                "-subj", "/CN=old/O=ACME", "-sha1", "-out", csr]))
    theirs = run_keytool(["-printcertreq", "-file", csr])
    ours = run_cli(["-printcertreq", "-file", csr])
    assert (ours.stdout, ours.stderr) == (theirs.stdout, theirs.stderr)
    assert b"Public Key: 1024-bit RSA key (weak)" in ours.stdout
