"""-gencrl and -printcrl against real keytool 17.

keytool reads the CRLs we write (and verifies their signature with the
signing entry), and our -printcrl prints what keytool prints, byte for byte,
for CRLs made by keytool, by us and by cryptography with CRL extensions,
from a file and from a URL served on 127.0.0.1.
"""

from __future__ import annotations

import datetime as dt
import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from interop import run_cli, run_keytool

pytestmark = pytest.mark.require_keytool("17")

UTC_ENV = {"TZ": "UTC"}


@pytest.fixture(scope="module")
def ca(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A CA key entry made by keytool (once per module)."""
    folder = tmp_path_factory.mktemp("crl")
    store = folder / "ca.p12"
    r = run_keytool(["-genkeypair", "-keystore", store, "-storepass", "changeit", "-alias", "ca",
                     "-keyalg", "RSA", "-dname", "CN=Test CA, O=keystoretool", "-ext", "bc:c"])
    assert r.returncode == 0, r
    return store


def _keytool_crl(ca: Path, out: Path, *extra: str) -> Path:
    r = run_keytool(["-gencrl", "-keystore", ca, "-storepass", "changeit", "-alias", "ca",
                     "-file", out, *extra])
    assert r.returncode == 0, r
    return out


def _printcrl_both(crl: str | Path, *extra: str | Path) -> tuple[bytes, bytes]:
    theirs = run_keytool(["-printcrl", "-file", crl, *extra], env=UTC_ENV)
    ours = run_cli(["-printcrl", "-file", crl, *extra], env=UTC_ENV)
    assert theirs.returncode == 0, theirs
    assert ours.returncode == 0, ours
    return ours.stdout, theirs.stdout


@pytest.mark.parametrize("ids", [["5"], ["5", "6:1"], ["123456789012345678901234567890:6", "7:9"]])
def test_printcrl_of_keytool_crl_matches_keytool(ca: Path, tmp_path: Path, ids: list[str]) -> None:
    crl = _keytool_crl(ca, tmp_path / "k.crl", *[a for i in ids for a in ("-id", i)])
    ours, theirs = _printcrl_both(crl)
    assert ours == theirs
    assert b"WARNING: not verified" in ours
    ours, theirs = _printcrl_both(crl, "-keystore", ca, "-storepass", "changeit")
    assert ours == theirs
    assert b"Verified by ca in keystore with a 2048-bit RSA key\n" in ours


@pytest.mark.parametrize("syntax", ["keytool", "native"])
def test_gencrl_is_read_and_verified_by_keytool(ca: Path, tmp_path: Path, syntax: str) -> None:
    crl = tmp_path / "ours.crl"
    if syntax == "keytool":
        args = ["-gencrl", "-keystore", ca, "-storepass", "changeit", "-alias", "ca",
                "-id", "5", "-id", "6:1", "-file", crl, "-startdate", "2026/01/01 00:00:00",
                "-validity", "10"]
    else:
        args = ["gencrl", "--keystore", ca, "--storepass", "changeit", "--alias", "ca",
                "--id", "5", "--id", "6:1", "--file", crl, "--startdate", "2026/01/01 00:00:00",
                "--validity", "10"]
    r = run_cli(args, env=UTC_ENV)
    assert r.returncode == 0, r
    assert r.stdout == b"" and r.stderr == b""
    ours, theirs = _printcrl_both(crl, "-keystore", ca, "-storepass", "changeit")
    assert ours == theirs
    text = theirs.decode()
    assert text.startswith("X.509 CRL v2\nSignature Algorithm: SHA256withRSA, OID=1.2.840.113549"
                           ".1.1.11\nIssuer: CN=Test CA, O=keystoretool\n\n"
                           "This Update: Thu Jan 01 00:00:00 UTC 2026\n"
                           "Next Update: Sun Jan 11 00:00:00 UTC 2026\n")
    assert "[2] SerialNumber: 06  On: Thu Jan 01 00:00:00 UTC 2026\n" \
           "    CRL Entry Extensions: 1\n    [1]: ObjectId: 2.5.29.21 Criticality=false\n" \
           "    Reason Code: KEY_COMPROMISE\n" in text
    assert "Verified by ca in keystore" in text


def test_gencrl_shape_matches_keytool(ca: Path, tmp_path: Path) -> None:
    """Without reasons keytool writes a v1 CRL; PEM with -rfc; SHA-1 on request."""
    for extra in (["-id", "3"], ["-id", "3", "-rfc"], ["-id", "3", "-sigalg", "SHA1withRSA"]):
        theirs = _keytool_crl(ca, tmp_path / "k.crl", *extra)
        ours = tmp_path / "o.crl"
        r = run_cli(["-gencrl", "-keystore", ca, "-storepass", "changeit", "-alias", "ca",
                     "-file", ours, *extra])
        assert r.returncode == 0, r
        ktext = run_keytool(["-printcrl", "-file", theirs, "-keystore", ca, "-storepass",
                             "changeit"]).stdout
        otext = run_keytool(["-printcrl", "-file", ours, "-keystore", ca, "-storepass",
                             "changeit"]).stdout
        # same lines except the dates and the signature
        def shape(text: bytes) -> list[bytes]:
            return [line for line in text.splitlines()
                    if not line.startswith((b"This", b"Next", b"[1]", b"00", b"01", b"02",
                                            b"03", b"04", b"05", b"06", b"07", b"08", b"09",
                                            b"0A", b"0B", b"0C", b"0D", b"0E", b"0F"))]
        assert shape(otext) == shape(ktext)
        assert b"Verified by ca in keystore" in otext
        if "-rfc" in extra:
            assert ours.read_bytes().startswith(b"-----BEGIN X509 CRL-----\n")
            assert theirs.read_bytes().startswith(b"-----BEGIN X509 CRL-----\n")


def test_gencrl_to_stdout_and_errors(ca: Path) -> None:
    r = run_cli(["-gencrl", "-keystore", ca, "-storepass", "changeit", "-alias", "ca",
                 "-id", "9"])
    assert r.returncode == 0 and r.stdout.startswith(b"0\x82")
    for bad, message in ((["-id", "x"], 'For input string: "x"'),
                         (["-id", "5:x"], 'For input string: "x"')):
        args = ["-gencrl", "-keystore", ca, "-storepass", "changeit", "-alias", "ca", *bad]
        theirs = run_keytool(args)
        ours = run_cli(args)
        assert theirs.returncode == ours.returncode == 1
        assert message in theirs.stdout.decode()
        assert ours.stderr.decode() == f"keystoretool error: {message}\n"
    # keytool 17 fails with a NullPointerException here; we say what is wrong
    ours = run_cli(["-gencrl", "-keystore", ca, "-storepass", "changeit", "-alias", "nosuch",
                    "-id", "1"])
    assert ours.returncode == 1
    assert ours.stderr == b"keystoretool error: Alias <nosuch> does not exist\n"


def test_printcrl_with_crl_extensions_matches_keytool(tmp_path: Path) -> None:
    """A CRL of another tool: CRL number, AKI, reason, invalidity date, EC signature."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    when = dt.datetime(2026, 3, 1, 12, 0, 0, tzinfo=dt.UTC)
    revoked = (x509.RevokedCertificateBuilder().serial_number(0x0102030405)
               .revocation_date(when)
               .add_extension(x509.CRLReason(x509.ReasonFlags.superseded), False)
               .add_extension(x509.InvalidityDate(dt.datetime(2026, 2, 1, 0, 0, 0)), False)
               .build())
    crl = (x509.CertificateRevocationListBuilder()
           .issuer_name(x509.Name.from_rfc4514_string("CN=Other CA,O=Elsewhere"))
           .last_update(when).next_update(when + dt.timedelta(days=7))
           .add_revoked_certificate(revoked)
           .add_extension(x509.CRLNumber(42), False)
           .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(key.public_key()),
                          False)
           .sign(key, hashes.SHA384()))
    from cryptography.hazmat.primitives.serialization import Encoding

    path = tmp_path / "other.crl"
    path.write_bytes(crl.public_bytes(Encoding.PEM))
    ours, theirs = _printcrl_both(path)
    assert ours == theirs
    empty = (x509.CertificateRevocationListBuilder()
             .issuer_name(x509.Name.from_rfc4514_string("CN=Other CA"))
             .last_update(when).next_update(when + dt.timedelta(days=7)).sign(key, hashes.SHA256()))
    path.write_bytes(empty.public_bytes(Encoding.DER))
    ours, theirs = _printcrl_both(path)
    assert ours == theirs
    assert b"NO certificates have been revoked" in ours


