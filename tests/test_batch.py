"""keystoretool batch: many command lines, one process.

The batch runs as users run it (``python -m keystoretool batch FILE`` in a
subprocess); the "one by one" runs call the CLI entry point once per command
line (the code path of a single ``keystoretool`` command, without paying a
process start 200 times on a shared machine), and for the seed's three
commands real separate processes. Results are compared as keytool lists them:
aliases, entry types and SHA-256 fingerprints, with real keytool on samples.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
from pathlib import Path

import pytest
from interop import (
    expected_entries,
    fixture_path,
    fixture_record,
    keytool_entries,
    run_cli,
    sha256_fingerprint,
)

from keystoretool import Keystore, PrivateKeyEntry, SecretKeyEntry, TrustedCertEntry
from keystoretool.cli.cmd_batch import Line, parse_lines, plan_groups, touched_paths
from keystoretool.cli.common import default_keystore
from keystoretool.cli.main import main

SEED_SF = "seed/snaplogic_SF.jks"
SEED_ORG = "seed/00D0m0000001mkL.jks"
JKS = "seed/00D0m0000001mkL.jks"  # 4 entries, store password Snaplogic@123
P12 = "p12/two_keys_three_trusted.p12"  # 5 entries, store password changeit

Entries = dict[str, tuple[str, list[str]]]
_KIND = {PrivateKeyEntry: "PrivateKeyEntry", TrustedCertEntry: "trustedCertEntry",
         SecretKeyEntry: "SecretKeyEntry"}


def listing(path: Path, password: str) -> Entries:
    """A keystore's entries as keytool lists them (alias, type, chain SHA-256s)."""
    ks = Keystore.load(path, password)
    return {key: (_KIND[type(e)], [sha256_fingerprint(d) for d in e.chain_der])
            for key, e in ks.items()}


def one_by_one(lines: list[str], cwd: Path, monkeypatch: pytest.MonkeyPatch,
               capsys: pytest.CaptureFixture[str]) -> None:
    """Each command line through the single-command entry point, in order."""
    monkeypatch.chdir(cwd)
    for text in lines:
        assert main(shlex.split(text)) == 0, (text, capsys.readouterr().err)
    capsys.readouterr()


def batch(args: list[str], cwd: Path, stdin: bytes = b"",
          env: dict[str, str] | None = None) -> tuple[int, str, str]:
    proc = run_cli(["batch", *args], stdin=stdin, cwd=cwd, env=env, timeout=600)
    return (proc.returncode, proc.stdout.decode("utf-8", "replace"),
            proc.stderr.decode("utf-8", "replace"))


# --------------------------------------------------------------------------- the fleet

def make_fleet(directory: Path, n: int = 100) -> dict[str, tuple[str, str]]:
    """``n`` small keystores (half JKS, half PKCS12): name -> (fixture, password)."""
    directory.mkdir(parents=True, exist_ok=True)
    fleet = {}
    for i in range(n):
        fixture, name = (JKS, f"ks{i}.jks") if i % 2 == 0 else (P12, f"ks{i}.p12")
        shutil.copyfile(fixture_path(fixture), directory / name)
        fleet[name] = (fixture, fixture_record(fixture)["store_password"])
    return fleet


def fleet_commands(fleet: dict[str, tuple[str, str]]) -> list[str]:
    """Two commands per keystore (rename one entry, delete another), both syntaxes,
    passwords literal and from the environment."""
    lines = []
    for i, (name, (fixture, pw)) in enumerate(fleet.items()):
        rename, drop = (("ma_2_cert_oct_6_2021", "selfsignedcert_11dec2020_191506")
                        if fixture == JKS else ("client", "otherroot"))
        if i % 4 == 0:
            lines.append(f"-changealias -alias {rename} -destalias svc_{i} "
                         f"-keystore {name} -storepass:env PW_{fixture[:3]}")
        else:
            lines.append(f"-changealias -alias {rename} -destalias svc_{i} "
                         f"-keystore {name} -storepass '{pw}'")
        lines.append(f"delete --alias {drop} --keystore {name} --storepass {shlex.quote(pw)}")
    return lines


