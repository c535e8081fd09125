"""The Windows implementation of the storage platform.

What differs from POSIX, and why:

* **Locking.** A Windows lock on the keystore file itself would block other
  readers, and ``os.replace`` fails on a file that is held open, so the lock
  is taken on a separate file in the user's local application-data folder:
  ``%LOCALAPPDATA%\\keystoretool\\locks\\<sha256 of the keystore's full,
  case-normalised path>.lock``, one byte locked with ``msvcrt.locking``.
  Nothing is created beside the keystore. The lock files stay in that folder
  (empty, one per keystore path ever written); removing one safely would need
  the lock it stands for. Processes of other users, and other machines
  sharing the keystore over SMB, do not see this lock.
* **Replacing.** ``os.replace`` (``MoveFileEx`` with replace-existing), retried
  for about 2.5 s while another process briefly holds the keystore open
  (sharing violation, winerror 32, or access denied, winerror 5): antivirus
  scanners and the search indexer do that. The old file is never opened by
  the writer while it replaces it.
* **Modes and owners.** There are none to keep. A new keystore, and every
  private key written out, gets an access list that lets only its owner in
  (inherited entries removed, full control for the current user), the
  equivalent of 0600; it is set with ``icacls`` on the temporary file before
  that file is renamed into place. An existing keystore that is replaced
  gets the access list its folder gives new files: explicit entries set on
  the old file are not carried over.
* **Links.** Symbolic links and junctions are followed (the write goes
  through them, as on POSIX); any other reparse point at the target (one
  ``realpath`` cannot follow: an app-execution alias, a cloud placeholder) is
  treated as a link that cannot be followed and the write is refused.
* **Folders are not fsynced** (Windows cannot open a folder for that; NTFS
  journals the rename itself).
"""

from __future__ import annotations

import errno
import os
import stat
import time
from typing import Any

from ..errors import StorageError
from .base import locked_out, reason
from .platform import temp_name

#: ``stat`` file attribute of a symbolic link, junction or other reparse point.
FILE_ATTRIBUTE_REPARSE_POINT = 0x400
#: winerror values of a file another process holds open.
SHARING_VIOLATIONS = (32, 5)
#: How often, and how long in total, a replace is retried on a sharing violation.
REPLACE_TRIES = 10
REPLACE_MAX_PAUSE = 0.5

_BINARY = getattr(os, "O_BINARY", 0)
_BUSY = (errno.EACCES, errno.EDEADLK, errno.EAGAIN)


def _msvcrt() -> Any:
    """The msvcrt module (typed Any: mypy on Linux does not know its members)."""
    import importlib

    return importlib.import_module("msvcrt")


def is_link(st: os.stat_result) -> bool:
    """A symbolic link or any other reparse point (junction, mount point...)."""
    attributes = getattr(st, "st_file_attributes", 0)
    return stat.S_ISLNK(st.st_mode) or bool(attributes & FILE_ATTRIBUTE_REPARSE_POINT)


def lock_folder() -> str:
    """``%LOCALAPPDATA%\\keystoretool\\locks`` (the profile's AppData\\Local
    when the variable is not set)."""
    base = os.environ.get("LOCALAPPDATA") or os.path.join(
        os.path.expanduser("~"), "AppData", "Local")
    return os.path.join(base, "keystoretool", "locks")


def lock_file(real: str) -> str:
    """The lock file standing for the keystore at ``real``: one name per
    file, whatever case or relative form the path was given in."""
    import hashlib

    key = os.path.normcase(os.path.abspath(real))
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()
    return os.path.join(lock_folder(), digest + ".lock")


