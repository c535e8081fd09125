"""batch --jobs and batch input (issue 11, sections 9 and 6).

* Lines are ordered by every file they touch, as the option declarations say
  (``Opt(path=True)``), in both syntaxes: the issue's ``exportpem --out
  shared.pem`` then ``importpem --key shared.pem`` runs in order under
  ``--jobs 2``.
* After a failure, which lines ran does not depend on timing: a failure
  stops the later lines of its own group only. The test makes the timing
  hostile on purpose (the other group is held on a keystore lock by a helper
  process until the failure has been reported) and the outcome is the same.
  Skipped lines are reported.
* Batch lines are split in linear time, and batch files obey the 16 MiB
  input cap.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from interop import REPO_ROOT, fixture_path, run_cli

from keystoretool import Keystore, storage
from keystoretool.cli.cmd_batch import Line, parse_lines, plan_groups, touched_paths
from keystoretool.cli.registry import params

FORK = multiprocessing.get_context("fork")
P12 = "p12/two_keys_three_trusted.p12"  # changeit; client, server, interca, otherroot, rootca
PW = "changeit"


def _lines(*texts: str) -> list[Line]:
    return [Line(i + 1, t, shlex.split(t)) for i, t in enumerate(texts)]


def _groups(*texts: str) -> list[list[int]]:
    return [[ln.number for ln in g] for g in plan_groups(_lines(*texts))]


# --------------------------------------------------------------------------- what a line touches


def _path_options() -> list[tuple[str, str, bool]]:
    """(command, option, repeatable) for every option declared to name a file."""
    from keystoretool.cli import cmd_certs, cmd_core, cmd_extra

    out = []
    for module in (cmd_core, cmd_certs, cmd_extra):
        for name, func in module.COMMANDS.items():
            for p in params(func):
                if p.opt.path:
                    out.append((name, p.opt.names[0], p.kind is list))
    return out


def test_options_that_look_like_files_are_declared_so() -> None:
    """The guard that keeps a new file option (say ``-infile``/``-outfile`` of a
    future ``-gencert``) from running unordered under --jobs: an option whose
    name says it is a file must be declared ``Opt(path=True)``."""
    import re

    from keystoretool.cli import cmd_certs, cmd_core, cmd_extra

    file_like = re.compile(r"(\w*keystore|(in|out|ca|jar)?file|(cert|key)?out|key|cert|add)")
    for module in (cmd_core, cmd_certs, cmd_extra):
        for command, func in module.COMMANDS.items():
            for p in params(func):
                name = p.opt.names[0][2:]
                looks = p.kind is not bool and bool(file_like.fullmatch(name))
                assert p.opt.path == looks, (command, name)


def test_the_issue_s_file_options_are_declared() -> None:
    declared = {opt for _, opt, _ in _path_options()}
    assert {"--keystore", "--srckeystore", "--destkeystore", "--file", "--out", "--certout",
            "--keyout", "--cert", "--key", "--add", "--cafile"} <= declared


@pytest.mark.parametrize(("command", "option", "repeatable"), _path_options())
def test_every_declared_file_option_is_touched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               command: str, option: str,
                                               repeatable: bool) -> None:
    monkeypatch.chdir(tmp_path)
    target = os.path.realpath("target.file")
    native = [command, option, "target.file"]
    assert target in touched_paths(native)
    assert target in touched_paths([command, f"{option}=target.file"])
    if repeatable:
        assert os.path.realpath("two") in touched_paths([*native, option, "two"])
    keytool_style = [f"-{command}", f"-{option.lstrip('-')}", "target.file"]
    if command not in ("chain", "exportpem", "importpem", "probe", "check"):
        assert target in touched_paths(keytool_style)


def test_lines_sharing_any_file_are_one_group(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert _groups(
        "exportpem --keystore a.p12 --storepass x --alias a --out shared.pem --no-encrypt",
        "importpem --key shared.pem --keystore b.p12 --storepass x",
        "-list -keystore c.p12 -storepass x",
    ) == [[1, 2], [3]]
    assert _groups(
        "exportpem --keystore a.p12 --alias a --certout c.crt --keyout k.key --no-encrypt",
        "importpem --key k.key --cert x.crt --keystore b.p12",
        "-printcert -file c.crt",
        "chain --keystore e.p12 --alias a --add x.crt",
        "chain --keystore f.p12 --alias a --cafile ca.pem",
        "-printcert -file ca.pem",
        "-list -keystore d.p12",
    ) == [[1, 2, 3, 4], [5, 6], [7]]


def test_the_default_keystore_and_cacerts_count(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from keystoretool.cli.common import default_keystore

    monkeypatch.chdir(tmp_path)
    home = os.path.realpath(default_keystore())
    assert touched_paths(["-list"]) == {home}
    assert touched_paths(["-importkeystore", "-srckeystore", "a.p12"]) == {
        home, os.path.realpath("a.p12")}
    assert touched_paths(["-printcert", "-file", "c.pem"]) == {os.path.realpath("c.pem")}
    monkeypatch.setenv("JAVA_HOME", str(tmp_path / "jdk"))
    cacerts = tmp_path / "jdk" / "lib" / "security" / "cacerts"
    cacerts.parent.mkdir(parents=True)
    cacerts.write_bytes(b"")
    assert touched_paths(["-list", "-cacerts"]) == {os.path.realpath(cacerts)}
    # unparseable lines and nested batches touch nothing
    assert touched_paths(["-list", "-nosuchoption"]) == set()
    assert touched_paths(["batch", "b.txt"]) == set()


def test_export_then_import_of_one_pem_runs_in_order_with_jobs(tmp_path: Path) -> None:
    shutil.copyfile(fixture_path(P12), tmp_path / "a.p12")
    lines = []
    for i in range(6):  # other work, so the pool really runs in parallel
        shutil.copyfile(fixture_path(P12), tmp_path / f"o{i}.p12")
        lines.append(f"-changealias -alias server -destalias s{i} -keystore o{i}.p12 "
                     f"-storepass {PW}")
    lines.insert(1, f"exportpem --keystore a.p12 --storepass {PW} --alias client "
                    "--out shared.pem --no-encrypt")
    lines.insert(4, f"importpem --key shared.pem --alias imported --keystore new.p12 "
                    f"--storepass {PW}")
    (tmp_path / "b.txt").write_text("\n".join(lines) + "\n")
    proc = run_cli(["batch", "--jobs", "2", "b.txt"], cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr.decode()
    assert list(Keystore.load(tmp_path / "new.p12", PW).aliases()) == ["imported"]


# --------------------------------------------------------------------------- after a failure


def _hold_lock(path: str, ready: Any, release: Any) -> None:
    with storage.locked(path, timeout=30):
        ready.set()
        release.wait(120)


def _failure_batch(d: Path) -> None:
    for name in ("a.p12", "b.p12"):
        shutil.copyfile(fixture_path(P12), d / name)
    (d / "b.txt").write_text(
        f"-changealias -alias client -destalias a1 -keystore a.p12 -storepass {PW}\n"
        f"-delete -alias nope -keystore a.p12 -storepass {PW}\n"
        f"-changealias -alias server -destalias a3 -keystore a.p12 -storepass {PW}\n"
        f"-changealias -alias client -destalias b4 -keystore b.p12 -storepass {PW} "
        "-lock-timeout 120\n"
        f"-changealias -alias server -destalias b5 -keystore b.p12 -storepass {PW}\n")


def test_failure_stops_only_its_group_whatever_the_timing(tmp_path: Path) -> None:
    """Group b.p12 is held back by a lock until group a.p12 has failed and its
    failure has been printed: line 5, which starts after the failure, still
    runs, and line 3 (same file as the failure) does not."""
    _failure_batch(tmp_path)
    ready, release = FORK.Event(), FORK.Event()
    holder = FORK.Process(target=_hold_lock, args=(str(tmp_path / "b.p12"), ready, release))
    holder.start()
    try:
        assert ready.wait(30)
        env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
        proc = subprocess.Popen([sys.executable, "-m", "keystoretool", "batch", "-j", "2",
                                 "b.txt"], cwd=tmp_path, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=env)
        assert proc.stderr is not None
        first = proc.stderr.readline().decode()
        assert first == "keystoretool error: line 2: Alias <nope> does not exist\n"
        release.set()  # only now may the b.p12 lines go on
        out, rest = proc.communicate(timeout=120)
    finally:
        release.set()
        holder.join(30)
    assert proc.returncode == 1
    assert rest.decode() == "keystoretool: not run because line 2 failed: line 3\n"
    a = set(Keystore.load(tmp_path / "a.p12", PW).aliases())
    b = set(Keystore.load(tmp_path / "b.p12", PW).aliases())
    assert {"a1", "server"} <= a and "a3" not in a
    assert {"b4", "b5"} <= b


def test_without_jobs_every_later_line_is_skipped_and_reported(tmp_path: Path) -> None:
    _failure_batch(tmp_path)
    before = (tmp_path / "b.p12").read_bytes()
    proc = run_cli(["batch", "b.txt"], cwd=tmp_path)
    assert proc.returncode == 1
    assert proc.stderr.decode() == ("keystoretool error: line 2: Alias <nope> does not exist\n"
                                    "keystoretool: not run because line 2 failed: lines 3-5\n")
    assert (tmp_path / "b.p12").read_bytes() == before
    _failure_batch(tmp_path)
    proc = run_cli(["batch", "--json", "-j", "2", "b.txt"], cwd=tmp_path)
    rows = [json.loads(line) for line in proc.stdout.decode().splitlines()]
    assert [(r["line"], r["ok"], r["skipped"]) for r in rows] == [
        (1, True, False), (2, False, False), (3, False, True), (4, True, False),
        (5, True, False)]
    assert rows[2]["error"] == "not run: line 2 failed"
    assert proc.stderr == b""  # --json: the objects say it all


# --------------------------------------------------------------------------- batch input


def test_a_one_megabyte_line_is_split_in_linear_time(capsys: pytest.CaptureFixture[str]) -> None:
    """38 s on the old splitter; measured and printed, not asserted."""
    alias = "x" * 1_000_000
    text = f"-list -alias {alias} -keystore 'my store.p12' -storepass \"a\\\"b\"\n"
    start = time.perf_counter()
    [line] = parse_lines(text)
    elapsed = time.perf_counter() - start
    assert line.argv == ["-list", "-alias", alias, "-keystore", "my store.p12", "-storepass",
                         'a"b']
    with capsys.disabled():
        print(f"\n[batch] one 1 MB line split in {elapsed:.3f} s", flush=True)


def test_splitting_matches_shlex() -> None:
    import random

    from keystoretool.cli.shellwords import split

    rng = random.Random(9)
    alphabet = "ab '\"\\\t#\n$é"
    for _ in range(20_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14)))
        try:
            expected: object = shlex.split(text)
        except ValueError as exc:
            expected = ("error", str(exc))
        try:
            got: object = split(text)
        except ValueError as exc:
            got = ("error", str(exc))
        assert got == expected, text


def test_batch_files_obey_the_input_cap(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    with big.open("wb") as fh:
        fh.write(b"-list -keystore a.p12 -storepass changeit\n")
        fh.truncate(storage.MAX_INPUT_SIZE + 1)
    proc = run_cli(["batch", "big.txt"], cwd=tmp_path)
    assert (proc.returncode, proc.stdout) == (1, b"")
    assert proc.stderr.decode() == (
        "keystoretool error: big.txt (File too large: more than 16,777,216 bytes; a batch is "
        "read whole and the limit is 16 MiB)\n")
    proc = run_cli(["batch", "-"], cwd=tmp_path, stdin=big.read_bytes())
    assert proc.returncode == 1
    assert proc.stderr.decode().startswith("keystoretool error: standard input (File too large")
