"""``keystoretool batch``: many commands, one process.

A batch file holds one command a line, in keytool's syntax or the native one,
without the program name::

    # rotate the client alias everywhere
    -changealias -alias old -destalias new -keystore a.jks -storepass:env PW
    delete --alias tmp --keystore b.p12 --storepass:file pw.txt

Blank lines and ``#`` comments are ignored; words are split as a POSIX shell
does (quotes, backslashes; ``#`` starts a comment only at the start of a
word); a line ending in a backslash continues on the next. Every line runs
through the same code path as a single command (same checks, messages,
locking and atomic writes), in a fresh session whose prompts are errors:
passwords come from literals, ``:env`` or ``:file``.

By default the batch stops at the first failing line (``keystoretool error:
line N: ...``); later lines are not run, their files are not touched, and one
line on stderr names them (``--json``: ``"skipped": true``). ``--keep-going``
runs every line. ``--json`` prints one JSON object per line. ``--jobs N``
runs lines that touch different files in parallel processes; lines that name
a common file keep their order. Every option that names a file counts
(keystores, ``-file``, ``--out``, ``--certout``, ``--keyout``, ``--key``,
``--cert``, ``--add``, ``--cafile`` ...: the options declared
``Opt(path=True)``), by resolved path, and so does the default keystore of a
line that names none. Each line's output is captured and printed in line
order. With ``--jobs``, a failure stops the later lines of its own group
(the lines sharing a file with it, transitively) and no others, so which
lines run never depends on timing.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Annotated, Any

from ..errors import KeystoreToolError
from . import shellwords
from .options import Opt


@dataclass
class Line:
    """One command of a batch: its (first) line number, text and words."""

    number: int
    text: str
    argv: list[str] | None = None
    error: str | None = None  # a quoting error: the line fails when its turn comes


@dataclass
class LineResult:
    """What running one line did."""

    line: int
    command: str
    ok: bool
    exit_code: int | None = None
    error: str | None = None
    skipped: bool = False
    written: list[str] = field(default_factory=list)
    changes: list[dict[str, Any]] = field(default_factory=list)
    entries_affected: int = 0
    stdout: str = ""
    stderr: str = ""

    #: the failed line that stopped this one (skipped lines only; not in JSON,
    #: whose ``error`` says "not run: line N failed")
    stopped_by: int = field(default=0, repr=False)

    def to_json(self) -> str:
        from ..jsondoc import document

        data = asdict(self)
        del data["stopped_by"]
        return json.dumps(document("batch", **data), ensure_ascii=False)


# ---------------------------------------------------------------------------
# reading the batch


def _strip_comment(text: str, literal_backslash: bool) -> str:
    """Cut a ``#`` comment: an unquoted ``#`` at the start of a word."""
    quote: str | None = None
    escaped = False
    for i, ch in enumerate(text):
        if escaped:
            escaped = False
        elif ch == "\\" and quote != "'" and not literal_backslash:
            escaped = True
        elif quote is not None:
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (i == 0 or text[i - 1].isspace()):
            return text[:i]
    return text


def parse_lines(text: str) -> list[Line]:
    """The commands of a batch text, with their line numbers."""
    lines: list[Line] = []
    pending: list[str] = []
    start = 0
    literal = shellwords.literal_backslash_default()
    for number, raw in enumerate(text.splitlines(), start=1):
        if not pending:
            start = number
            if raw.lstrip().startswith("#"):
                continue  # a comment line (even one ending in a backslash)
        if raw.endswith("\\") and not raw.endswith("\\\\"):
            pending.append(raw[:-1])
            continue
        pending.append(raw)
        joined = "".join(pending)
        pending = []
        body = _strip_comment(joined, literal).strip()
        if not body:
            continue
        line = Line(start, body)
        try:
            line.argv = shellwords.split(body, literal_backslash=literal)
        except ValueError as exc:  # "No closing quotation", "No escaped character"
            line.error = f"cannot split the line into words: {exc}"
        else:
            if line.argv and line.argv[0] in ("keystoretool", "keytool"):
                del line.argv[0]  # tolerate a pasted program name
        lines.append(line)
    if pending:
        body = _strip_comment("".join(pending), literal).strip()
        if body:
            lines.append(Line(start, body, error="the last line ends with a backslash"))
    return lines


