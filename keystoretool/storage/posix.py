"""The POSIX implementation of the storage platform (Linux, macOS).

Locking: an existing keystore is locked by ``flock`` on the keystore file
itself. A writer replaces the file by renaming a new one over it, so a
waiter may wake up holding the lock of a file that is no longer at the path:
after acquiring, the path is checked to still name the locked inode
(``fstat`` vs ``stat``), else the lock is dropped and taken again on the new
file. A keystore that does not exist yet is locked through its folder
(``flock`` on the directory): creators of a file there take turns, the
existence decision is made under that lock, and a creator that finds the
file created meanwhile locks the file instead and works on the winner's
version. Nothing is left on disk by locking.

Paths, modes and owners: :mod:`.paths` (the kernel's sticky-folder rules,
applied by us because a rename-based writer bypasses them).
"""

from __future__ import annotations

import errno
import fcntl
import os
import stat
import time

from ..errors import StorageError
from . import paths
from .base import fsync_directory, locked_out, reason

_OPEN_FLAGS = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC | os.O_NOFOLLOW
_NO_FLOCK = (errno.ENOLCK, errno.EOPNOTSUPP, errno.EINVAL, errno.EBADF)


class Posix:
    name = "posix"
    replace_while_open = True

    # -- locking --------------------------------------------------------------
    def acquire(self, shown: str, real: str, timeout: float) -> tuple[object | None, bool]:
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
                    self.release(folder)
                    continue
                return folder, False
            except OSError:
                # Unreadable, a symlink swapped in, EROFS...: no lock; the read
                # or the write reports the problem in its own words.
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
            self.release(fd)  # replaced (or removed) while we waited: lock the new one

    def release(self, token: object) -> None:
        assert isinstance(token, int)
        try:
            fcntl.flock(token, fcntl.LOCK_UN)
        finally:
            os.close(token)

    # -- paths, modes, owners ----------------------------------------------------
    def resolve(self, shown: str) -> str:
        return paths.resolve(shown)

    def check_may_replace(self, shown: str, real: str, st: os.stat_result) -> None:
        paths.check_may_replace(shown, real, st)

    def create_exclusive(self, directory: str, base: str, tag: str = "") -> tuple[str, int]:
        return paths.create_exclusive(directory, base, tag)

    def keep_owner_and_mode(self, fd: int, name: str, old: os.stat_result | None, *,
                            private: bool = False) -> None:
        paths.copy_owner_and_mode(fd, old, private=private)

    def make_private(self, fd: int, name: str) -> None:
        os.fchmod(fd, 0o600)

    # -- replacing -----------------------------------------------------------------
    def replace(self, src: str, dst: str) -> None:
        os.replace(src, dst)

    def link_new(self, src: str, dst: str) -> None:
        os.link(src, dst, follow_symlinks=False)

    def fsync_directory(self, directory: str) -> None:
        fsync_directory(directory)


def _open_folder(real: str) -> int | None:
    try:
        return os.open(os.path.dirname(real) or ".", _OPEN_FLAGS | os.O_DIRECTORY)
    except OSError:
        return None


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
            raise locked_out(shown, timeout)
        time.sleep(min(pause, remaining))
        # Short pauses: flock is not fair, and a waiter that sleeps long
        # loses the race to newcomers every time the holder lets go.
        pause = min(pause * 2, 0.05)

