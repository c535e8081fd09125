"""Files: read bytes safely, write bytes atomically, lock, keep file modes.

This layer knows nothing about keystores. It gives three guarantees the rest
of the tool builds on:

* **Reading never blocks or explodes.** A FIFO, a device, a socket or a
  directory is refused before it is opened for reading (and the file is
  opened with ``O_NONBLOCK`` and checked again, in case it was swapped); a
  file over a size cap is refused without reading it into memory.
* **Writing is all-or-nothing.** :func:`atomic_write` writes a temporary file
  in the target's folder, fsyncs it, reads it back, lets the caller verify
  the bytes read back (the model re-parses the keystore with its password),
  and only then renames it over the target and fsyncs the folder. Any failure
  (disk full, read-only folder, permission denied, failed verification,
  Ctrl-C) removes the temporary file and leaves the target byte-identical; a
  crash (SIGKILL, power loss) leaves either the old or the new file, never a
  mix. An existing file keeps its permission bits (and, when running as
  root, its owner and group); a new file is created with mode 0600.
* **Read-modify-write is serialised.** :func:`locked` holds an exclusive
  ``flock`` on a sidecar lock file from before the read until after the
  rename, so two commands on one keystore run one after the other instead of
  one silently losing the other's change.

Messages name the path as the user typed it and never contain file contents
or passwords.

Known limits (documented, not hidden): a process killed between creating and
renaming the temporary file leaves a hidden ``.NAME.<random>.tmp`` behind
(it holds the complete new or a partial store, mode as the target, and is
never read by this tool); replacing the file breaks hard links to it and
drops extended attributes/ACLs, as every rename-based writer does.
"""

from __future__ import annotations

import errno
import fcntl
import os
import stat
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from .errors import KeystoreToolError, StorageError

StrPath = str | os.PathLike[str]

#: Largest keystore file we read. Real keystores are kilobytes; a trust store
#: of ten thousand certificates is ~15 MB. The cap keeps a hostile or mistaken
#: input (a disk image, /dev/zero behind a symlink...) well inside the memory
#: budget of one command (parsing may hold a few copies of the bytes).
MAX_KEYSTORE_SIZE = 64 * 1024 * 1024

#: Largest certificate / key / PEM bundle input file we read.
MAX_INPUT_SIZE = 16 * 1024 * 1024

#: Seconds :func:`locked` waits for another process's lock by default.
DEFAULT_LOCK_TIMEOUT = 10.0

#: Mode of a keystore file created from scratch (it holds private keys).
NEW_FILE_MODE = 0o600

_READ_FLAGS = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC
_CHUNK = 1024 * 1024


def _reason(err: OSError) -> str:
    """The OS's one-line reason ("No space left on device"), without the
    file name Python appends (it could be a temporary name)."""
    if err.strerror:
        return err.strerror
    if err.errno:
        return os.strerror(err.errno)
    return str(err) or type(err).__name__


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a special file"


def _read_fd(fd: int, limit: int) -> bytes:
    """Read at most ``limit + 1`` bytes (one more than allowed, so the caller
    can tell "exactly at the cap" from "over it")."""
    parts: list[bytes] = []
    total = 0
    while total <= limit:
        chunk = os.read(fd, min(_CHUNK, limit + 1 - total))
        if not chunk:
            break
        parts.append(chunk)
        total += len(chunk)
    return b"".join(parts)


# ---------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------


def read_keystore(path: StrPath, max_size: int = MAX_KEYSTORE_SIZE) -> bytes:
    """The bytes of a keystore file, with keytool's messages for the usual
    mistakes::

        Keystore file does not exist: <path>        (missing, or a directory)
        Keystore file exists, but is empty: <path>

    plus clear errors for what keytool would hang on or choke on: a FIFO,
    socket or device, a file over ``max_size`` bytes, an unreadable file::

        Keystore file is a named pipe, not a regular file: <path>
        Keystore file is too large (N bytes; the limit is M): <path>
        Cannot read keystore file: <path> (Permission denied)
    """
    shown = os.fspath(path)

    def problem(what: str) -> StorageError:
        return StorageError(f"Keystore file {what}: {shown}")

    def os_problem(err: OSError) -> StorageError:
        return StorageError(f"Cannot read keystore file: {shown} ({_reason(err)})")

    try:
        st = os.stat(shown)
    except (FileNotFoundError, NotADirectoryError):
        raise KeystoreToolError(f"Keystore file does not exist: {shown}") from None
    except OSError as err:
        raise os_problem(err) from None
    if stat.S_ISDIR(st.st_mode):
        raise KeystoreToolError(f"Keystore file does not exist: {shown}")
    data = _read_regular(shown, st, max_size, problem, os_problem)
    if not data:
        raise KeystoreToolError(f"Keystore file exists, but is empty: {shown}")
    return data


