"""batch checks every line before running any (``--check``: only that), names
the password option a line is missing, labels each line's output, and says
what a check or chain finding means."""

from __future__ import annotations

import shutil
from pathlib import Path

from interop import fixture_path, run_cli

SF = "seed/snaplogic_SF.jks"
PW = "Snaplogic123"


def _batch(tmp_path: Path, text: str, *args: str, env: dict[str, str] | None = None
           ) -> tuple[int, str, str]:
    (tmp_path / "b.txt").write_text(text)
    r = run_cli(["batch", *args, "b.txt"], cwd=tmp_path, env=env)
    return r.returncode, r.stdout.decode(), r.stderr.decode()


def _store(tmp_path: Path) -> bytes:
    shutil.copyfile(fixture_path(SF), tmp_path / "sf.jks")
    return (tmp_path / "sf.jks").read_bytes()


def test_check_finds_every_problem_and_runs_nothing(tmp_path: Path) -> None:
    before = _store(tmp_path)
    text = (
        f"-changealias -alias sourceAlias -destalias renamed -keystore sf.jks -storepass {PW}\n"
        "-list -keystore sf.jks -storepass:env NO_SUCH_VAR_P2C\n"
        "-list -keystore sf.jks -storepass:file no-such-pw.txt\n"
        "-printcert -file missing.pem\n"
        "chnagealias --alias a --destalias b --keystore sf.jks\n"
        "-list -keystore sf.jks -bogus\n"
        "delete --alias a --keystore sf.jks --wrong-option x\n"
        "exportpem --keystore sf.jks --alias a --storepass x --out o.pem --passout env:NO_P2C\n"
        '-printcert -file "unbalanced\n'
    )
    rc, out, err = _batch(tmp_path, text, "--check")
    assert rc == 1
    assert out == ""
    errors = [line for line in err.splitlines() if line.startswith("keystoretool error:")]
    assert [e.split(":")[1].strip() for e in errors] == [f"line {n}" for n in range(2, 10)]
    assert "Cannot find environment variable: NO_SUCH_VAR_P2C" in errors[0]
    assert "Cannot find file: no-such-pw.txt" in errors[1]
    assert "missing.pem does not exist" in errors[2]
    assert "chnagealias" in errors[3]
    assert "-bogus" in errors[4]
    assert "--wrong-option" in errors[5]
    assert "NO_P2C" in errors[6]
    assert "No closing quotation" in errors[7]
    assert (tmp_path / "sf.jks").read_bytes() == before  # line 1 did not run
    assert "Traceback" not in err


def test_check_accepts_files_an_earlier_line_writes(tmp_path: Path) -> None:
    _store(tmp_path)
    text = (
        f"exportpem --keystore sf.jks --alias sourceAlias --storepass {PW} --out k.pem "
        "--no-encrypt\n"
        f"importpem --key k.pem --alias copy --keystore new.p12 --storepass {PW}\n"
        f"-list -keystore new.p12 -storepass {PW}\n"
        f"-exportcert -alias copy -keystore new.p12 -storepass {PW} -file copy.crt\n"
        "-printcert -file copy.crt\n"
    )
    rc, out, err = _batch(tmp_path, text, "--check")
    assert rc == 0, err
    assert out == "" and "no problem found" in err
    assert not (tmp_path / "k.pem").exists() and not (tmp_path / "new.p12").exists()
    rc, out, err = _batch(tmp_path, text)  # and it runs as checked
    assert rc == 0, err
    assert (tmp_path / "copy.crt").exists()


def test_default_check_stops_before_line_one_changes_a_file(tmp_path: Path) -> None:
    before = _store(tmp_path)
    text = (
        f"-changealias -alias sourceAlias -destalias renamed -keystore sf.jks -storepass {PW}\n"
        "-list -keystore sf.jks\n"
        "-list -keystore sf.jks\n"
        "-list -keystore sf.jks\n"
        '-printcert -file "unbalanced\n'
    )
    for args in ((), ("--keep-going",), ("--jobs", "2")):
        rc, out, err = _batch(tmp_path, text, *args)
        assert rc == 1
        assert "keystoretool error: line 5: cannot split the line into words" in err
        assert "nothing was run" in err
        assert (tmp_path / "sf.jks").read_bytes() == before
    rc, out, err = _batch(tmp_path, text, "--no-check")  # the old way: line 1 runs
    assert rc == 1 and (tmp_path / "sf.jks").read_bytes() != before


def test_check_json(tmp_path: Path) -> None:
    import json

    _store(tmp_path)
    rc, out, err = _batch(tmp_path, "-list -keystore sf.jks -storepass:env NOPE_P2C\n",
                          "--check", "--json")
    assert rc == 1 and err == ""
    (obj,) = [json.loads(line) for line in out.splitlines()]
    assert obj["line"] == 1 and obj["ok"] is False and "NOPE_P2C" in obj["error"]


def test_missing_password_names_the_missing_option(tmp_path: Path) -> None:
    shutil.copyfile(fixture_path("kt17/all.jks"), tmp_path / "all.jks")
    text = (
        "-list -keystore all.jks\n"
        "-keypasswd -alias diffpw -keystore all.jks -storepass changeit -new newpass1\n"
        "exportpem --keystore all.jks --storepass changeit --alias rsakey --out x.pem\n"
    )
    rc, out, err = _batch(tmp_path, text, "--keep-going")
    assert rc == 1
    lines = {int(e.split(":")[1].split()[1]): e for e in err.splitlines()
             if e.startswith("keystoretool error: line")}
    assert "give -storepass" in lines[1]
    assert "give -keypass" in lines[2] and "-storepass" not in lines[2].split("give")[1]
    assert "give --passout" in lines[3]


def test_text_output_labelled_with_line_numbers(tmp_path: Path) -> None:
    _store(tmp_path)
    text = (f"-list -keystore sf.jks -storepass {PW}\n"
            f"-list -keystore sf.jks -storepass:env PW_P2C\n")
    rc, out, err = _batch(tmp_path, text, env={"PW_P2C": PW})
    assert rc == 0, err
    assert out.startswith("--- line 1: -list -keystore sf.jks -storepass ****\n")
    assert "\n--- line 2: -list -keystore sf.jks -storepass:env PW_P2C\n" in out
    assert PW not in out


def test_check_and_chain_findings_read_as_findings(tmp_path: Path) -> None:
    """check --profile salesforce on a store that is not ready: the finding, not
    'exit status 2'."""
    _store(tmp_path)  # its chain includes the root: not ready for Salesforce
    shutil.copyfile(fixture_path("pem/leaf.pem"), tmp_path / "leaf.pem")
    text = (f"check --profile salesforce --keystore sf.jks --storepass {PW}\n"
            "chain --cert leaf.pem\n")
    rc, out, err = _batch(tmp_path, text, "--keep-going")
    assert rc == 1
    assert "keystoretool error: line 1: the keystore has problems (exit status 2)" in err
    assert "keystoretool error: line 2: the chain has problems (exit status 2)" in err
    assert "line 1: exit status 2" not in err
