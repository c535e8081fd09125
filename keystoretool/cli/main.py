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
    except KeyboardInterrupt:
        s.err.write("\nkeystoretool error: interrupted\n")
        code = 130
    except BrokenPipeError:
        code = 1
    finally:
        try:
            s.out.flush()
        except BrokenPipeError:
            pass
    return code
