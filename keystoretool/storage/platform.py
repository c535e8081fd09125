"""The one small platform interface of the storage layer.

Everything the reader, the lock and the writer need from the operating
system that differs between POSIX (Linux, macOS) and Windows goes through a
:class:`Platform`: lock a keystore, resolve a path and refuse links we must
not follow, refuse writing into a file we must not replace, create a
temporary file, keep an old file's mode and owner (or make a file private),
replace a file atomically, and fsync a folder. :mod:`.posix` is the
implementation Linux and macOS use; :mod:`.windows` the one Windows uses.

:func:`current` picks one from ``sys.platform`` on first use (the modules
are imported lazily, so no POSIX-only module such as ``fcntl`` is ever
imported on Windows). :func:`use` replaces it: the tests run the Windows
implementation on Linux this way.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # pragma: no cover
    import re


class Platform(Protocol):
    """What the storage layer asks of the operating system."""

    #: "posix" or "windows".
    name: str
    #: Whether the writer may keep the old file open (for writing) while it
    #: renames the new one over it. Windows refuses to replace an open file.
    replace_while_open: bool

    def acquire(self, shown: str, real: str, timeout: float) -> tuple[object | None, bool]:
        """Take the exclusive lock guarding ``real`` within ``timeout`` s:
        (token for :meth:`release`, or None where no lock is possible; whether
        the file exists). Raises ``StorageError`` on timeout."""

    def release(self, token: object) -> None:
        """Let go of a lock taken by :meth:`acquire`."""

    def resolve(self, shown: str) -> str:
        """The absolute path a write to ``shown`` really goes to (links followed,
        links this user must not follow refused with ``StorageError``)."""

    def check_may_replace(self, shown: str, real: str, st: os.stat_result) -> None:
        """Refuse (``StorageError``) replacing the existing file ``real``."""

    def create_exclusive(self, directory: str, base: str, tag: str = "") -> tuple[str, int]:
        """A new temporary file beside the target, created exclusively,
        readable by this user only: (name, descriptor open for reading and
        writing)."""

    def keep_owner_and_mode(self, fd: int, name: str, old: os.stat_result | None, *,
                            private: bool = False) -> None:
        """Give the new file ``name`` (open as ``fd``) what the old file had
        (its mode, its owner where possible); a new file or a ``private`` one:
        readable by this user only."""

    def make_private(self, fd: int, name: str) -> None:
        """Make an existing file readable by this user only (0600)."""

    def replace(self, src: str, dst: str) -> None:
        """Rename ``src`` over ``dst`` atomically."""

    def link_new(self, src: str, dst: str) -> None:
        """Hard-link ``src`` to the name ``dst``, which must not exist
        (``FileExistsError``); never follows anything at ``dst``."""

    def fsync_directory(self, directory: str) -> None:
        """Make a rename in ``directory`` durable, where the system allows it."""


_current: Platform | None = None


def current() -> Platform:
    """The platform this process runs on (or the one :func:`use` set)."""
    global _current
    if _current is None:
        if sys.platform == "win32":
            from .windows import Windows

            _current = Windows()
        else:
            from .posix import Posix

            _current = Posix()
    return _current


def use(platform: Platform | None) -> None:
    """Run the storage layer on ``platform`` from now on (None: detect again)."""
    global _current
    _current = platform


# Temporary names, the same on every platform: ".NAME.<12 hex>.tmp" for the
# new version, and ".NAME.<tag>.<12 hex>.tmp" for copies made beside it.
TEMP_TAGS = ("bak", "old")


def temp_name(directory: str, base: str, tag: str = "") -> str:
    middle = f"{tag}." if tag else ""
    return os.path.join(directory, f".{base}.{middle}{os.urandom(6).hex()}.tmp")


def temp_pattern(base: str) -> re.Pattern[str]:
    """Our temporary files for ``base`` and nothing else (not a user's
    ``.NAME.tmp``, not another tool's)."""
    import re

    tags = "|".join(TEMP_TAGS)
    return re.compile(rf"\.{re.escape(base)}\.(?:(?:{tags})\.)?[0-9a-f]{{12}}\.tmp")
