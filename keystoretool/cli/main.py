"""Entry point: keytool-style argv runs the command function directly (no typer
import: start-up time matters); native argv, help and completion go through typer
(see :mod:`keystoretool.cli.runner`).

Every user error ends as one line ``keystoretool error: <message>`` on stderr
and exit status 1; warnings collected during the run are printed at the end,
as keytool does. A traceback is only shown with KEYSTORETOOL_DEBUG=1.
"""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Sequence

from .common import Session, session, set_session
from .runner import run, run_guarded

__all__ = ["main", "run"]


def wants_json(argv: Sequence[str]) -> bool:
    """Whether the command line asks for JSON (``--json``, or ``-json`` in
    keytool's syntax)."""
    return any(a in ("--json", "-json") for a in argv)


def _json_error(argv: Sequence[str], exc: BaseException | None, message: str) -> None:
    """A failed --json command still prints one JSON document on stdout:
    the error object (the exit status is unchanged)."""
    if not wants_json(argv) or exc is None:
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
        outcome = run_guarded(argv)
        code = outcome.code
        if outcome.error is not None:
            s.err.write(f"keystoretool error: {outcome.error}\n")
            _json_error(argv, outcome.exc, outcome.error)
    except KeyboardInterrupt as exc:
        s.err.write("\nkeystoretool error: interrupted\n")
        _json_error(argv, exc, "interrupted")
        code = 130
    except BrokenPipeError:
        code = 1
    finally:
        try:
            s.out.flush()
        except BrokenPipeError:
            pass
    return code
