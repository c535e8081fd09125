"""Passwords as keytool takes them, and keytool's prompts.

Sources: a literal, ``:env VAR`` or ``:file F`` (encoded by
:mod:`keytool_argv` as a NUL-prefixed value), or a prompt. Prompts go to
stderr. On a terminal a password is read hidden. When stdin is not a
terminal, every prompt reads exactly one line, byte by byte, so later
prompts still find their lines (keytool's line prompts swallow the rest of
stdin; we deliberately do not). An empty line or EOF is "no password".
"""

from __future__ import annotations

import errno
import os
import sys
import unicodedata
from typing import TypeGuard

from ..errors import KeystoreToolError, UsageError
from .keytool_argv import PASSWORD_PREFIX

#: keytool's one length rule for a password it stores (a store, a key, a
#: PEM pass phrase): the functions below are its only users, and callers pass
#: the subject keytool names in each situation ("Keystore password", "Key
#: password", "New password", "Pass phrase", "Password").
MIN_LENGTH = 6


def long_enough(password: str | None) -> TypeGuard[str]:
    return password is not None and len(password) >= MIN_LENGTH


def too_short_line(subject: str) -> str:
    """What a prompt says before asking again: ``Key password is too short - ...``."""
    return f"{subject} is too short - must be at least {MIN_LENGTH} characters"


def require_length(password: str, subject: str) -> None:
    """A password given on the command line: refused (exit 1) when too short."""
    if not long_enough(password):
        raise KeystoreToolError(f"{subject} must be at least {MIN_LENGTH} characters")


def resolve(spec: str | None) -> str | None:
    """The password a command-line value stands for (None if not given)."""
    if spec is None:
        return None
    if not spec.startswith(PASSWORD_PREFIX):
        return spec
    kind, _, value = spec[len(PASSWORD_PREFIX):].partition(":")
    if kind == "env":
        if value not in os.environ:
            raise UsageError(f"Cannot find environment variable: {value}")
        return os.environ[value]
    if kind == "file":
        path = value[len("file://"):] if value.startswith("file://") else value
        first = read_first_line(path, value)
        return _decode(first.rstrip(b"\n").rstrip(b"\r"))
    raise UsageError(f"Unknown password type: {kind}")  # pragma: no cover


#: Seconds a ``:file`` source that is a FIFO or pipe may take to deliver its
#: line (``-storepass:file <(vault read ...)``); then the command fails.
DEFAULT_FILE_WAIT = 10.0
FILE_WAIT_ENV = "KEYSTORETOOL_PASSWORD_WAIT"
_LINE_MAX = 1 << 16


def _file_wait() -> float:
    raw = os.environ.get(FILE_WAIT_ENV)
    if raw is None:
        return DEFAULT_FILE_WAIT
    try:
        wait = float(raw)
    except ValueError:
        raise UsageError(f"{FILE_WAIT_ENV} must be a number of seconds, not {raw!r}") from None
    if not 0 <= wait <= 86400:
        raise UsageError(f"{FILE_WAIT_ENV} must be between 0 and 86400 seconds")
    return wait


def read_first_line(path: str, shown: str) -> bytes:
    """The first line of a password file, never blocking for ever.

    Regular files are read as they are. A FIFO or pipe (process substitution
    ``<(...)`` gives ``/dev/fd/N``) is opened without blocking and given
    :func:`_file_wait` seconds to deliver its line; sockets and devices are
    refused (a device such as ``/dev/zero`` or a terminal is no password file).
    """
    import stat

    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
                     | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        if exc.errno == errno.ENXIO:  # a socket (or a FIFO end nobody can open)
            raise UsageError(f"Cannot read a password from {shown}: not a file or pipe") from exc
        raise UsageError(f"Cannot find file: {shown}") from exc
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISSOCK(mode) or stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
            what = "a socket" if stat.S_ISSOCK(mode) else "a device"
            raise UsageError(f"Cannot read a password from {shown}: it is {what}")
        if stat.S_ISDIR(mode):
            raise UsageError(f"Cannot find file: {shown}")
        if stat.S_ISFIFO(mode):
            return _read_pipe_line(fd, shown)
        _set_blocking(fd)
        with os.fdopen(fd, "rb", closefd=False) as fh:
            return fh.readline(_LINE_MAX)
    except OSError as exc:
        raise UsageError(f"Cannot find file: {shown}") from exc
    finally:
        os.close(fd)


