"""Running one command line: the dispatch (keytool syntax, native syntax,
help) and the guard that turns every error into one message and an exit
status. ``cli/main.py`` (a process) and ``cli/cmd_batch.py`` (each batch
line) both run commands through :func:`run_guarded`, so a line of a batch
behaves exactly as the same command on its own.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from ..errors import KeystoreToolError, UsageError
from . import keytool_argv
from .commands import BY_NAME, NAMES
from .common import Session, session


class Outcome:
    """How a command line ended: its exit status and, when it failed with a
    message, that one line (printed after ``keystoretool error: ``). (A plain
    class: a dataclass's generated methods cost start-up time.)"""

    __slots__ = ("code", "error", "exc")

    def __init__(self, code: int, error: str | None = None,
                 exc: BaseException | None = None) -> None:
        self.code = code
        self.error = error
        self.exc = exc  # what failed (its class names the JSON error code)


def run_guarded(argv: Sequence[str]) -> Outcome:
    """Run one command line in the current session; user errors and bugs
    become an :class:`Outcome` with a one-line message (a bug re-raises with
    ``KEYSTORETOOL_DEBUG=1``). Warnings collected are printed first, as
    keytool prints them. ``KeyboardInterrupt`` and ``BrokenPipeError`` are the
    caller's."""
    s = session()
    try:
        code = run(argv)
    except KeystoreToolError as exc:
        s.flush_warnings()
        s.end_line()
        return Outcome(exc.exit_code, str(exc), exc)
    except SystemExit as exc:
        return Outcome(exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1))
    except (KeyboardInterrupt, BrokenPipeError):
        raise
    except Exception as exc:  # a bug: still one line, never a traceback
        if os.environ.get("KEYSTORETOOL_DEBUG"):
            raise
        s.end_line()
        return Outcome(1, f"internal error ({type(exc).__name__}: {exc}); "
                          "set KEYSTORETOOL_DEBUG=1 for details", exc)
    s.flush_warnings()
    return Outcome(code)


def _version(s: Session) -> int:
    from .. import __version__

    s.out.write(f"keystoretool {__version__}\n")
    return 0


def run(argv: Sequence[str]) -> int:
    """Run one command line; returns the exit status (errors raise)."""
    s = session()
    argv = list(argv)
    for number, arg in enumerate(argv, 1):
        # A real argv cannot hold NUL; a batch line can. Refused here, before a
        # NUL could pass for our password-source marker or reach a path.
        if "\0" in arg:
            raise UsageError(f"Word {number} of the command line contains a NUL byte")
    if argv and argv[0] in ("-version", "--version"):
        return _version(s)
    if keytool_argv.is_mixed_syntax(argv):  # changealias -alias x ...
        argv = ["-" + argv[0], *argv[1:]]
    if keytool_argv.is_keytool_syntax(argv) or keytool_argv.is_help_request(argv):
        parsed = keytool_argv.parse(argv)
        for w in parsed.warnings:
            s.warn(w)
        if parsed.command == "version":
            return _version(s)
        if parsed.help or parsed.command is None:
            from .help import keytool_help

            s.err.write(keytool_help(parsed.command))  # (keytool's stream)
            return 0
        # Fast path: call the command function directly, no typer import.
        from .registry import call_with_options, find_command

        func = find_command(parsed.command)
        assert func is not None  # (parse accepts only commands of the table)
        rv = call_with_options(func, parsed.options, command=parsed.command)
        return rv if isinstance(rv, int) else 0
    if argv and argv[0] in BY_NAME and BY_NAME[argv[0]].fast_native:
        # no typer import for a batch (start-up time); help and mistakes go to typer
        from .registry import find_command, parse_native

        func = find_command(argv[0])
        assert func is not None
        kwargs = parse_native(func, argv[1:])
        if kwargs is not None:
            rv = func(**kwargs)
            return rv if isinstance(rv, int) else 0
    if argv and argv[0].startswith("-") and not argv[0].startswith("--") and argv[0] != "-h":
        raise UsageError(f"Illegal option:  {argv[0]}{keytool_argv.suggestion(argv[0])}")
    return _run_typer(keytool_argv.native_short_options(
        keytool_argv.native_password_modifiers(argv)))


_GROUP: Any = None


def _run_typer(argv: list[str]) -> int:
    import typer
    import typer.main

    from .app import build_app, without_type_noise

    global _GROUP
    s = session()
    if _GROUP is None:  # built once per process: batch runs many lines
        _GROUP = without_type_noise(typer.main.get_command(build_app()))
    group = _GROUP
    if argv and argv[0] not in ("--help", "-h") and not argv[0].startswith("-") \
            and argv[0] not in group.commands:  # type: ignore[attr-defined]
        if argv[0] in NAMES:  # a keytool command keystoretool does not implement
            raise KeystoreToolError(f"-{argv[0]} is not supported by keystoretool")
        raise KeystoreToolError(f"Unknown command: {argv[0]}{keytool_argv.suggestion(argv[0])} "
                                "(see keystoretool --help)")
    try:
        rv = group.main(args=argv, prog_name="keystoretool", standalone_mode=False)
    except typer.Exit as exc:
        return int(exc.exit_code or 0)
    except typer.Abort:
        s.err.write("\n")
        return 130
    except typer.TyperException as exc:
        if type(exc).__name__ == "NoArgsIsHelpError":
            return 0
        # (click's own message suggests the closest option: "Did you mean --keystore?")
        msg = exc.format_message() if hasattr(exc, "format_message") else str(exc)
        raise KeystoreToolError(f"{msg} (see keystoretool --help)") from exc
    return rv if isinstance(rv, int) else 0