class Windows:
    name = "windows"
    replace_while_open = False

    # -- locking --------------------------------------------------------------
    def acquire(self, shown: str, real: str, timeout: float) -> tuple[object | None, bool]:
        msvcrt = _msvcrt()
        name = lock_file(real)
        try:
            os.makedirs(os.path.dirname(name), exist_ok=True)
            fd = os.open(name, os.O_RDWR | os.O_CREAT | _BINARY, 0o600)
        except OSError as err:
            raise StorageError(f"Cannot lock keystore {shown}: {reason(err)} "
                               f"({os.path.dirname(name)})") from None
        deadline = time.monotonic() + timeout
        pause = 0.01
        while True:
            try:
                os.lseek(fd, 0, os.SEEK_SET)
                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
                return fd, os.path.lexists(real)
            except OSError as err:
                if err.errno not in _BUSY:
                    os.close(fd)
                    raise StorageError(f"Cannot lock keystore {shown}: {reason(err)}") from None
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                os.close(fd)
                raise locked_out(shown, timeout)
            time.sleep(min(pause, remaining))
            pause = min(pause * 2, 0.05)

    def release(self, token: object) -> None:
        msvcrt = _msvcrt()
        assert isinstance(token, int)
        try:
            os.lseek(token, 0, os.SEEK_SET)
            msvcrt.locking(token, msvcrt.LK_UNLCK, 1)
        finally:
            os.close(token)  # closing releases the lock in any case

    # -- paths, modes, owners ----------------------------------------------------
    def resolve(self, shown: str) -> str:
        """Links and junctions followed; a reparse point left at the end
        (one that cannot be followed) is refused."""
        real = os.path.realpath(shown)
        try:
            st = os.lstat(real)
        except OSError:
            return real  # a file about to be created
        if is_link(st):
            raise StorageError(f"Cannot write {shown}: {real} is a link or reparse point "
                               "that cannot be followed")
        return real

    def check_may_replace(self, shown: str, real: str, st: os.stat_result) -> None:
        """Nothing beyond the open-for-writing probe every platform makes
        (a read-only file fails it): Windows has no sticky-folder rules."""

    def create_exclusive(self, directory: str, base: str, tag: str = "") -> tuple[str, int]:
        flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | _BINARY
        for _ in range(100):
            name = temp_name(directory, base, tag)
            try:
                return name, os.open(name, flags, 0o600)
            except FileExistsError:
                continue
        raise FileExistsError(errno.EEXIST, "Could not create a unique temporary file")

    def keep_owner_and_mode(self, fd: int, name: str, old: os.stat_result | None, *,
                            private: bool = False) -> None:
        if old is None or private:
            owner_only(name)

    def make_private(self, fd: int, name: str) -> None:
        owner_only(name, reset=True)

    # -- replacing -----------------------------------------------------------------
    def replace(self, src: str, dst: str) -> None:
        pause = 0.02
        for attempt in range(REPLACE_TRIES):
            try:
                os.replace(src, dst)
                return
            except PermissionError as err:
                if (getattr(err, "winerror", None) not in SHARING_VIOLATIONS
                        or attempt == REPLACE_TRIES - 1):
                    raise
            time.sleep(pause)
            pause = min(pause * 2, REPLACE_MAX_PAUSE)

    def link_new(self, src: str, dst: str) -> None:
        os.link(src, dst)  # CreateHardLink: fails if anything exists at dst

    def fsync_directory(self, directory: str) -> None:
        """Not possible on Windows (a folder cannot be opened for it)."""


def owner_only(name: str, *, reset: bool = False) -> None:
    """Give ``name`` an access list only the current user is in (inherited
    entries removed, full control for the user): Windows' 0600. ``reset``
    first drops explicit entries an existing file may carry. Done with
    ``icacls`` (in every Windows since Vista); an ``OSError`` if it fails, so
    a private key is never left readable by others."""
    import subprocess

    user = os.environ.get("USERNAME", "")
    domain = os.environ.get("USERDOMAIN", "")
    if not user:
        raise OSError(errno.EACCES, "cannot restrict access to the owner: USERNAME is not set")
    who = f"{domain}\\{user}" if domain else user
    commands = [["icacls", name, "/reset"]] if reset else []
    commands.append(["icacls", name, "/inheritance:r", "/grant:r", f"{who}:F"])
    for command in commands:
        try:
            done = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True,
                                  timeout=60, check=False)
        except (OSError, subprocess.SubprocessError) as err:
            raise OSError(errno.EACCES, "cannot restrict access to the owner "
                                        f"(icacls: {err})") from None
        if done.returncode != 0:
            raise OSError(errno.EACCES, "cannot restrict access to the owner "
                                        f"(icacls exited {done.returncode})")
