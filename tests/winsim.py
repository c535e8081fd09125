"""Run keystoretool's Windows code path on Linux, by substitution.

Used as a prelude in subprocesses (``python tests/winsim.py ARGV...`` runs
the CLI; ``winsim.install()`` from other code):

* ``fcntl``, ``pwd``, ``grp``, ``termios`` are made unimportable
  (``sys.modules[name] = None``), as they are on Windows;
* a fake ``msvcrt`` whose ``locking`` is backed by POSIX record locks
  (``fcntl.lockf`` on the same byte, captured before ``fcntl`` is hidden), so
  locks really exclude other processes and races are real;
* the storage layer is switched to :class:`keystoretool.storage.windows.Windows`;
* ``WINSIM_REPLACE_FAIL=N``: the first N ``os.replace`` calls raise the
  sharing violation Windows raises while another process holds the file
  open (``PermissionError``, winerror 32); ``-1``: every call does.
  ``WINSIM_LOG=F``: one line per ``os.replace`` call is appended to F.

What this cannot show: the real Win32 behaviour of ``MoveFileEx``,
``msvcrt.locking``, ``icacls`` and reparse points (tests put a fake
``icacls`` on PATH); see the README's "Platforms" section.
"""

from __future__ import annotations

import errno
import fcntl as _fcntl
import os
import sys
import types

HIDDEN = ("fcntl", "pwd", "grp", "termios")


def _fake_msvcrt() -> types.ModuleType:
    m = types.ModuleType("msvcrt")
    m.LK_UNLCK, m.LK_LOCK, m.LK_NBLCK, m.LK_RLCK, m.LK_NBRLCK = 0, 1, 2, 3, 4  # type: ignore[attr-defined]

    def locking(fd: int, mode: int, nbytes: int) -> None:
        """msvcrt.locking: ``nbytes`` from the current position."""
        if mode == 0:
            _fcntl.lockf(fd, _fcntl.LOCK_UN, nbytes, 0, os.SEEK_CUR)
            return
        try:
            _fcntl.lockf(fd, _fcntl.LOCK_EX | _fcntl.LOCK_NB, nbytes, 0, os.SEEK_CUR)
        except OSError as err:
            if err.errno in (errno.EACCES, errno.EAGAIN):
                raise OSError(errno.EACCES, "Permission denied") from None
            raise

    m.locking = locking  # type: ignore[attr-defined]
    return m


def _failing_replace() -> None:
    budget = int(os.environ.get("WINSIM_REPLACE_FAIL", "0"))
    log = os.environ.get("WINSIM_LOG")
    real_replace = os.replace
    state = {"calls": 0}

    def replace(src: str, dst: str) -> None:
        state["calls"] += 1
        failing = budget < 0 or state["calls"] <= budget
        if log:
            with open(log, "a") as fh:
                fh.write(f"replace {'busy' if failing else 'ok'} {os.path.basename(dst)}\n")
        if failing:
            err = PermissionError(errno.EACCES, "The process cannot access the file because "
                                  "it is being used by another process")
            err.winerror = 32  # type: ignore[attr-defined]
            raise err
        real_replace(src, dst)

    os.replace = replace  # type: ignore[assignment]


def install() -> None:
    # subprocess decides it runs on Windows by importing msvcrt: import it first
    import subprocess  # noqa: F401

    sys.modules["msvcrt"] = _fake_msvcrt()
    for name in HIDDEN:
        sys.modules[name] = None  # type: ignore[assignment]
    _failing_replace()
    from keystoretool.storage import platform, windows

    platform.use(windows.Windows())


if __name__ == "__main__":
    install()
    from keystoretool.cli.main import main

    sys.exit(main(sys.argv[1:]))
