"""What makes the CLI pleasant: --version, --help with examples, shell
completion, colours only on a terminal (never with NO_COLOR), and a progress
bar on stderr only when stderr is a terminal."""

from __future__ import annotations

import io
import os
import pty
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest
from interop import REPO_ROOT, fixture_path, run_cli

from keystoretool import __version__
from keystoretool.cli.common import Session, session, set_session
from keystoretool.cli.main import main
from keystoretool.cli.passwords import Prompter
from keystoretool.cli.progress import progress

ESC = b"\x1b["


def cli_env(extra: Mapping[str, str] | None = None, drop: tuple[str, ...] = ()) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_ROOT), env.get("PYTHONPATH")) if p)
    env.update(extra or {})
    return env


def run_on_terminal(args: list[str], env: Mapping[str, str], cwd: Path | None = None) -> bytes:
    """Run ``python -m keystoretool *args`` with stdin/stdout/stderr on a pseudo-terminal."""
    pid, fd = pty.fork()
    if pid == 0:  # child
        try:
            if cwd is not None:
                os.chdir(cwd)
            os.execve(sys.executable, [sys.executable, "-m", "keystoretool", *args], dict(env))
        finally:
            os._exit(127)
    out = bytearray()
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        out += chunk
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    assert os.waitstatus_to_exitcode(status) == 0, bytes(out)[-2000:]
    return bytes(out)


# --------------------------------------------------------------------------- version

@pytest.mark.parametrize("args", [["--version"], ["-version"], ["-Version"], ["-version", "-v"]])
def test_version_in_both_syntaxes(args: list[str]) -> None:
    proc = run_cli(args)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.decode() == f"keystoretool {__version__}\n"
    assert proc.stderr == b""


def test_version_matches_the_installed_metadata() -> None:
    from importlib.metadata import version

    assert version("keystoretool") == __version__


# --------------------------------------------------------------------------- help

def _command_names() -> list[str]:
    import typer.main

    from keystoretool.cli.app import build_app

    group = typer.main.get_command(build_app())
    return sorted(group.commands)  # type: ignore[attr-defined]


def test_top_level_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert "Usage: keystoretool" in out
    for name in _command_names():
        assert name in out