def read_batch(source: str) -> list[Line]:
    """Read a batch file (``-``: standard input)."""
    from ..storage import MAX_INPUT_SIZE

    if source == "-":
        import sys

        data = sys.stdin.buffer.read(MAX_INPUT_SIZE + 1)
    else:
        try:
            with open(source, "rb") as fh:
                data = fh.read(MAX_INPUT_SIZE + 1)
        except FileNotFoundError as exc:
            raise KeystoreToolError(f"{source} (No such file or directory)") from exc
        except IsADirectoryError as exc:
            raise KeystoreToolError(f"{source} (Is a directory)") from exc
        except OSError as exc:
            raise KeystoreToolError(f"{source} ({exc.strerror})") from exc
    if len(data) > MAX_INPUT_SIZE:
        shown = "standard input" if source == "-" else source
        raise KeystoreToolError(f"{shown} (File too large: more than {MAX_INPUT_SIZE:,} bytes; "
                                "a batch is read whole and the limit is 16 MiB)")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    return parse_lines(text)


# ---------------------------------------------------------------------------
# which files a line touches (for --jobs)


def touched_paths(argv: Sequence[str]) -> set[str]:
    """Resolved paths of every file a command line names.

    Which options name files is declared on the options themselves
    (``Opt(path=True)``: keystores, ``-file``, ``--out``, ``--key``, ``--cert``
    ...), so a new file option is ordered with no change here. A command that
    uses a keystore but names none touches keytool's default ``~/.keystore``
    (or the JDK's cacerts with ``-cacerts``). A line that cannot be parsed
    touches nothing (it fails without opening any file).
    """
    from .common import cacerts_path, default_keystore
    from .keytool_argv import canonical

    found = _command_and_files(argv)
    if found is None:
        return set()
    func, paths, given = found
    uses_keystore = [p.name for p in _params(func)
                     if canonical(p.opt.names[0][2:]) == "keystore"]
    if uses_keystore and not given & set(uses_keystore):
        if "cacerts" in given:
            with contextlib.suppress(KeystoreToolError):  # no cacerts: the line fails
                paths.append(cacerts_path())
        else:
            paths.append(default_keystore())
    return {os.path.realpath(p) for p in paths if p}


def _params(func: Any) -> list[Any]:
    from .registry import params

    return params(func)


def _command_and_files(argv: Sequence[str]) -> tuple[Any, list[str], set[str]] | None:
    """(command function, the values of its file options, the parameters
    given) for a line in either syntax; None when the line runs no command."""
    from . import keytool_argv
    from .registry import find_command

    paths: list[str] = []
    given: set[str] = set()
    if keytool_argv.is_mixed_syntax(argv):  # as the runner reads it
        argv = ["-" + argv[0], *argv[1:]]
    if keytool_argv.is_keytool_syntax(argv):
        try:
            parsed = keytool_argv.parse(argv)
            func = find_command(parsed.command) if parsed.command else None
        except KeystoreToolError:  # the line fails without opening any file
            return None
        if func is None:
            return None
        for p in _params(func):
            for long_name in (n[2:] for n in p.opt.names if n.startswith("--")):
                got = [v for v in parsed.options.get(keytool_argv.canonical(long_name), [])]
                if not got:
                    continue
                given.add(p.name)
                if p.opt.path:
                    values = [v for v in got if isinstance(v, str)]
                    paths.extend(values if p.kind is list else values[-1:])
        return func, paths, given
    if not argv or argv[0].startswith("-") or argv[0] == "batch":
        return None  # (a nested batch is refused when its line runs)
    try:
        func = find_command(argv[0])
    except KeystoreToolError:  # a keytool command keystoretool does not implement
        return None
    if func is None:
        return None
    by_name = {name: p for p in _params(func) for name in p.opt.names}
    positional = next((p for p in _params(func) if p.opt.positional), None)
    i = 1
    while i < len(argv):
        name, eq, value = argv[i].partition("=")
        p = by_name.get(name.split(":", 1)[0]) if name.startswith("-") else None
        if p is None and positional is not None and not name.startswith("-"):
            given.add(positional.name)  # expiry/diff's KEYSTORE...
            if positional.opt.path:
                paths.append(argv[i])
        elif p is not None:
            given.add(p.name)
            if p.kind is not bool:
                if not eq:
                    if i + 1 >= len(argv):
                        break
                    i += 1
                    value = argv[i]
                if p.opt.path:
                    paths.append(value)
        i += 1
    return func, paths, given


