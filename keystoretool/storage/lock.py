"""Serialising read-modify-write without a lock file.

An existing keystore is locked by ``flock`` on the keystore file itself. A
writer replaces the file by renaming a new one over it, so a waiter may wake
up holding the lock of a file that is no longer at the path: after acquiring,
the path is checked to still name the locked inode (``fstat`` vs ``stat``),
else the lock is dropped and taken again on the new file.

A keystore that does not exist yet is locked through its folder (``flock``
on the directory): creators of a file there take turns, the existence
decision is made under that lock, and a creator that finds the file created
meanwhile locks the file instead and works on the winner's version. Nothing
is left on disk by locking.

While holding the lock, a writer removes what killed runs left for this
name: our own temporary files (``.NAME.<12 hex>.tmp``, ``.NAME.bak.<12
hex>.tmp``, ``.NAME.old.<12 hex>.tmp``) and the empty ``.NAME.lock`` files
earlier versions of this tool kept beside a keystore. The lock is the proof
that no live writer still needs them: a writer holds it for as long as its
temporary file exists. Process ids are not used (they mean nothing across
containers sharing a volume).
"""

from __future__ import annotations

import errno
import fcntl
import os
import stat
import time
from _thread import get_ident
from collections.abc import Iterator
from contextlib import contextmanager

from ..errors import StorageError
from .base import DEFAULT_LOCK_TIMEOUT, StrPath, reason
from .paths import resolve, temp_pattern

_OPEN_FLAGS = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC | os.O_NOFOLLOW
_NO_FLOCK = (errno.ENOLCK, errno.EOPNOTSUPP, errno.EINVAL, errno.EBADF)


class Held:
    """A lock being held on ``path`` (``real``: the file it resolves to).
    ``exists``: whether the file existed when the lock was taken; among
    cooperating processes that stays true while the lock is held."""

    __slots__ = ("path", "real", "exists")

    def __init__(self, path: str, real: str, exists: bool) -> None:
        self.path, self.real, self.exists = path, real, exists


# Locks held here, by (pid, thread, real path): flock belongs to an open
# file, so a second open of the same file by the holder would wait for
# itself. Nested `locked()` on one path in one thread (e.g. Keystore.save
# inside a command that locked the keystore) just counts; another thread
# opens its own descriptor and waits like another process. The pid keeps a
# forked child (which inherits this dict) from believing it holds its
# parent's lock.
_held: dict[tuple[int, int, str], int] = {}


@contextmanager
def locked(path: StrPath, timeout: float = DEFAULT_LOCK_TIMEOUT) -> Iterator[Held]:
    """Hold an exclusive advisory lock for the file at ``path``.

    Use it around a whole read-modify-write (existence check, read, change,
    atomic_write), so concurrent commands serialise. Waits up to ``timeout``
    seconds (0: try once), then raises ``StorageError("Keystore <path> is
    locked by another process (waited N s)")``. Only cooperating processes
    (this tool) are excluded; keytool itself takes no lock. Re-entrant
    within a process.
    """
    shown = os.fspath(path)
    real = resolve(shown)
    key = (os.getpid(), get_ident(), real)
    if key in _held:
        _held[key] += 1
        try:
            yield Held(shown, real, os.path.lexists(real))
        finally:
            _held[key] -= 1
        return
    fd, exists = _acquire(shown, real, max(0.0, float(timeout)))
    _held[key] = 1
    try:
        if fd is not None:
            tidy(real)
        yield Held(shown, real, exists)
    finally:
        del _held[key]
        if fd is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_UN)
            finally:
                os.close(fd)


def _acquire(shown: str, real: str, timeout: float) -> tuple[int | None, bool]:
    """(fd holding the lock or None where no lock is possible, file exists)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            fd = os.open(real, _OPEN_FLAGS)
        except FileNotFoundError:
            folder = _open_folder(real)
            if folder is None:
                return None, False  # no folder to lock: the write fails on its own
            if not _flock(folder, shown, deadline, timeout):
                return None, os.path.lexists(real)
            if os.path.lexists(real):  # created meanwhile: work on the winner's file
                _release(folder)
                continue
            return folder, False
        except OSError:
            # Unreadable, a symlink swapped in, EROFS...: no lock; the read or
            # the write reports the problem in its own words.
            return None, True
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            os.close(fd)
            return None, True  # a FIFO or device: the reader refuses it
        if not _flock(fd, shown, deadline, timeout):
            return None, True
        try:
            now = os.stat(real)
        except OSError:
            now = None
        if now is not None and (now.st_dev, now.st_ino) == (st.st_dev, st.st_ino):
            return fd, True
        _release(fd)  # replaced (or removed) while we waited: lock the new one


def _open_folder(real: str) -> int | None:
    try:
        return os.open(os.path.dirname(real) or ".", _OPEN_FLAGS | os.O_DIRECTORY)
    except OSError:
        return None


def _release(fd: int) -> None:
    try:
        fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _flock(fd: int, shown: str, deadline: float, timeout: float) -> bool:
    """Wait for the lock until ``deadline``. False (fd closed) where the file
    system has no flock: carry on unlocked rather than refuse every write
    there (the write itself is still atomic)."""
    pause = 0.01
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            pass
        except OSError as err:
            os.close(fd)
            if err.errno in _NO_FLOCK:
                return False
            raise StorageError(f"Cannot lock keystore {shown}: {reason(err)}") from None
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            os.close(fd)
            raise StorageError(
                f"Keystore {shown} is locked by another process (waited {timeout:g} s)")
        time.sleep(min(pause, remaining))
        # Short pauses: flock is not fair, and a waiter that sleeps long
        # loses the race to newcomers every time the holder lets go.
        pause = min(pause * 2, 0.05)


def tidy(real: str) -> None:
    """Remove what killed runs left for this name (call with the lock held)."""
    directory, base = os.path.split(real)
    pattern = temp_pattern(base)
    sidecar = f".{base}.lock"
    try:
        names = os.listdir(directory or ".")
    except OSError:
        return
    for name in names:
        if not (pattern.fullmatch(name) or name == sidecar):
            continue
        full = os.path.join(directory, name)
        try:
            st = os.lstat(full)
            if not stat.S_ISREG(st.st_mode) or (name == sidecar and st.st_size):
                continue
            os.unlink(full)
        except OSError:
            pass  # not ours to remove (read-only folder, another owner): leave it


def lock_path(path: StrPath) -> str:
    """The file whose lock guards ``path``: the file itself (no sidecar)."""
    return resolve(os.fspath(path))