def _set_blocking(fd: int) -> None:
    """Undo O_NONBLOCK (POSIX; Windows opened the file blocking and, before
    Python 3.12, has no os.set_blocking)."""
    if hasattr(os, "set_blocking") and hasattr(os, "O_NONBLOCK"):
        os.set_blocking(fd, True)


def _read_pipe_line(fd: int, shown: str) -> bytes:
    """Up to the first newline of a FIFO/pipe, within the wait (poll, not block)."""
    import select
    import time

    wait = _file_wait()
    if not hasattr(select, "poll"):  # Windows: no poll on pipes
        return _read_pipe_line_blocking(fd, shown, wait)
    deadline = time.monotonic() + wait
    poller = select.poll()
    poller.register(fd, select.POLLIN | select.POLLHUP)
    buf = bytearray()
    while b"\n" not in buf and len(buf) < _LINE_MAX:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not poller.poll(int(remaining * 1000) + 1):
            if buf:
                break  # a line without its newline, and nothing more: take it
            raise UsageError(f"No password came from {shown} within {wait:g} s "
                             f"(a FIFO or pipe nobody writes to?); {FILE_WAIT_ENV} sets the wait")
        try:
            chunk = os.read(fd, _LINE_MAX)
        except BlockingIOError:
            continue
        if not chunk:
            break  # EOF: the writer closed
        buf += chunk
    return bytes(buf).split(b"\n", 1)[0]


def _read_pipe_line_blocking(fd: int, shown: str, wait: float) -> bytes:
    """Windows: read the line in a helper thread and give it ``wait`` seconds."""
    import threading

    got: list[bytes] = []

    def reader() -> None:
        _set_blocking(fd)
        with os.fdopen(fd, "rb", closefd=False) as fh:
            got.append(fh.readline(_LINE_MAX))

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    thread.join(wait)
    if not got:
        raise UsageError(f"No password came from {shown} within {wait:g} s "
                         f"(a pipe nobody writes to?); {FILE_WAIT_ENV} sets the wait")
    return got[0].split(b"\n", 1)[0]


def parse_source(text: str) -> str:
    """``env:VAR`` / ``file:F`` / literal (the ``--keypass-for`` form) -> spec."""
    for kind in ("env", "file"):
        if text.startswith(kind + ":"):
            return f"{PASSWORD_PREFIX}{kind}:{text[len(kind) + 1:]}"
    if text.startswith("pass:"):
        return text[len("pass:"):]
    return text


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