def plan_groups(lines: Sequence[Line]) -> list[list[Line]]:
    """Lines that share a file, transitively, in one group (in line order);
    groups ordered by their first line."""
    parent = list(range(len(lines)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[str, int] = {}
    for i, line in enumerate(lines):
        for path in touched_paths(line.argv or []):
            if path in owner:
                a, b = find(owner[path]), find(i)
                if a != b:
                    parent[max(a, b)] = min(a, b)
            else:
                owner[path] = i
    groups: dict[int, list[Line]] = {}
    for i, line in enumerate(lines):
        groups.setdefault(find(i), []).append(line)
    return [groups[k] for k in sorted(groups)]


# ---------------------------------------------------------------------------
# running lines


def _message(number: int, text: str) -> str:
    prefix = f"line {number}: "
    return text[len(prefix):] if text.startswith(prefix) else text


def run_line(line: Line) -> LineResult:
    """Run one line as a single command would run (the same guarded runner),
    its output captured; what it changed is what the saves of its session
    report."""
    from .common import Session, session, set_session
    from .passwords import Prompter
    from .runner import run_guarded

    result = LineResult(line=line.number, command=_shown(line), ok=False)
    if line.error is not None or not line.argv:
        result.error = line.error or "empty command"
        result.exit_code = 1
        return result
    out, err = io.StringIO(), io.StringIO()
    prompter = Prompter(err=err)
    prompter.batch_line = f"line {line.number}"
    outer = session()
    line_session = Session(out=out, err=err, prompter=prompter)
    set_session(line_session)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            outcome = run_guarded(line.argv)
    finally:
        set_session(outer)
    code = outcome.code
    if outcome.error is not None:
        result.error = _message(line.number, outcome.error)
    result.exit_code = code
    result.ok = result.error is None and code == 0
    if result.error is None and code != 0:
        result.error = _exit_meaning(line.argv, code)
    result.stdout, result.stderr = out.getvalue(), err.getvalue()
    _scrub_secrets(result, line.argv)
    result.changes = [asdict(c) for c in line_session.changes]
    result.written = list(dict.fromkeys(c.keystore for c in line_session.changes))
    result.entries_affected = sum(c.entries_affected for c in line_session.changes)
    return result


#: Commands whose exit status 2 is a finding, not an error (what it means).
_FINDINGS = {
    "chain": "the chain has problems (exit status 2)",
    "check": "the keystore has problems (exit status 2)",
    "probe": "the server rejected the client certificate (exit status 2)",
    "expiry": "certificates expire within the window (exit status 2)",
    "diff": "the keystores differ (exit status 2)",
}


def _exit_meaning(argv: Sequence[str], code: int) -> str:
    """What a line's non-zero exit status means, for the text report."""
    if code == 2 and argv:
        name = argv[0].lstrip("-").lower()
        if name in _FINDINGS:
            return _FINDINGS[name]
    return f"exit status {code}"


def _labelled(r: LineResult) -> str:
    """A line's standard output under a header naming its line (text mode)."""
    return f"--- line {r.line}: {r.command}\n{r.stdout}"


def _scrub_secrets(result: LineResult, argv: Sequence[str]) -> None:
    """Literal passwords of the line never appear in what is reported about it
    (an error may quote a word: ``Illegal option:  WORD``)."""
    from .secrets import literal_secrets, scrub

    found = literal_secrets(argv)
    if found:
        result.stderr = scrub(result.stderr, found)
        if result.error is not None:
            result.error = scrub(result.error, found)


def _shown(line: Line) -> str:
    from .secrets import shown, shown_text

    return shown(line.argv) if line.argv else shown_text(line.text)


def _skipped(line: Line, failed_at: int) -> LineResult:
    return LineResult(line=line.number, command=_shown(line), ok=False, skipped=True,
                      error=f"not run: line {failed_at} failed", stopped_by=failed_at)


def _run_group(lines: Sequence[Line], keep_going: bool) -> list[LineResult]:
    """Run lines in order; unless ``keep_going``, a failing line stops the
    rest of them (reported as skipped). With ``--jobs`` this runs in a worker
    process, once per group of lines that share a file: what a failure stops
    depends only on the batch, never on timing."""
    results: list[LineResult] = []
    failed_at: int | None = None
    for line in lines:
        if failed_at is not None:
            results.append(_skipped(line, failed_at))
            continue
        result = run_line(line)
        results.append(result)
        if not result.ok and not keep_going:
            failed_at = line.number
    return results


class _Printer:
    """Prints results in line order as they become available."""

    def __init__(self, lines: Sequence[Line], as_json: bool) -> None:
        from .common import session

        s = session()
        self.out, self.err = s.out, s.err
        self.order = [line.number for line in lines]
        self.next = 0
        self.pending: dict[int, LineResult] = {}
        self.as_json = as_json
        self.failed: list[int] = []
        self.skipped: list[LineResult] = []

    def add(self, result: LineResult) -> None:
        self.pending[result.line] = result
        while self.next < len(self.order) and self.order[self.next] in self.pending:
            self._print(self.pending.pop(self.order[self.next]))
            self.next += 1

    def _print(self, r: LineResult) -> None:
        if r.skipped:
            self.skipped.append(r)
        elif not r.ok:
            self.failed.append(r.line)
        if self.as_json:
            self.out.write(r.to_json() + "\n")
            self.out.flush()
            return
        if r.stdout:
            self.out.write(_labelled(r))
            self.out.flush()
        if r.stderr:
            self.err.write(r.stderr)
        if not r.ok and not r.skipped:
            if r.stderr and not r.stderr.endswith("\n"):
                self.err.write("\n")  # the error on a line of its own
            self.err.write(f"keystoretool error: line {r.line}: {r.error}\n")
        self.err.flush()


    def report_skipped(self) -> None:
        """One stderr line per failure that stopped later lines, naming them
        (in --json they are the objects with ``"skipped": true``)."""
        if self.as_json or not self.skipped:
            return
        by_failure: dict[int, list[int]] = {}
        for r in self.skipped:
            by_failure.setdefault(r.stopped_by, []).append(r.line)
        for failed_at, numbers in by_failure.items():
            self.err.write(f"keystoretool: not run because line {failed_at} failed: "
                           f"{_line_list(numbers)}\n")
        self.err.flush()


def _line_list(numbers: list[int]) -> str:
    """``lines 4-6, 9`` / ``line 4``."""
    spans: list[list[int]] = []
    for n in sorted(numbers):
        if spans and n == spans[-1][1] + 1:
            spans[-1][1] = n
        else:
            spans.append([n, n])
    text = ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in spans)
    return f"line{'s' if len(numbers) > 1 else ''} {text}"


def run_batch(lines: Sequence[Line], *, keep_going: bool = False, jobs: int = 1,
              as_json: bool = False) -> list[int]:
    """Run a batch, printing each line's output in line order; returns the
    numbers of the lines that failed."""
    from .common import jks_warning_once

    printer = _Printer(lines, as_json)
    if jobs > 1 and not can_fork():
        jobs = 1  # Windows: no fork; the lines run one after another, as with --jobs 1
    groups = plan_groups(lines) if jobs > 1 else [list(lines)]
    # keytool's JKS warning once per keystore, not once per line (a keystore's
    # lines are all in one group, so with --jobs too)
    with jks_warning_once():
        if jobs > 1 and len(groups) > 1:
            _run_parallel(groups, printer, keep_going=keep_going,
                          jobs=min(jobs, len(groups)))
        else:
            for result in _run_group(lines, keep_going):
                printer.add(result)
    printer.report_skipped()
    return printer.failed


def can_fork() -> bool:
    """Whether worker processes can be forked (not on Windows)."""
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()


def _run_parallel(groups: list[list[Line]], printer: _Printer, *, keep_going: bool,
                  jobs: int) -> None:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    ctx = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx) as pool:
        futures = [pool.submit(_run_group, group, keep_going) for group in groups]
        for future in as_completed(futures):
            for result in future.result():
                printer.add(result)


