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
line N: ...``); later lines are not run and their files are not touched.
``--keep-going`` runs every line. ``--json`` prints one JSON object per line.
``--jobs N`` runs lines that touch different files in parallel processes;
lines that name a common file (``-keystore``, ``-destkeystore``,
``-srckeystore``, ``-file``, ``-infile``, ``-outfile``, by resolved path) keep
their order. Each line's output is captured and printed in line order. With
``--jobs``, a failure stops every line not yet started; lines of other files
that were already running finish (and are reported).
"""

# No ``from __future__ import annotations`` here: the FILE argument's typer
# annotation (built in ``_typer_command``) must be a real object for
# cli/app.py to hand it to typer.

import contextlib
import io
import json
import os
import shlex
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from typing import Annotated, Any

from ..errors import KeystoreToolError
from .options import Opt

#: Commands that read or write no keystore (so no default ~/.keystore either).
_NO_KEYSTORE = {"printcert", "printcertreq", "printcrl", "showinfo", "version", "help"}
#: Options whose value is a file a line reads or writes.
_PATH_OPTIONS = ("keystore", "destkeystore", "srckeystore", "file", "infile", "outfile",
                 "prometheus-file")


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

    def to_json(self) -> str:
        data = asdict(self)
        return json.dumps(data, ensure_ascii=False)


# ---------------------------------------------------------------------------
# reading the batch


def _strip_comment(text: str) -> str:
    """Cut a ``#`` comment: an unquoted ``#`` at the start of a word."""
    quote: str | None = None
    escaped = False
    for i, ch in enumerate(text):
        if escaped:
            escaped = False
        elif ch == "\\" and quote != "'":
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
        body = _strip_comment(joined).strip()
        if not body:
            continue
        line = Line(start, body)
        try:
            line.argv = shlex.split(body)
        except ValueError as exc:  # "No closing quotation", "No escaped character"
            line.error = f"cannot split the line into words: {exc}"
        else:
            if line.argv and line.argv[0] in ("keystoretool", "keytool"):
                del line.argv[0]  # tolerate a pasted program name
        lines.append(line)
    if pending:
        body = _strip_comment("".join(pending)).strip()
        if body:
            lines.append(Line(start, body, error="the last line ends with a backslash"))
    return lines


_MASK = "****"


def masked(argv: Sequence[str]) -> str:
    """A command line for reports: literal passwords shown as ``****``
    (``:env``/``:file`` sources are not secret and stay)."""
    from .keytool_argv import PASSWORD_OPTIONS, collate

    secret = {collate(name) for name in PASSWORD_OPTIONS}
    out = list(argv)
    for i, arg in enumerate(argv):
        if not arg.startswith("-"):
            continue
        name, eq, _ = arg.lstrip("-").partition("=")
        if ":" in name or collate(name) not in secret:
            continue
        if eq:
            out[i] = arg[: arg.index("=") + 1] + _MASK
        elif i + 1 < len(out):
            out[i + 1] = _MASK
    return " ".join(a if a == _MASK or (a.endswith(_MASK) and shlex.quote(a[:-4]) == a[:-4])
                    else shlex.quote(a)
                    for a in out)


def read_batch(source: str) -> list[Line]:
    """Read a batch file (``-``: standard input)."""
    if source == "-":
        import sys

        data = sys.stdin.buffer.read()
    else:
        try:
            with open(source, "rb") as fh:
                data = fh.read()
        except FileNotFoundError as exc:
            raise KeystoreToolError(f"{source} (No such file or directory)") from exc
        except IsADirectoryError as exc:
            raise KeystoreToolError(f"{source} (Is a directory)") from exc
        except OSError as exc:
            raise KeystoreToolError(f"{source} ({exc.strerror})") from exc
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    return parse_lines(text)


# ---------------------------------------------------------------------------
# which files a line touches (for --jobs)