def expected_after(fixture: str, i: int) -> Entries:
    entries = expected_entries(fixture_record(fixture))
    rename, drop = (("ma_2_cert_oct_6_2021", "selfsignedcert_11dec2020_191506")
                    if fixture == JKS else ("client", "otherroot"))
    entries[f"svc_{i}"] = entries.pop(rename)
    del entries[drop]
    return entries


FLEET_ENV = {"PW_see": "Snaplogic@123", "PW_p12": "changeit"}


@pytest.fixture()
def fleet_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for k, v in FLEET_ENV.items():
        monkeypatch.setenv(k, v)


# --------------------------------------------------------------------------- tests

@pytest.mark.interop
def test_seed_commands_batch_equals_separate_processes(tmp_path: Path) -> None:
    """The seed's three commands (passwords given, as a batch requires) in one batch
    and as three separate keystoretool processes give the same files, as keytool lists them."""
    commands = [
        "-changealias  -alias sourceAlias -destalias ma_2_cert_oct_6_2021 -keypass Snaplogic123 "
        "-keystore snaplogic_SF.jks -storepass Snaplogic123 -storetype JKS -v",
        '-importkeystore -srckeystore 00D0m0000001mkL.jks -destkeystore keystore.p12 '
        '-srcalias "ma_2_cert_sep_22_2021" -srcstoretype jks -deststoretype pkcs12 '
        "-srcstorepass Snaplogic@123 -deststorepass Snaplogic@123",
        "-delete -alias selfsignedcert_11dec2020_191506 -keystore 00D0m0000001mkL.jks "
        "-storepass Snaplogic@123",
    ]
    dirs = {}
    for mode in ("batch", "separate"):
        d = tmp_path / mode
        d.mkdir()
        for f in (SEED_SF, SEED_ORG):
            shutil.copyfile(fixture_path(f), d / Path(f).name)
        dirs[mode] = d
    (dirs["batch"] / "seed.txt").write_text("# the seed\n" + "\n".join(commands) + "\n")
    rc, out, err = batch(["seed.txt"], dirs["batch"])
    assert rc == 0, err
    assert "[Storing snaplogic_SF.jks]" in err
    for text in commands:
        proc = run_cli(shlex.split(text), cwd=dirs["separate"])
        assert proc.returncode == 0, proc.stderr
    files = [("snaplogic_SF.jks", "Snaplogic123"), ("keystore.p12", "Snaplogic@123"),
             ("00D0m0000001mkL.jks", "Snaplogic@123")]
    for name, pw in files:
        via_batch = keytool_entries(dirs["batch"] / name, pw)
        assert via_batch == keytool_entries(dirs["separate"] / name, pw), name
    org = keytool_entries(dirs["batch"] / "00D0m0000001mkL.jks", "Snaplogic@123")
    assert "selfsignedcert_11dec2020_191506" not in org
    assert list(keytool_entries(dirs["batch"] / "keystore.p12", "Snaplogic@123")) == [
        "ma_2_cert_sep_22_2021"]
    assert "ma_2_cert_oct_6_2021" in keytool_entries(dirs["batch"] / "snaplogic_SF.jks",
                                                     "Snaplogic123")


@pytest.mark.interop
def test_200_lines_over_100_keystores_equal_one_by_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        fleet_env: None) -> None:
    fleet = make_fleet(tmp_path / "batch")
    make_fleet(tmp_path / "single")
    lines = fleet_commands(fleet)
    assert len(lines) == 200
    (tmp_path / "batch" / "fleet.txt").write_text("\n".join(lines) + "\n")
    rc, _, err = batch(["fleet.txt"], tmp_path / "batch", env=FLEET_ENV)
    assert rc == 0, err
    one_by_one(lines, tmp_path / "single", monkeypatch, capsys)
    for i, (name, (fixture, pw)) in enumerate(fleet.items()):
        got = listing(tmp_path / "batch" / name, pw)
        assert got == listing(tmp_path / "single" / name, pw), name
        assert got == expected_after(fixture, i), name
    # and as real keytool lists them, on a sample of both formats
    for name in ("ks0.jks", "ks1.p12", "ks98.jks", "ks99.p12"):
        pw = fleet[name][1]
        assert keytool_entries(tmp_path / "batch" / name, pw) == \
            keytool_entries(tmp_path / "single" / name, pw), name


