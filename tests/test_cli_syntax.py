"""Both syntaxes for every command, keytool's help, did-you-mean, and help
text without typer's type noise (issue 15 section 2), all derived from the
one command table (cli/commands.py)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from interop import fixture_path, run_cli, run_keytool

from keystoretool.cli import commands

PW = "changeit"


@pytest.fixture
def jks(tmp_path: Path) -> Path:
    path = tmp_path / "all.jks"
    shutil.copy(fixture_path("kt17/all.jks"), path)
    return path


def test_help_lists_keytools_commands_in_keytools_layout() -> None:
    ours = run_cli(["-help"])
    assert ours.returncode == 0 and ours.stdout == b""
    theirs = run_keytool(["-help"])
    expected = theirs.stderr.decode().replace("keytool", "keystoretool")
    expected = expected.replace(
        "Use the -conf <url> option to specify a pre-configured options file.\n", "")
    text = ours.stderr.decode()
    # keytool's own block, byte for byte, then ours in the same layout
    head, _, extras = text.partition("Commands beyond keytool:\n\n")
    commands_block = expected.split("\nUse ")[0] + "\n"
    assert head == commands_block
    for name in ("chain", "check", "exportpem", "importpem", "probe", "expiry", "diff", "batch"):
        assert re.search(rf"^ -{name} +\S", extras, re.M), name
    assert text.endswith(expected[len(commands_block):])


@pytest.mark.parametrize("argv", [["-?"], ["-h", "-list"], ["-list", "-help"],
                                  ["-help", "-list"], ["-list", "--help"]])
def test_help_spellings(argv: list[str]) -> None:
    proc = run_cli(argv)
    assert proc.returncode == 0
    err = proc.stderr.decode()
    if argv == ["-?"]:
        assert err.startswith("Key and Certificate Management Tool\n")
    else:
        assert err.startswith("keystoretool -list [OPTION]...\n\nLists entries in a keystore\n\n"
                              "Options:\n\n")


def test_command_help_layout_matches_keytools_columns() -> None:
    err = run_cli(["-changealias", "-help"]).stderr.decode()
    options = err.split("Options:\n\n")[1].split("\n\n")[0].splitlines()
    assert " -alias <alias>" in err and " -destalias <alias>" in err
    assert " -storepass <arg>" in err and " -v " in err
    # one column for the help texts: the longest option plus two spaces
    lefts = [re.match(r" (\S+(?: <[^>]+>)?)( +)", line) for line in options]
    widths = {len(m.group(1)) + len(m.group(2)) for m in lefts if m}
    assert len(widths) == 1
    assert widths.pop() == max(len(m.group(1)) for m in lefts if m) + 2
    assert err.endswith('\nUse "keystoretool -?, -h, or --help" for this help message\n')


@pytest.mark.parametrize("name", [c.name for c in commands.TABLE
                                  if c.module is not None and not c.keytool])
def test_every_extra_has_keytool_syntax_help(name: str) -> None:
    proc = run_cli([f"-{name}", "-help"])
    assert proc.returncode == 0
    assert proc.stderr.decode().startswith(f"keystoretool -{name} [OPTION]...\n")


def test_exportpem_in_keytool_syntax(jks: Path, tmp_path: Path) -> None:
    out = tmp_path / "f.pem"
    proc = run_cli(["-exportpem", "-keystore", jks, "-alias", "eckey", "-storepass", PW,
                    "-no-encrypt", "-out", out])
    assert proc.returncode == 0, proc.stderr
    text = out.read_text()
    assert text.startswith("-----BEGIN PRIVATE KEY-----") and "BEGIN CERTIFICATE" in text


def test_chain_and_expiry_in_keytool_syntax(jks: Path) -> None:
    proc = run_cli(["-chain", "-keystore", jks, "-alias", "chain", "-storepass", PW])
    assert proc.returncode in (0, 2), proc.stderr
    assert b"Chain Leaf" in proc.stdout
    proc = run_cli(["-expiry", "-keystore", jks, "-storepass", PW])
    assert proc.returncode == 0, proc.stderr
    assert b"CN=Chain Leaf" in proc.stdout


def test_batch_in_keytool_syntax(jks: Path, tmp_path: Path) -> None:
    script = tmp_path / "b.txt"
    script.write_text(f"-list -keystore {jks} -storepass {PW}\n")
    proc = run_cli(["-batch", "-file", script, "-json"], cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert b'"ok": true' in proc.stdout


def test_probe_in_keytool_syntax_needs_its_target() -> None:
    proc = run_cli(["-probe", "-keystore", "nowhere.jks"])
    assert proc.returncode == 1
    assert proc.stderr == b"keystoretool error: -probe needs -target\n"


def test_mixed_syntax(jks: Path) -> None:
    proc = run_cli(["changealias", "-alias", "rsakey", "-destalias", "renamed",
                    "-keystore", jks, "-storepass", PW])
    assert proc.returncode == 0, proc.stderr
    listed = run_cli(["list", "--keystore", jks, "--storepass", PW]).stdout
    assert b"renamed," in listed and b"rsakey," not in listed


@pytest.mark.parametrize(("argv", "message"), [
    (["-lsit"], "Illegal option:  -lsit (did you mean -list?)"),
    (["-list", "-keystroe", "x"], "Illegal option:  -keystroe (did you mean -keystore?)"),
    (["chnagealias"], "Unknown command: chnagealias (did you mean changealias?)"),
    (["-exportpme", "-alias", "a"], "Illegal option:  -exportpme (did you mean -exportpem?)"),
])
def test_did_you_mean(argv: list[str], message: str) -> None:
    proc = run_cli(argv)
    assert proc.returncode == 1
    err = proc.stderr.decode()
    assert err.startswith(f"keystoretool error: {message}") and err.count("\n") == 1


def test_native_option_typo_is_explained() -> None:
    proc = run_cli(["list", "--keystroe", "x"])
    assert proc.returncode == 1
    assert b"--keystore" in proc.stderr and b"Traceback" not in proc.stderr


def test_unimplemented_keytool_command_says_so() -> None:
    for argv in (["-keyclone"], ["keyclone"]):
        proc = run_cli(argv)
        assert proc.returncode == 1
        assert proc.stderr == b"keystoretool error: -keyclone is not supported by keystoretool\n"


@pytest.mark.parametrize("command", ["list", "batch", "expiry", "probe", "importpem",
                                     "changealias", "exportpem", "diff"])
def test_native_help_has_no_type_noise(command: str) -> None:
    proc = run_cli([command, "--help"], env={"COLUMNS": "120", "NO_COLOR": "1"})
    assert proc.returncode == 0
    text = proc.stdout.decode()
    assert not re.search(r"<(bool|str|int|float|list\[str\])>", text), text
    assert "--v " not in text


def test_verbose_is_shown_and_accepted_as_dash_v(jks: Path) -> None:
    text = run_cli(["list", "--help"], env={"COLUMNS": "120", "NO_COLOR": "1"}).stdout.decode()
    assert re.search(r"\s-v\s+verbose output", text)
    for flag in ("-v", "--v"):
        proc = run_cli(["list", flag, "--keystore", jks, "--storepass", PW])
        assert proc.returncode == 0, proc.stderr
        assert b"Entry type: PrivateKeyEntry" in proc.stdout


def test_password_option_help_names_the_option_itself() -> None:
    text = run_cli(["changealias", "--help"], env={"COLUMNS": "200", "NO_COLOR": "1"})
    out = text.stdout.decode()
    assert "--keypass:env PW" in out and "--storepass:env PW" in out
    keypass_line = next(line for line in out.splitlines() if "--keypass " in line)
    assert "--storepass:env" not in keypass_line
