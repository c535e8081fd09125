"""The core commands (list, changealias, delete, importkeystore) as a user runs them.

Real keytool is the oracle: what keytool lists in the files we write must be
what we intended, and the user's three seed commands must leave the same
entries as when keytool itself runs them.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from interop import (
    expected_entries,
    fixture_path,
    key_password,
    keytool_entries,
    manifest,
    run_cli,
    run_keytool,
)

pytestmark = pytest.mark.usefixtures("require_keytool")

Entries = dict[str, tuple[str, list[str]]]

# Keystores we can read and write (and keytool can list): made by keytool 17, keytool 25,
# openssl, and the user's seed stores.
WRITABLE = [
    name
    for name, rec in manifest()["files"].items()
    if rec.get("entries")
    and rec["store_type"] in ("JKS", "JCEKS", "PKCS12")
    and rec.get("keytool_readable", True)
    and not name.startswith("corpus/")
    and name != "p12/truststore500.p12"
]
READABLE = [
    name for name, rec in manifest()["files"].items()
    if rec.get("entries") is not None and "duplicate_aliases" not in name
]


def our_entries(path: Path, storepass: str, storetype: str | None = None) -> Entries:
    args = ["list", "--keystore", str(path), "--storepass", storepass, "--json"]
    if storetype:
        args += ["--storetype", storetype]
    proc = run_cli(args)
    assert proc.returncode == 0, proc.stderr.decode()
    doc = json.loads(proc.stdout)
    return {e["alias"]: (e["type"], [c["sha256"] for c in e["chain"]]) for e in doc["entries"]}


def copy_fixture(name: str, dest_dir: Path) -> Path:
    dest_dir.mkdir(parents=True, exist_ok=True)
    target = dest_dir / Path(name).name
    shutil.copy(fixture_path(name), target)
    return target


def digest_dir(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file() and not p.name.endswith(".lock")
    }


# --------------------------------------------------------------------------- reading
@pytest.mark.parametrize("name", READABLE)
def test_lists_every_fixture_as_keytool_does(name: str) -> None:
    rec = manifest()["files"][name]
    ours = our_entries(fixture_path(name), rec["store_password"])
    if name == "openssl/plain_keybag.p12":  # issue 14: we read the clear keyBag keytool ignores
        assert expected_entries(rec) == {}
        assert [t for t, _ in ours.values()] == ["PrivateKeyEntry"]
        return
    assert ours == expected_entries(rec)


@pytest.mark.parametrize("name", ["corpus/pyjks/jks/duplicate_aliases.jks",
                                  "corpus/pyjks/jceks/duplicate_aliases.jceks"])
def test_malformed_duplicate_aliases_refused_cleanly(name: str) -> None:
    proc = run_cli(["-list", "-keystore", str(fixture_path(name)), "-storepass", "12345678"])
    assert proc.returncode == 1
    assert proc.stderr.decode() == "keystoretool error: Keystore contains the alias <my_alias> twice\n"


def test_plain_list_layout_matches_keytool(tmp_path: Path) -> None:
    rec = manifest()["files"]["seed/00D0m0000001mkL.jks"]
    ks = fixture_path("seed/00D0m0000001mkL.jks")
    args = ["-list", "-keystore", str(ks), "-storepass", rec["store_password"]]
    ours, theirs = run_cli(args), run_keytool(args)
    assert ours.returncode == theirs.returncode == 0
    assert ours.stdout == theirs.stdout
    assert b"The JKS keystore uses a proprietary format" in ours.stderr


@pytest.mark.parametrize("name", ["seed/00D0m0000001mkL.jks", "kt17/all.p12", "kt17/all.jceks"])
@pytest.mark.parametrize("mode", [["-v"], ["-rfc"], ["-alias", "ROOTCA_PLACEHOLDER"]])
def test_long_list_layouts_match_keytool(name: str, mode: list[str]) -> None:
    rec = manifest()["files"][name]
    if "ROOTCA_PLACEHOLDER" in mode:
        first_key = next(a for a, e in rec["entries"].items() if e["type"] == "PrivateKeyEntry")
        mode = ["-alias", first_key.upper(), "-v"]
    args = ["-list", *mode, "-keystore", str(fixture_path(name)), "-storepass",
            rec["store_password"]]
    ours, theirs = run_cli(args), run_keytool(args)
    assert ours.returncode == theirs.returncode == 0, ours.stderr.decode()
    assert ours.stdout.decode() == theirs.stdout.decode()


# --------------------------------------------------------------------------- the seed
SEED_CHANGEALIAS = (
    "-changealias -alias sourceAlias -destalias ma_2_cert_oct_6_2021 -keypass Snaplogic123 "
    "-keystore snaplogic_SF.jks -storepass Snaplogic123 -storetype JKS -v"
).split()
SEED_IMPORT = [
    "-importkeystore", "-srckeystore", "00D0m0000001mkL.jks", "-destkeystore", "keystore.p12",
    "-srcalias", "ma_2_cert_sep_22_2021", "-srcstoretype", "jks", "-deststoretype", "pkcs12",
]
SEED_DELETE = (
    "-delete -alias selfsignedcert_11dec2020_191506 -keystore 00D0m0000001mkL.jks "
    "-storepass Snaplogic@123"
).split()


def run_both(tmp_path: Path, files: list[str], argv: list[str], stdin: bytes = b""):  # type: ignore[no-untyped-def]
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    for name in files:
        copy_fixture(name, ours)
        copy_fixture(name, theirs)
    r_ours = run_cli(argv, stdin=stdin, cwd=ours)
    r_theirs = run_keytool(argv, stdin=stdin, cwd=theirs)
    return ours, theirs, r_ours, r_theirs


def test_seed_changealias_same_as_keytool(tmp_path: Path) -> None:
    ours, theirs, r1, r2 = run_both(tmp_path, ["seed/snaplogic_SF.jks"], SEED_CHANGEALIAS)
    assert r1.returncode == r2.returncode == 0, r1.stderr.decode()
    assert r1.stdout == r2.stdout == b""
    assert b"[Storing snaplogic_SF.jks]" in r1.stderr
    after = keytool_entries(ours / "snaplogic_SF.jks", "Snaplogic123")
    assert after == keytool_entries(theirs / "snaplogic_SF.jks", "Snaplogic123")
    assert list(after) == ["ma_2_cert_oct_6_2021"]
    assert len(after["ma_2_cert_oct_6_2021"][1]) == 3


def test_seed_importkeystore_with_passwords_on_stdin_same_as_keytool(tmp_path: Path) -> None:
    stdin = b"Snaplogic@123\nSnaplogic@123\nSnaplogic@123\n"
    ours, theirs, r1, r2 = run_both(tmp_path, ["seed/00D0m0000001mkL.jks"], SEED_IMPORT, stdin)
    assert r1.returncode == r2.returncode == 0, r1.stderr.decode()
    assert r1.stderr.decode().startswith(
        "Importing keystore 00D0m0000001mkL.jks to keystore.p12...\n"
        "Enter destination keystore password:  Re-enter new password: "
        "Enter source keystore password:  "
    )
    for tool in ("17", "25"):
        got = keytool_entries(ours / "keystore.p12", "Snaplogic@123", tool=tool)
        assert got == keytool_entries(theirs / "keystore.p12", "Snaplogic@123", tool=tool)
    assert list(got) == ["ma_2_cert_sep_22_2021"]
    assert got["ma_2_cert_sep_22_2021"][0] == "PrivateKeyEntry"
    assert (ours / "keystore.p12").stat().st_mode & 0o777 == 0o600
    # the source is untouched
    assert (ours / "00D0m0000001mkL.jks").read_bytes() == fixture_path(
        "seed/00D0m0000001mkL.jks").read_bytes()


def test_seed_delete_same_as_keytool(tmp_path: Path) -> None:
    ours, theirs, r1, r2 = run_both(tmp_path, ["seed/00D0m0000001mkL.jks"], SEED_DELETE)
    assert r1.returncode == r2.returncode == 0, r1.stderr.decode()
    got = keytool_entries(ours / "00D0m0000001mkL.jks", "Snaplogic@123")
    assert got == keytool_entries(theirs / "00D0m0000001mkL.jks", "Snaplogic@123")
    assert "selfsignedcert_11dec2020_191506" not in got and len(got) == 3


def test_seed_in_native_syntax(tmp_path: Path) -> None:
    ks = copy_fixture("seed/snaplogic_SF.jks", tmp_path)
    proc = run_cli(["changealias", "--alias", "sourceAlias", "--destalias", "renamed",
                    "--keypass", "Snaplogic123", "--keystore", str(ks),
                    "--storepass:env", "PW"], env={"PW": "Snaplogic123"})
    assert proc.returncode == 0, proc.stderr.decode()
    assert list(keytool_entries(ks, "Snaplogic123")) == ["renamed"]


# --------------------------------------------------------------------------- writing
def _with_keypasses(rec: dict) -> list[str]:  # type: ignore[type-arg]
    return [f"--keypass-for={a}={p}" for a, p in (rec.get("key_passwords") or {}).items()]


@pytest.mark.parametrize("dest_type", ["PKCS12", "JKS", "JCEKS"])
@pytest.mark.parametrize("name", WRITABLE)
def test_importkeystore_all_is_listed_by_keytool(tmp_path: Path, name: str, dest_type: str) -> None:
    rec = manifest()["files"][name]
    src = copy_fixture(name, tmp_path)
    dest = tmp_path / f"dest.{dest_type.lower()}"
    proc = run_cli([
        "importkeystore", "--srckeystore", str(src), "--srcstorepass", rec["store_password"],
        "--destkeystore", str(dest), "--deststoretype", dest_type, "--deststorepass", "changeit",
        "--noprompt", *_with_keypasses(rec)])
    assert proc.returncode == 0, proc.stderr.decode()
    want = expected_entries(rec)
    if dest_type == "JKS":  # JKS cannot hold secret keys: keytool reports and skips them
        secrets = [a for a, (t, _) in want.items() if t == "SecretKeyEntry"]
        for alias in secrets:
            del want[alias]
            assert f"Problem importing entry for alias {alias}: Cannot store non-PrivateKeys".encode() \
                in proc.stderr
    assert keytool_entries(dest, "changeit") == want
    if dest_type == "PKCS12":
        assert keytool_entries(dest, "changeit", tool="25") == want
    assert src.read_bytes() == fixture_path(name).read_bytes()


@pytest.mark.parametrize("name", WRITABLE)
def test_changealias_and_delete_are_listed_by_keytool(
    tmp_path: Path, name: str, require_keytool25: str
) -> None:
    rec = manifest()["files"][name]
    pw = rec["store_password"]
    ks = copy_fixture(name, tmp_path)
    want = expected_entries(rec)
    source = sorted(want)[0]
    kp = key_password(rec, source)
    proc = run_cli(["-changealias", "-alias", source.upper(), "-destalias", "Renamed-Entry",
                    "-keystore", str(ks), "-storepass", pw, "-keypass", kp])
    assert proc.returncode == 0, proc.stderr.decode()
    want["renamed-entry"] = want.pop(source)
    assert keytool_entries(ks, pw) == want
    victim = sorted(want)[-1]
    proc = run_cli(["-delete", "-alias", victim, "-keystore", str(ks), "-storepass", pw])
    assert proc.returncode == 0, proc.stderr.decode()
    del want[victim]
    assert keytool_entries(ks, pw) == want
    # JDK 25's keytool lists the result the same way, for every type (JKS, JCEKS, PKCS12).
    assert keytool_entries(ks, pw, tool="25") == want


def test_jks_key_with_own_password_keeps_it(tmp_path: Path) -> None:
    rec = manifest()["files"]["kt17/all.jks"]
    ks = copy_fixture("kt17/all.jks", tmp_path)
    proc = run_cli(["-changealias", "-alias", "diffpw", "-destalias", "moved", "-keystore", str(ks),
                    "-storepass", "changeit", "-keypass", key_password(rec, "diffpw")])
    assert proc.returncode == 0, proc.stderr.decode()
    # keytool can still use the key with its own password, not with the store password
    ok = run_keytool(["-certreq", "-alias", "moved", "-keystore", str(ks), "-storepass", "changeit",
                      "-keypass", key_password(rec, "diffpw")])
    assert ok.returncode == 0, ok.stdout.decode()
    bad = run_keytool(["-certreq", "-alias", "moved", "-keystore", str(ks), "-storepass", "changeit",
                       "-keypass", "changeit"])
    assert bad.returncode == 1


def test_key_password_prompted_when_it_differs(tmp_path: Path) -> None:
    rec = manifest()["files"]["kt17/all.jks"]
    ks = copy_fixture("kt17/all.jks", tmp_path)
    proc = run_cli(["-changealias", "-alias", "DiffPW", "-destalias", "moved", "-keystore",
                    str(ks), "-storepass", "changeit"],
                   stdin=key_password(rec, "diffpw").encode() + b"\n")
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stderr.startswith(b"Enter key password for <DiffPW>")


def test_importkeystore_overwrite_prompt_and_noprompt(tmp_path: Path) -> None:
    src = copy_fixture("seed/00D0m0000001mkL.jks", tmp_path)
    dest = tmp_path / "d.p12"
    base = ["-importkeystore", "-srckeystore", str(src), "-destkeystore", str(dest),
            "-srcstorepass", "Snaplogic@123", "-deststorepass", "Snaplogic@123",
            "-srcalias", "ma_2_cert_sep_22_2021"]
    assert run_cli(base).returncode == 0
    before = dest.read_bytes()
    # answer "no", then a new alias name: imported under the new name
    proc = run_cli(base, stdin=b"no\nsecond\n")
    assert proc.returncode == 0, proc.stderr.decode()
    assert b"Existing entry alias ma_2_cert_sep_22_2021 exists, overwrite? [no]:  " in proc.stderr
    assert set(keytool_entries(dest, "Snaplogic@123")) == {"ma_2_cert_sep_22_2021", "second"}
    # end of input at the new-alias prompt: error, nothing written
    before = dest.read_bytes()
    proc = run_cli(base, stdin=b"")
    assert proc.returncode == 1
    assert dest.read_bytes() == before
    # -noprompt overwrites with keytool's warning
    proc = run_cli([*base, "-noprompt"])
    assert proc.returncode == 0
    assert (b"Warning: Overwriting existing alias ma_2_cert_sep_22_2021 in destination keystore"
            in proc.stderr)


def test_importkeystore_all_prints_keytool_lines(tmp_path: Path) -> None:
    src = copy_fixture("seed/00D0m0000001mkL.jks", tmp_path)
    proc = run_cli(["-importkeystore", "-srckeystore", str(src), "-destkeystore",
                    str(tmp_path / "all.p12"), "-srcstorepass", "Snaplogic@123",
                    "-deststorepass", "Snaplogic@123", "-v"])
    err = proc.stderr.decode()
    assert proc.returncode == 0, err
    assert "Entry for alias ma_2_cert_oct_6_2021 successfully imported." in err
    assert ("Import command completed:  4 entries successfully imported, "
            "0 entries failed or cancelled") in err
    assert f"[Storing {tmp_path / 'all.p12'}]" in err


def test_in_place_migration_keeps_the_original(tmp_path: Path) -> None:
    ks = copy_fixture("seed/00D0m0000001mkL.jks", tmp_path)
    proc = run_cli(["-importkeystore", "-srckeystore", str(ks), "-destkeystore", str(ks),
                    "-deststoretype", "pkcs12", "-srcstorepass", "Snaplogic@123"])
    assert proc.returncode == 0, proc.stderr.decode()
    assert f'Migrated "{ks}" to PKCS12. The JKS keystore is backed up as "{ks}.old".' in \
        proc.stderr.decode()
    assert (tmp_path / "00D0m0000001mkL.jks.old").read_bytes() == \
        fixture_path("seed/00D0m0000001mkL.jks").read_bytes()
    got = keytool_entries(ks, "Snaplogic@123")
    assert got == expected_entries(manifest()["files"]["seed/00D0m0000001mkL.jks"])
    assert b"Keystore type: PKCS12" in run_keytool(["-list", "-keystore", str(ks), "-storepass",
                                                     "Snaplogic@123"]).stdout


def test_storetype_dual_format_keeps_real_format(tmp_path: Path) -> None:
    p12 = copy_fixture("kt17/all.p12", tmp_path)
    proc = run_cli(["-delete", "-alias", sorted(expected_entries(
        manifest()["files"]["kt17/all.p12"]))[0], "-keystore", str(p12), "-storepass", "changeit",
        "-storetype", "JKS"])
    assert proc.returncode == 0, proc.stderr.decode()
    assert p12.read_bytes()[:1] == b"\x30"  # still PKCS12
    listing = run_cli(["-list", "-keystore", str(p12), "-storepass", "changeit", "-storetype",
                       "JKS"]).stdout.decode()
    assert listing.startswith("Keystore type: JKS\n")


# --------------------------------------------------------------------------- errors
def _broken_files(folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    good = fixture_path("seed/00D0m0000001mkL.jks").read_bytes()
    files = {
        "empty": folder / "empty.jks",
        "garbage": folder / "garbage.jks",
        "truncated": folder / "trunc.jks",
        "truncated_p12": folder / "trunc.p12",
    }
    files["empty"].write_bytes(b"")
    files["garbage"].write_bytes(b"hello world\n")
    files["truncated"].write_bytes(good[: len(good) // 2])
    files["truncated_p12"].write_bytes(fixture_path("kt17/all.p12").read_bytes()[:700])
    return files


COMMANDS = {
    "list": lambda ks, pw: ["-list", "-keystore", ks, "-storepass", pw],
    "changealias": lambda ks, pw: ["-changealias", "-alias", "ma_2_cert_oct_6_2021",
                                   "-destalias", "x1", "-keystore", ks, "-storepass", pw],
    "delete": lambda ks, pw: ["-delete", "-alias", "ma_2_cert_oct_6_2021", "-keystore", ks,
                              "-storepass", pw],
    "importkeystore": lambda ks, pw: ["-importkeystore", "-srckeystore", ks, "-srcstorepass", pw,
                                      "-destkeystore", "out.p12", "-deststorepass", "changeit"],
}


def assert_clean_failure(proc, folder: Path, before: dict[str, str], expect: str) -> None:  # type: ignore[no-untyped-def]
    err = proc.stderr.decode()
    assert proc.returncode == 1, err
    lines = [line for line in err.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("keystoretool error: ")]
    assert len(errors) == 1, err
    assert expect in errors[0], err
    assert "Traceback" not in err
    assert digest_dir(folder) == before  # nothing changed, nothing left behind


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize(
    ("case", "expect"),
    [
        ("missing", "Keystore file does not exist"),
        ("empty", "exists, but is empty"),
        ("garbage", "Unrecognized keystore format"),
        ("truncated", ""),
        ("truncated_p12", ""),
        ("wrong_password", "Keystore was tampered with, or password was incorrect"),
    ],
)
def test_bad_input_fails_cleanly(tmp_path: Path, command: str, case: str, expect: str) -> None:
    files = _broken_files(tmp_path)
    copy_fixture("seed/00D0m0000001mkL.jks", tmp_path)
    pw = "Snaplogic@123"
    if case == "missing":
        ks = "nosuch.jks"
        if command == "importkeystore":
            expect = "nosuch.jks (No such file or directory)"
    elif case == "wrong_password":
        ks, pw = "00D0m0000001mkL.jks", "wrong-password"
    else:
        ks = files[case].name
    if command == "importkeystore" and case == "empty":
        expect = "Source keystore file exists, but is empty"
    before = digest_dir(tmp_path)
    proc = run_cli(COMMANDS[command](ks, pw), cwd=tmp_path)
    assert_clean_failure(proc, tmp_path, before, expect)


@pytest.mark.parametrize(
    ("argv", "expect"),
    [
        (["-list", "-alias", "NoSuch"], "Alias <NoSuch> does not exist"),
        (["-changealias", "-alias", "NoSuch", "-destalias", "x"], "Alias <NoSuch> does not exist"),
        (["-delete", "-alias", "NoSuch"], "Alias <NoSuch> does not exist"),
        (["-changealias", "-alias", "ma_2_cert_oct_6_2021", "-destalias", "Example_Root_CA"],
         "Destination alias <Example_Root_CA> already exists"),
        (["-changealias", "-alias", "ma_2_cert_oct_6_2021", "-destalias", "n", "-keypass",
          "wrongkeypass"], "Cannot recover key"),
    ],
)
def test_alias_and_key_errors(tmp_path: Path, argv: list[str], expect: str) -> None:
    copy_fixture("seed/00D0m0000001mkL.jks", tmp_path)
    before = digest_dir(tmp_path)
    proc = run_cli([*argv, "-keystore", "00D0m0000001mkL.jks", "-storepass", "Snaplogic@123"],
                   cwd=tmp_path)
    assert_clean_failure(proc, tmp_path, before, expect)


@pytest.mark.parametrize(
    ("extra", "expect"),
    [
        (["-srcalias", "NoSuch"], "Alias <NoSuch> does not exist"),
        (["-srcalias", "ma_2_cert_oct_6_2021", "-srckeypass", "wrongkeypass"], "Cannot recover key"),
        (["-destalias", "x"], "if alias not specified, destalias and srckeypass must not be specified"),
        (["-srcstorepass", "wrong-password"], "Keystore was tampered with, or password was incorrect"),
    ],
)
def test_importkeystore_errors_write_nothing(tmp_path: Path, extra: list[str], expect: str) -> None:
    copy_fixture("seed/00D0m0000001mkL.jks", tmp_path)
    shutil.copy(fixture_path("kt17/all.p12"), tmp_path / "dest.p12")
    before = digest_dir(tmp_path)
    argv = ["-importkeystore", "-srckeystore", "00D0m0000001mkL.jks", "-destkeystore", "dest.p12",
            "-deststorepass", "changeit", "-srcstorepass", "Snaplogic@123", *extra]
    proc = run_cli(argv, cwd=tmp_path)
    assert_clean_failure(proc, tmp_path, before, expect)


def test_existing_destination_alias_in_importkeystore_is_refused_without_input(
    tmp_path: Path,
) -> None:
    copy_fixture("seed/00D0m0000001mkL.jks", tmp_path)
    argv = ["-importkeystore", "-srckeystore", "00D0m0000001mkL.jks", "-destkeystore", "d.p12",
            "-deststorepass", "changeit", "-srcstorepass", "Snaplogic@123",
            "-srcalias", "ma_2_cert_oct_6_2021"]
    assert run_cli(argv, cwd=tmp_path).returncode == 0
    before = digest_dir(tmp_path)
    proc = run_cli(argv, cwd=tmp_path)
    assert_clean_failure(proc, tmp_path, before, "already exists in the destination keystore")


def test_missing_password_prompts_in_keytool_order(tmp_path: Path) -> None:
    ks = copy_fixture("seed/00D0m0000001mkL.jks", tmp_path)
    # -delete without -alias: the alias is asked first, then the password, one line each
    proc = run_cli(["-delete", "-keystore", str(ks)],
                   stdin=b"selfsignedcert_11dec2020_191506\nSnaplogic@123\n")
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stderr.startswith(b"Enter alias name:  Enter keystore password:  ")
    assert "selfsignedcert_11dec2020_191506" not in keytool_entries(ks, "Snaplogic@123")


def test_short_prompted_password_refused_three_times(tmp_path: Path) -> None:
    ks = copy_fixture("seed/00D0m0000001mkL.jks", tmp_path)
    before = digest_dir(tmp_path)
    proc = run_cli(["-delete", "-alias", "x", "-keystore", str(ks)], stdin=b"abc\n\n\n")
    assert proc.stderr.decode().count(
        "Keystore password is too short - must be at least 6 characters") == 3
    assert_clean_failure(proc, tmp_path, before, "Too many failures - try later")


def test_list_without_password_warns_about_integrity(tmp_path: Path) -> None:
    ks = copy_fixture("seed/00D0m0000001mkL.jks", tmp_path)
    proc = run_cli(["-list", "-keystore", str(ks)], stdin=b"\n")
    assert proc.returncode == 0, proc.stderr.decode()
    assert b"* The integrity of the information stored in your keystore  *" in proc.stderr
    assert b"Your keystore contains 4 entries" in proc.stdout


def test_password_from_file_and_env(tmp_path: Path) -> None:
    ks = copy_fixture("seed/00D0m0000001mkL.jks", tmp_path)
    (tmp_path / "pw.txt").write_text("Snaplogic@123\n")
    for args, env in (
        (["-storepass:file", str(tmp_path / "pw.txt")], None),
        (["-storepass:env", "KSPW"], {"KSPW": "Snaplogic@123"}),
    ):
        proc = run_cli(["-list", "-keystore", str(ks), *args], env=env)
        assert proc.returncode == 0, proc.stderr.decode()
    proc = run_cli(["-list", "-keystore", str(ks), "-storepass:env", "UNSET_VAR_X"])
    assert proc.returncode == 1
    assert proc.stderr.decode().strip() == \
        "keystoretool error: Cannot find environment variable: UNSET_VAR_X"


def test_passwords_never_echoed(tmp_path: Path) -> None:
    ks = copy_fixture("seed/00D0m0000001mkL.jks", tmp_path)
    secret = "Sup3rSecretWrong"
    for argv in (["-list", "-v"], ["-delete", "-alias", "nosuch"],
                 ["-changealias", "-alias", "x", "-destalias", "y"]):
        proc = run_cli([*argv, "-keystore", str(ks), "-storepass", secret])
        assert secret.encode() not in proc.stdout + proc.stderr