def read_bytes(path: StrPath, max_size: int = MAX_INPUT_SIZE) -> bytes:
    """The bytes of an input file (certificate, key, PEM bundle, password
    file), refused cleanly when it is missing, not a regular file, unreadable
    or larger than ``max_size``, in the ``FileNotFoundException`` wording
    keytool prints for input files::

        <path> (No such file or directory)
        <path> (Is a directory)
        <path> (Permission denied)
        <path> (Not a regular file: a named pipe)
        <path> (File too large: N bytes; the limit is M)

    An empty file gives ``b""``; the caller decides what that means.
    """
    shown = os.fspath(path)

    def problem(what: str) -> StorageError:
        return StorageError(f"{shown} ({what[0].upper()}{what[1:]})")

    def os_problem(err: OSError) -> StorageError:
        return StorageError(f"{shown} ({_reason(err)})")

    try:
        st = os.stat(shown)
    except OSError as err:
        raise os_problem(err) from None
    if stat.S_ISDIR(st.st_mode):
        raise StorageError(f"{shown} (Is a directory)")
    return _read_regular(shown, st, max_size, problem, os_problem, input_style=True)


def _read_regular(
    shown: str,
    st: os.stat_result,
    max_size: int,
    problem: Callable[[str], StorageError],
    os_problem: Callable[[OSError], StorageError],
    *,
    input_style: bool = False,
) -> bytes:
    def not_regular(mode: int) -> StorageError:
        if input_style:
            return problem(f"not a regular file: {_kind(mode)}")
        return problem(f"is {_kind(mode)}, not a regular file")

    def too_large(size: str) -> StorageError:
        if input_style:
            return problem(f"file too large: {size}the limit is {max_size} bytes")
        return problem(f"is too large ({size}the limit is {max_size} bytes)")

    if not stat.S_ISREG(st.st_mode):
        raise not_regular(st.st_mode)
    if st.st_size > max_size:
        raise too_large(f"{st.st_size} bytes; ")
    try:
        fd = os.open(shown, _READ_FLAGS)
    except OSError as err:
        raise os_problem(err) from None
    try:
        # The name may have been swapped for a FIFO between stat and open.
        again = os.fstat(fd)
        if not stat.S_ISREG(again.st_mode):
            raise not_regular(again.st_mode)
        data = _read_fd(fd, max_size)
    except OSError as err:
        raise os_problem(err) from None
    finally:
        os.close(fd)
    if len(data) > max_size:  # it grew after the stat
        raise too_large("")
    return data


# ---------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------


def _resolve_target(shown: str) -> str:
    """Where the bytes really go: a symlink is written through (the link
    stays, its target is replaced), as keytool writes through it."""
    if os.path.islink(shown):
        return os.path.realpath(shown)
    return shown


def _create_exclusive(directory: str, base: str, suffix: str) -> tuple[str, int]:
    """Create ``directory/.base.<random>suffix`` with O_EXCL, mode 0600."""
    flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    for _ in range(100):
        name = os.path.join(directory, f".{base}.{os.urandom(6).hex()}{suffix}")
        try:
            return name, os.open(name, flags, 0o600)
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "Could not create a unique temporary file")


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        if written <= 0:  # pragma: no cover - os.write raises instead
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        view = view[written:]


def _read_back(name: str, expected_size: int) -> bytes:
    fd = os.open(name, _READ_FLAGS)
    try:
        return _read_fd(fd, expected_size)
    finally:
        os.close(fd)


def _fsync_directory(directory: str) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError:
        return  # e.g. a folder we may enter but not list: the rename is done
    try:
        os.fsync(fd)
    except OSError as err:
        # Some file systems cannot fsync a directory; that is not a failure
        # of this write. Anything else (EIO) is reported.
        if err.errno not in (errno.EINVAL, errno.ENOTSUP, errno.EBADF, errno.EROFS):
            raise
    finally:
        os.close(fd)


def _unlink_quietly(name: str | None) -> None:
    if name is None:
        return
    try:
        os.unlink(name)
    except OSError:
        pass


