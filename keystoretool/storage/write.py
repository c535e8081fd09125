"""Writing files all or nothing, and as safely as possible where that is
impossible.

The normal path (:func:`atomic_write`): new bytes go to a temporary file
beside the target, are fsynced, read back and verified, then renamed over
the target (a new file is hard-linked into place, which never replaces a
file created meanwhile), and the folder is fsynced.

Where the rename cannot be done, the file is rewritten in place (see
:func:`_rewrite_in_place`): a keystore bind-mounted into a container
(``rename`` gives EBUSY), or a writable keystore in a folder this user
cannot write. keytool works there, so we do too, and say so on stderr.
"""

from __future__ import annotations

import errno
import os
import stat
import sys
from collections.abc import Callable

from ..errors import KeystoreToolError, StorageError
from .base import (
    StrPath,
    kind,
    read_path,
    reason,
    unlink_quietly,
    write_all,
)
from .lock import locked
from .platform import current

Notice = Callable[[str], object]

#: rename() errors that mean "this file cannot be replaced, only rewritten":
#: a bind-mounted file (EBUSY; EXDEV on some kernels).
_RENAME_IMPOSSIBLE = (errno.EBUSY, errno.EXDEV)
#: Temporary-file errors that mean "this folder is not writable for us".
_FOLDER_NOT_WRITABLE = (errno.EACCES, errno.EPERM)
_WRITE_FLAGS = (os.O_WRONLY | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
                | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))


def atomic_write(
    path: StrPath,
    data: bytes,
    *,
    verify: Callable[[bytes], None] | None = None,
    backup: bool = False,
    private: bool = False,
    notice: Notice | None = None,
) -> None:
    """Replace the file at ``path`` with ``data``, all or nothing, holding
    the file's lock (re-entrant: callers doing a read-modify-write take it
    first with :func:`locked`).

    1. an existing target must open for writing, as keytool opens it: a file
       this user made read-only is refused ("Permission denied") and never
       silently replaced; nor is another user's file in a shared sticky
       folder (the kernel's ``protected_regular`` rule);
    2. create ``.NAME.<random>.tmp`` beside the target (O_EXCL, mode 0600
       for a new file or with ``private``, else the old file's mode, and
       owner/group when root); write everything, fsync;
    3. read it back; it must equal ``data`` and pass ``verify(bytes)``
       (which raises to refuse it);
    4. with ``backup=True`` and an existing target, copy the current
       version to ``NAME.bak`` (atomically, through a temporary file);
    5. rename onto the target (hard-link a new one) and fsync the folder.

    Where step 2 or 5 is impossible (folder not writable, bind-mounted
    file), the target is rewritten in place instead and ``notice`` (default:
    stderr) gets one line saying so. An OS error becomes
    ``StorageError("Cannot write <path>: <reason>")``; an exception from
    ``verify`` propagates unchanged. Either way the target is untouched and
    no temporary file is left.
    """
    shown = os.fspath(path)
    with locked(shown) as held:
        _write(shown, held.real, data, verify, backup, private, notice)


def _write(shown: str, real: str, data: bytes, verify: Callable[[bytes], None] | None,
           backup: bool, private: bool, notice: Notice | None) -> None:
    platform = current()
    directory, base = os.path.split(real)
    if not base or shown.endswith(os.sep):
        raise StorageError(f"Cannot write {shown}: Is a directory")
    tmp: str | None = None
    wfd: int | None = None
    try:
        try:
            old: os.stat_result | None = os.stat(real)
        except FileNotFoundError:
            old = None
        if old is not None and not stat.S_ISREG(old.st_mode):
            if stat.S_ISDIR(old.st_mode):
                raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR))
            raise StorageError(f"Cannot write {shown}: it is {kind(old.st_mode)}")
        writable = False
        if old is not None:
            platform.check_may_replace(shown, real, old)
            wfd = os.open(real, _WRITE_FLAGS)  # the real test: may we write it?
            writable = True
            if not platform.replace_while_open:  # Windows: a file held open cannot be replaced
                os.close(wfd)
                wfd = None
        try:
            tmp, fd = platform.create_exclusive(directory, base)
        except OSError as err:
            if not writable or err.errno not in _FOLDER_NOT_WRITABLE:
                raise
            if wfd is None:
                wfd = os.open(real, _WRITE_FLAGS)
            if verify is not None:
                verify(data)  # the new bytes are checked before the old are touched
            _rewrite_in_place(shown, real, wfd, data, verify, private)
            _notice(notice, shown, f"its folder is not writable ({reason(err)})")
            return
        try:
            platform.keep_owner_and_mode(fd, tmp, old, private=private)
            write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        _check_read_back(shown, tmp, data, verify)
        if backup and old is not None:
            try:
                _keep_backup(real)
            except OSError as err:
                raise StorageError(f"Cannot write {shown}.bak: {reason(err)}") from None
        if old is None:
            _link_new(shown, tmp, real)
            unlink_quietly(tmp)
            tmp = None
        else:
            try:
                platform.replace(tmp, real)
                tmp = None
            except OSError as err:
                if err.errno not in _RENAME_IMPOSSIBLE or not writable:
                    raise
                if wfd is None:
                    wfd = os.open(real, _WRITE_FLAGS)
                _rewrite_in_place(shown, real, wfd, data, verify, private)
                _notice(notice, shown, "it cannot be replaced by a rename, as a bind-mounted "
                                       f"file cannot ({reason(err)})")
                return
        platform.fsync_directory(directory or ".")
    except KeystoreToolError:
        raise
    except OSError as err:
        raise StorageError(f"Cannot write {shown}: {reason(err)}") from None
    finally:
        unlink_quietly(tmp)
        if wfd is not None:
            os.close(wfd)


