"""-gencert against real keytool 17: the certificate we issue for a CSR has
keytool's shape (extensions, AKI/SKI, dates, algorithm), keytool installs it
as a CA reply, and the output (PEM/DER, chain) is what keytool writes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from cryptography import x509
from interop import run_cli, run_keytool

pytestmark = pytest.mark.require_keytool("17")

PW = "changeit"
UTC_ENV = {"TZ": "UTC"}


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """keytool-made CA (with an intermediate) and a client key with its CSR."""
    d = tmp_path_factory.mktemp("gencert")
    ca, inter, client = d / "ca.p12", d / "inter.p12", d / "client.p12"

    def kt(*args: str | Path) -> bytes:
        r = run_keytool(list(args))
        assert r.returncode == 0, r
        return r.stdout

    kt("-genkeypair", "-keystore", ca, "-storepass", PW, "-alias", "ca", "-keyalg", "RSA",
       "-dname", "CN=Root CA", "-ext", "bc:c")
    kt("-genkeypair", "-keystore", inter, "-storepass", PW, "-alias", "inter", "-keyalg", "EC",
       "-dname", "CN=Inter CA")
    (d / "inter.csr").write_bytes(kt("-certreq", "-keystore", inter, "-storepass", PW,
                                     "-alias", "inter"))
    (d / "inter.pem").write_bytes(kt("-gencert", "-keystore", ca, "-storepass", PW, "-alias",
                                     "ca", "-infile", d / "inter.csr", "-rfc", "-ext", "bc:c=0"))
    kt("-importcert", "-keystore", inter, "-storepass", PW, "-alias", "root", "-noprompt",
       "-file", _export(ca, "ca", d / "root.pem"))
    kt("-importcert", "-keystore", inter, "-storepass", PW, "-alias", "inter",
       "-file", d / "inter.pem")
    kt("-genkeypair", "-keystore", client, "-storepass", PW, "-alias", "client", "-keyalg",
       "RSA", "-dname", "CN=client, O=ACME", "-ext", "san=dns:a.example")
    (d / "client.csr").write_bytes(kt(
        "-certreq", "-keystore", client, "-storepass", PW, "-alias", "client",
        "-ext", "san=dns:a.example,ip:10.0.0.1", "-ext", "eku=clientAuth"))
    return {"dir": d, "ca": ca, "inter": inter, "client": client, "csr": d / "client.csr",
            "root_pem": d / "root.pem"}


def _export(store: Path, alias: str, out: Path) -> Path:
    r = run_keytool(["-exportcert", "-rfc", "-keystore", store, "-storepass", PW, "-alias",
                     alias, "-file", out])
    assert r.returncode == 0, r
    return out


def _printcert(path: Path) -> str:
    r = run_keytool(["-printcert", "-file", path], env=UTC_ENV)
    assert r.returncode == 0, r
    return r.stdout.decode()


_VARIABLE = re.compile(r"^(Serial number|Valid from|\t SHA1|\t SHA256|0000|0010): .*$", re.M)


def _shape(text: str) -> str:
    """printcert text without what differs run to run (serial, dates, fingerprints,
    the subject key id of a fresh key)."""
    return _VARIABLE.sub(lambda m: m.group(1) + ": *", text)


def _both(pki: dict[str, Path], tmp_path: Path, *extra: str,
          signer: str = "ca") -> tuple[Path, Path]:
    store = pki[signer]
    common = ["-keystore", str(store), "-storepass", PW, "-alias", signer,
              "-infile", str(pki["csr"]), *extra]
    theirs, ours = tmp_path / "theirs.pem", tmp_path / "ours.pem"
    r = run_keytool(["-gencert", *common, "-outfile", theirs])
    assert r.returncode == 0, r
    o = run_cli(["-gencert", *common, "-outfile", str(ours)])
    assert o.returncode == 0, o
    assert o.stdout == b""
    return ours, theirs


@pytest.mark.parametrize("extra", [
    ["-rfc"],
    ["-rfc", "-ext", "honored=all", "-ext", "ku=dig,kE"],
    ["-ext", "honored=all,-eku,san:critical", "-dname", "CN=renamed, O=ACME"],
    ["-ext", "san=email:x@a.example", "-ext", "bc=0", "-ext", "aia=ocsp:uri:http://ocsp.example"],
    ["-sigalg", "SHA384withRSA", "-validity", "30", "-startdate", "2030/01/02 03:04:05"],
])
def test_gencert_matches_keytool(pki: dict[str, Path], tmp_path: Path, extra: list[str]) -> None:
    ours, theirs = _both(pki, tmp_path, *extra)
    assert _shape(_printcert(ours)) == _shape(_printcert(theirs))
    assert ours.read_bytes().startswith(b"-----BEGIN CERTIFICATE-----\n") == ("-rfc" in extra)
    if "-startdate" in extra:
        for path in (ours, theirs):
            text = _printcert(path)
            assert "Valid from: Wed Jan 02 03:04:05 UTC 2030 until: Fri Feb 01 03:04:05 UTC 2030" \
                in text


def test_gencert_extension_bytes_match_keytool(pki: dict[str, Path], tmp_path: Path) -> None:
    """AKI = the issuer's SKI, SKI = the request key's, in keytool's DER order."""
    ours, theirs = _both(pki, tmp_path, "-rfc", "-ext", "honored=all")
    o = x509.load_pem_x509_certificate(ours.read_bytes())
    t = x509.load_pem_x509_certificate(theirs.read_bytes())
    assert [(e.oid, e.critical, e.value.public_bytes()) for e in o.extensions] == \
           [(e.oid, e.critical, e.value.public_bytes()) for e in t.extensions]
    assert o.subject.public_bytes() == t.subject.public_bytes()
    assert o.issuer.public_bytes() == t.issuer.public_bytes()
    assert o.version == t.version == x509.Version.v3
    assert 0 < o.serial_number < 1 << 64
    assert (o.not_valid_after_utc - o.not_valid_before_utc).days == 90


