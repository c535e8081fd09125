"""Where a write really goes, and whether it may go there.

The POSIX side of the platform interface (:mod:`.platform`; used by
:mod:`.posix`, while :mod:`.windows` has its own): resolve a path the way
the kernel would let this user follow it, refuse what the kernel's
``protected_symlinks`` / ``protected_regular`` rules would refuse, keep a
file's owner and mode, create a temporary file.

Why apply the kernel's rules ourselves: a write here is "create a temporary
file, rename it over the target", after resolving symlinks. The rename never
follows a link and never opens the old file with ``O_CREAT``, so the kernel's
checks never run. Without ours, root writing ``-file /tmp/x/cert.pem`` would
follow another user's link planted there, or replace another user's file in
/tmp and hand it back to that user with root's private key in it.
"""

from __future__ import annotations

import errno
import os
import stat

from ..errors import StorageError
from .platform import temp_name

_MAX_LINKS = 40  # the kernel's limit on links followed in one path walk


def _shared_sticky(st: os.stat_result) -> bool:
    """A sticky folder others may write into (/tmp, /var/tmp, /dev/shm)."""
    mode = st.st_mode
    return bool(mode & stat.S_ISVTX) and bool(mode & (stat.S_IWOTH | stat.S_IWGRP))


def resolve(shown: str) -> str:
    """The absolute path ``shown`` names once every symlink is followed, as
    ``os.path.realpath`` gives it, but refusing a link the kernel's
    ``protected_symlinks`` rule would not let this user follow: a link in a
    shared sticky folder, owned neither by this user nor by the folder's owner.
    A missing tail is kept as written (a file about to be created)."""
    pending = os.path.abspath(shown).split(os.sep)[1:]
    resolved = os.sep
    hops = 0
    while pending:
        name = pending.pop(0)
        if name in ("", "."):
            continue
        if name == "..":
            resolved = os.path.dirname(resolved)
            continue
        candidate = os.path.join(resolved, name)
        try:
            st = os.lstat(candidate)
        except OSError:
            return os.path.join(candidate, *pending) if pending else candidate
        if not stat.S_ISLNK(st.st_mode):
            resolved = candidate
            continue
        hops += 1
        if hops > _MAX_LINKS:
            raise StorageError(f"Cannot write {shown}: {os.strerror(errno.ELOOP)}")
        folder = os.stat(resolved)
        if _shared_sticky(folder) and st.st_uid not in (os.geteuid(), folder.st_uid):
            raise StorageError(
                f"Cannot write {shown}: refusing to follow the symbolic link {candidate}, "
                "owned by another user in a shared sticky folder")
        link = os.readlink(candidate)
        if link.startswith(os.sep):
            resolved = os.sep
        pending = link.split(os.sep) + pending
    return resolved


def check_may_replace(shown: str, real: str, st: os.stat_result) -> None:
    """The kernel's ``protected_regular`` rule: in a shared sticky folder,
    never write into an existing file another user owns (unless the folder's
    owner owns it). Applies to root too, as the kernel's rule does."""
    if st.st_uid == os.geteuid():
        return
    folder = os.stat(os.path.dirname(real) or ".")
    if _shared_sticky(folder) and st.st_uid != folder.st_uid:
        raise StorageError(
            f"Cannot write {shown}: Permission denied (the file belongs to another user "
            "and the folder is a shared sticky folder)")


def copy_owner_and_mode(fd: int, old: os.stat_result | None, *, private: bool = False) -> None:
    """A new file: 0600. An existing one: its permission bits (and owner and
    group when root; its group when we belong to it). ``private`` (a private
    key written out): 0600 whatever the old mode was."""
    if old is None:
        os.fchmod(fd, 0o600)
        return
    if os.geteuid() == 0:
        os.fchown(fd, old.st_uid, old.st_gid)
    elif old.st_gid != os.getegid():
        # A member of the file's group may keep it; anyone else cannot.
        try:
            os.fchown(fd, -1, old.st_gid)
        except OSError:
            pass
    # after chown, which clears set-id bits
    os.fchmod(fd, 0o600 if private else stat.S_IMODE(old.st_mode))


def create_exclusive(directory: str, base: str, tag: str = "") -> tuple[str, int]:
    """Create a temporary file beside the target with O_EXCL, mode 0600."""
    flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    for _ in range(100):
        name = temp_name(directory, base, tag)
        try:
            return name, os.open(name, flags, 0o600)
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "Could not create a unique temporary file")