def touched_paths(argv: Sequence[str]) -> set[str]:
    """Resolved paths of the files a command line names (keystores, -file ...).

    A command that uses a keystore but names none touches keytool's default
    ``~/.keystore``. A line that cannot be parsed touches nothing (it fails
    without opening any file).
    """
    from . import keytool_argv
    from .common import default_keystore

    values: dict[str, list[str]] = {}
    command: str | None = None
    if keytool_argv.is_keytool_syntax(argv):
        try:
            parsed = keytool_argv.parse(argv)
        except KeystoreToolError:
            return set()
        command = parsed.command
        many = keytool_argv.REPEATABLE_FOR.get(command or "", set())
        for name in _PATH_OPTIONS:
            key = keytool_argv.canonical(name)
            got = [v for v in parsed.options.get(key, []) if isinstance(v, str)]
            if got:
                values.setdefault(key, []).extend(got if key in many else got[-1:])
    else:
        i = 0
        value_next = False  # the previous word was an option that takes a value
        while i < len(argv):
            arg = argv[i]
            if not arg.startswith("-"):
                if command is None:
                    command = arg
                elif command in keytool_argv.REPEATABLE_FOR and not value_next:
                    values.setdefault("keystore", []).append(arg)  # expiry/diff's KEYSTORE...
                value_next = False
            elif arg.startswith("--"):
                name, eq, value = arg[2:].partition("=")
                name = name.split(":", 1)[0]
                value_next = not eq and name not in keytool_argv.FLAG_OPTIONS
                if name in _PATH_OPTIONS:
                    value_next = False
                    if not eq:
                        if i + 1 >= len(argv):
                            break
                        value = argv[i + 1]
                        i += 1
                    key = keytool_argv.canonical(name)
                    values.setdefault(key, []).append(value)
            i += 1
    paths = {p for vs in values.values() for p in vs}
    if command is not None and command not in _NO_KEYSTORE and "keystore" not in values:
        paths.add(default_keystore())
    return {os.path.realpath(p) for p in paths if p}


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
# what a line changed: observed where keystores are loaded and saved

_current_changes: list[dict[str, Any]] | None = None
_snapshots: dict[int, tuple[Any, dict[str, tuple[str, Any]]]] = {}


def _snapshot(ks: Any) -> dict[str, tuple[str, Any]]:
    return {key: (entry.alias, entry) for key, entry in ks.items()}


def _diff(path: str, before: dict[str, tuple[str, Any]],
          after: dict[str, tuple[str, Any]]) -> dict[str, Any]:
    """Entries a save changed, by alias and entry identity."""
    b_ids = {id(e): (k, a) for k, (a, e) in before.items()}
    a_ids = {id(e): (k, a) for k, (a, e) in after.items()}
    renamed = [{"from": b_ids[i][1], "to": a_ids[i][1]}
               for i in b_ids.keys() & a_ids.keys() if b_ids[i][0] != a_ids[i][0]]
    gone = [b_ids[i] for i in b_ids.keys() - a_ids.keys()]
    new = [a_ids[i] for i in a_ids.keys() - b_ids.keys()]
    removed = sorted(a for k, a in gone if k not in after)
    replaced = sorted(a for k, a in new if k in before)
    added = sorted(a for k, a in new if k not in before)
    renamed.sort(key=lambda r: r["from"])
    return {"keystore": path, "added": added, "removed": removed, "renamed": renamed,
            "replaced": replaced}


@contextlib.contextmanager
def _observe_keystores() -> Iterator[None]:
    """Note each keystore's entries when loaded and what changed when saved."""
    from ..model import Keystore

    loads = Keystore.__dict__["loads"]
    save = Keystore.__dict__["save"]

    def observed_loads(cls: Any, *args: Any, **kwargs: Any) -> Any:
        ks = loads.__func__(cls, *args, **kwargs)
        if _current_changes is not None:
            _snapshots[id(ks)] = (ks, _snapshot(ks))
        return ks

    def observed_save(self: Any, *args: Any, **kwargs: Any) -> None:
        save(self, *args, **kwargs)
        if _current_changes is not None:
            after = _snapshot(self)
            _, before = _snapshots.get(id(self), (None, {}))
            _snapshots[id(self)] = (self, after)
            _current_changes.append(_diff(str(self.path), before, after))

    setattr(Keystore, "loads", classmethod(observed_loads))  # noqa: B010
    setattr(Keystore, "save", observed_save)  # noqa: B010
    try:
        yield
    finally:
        setattr(Keystore, "loads", loads)  # noqa: B010
        setattr(Keystore, "save", save)  # noqa: B010


