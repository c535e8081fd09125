"""Words of a command line, split as a POSIX shell does, in linear time.

The result and the errors are those of ``shlex.split(text)`` (POSIX mode, no
comments): blanks (space, tab, CR, LF) separate words; a backslash outside
quotes takes the next character literally; single quotes take everything up
to the next one; inside double quotes a backslash escapes only ``"`` and
``\\``. ``shlex`` builds each word one character at a time by string
concatenation, which is quadratic (a 1 MB batch line took 38 s); here a run
of ordinary characters is taken in one regular-expression match.

On Windows (``literal_backslash``, the default there) a backslash is an
ordinary character, so ``-file C:\\certs\\new.pem`` keeps its path; quotes
(single and double) still group words and are removed, with no escapes inside
them either: a quote character is written inside the other kind of quotes.
"""

from __future__ import annotations

import re
import sys

_BLANKS = " \t\r\n"
_PLAIN = re.compile(r"[^ \t\r\n'\"\\]+")
_DQ_PLAIN = re.compile(r'[^"\\]+')
#: With ``literal_backslash`` a backslash is an ordinary character.
_LITERAL_PLAIN = re.compile(r"[^ \t\r\n'\"]+")


def literal_backslash_default() -> bool:
    """Backslashes are path separators, not escapes, on Windows."""
    return sys.platform == "win32"


def split(text: str, *, literal_backslash: bool | None = None) -> list[str]:
    """``shlex.split(text)``; ``ValueError`` ("No closing quotation", "No
    escaped character") for what a shell would not accept either.
    ``literal_backslash`` (default: on Windows): backslashes are ordinary
    characters everywhere."""
    if literal_backslash is None:
        literal_backslash = literal_backslash_default()
    plain = _LITERAL_PLAIN if literal_backslash else _PLAIN
    words: list[str] = []
    parts: list[str] = []
    in_word = False
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in _BLANKS:
            if in_word:
                words.append("".join(parts))
                parts = []
                in_word = False
            i += 1
            continue
        in_word = True
        if ch == "\\" and not literal_backslash:
            if i + 1 >= n:
                raise ValueError("No escaped character")
            parts.append(text[i + 1])
            i += 2
        elif ch == "'" or (ch == '"' and literal_backslash):  # no escapes inside
            end = text.find(ch, i + 1)
            if end < 0:
                raise ValueError("No closing quotation")
            parts.append(text[i + 1:end])
            i = end + 1
        elif ch == '"':
            i = _double_quoted(text, i + 1, parts)
        else:
            m = plain.match(text, i)
            assert m is not None
            parts.append(m.group())
            i = m.end()
    if in_word:
        words.append("".join(parts))
    return words


def _double_quoted(text: str, i: int, parts: list[str]) -> int:
    """Appends the body of a double-quoted string starting at ``i``; returns
    the index after its closing quote."""
    n = len(text)
    while True:
        if i >= n:
            raise ValueError("No closing quotation")
        ch = text[i]
        if ch == '"':
            return i + 1
        if ch == "\\":
            if i + 1 >= n:
                raise ValueError("No escaped character")
            nxt = text[i + 1]
            parts.append(nxt if nxt in '"\\' else ch + nxt)
            i += 2
            continue
        m = _DQ_PLAIN.match(text, i)
        assert m is not None
        parts.append(m.group())
        i = m.end()
