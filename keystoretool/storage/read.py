"""Reading files safely: keystores with keytool's messages, input files with
the wording keytool prints for them; FIFOs, devices and sockets are refused
before they are opened, over-size files without being read."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable

from ..errors import KeystoreToolError, StorageError
from .base import MAX_INPUT_SIZE, MAX_KEYSTORE_SIZE, READ_FLAGS, StrPath, kind, read_fd, reason

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
        return StorageError(f"Cannot read keystore file: {shown} ({reason(err)})")

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
        return StorageError(f"{shown} ({reason(err)})")

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
            return problem(f"not a regular file: {kind(mode)}")
        return problem(f"is {kind(mode)}, not a regular file")

    def too_large(size: str) -> StorageError:
        if input_style:
            return problem(f"file too large: {size}the limit is {max_size} bytes")
        return problem(f"is too large ({size}the limit is {max_size} bytes)")

    if not stat.S_ISREG(st.st_mode):
        raise not_regular(st.st_mode)
    if st.st_size > max_size:
        raise too_large(f"{st.st_size} bytes; ")
    try:
        fd = os.open(shown, READ_FLAGS)
    except OSError as err:
        raise os_problem(err) from None
    try:
        # The name may have been swapped for a FIFO between stat and open.
        again = os.fstat(fd)
        if not stat.S_ISREG(again.st_mode):
            raise not_regular(again.st_mode)
        data = read_fd(fd, max_size)
    except OSError as err:
        raise os_problem(err) from None
    finally:
        os.close(fd)
    if len(data) > max_size:  # it grew after the stat
        raise too_large("")
    return data