# ---------------------------------------------------------------------------
# running lines


def _message(number: int, text: str) -> str:
    prefix = f"line {number}: "
    return text[len(prefix):] if text.startswith(prefix) else text


def run_line(line: Line) -> LineResult:
    """Run one line as a single command would run, its output captured."""
    global _current_changes
    from .common import Session, session, set_session
    from .main import run
    from .passwords import Prompter

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
    changes: list[dict[str, Any]] = []
    _current_changes = changes
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = run(line.argv)
            except KeystoreToolError as exc:
                line_session.flush_warnings()
                result.error = _message(line.number, str(exc))
                code = exc.exit_code
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
            except (KeyboardInterrupt, MemoryError):
                raise
            except Exception as exc:  # a bug: one line, as for a single command
                if os.environ.get("KEYSTORETOOL_DEBUG"):
                    raise
                result.error = (f"internal error ({type(exc).__name__}: {exc}); "
                                "set KEYSTORETOOL_DEBUG=1 for details")
                code = 1
            else:
                line_session.flush_warnings()
    finally:
        _current_changes = None
        _snapshots.clear()
        set_session(outer)
    result.exit_code = code
    result.ok = result.error is None and code == 0
    if result.error is None and code != 0:
        result.error = f"exit status {code}"
    result.stdout, result.stderr = out.getvalue(), err.getvalue()
    result.changes = changes
    result.written = list(dict.fromkeys(c["keystore"] for c in changes))
    result.entries_affected = sum(
        len(c["added"]) + len(c["removed"]) + len(c["renamed"]) + len(c["replaced"])
        for c in changes)
    return result


def _shown(line: Line) -> str:
    return masked(line.argv) if line.argv else line.text


def _skipped(line: Line, failed_at: int) -> LineResult:
    return LineResult(line=line.number, command=_shown(line), ok=False, skipped=True,
                      error=f"not run: line {failed_at} failed")


#: Worker-process state for --jobs (set by the pool initializer).
_first_failure: Any = None
_keep_going = True


def _init_worker(first_failure: Any, keep_going: bool) -> None:
    global _first_failure, _keep_going
    _first_failure, _keep_going = first_failure, keep_going


def _run_group(lines: list[Line]) -> list[LineResult]:
    """Run a group's lines in order (in a worker process)."""
    results: list[LineResult] = []
    for line in lines:
        failed_at = _first_failure.value
        if not _keep_going and failed_at < line.number:
            results.append(_skipped(line, failed_at))
            continue
        result = run_line(line)
        if not result.ok and not _keep_going:
            with _first_failure.get_lock():
                _first_failure.value = min(_first_failure.value, line.number)
        results.append(result)
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

    def add(self, result: LineResult) -> None:
        self.pending[result.line] = result
        while self.next < len(self.order) and self.order[self.next] in self.pending:
            self._print(self.pending.pop(self.order[self.next]))
            self.next += 1

    def _print(self, r: LineResult) -> None:
        if not r.ok and not r.skipped:
            self.failed.append(r.line)
        if self.as_json:
            self.out.write(r.to_json() + "\n")
            self.out.flush()
            return
        if r.stdout:
            self.out.write(r.stdout)
            self.out.flush()
        if r.stderr:
            self.err.write(r.stderr)
        if not r.ok and not r.skipped:
            if r.stderr and not r.stderr.endswith("\n"):
                self.err.write("\n")  # the error on a line of its own
            self.err.write(f"keystoretool error: line {r.line}: {r.error}\n")
        self.err.flush()


def run_batch(lines: Sequence[Line], *, keep_going: bool = False, jobs: int = 1,
              as_json: bool = False) -> list[int]:
    """Run a batch, printing each line's output in line order; returns the
    numbers of the lines that failed."""
    printer = _Printer(lines, as_json)
    groups = plan_groups(lines) if jobs > 1 else [list(lines)]
    with _observe_keystores():
        if jobs > 1 and len(groups) > 1:
            _run_parallel(groups, printer, keep_going=keep_going,
                          jobs=min(jobs, len(groups)))
        else:
            failed_at: int | None = None
            for line in lines:
                if failed_at is not None:
                    printer.add(_skipped(line, failed_at))
                    continue
                result = run_line(line)
                printer.add(result)
                if not result.ok and not keep_going:
                    failed_at = line.number
    return printer.failed