# ---------------------------------------------------------------------------
# the command

_active = False

KEEP_GOING_HELP = "run every line even after one fails (default: stop at the first failure)"
JSON_HELP = ("one JSON object per line: schema_version, kind, line, command (every secret "
             "as ****), ok, "
             "exit_code, error, skipped, written, changes, entries_affected, stdout, stderr")
JOBS_HELP = ("run lines touching different files in N processes; lines naming a common file "
             "keep their order (a failure stops the later lines that share a file with it)")
FILE_HELP = "file of commands, one a line; - (default): standard input"


CHECK_HELP = ("only check the batch: parse every line, its command and options, password "
              "sources and input files (except files an earlier line writes); run nothing")
NO_CHECK_HELP = "run without checking every line first (a bad line fails when its turn comes)"


def batch(
    file: Annotated[str, Opt("--file", help=FILE_HELP, positional=True, path=True)] = "-",
    keep_going: Annotated[bool, Opt("--keep-going", help=KEEP_GOING_HELP)] = False,
    json_: Annotated[bool, Opt("--json", help=JSON_HELP)] = False,
    jobs: Annotated[int, Opt("--jobs", "-j", help=JOBS_HELP)] = 1,
    check: Annotated[bool, Opt("--check", help=CHECK_HELP)] = False,
    no_check: Annotated[bool, Opt("--no-check", help=NO_CHECK_HELP)] = False,
) -> int:
    """Runs many commands in one process, one a line, in either syntax.

    Lines have no program name; blank lines and # comments are ignored; words
    are split as by a shell. Passwords come from literals, :env or :file (a
    prompt is an error naming the line). Every line is checked before the
    first runs (--check: only that); a problem stops the batch before any
    file changes. Stops at the first failing line unless --keep-going; exit
    status 1 if any line failed.

    Example: keystoretool batch --json rotate.txt  (rotate.txt holding e.g.
    "-changealias -alias old -destalias new -keystore a.jks -storepass:env PW";
    keytool syntax: keystoretool -batch -file rotate.txt -json)
    """
    global _active
    if _active:
        raise KeystoreToolError("batch cannot be run from a batch line")
    if jobs < 1:
        raise KeystoreToolError("--jobs must be at least 1")
    if check and no_check:
        raise KeystoreToolError("--check and --no-check exclude each other")
    lines = read_batch(file)
    if not no_check:
        from .batch_check import report

        if not report(lines, as_json=json_, only_check=check):
            return 1
        if check:
            return 0
    _active = True
    try:
        failed = run_batch(lines, keep_going=keep_going, jobs=jobs, as_json=json_)
    finally:
        _active = False
    return 1 if failed else 0


COMMANDS = {"batch": batch}
