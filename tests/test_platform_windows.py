"""The Windows code path, run on Linux by substitution (tests/winsim.py).

The storage layer's Windows implementation (keystoretool/storage/windows.py)
runs in real subprocesses where ``fcntl``, ``pwd``, ``grp`` and ``termios``
cannot be imported, ``msvcrt.locking`` is a fake backed by a real
cross-process lock, and ``os.replace`` raises Windows' sharing violation on
demand. The guarantees checked are those of the POSIX tests: no lost update
between two processes, the old file or the new one after a failure, nothing
left beside the keystore. The Windows-only pieces of the CLI (batch words,
home folder, hidden prompts, colours) are checked with ``sys.platform``
substituted. What substitution cannot show is listed in the README
("Platforms").
"""

from __future__ import annotations

import ast
import hashlib
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pkihelpers import key_entry, make_pki

from keystoretool.entries import TrustedCertEntry
from keystoretool.model import Keystore

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
PW = "changeit"
PKI = make_pki("Windows")
POSIX_ONLY = ("fcntl", "pwd", "grp", "termios", "tty", "pty", "resource", "posix")


def trusted(alias: str) -> TrustedCertEntry:
    from cryptography.hazmat.primitives.serialization import Encoding

    return TrustedCertEntry(alias, cert_der=PKI.root.public_bytes(Encoding.DER))


def make_store(path: Path) -> None:
    ks = Keystore.new("PKCS12", PW)
    ks.put("key1", key_entry("key1", PKI.leaf_key, PKI.chain))
    ks.put("ca1", trusted("ca1"))
    ks.save(path)