def test_jobs_4_equals_sequential(tmp_path: Path, fleet_env: None) -> None:
    results = {}
    for mode, extra in (("seq", []), ("par", ["--jobs", "4"])):
        d = tmp_path / mode
        fleet = make_fleet(d, 24)
        lines = fleet_commands(fleet)
        # lines that share a keystore must keep their order: list after rename
        lines += [f"-list -keystore {name} -storepass {shlex.quote(pw)}"
                  for name, (_, pw) in fleet.items()]
        (d / "b.txt").write_text("\n".join(lines) + "\n")
        rc, out, err = batch([*extra, "b.txt"], d, env=FLEET_ENV)
        assert rc == 0, err
        results[mode] = (out, {n: listing(d / n, pw) for n, (_, pw) in fleet.items()})
    assert results["par"][1] == results["seq"][1]
    # output is per line, in line order, never interleaved
    assert results["par"][0] == results["seq"][0]
    order = [int(w[len("svc_"):].rstrip(",")) for w in results["par"][0].split()
             if w.startswith("svc_")]
    assert order == sorted(order) and len(order) == 24


def _failing_batch(d: Path) -> tuple[dict[str, tuple[str, str]], str]:
    fleet = make_fleet(d, 10)
    lines = fleet_commands(fleet)  # 20 commands: keystore k has lines 2k, 2k+1
    lines[7] = "-delete -alias nope -keystore ks3.p12 -storepass changeit"
    text = "# header comment\n\n" + "\n".join(lines) + "\n"  # command 8 is on line 10
    (d / "b.txt").write_text(text)
    return fleet, text


def test_failure_stops_with_line_number_later_files_untouched(
        tmp_path: Path, fleet_env: None) -> None:
    d = tmp_path / "fail"
    fleet, _ = _failing_batch(d)
    before = {n: ((d / n).read_bytes(), (d / n).stat().st_mtime_ns) for n in fleet}
    rc, _, err = batch(["b.txt"], d, env=FLEET_ENV)
    assert rc == 1
    assert "keystoretool error: line 10: Alias <nope> does not exist" in err
    assert err.count("keystoretool error:") == 1
    for k in range(3):  # keystores 0-2: both lines ran
        name = f"ks{k}.{'jks' if k % 2 == 0 else 'p12'}"
        assert f"svc_{k}" in listing(d / name, fleet[name][1])
    # ks3: its rename (line 9) ran, the failing delete (line 10) changed nothing more
    assert "svc_3" in listing(d / "ks3.p12", "changeit")
    assert "otherroot" in listing(d / "ks3.p12", "changeit")
    for k in range(4, 10):  # later lines not run: files untouched, byte for byte
        name = f"ks{k}.{'jks' if k % 2 == 0 else 'p12'}"
        assert ((d / name).read_bytes(), (d / name).stat().st_mtime_ns) == before[name]


def test_keep_going_runs_every_line_and_exits_1(tmp_path: Path, fleet_env: None) -> None:
    d = tmp_path / "keep"
    fleet, _ = _failing_batch(d)
    rc, _, err = batch(["--keep-going", "b.txt"], d, env=FLEET_ENV)
    assert rc == 1
    assert "keystoretool error: line 10: Alias <nope> does not exist" in err
    for k in range(10):
        name = f"ks{k}.{'jks' if k % 2 == 0 else 'p12'}"
        assert f"svc_{k}" in listing(d / name, fleet[name][1])


