"""Files: read bytes safely, write bytes atomically, lock, keep file modes.

This layer knows nothing about keystores. It gives four guarantees the rest
of the tool builds on:

* **Reading never blocks or explodes** (:mod:`.read`). A FIFO, a device, a
  socket or a directory is refused before it is opened for reading; a file
  over a size cap is refused without reading it into memory.
* **Read-modify-write is serialised** (:mod:`.lock`). :func:`locked` holds an
  exclusive lock from before the existence check and the read until after
  the write: on POSIX a ``flock`` on the keystore file itself (on its folder
  while it does not exist yet), re-checking that the path still names the
  locked file; on Windows a lock file in ``%LOCALAPPDATA%``. No lock file is
  left beside the keystore; temporary files of killed runs are removed by
  the next writer, under the lock.
* **Writing is all-or-nothing** (:mod:`.write`). :func:`atomic_write` writes
  a temporary file beside the target, fsyncs it, reads it back, lets the
  caller verify the bytes read back, and only then renames it over the
  target and fsyncs the folder. Where no rename is possible (a bind-mounted
  file, a folder this user cannot write) the file is rewritten in place,
  verified, with the old bytes restored on failure, and one line on stderr
  says so. A file this user may not write is refused, as keytool refuses it.
* **Nothing is written where the kernel would refuse it** (:mod:`.paths`):
  no symlink another user planted in a shared sticky folder is followed, no
  other user's file there is written into; an existing file keeps its mode
  (and owner and group when root), a new one is created 0600, and a private
  key written out ends 0600.

What differs between operating systems goes through one small interface,
:mod:`.platform` (``Platform``), implemented by :mod:`.posix` (Linux, macOS;
with :mod:`.paths`) and :mod:`.windows`; on Windows there are no modes or
owners, private files get an owner-only access list instead.

Messages name the path as the user typed it and never contain file contents
or passwords. Replacing a file breaks hard links to it and drops extended
attributes/ACLs, as every rename-based writer does.
"""

from __future__ import annotations

from .base import DEFAULT_LOCK_TIMEOUT, MAX_INPUT_SIZE, MAX_KEYSTORE_SIZE, NEW_FILE_MODE
from .lock import Held, lock_path, locked
from .read import read_bytes, read_keystore
from .write import atomic_write, keep_copy, write_output

__all__ = [
    "DEFAULT_LOCK_TIMEOUT",
    "MAX_INPUT_SIZE",
    "MAX_KEYSTORE_SIZE",
    "NEW_FILE_MODE",
    "Held",
    "atomic_write",
    "keep_copy",
    "lock_path",
    "locked",
    "read_bytes",
    "read_keystore",
    "write_output",
]
