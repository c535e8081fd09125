"""Entry point: keytool-style argv runs the command function directly (no typer
import: start-up time matters); native argv, help and completion go through typer.

Every user error ends as one line ``keystoretool error: <message>`` on stderr
and exit status 1; warnings collected during the run are printed at the end,
as keytool does. A traceback is only shown with KEYSTORETOOL_DEBUG=1.
"""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Sequence
from typing import Any

from ..errors import KeystoreToolError, UsageError
from . import keytool_argv
from .common import Session, session, set_session


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
    if keytool_argv.is_keytool_syntax(argv):
        parsed = keytool_argv.parse(argv)
        for w in parsed.warnings:
            s.warn(w)
        if parsed.command == "version":
            return _version(s)
        if not parsed.help and parsed.command is not None:
            # Fast path: call the command function directly, no typer import.
            from .registry import call_with_options, find_command

            func = find_command(parsed.command)
            if func is None:
                raise KeystoreToolError(f"-{parsed.command} is not supported by keystoretool")
            rv = call_with_options(func, parsed.options)
            return rv if isinstance(rv, int) else 0
        return _run_typer(keytool_argv.to_native(parsed, lambda c, o: True))
    if argv and argv[0] == "batch":  # no typer import for a batch (start-up time)
        from . import cmd_batch

        kwargs = cmd_batch.parse_args(argv[1:])
        if kwargs is not None:
            return cmd_batch.batch(**kwargs)
    if argv and argv[0].startswith("-") and not argv[0].startswith("--") and argv[0] != "-h":
        raise KeystoreToolError(f"Illegal option:  {argv[0]}")
    return _run_typer(keytool_argv.native_password_modifiers(argv))


_GROUP: Any = None


def _run_typer(argv: list[str]) -> int:
    import typer
    import typer.main

    from .app import build_app

    global _GROUP
    s = session()
    if _GROUP is None:  # built once per process: batch runs many lines
        _GROUP = typer.main.get_command(build_app())
    group = _GROUP
    if argv and argv[0] not in ("--help", "-h") and not argv[0].startswith("-") \
            and argv[0] not in group.commands:  # type: ignore[attr-defined]
        # keytool syntax for a command we do not have, or a typo
        raise KeystoreToolError(f"Unknown command: {argv[0]} (see keystoretool --help)")
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
        msg = exc.format_message() if hasattr(exc, "format_message") else str(exc)
        raise KeystoreToolError(f"{msg} (see keystoretool --help)") from exc
    return rv if isinstance(rv, int) else 0


def wants_json(argv: Sequence[str]) -> bool:
    """Whether the command line asks for JSON (``--json``, or ``-json`` in
    keytool's syntax)."""
    return any(a in ("--json", "-json") for a in argv)


def _json_error(argv: Sequence[str], exc: BaseException, message: str) -> None:
    """A failed --json command still prints one JSON document on stdout:
    the error object (the exit status is unchanged)."""
    if not wants_json(argv):
        return
    from ..jsondoc import dumps, error_document

    try:
        session().out.write(dumps(error_document(exc, message)))
    except (BrokenPipeError, ValueError):  # pragma: no cover - stdout gone
        pass


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not os.environ.get("KEYSTORETOOL_DEBUG"):
        # Library warnings (cryptography's "serial number which wasn't
        # positive" ...) are not for users: what a user must know is said
        # through the session's own warnings, in keytool's words.
        warnings.simplefilter("ignore")
    set_session(Session())
    s = session()
    code = 0
    try:
        code = run(argv)
    except KeystoreToolError as exc:
        s.flush_warnings()
        s.end_line()
        s.err.write(f"keystoretool error: {exc}\n")
        _json_error(argv, exc, str(exc))
        code = exc.exit_code
    except KeyboardInterrupt as exc:
        s.err.write("\nkeystoretool error: interrupted\n")
        _json_error(argv, exc, "interrupted")
        code = 130
    except BrokenPipeError:
        code = 1
    except Exception as exc:  # a bug: still one line, never a traceback
        if os.environ.get("KEYSTORETOOL_DEBUG"):
            raise
        s.end_line()
        message = f"internal error ({type(exc).__name__}: {exc})"
        s.err.write(f"keystoretool error: {message}; set KEYSTORETOOL_DEBUG=1 for details\n")
        _json_error(argv, exc, message)
        code = 1
    else:
        s.flush_warnings()
    finally:
        try:
            s.out.flush()
        except BrokenPipeError:
            pass
    return code
