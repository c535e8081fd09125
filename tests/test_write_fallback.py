"""Work where keytool works, refuse where it refuses (issue 11, section 3).

* A bind-mounted keystore file (``docker run -v $PWD/ks.p12:/app/ks.p12``):
  rename onto it gives EBUSY; it is rewritten in place, with one line on
  stderr saying so. Tested with a real ``mount --bind`` (root; in CI it must
  run), and everywhere through a failing ``os.replace``.
* A writable keystore in a folder the user cannot write: rewritten in place.
* A keystore the user made read-only (0400, owned by them): refused with
  "Permission denied", decided by a real open for writing. As root every
  file is writable (keytool rewrites it too), so this runs as a second,
  unprivileged user (``nobody``) when the tests run as root.
"""

from __future__ import annotations

import errno
import io
import multiprocessing
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import in_ci
from pkihelpers import key_entry, make_pki

from keystoretool import storage
from keystoretool.errors import KeystoreToolError, StorageError
from keystoretool.model import Keystore

PW = "changeit"
FORK = multiprocessing.get_context("fork")
NOBODY = 65534
IS_ROOT = os.geteuid() == 0
PKI = make_pki("Fallback")


def make_store(path: Path) -> None:
    ks = Keystore.new("PKCS12", PW)
    ks.put("key1", key_entry("key1", PKI.leaf_key, PKI.chain))
    ks.save(path)


def give_away(*paths: Path) -> None:
    """Hand ``paths`` to the unprivileged user commands run as (nobody when
    we are root; ourselves otherwise)."""
    if IS_ROOT:
        for p in paths:
            os.chown(p, NOBODY, NOBODY)


def _child(argv: list[str], result: Any) -> None:
    if IS_ROOT:  # a second, unprivileged user: permissions bind again
        os.setgroups([])
        os.setgid(NOBODY)
        os.setuid(NOBODY)
    sys.stderr = io.StringIO()
    from keystoretool.cli.main import main

    try:
        rc = main(argv)
    except SystemExit as exc:
        rc = exc.code if isinstance(exc.code, int) else 1
    result.put((rc, sys.stderr.getvalue()))


def run_unprivileged(argv: list[str]) -> tuple[int, str]:
    """(exit code, stderr) of the CLI run in a forked child as that user."""
    result = FORK.Queue()
    proc = FORK.Process(target=_child, args=(argv, result))
    proc.start()
    out = result.get(timeout=120)
    proc.join(30)
    return out  # type: ignore[no-any-return]


def changealias(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "keystoretool", *CHANGEALIAS, "-keystore", str(path)],
        capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=120, cwd="/")


CHANGEALIAS = ["-changealias", "-alias", "key1", "-destalias", "renamed", "-storepass", PW]


def warning_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "not atomically" in line]


# ---- a folder the user cannot write ---------------------------------------


def test_writable_keystore_in_an_unwritable_folder_is_rewritten_in_place(
        shared_dir: Path) -> None:
    folder = shared_dir / "ro"
    folder.mkdir()
    path = folder / "ks.p12"
    make_store(path)
    inode = path.stat().st_ino
    give_away(folder, path)
    folder.chmod(0o555)
    rc, err = run_unprivileged([*CHANGEALIAS, "-keystore", str(path)])
    assert rc == 0, err
    assert warning_lines(err) == [
        f"Warning: {path} was rewritten in place, not atomically: its folder is not "
        "writable (Permission denied)"]
    assert Keystore.load(path, PW).aliases() == ["renamed"]
    assert path.stat().st_ino == inode
    assert [p.name for p in folder.iterdir()] == ["ks.p12"]


def test_read_only_keystore_is_refused_like_keytool(shared_dir: Path) -> None:
    path = shared_dir / "ks.p12"
    make_store(path)
    before = path.read_bytes()
    give_away(path)
    path.chmod(0o400)
    rc, err = run_unprivileged([*CHANGEALIAS, "-keystore", str(path)])
    assert rc == 1
    assert err.strip().splitlines()[-1] == \
        f"keystoretool error: Cannot write {path}: Permission denied"
    assert path.read_bytes() == before
    assert sorted(p.name for p in shared_dir.iterdir()) == ["ks.p12"]


def test_read_only_keystore_is_rewritten_by_root_as_keytool_does(tmp_path: Path) -> None:
    if not IS_ROOT:
        pytest.skip("needs root (root may write a 0400 file)")
    path = tmp_path / "ks.p12"
    make_store(path)
    path.chmod(0o400)
    r = changealias(path)
    assert r.returncode == 0, r.stderr
    assert Keystore.load(path, PW).aliases() == ["renamed"]
    assert path.stat().st_mode & 0o777 == 0o400


# ---- a bind-mounted keystore file -----------------------------------------


