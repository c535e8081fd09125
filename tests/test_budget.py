"""Bounded work for every input (issue 11 §6): key-derivation caps and per-file
totals refused before any derivation runs, linear PEM and chain parsing, and
input files read before the keystore is locked.

How long each crafted input takes is measured by ``tests/benchmarks/hostile.py``
(``make bench``), not asserted here; these tests assert the refusal (message,
exit code, no derivation started) and that real files still load.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hostile_inputs import (
    bks_sealed_keys,
    p12_kdf_safes,
    pem_begin_lines,
    same_name_certificates,
)
from interop import run_cli, run_keytool

from keystoretool import certs, formats
from keystoretool.errors import FormatError, KeystoreToolError
from keystoretool.formats import budget
from keystoretool.formats import jks as J
from keystoretool.formats.jks import protectors
from keystoretool.formats.pkcs12 import kdf

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
FORK = multiprocessing.get_context("fork")
HINT = "set KEYSTORETOOL_WORK_LIMIT=N to multiply the work limits by N"


@pytest.fixture
def derivations(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every PKCS#12-KDF / PBKDF2 / JCEKS / pyjks derivation that actually runs."""
    calls: list[str] = []
    kdf.derive.cache_clear()  # memoised results would hide derivations

    def counting(name: str, real):  # type: ignore[no-untyped-def]
        def wrapper(*args, **kwargs):  # type: ignore[no-untyped-def]
            calls.append(name)
            return real(*args, **kwargs)
        return wrapper

    real_derive = kdf.derive

    def derive(name, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(name)
        return real_derive(name, *args, **kwargs)

    # every PKCS12 derivation (PBKDF2, PKCS#12 KDF, PBKDF1, scrypt) runs through kdf.derive
    monkeypatch.setattr(kdf, "derive", derive)
    monkeypatch.setattr(protectors, "derive_key_iv", counting("jce", protectors.derive_key_iv))
    from jks import rfc7292  # type: ignore[import-untyped]

    monkeypatch.setattr(rfc7292, "derive_key", counting("bks", rfc7292.derive_key))
    monkeypatch.delenv(budget.ENV, raising=False)
    yield calls


# ---- PKCS12 -------------------------------------------------------------------
CAP_MESSAGE = (
    "PKCS12 keystore: iteration count 5,000,000 of the PKCS#12 KDF is over the limit of "
    f"200,000 per key derivation ({HINT})"
)


@pytest.mark.parametrize("password", ["wrong", "", "changeit"])
def test_pkcs12_kdf_over_its_cap_is_refused_before_deriving(
    derivations: list[str], password: str
) -> None:
    # 100 bytes asking for 5,000,000 iterations: 8 s (wrong password) and
    # 14 s (empty password, two encodings) before this limit.
    data = p12_kdf_safes(1)
    assert len(data) < 120
    with pytest.raises(FormatError) as exc:
        formats.load(data, password)
    assert str(exc.value) == CAP_MESSAGE
    assert derivations == []


def test_three_heavy_safes_with_the_right_password_are_refused(
    tmp_path: Path, require_openssl: str
) -> None:
    # 21 s before: each safe really decrypts with "changeit".
    ks = tmp_path / "three.p12"
    ks.write_bytes(p12_kdf_safes(3, password="changeit"))
    r = run_cli(["-list", "-keystore", ks, "-storepass", "changeit"])
    assert r.returncode == 1
    assert r.stderr.decode() == f"keystoretool error: {CAP_MESSAGE}\n"
    assert r.stdout == b""


def test_many_safes_under_the_cap_are_refused_by_the_file_total(
    derivations: list[str],
) -> None:
    # Each safe is within the per-derivation cap; together they ask for more
    # than a file of 10 safes may (10 x 150,000 iterations x 3 blocks = 4.5M
    # units > 2M + 10 x 200,000): refused before the first derivation.
    data = p12_kdf_safes(10, iterations=150_000)
    with pytest.raises(FormatError) as exc:
        formats.load(data, "wrong")
    assert str(exc.value) == (
        "PKCS12 keystore: key derivation (10 encrypted safes, the MAC and the keys) would take "
        "4,500,000 work units, over this file's limit of 4,000,000 (2,000,000 + 200,000 for "
        f"each of its 10 protected items; {HINT})"
    )
    assert derivations == []


def test_the_environment_variable_raises_the_limits(
    derivations: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    data = p12_kdf_safes(1, iterations=300_000)
    with pytest.raises(FormatError, match="over the limit of 200,000 per key derivation"):
        formats.load(data, "wrong")
    assert derivations == []
    monkeypatch.setenv(budget.ENV, "2")
    with pytest.raises(KeystoreToolError, match="^keystore password was incorrect$"):
        formats.load(data, "wrong")  # now derived, and the password is wrong
    assert derivations == ["pkcs12", "pkcs12"]


def test_real_pkcs12_files_load_and_unseal_within_their_budget(derivations: list[str]) -> None:
    for name, pw in [("kt17/all.p12", "changeit"), ("p12/kt17_legacy.p12", "changeit"),
                     ("p12/two_keys_three_trusted.p12", "changeit")]:
        data = (FIXTURES / name).read_bytes()
        loaded = formats.load(data, pw)
        for entry in loaded.entries:
            if getattr(entry, "sealed", None) is not None:
                entry.sealed.unseal(pw)  # type: ignore[union-attr]
    assert derivations  # the work was done, none refused


def test_java8_legacy_pkcs12_with_many_keys_loads(
    tmp_path: Path, require_keytool: str
) -> None:
    # keytool -J-Dkeystore.pkcs12.legacy writes Java 8's algorithms: 3DES keys
    # and RC2 certificates at 50,000 PKCS#12-KDF iterations, MAC at 100,000 —
    # the heaviest PKCS12 a real producer writes by default.
    ks = tmp_path / "legacy.p12"
    for alias in ("a", "b", "c"):
        r = run_keytool(["-J-Dkeystore.pkcs12.legacy", "-genkeypair", "-keyalg", "EC",
                         "-alias", alias, "-dname", f"CN={alias}", "-keystore", ks,
                         "-storepass", "changeit", "-storetype", "PKCS12"])
        assert r.returncode == 0, r.stderr
    info = subprocess.run(["openssl", "pkcs12", "-info", "-in", ks, "-passin", "pass:changeit",
                           "-nokeys", "-noout", "-legacy"], capture_output=True, text=True)
    assert "Iteration 100000" in info.stderr + info.stdout
    out = tmp_path / "a.pem"
    r = run_cli(["exportpem", "--keystore", ks, "--storepass", "changeit", "--alias", "c",
                 "--out", out, "--no-encrypt"])
    assert r.returncode == 0, r.stderr
    r = run_cli(["-list", "-keystore", ks, "-storepass", "changeit"])
    assert r.returncode == 0 and b"3 entries" in r.stdout


def test_writing_derives_nothing_over_budget_and_round_trips(derivations: list[str]) -> None:
    from keystoretool.formats.pkcs12 import profiles

    data = (FIXTURES / "kt17/all.p12").read_bytes()
    loaded = formats.load(data, "changeit")
    for entry in loaded.entries:
        if getattr(entry, "sealed", None) is not None:
            entry.unlock("changeit")  # type: ignore[union-attr]
    again = formats.dump("PKCS12", loaded.entries, "newpass", profiles.MODERN)
    assert len(formats.load(again, "newpass").entries) == len(loaded.entries)


# ---- BKS / JCEKS --------------------------------------------------------------
def test_bks_sealed_keys_over_the_cap_are_refused_before_unsealing(derivations: list[str]) -> None:
    # 1 KB BKS, 16 sealed keys of 1,000,000 iterations: 23 s before.
    data = bks_sealed_keys()
    assert len(data) < 1200
    derivations.clear()  # building it derived the store's MAC key
    with pytest.raises(FormatError) as exc:
        J.load(data, "changeit", "BKS")
    assert str(exc.value) == (
        "BKS keystore: iteration count 1,000,000 of the BKS/UBER PBE (PKCS#12 KDF) is over "
        f"the limit of 50,000 per key derivation ({HINT})"
    )
    assert derivations == ["bks"]  # only the store's own MAC key (1,024 iterations)


def test_bks_sealed_keys_within_the_cap_but_over_the_total(derivations: list[str]) -> None:
    data = bks_sealed_keys(keys=16, iterations=50_000)
    derivations.clear()
    with pytest.raises(FormatError, match=r"^BKS keystore: key derivation \(the sealed keys\) "
                       r"would take 2,401,024 work units, over this file's limit of 2,340,000"):
        J.load(data, "changeit", "BKS")
    assert derivations == ["bks"]


def _jceks_with_key_iterations(iterations: int, keys: int = 1) -> bytes:
    salt = b"12345678"
    blob = J.encode_epki(J.PBE_MD5_3DES_OID, J.pbe_params(salt, iterations), b"\x00" * 16)
    from keystoretool.entries import PrivateKeyEntry

    entries = [PrivateKeyEntry(f"k{i}", sealed=J.JksSealedPrivateKey(blob, "JCEKS"))
               for i in range(keys)]
    return J.dump("JCEKS", entries, "changeit", None)  # type: ignore[arg-type]


def test_jceks_key_over_the_cap_is_refused_at_load(derivations: list[str]) -> None:
    with pytest.raises(FormatError) as exc:
        J.load(_jceks_with_key_iterations(700_000), "changeit", "JCEKS")
    assert str(exc.value) == (
        "JCEKS keystore: iteration count 700,000 of the JCEKS PBE (PBEWithMD5AndTripleDES) is "
        f"over the limit of 600,000 per key derivation ({HINT})"
    )
    assert derivations == []


def test_jceks_keys_at_the_jdk_default_are_within_budget(derivations: list[str]) -> None:
    # JDK 17 seals each JCEKS key with 200,000 iterations: 40 keys plan fine.
    loaded = J.load(_jceks_with_key_iterations(200_000, keys=40), "changeit", "JCEKS")
    assert len(loaded.entries) == 40
    assert derivations == []  # keys stay sealed until used


# ---- PEM ------------------------------------------------------------------------
_OLD_PEM_BLOCK = re.compile(
    rb"(?:^|(?<=[\r\n]))-----BEGIN ([^\r\n-]*)-----[^\r\n]*[\r\n]+(.*?)-----END ([^\r\n-]*)-----",
    re.S,
)


@pytest.mark.parametrize("text", [
    b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
    b"junk\n-----BEGIN X-----\r\nAA\r\n-----END Y-----",
    b"x-----BEGIN A-----\nB\n-----END A-----",                 # BEGIN not at a line start
    b"-----BEGIN A-B-----\nxx\n-----BEGIN C-----\nyy\n-----END C-----\n",
    b"-----BEGIN A-----\n-----END A-B-----\n-----END A-----",  # first footer malformed
    b"-----BEGIN A-----",                                      # no line break
    b"-----BEGIN A-----\n" * 5 + b"body\n-----END A-----\n",
    b"-----BEGIN A-----\nno end\n",
    b"\n\n-----BEGIN  spaced -----trailing\n\nQQ==\n-----END  spaced -----",
])
def test_pem_scanner_finds_what_the_old_regex_found(text: bytes) -> None:
    old = _OLD_PEM_BLOCK.search(text, 0)
    new = certs.pem_block(text, 0)
    if old is None:
        assert new is None
    else:
        assert new == (old.group(1), old.group(2), old.group(3), old.end())


def test_pem_with_many_begin_lines_is_linear() -> None:
    # 20,000 lines hung, 40,000 took 350 s (quadratic regex); 200,000 lines
    # (5.6 MB) answer at once now.
    with pytest.raises(certs.CertParseError):
        certs.read_certificate_ders(pem_begin_lines(200_000))


def test_printcert_of_many_begin_lines(tmp_path: Path) -> None:
    f = tmp_path / "begins.pem"
    f.write_bytes(pem_begin_lines(20_000))
    r = run_cli(["-printcert", "-file", f])
    assert (r.returncode, r.stderr) == (1, b"keystoretool error: Failed to parse input\n")


# ---- chains -----------------------------------------------------------------------
def test_chain_of_same_named_certificates_is_refused_before_verifying(tmp_path: Path) -> None:
    f = tmp_path / "same.pem"
    f.write_bytes(same_name_certificates(300))
    r = run_cli(["chain", "--cert", f])
    assert r.returncode == 1
    assert r.stderr.decode() == (
        "keystoretool error: Ordering these 300 certificates would take 90,000 signature "
        "checks (300 of them are issued by CN=same), over the limit of 1,456 "
        f"(4 per certificate + 256; {HINT})\n"
    )


def test_chain_work_limit_is_raised_by_the_environment(tmp_path: Path) -> None:
    f = tmp_path / "same.pem"
    f.write_bytes(same_name_certificates(40))  # 1,600 checks > 416
    assert run_cli(["chain", "--cert", f]).returncode == 1
    r = run_cli(["chain", "--cert", f], env={budget.ENV: "4"})
    assert r.returncode in (0, 2), r.stderr  # a report, problems or not
    assert b"Certificate[40]" in r.stdout


def test_chain_ordering_uses_names_not_all_pairs() -> None:
    # A real chain in a CA-bundle-sized haystack: one signature check per
    # certificate (plus the path), found in the right order.
    from pkihelpers import make_pki

    from keystoretool import chain as ch

    pki = make_pki()
    noise = certs.read_certificates(same_name_certificates(1))  # distinct name
    given = [pki.root, pki.leaf, *noise, pki.inter]
    ordered = ch.order_chain(given)
    assert [c.subject for c in ordered] == [
        pki.leaf.subject, pki.inter.subject, pki.root.subject]


# ---- inputs read before the lock ---------------------------------------------------
def _hold_lock(path: str, ready: Any, release: Any) -> None:
    from keystoretool import storage

    with storage.locked(path, timeout=5):
        ready.set()
        release.wait(60)


def _waits_on_lock(pid: int, keystore: Path) -> bool:
    """The process has opened the keystore's lock (so it is past reading -file)."""
    fd_dir = Path(f"/proc/{pid}/fd")
    try:
        targets = [os.readlink(fd_dir / fd) for fd in os.listdir(fd_dir)]
    except OSError:
        return False
    return any(t == str(keystore) or (keystore.name in t and t.endswith(".lock"))
               for t in targets)


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc")
def test_importcert_reads_its_file_before_locking(tmp_path: Path) -> None:
    ks = tmp_path / "ks.p12"
    ks.write_bytes((FIXTURES / "kt17/all.p12").read_bytes())
    pem = tmp_path / "ca.pem"
    pem.write_bytes(same_name_certificates(1))
    ready, release = FORK.Event(), FORK.Event()
    holder = FORK.Process(target=_hold_lock, args=(str(ks), ready, release))
    holder.start()
    try:
        assert ready.wait(10)
        proc = subprocess.Popen(
            [sys.executable, "-m", "keystoretool", "-importcert", "-noprompt", "-alias", "newca",
             "-file", str(pem), "-keystore", str(ks), "-storepass", "changeit",
             "--lock-timeout", "60"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
        )
        for _ in range(3000):
            if _waits_on_lock(proc.pid, ks) or proc.poll() is not None:
                break
            time.sleep(0.01)
        assert proc.poll() is None, proc.communicate()
        pem.write_bytes(b"changed while the command waited for the lock")
    finally:
        release.set()
        holder.join(10)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    r = run_cli(["-list", "-alias", "newca", "-keystore", ks, "-storepass", "changeit"])
    assert r.returncode == 0 and b"trustedCertEntry" in r.stdout


def test_importcert_input_errors_keep_keytools_order(tmp_path: Path) -> None:
    # The keystore's password error comes first, as in keytool, although
    # -file is now read before the keystore.
    ks = tmp_path / "ks.p12"
    ks.write_bytes((FIXTURES / "kt17/all.p12").read_bytes())
    missing = tmp_path / "missing.pem"
    r = run_cli(["-importcert", "-noprompt", "-alias", "x", "-file", missing,
                 "-keystore", ks, "-storepass", "wrongpw"])
    assert r.returncode == 1
    assert b"keystore password was incorrect" in r.stderr
    r = run_cli(["-importcert", "-noprompt", "-alias", "x", "-file", missing,
                 "-keystore", ks, "-storepass", "changeit"])
    assert r.returncode == 1
    assert r.stderr.decode() == f"keystoretool error: {missing} (No such file or directory)\n"


def test_ca_reply_chain_search_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    # keytool's depth-first chain building, over keystore certificates that all
    # carry the reply's issuer name: each signature check is counted.
    crowd = certs.read_certificates(same_name_certificates(60))
    reply = crowd[0]
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    reply = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "leaf")]))
        .issuer_name(crowd[0].subject).public_key(key.public_key()).serial_number(7)
        .not_valid_before(crowd[0].not_valid_before_utc)
        .not_valid_after(crowd[0].not_valid_after_utc)
        .sign(key, hashes.SHA256())  # signed by none of the crowd
    )
    cands = [certs.Candidate(f"Issuer <c{i}>", c) for i, c in enumerate(crowd)]
    with pytest.raises(KeystoreToolError, match="^Failed to establish chain from reply$"):
        certs.establish_chain(None, reply, cands)  # 60 checks: within 4 x 60 + 256
    monkeypatch.setenv(budget.ENV, "0.1")  # 49 checks allowed
    with pytest.raises(KeystoreToolError, match="too many candidate issuers share names"):
        certs.establish_chain(None, reply, cands)