def _keep_backup(real: str, old: os.stat_result) -> None:
    """Make ``real + ".bak"`` the current version of ``real``, atomically:
    a hard link (or, where links are impossible, a fsynced copy) under a
    temporary name, renamed onto ``NAME.bak``."""
    directory, base = os.path.split(real)
    directory = directory or "."
    bak = real + ".bak"
    for _ in range(100):
        tmp = os.path.join(directory, f".{base}.bak.{os.urandom(6).hex()}.tmp")
        try:
            os.link(real, tmp, follow_symlinks=False)
            break
        except FileExistsError:
            continue
        except OSError as err:
            if err.errno not in (errno.EPERM, errno.ENOTSUP, errno.EMLINK, errno.EXDEV):
                raise
            tmp = _copy_for_backup(real, directory, base, old)
            break
    else:  # pragma: no cover - 100 random collisions
        raise FileExistsError(errno.EEXIST, "Could not create a unique temporary file")
    try:
        os.replace(tmp, bak)
    except BaseException:
        _unlink_quietly(tmp)
        raise


def _copy_for_backup(real: str, directory: str, base: str, old: os.stat_result) -> str:
    content = _read_back(real, 1 << 62)  # the whole file, whatever its size now
    tmp, fd = _create_exclusive(directory, base + ".bak", ".tmp")
    try:
        try:
            _write_all(fd, content)
            os.fchmod(fd, stat.S_IMODE(old.st_mode))
            os.fsync(fd)
        finally:
            os.close(fd)
    except BaseException:
        _unlink_quietly(tmp)
        raise
    return tmp


def _copy_owner_and_mode(fd: int, old: os.stat_result | None) -> None:
    if old is None:
        os.fchmod(fd, NEW_FILE_MODE)
        return
    if os.geteuid() == 0:
        os.fchown(fd, old.st_uid, old.st_gid)
    elif old.st_gid != os.getegid():
        # A member of the file's group may keep it; anyone else cannot.
        try:
            os.fchown(fd, -1, old.st_gid)
        except OSError:
            pass
    os.fchmod(fd, stat.S_IMODE(old.st_mode))  # after chown, which clears set-id bits


def atomic_write(
    path: StrPath,
    data: bytes,
    *,
    verify: Callable[[bytes], None] | None = None,
    backup: bool = False,
) -> None:
    """Replace the file at ``path`` with ``data``, all or nothing.

    1. create ``.NAME.<random>.tmp`` beside the target (O_EXCL, mode 0600 for
       a new file, else the old file's mode, and owner/group when root);
    2. write everything, fsync, close;
    3. read the temporary file back; it must equal ``data`` and pass
       ``verify(bytes_read_back)`` (which raises to refuse it);
    4. with ``backup=True`` and an existing target, make the current version
       ``NAME.bak`` (hard link, renamed into place);
    5. ``os.replace`` onto the target and fsync the folder.

    An OS error becomes ``StorageError("Cannot write <path>: <reason>")``; an
    exception from ``verify`` propagates unchanged. Either way the temporary
    file is removed and the target is untouched.
    """
    shown = os.fspath(path)
    real = _resolve_target(shown)
    directory, base = os.path.split(real)
    directory = directory or "."
    if not base:
        raise StorageError(f"Cannot write {shown}: Is a directory")

    tmp: str | None = None
    try:
        try:
            old: os.stat_result | None = os.stat(real)
        except FileNotFoundError:
            old = None
        if old is not None and not stat.S_ISREG(old.st_mode):
            if stat.S_ISDIR(old.st_mode):
                raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR))
            raise StorageError(f"Cannot write {shown}: it is {_kind(old.st_mode)}")

        tmp, fd = _create_exclusive(directory, base, ".tmp")
        try:
            _copy_owner_and_mode(fd, old)
            _write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)

        reread = _read_back(tmp, len(data))
        if reread != data:
            raise StorageError(
                f"Cannot write {shown}: the data read back differs from the data written"
            )
        if verify is not None:
            verify(reread)

        if backup and old is not None:
            try:
                _keep_backup(real, old)
            except OSError as err:
                raise StorageError(f"Cannot write {shown}.bak: {_reason(err)}") from None

        os.replace(tmp, real)
        tmp = None
        _fsync_directory(directory)
    except KeystoreToolError:
        _unlink_quietly(tmp)
        raise
    except OSError as err:
        _unlink_quietly(tmp)
        raise StorageError(f"Cannot write {shown}: {_reason(err)}") from None
    except BaseException:
        _unlink_quietly(tmp)
        raise