@pytest.fixture
def bind_mounted(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    """(the real file, the path it is bind-mounted on)."""
    if not IS_ROOT:
        if in_ci():
            pytest.fail("CI=true: the bind-mount test must run as root", pytrace=False)
        pytest.skip("needs root to mount --bind")
    source = tmp_path / "host" / "ks.p12"
    source.parent.mkdir()
    make_store(source)
    app = tmp_path / "app"
    app.mkdir()
    target = app / "ks.p12"
    target.write_bytes(b"")
    r = subprocess.run(["mount", "--bind", str(source), str(target)], capture_output=True,
                       text=True)
    if r.returncode != 0:
        if in_ci():
            pytest.fail(f"CI=true and mount --bind failed: {r.stderr}", pytrace=False)
        pytest.skip(f"mount --bind is not permitted here: {r.stderr.strip()}")
    try:
        yield source, target
    finally:
        subprocess.run(["umount", str(target)], check=False)


def test_bind_mounted_keystore_is_rewritten_in_place(bind_mounted: tuple[Path, Path]) -> None:
    source, target = bind_mounted
    with pytest.raises(OSError) as exc:  # what every rename-based writer meets
        os.replace(source, target)
    assert exc.value.errno in (errno.EBUSY, errno.EXDEV)
    r = changealias(target)
    assert r.returncode == 0, r.stderr
    lines = warning_lines(r.stderr)
    assert len(lines) == 1 and lines[0].startswith(
        f"Warning: {target} was rewritten in place, not atomically: it cannot be replaced "
        "by a rename, as a bind-mounted file cannot (")
    assert Keystore.load(target, PW).aliases() == ["renamed"]
    assert Keystore.load(source, PW).aliases() == ["renamed"]  # the host's file
    assert [p.name for p in target.parent.iterdir()] == ["ks.p12"]
    # --backup still works: NAME.bak is a copy of the old version beside it
    r = subprocess.run(
        [sys.executable, "-m", "keystoretool", "-delete", "-alias", "renamed", "-keystore",
         str(target), "-storepass", PW, "--backup"],
        capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=120)
    assert r.returncode == 0, r.stderr
    assert Keystore.load(target, PW).aliases() == []
    assert Keystore.load(str(target) + ".bak", PW).aliases() == ["renamed"]


# ---- the in-place rewrite, with rename made to fail (runs everywhere) -----


def _busy(*args: Any, **kwargs: Any) -> None:
    raise OSError(errno.EBUSY, os.strerror(errno.EBUSY))


def test_rename_impossible_rewrites_in_place_and_says_so(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "ks"
    target.write_bytes(b"old bytes, longer than the new ones")
    target.chmod(0o640)
    inode = target.stat().st_ino
    lines: list[str] = []
    monkeypatch.setattr(os, "replace", _busy)
    storage.atomic_write(target, b"new bytes", notice=lines.append)
    assert target.read_bytes() == b"new bytes"
    assert (target.stat().st_ino, target.stat().st_mode & 0o777) == (inode, 0o640)
    assert lines == [f"Warning: {target} was rewritten in place, not atomically: it cannot be "
                     "replaced by a rename, as a bind-mounted file cannot (Device or resource "
                     "busy)"]
    assert [p.name for p in tmp_path.iterdir()] == ["ks"]


def test_in_place_rewrite_that_fails_verification_restores_the_old_bytes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "ks"
    target.write_bytes(b"precious old bytes")
    calls: list[bytes] = []

    def verify(data: bytes) -> None:
        calls.append(data)
        if len(calls) == 2:  # the temporary file passed; the rewritten file does not
            raise KeystoreToolError("Internal check failed")

    monkeypatch.setattr(os, "replace", _busy)
    with pytest.raises(KeystoreToolError, match="Internal check failed"):
        storage.atomic_write(target, b"new", verify=verify, notice=lambda line: None)
    assert target.read_bytes() == b"precious old bytes"
    assert [p.name for p in tmp_path.iterdir()] == ["ks"]


def test_in_place_rewrite_that_hits_a_full_disk_restores_the_old_bytes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "ks"
    target.write_bytes(b"precious old bytes")
    real_pwrite = os.pwrite
    state = {"n": 0}

    def pwrite(fd: int, data: Any, offset: int) -> int:
        state["n"] += 1
        if state["n"] == 1:  # half of the new bytes, then the disk is full
            return real_pwrite(fd, bytes(data[:3]), offset)
        if state["n"] == 2:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_pwrite(fd, data, offset)

    monkeypatch.setattr(os, "replace", _busy)
    monkeypatch.setattr(os, "pwrite", pwrite)
    with pytest.raises(StorageError, match="No space left on device"):
        storage.atomic_write(target, b"new bytes!", notice=lambda line: None)
    assert target.read_bytes() == b"precious old bytes"
