"""Files beside the keystore (issue 11, section 4).

Every output (-file, --out, --certout, --keyout, NAME.bak, NAME.old) goes
through one writer that applies the kernel's protected_symlinks and
protected_regular rules itself (its temp-file-and-rename never triggers the
kernel's own checks), and private keys end 0600 whatever mode the file had.
Planting another user's file needs root (CI runs as root); elsewhere those
tests are skipped with that reason, and never in CI.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import in_ci
from pkihelpers import key_entry, make_pki

from keystoretool.model import Keystore

PW = "changeit"
NOBODY = 65534
PKI = make_pki("Outputs")


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "keystoretool", *args], capture_output=True,
                          text=True, stdin=subprocess.DEVNULL, timeout=120, cwd="/")


def make_store(path: Path, store_type: str = "PKCS12") -> Path:
    ks = Keystore.new(store_type, PW)
    ks.put("key1", key_entry("key1", PKI.leaf_key, PKI.chain))
    ks.save(path)
    return path


def need_root() -> None:
    if os.geteuid() != 0:
        if in_ci():
            pytest.fail("CI=true: this test must run as root", pytrace=False)
        pytest.skip("needs root to plant a file owned by another user")


@pytest.fixture
def sticky_dir() -> Iterator[Path]:
    """A shared sticky folder, like /tmp."""
    d = Path(tempfile.mkdtemp(prefix="kst-sticky-", dir="/tmp"))
    d.chmod(0o1777)
    try:
        yield d
    finally:
        shutil.rmtree(d, ignore_errors=True)


def mode(p: Path) -> int:
    return stat.S_IMODE(p.stat().st_mode)


# ---- private keys end 0600 ------------------------------------------------


@pytest.mark.parametrize("option", ["--keyout", "--out"])
def test_private_key_output_ends_0600_even_when_the_file_existed(
        tmp_path: Path, option: str) -> None:
    ks = make_store(tmp_path / "ks.p12")
    key = tmp_path / "k.pem"
    key.write_text("old content\n")
    key.chmod(0o644)
    args = ["exportpem", "--keystore", str(ks), "--alias", "key1", "--storepass", PW,
            "--no-encrypt", option, str(key)]
    if option == "--keyout":
        cert = tmp_path / "c.pem"
        cert.write_text("old\n")
        cert.chmod(0o644)
        args += ["--certout", str(cert)]
    r = run(*args)
    assert r.returncode == 0, r.stderr
    assert b"PRIVATE KEY" in key.read_bytes()
    assert mode(key) == 0o600
    if option == "--keyout":
        assert mode(tmp_path / "c.pem") == 0o644  # a certificate keeps its mode


# ---- protected_symlinks ---------------------------------------------------


def test_another_users_symlink_in_a_sticky_folder_is_not_followed(
        sticky_dir: Path, tmp_path: Path) -> None:
    need_root()
    ks = make_store(tmp_path / "ks.p12")
    victim = tmp_path / "root-only" / "victim"
    victim.parent.mkdir(mode=0o700)
    victim.write_text("root's file\n")
    link = sticky_dir / "cert.pem"
    link.symlink_to(victim)
    os.lchown(link, NOBODY, NOBODY)
    r = run("-exportcert", "-rfc", "-alias", "key1", "-file", str(link), "-keystore", str(ks),
            "-storepass", PW)
    assert r.returncode == 1
    assert r.stderr.strip().splitlines()[-1] == (
        f"keystoretool error: Cannot write {link}: refusing to follow the symbolic link "
        f"{link}, owned by another user in a shared sticky folder")
    assert victim.read_text() == "root's file\n"
    assert link.is_symlink()
    assert sorted(p.name for p in sticky_dir.iterdir()) == ["cert.pem"]


def test_own_symlink_in_a_sticky_folder_is_written_through(
        sticky_dir: Path, tmp_path: Path) -> None:
    ks = make_store(tmp_path / "ks.p12")
    real = tmp_path / "real.pem"
    link = sticky_dir / "cert.pem"
    link.symlink_to(real)
    r = run("-exportcert", "-rfc", "-alias", "key1", "-file", str(link), "-keystore", str(ks),
            "-storepass", PW)
    assert r.returncode == 0, r.stderr
    assert link.is_symlink() and real.read_text().startswith("-----BEGIN CERTIFICATE-----")


# ---- protected_regular ----------------------------------------------------


def test_another_users_file_in_a_sticky_folder_is_not_written_into(
        sticky_dir: Path, tmp_path: Path) -> None:
    need_root()
    ks = make_store(tmp_path / "ks.p12")
    planted = sticky_dir / "k.key"
    planted.write_text("attacker's file\n")
    planted.chmod(0o666)
    os.chown(planted, NOBODY, NOBODY)
    r = run("exportpem", "--keystore", str(ks), "--alias", "key1", "--storepass", PW,
            "--no-encrypt", "--out", str(planted))
    assert r.returncode == 1
    assert r.stderr.strip().splitlines()[-1] == (
        f"keystoretool error: Cannot write {planted}: Permission denied (the file belongs "
        "to another user and the folder is a shared sticky folder)")
    assert planted.read_text() == "attacker's file\n"
    assert planted.stat().st_uid == NOBODY
    assert sorted(p.name for p in sticky_dir.iterdir()) == ["k.key"]


def test_planted_bak_in_a_sticky_folder_stops_the_write(sticky_dir: Path) -> None:
    need_root()
    ks = make_store(sticky_dir / "ks.p12")
    before = ks.read_bytes()
    bak = sticky_dir / "ks.p12.bak"
    bak.write_text("attacker's\n")
    os.chown(bak, NOBODY, NOBODY)
    r = run("-delete", "-alias", "key1", "-keystore", str(ks), "-storepass", PW, "--backup")
    assert r.returncode == 1
    assert "Cannot write" in r.stderr and "ks.p12.bak" in r.stderr
    assert ks.read_bytes() == before
    assert bak.read_text() == "attacker's\n"
    assert sorted(p.name for p in sticky_dir.iterdir()) == ["ks.p12", "ks.p12.bak"]


# ---- the migration's .old copy ----------------------------------------------


def test_migration_old_copy_never_writes_through_a_planted_symlink(tmp_path: Path) -> None:
    path = make_store(tmp_path / "ks.jks", "JKS")
    original = path.read_bytes()
    (tmp_path / "elsewhere").mkdir()
    victim = tmp_path / "elsewhere" / "victim"
    victim.write_text("not to be overwritten\n")
    (tmp_path / "ks.jks.old").symlink_to(victim)
    r = run("-importkeystore", "-srckeystore", str(path), "-destkeystore", str(path),
            "-deststoretype", "pkcs12", "-srcstorepass", PW, "-deststorepass", PW, "-noprompt")
    assert r.returncode == 0, r.stderr
    assert victim.read_text() == "not to be overwritten\n"
    assert (tmp_path / "ks.jks.old").is_symlink()
    assert (tmp_path / "ks.jks.old2").read_bytes() == original
    assert f'backed up as "{path}.old2"' in r.stderr
    assert Keystore.load(path, PW).store_type == "PKCS12"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "elsewhere", "ks.jks", "ks.jks.old", "ks.jks.old2"]
    assert os.listdir(tmp_path / "elsewhere") == ["victim"]