# ---------------------------------------------------------------------------
# Locking
# ---------------------------------------------------------------------------

# Locks this process holds, by (pid, lock file identity): flock is per open
# file, so a second open of the same lock file in one process would wait for
# itself. Nested `locked()` on one keystore (e.g. -importkeystore from a file
# to itself) just counts. The pid keeps a forked child (which inherits this
# dict) from believing it holds its parent's lock.
_held: dict[tuple[int, int, int], int] = {}


def lock_path(path: StrPath) -> str:
    """The sidecar lock file for a keystore: ``.NAME.lock`` in its folder.

    The lock file is created on first use and deliberately left in place:
    deleting it after unlocking would let a waiter lock the deleted file
    while a newcomer creates and locks a fresh one, and both would "hold"
    the lock. It is empty and hidden; it is safe to delete while no command
    runs.
    """
    real = os.path.realpath(os.fspath(path))
    directory, base = os.path.split(real)
    return os.path.join(directory or ".", f".{base}.lock")


def _open_lock_file(path: StrPath) -> int | None:
    """An fd to flock for ``path``: the sidecar lock file or, where it cannot
    be created (read-only folder or file system), the folder itself. None
    when neither can be opened: then no one can create files there and a
    write will fail with its own error anyway."""
    name = lock_path(path)
    flags = os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC
    fd: int | None = None
    try:
        # flock needs no write access: other users of a shared keystore can
        # lock a lock file they may only read.
        try:
            fd = os.open(name, os.O_RDWR | flags, 0o644)
        except PermissionError:
            fd = os.open(name, os.O_RDONLY | flags, 0o644)
    except OSError as err:
        if err.errno == errno.ELOOP:
            raise StorageError(f"Lock file {name} is a symbolic link; refusing it") from None
        if err.errno in (errno.ENOENT, errno.ENOTDIR):
            return None  # no such folder: nothing to protect yet
        try:
            return os.open(
                os.path.dirname(name) or ".", os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC
            )
        except OSError:
            return None
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        raise StorageError(f"Lock file {name} is {_kind(st.st_mode)}, not a regular file")
    return fd


@contextmanager
def locked(path: StrPath, timeout: float = DEFAULT_LOCK_TIMEOUT) -> Iterator[None]:
    """Hold an exclusive advisory lock for the keystore at ``path``.

    Use it around a whole read-modify-write (read, change, atomic_write), so
    concurrent commands serialise. Waits up to ``timeout`` seconds (0: try
    once), then raises ``StorageError("Keystore <path> is locked by another
    process (waited N s)")``. Only cooperating processes (this tool) are
    excluded; keytool itself takes no lock. Re-entrant within a process.
    """
    shown = os.fspath(path)
    fd = _open_lock_file(shown)
    if fd is None:
        yield
        return
    st = os.fstat(fd)
    key = (os.getpid(), st.st_dev, st.st_ino)
    if key in _held:
        os.close(fd)
        _held[key] += 1
        try:
            yield
        finally:
            _held[key] -= 1
        return
    try:
        _acquire(fd, shown, max(0.0, float(timeout)))
        _held[key] = 1
        try:
            yield
        finally:
            del _held[key]
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _acquire(fd: int, shown: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    pause = 0.01
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            pass
        except InterruptedError:  # pragma: no cover - PEP 475 retries for us
            continue
        except OSError as err:
            # A file system without flock support: carry on unlocked rather
            # than refuse every write there (the write itself is still atomic).
            if err.errno in (errno.ENOLCK, errno.EOPNOTSUPP, errno.EINVAL, errno.EBADF):
                return
            raise StorageError(f"Cannot lock keystore {shown}: {_reason(err)}") from None
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise StorageError(
                f"Keystore {shown} is locked by another process (waited {timeout:g} s)"
            )
        time.sleep(min(pause, remaining))
        # Short pauses: flock is not fair, and a waiter that sleeps long
        # loses the race to newcomers every time the holder lets go.
        pause = min(pause * 2, 0.05)


__all__ = [
    "DEFAULT_LOCK_TIMEOUT",
    "MAX_INPUT_SIZE",
    "MAX_KEYSTORE_SIZE",
    "NEW_FILE_MODE",
    "atomic_write",
    "lock_path",
    "locked",
    "read_bytes",
    "read_keystore",
]