def test_json_one_object_per_line(tmp_path: Path, fleet_env: None) -> None:
    d = tmp_path / "json"
    _failing_batch(d)
    rc, out, err = batch(["--json", "b.txt"], d, env=FLEET_ENV)
    assert rc == 1
    assert err == ""
    objs = [json.loads(line) for line in out.splitlines()]
    assert [o["line"] for o in objs] == list(range(3, 23))
    first = objs[0]
    assert first["ok"] is True and first["error"] is None and first["exit_code"] == 0
    assert first["command"] == ("-changealias -alias ma_2_cert_oct_6_2021 -destalias svc_0 "
                                "-keystore ks0.jks -storepass:env PW_see")
    assert objs[1]["command"] == ("delete --alias selfsignedcert_11dec2020_191506 "
                                  "--keystore ks0.jks --storepass ****")  # never the password
    assert first["written"] == ["ks0.jks"]
    assert first["changes"] == [{"keystore": "ks0.jks", "added": [], "removed": [],
                                 "renamed": [{"from": "ma_2_cert_oct_6_2021", "to": "svc_0"}],
                                 "replaced": []}]
    assert first["entries_affected"] == 1
    assert objs[1]["changes"][0]["removed"] == ["selfsignedcert_11dec2020_191506"]
    # the command's own output is kept per line; the JKS warning once per keystore
    assert "Warning:" in objs[0]["stderr"] and "Warning:" not in objs[1]["stderr"]
    failed = objs[7]
    assert failed["line"] == 10 and failed["ok"] is False and failed["skipped"] is False
    assert failed["error"] == "Alias <nope> does not exist" and failed["exit_code"] == 1
    assert failed["written"] == [] and failed["entries_affected"] == 0
    for o in objs[8:]:
        assert o["skipped"] is True and o["ok"] is False
        assert o["error"] == "not run: line 10 failed"
    # with --keep-going every line reports, only line 10 failed
    d2 = tmp_path / "json2"
    _failing_batch(d2)
    rc, out, _ = batch(["--json", "--keep-going", "b.txt"], d2, env=FLEET_ENV)
    objs = [json.loads(line) for line in out.splitlines()]
    assert rc == 1 and [o["line"] for o in objs if not o["ok"]] == [10]


def test_jobs_stop_at_failure_keeps_same_file_order(tmp_path: Path, fleet_env: None) -> None:
    d = tmp_path / "par"
    fleet, _ = _failing_batch(d)
    with (d / "b.txt").open("a") as fh:  # ks3 again after its failing line
        fh.write("-changealias -alias svc_3 -destalias late -keystore ks3.p12 "
                 "-storepass changeit\n")
    before = (d / "ks3.p12").read_bytes()
    rc, _, err = batch(["-j", "3", "b.txt"], d, env=FLEET_ENV)
    assert rc == 1
    assert "keystoretool error: line 10: Alias <nope> does not exist" in err
    after = listing(d / "ks3.p12", "changeit")
    assert "late" not in after and "svc_3" in after  # line 9 ran, line 23 did not
    assert (d / "ks3.p12").read_bytes() != before


def test_prompt_in_batch_is_an_error_naming_the_line(tmp_path: Path) -> None:
    shutil.copyfile(fixture_path(JKS), tmp_path / "a.jks")
    (tmp_path / "b.txt").write_text(
        "-list -keystore a.jks -storepass Snaplogic@123\n"
        "-delete -alias example_root_ca -keystore a.jks\n"
        "-delete -alias ma_2_cert_oct_6_2021 -keystore a.jks -storepass Snaplogic@123\n")
    rc, out, err = batch(["b.txt"], tmp_path, stdin=b"Snaplogic@123\n")
    assert rc == 1
    assert "Your keystore contains 4 entries" in out
    assert "keystoretool error: line 2: a password would be prompted for" in err
    assert "Enter keystore password" not in err
    assert len(listing(tmp_path / "a.jks", "Snaplogic@123")) == 4


def test_passwords_from_env_and_file_and_stdin_batch(tmp_path: Path) -> None:
    shutil.copyfile(fixture_path(P12), tmp_path / "a.p12")
    (tmp_path / "pw.txt").write_text("changeit\n")
    text = ("# from stdin\n"
            "changealias --alias client --destalias c2 --keystore a.p12 --storepass:env KPW\n"
            "-changealias -alias server -destalias s2 -keystore a.p12 -storepass:file pw.txt\n")
    rc, _, err = batch(["-"], tmp_path, stdin=text.encode(), env={"KPW": "changeit"})
    assert rc == 0, err
    assert {"c2", "s2"} <= set(listing(tmp_path / "a.p12", "changeit"))