def _run_parallel(groups: list[list[Line]], printer: _Printer, *, keep_going: bool,
                  jobs: int) -> None:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    ctx = multiprocessing.get_context("fork")
    first_failure = ctx.Value("q", 1 << 62)
    with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_init_worker,
                             initargs=(first_failure, keep_going)) as pool:
        futures = [pool.submit(_run_group, group) for group in groups]
        for future in as_completed(futures):
            for result in future.result():
                printer.add(result)


# ---------------------------------------------------------------------------
# the command

_active = False

KEEP_GOING_HELP = "run every line even after one fails (default: stop at the first failure)"
JSON_HELP = ("one JSON object per line: line, command (literal passwords as ****), ok, "
             "exit_code, error, skipped, written, changes, entries_affected, stdout, stderr")
JOBS_HELP = ("run lines touching different files in N processes; lines naming a common file "
             "keep their order (after a failure, lines not yet started are not run)")
FILE_HELP = "file of commands, one a line; - (default): standard input"


def batch(file: str = "-", keep_going: bool = False, json_: bool = False, jobs: int = 1) -> int:
    """Runs many commands in one process, one a line, in either syntax.

    Lines have no program name; blank lines and # comments are ignored; words
    are split as by a shell. Passwords come from literals, :env or :file (a
    prompt is an error naming the line). Stops at the first failing line
    unless --keep-going; exit status 1 if any line failed.

    Example: keystoretool batch --json rotate.txt  (rotate.txt holding e.g.
    "-changealias -alias old -destalias new -keystore a.jks -storepass:env PW")
    """
    global _active
    if _active:
        raise KeystoreToolError("batch cannot be run from a batch line")
    if jobs < 1:
        raise KeystoreToolError("--jobs must be at least 1")
    lines = read_batch(file)
    _active = True
    try:
        failed = run_batch(lines, keep_going=keep_going, jobs=jobs, as_json=json_)
    finally:
        _active = False
    return 1 if failed else 0


def parse_args(args: Sequence[str]) -> dict[str, Any] | None:
    """``batch``'s own arguments, read without typer (start-up time); None for
    anything else (help, mistakes), which typer then handles and explains."""
    kwargs: dict[str, Any] = {}
    i = 0
    while i < len(args):
        arg = args[i]
        name, eq, value = arg.partition("=")
        if arg == "--keep-going":
            kwargs["keep_going"] = True
        elif arg == "--json":
            kwargs["json_"] = True
        elif name in ("--jobs", "-j") and (eq or i + 1 < len(args)):
            if not eq:
                i += 1
                value = args[i]
            if not value.isdigit():
                return None
            kwargs["jobs"] = int(value)
        elif (arg == "-" or not arg.startswith("-")) and "file" not in kwargs:
            kwargs["file"] = arg
        else:
            return None
        i += 1
    return kwargs


def _typer_command() -> Any:
    """The batch command with typer's declarations (FILE is positional)."""
    import typer

    def batch_command(
        file: Annotated[str, typer.Argument(metavar="FILE|-", help=FILE_HELP,
                                            show_default=False)] = "-",
        keep_going: Annotated[bool, Opt("--keep-going", help=KEEP_GOING_HELP)] = False,
        json_: Annotated[bool, Opt("--json", help=JSON_HELP)] = False,
        jobs: Annotated[int, Opt("--jobs", "-j", help=JOBS_HELP)] = 1,
    ) -> int:
        return batch(file, keep_going, json_, jobs)

    batch_command.__doc__ = batch.__doc__
    return batch_command


def __getattr__(name: str) -> Any:
    """``COMMANDS`` is built on first use, so running a batch never imports typer."""
    if name == "COMMANDS":
        commands = {"batch": _typer_command()}
        globals()["COMMANDS"] = commands
        return commands
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
