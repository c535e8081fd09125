"""``batch --check``: what can be known about a batch before any line runs.

Every line is split and parsed (command, options, values), every password
source is resolved without reading it (``:env`` variables must be set,
``:file`` files must exist: reading a FIFO here would take the line the real
run needs), and every file a line reads must exist, unless an earlier line of
the batch writes it. The same check runs before a batch executes, so an
unbalanced quote on line 5 stops the batch before line 1 changes a file.

Which file options a command writes (or may create) is said here, per
command; every other option declared ``Opt(path=True)`` is a file it reads.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import KeystoreToolError

#: command -> options (long name, no dashes) that name a file the command writes
#: or creates when missing; other path options name files it reads.
WRITES: dict[str, frozenset[str]] = {
    "genkeypair": frozenset({"keystore"}),
    "genseckey": frozenset({"keystore"}),
    "importpass": frozenset({"keystore"}),
    "importcert": frozenset({"keystore"}),
    "importpem": frozenset({"keystore"}),
    "importkeystore": frozenset({"destkeystore", "keystore"}),
    "exportcert": frozenset({"file"}),
    "certreq": frozenset({"file"}),
    "gencert": frozenset({"outfile"}),
    "gencrl": frozenset({"file"}),
    "exportpem": frozenset({"out", "certout", "keyout"}),
    "chain": frozenset({"out"}),
    "expiry": frozenset({"prometheus-file"}),
}


@dataclass
class Problem:
    line: int
    message: str


@dataclass
class _Use:
    """One option value of a line: the option's long name and declaration."""

    name: str
    opt: Any
    value: str


def _uses(argv: Sequence[str]) -> tuple[str, list[_Use]]:
    """(command, option values) of a line in either syntax; UsageError /
    KeystoreToolError when the line does not parse."""
    from . import keytool_argv
    from .registry import find_command, params

    if keytool_argv.is_keytool_syntax(argv):
        parsed = keytool_argv.parse(argv)
        if parsed.command is None:
            raise KeystoreToolError("no command on the line")
        func = find_command(parsed.command)
        if func is None:
            raise KeystoreToolError(f"-{parsed.command} is not supported by keystoretool")
        uses: list[_Use] = []
        for p in params(func):
            for long_name in (n[2:] for n in p.opt.names if n.startswith("--")):
                for v in parsed.options.get(keytool_argv.canonical(long_name), []):
                    if isinstance(v, str):
                        uses.append(_Use(long_name, p.opt, v))
        return parsed.command, uses
    argv = keytool_argv.native_password_modifiers(argv)
    if not argv or argv[0].startswith("-"):
        raise KeystoreToolError(f"Illegal option:  {argv[0] if argv else ''}")
    if argv[0] == "batch":
        raise KeystoreToolError("batch cannot be run from a batch line")
    func = find_command(argv[0])
    if func is None:
        raise KeystoreToolError(f"Unknown command: {argv[0]}")
    ps = params(func)
    by_name = {name: p for p in ps for name in p.opt.names}
    positional = next((p for p in ps if p.opt.positional), None)
    uses = []
    i = 1
    while i < len(argv):
        word = argv[i]
        if word in ("--help", "-h"):
            return argv[0], []
        name, eq, value = word.partition("=")
        if not word.startswith("-") or word == "-":
            if positional is None:
                raise KeystoreToolError(f"Got unexpected extra argument ({word})")
            uses.append(_Use(positional.opt.names[0][2:], positional.opt, word))
            i += 1
            continue
        found = by_name.get(name)
        if found is None:
            raise KeystoreToolError(f"No such option: {name}")
        if found.kind is not bool:
            if not eq:
                if i + 1 >= len(argv):
                    raise KeystoreToolError(f"Option '{name}' requires an argument.")
                i += 1
                value = argv[i]
            uses.append(_Use(found.opt.names[0][2:], found.opt, value))
        i += 1
    return argv[0], uses


def _password_problem(use: _Use) -> str | None:
    """Why a password source of the line cannot be resolved (None: it can)."""
    from .keytool_argv import PASSWORD_PREFIX
    from .options import ALIAS_SOURCE, SOURCE

    value = use.value
    if use.opt.secret == ALIAS_SOURCE:
        value = value.partition("=")[2]
    if value.startswith(PASSWORD_PREFIX):
        kind, _, ref = value[len(PASSWORD_PREFIX):].partition(":")
    elif use.opt.secret in (SOURCE, ALIAS_SOURCE) and value.startswith(("env:", "file:")):
        kind, _, ref = value.partition(":")
    else:
        return None
    if kind == "env" and ref not in os.environ:
        return f"--{use.name}: Cannot find environment variable: {ref}"
    if kind == "file":
        path = ref[len("file://"):] if ref.startswith("file://") else ref
        if not os.path.exists(path):
            return f"--{use.name}: Cannot find file: {ref}"
    return None


def check_lines(lines: Sequence[Any],
                exists: Callable[[str], bool] = os.path.exists) -> list[Problem]:
    """Every problem found in the batch's lines, in line order."""
    problems: list[Problem] = []
    written: set[str] = set()
    for line in lines:
        if line.error is not None:
            problems.append(Problem(line.number, line.error))
            continue
        if not line.argv:
            continue
        nul = next((n for n, word in enumerate(line.argv, 1) if "\0" in word), None)
        if nul is not None:  # as the runner says it (no path with a NUL reaches the OS)
            problems.append(Problem(line.number,
                                    f"Word {nul} of the command line contains a NUL byte"))
            continue
        try:
            command, uses = _uses(line.argv)
        except KeystoreToolError as exc:
            problems.append(Problem(line.number, str(exc)))
            continue
        writes = WRITES.get(command, frozenset())
        for use in uses:
            if use.opt.secret is not None:
                why = _password_problem(use)
                if why:
                    problems.append(Problem(line.number, why))
            if not use.opt.path or use.value == "-":
                continue
            key = os.path.realpath(use.value)
            if use.name in writes:
                written.add(key)
            elif key not in written and not exists(use.value):
                problems.append(Problem(
                    line.number, f"--{use.name}: {use.value} does not exist "
                    "(and no earlier line writes it)"))
    return problems


def report(lines: Sequence[Any], *, as_json: bool, only_check: bool) -> bool:
    """Check the batch and report its problems (stderr, or one JSON object a
    problem on stdout); True when there are none."""

    from .cmd_batch import LineResult, _shown
    from .common import session

    s = session()
    from .secrets import literal_secrets, scrub

    problems = check_lines(lines)
    by_number = {line.number: line for line in lines}
    for p in problems:
        argv = by_number[p.line].argv
        if argv:  # an error may quote a word of the line: never a password
            p.message = scrub(p.message, literal_secrets(argv))
        if as_json:  # a batch line document that was not run, with the problem
            s.out.write(LineResult(line=p.line, command=_shown(by_number[p.line]), ok=False,
                                   error=p.message, skipped=True).to_json() + "\n")
        else:
            s.err.write(f"keystoretool error: line {p.line}: {p.message}\n")
    if problems and not only_check and not as_json:
        s.err.write("keystoretool: the batch was checked before running and nothing was run "
                    "(--no-check runs it anyway)\n")
    elif not problems and only_check and not as_json:
        s.err.write(f"Checked {len(lines)} line{'s' if len(lines) != 1 else ''}: no problem "
                    "found\n")
    return not problems