def test_gencert_chain_output_and_reply_installed_by_keytool(pki: dict[str, Path],
                                                             tmp_path: Path) -> None:
    """An intermediate signer: the output carries the new certificate and the
    intermediate (not the self-signed root), as keytool's does; keytool
    installs it as the CA reply of the client key."""
    ours, theirs = _both(pki, tmp_path, "-rfc", "-ext", "honored=all", signer="inter")
    assert ours.read_bytes().count(b"BEGIN CERTIFICATE") == \
        theirs.read_bytes().count(b"BEGIN CERTIFICATE") == 2
    assert _shape(_printcert(ours)) == _shape(_printcert(theirs))
    client = tmp_path / "client.p12"
    client.write_bytes(pki["client"].read_bytes())
    r = run_keytool(["-importcert", "-keystore", client, "-storepass", PW, "-alias", "root",
                     "-noprompt", "-file", pki["root_pem"]])
    assert r.returncode == 0, r
    r = run_keytool(["-importcert", "-keystore", client, "-storepass", PW, "-alias", "client",
                     "-file", ours])
    assert r.returncode == 0, r
    assert b"Certificate reply was installed in keystore" in r.stderr
    listing = run_keytool(["-list", "-v", "-keystore", client, "-storepass", PW, "-alias",
                           "client"]).stdout
    assert b"Certificate chain length: 3" in listing


def test_gencert_native_syntax_stdin_stdout_der(pki: dict[str, Path]) -> None:
    r = run_cli(["gencert", "--keystore", str(pki["ca"]), "--storepass", PW, "--alias", "ca",
                 "--ext", "eku=serverAuth"], stdin=pki["csr"].read_bytes())
    assert r.returncode == 0, r
    cert = x509.load_der_x509_certificate(r.stdout)
    eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert [o.dotted_string for o in eku] == ["1.3.6.1.5.5.7.3.1"]
    # no honored=: the request's SAN is not copied, as keytool does
    with pytest.raises(x509.ExtensionNotFound):
        cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)