def _check_read_back(shown: str, name: str, data: bytes,
                     verify: Callable[[bytes], None] | None) -> None:
    """What is on disk must be ``data`` and pass ``verify`` (which raises)."""
    reread = read_path(name, len(data))
    if reread != data:
        raise StorageError(
            f"Cannot write {shown}: the data read back differs from the data written")
    if verify is not None:
        verify(reread)


def _link_new(shown: str, tmp: str, real: str) -> None:
    """Put a new file in place without ever replacing one that appeared
    meanwhile (created by a program that does not take our lock)."""
    try:
        current().link_new(tmp, real)
    except FileExistsError:
        raise StorageError(
            f"{shown} was created by another process meanwhile; run the command again"
        ) from None
    except OSError as err:
        if err.errno not in (errno.EPERM, errno.ENOTSUP, errno.EMLINK, errno.EXDEV):
            raise
        # No hard links here (some FUSE and network file systems): we hold the
        # folder's lock, so only a non-cooperating program could race us.
        if os.path.lexists(real):
            raise StorageError(
                f"{shown} was created by another process meanwhile; run the command again"
            ) from None
        os.rename(tmp, real)


def _rewrite_in_place(shown: str, real: str, wfd: int, data: bytes,
                      verify: Callable[[bytes], None] | None, private: bool) -> None:
    """The fallback where a rename is impossible: the verified new bytes are
    ready, the old bytes are kept (in memory) until the rewritten file has
    been fsynced, read back and verified; on any failure they are written
    back. A crash in the middle can leave a partial file, as keytool's own
    in-place write can: that is why this is only the fallback."""
    old_bytes = read_path(real, 1 << 62)
    try:
        if private:
            current().make_private(wfd, real)
        write_all(wfd, data, offset=0)
        os.ftruncate(wfd, len(data))
        os.fsync(wfd)
        _check_read_back(shown, real, data, verify)
    except BaseException:
        try:
            write_all(wfd, old_bytes, offset=0)
            os.ftruncate(wfd, len(old_bytes))
            os.fsync(wfd)
        except OSError as err:
            raise StorageError(
                f"Cannot write {shown}: the rewrite failed and the old content could not "
                f"be restored ({reason(err)})") from None
        raise


def _notice(notice: Notice | None, shown: str, why: str) -> None:
    line = f"Warning: {shown} was rewritten in place, not atomically: {why}"
    if notice is not None:
        notice(line)
    else:
        sys.stderr.write(line + "\n")
        sys.stderr.flush()


def _keep_backup(real: str) -> None:
    """Make ``real + ".bak"`` a copy of the current ``real``, atomically (a
    fsynced temporary copy renamed onto ``NAME.bak``). A copy, not a hard
    link, so that it stays the old version even if the keystore has to be
    rewritten in place."""
    bak = real + ".bak"
    try:
        st = os.lstat(bak)
    except FileNotFoundError:
        pass
    else:
        if stat.S_ISDIR(st.st_mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR))
        current().check_may_replace(bak, bak, st)
    tmp = _copy_to_temp(real, "bak")
    try:
        current().replace(tmp, bak)
    except BaseException:
        unlink_quietly(tmp)
        raise


def _copy_to_temp(real: str, tag: str, directory: str | None = None) -> str:
    """A fsynced copy of ``real`` (mode, and owner when root) under a
    temporary name in ``directory`` (default: beside it)."""
    st = os.stat(real)
    content = read_path(real, 1 << 62)
    folder, base = os.path.split(real)
    platform = current()
    tmp, fd = platform.create_exclusive(directory if directory is not None else folder or ".",
                                        base, tag)
    try:
        try:
            platform.keep_owner_and_mode(fd, tmp, st)
            write_all(fd, content)
            os.fsync(fd)
        finally:
            os.close(fd)
    except BaseException:
        unlink_quietly(tmp)
        raise
    return tmp


def keep_copy(path: StrPath, dest: StrPath) -> None:
    """Copy the file at ``path`` to ``dest``, which must not exist
    (``FileExistsError`` otherwise: the caller picks another name), all or
    nothing and without following anything planted at ``dest``: the copy is
    written under a temporary name and hard-linked into place. keytool's
    migration keeps ``NAME.old`` this way."""
    platform = current()
    real = platform.resolve(os.fspath(path))
    dest_shown = os.path.abspath(os.fspath(dest))
    folder = platform.resolve(os.path.dirname(dest_shown))  # the name itself is never followed
    tmp = _copy_to_temp(real, "old", folder)
    try:
        platform.link_new(tmp, os.path.join(folder, os.path.basename(dest_shown)))
    finally:
        unlink_quietly(tmp)


def write_output(path: StrPath, data: bytes, *, private: bool = False) -> None:
    """Write an output file (certificate, request, PEM key or chain): a
    regular file atomically with every rule of :func:`atomic_write`; a
    device or pipe (``-file /dev/stdout``) directly. ``private``: a private
    key; the file ends with mode 0600 even if it existed."""
    shown = os.fspath(path)
    try:
        mode = os.stat(shown).st_mode
    except OSError:
        mode = 0
    if mode and not stat.S_ISREG(mode) and not stat.S_ISDIR(mode):
        try:
            with open(shown, "wb") as fh:
                fh.write(data)
        except OSError as exc:
            raise StorageError(f"{shown} ({reason(exc)})") from None
        return
    atomic_write(shown, data, private=private)
