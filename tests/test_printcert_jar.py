"""-printcert -jarfile: the signers of jars signed by jarsigner (fixtures/jar,
made by fixtures/gen/signed_jars.sh with keytool 17's output beside each jar),
printed byte for byte as keytool prints them; no JDK needed."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from interop import FIXTURES, run_cli, run_keytool

JARS = FIXTURES / "jar"
UTC = {"TZ": "UTC"}


@pytest.mark.parametrize("name", ["signed", "two_signers", "unsigned"])
@pytest.mark.parametrize("rfc", [False, True])
def test_printcert_jarfile_matches_keytool(name: str, rfc: bool) -> None:
    expected = (JARS / f"{name}.printcert{'-rfc' if rfc else ''}.txt").read_bytes()
    ours = run_cli(["-printcert", *(["-rfc"] if rfc else []), "-jarfile", str(JARS / f"{name}.jar")],
                   env=UTC)
    assert ours.returncode == 0, ours
    assert ours.stdout == expected
    native = run_cli(["printcert", *(["--rfc"] if rfc else []), "--jarfile",
                      str(JARS / f"{name}.jar")], env=UTC)
    assert native.stdout == expected


def test_printcert_jarfile_tampered() -> None:
    expected = (JARS / "tampered.printcert.txt").read_text()
    ours = run_cli(["-printcert", "-jarfile", str(JARS / "tampered.jar")])
    assert ours.returncode == 1
    assert expected == "keytool error: java.lang.SecurityException: SHA-256 digest error for " \
                       "pkg/hello.txt\n"
    assert ours.stderr == b"keystoretool error: SHA-256 digest error for pkg/hello.txt\n"


def test_printcert_jarfile_forged_signature(tmp_path: Path) -> None:
    """A signature file changed after signing: the PKCS#7 no longer verifies, and
    keytool 17 shows the jar as unsigned (checked by hand: "Not a signed jar file")."""
    forged = tmp_path / "forged.jar"
    with zipfile.ZipFile(JARS / "signed.jar") as src, zipfile.ZipFile(forged, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "META-INF/CHAIN.SF":
                data = data.replace(b"Signature-Version: 1.0", b"Signature-Version: 1.1")
            dst.writestr(info, data)
    ours = run_cli(["-printcert", "-jarfile", str(forged)])
    assert ours.returncode == 0, ours
    assert ours.stdout == b"Not a signed jar file\n"


def test_printcert_jarfile_missing_and_not_a_zip(tmp_path: Path) -> None:
    r = run_cli(["-printcert", "-jarfile", str(tmp_path / "nothing.jar")])
    assert r.returncode == 1 and r.stderr == f"keystoretool error: {tmp_path / 'nothing.jar'}\n".encode()
    junk = tmp_path / "junk.jar"
    junk.write_bytes(b"not a zip at all")
    r = run_cli(["-printcert", "-jarfile", str(junk)])
    assert r.returncode == 1 and r.stderr == b"keystoretool error: zip END header not found\n"


@pytest.mark.require_keytool("17")
def test_printcert_jarfile_fresh_jarsigner_jar(tmp_path: Path) -> None:
    """With a JDK at hand: a jar signed now by an EC key matches keytool's output."""
    jarsigner = shutil.which("jarsigner")
    if jarsigner is None:
        pytest.skip("jarsigner not found")
    jar = tmp_path / "fresh.jar"
    shutil.copyfile(JARS / "unsigned.jar", jar)
    store = tmp_path / "s.p12"
    r = run_keytool(["-genkeypair", "-keystore", store, "-storepass", "changeit", "-alias", "s",
                     "-keyalg", "EC", "-dname", "CN=Fresh Signer"])
    assert r.returncode == 0, r
    subprocess.run([jarsigner, "-keystore", str(store), "-storepass", "changeit", str(jar), "s"],
                   check=True, capture_output=True)
    theirs = run_keytool(["-printcert", "-jarfile", jar], env=UTC)
    ours = run_cli(["-printcert", "-jarfile", str(jar)], env=UTC)
    assert ours.stdout == theirs.stdout
    assert b"Owner: CN=Fresh Signer" in ours.stdout


def test_printcert_jarfile_corrupt_entry_is_one_error_line(tmp_path: Path) -> None:
    """A signed jar whose compressed entry is damaged: one error line, no traceback."""
    data = bytearray((JARS / "signed.jar").read_bytes())
    with zipfile.ZipFile(JARS / "signed.jar") as zf:
        info = zf.getinfo("pkg/hello.txt")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start:start + 4] = b"\xff\xff\xff\xff"
    bad = tmp_path / "bad.jar"
    bad.write_bytes(bytes(data))
    r = run_cli(["-printcert", "-jarfile", str(bad)])
    assert r.returncode == 1
    assert r.stderr.startswith(b"keystoretool error: ") and r.stderr.count(b"\n") == 1
    assert b"Traceback" not in r.stderr and b"internal error" not in r.stderr