class Prompter:
    """Reads answers from stdin: hidden on a terminal, one line each otherwise."""

    def __init__(self, stdin_fd: int = 0, err=None) -> None:  # type: ignore[no-untyped-def]
        self.fd = stdin_fd
        self.err = err if err is not None else sys.stderr
        self.batch_line: str | None = None  # set in batch mode: prompting is an error

    # -- low level ----------------------------------------------------------
    def _isatty(self) -> bool:
        try:
            return os.isatty(self.fd)
        except OSError:
            return False

    def _read_line(self) -> bytes | None:
        """One line from stdin without reading past it; None at EOF."""
        buf = bytearray()
        while True:
            try:
                ch = os.read(self.fd, 1)
            except OSError:
                ch = b""
            if not ch:
                return bytes(buf) if buf else None
            if ch == b"\n":
                if buf.endswith(b"\r"):
                    del buf[-1]
                return bytes(buf)
            buf += ch
            if len(buf) > 1 << 16:
                raise KeystoreToolError("Input line too long")

    def _say(self, text: str) -> None:
        self.err.write(text)
        self.err.flush()

    def _guard(self, what: str, prompt: str = "") -> None:
        if self.batch_line is None:
            return
        option = option_for_prompt(prompt)
        if option is None:
            raise KeystoreToolError(f"{self.batch_line}: {what} would be prompted for "
                                    f"({prompt.strip() or 'a prompt'}); a batch line cannot "
                                    "answer prompts")
        raise KeystoreToolError(f"{self.batch_line}: {what} would be prompted for; give "
                                f"{option} (a literal, {option}:env VAR or {option}:file F) "
                                "in batch mode")

    # -- prompts ------------------------------------------------------------
    def line(self, prompt: str) -> str | None:
        """A visible answer; None at EOF."""
        self._guard("an answer", prompt)
        self._say(prompt)
        raw = self._read_line()
        return None if raw is None else _decode(raw)

    def password(self, prompt: str) -> str | None:
        """A hidden answer; None for an empty line or EOF (keytool's "no password")."""
        self._guard("a password", prompt)
        if self._isatty() and sys.platform == "win32":
            raw = self._read_hidden_windows(prompt)
        elif self._isatty():
            import termios

            self._say(prompt)
            old = termios.tcgetattr(self.fd)
            new = termios.tcgetattr(self.fd)
            new[3] &= ~termios.ECHO
            try:
                termios.tcsetattr(self.fd, termios.TCSAFLUSH, new)
                raw = self._read_line()
            finally:
                termios.tcsetattr(self.fd, termios.TCSAFLUSH, old)
                self._say("\n")
        else:
            self._say(prompt)
            raw = self._read_line()
        if not raw:
            return None
        return _decode(raw)

    def _read_hidden_windows(self, prompt: str) -> bytes:
        """A Windows console: getpass reads the console without echo."""
        import getpass

        try:
            answer = getpass.getpass(prompt, stream=self.err)
        except EOFError:
            return b""
        if len(answer) > 1 << 16:
            raise KeystoreToolError("Input line too long")
        return answer.encode("utf-8")

    def yes_no(self, prompt: str) -> bool:
        """keytool's [no] questions: y/yes means yes; n/no/empty/EOF mean no."""
        for _ in range(20):
            answer = self.line(prompt)
            if answer is None:
                return False
            word = _collate(answer.strip())
            if word in ("y", "yes"):
                return True
            if word in ("", "n", "no"):
                return False
            self._say("Wrong answer, try again\n")
        raise KeystoreToolError("Too many retries, program terminated")

    # -- keytool's password dialogues -----------------------------------------
    def store_password(self, *, modifying: bool, prompt: str = "Enter keystore password:  ",
                       new: bool = False) -> str | None:
        """The store password prompt.

        Read-only commands: one try, no length check. Modifying commands: at
        least 6 characters, three tries. A new store: asked twice.
        """
        if not modifying:
            return self.password(prompt)
        for _ in range(3):
            pw = self.password(prompt)
            if not long_enough(pw):
                self._say(too_short_line("Keystore password") + "\n")
                continue
            if new:
                again = self.password("Re-enter new password: ")
                if again != pw:
                    self._say("They don't match. Try again\n")
                    continue
            return pw
        raise KeystoreToolError("Too many failures - try later")

    def new_password(self, first: str, second: str, *, old: str | None = None,
                     subject: str = "Password") -> str:
        """A new password asked twice (storepasswd / keypasswd without -new)."""
        for _ in range(3):
            pw = self.password(first)
            if not long_enough(pw):
                self._say(too_short_line(subject) + "\n")
                continue
            if old is not None and pw == old:
                self._say("Passwords must differ\n")
                continue
            if self.password(second) != pw:
                self._say("They don't match. Try again\n")
                continue
            return pw
        raise KeystoreToolError("Too many failures - try later")


#: Which option answers a prompt (batch mode names it when the prompt cannot be shown).
_PROMPT_OPTIONS = (
    ("Enter keystore password", "-storepass"),
    ("Enter destination keystore password", "-deststorepass"),
    ("Enter source keystore password", "-srcstorepass"),
    ("Enter key password for", "-keypass"),
    ("Re-enter new password", "-keypass"),
    ("New keystore password", "-new"),
    ("New key password", "-new"),
    ("Re-enter new keystore password", "-new"),
    ("Enter PEM pass phrase", "--passout"),
    ("Verifying - Enter PEM pass phrase", "--passout"),
    ("Enter pass phrase for", "--passin"),
)


def option_for_prompt(prompt: str) -> str | None:
    """The option that gives what ``prompt`` asks for, or None."""
    text = prompt.lstrip()
    return next((opt for start, opt in _PROMPT_OPTIONS if text.startswith(start)), None)


def _collate(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