def test_version_help_and_nested_batch_lines(tmp_path: Path) -> None:
    from keystoretool import __version__

    (tmp_path / "b.txt").write_text("-version\n--version\nbatch other.txt\n")
    rc, out, err = batch(["--keep-going", "--no-check", "b.txt"], tmp_path)
    assert out == "".join(f"--- line {n}: {c}\nkeystoretool {__version__}\n"
                          for n, c in ((1, "-version"), (2, "--version")))
    assert "keystoretool error: line 3: batch cannot be run from a batch line" in err
    assert rc == 1


def test_missing_batch_file(tmp_path: Path) -> None:
    rc, _, err = batch(["nope.txt"], tmp_path)
    assert rc == 1 and err == "keystoretool error: nope.txt (No such file or directory)\n"


# --------------------------------------------------------------------------- units

def test_parse_lines_comments_quotes_continuations() -> None:
    text = ("# comment ending in a backslash \\\n"
            "\n"
            "   -list -keystore 'my store.jks' -storepass p#w   # trailing comment\n"
            "keytool -delete -alias \"a b\" \\\n"
            "   -keystore x.jks\n"
            "keystoretool list --keystore x.jks\n"
            "-list -storepass 'unterminated\n")
    lines = parse_lines(text)
    assert [ln.number for ln in lines] == [3, 4, 6, 7]
    assert lines[0].argv == ["-list", "-keystore", "my store.jks", "-storepass", "p#w"]
    assert lines[1].argv == ["-delete", "-alias", "a b", "-keystore", "x.jks"]
    assert lines[2].argv == ["list", "--keystore", "x.jks"]
    assert lines[3].argv is None and "No closing quotation" in (lines[3].error or "")


def test_touched_paths_and_groups(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    r = os.path.realpath
    assert touched_paths(["-importkeystore", "-srckeystore", "a.jks", "-destkeystore",
                          "b.p12"]) == {r("a.jks"), r("b.p12")}
    assert touched_paths(["importkeystore", "--srckeystore=a.jks", "--destkeystore",
                          "./b.p12"]) == {r("a.jks"), r("b.p12")}
    assert touched_paths(["-exportcert", "-KEYSTORE", "c.jks", "-file", "c.pem"]) == {
        r("c.jks"), r("c.pem")}
    assert touched_paths(["-printcert", "-file", "c.pem"]) == {r("c.pem")}
    home = os.path.realpath(default_keystore())
    assert touched_paths(["-list"]) == {home}
    lines = [Line(i + 1, t, shlex.split(t)) for i, t in enumerate([
        "-list -keystore a.jks", "-list -keystore b.jks",
        "-importkeystore -srckeystore b.jks -destkeystore c.p12", "-list -keystore d.jks",
        "-list -keystore c.p12"])]
    groups = [[ln.number for ln in g] for g in plan_groups(lines)]
    assert groups == [[1], [2, 3, 5], [4]]


def test_batch_arguments_without_typer() -> None:
    from keystoretool.cli.cmd_batch import batch
    from keystoretool.cli.registry import parse_native

    def parse_args(args: list[str]) -> dict[str, object] | None:
        return parse_native(batch, args)

    assert parse_args([]) == {}
    assert parse_args(["-", "--json", "-j", "4", "--keep-going"]) == {
        "file": "-", "json_": True, "jobs": 4, "keep_going": True}
    assert parse_args(["--jobs=2", "b.txt"]) == {"jobs": 2, "file": "b.txt"}
    for odd in (["--help"], ["-j", "x"], ["a", "b"], ["--jobs"], ["--nope"]):
        assert parse_args(odd) is None  # left to typer, which explains


def test_reported_command_masks_literal_passwords() -> None:
    from keystoretool.cli.secrets import shown as masked

    assert masked(["-changealias", "-alias", "a b", "-storepass", "pw", "-KeyPass", "x",
                   "-srcstorepass:env", "V"]) == \
        "-changealias -alias 'a b' -storepass **** -KeyPass **** -srcstorepass:env V"
    assert masked(["list", "--storepass=secret", "--deststorepass", "z", "--storepass:file",
                   "f"]) == "list --storepass=**** --deststorepass **** --storepass:file f"
