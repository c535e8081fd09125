"""Serialising read-modify-write without a lock file beside the keystore.

:func:`locked` takes the platform's lock for a keystore path (see
:mod:`.posix`: ``flock`` on the keystore itself, or its folder while it is
created; :mod:`.windows`: a lock file in the user's local application-data
folder named by a hash of the keystore's path). Nothing is left beside the
keystore by locking.

While holding the lock, a writer removes what killed runs left for this
name: our own temporary files (``.NAME.<12 hex>.tmp``, ``.NAME.bak.<12
hex>.tmp``, ``.NAME.old.<12 hex>.tmp``) and the empty ``.NAME.lock`` files
earlier versions of this tool kept beside a keystore. The lock is the proof
that no live writer still needs them: a writer holds it for as long as its
temporary file exists. Process ids are not used (they mean nothing across
containers sharing a volume).
"""

from __future__ import annotations

import os
import stat
from _thread import get_ident
from collections.abc import Iterator
from contextlib import contextmanager

from .base import DEFAULT_LOCK_TIMEOUT, StrPath
from .platform import current, temp_pattern


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
    platform = current()
    shown = os.fspath(path)
    real = platform.resolve(shown)
    key = (os.getpid(), get_ident(), real)
    if key in _held:
        _held[key] += 1
        try:
            yield Held(shown, real, os.path.lexists(real))
        finally:
            _held[key] -= 1
        return
    token, exists = platform.acquire(shown, real, max(0.0, float(timeout)))
    _held[key] = 1
    try:
        if token is not None:
            tidy(real)
        yield Held(shown, real, exists)
    finally:
        del _held[key]
        if token is not None:
            platform.release(token)


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
    """The file a keystore path names (its identity for the lock and for
    ``Keystore.save``'s check that nobody changed it meanwhile)."""
    return current().resolve(os.fspath(path))