@pytest.mark.parametrize("extra,message", [
    (["-alias", "nosuch"], "Alias <nosuch> does not exist"),
    (["-infile", "EMPTY"], "Too short"),
    (["-ext", "ku=nonsense"], "Unknown keyUsage type: nonsense"),
    (["-infile", "BADSIG"], "Invalid PKCS #10 signature"),
])
def test_gencert_errors_like_keytool(pki: dict[str, Path], extra: list[str], message: str) -> None:
    empty = pki["dir"] / "empty.csr"
    empty.write_bytes(b"")
    import base64

    lines = pki["csr"].read_bytes().splitlines()
    der = bytearray(base64.b64decode(b"".join(x for x in lines if not x.startswith(b"-----"))))
    der[-3] ^= 1  # a bit of the signature
    badsig = pki["dir"] / "badsig.csr"
    badsig.write_bytes(b"-----BEGIN NEW CERTIFICATE REQUEST-----\n" + base64.encodebytes(bytes(der))
                       + b"-----END NEW CERTIFICATE REQUEST-----\n")
    extra = [str(empty) if a == "EMPTY" else str(badsig) if a == "BADSIG" else a for a in extra]
    args = ["-gencert", "-keystore", str(pki["ca"]), "-storepass", PW, "-alias", "ca",
            "-infile", str(pki["csr"]), *extra]
    theirs = run_keytool(args)
    ours = run_cli(args)
    assert theirs.returncode == ours.returncode == 1
    assert theirs.stdout.decode().endswith(f": {message}\n")
    assert ours.stderr.decode().splitlines()[-1] == f"keystoretool error: {message}"
    assert ours.stdout == b""


@pytest.mark.parametrize("syntax", ["keytool", "native"])
def test_genkeypair_signer_matches_keytool(pki: dict[str, Path], tmp_path: Path,
                                           syntax: str) -> None:
    """keytool 17's -genkeypair -signer: a certificate issued by another key entry of
    the keystore, the signer's chain appended, keytool's message."""
    theirs, ours = tmp_path / "theirs.p12", tmp_path / "ours.p12"
    for store in (theirs, ours):
        store.write_bytes(pki["ca"].read_bytes())
    r = run_keytool(["-genkeypair", "-keystore", theirs, "-storepass", PW, "-alias", "leaf",
                     "-keyalg", "EC", "-dname", "CN=Leaf", "-signer", "ca", "-ext",
                     "eku=clientAuth"])
    assert r.returncode == 0, r
    if syntax == "keytool":
        args = ["-genkeypair", "-keystore", str(ours), "-storepass", PW, "-alias", "leaf",
                "-keyalg", "EC", "-dname", "CN=Leaf", "-signer", "ca", "-ext", "eku=clientAuth"]
    else:
        args = ["genkeypair", "--keystore", str(ours), "--storepass", PW, "--alias", "leaf",
                "--keyalg", "EC", "--dname", "CN=Leaf", "--signer", "ca", "--ext",
                "eku=clientAuth"]
    o = run_cli(args)
    assert o.returncode == 0, o
    assert o.stderr == r.stderr.replace(b"keytool", b"keystoretool")
    assert o.stderr.startswith(b"Generating 256 bit EC (secp256r1) key pair and a certificate "
                               b"(SHA256withRSA) issued by <ca> with a validity of 90 days\n")

    def listing(store: Path) -> str:
        out = run_keytool(["-list", "-v", "-keystore", store, "-storepass", PW, "-alias",
                           "leaf"], env=UTC_ENV)
        assert out.returncode == 0, out
        return _shape(re.sub(r"Creation date: .*", "", out.stdout.decode()))

    assert listing(ours) == listing(theirs)
    assert "Certificate chain length: 2" in listing(ours)
    bad = run_cli([a.replace("leaf", "other") for a in args[:-4]]
                  + ["-signer" if syntax == "keytool" else "--signer", "nosuch"])
    assert bad.returncode == 1 and bad.stderr.endswith(b"Alias <nosuch> does not exist\n")
