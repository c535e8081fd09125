"""keystoretool.storage: safe reads, atomic verified writes, locking.

These tests use real files, real processes and real permissions; only disk
full and a few OS failures are simulated by making ``os`` calls fail.
"""

from __future__ import annotations

import errno
import multiprocessing
import os
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from keystoretool import storage
from keystoretool.errors import KeystoreToolError, StorageError

FORK = multiprocessing.get_context("fork")
NOBODY = 65534
IS_ROOT = os.geteuid() == 0


def leftovers(directory: Path) -> list[str]:
    """Temporary files left in ``directory`` (the lock file is expected)."""
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


@pytest.fixture
def umask_077() -> Iterator[None]:
    old = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(old)


def _child_as_nobody(queue: Any, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
    os.setgroups([])
    os.setgid(NOBODY)
    os.setuid(NOBODY)
    try:
        fn(*args)
        queue.put(("ok", ""))
    except KeystoreToolError as err:
        queue.put((type(err).__name__, str(err)))
    except BaseException as err:  # noqa: BLE001 - reported to the test
        queue.put(("unexpected " + type(err).__name__, repr(err)))


def run_unprivileged(fn: Callable[..., Any], *args: Any) -> tuple[str, str]:
    """Run ``fn(*args)`` as an unprivileged user (a forked child dropping to
    ``nobody`` when the tests run as root, where permissions do not bind).
    Returns (exception class name or "ok", message)."""
    if not IS_ROOT:
        try:
            fn(*args)
            return ("ok", "")
        except KeystoreToolError as err:
            return (type(err).__name__, str(err))
    queue = FORK.Queue()
    proc = FORK.Process(target=_child_as_nobody, args=(queue, fn, args))
    proc.start()
    result = queue.get(timeout=30)
    proc.join(timeout=30)
    return result  # type: ignore[no-any-return]


def give_to_nobody(*paths: Path) -> None:
    if IS_ROOT:
        for p in paths:
            os.chown(p, NOBODY, NOBODY)


# ---------------------------------------------------------------------------
# read_keystore / read_bytes
# ---------------------------------------------------------------------------


def test_read_keystore_returns_the_bytes(tmp_path: Path) -> None:
    f = tmp_path / "ks.p12"
    f.write_bytes(b"\x30\x82" + bytes(range(256)) * 9000)
    assert storage.read_keystore(str(f)) == f.read_bytes()
    assert storage.read_keystore(f) == f.read_bytes()  # PathLike too


def test_read_keystore_missing_file_uses_keytools_message(tmp_path: Path) -> None:
    with pytest.raises(KeystoreToolError) as exc:
        storage.read_keystore("no/such.jks")
    assert str(exc.value) == "Keystore file does not exist: no/such.jks"
    with pytest.raises(KeystoreToolError, match="^Keystore file does not exist: "):
        storage.read_keystore(tmp_path / "missing.jks")


def test_read_keystore_path_through_a_file_is_missing(tmp_path: Path) -> None:
    (tmp_path / "f").write_bytes(b"x")
    with pytest.raises(KeystoreToolError, match="^Keystore file does not exist: "):
        storage.read_keystore(tmp_path / "f" / "ks.jks")


def test_read_keystore_directory_is_reported_as_missing_like_keytool(tmp_path: Path) -> None:
    with pytest.raises(KeystoreToolError) as exc:
        storage.read_keystore(str(tmp_path))
    assert str(exc.value) == f"Keystore file does not exist: {tmp_path}"


def test_read_keystore_empty_file(tmp_path: Path) -> None:
    f = tmp_path / "empty.jks"
    f.touch()
    with pytest.raises(KeystoreToolError) as exc:
        storage.read_keystore(str(f))
    assert str(exc.value) == f"Keystore file exists, but is empty: {f}"


def test_read_keystore_over_the_size_cap_is_refused_without_reading(tmp_path: Path) -> None:
    f = tmp_path / "huge.jks"
    with open(f, "wb") as out:
        out.truncate(storage.MAX_KEYSTORE_SIZE + 1)  # sparse: no disk, no memory
    with pytest.raises(StorageError) as exc:
        storage.read_keystore(str(f))
    assert str(exc.value) == (
        f"Keystore file is too large ({storage.MAX_KEYSTORE_SIZE + 1} bytes; "
        f"the limit is {storage.MAX_KEYSTORE_SIZE} bytes): {f}"
    )
    # Exactly at the cap is fine.
    small = tmp_path / "small.jks"
    small.write_bytes(b"a" * 100)
    assert storage.read_keystore(small, max_size=100) == b"a" * 100
    with pytest.raises(StorageError, match="too large"):
        storage.read_keystore(small, max_size=99)


def test_size_cap_keeps_a_hostile_file_inside_the_memory_budget() -> None:
    # The budget is 200 MB per command; parsing holds a few copies.
    assert storage.MAX_KEYSTORE_SIZE * 2 < 200 * 1024 * 1024
    assert storage.MAX_INPUT_SIZE <= storage.MAX_KEYSTORE_SIZE


def _call_with_deadline(fn: Callable[[], Any], seconds: float) -> BaseException | None:
    """Run ``fn`` in a thread; fail the test if it does not return in time."""
    outcome: list[BaseException | None] = []

    def target() -> None:
        try:
            fn()
            outcome.append(None)
        except BaseException as err:  # noqa: BLE001
            outcome.append(err)

    t = threading.Thread(target=target, daemon=True)
    t.start()
    t.join(seconds)
    assert not t.is_alive(), "reading a FIFO blocked"
    return outcome[0]


def test_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.jks"
    os.mkfifo(fifo)
    start = time.monotonic()
    err = _call_with_deadline(lambda: storage.read_keystore(str(fifo)), 5)
    assert isinstance(err, StorageError)
    assert str(err) == f"Keystore file is a named pipe, not a regular file: {fifo}"
    err = _call_with_deadline(lambda: storage.read_bytes(str(fifo)), 5)
    assert isinstance(err, StorageError)
    assert str(err) == f"{fifo} (Not a regular file: a named pipe)"
    assert time.monotonic() - start < 2


def test_symlink_to_a_fifo_is_refused_too(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    link = tmp_path / "ks.jks"
    link.symlink_to(fifo)
    err = _call_with_deadline(lambda: storage.read_keystore(str(link)), 5)
    assert isinstance(err, StorageError)
    assert "named pipe" in str(err)


def test_device_and_socket_are_refused(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="^Keystore file is a device, not a regular file: "):
        storage.read_keystore("/dev/zero")
    with pytest.raises(StorageError, match=r"^/dev/zero \(Not a regular file: a device\)$"):
        storage.read_bytes("/dev/zero")
    import socket

    sock_path = tmp_path / "s"
    with socket.socket(socket.AF_UNIX) as s:
        s.bind(str(sock_path))
        with pytest.raises(StorageError, match="is a socket, not a regular file"):
            storage.read_keystore(str(sock_path))


def test_read_bytes_messages(tmp_path: Path) -> None:
    f = tmp_path / "cert.pem"
    f.write_bytes(b"-----BEGIN CERTIFICATE-----\n")
    assert storage.read_bytes(f) == f.read_bytes()
    (tmp_path / "empty.pem").touch()
    assert storage.read_bytes(tmp_path / "empty.pem") == b""
    with pytest.raises(StorageError) as exc:
        storage.read_bytes("nosuch.pem")
    assert str(exc.value) == "nosuch.pem (No such file or directory)"
    with pytest.raises(StorageError) as exc:
        storage.read_bytes(str(tmp_path))
    assert str(exc.value) == f"{tmp_path} (Is a directory)"
    with pytest.raises(StorageError) as exc:
        storage.read_bytes(f, max_size=10)
    assert str(exc.value) == f"{f} (File too large: 28 bytes; the limit is 10 bytes)"


def test_unreadable_files_give_a_clear_error(shared_dir: Path) -> None:
    ks = shared_dir / "secret.jks"
    ks.write_bytes(b"\xfe\xed\xfe\xed data")
    ks.chmod(0o600)  # owned by the test user, unreadable to nobody
    if not IS_ROOT:
        ks.chmod(0o000)
    kind, msg = run_unprivileged(storage.read_keystore, str(ks))
    assert (kind, msg) == ("StorageError", f"Cannot read keystore file: {ks} (Permission denied)")
    kind, msg = run_unprivileged(storage.read_bytes, str(ks))
    assert (kind, msg) == ("StorageError", f"{ks} (Permission denied)")


# ---------------------------------------------------------------------------
# atomic_write
# ---------------------------------------------------------------------------


def test_new_keystore_is_created_0600_whatever_the_umask(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        target = tmp_path / "new.p12"
        storage.atomic_write(str(target), b"new store")
    finally:
        os.umask(old)
    assert target.read_bytes() == b"new store"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o400, 0o660])
def test_existing_mode_is_kept(tmp_path: Path, umask_077: None, mode: int) -> None:
    target = tmp_path / "ks.jks"
    target.write_bytes(b"old")
    target.chmod(mode)
    storage.atomic_write(target, b"new")
    assert target.read_bytes() == b"new"
    assert stat.S_IMODE(target.stat().st_mode) == mode


@pytest.mark.skipif(not IS_ROOT, reason="only root can give a file away")
def test_existing_owner_and_group_are_kept_when_root(tmp_path: Path) -> None:
    target = tmp_path / "ks.jks"
    target.write_bytes(b"old")
    os.chown(target, NOBODY, NOBODY)
    target.chmod(0o640)
    storage.atomic_write(target, b"new")
    st = target.stat()
    assert (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) == (NOBODY, NOBODY, 0o640)


def test_content_is_replaced_and_inode_changes(tmp_path: Path) -> None:
    target = tmp_path / "ks.jks"
    target.write_bytes(b"A" * 10000)
    before = target.stat().st_ino
    storage.atomic_write(target, b"B" * 10)
    assert target.read_bytes() == b"B" * 10
    assert target.stat().st_ino != before  # renamed into place, not rewritten
    assert leftovers(tmp_path) == []


def test_verify_gets_the_bytes_read_back_from_disk(tmp_path: Path) -> None:
    seen: list[bytes] = []
    storage.atomic_write(tmp_path / "ks", b"payload", verify=seen.append)
    assert seen == [b"payload"]


def test_verify_failure_leaves_target_identical_and_no_temp_file(tmp_path: Path) -> None:
    target = tmp_path / "ks.jks"
    target.write_bytes(b"original bytes")
    target.chmod(0o644)
    before = target.stat()

    def refuse(data: bytes) -> None:
        # The temporary file exists while verify runs, complete.
        assert len(leftovers(tmp_path)) == 1
        raise KeystoreToolError("Internal check failed")

    with pytest.raises(KeystoreToolError, match="^Internal check failed$"):
        storage.atomic_write(target, b"corrupt", verify=refuse, backup=True)
    after = target.stat()
    assert target.read_bytes() == b"original bytes"
    assert (after.st_ino, after.st_mtime_ns, after.st_mode) == (
        before.st_ino,
        before.st_mtime_ns,
        before.st_mode,
    )
    assert leftovers(tmp_path) == []
    assert not (tmp_path / "ks.jks.bak").exists()


def test_verify_failure_on_a_new_file_creates_nothing(tmp_path: Path) -> None:
    def refuse(data: bytes) -> None:
        raise KeystoreToolError("bad")

    with pytest.raises(KeystoreToolError):
        storage.atomic_write(tmp_path / "new.jks", b"x", verify=refuse)
    assert list(tmp_path.iterdir()) == []


def test_interrupt_during_verify_cleans_up(tmp_path: Path) -> None:
    target = tmp_path / "ks.jks"
    target.write_bytes(b"old")

    def interrupted(data: bytes) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        storage.atomic_write(target, b"new", verify=interrupted)
    assert target.read_bytes() == b"old"
    assert leftovers(tmp_path) == []


def test_backup_keeps_the_previous_version(tmp_path: Path) -> None:
    target = tmp_path / "ks.jks"
    target.write_bytes(b"version 1")
    target.chmod(0o640)
    storage.atomic_write(target, b"version 2", backup=True)
    bak = tmp_path / "ks.jks.bak"
    assert target.read_bytes() == b"version 2"
    assert bak.read_bytes() == b"version 1"
    assert stat.S_IMODE(bak.stat().st_mode) == 0o640
    storage.atomic_write(target, b"version 3", backup=True)
    assert bak.read_bytes() == b"version 2"
    storage.atomic_write(target, b"version 4")  # no --backup: .bak untouched
    assert bak.read_bytes() == b"version 2"
    assert target.read_bytes() == b"version 4"
    assert leftovers(tmp_path) == []


def test_backup_of_a_new_file_is_nothing(tmp_path: Path) -> None:
    storage.atomic_write(tmp_path / "ks.jks", b"v1", backup=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ks.jks"]


def test_backup_falls_back_to_a_copy_without_hard_links(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "ks.jks"
    target.write_bytes(b"version 1")
    target.chmod(0o604)

    def no_links(*args: Any, **kwargs: Any) -> None:
        raise PermissionError(errno.EPERM, os.strerror(errno.EPERM))

    monkeypatch.setattr(os, "link", no_links)
    storage.atomic_write(target, b"version 2", backup=True)
    bak = tmp_path / "ks.jks.bak"
    assert bak.read_bytes() == b"version 1"
    assert stat.S_IMODE(bak.stat().st_mode) == 0o604
    assert target.read_bytes() == b"version 2"
    assert leftovers(tmp_path) == []


def test_backup_that_cannot_be_made_stops_the_write(tmp_path: Path) -> None:
    target = tmp_path / "ks.jks"
    target.write_bytes(b"old")
    (tmp_path / "ks.jks.bak").mkdir()
    with pytest.raises(StorageError) as exc:
        storage.atomic_write(target, b"new", backup=True)
    assert str(exc.value) == f"Cannot write {target}.bak: Is a directory"
    assert target.read_bytes() == b"old"
    assert leftovers(tmp_path) == []


def test_disk_full_leaves_the_original_untouched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "ks.jks"
    target.write_bytes(b"precious")
    real_write = os.write
    calls = {"n": 0}

    def fill_up(fd: int, data: Any) -> int:
        calls["n"] += 1
        if calls["n"] == 1:  # a short write first, then the disk is full
            return real_write(fd, bytes(data[:100]))
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "write", fill_up)
    with pytest.raises(StorageError) as exc:
        storage.atomic_write(str(target), b"x" * 100_000, verify=lambda b: None)
    assert str(exc.value) == f"Cannot write {target}: No space left on device"
    assert target.read_bytes() == b"precious"
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize(
    ("call", "code"),
    [
        ("fsync", errno.EIO),
        ("replace", errno.EROFS),
        ("open", errno.EROFS),
        ("fchmod", errno.EPERM),
    ],
)
def test_os_failures_become_one_line_storage_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, call: str, code: int
) -> None:
    target = tmp_path / "ks.jks"
    target.write_bytes(b"precious")

    def fail(*args: Any, **kwargs: Any) -> Any:
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(os, call, fail)
    with pytest.raises(StorageError) as exc:
        # (with --backup a failing os.replace would hit NAME.bak first)
        storage.atomic_write(target, b"new data", verify=lambda b: None, backup=call != "replace")
    monkeypatch.undo()
    assert str(exc.value) == f"Cannot write {target}: {os.strerror(code)}"
    assert "\n" not in str(exc.value)
    assert target.read_bytes() == b"precious"
    assert leftovers(tmp_path) == []


def _write_into(path: str) -> None:
    storage.atomic_write(path, b"new keystore bytes")


def test_read_only_directory_gives_a_clear_error_and_keeps_the_original(
    shared_dir: Path,
) -> None:
    folder = shared_dir / "ro"
    folder.mkdir()
    target = folder / "ks.jks"
    target.write_bytes(b"precious")
    target.chmod(0o444)  # (a writable file is rewritten in place: tests/test_write_fallback.py)
    give_to_nobody(folder, target)
    folder.chmod(0o555)
    kind, msg = run_unprivileged(_write_into, str(target))
    assert (kind, msg) == ("StorageError", f"Cannot write {target}: Permission denied")
    assert target.read_bytes() == b"precious"
    assert sorted(p.name for p in folder.iterdir()) == ["ks.jks"]


def test_new_file_in_a_missing_folder(tmp_path: Path) -> None:
    target = tmp_path / "nope" / "ks.jks"
    with pytest.raises(StorageError) as exc:
        storage.atomic_write(str(target), b"x")
    assert str(exc.value) == f"Cannot write {target}: No such file or directory"


def test_writing_onto_a_directory_or_fifo_is_refused(tmp_path: Path) -> None:
    d = tmp_path / "dir.jks"
    d.mkdir()
    with pytest.raises(StorageError) as exc:
        storage.atomic_write(str(d), b"x")
    assert str(exc.value) == f"Cannot write {d}: Is a directory"
    assert d.is_dir()
    fifo = tmp_path / "pipe.jks"
    os.mkfifo(fifo)
    with pytest.raises(StorageError, match="^Cannot write .*pipe.jks: it is a named pipe$"):
        storage.atomic_write(str(fifo), b"x")
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert leftovers(tmp_path) == []


def test_symlink_is_written_through(tmp_path: Path) -> None:
    real_dir = tmp_path / "real"
    real_dir.mkdir()
    real = real_dir / "ks.jks"
    real.write_bytes(b"old")
    real.chmod(0o640)
    link = tmp_path / "link.jks"
    link.symlink_to(real)
    storage.atomic_write(str(link), b"new", backup=True)
    assert link.is_symlink()
    assert real.read_bytes() == b"new"
    assert stat.S_IMODE(real.stat().st_mode) == 0o640
    assert (real_dir / "ks.jks.bak").read_bytes() == b"old"


def test_messages_never_carry_file_contents(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = b"storepass=hunter2-secret"

    def fail(*args: Any) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "write", fail)
    with pytest.raises(StorageError) as exc:
        storage.atomic_write(tmp_path / "ks", secret)
    assert "hunter2" not in str(exc.value) and ".tmp" not in str(exc.value)


# ---------------------------------------------------------------------------
# locked
# ---------------------------------------------------------------------------


def _hold_lock(path: str, ready: Any, release: Any) -> None:
    with storage.locked(path, timeout=5):
        ready.set()
        release.wait(30)


def test_lock_contention_between_processes_times_out(tmp_path: Path) -> None:
    target = str(tmp_path / "ks.jks")
    ready, release = FORK.Event(), FORK.Event()
    holder = FORK.Process(target=_hold_lock, args=(target, ready, release))
    holder.start()
    try:
        assert ready.wait(10)
        start = time.monotonic()
        with pytest.raises(StorageError) as exc:
            with storage.locked(target, timeout=0.5):
                pytest.fail("got a lock another process holds")
        waited = time.monotonic() - start
        assert str(exc.value) == f"Keystore {target} is locked by another process (waited 0.5 s)"
        assert 0.45 <= waited < 3
        # timeout 0: one try, immediate answer
        with pytest.raises(StorageError, match=r"\(waited 0 s\)$"):
            with storage.locked(target, timeout=0):
                pass
    finally:
        release.set()
        holder.join(10)
    assert holder.exitcode == 0
    # The holder is gone: the lock is free again.
    with storage.locked(target, timeout=0):
        pass


def _try_lock(path: str, result: Any) -> None:
    try:
        with storage.locked(path, timeout=0):
            result.put("locked")
    except StorageError as err:
        result.put(str(err))


def test_lock_is_released_after_the_context(tmp_path: Path) -> None:
    target = str(tmp_path / "ks.jks")
    result = FORK.Queue()
    with storage.locked(target):
        p = FORK.Process(target=_try_lock, args=(target, result))
        p.start()
        assert "is locked by another process" in result.get(timeout=10)
        p.join(10)
    p = FORK.Process(target=_try_lock, args=(target, result))
    p.start()
    assert result.get(timeout=10) == "locked"
    p.join(10)


def test_lock_is_released_when_the_body_raises(tmp_path: Path) -> None:
    target = str(tmp_path / "ks.jks")
    with pytest.raises(KeystoreToolError):
        with storage.locked(target):
            raise KeystoreToolError("boom")
    result = FORK.Queue()
    p = FORK.Process(target=_try_lock, args=(target, result))
    p.start()
    assert result.get(timeout=10) == "locked"
    p.join(10)


def test_a_waiter_gets_the_lock_when_it_is_released(tmp_path: Path) -> None:
    target = str(tmp_path / "ks.jks")
    ready, release = FORK.Event(), FORK.Event()
    holder = FORK.Process(target=_hold_lock, args=(target, ready, release))
    holder.start()
    assert ready.wait(10)
    threading.Timer(0.3, release.set).start()
    start = time.monotonic()
    with storage.locked(target, timeout=10):
        assert time.monotonic() - start >= 0.25
    holder.join(10)


def _increment(path: str, times: int) -> None:
    for _ in range(times):
        with storage.locked(path, timeout=30):
            value = int(storage.read_keystore(path))
            storage.atomic_write(path, str(value + 1).encode())


def test_locked_read_modify_write_loses_no_update(tmp_path: Path) -> None:
    counter = tmp_path / "counter"
    counter.write_bytes(b"0")
    procs = [FORK.Process(target=_increment, args=(str(counter), 40)) for _ in range(3)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    assert counter.read_bytes() == b"120"
    assert leftovers(tmp_path) == []


def test_lock_is_reentrant_within_a_process(tmp_path: Path) -> None:
    target = str(tmp_path / "ks.jks")
    with storage.locked(target, timeout=0):
        with storage.locked(target, timeout=0):
            with storage.locked(str(tmp_path / "." / "ks.jks"), timeout=0):
                pass
        result = FORK.Queue()
        p = FORK.Process(target=_try_lock, args=(target, result))
        p.start()
        assert "is locked" in result.get(timeout=10)  # still held by the outer block
        p.join(10)


def test_locking_leaves_no_file_behind(tmp_path: Path) -> None:
    target = tmp_path / "ks.jks"
    assert storage.lock_path(target) == str(target)  # the keystore itself, no sidecar
    with storage.locked(target):
        assert list(tmp_path.iterdir()) == []
    assert list(tmp_path.iterdir()) == []  # locking creates no keystore either
    target.write_bytes(b"x")
    with storage.locked(target):
        pass
    assert [p.name for p in tmp_path.iterdir()] == ["ks.jks"]


def test_lock_follows_symlinks_to_the_real_keystore(tmp_path: Path) -> None:
    real = tmp_path / "ks.jks"
    real.write_bytes(b"x")
    (tmp_path / "alias.jks").symlink_to(real)
    assert storage.lock_path(tmp_path / "alias.jks") == storage.lock_path(real)


def test_lock_in_a_missing_folder_does_not_get_in_the_way(tmp_path: Path) -> None:
    target = tmp_path / "no" / "ks.jks"
    with storage.locked(target):
        with pytest.raises(KeystoreToolError, match="does not exist"):
            storage.read_keystore(target)
    assert not (tmp_path / "no").exists()


def test_planted_lock_file_symlink_or_fifo_is_left_alone(tmp_path: Path) -> None:
    # Names earlier versions used for their sidecar: not ours to follow or empty.
    (tmp_path / ".a.jks.lock").symlink_to(tmp_path / "elsewhere")
    with storage.locked(tmp_path / "a.jks"):
        pass
    assert (tmp_path / ".a.jks.lock").is_symlink()
    assert not (tmp_path / "elsewhere").exists()
    os.mkfifo(tmp_path / ".b.jks.lock")
    err = _call_with_deadline(lambda: storage.locked(tmp_path / "b.jks").__enter__(), 5)
    assert not isinstance(err, BaseException)
    assert stat.S_ISFIFO((tmp_path / ".b.jks.lock").lstat().st_mode)


def _lock_and_write(path: str) -> None:
    with storage.locked(path, timeout=1):
        storage.atomic_write(path, b"x")


def test_lock_in_a_read_only_folder_falls_back_and_the_write_fails_cleanly(
    shared_dir: Path,
) -> None:
    folder = shared_dir / "ro"
    folder.mkdir()
    target = folder / "ks.jks"
    target.write_bytes(b"precious")
    target.chmod(0o444)
    give_to_nobody(folder, target)
    folder.chmod(0o555)
    kind, msg = run_unprivileged(_lock_and_write, str(target))
    assert (kind, msg) == ("StorageError", f"Cannot write {target}: Permission denied")
    assert sorted(p.name for p in folder.iterdir()) == ["ks.jks"]


def test_storage_import_is_cheap() -> None:
    code = (
        "import sys; import keystoretool.storage; "
        "heavy = {'tempfile', 'shutil', 'cryptography', 'jks', 'pyasn1', 'typer', 'threading'}; "
        "print(sorted(heavy & {m.split('.')[0] for m in sys.modules}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
