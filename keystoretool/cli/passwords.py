"""Passwords as keytool takes them, and keytool's prompts.

Sources: a literal, ``:env VAR`` or ``:file F`` (encoded by
:mod:`keytool_argv` as a NUL-prefixed value), or a prompt. Prompts go to
stderr. On a terminal a password is read hidden. When stdin is not a
terminal, every prompt reads exactly one line, byte by byte, so later
prompts still find their lines (keytool's line prompts swallow the rest of
stdin; we deliberately do not). An empty line or EOF is "no password".
"""

from __future__ import annotations

import os
import sys
import unicodedata

from ..errors import KeystoreToolError, UsageError
from .keytool_argv import PASSWORD_PREFIX

MIN_LENGTH = 6


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
        try:
            with open(path, "rb") as fh:
                first = fh.readline(1 << 16)
        except OSError as exc:
            raise UsageError(f"Cannot find file: {value}") from exc
        return _decode(first.rstrip(b"\n").rstrip(b"\r"))
    raise UsageError(f"Unknown password type: {kind}")  # pragma: no cover


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

    def _guard(self, what: str) -> None:
        if self.batch_line is not None:
            raise KeystoreToolError(f"{self.batch_line}: {what} would be prompted for; "
                                    "give it with -storepass/:env/:file in batch mode")

    # -- prompts ------------------------------------------------------------
    def line(self, prompt: str) -> str | None:
        """A visible answer; None at EOF."""
        self._guard("an answer")
        self._say(prompt)
        raw = self._read_line()
        return None if raw is None else _decode(raw)

    def password(self, prompt: str) -> str | None:
        """A hidden answer; None for an empty line or EOF (keytool's "no password")."""
        self._guard("a password")
        if self._isatty():
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
            if pw is None or len(pw) < MIN_LENGTH:
                self._say(f"Keystore password is too short - must be at least {MIN_LENGTH} "
                          "characters\n")
                continue
            if new:
                again = self.password("Re-enter new password: ")
                if again != pw:
                    self._say("They don't match. Try again\n")
                    continue
            return pw
        raise KeystoreToolError("Too many failures - try later")

    def new_password(self, first: str, second: str, *, old: str | None = None,
                     too_short: str = "Password is too short - must be at least 6 characters"
                     ) -> str:
        """A new password asked twice (storepasswd / keypasswd without -new)."""
        for _ in range(3):
            pw = self.password(first)
            if pw is None or len(pw) < MIN_LENGTH:
                self._say(too_short + "\n")
                continue
            if old is not None and pw == old:
                self._say("Passwords must differ\n")
                continue
            if self.password(second) != pw:
                self._say("They don't match. Try again\n")
                continue
            return pw
        raise KeystoreToolError("Too many failures - try later")


def _collate(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
