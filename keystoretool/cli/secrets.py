"""Which options carry secrets, and command lines shown with them masked.

The registry is the option declarations themselves: an option whose
:class:`~keystoretool.cli.options.Opt` says ``secret=...`` is masked
wherever a command line is printed (``batch`` reports, ``--json``), plus
keytool's own password options (:data:`keytool_argv.PASSWORD_OPTIONS`, some
of which no command declares). A new option declared ``secret`` is masked
with no further change; ``tests/test_secrets.py`` checks that every option
that looks like a password is declared so.

What is masked depends on how the secret is written (``Opt.secret``):

* ``literal`` (keytool's ``-storepass PW``): the whole value, unless the
  option name carries a source (``-storepass:env VAR``, ``-storepass:file F``);
* ``source`` (``--passout pass:PW``, ``env:VAR``, ``file:F`` or a bare
  literal): the value, keeping ``env:``/``file:`` sources and the ``pass:``
  prefix;
* ``alias=source`` (``--keypass-for ALIAS=SOURCE``): the source part as above.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterable, Sequence
from functools import cache

from .options import ALIAS_SOURCE, LITERAL, SOURCE

MASK = "****"
#: Literal secrets at least this long are also removed from messages.
SCRUB_MIN = 4
_PLACEHOLDER = "MASKED_SECRET_PLACEHOLDER"


@cache
def secret_options() -> dict[str, str]:
    """Collated option name (no dashes) -> secret kind, over every command."""
    from .keytool_argv import PASSWORD_OPTIONS, collate
    from .registry import all_commands, params

    found = {collate(name): LITERAL for name in PASSWORD_OPTIONS}
    for _, func in all_commands():
        for p in params(func):
            if p.opt.secret is None:
                continue
            for name in p.opt.names:
                found[collate(name.lstrip("-"))] = p.opt.secret
    return found


def _mask_value(kind: str, value: str) -> tuple[str, str | None]:
    """(the value as shown, the secret it holds or None)."""
    if kind == LITERAL:
        return MASK, value
    if kind == ALIAS_SOURCE:
        alias, eq, source = value.partition("=")
        if not eq:
            return MASK, value
        shown_source, secret = _mask_value(SOURCE, source)
        return f"{alias}={shown_source}", secret
    assert kind == SOURCE
    if value.startswith(("env:", "file:")):
        return value, None
    if value.startswith("pass:"):
        return "pass:" + MASK, value[len("pass:"):]
    return MASK, value


def _option(word: str) -> tuple[str | None, bool, str | None]:
    """(secret kind or None, names a source, value after ``=`` or None) of a word."""
    from .keytool_argv import collate

    if not word.startswith("-") or word in ("-", "--"):
        return None, False, None
    name, eq, value = word.lstrip("-").partition("=")
    name, colon, _ = name.partition(":")
    kind = secret_options().get(collate(name))
    return kind, bool(colon), (value if eq else None)


def _masked(argv: Sequence[str]) -> tuple[list[str], list[str]]:
    out = list(argv)
    secrets: list[str] = []
    i = 0
    while i < len(out):
        kind, sourced, inline = _option(out[i])
        if kind is not None and not sourced:
            if inline is not None:
                head = out[i][: len(out[i]) - len(inline)]
                shown_value, secret = _mask_value(kind, inline)
                out[i] = head + shown_value
            elif i + 1 < len(out):
                i += 1
                out[i], secret = _mask_value(kind, out[i])
            else:
                secret = None
            if secret:
                secrets.append(secret)
        i += 1
    return out, secrets


def mask_argv(argv: Sequence[str]) -> list[str]:
    """``argv`` with every secret value replaced (see the module docstring)."""
    return _masked(argv)[0]


def literal_secrets(argv: Sequence[str]) -> list[str]:
    """The secret values written literally in ``argv`` (to scrub from messages)."""
    return _masked(argv)[1]


def shown(argv: Sequence[str]) -> str:
    """A command line for reports: shell-quoted, secrets masked."""
    masked_argv, secrets = _masked(argv)
    # a secret repeated elsewhere on the line (a stray word) is hidden too
    masked_argv = [scrub(word, secrets) for word in masked_argv]
    words = []
    for original, masked in zip(argv, masked_argv, strict=True):
        if masked == original:
            words.append(shlex.quote(masked))
        else:  # quote what is shown around the mask, keep the mask readable
            quoted = shlex.quote(masked.replace(MASK, _PLACEHOLDER))
            words.append(quoted.replace(_PLACEHOLDER, MASK))
    return " ".join(words)


def shown_text(text: str) -> str:
    """A line that could not be split into words (a quoting error), masked:
    after a secret option, every word up to the next option is hidden."""
    words = text.split()
    hiding = False
    for i, word in enumerate(words):
        kind, sourced, inline = _option(word)
        if word.startswith("-") and kind is None:
            hiding = False
        elif kind is not None:
            hiding = not sourced and inline is None
            if not sourced and inline is not None:
                words[i] = word[: len(word) - len(inline)] + MASK
        elif hiding:
            words[i] = MASK
    return " ".join(words)


def scrub(text: str, secrets: Iterable[str]) -> str:
    """``text`` with each literal secret replaced by the mask."""
    for secret in sorted(set(secrets), key=len, reverse=True):
        if len(secret) >= SCRUB_MIN:  # shorter ones would mangle ordinary words
            text = text.replace(secret, MASK)
    return text
