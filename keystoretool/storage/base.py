"""Shared pieces of the storage layer: limits, OS-error wording, raw fd helpers."""

from __future__ import annotations

import errno
import os
import stat

from ..errors import StorageError

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

#: Mode of a keystore file created from scratch (it holds private keys), and
#: of every private-key output whatever its mode was.
NEW_FILE_MODE = 0o600

#: Flags of every open for reading: never block on a FIFO, never become its
#: controlling terminal, binary on Windows (where the POSIX flags do not exist).
READ_FLAGS = (os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
              | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0))
CHUNK = 1024 * 1024


def locked_out(shown: str, timeout: float) -> StorageError:
    return StorageError(f"Keystore {shown} is locked by another process (waited {timeout:g} s)")


def reason(err: OSError) -> str:
    """The OS's one-line reason ("No space left on device"), without the
    file name Python appends (it could be a temporary name)."""
    if err.strerror:
        return err.strerror
    if err.errno:
        return os.strerror(err.errno)
    return str(err) or type(err).__name__


def kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a special file"


def read_fd(fd: int, limit: int) -> bytes:
    """Read at most ``limit + 1`` bytes (one more than allowed, so the caller
    can tell "exactly at the cap" from "over it")."""
    parts: list[bytes] = []
    total = 0
    while total <= limit:
        chunk = os.read(fd, min(CHUNK, limit + 1 - total))
        if not chunk:
            break
        parts.append(chunk)
        total += len(chunk)
    return b"".join(parts)


def write_all(fd: int, data: bytes, offset: int | None = None) -> None:
    """Write every byte (at ``offset`` with pwrite, else at the fd's position)."""
    view = memoryview(data)
    while view:
        if offset is None:
            written = os.write(fd, view)
        elif hasattr(os, "pwrite"):
            written = os.pwrite(fd, view, offset)
            offset += written
        else:  # Windows
            os.lseek(fd, offset, os.SEEK_SET)
            written = os.write(fd, view)
            offset += written
        if written <= 0:  # pragma: no cover - os.write raises instead
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        view = view[written:]


def read_path(name: str, limit: int) -> bytes:
    fd = os.open(name, READ_FLAGS)
    try:
        return read_fd(fd, limit)
    finally:
        os.close(fd)


def unlink_quietly(name: str | None) -> None:
    if name is None:
        return
    try:
        os.unlink(name)
    except OSError:
        pass


def fsync_directory(directory: str) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)  # POSIX only
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