@pytest.mark.parametrize("name", _command_names())
def test_every_command_help_has_a_worked_example(
        name: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([name, "--help"]) == 0
    out = capsys.readouterr().out
    assert f"Usage: keystoretool {name}" in out
    found = re.search(r"Examples?:(.*?)(\n\s*\n|$)", out, re.S)
    assert found, f"{name} --help shows no example"
    assert f"keystoretool {name}" in found.group(1) or f"keystoretool -{name}" in found.group(1)


def test_keytool_syntax_help(capsys: pytest.CaptureFixture[str]) -> None:
    # keytool's layout, on stderr as keytool prints it (tests/test_cli_syntax.py)
    assert main(["-changealias", "-help"]) == 0
    err = capsys.readouterr().err
    assert err.startswith("keystoretool -changealias [OPTION]...") and "-destalias <alias>" in err


# --------------------------------------------------------------------------- completion

@pytest.mark.parametrize("shell,marker", [
    ("bash", "complete -o default -F _keystoretool_completion keystoretool"),
    ("zsh", "#compdef keystoretool"),
    ("fish", "complete --command keystoretool"),
])
def test_completion_script_generation(shell: str, marker: str) -> None:
    proc = run_cli([], env=cli_env({"_KEYSTORETOOL_COMPLETE": f"source_{shell}"}))
    assert proc.returncode == 0, proc.stderr
    assert marker in proc.stdout.decode()


def test_show_completion_option_non_interactive() -> None:
    env = cli_env({"_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"})
    proc = run_cli(["--show-completion", "bash"], env=env)
    assert proc.returncode == 0, proc.stderr
    assert "_keystoretool_completion()" in proc.stdout.decode()


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_bash_completion_completes_commands_and_options(tmp_path: Path) -> None:
    """The generated script, sourced in bash, completes command and option names."""
    launcher = tmp_path / "keystoretool"
    launcher.write_text(f"#!/bin/sh\nexec {sys.executable} -m keystoretool \"$@\"\n")
    launcher.chmod(0o755)
    script = run_cli([], env=cli_env({"_KEYSTORETOOL_COMPLETE": "source_bash"})).stdout
    (tmp_path / "completion.bash").write_bytes(script)
    probe = (
        "source completion.bash\n"
        "COMP_WORDS=(keystoretool chang); COMP_CWORD=1\n"
        "_keystoretool_completion ./keystoretool; echo \"A:${COMPREPLY[*]}\"\n"
        "COMP_WORDS=(keystoretool changealias --desta); COMP_CWORD=2\n"
        "_keystoretool_completion ./keystoretool; echo \"B:${COMPREPLY[*]}\"\n"
    )
    proc = subprocess.run(["bash", "-c", probe], cwd=tmp_path, env=cli_env(),
                          capture_output=True, timeout=120, check=False)
    out = proc.stdout.decode()
    assert "A:changealias" in out, (out, proc.stderr)
    assert "B:--destalias" in out, (out, proc.stderr)


# --------------------------------------------------------------------------- colours

def test_help_has_colours_on_a_terminal_only() -> None:
    env = cli_env({"TERM": "xterm-256color"}, drop=("NO_COLOR", "FORCE_COLOR", "PY_COLORS"))
    assert ESC in run_on_terminal(["--help"], env)  # a terminal: styled
    piped = run_cli(["--help"], env=env)
    assert piped.returncode == 0 and b"Usage" in piped.stdout
    assert ESC not in piped.stdout and ESC not in piped.stderr


@pytest.mark.parametrize("args", [["--help"], ["changealias", "--help"], ["batch", "--help"]])
def test_no_color_means_no_escape_codes_even_on_a_terminal(args: list[str]) -> None:
    env = cli_env({"TERM": "xterm-256color", "NO_COLOR": "1"}, drop=("FORCE_COLOR", "PY_COLORS"))
    out = run_on_terminal(args, env)
    assert b"Usage" in out
    assert ESC not in out


# --------------------------------------------------------------------------- progress

class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture()
def fake_session() -> Iterator[FakeTerminal]:
    err = FakeTerminal()
    old = session()
    set_session(Session(out=io.StringIO(), err=err, prompter=Prompter(err=err)))
    yield err
    set_session(old)


def test_progress_bar_on_a_terminal_keeps_lines_above_it(fake_session: FakeTerminal) -> None:
    with progress(200, "Importing") as tick:
        for i in range(200):
            session().info(f"Entry for alias a{i} successfully imported.")
            tick()
    text = fake_session.getvalue()
    assert "Importing [" in text and "200/200" in text
    # every line arrives whole, at the start of a line (the bar, if shown, is erased first)
    flat = text.replace(" " * 20, "")
    for i in (0, 99, 199):
        line = f"Entry for alias a{i} successfully imported.\n"
        assert f"\r{line}" in flat or f"imported.\n{line}" in flat
    assert text.endswith("\r") and text.rstrip("\r").endswith(" ")  # erased at the end
    assert session().err is fake_session  # stderr restored
    assert ESC.decode() not in text


def test_no_progress_bar_for_few_items_or_without_a_terminal(fake_session: FakeTerminal) -> None:
    with progress(50, "Importing") as tick:
        tick()
    assert fake_session.getvalue() == ""
    plain = io.StringIO()
    session().err = plain
    with progress(5000, "Importing") as tick:
        assert session().err is plain
        tick()
    assert plain.getvalue() == ""


def test_importkeystore_progress_only_when_stderr_is_a_terminal(tmp_path: Path) -> None:
    args = ["-importkeystore", "-srckeystore", str(fixture_path("p12/truststore500.p12")),
            "-srcstorepass", "changeit", "-deststorepass", "changeit", "-noprompt"]
    env = cli_env({"TERM": "xterm"}, drop=("NO_COLOR",))
    tty = run_on_terminal([*args, "-destkeystore", "t.p12"], env, cwd=tmp_path)
    assert b"Importing [" in tty and b"500/500" in tty
    assert b"Import command completed:  500 entries successfully imported" in tty
    piped = run_cli([*args, "-destkeystore", "p.p12"], cwd=tmp_path, env=env)
    assert piped.returncode == 0, piped.stderr
    assert b"Importing [" not in piped.stderr and b"\r" not in piped.stderr
    assert b"Import command completed:  500 entries successfully imported" in piped.stderr


def test_help_lists_version_and_completion_options(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for option in ("--version", "--install-completion", "--show-completion"):
        assert option in out