@pytest.fixture
def http_folder(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """An HTTP server on 127.0.0.1 serving ``tmp_path`` (stopped after the test)."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    handler.log_message = lambda *a, **k: None  # type: ignore[attr-defined]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", tmp_path
    finally:
        server.shutdown()
        server.server_close()


def test_printcrl_from_url_matches_keytool(ca: Path, http_folder: tuple[str, Path]) -> None:
    base, folder = http_folder
    _keytool_crl(ca, folder / "ca.crl", "-id", "77", "-id", "78:4", "-rfc")
    ours, theirs = _printcrl_both(f"{base}/ca.crl", "-keystore", ca, "-storepass", "changeit")
    assert ours == theirs
    assert b"Revoked Certificates: 2" in ours and b"Verified by ca" in ours
    r = run_cli(["printcrl", "--file", f"{base}/ca.crl", "--rfc"])
    assert r.returncode == 0 and r.stdout.startswith(b"-----BEGIN X509 CRL-----\n")
    missing = run_cli(["-printcrl", "-file", f"{base}/nothing.crl"])
    assert missing.returncode == 1
    assert missing.stderr.startswith(b"keystoretool error: Server returned HTTP response code: 404")
    assert b"Traceback" not in missing.stderr


def test_printcrl_bad_input() -> None:
    r = run_cli(["-printcrl"], stdin=b"not a crl")
    assert r.returncode == 1 and r.stderr == b"keystoretool error: Failed to parse input\n"


def test_printcrl_trustcacerts_uses_the_system_ca_store(tmp_path: Path) -> None:
    """-trustcacerts verifies with the system CA store ($KEYSTORETOOL_CACERTS here),
    as -importcert -trustcacerts does; keytool's lines and wording."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import Encoding

    key = ec.generate_private_key(ec.SECP384R1())
    name = x509.Name.from_rfc4514_string("CN=System CA")
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(7).not_valid_before(now)
            .not_valid_after(now + dt.timedelta(days=2)).sign(key, hashes.SHA384()))
    bundle = tmp_path / "bundle.pem"
    bundle.write_bytes(cert.public_bytes(Encoding.PEM))
    crl = (x509.CertificateRevocationListBuilder().issuer_name(name).last_update(now)
           .next_update(now + dt.timedelta(days=1)).sign(key, hashes.SHA384()))
    path = tmp_path / "sys.crl"
    path.write_bytes(crl.public_bytes(Encoding.DER))
    r = run_cli(["-printcrl", "-file", str(path), "-trustcacerts"],
                env={"KEYSTORETOOL_CACERTS": str(bundle)})
    assert r.returncode == 0 and r.stderr == b""
    assert r.stdout.endswith(b"Verified by CN=System CA in cacerts with a 384-bit EC "
                             b"(secp384r1) key\n")
    other = tmp_path / "other.pem"
    other.write_bytes(b"")
    r = run_cli(["-printcrl", "-file", str(path), "-trustcacerts"],
                env={"KEYSTORETOOL_CACERTS": str(other)})
    assert r.stdout.endswith(b"*******************************************\nWARNING: not "
                             b"verified. Make sure -keystore is correct.\n"
                             b"*******************************************\n\n\n")


def test_gencrl_is_a_command_and_id_repeats_without_warning() -> None:
    from keystoretool.cli import keytool_argv

    parsed = keytool_argv.parse(["-GenCRL", "-id", "1", "-id", "2:1", "-alias", "ca"])
    assert parsed.command == "gencrl"
    assert parsed.options["id"] == ["1", "2:1"]
    assert parsed.warnings == []


def test_printcrl_damaged_crls_are_clean_errors(ca: Path, tmp_path: Path) -> None:
    """Bytes of a CRL changed at random: printed or one clean error, never a crash."""
    import io
    import random

    from keystoretool.cli import common
    from keystoretool.cli.main import run
    from keystoretool.errors import KeystoreToolError

    good = _keytool_crl(ca, tmp_path / "k.crl", "-id", "5", "-id", "6:1").read_bytes()
    rng = random.Random(16)
    path = tmp_path / "fz.crl"
    for _ in range(300):
        data = bytearray(good)
        for _ in range(rng.randint(1, 4)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        path.write_bytes(bytes(data))
        common.set_session(common.Session(out=io.StringIO(), err=io.StringIO()))
        try:
            run(["-printcrl", "-file", str(path)])
        except KeystoreToolError:
            pass
        finally:
            common.set_session(None)
