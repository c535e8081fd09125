"""Entry point: keytool-style or native argv -> typer command -> exit code.

Every user error ends as one line ``keystoretool error: <message>`` on stderr
and exit status 1; warnings collected during the run are printed at the end,
as keytool does. A traceback is only shown with KEYSTORETOOL_DEBUG=1.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from ..errors import KeystoreToolError
from . import keytool_argv
from .common import Session, session, set_session


def _accepts_factory(app):  # type: ignore[no-untyped-def]
    import typer.main

    group = typer.main.get_command(app)
    cache: dict[str, set[str]] = {}

    def accepts(command: str, option: str) -> bool:
        if command not in cache:
            cmd = group.commands.get(command)  # type: ignore[attr-defined]
            names: set[str] = set()
            if cmd is not None:
                for param in cmd.params:
                    for opt in getattr(param, "opts", []):
                        if opt.startswith("--"):
                            names.add(opt[2:])
            cache[command] = names
        return option in cache[command]

    return group, accepts


def run(argv: Sequence[str]) -> int:
    from .app import build_app

    s = session()
    app = build_app()
    group, accepts = _accepts_factory(app)
    argv = list(argv)
    if argv and argv[0] in ("-version", "--version"):
        from .. import __version__

        s.out.write(f"keystoretool {__version__}\n")
        return 0
    if keytool_argv.is_keytool_syntax(argv):
        parsed = keytool_argv.parse(argv)
        for w in parsed.warnings:
            s.warn(w)
        if parsed.command == "version":
            from .. import __version__

            s.out.write(f"keystoretool {__version__}\n")
            return 0
        if parsed.command not in group.commands:  # type: ignore[attr-defined]
            raise KeystoreToolError(f"-{parsed.command} is not supported by keystoretool")
        argv = keytool_argv.to_native(parsed, accepts)
    elif argv and argv[0].startswith("-") and not argv[0].startswith("--") and argv[0] != "-h":
        raise KeystoreToolError(f"Illegal option:  {argv[0]}")
    else:
        argv = keytool_argv.native_password_modifiers(argv)
    import typer

    try:
        rv = group.main(args=argv, prog_name="keystoretool", standalone_mode=False)
    except typer.Exit as exc:
        return int(exc.exit_code or 0)
    except typer.Abort:
        s.err.write("\n")
        return 130
    except typer.TyperException as exc:
        if type(exc).__name__ == "NoArgsIsHelpError":
            s.err.write(str(exc) + "\n")
            return 0
        msg = exc.format_message() if hasattr(exc, "format_message") else str(exc)
        raise KeystoreToolError(f"{msg} (see keystoretool --help)") from exc
    return rv if isinstance(rv, int) else 0


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    set_session(Session())
    s = session()
    code = 0
    try:
        code = run(argv)
    except KeystoreToolError as exc:
        s.flush_warnings()
        s.err.write(f"keystoretool error: {exc}\n")
        code = exc.exit_code
    except KeyboardInterrupt:
        s.err.write("\nkeystoretool error: interrupted\n")
        code = 130
    except BrokenPipeError:
        code = 1
    except Exception as exc:  # a bug: still one line, never a traceback
        if os.environ.get("KEYSTORETOOL_DEBUG"):
            raise
        s.err.write(
            f"keystoretool error: internal error ({type(exc).__name__}: {exc}); "
            "set KEYSTORETOOL_DEBUG=1 for details\n"
        )
        code = 1
    else:
        s.flush_warnings()
    finally:
        try:
            s.out.flush()
        except BrokenPipeError:
            pass
    return code
