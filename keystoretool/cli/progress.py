"""A progress bar on stderr for work over many entries, drawn only on a terminal.

Usage (the importkeystore loop)::

    with progress(len(src), "Importing") as tick:
        for alias in src.aliases():
            ...
            tick()

Nothing at all is written when the session's stderr is not a terminal (a
pipe, a file, a batch line's captured output), when ``TERM=dumb``, or for
fewer than ``min_total`` items, so scripts and logs never see the bar. While
the bar is shown, lines the command writes to stderr (keytool's "Entry for
alias x successfully imported." ...) appear above it, and the bar is erased
at the end. The bar is plain text: no colours, no escape sequences.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import time
from collections.abc import Callable, Iterator
from typing import TextIO, cast

#: Fewer items than this: no bar (the work is quick anyway).
MIN_TOTAL = 100
#: Redraw at most this often (seconds) when nothing else is written.
INTERVAL = 0.1


def _is_terminal(stream: object) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except (OSError, ValueError):
        return False


class _Bar:
    """The bar's state and drawing: one line ended by a carriage return."""

    def __init__(self, stream: TextIO, total: int, label: str) -> None:
        self.stream = stream
        self.total = max(1, total)
        self.label = label
        self.done = 0
        self.shown = False
        self.last = 0.0

    def _width(self) -> int:
        return max(20, shutil.get_terminal_size(fallback=(80, 24)).columns - 1)

    def render(self) -> str:
        width = self._width()
        count = f" {self.done}/{self.total}"
        room = max(10, width - len(self.label) - len(count) - 3)
        filled = min(room, room * self.done // self.total)
        text = f"{self.label} [{'#' * filled}{'.' * (room - filled)}]{count}"
        return text[:width].ljust(width)

    def draw(self) -> None:
        self.stream.write("\r" + self.render() + "\r")
        self.stream.flush()
        self.shown = True
        self.last = time.monotonic()

    def erase(self) -> str:
        """What erases the bar (nothing when it is not shown)."""
        if not self.shown:
            return ""
        self.shown = False
        return "\r" + " " * self._width() + "\r"

    def clear(self) -> None:
        text = self.erase()
        if text:
            self.stream.write(text)
            self.stream.flush()

    def draw_if_due(self) -> None:
        """Draw again unless it was drawn less than INTERVAL ago: a burst of
        lines (one per entry) does not redraw the bar once per line."""
        if time.monotonic() - self.last >= INTERVAL:
            self.draw()

    def tick(self, n: int = 1) -> None:
        self.done = min(self.total, self.done + n)
        if self.done >= self.total:
            self.draw()
        else:
            self.draw_if_due()


class _AboveBar(io.TextIOBase):
    """stderr while the bar is shown: text goes above the bar.

    A complete line erases the bar and is written in one write (no blank
    moment); the bar is drawn again at most every INTERVAL seconds (the next
    tick draws it otherwise), so a 1,000-entry import does not flicker. A
    partial line (a prompt) leaves the bar erased until the line ends.
    """

    def __init__(self, stream: TextIO, bar: _Bar) -> None:
        super().__init__()
        self._stream = stream
        self._bar = bar
        self._partial = False

    def write(self, text: str) -> int:
        if not text:
            return 0
        self._stream.write(self._bar.erase() + text)
        self._partial = not text.endswith("\n")
        if not self._partial:
            self._bar.draw_if_due()
        self._stream.flush()
        return len(text)

    def flush(self) -> None:
        self._stream.flush()

    def isatty(self) -> bool:
        return True


def _noop(n: int = 1) -> None:
    return None


@contextlib.contextmanager
def progress(total: int, label: str, *, min_total: int = MIN_TOTAL
             ) -> Iterator[Callable[..., None]]:
    """Show a progress bar over ``total`` items on the session's stderr.

    Yields ``tick(n=1)``, to call after each item. A no-op unless stderr is
    a terminal (and ``TERM`` is not ``dumb``) and ``total >= min_total``.
    """
    from .common import session

    s = session()
    stream = s.err
    if total < min_total or not _is_terminal(stream) or os.environ.get("TERM") == "dumb":
        yield _noop
        return
    bar = _Bar(stream, total, label)
    above = cast(TextIO, _AboveBar(stream, bar))
    prompter = s.prompter
    old_prompt_err = prompter.err if prompter is not None else None
    s.err = above
    if prompter is not None and old_prompt_err is stream:
        prompter.err = above  # prompts (overwrite? ...) also go above the bar
    try:
        bar.draw()
        yield bar.tick
    finally:
        s.err = stream
        if prompter is not None:
            prompter.err = old_prompt_err
        bar.clear()