def aliases(path: Path) -> set[str]:
    return set(Keystore.load(path, PW).aliases())


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """The environment of a simulated Windows process: its own
    %LOCALAPPDATA%, a user name, and a fake ``icacls`` on PATH that logs its
    arguments and applies what they mean on POSIX (owner-only: 0600)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    icacls = bin_dir / "icacls"
    icacls.write_text(
        "#!/bin/sh\n"
        'printf "%s\\n" "$*" >> "$WINSIM_ICACLS_LOG"\n'
        '[ -n "$WINSIM_ICACLS_FAIL" ] && exit 5\n'
        'case "$*" in *"/inheritance:r /grant:r"*) chmod 600 "$1";; esac\n'
        "exit 0\n")
    icacls.chmod(0o755)
    e = dict(os.environ)
    e.update(
        PYTHONPATH=os.pathsep.join([str(TESTS), str(REPO)]),
        PATH=f"{bin_dir}{os.pathsep}{e.get('PATH', '')}",
        LOCALAPPDATA=str(tmp_path / "appdata"),
        USERNAME="tester",
        USERDOMAIN="WORK",
        WINSIM_ICACLS_LOG=str(tmp_path / "icacls.log"),
        WINSIM_LOG=str(tmp_path / "replace.log"),
    )
    return e


@pytest.fixture
def ks(tmp_path: Path) -> Path:
    folder = tmp_path / "work"
    folder.mkdir()
    path = folder / "ks.p12"
    make_store(path)
    return path


def win(env: dict[str, str], *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(TESTS / "winsim.py"), *args],
                          env={**env, **extra}, capture_output=True, text=True, timeout=120)


def lock_file(env: dict[str, str], path: Path) -> Path:
    key = os.path.normcase(os.path.abspath(os.path.realpath(path)))
    return (Path(env["LOCALAPPDATA"]) / "keystoretool" / "locks"
            / (hashlib.sha256(key.encode()).hexdigest() + ".lock"))


def log_lines(path: str) -> list[str]:
    return Path(path).read_text().splitlines() if Path(path).exists() else []


# ---- no POSIX-only module is needed ----------------------------------------------


def test_no_posix_only_import_at_module_level() -> None:
    """Every module of the package, parsed: POSIX-only modules are imported
    inside functions only (where the POSIX path uses them)."""
    offenders = []
    for path in sorted((REPO / "keystoretool").rglob("*.py")):
        tree = ast.parse(path.read_text(), str(path))
        for node in tree.body:
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name.split(".")[0] for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module.split(".")[0]]
            offenders += [f"{path.relative_to(REPO)}: {n}" for n in names if n in POSIX_ONLY]
    # posix.py is the POSIX implementation, imported only on POSIX by platform.current()
    assert offenders == ["keystoretool/storage/posix.py: fcntl"]


def test_cli_starts_and_lists_without_fcntl_and_pwd(ks: Path) -> None:
    prelude = ("import sys\n"
               f"for m in {POSIX_ONLY[:4]!r}: sys.modules[m] = None\n")
    code = prelude + (
        "import keystoretool.cli.main\n"
        "from keystoretool.cli.main import main\n"
        f"sys.exit(main(['-list', '-keystore', {str(ks)!r}, '-storepass', {PW!r}]))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=REPO, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Your keystore contains 2 entries" in done.stdout
    assert done.stderr == ""
    only_import = subprocess.run([sys.executable, "-c", prelude + "import keystoretool.cli.main"],
                                 capture_output=True, text=True, cwd=REPO, timeout=120)
    assert only_import.returncode == 0 and only_import.stderr == ""


def test_the_simulation_really_hides_fcntl(env: dict[str, str]) -> None:
    code = ("import winsim; winsim.install()\n"
            "for m in ('fcntl', 'pwd'):\n"
            "    try:\n        __import__(m)\n    except ImportError:\n        print(m, 'hidden')\n"
            "from keystoretool.storage import platform\nprint(platform.current().name)\n")
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.stdout.split("\n")[:3] == ["fcntl hidden", "pwd hidden", "windows"], done.stderr


# ---- the Windows storage path ------------------------------------------------------


def test_a_write_leaves_nothing_beside_the_keystore(env: dict[str, str], ks: Path) -> None:
    done = win(env, "-changealias", "-alias", "ca1", "-destalias", "ca2",
               "-keystore", str(ks), "-storepass", PW)
    assert done.returncode == 0, done.stderr
    assert aliases(ks) == {"key1", "ca2"}
    assert sorted(p.name for p in ks.parent.iterdir()) == ["ks.p12"]
    lock = lock_file(env, ks)
    assert lock.is_file() and lock.stat().st_size == 0  # the lock lives in LOCALAPPDATA
    assert log_lines(env["WINSIM_LOG"]) == ["replace ok ks.p12"]
    # an existing keystore is replaced without an ACL change (icacls not run)
    assert log_lines(env["WINSIM_ICACLS_LOG"]) == []


def test_no_lost_update_between_two_processes(env: dict[str, str], ks: Path) -> None:
    """A holder process loads the keystore under the lock, waits until a
    command is seen waiting for that lock (the lock file open in /proc), then
    saves its own change from what it loaded. Without a working lock the
    command's change or the holder's would be lost."""
    if not Path("/proc/self/fd").is_dir():
        pytest.skip("needs /proc to see the command wait for the lock")
    holder_code = (
        "import sys, winsim; winsim.install()\n"
        "from keystoretool import storage\nfrom keystoretool.model import Keystore\n"
        "from keystoretool.entries import TrustedCertEntry\n"
        "path = sys.argv[1]\n"
        "with storage.locked(path, timeout=30):\n"
        "    ks = Keystore.load(path, 'changeit')\n"
        "    print('held', flush=True)\n"
        "    sys.stdin.readline()\n"
        "    ca = ks.get('ca1')\n"
        "    ks.put('held', TrustedCertEntry('held', cert_der=ca.cert_der))\n"
        "    ks.save(path)\n"
        "print('done', flush=True)\n")
    holder = subprocess.Popen([sys.executable, "-c", holder_code, str(ks)], env=env,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdin is not None
    assert holder.stdout.readline() == "held\n"
    command = subprocess.Popen(
        [sys.executable, str(TESTS / "winsim.py"), "-delete", "-alias", "key1",
         "-keystore", str(ks), "-storepass", PW],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lock = str(lock_file(env, ks))
    deadline = time.monotonic() + 60
    while not _has_open(command.pid, lock):
        assert command.poll() is None, command.communicate()
        assert time.monotonic() < deadline, "the command never reached the lock"
        time.sleep(0.02)
    time.sleep(0.2)  # it is polling the lock: still running, not done
    assert command.poll() is None
    holder.stdin.write("go\n")
    holder.stdin.flush()
    assert holder.wait(60) == 0, holder.stderr.read() if holder.stderr else ""
    out, err = command.communicate(timeout=120)
    assert command.returncode == 0, err
    assert aliases(ks) == {"ca1", "held"}  # both changes kept
    assert sorted(p.name for p in ks.parent.iterdir()) == ["ks.p12"]


def _has_open(pid: int, target: str) -> bool:
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return False
    for fd in fds:
        try:
            if os.readlink(f"/proc/{pid}/fd/{fd}") == target:
                return True
        except OSError:
            continue
    return False


def test_lock_timeout_on_windows(env: dict[str, str], ks: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, winsim; winsim.install()\n"
         "from keystoretool import storage\n"
         "with storage.locked(sys.argv[1]):\n"
         "    print('held', flush=True); sys.stdin.readline()\n", str(ks)],
        env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdin is not None
    try:
        assert holder.stdout.readline() == "held\n"
        before = ks.read_bytes()
        done = win(env, "-delete", "-alias", "key1", "-keystore", str(ks), "-storepass", PW,
                   "--lock-timeout", "0.5")
        assert done.returncode == 1
        assert done.stderr == (f"keystoretool error: Keystore {ks} is locked by another "
                               "process (waited 0.5 s)\n")
        assert ks.read_bytes() == before
    finally:
        holder.stdin.write("go\n")
        holder.stdin.close()
        holder.wait(30)


def test_sharing_violations_are_retried(env: dict[str, str], ks: Path) -> None:
    done = win(env, "-delete", "-alias", "ca1", "-keystore", str(ks), "-storepass", PW,
               WINSIM_REPLACE_FAIL="3")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert aliases(ks) == {"key1"}
    assert log_lines(env["WINSIM_LOG"]) == ["replace busy ks.p12"] * 3 + ["replace ok ks.p12"]
    assert sorted(p.name for p in ks.parent.iterdir()) == ["ks.p12"]


def test_a_replace_that_always_fails_keeps_the_old_file(env: dict[str, str], ks: Path) -> None:
    from keystoretool.storage.windows import REPLACE_TRIES

    before = ks.read_bytes()
    done = win(env, "-delete", "-alias", "ca1", "-keystore", str(ks), "-storepass", PW,
               WINSIM_REPLACE_FAIL="-1")
    assert done.returncode == 1
    assert done.stderr == (f"keystoretool error: Cannot write {ks}: The process cannot access "
                           "the file because it is being used by another process\n")
    assert ks.read_bytes() == before
    assert sorted(p.name for p in ks.parent.iterdir()) == ["ks.p12"]  # no temporary file
    assert log_lines(env["WINSIM_LOG"]) == ["replace busy ks.p12"] * REPLACE_TRIES


def test_private_key_output_and_new_keystore_get_an_owner_only_acl(
        env: dict[str, str], ks: Path) -> None:
    key = ks.parent / "client.key"
    key.write_text("old\n")
    key.chmod(0o644)
    done = win(env, "exportpem", "--keystore", str(ks), "--storepass", PW, "--alias", "key1",
               "--keyout", str(key), "--certout", str(ks.parent / "client.crt"), "--no-encrypt")
    assert done.returncode == 0, done.stderr
    # the existing key file (0644) because it is a private key, the new
    # certificate file because every new file starts owner-only, as on POSIX
    calls = sorted(log_lines(env["WINSIM_ICACLS_LOG"]))
    assert len(calls) == 2
    for call, name in zip(calls, (".client.crt.", ".client.key."), strict=True):
        target, *rest = call.split(" ")
        assert Path(target).parent == ks.parent and Path(target).name.startswith(name)
        assert rest == ["/inheritance:r", "/grant:r", "WORK\\tester:F"]
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert key.read_text().startswith("-----BEGIN PRIVATE KEY-----")

    new = ks.parent / "new.p12"
    done = win(env, "-genkeypair", "-alias", "me", "-keyalg", "EC", "-dname", "CN=me",
               "-keystore", str(new), "-storepass", PW)
    assert done.returncode == 0, done.stderr
    calls = log_lines(env["WINSIM_ICACLS_LOG"])
    assert len(calls) == 3 and Path(calls[2].split(" ")[0]).name.startswith(".new.p12.")
    assert stat.S_IMODE(new.stat().st_mode) == 0o600


def test_a_failed_acl_refuses_the_private_key(env: dict[str, str], ks: Path) -> None:
    key = ks.parent / "client.key"
    done = win(env, "exportpem", "--keystore", str(ks), "--storepass", PW, "--alias", "key1",
               "--keyout", str(key), "--certout", str(ks.parent / "client.crt"), "--no-encrypt",
               WINSIM_ICACLS_FAIL="1")
    assert done.returncode == 1
    assert done.stderr == (f"keystoretool error: Cannot write {key}: cannot restrict access "
                           "to the owner (icacls exited 5)\n")
    assert not key.exists()
    assert not [p for p in ks.parent.iterdir() if p.name.startswith(".")]


def test_a_symlinked_keystore_is_written_through(env: dict[str, str], ks: Path) -> None:
    link = ks.parent / "link.p12"
    link.symlink_to(ks.name)
    done = win(env, "-delete", "-alias", "ca1", "-keystore", str(link), "-storepass", PW)
    assert done.returncode == 0, done.stderr
    assert link.is_symlink() and aliases(ks) == {"key1"}


def test_a_reparse_point_that_cannot_be_followed_is_refused(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from keystoretool.errors import StorageError
    from keystoretool.storage import windows

    target = tmp_path / "alias.p12"
    target.write_bytes(b"x")
    real_lstat = os.lstat

    class ReparseStat:
        st_mode = stat.S_IFREG | 0o644
        st_file_attributes = windows.FILE_ATTRIBUTE_REPARSE_POINT

    def lstat(path: object, *a: object, **k: object) -> object:
        if os.fspath(path) == str(target):  # type: ignore[call-overload]
            return ReparseStat()
        return real_lstat(path, *a, **k)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "lstat", lstat)
    with pytest.raises(StorageError, match="is a link or reparse point that cannot be followed"):
        windows.Windows().resolve(str(target))
    monkeypatch.undo()
    assert windows.Windows().resolve(str(target)) == str(target)
    assert windows.is_link(os.lstat(target)) is False


# ---- the Windows-only pieces of the CLI ----------------------------------------------------


def test_batch_lines_keep_windows_backslashes(monkeypatch: pytest.MonkeyPatch) -> None:
    from keystoretool.cli import shellwords
    from keystoretool.cli.cmd_batch import parse_lines

    line = r'-importcert -file C:\certs\new.pem -alias "my ca" -keystore "C:\My Stores\ks.p12"'
    monkeypatch.setattr(sys, "platform", "win32")
    (parsed,) = parse_lines(line + "  # a comment\n")
    assert parsed.argv == ["-importcert", "-file", r"C:\certs\new.pem", "-alias", "my ca",
                           "-keystore", r"C:\My Stores\ks.p12"]
    assert shellwords.split(r"-file 'C:\it''s'") == ["-file", r"C:\its"]
    assert shellwords.split(r'"C:\dir\"') == ["C:\\dir\\"]
    with pytest.raises(ValueError, match="No closing quotation"):
        shellwords.split('-alias "open')
    monkeypatch.setattr(sys, "platform", "linux")
    (posix,) = parse_lines(r"-importcert -file C:\certs\new.pem" + "\n")
    assert posix.argv == ["-importcert", "-file", "C:certsnew.pem"]  # a shell's reading


def test_windows_home_is_the_user_profile(monkeypatch: pytest.MonkeyPatch) -> None:
    from keystoretool.cli import common

    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setenv("USERPROFILE", r"C:\Users\tester")
    monkeypatch.setenv("HOME", "/somewhere/else")
    # the shell API (ctypes.windll) does not exist here: USERPROFILE is used
    assert common.user_home() == r"C:\Users\tester"
    monkeypatch.setattr(common, "_windows_profile", lambda: r"C:\Users\Profile")
    assert common.user_home() == r"C:\Users\Profile"


def test_posix_home_is_the_passwd_entry(monkeypatch: pytest.MonkeyPatch) -> None:
    import pwd

    from keystoretool.cli import common

    monkeypatch.setenv("HOME", "/somewhere/else")
    assert common.default_keystore() == os.path.join(
        pwd.getpwuid(os.getuid()).pw_dir, ".keystore")


def test_hidden_prompt_on_a_windows_console(monkeypatch: pytest.MonkeyPatch) -> None:
    import getpass
    import io

    from keystoretool.cli.passwords import Prompter

    asked: list[str] = []

    def fake_getpass(prompt: str, stream: object = None) -> str:
        asked.append(prompt)
        return "s3cret!"

    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setattr(getpass, "getpass", fake_getpass)
    prompter = Prompter(err=io.StringIO())
    monkeypatch.setattr(prompter, "_isatty", lambda: True)
    assert prompter.password("Enter keystore password:  ") == "s3cret!"
    assert asked == ["Enter keystore password:  "]


@pytest.mark.parametrize(("platform", "environ", "allowed"), [
    ("linux", {}, True),
    ("linux", {"NO_COLOR": "1"}, False),
    ("linux", {"TERM": "dumb"}, False),
    ("darwin", {"TERM": "xterm-256color"}, True),
    ("win32", {"WT_SESSION": "x"}, True),
    ("win32", {"ANSICON": "1"}, True),
    ("win32", {"TERM": "xterm"}, True),
    ("win32", {"WT_SESSION": "x", "NO_COLOR": "1"}, False),
    ("win32", {}, False),  # an old console: VT mode cannot be switched on here (no ctypes.windll)
])
def test_colours_follow_the_platforms_terminal_rules(
        platform: str, environ: dict[str, str], allowed: bool) -> None:
    from keystoretool.cli.app import colours_allowed

    assert colours_allowed(platform, environ) is allowed


def test_batch_jobs_without_fork_runs_the_lines_in_order(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from keystoretool.cli import cmd_batch
    from keystoretool.cli.main import main

    stores = []
    for name in ("a.p12", "b.p12"):
        make_store(tmp_path / name)
        stores.append(tmp_path / name)
    batch = tmp_path / "lines.txt"
    batch.write_text("".join(
        f"-changealias -alias ca1 -destalias ca2 -keystore {p} -storepass {PW}\n"
        for p in stores))
    monkeypatch.setattr(cmd_batch, "can_fork", lambda: False)
    monkeypatch.setattr(cmd_batch, "_run_parallel", None)  # must not be reached
    assert main(["batch", "--jobs", "2", str(batch)]) == 0, capsys.readouterr()
    assert all(aliases(p) == {"key1", "ca2"} for p in stores)


def test_new_destination_backup_and_migration_on_windows(env: dict[str, str], ks: Path) -> None:
    """The other write paths on the Windows implementation: a keystore
    created by -importkeystore (hard-linked into place), --backup (NAME.bak
    replaced through the retrying replace) and the in-place migration's
    NAME.old copy."""
    folder = ks.parent
    dest = folder / "copy.jks"
    done = win(env, "-importkeystore", "-srckeystore", str(ks), "-srcstorepass", PW,
               "-destkeystore", str(dest), "-deststoretype", "JKS", "-deststorepass", PW,
               "-noprompt", WINSIM_REPLACE_FAIL="0")
    assert done.returncode == 0, done.stderr
    assert aliases(dest) == {"key1", "ca1"}
    before = ks.read_bytes()
    done = win(env, "-delete", "-alias", "ca1", "-keystore", str(ks), "-storepass", PW,
               "--backup", WINSIM_REPLACE_FAIL="1")
    assert done.returncode == 0, done.stderr
    assert (folder / "ks.p12.bak").read_bytes() == before and aliases(ks) == {"key1"}
    jks_bytes = dest.read_bytes()
    done = win(env, "-importkeystore", "-srckeystore", str(dest), "-destkeystore", str(dest),
               "-deststoretype", "pkcs12", "-srcstorepass", PW, "-deststorepass", PW, "-noprompt")
    assert done.returncode == 0, done.stderr
    assert (folder / "copy.jks.old").read_bytes() == jks_bytes
    assert Keystore.load(dest, PW).store_type == "PKCS12"
    assert sorted(p.name for p in folder.iterdir()) == [
        "copy.jks", "copy.jks.old", "ks.p12", "ks.p12.bak"]
