"""No lost update on any write path (issue 11, section 1).

Each test makes the race deterministic: a helper process holds the
keystore's lock; the command under test is started and runs until it waits
for that lock (seen in /proc: it holds our lock descriptor open); the helper
then makes another change to the keystore, under the lock, and releases it.
Both changes must be in the file afterwards, and the command must exit 0.
A command that read the keystore before taking the lock, or decided before
it whether the file exists, loses the helper's change.
"""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pkihelpers import key_entry, key_pem, make_pki, pem

from keystoretool import storage
from keystoretool.entries import TrustedCertEntry
from keystoretool.model import Keystore

FORK = multiprocessing.get_context("fork")
PW = "changeit"
PKI = make_pki("Race")

pytestmark = pytest.mark.skipif(not Path("/proc/self/fdinfo").is_dir(),
                                reason="needs /proc to see a command wait for the lock")


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "keystoretool", *args]


def trusted(alias: str) -> TrustedCertEntry:
    from cryptography.hazmat.primitives.serialization import Encoding

    return TrustedCertEntry(alias, cert_der=PKI.root.public_bytes(Encoding.DER))


def make_store(path: Path, store_type: str = "PKCS12", *, full_chain: bool = True) -> None:
    ks = Keystore.new(store_type, PW)
    chain = PKI.chain if full_chain else [PKI.leaf]
    ks.put("key1", key_entry("key1", PKI.leaf_key, chain))
    ks.put("ca1", trusted("ca1"))
    ks.save(path)


def aliases(path: Path, password: str = PW) -> set[str]:
    return set(Keystore.load(path, password).aliases())


# ---- the helper process and the wait --------------------------------------


def _holder(path: str, change: Callable[[str], None] | None, ready: Any, go: Any,
            result: Any) -> None:
    try:
        with storage.locked(path, timeout=30):
            ready.set()
            go.wait(120)
            if change is not None:
                change(path)
        result.put("ok")
    except BaseException as err:  # noqa: BLE001 - reported to the test
        result.put(repr(err))


def _lock_fd_open(pid: int, target: str) -> bool:
    """Does process ``pid`` hold our lock descriptor on ``target`` (opened
    with O_NOFOLLOW, which no other open of the keystore or folder uses)?"""
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return False
    for fd in fds:
        try:
            if os.readlink(f"/proc/{pid}/fd/{fd}") != target:
                continue
            with open(f"/proc/{pid}/fdinfo/{fd}") as fh:
                flags = next(int(line.split()[1], 8) for line in fh if line.startswith("flags:"))
        except (OSError, StopIteration):
            continue
        if flags & os.O_NOFOLLOW:
            return True
    return False


def wait_until_waiting(procs: list[subprocess.Popen[str]], path: Path) -> None:
    """Until every command waits for the lock of ``path`` (its file, or its
    folder while it does not exist)."""
    target = os.path.realpath(path if path.exists() else path.parent)
    deadline = time.monotonic() + 120
    pending = list(procs)
    while pending:
        for p in list(pending):
            if p.poll() is not None:
                out, err = p.communicate()
                pytest.fail(f"the command ended before waiting for the lock: {err}{out}")
            if _lock_fd_open(p.pid, target):
                pending.remove(p)
        assert time.monotonic() < deadline, "the command never reached the lock"
        time.sleep(0.02)


def race(path: Path, commands: list[list[str]], change: Callable[[str], None] | None,
         stdin: str | None = None, *, ok: bool = True) -> list[subprocess.CompletedProcess[str]]:
    """Hold the lock of ``path``, start ``commands``, wait until they wait for
    it, make ``change`` under the lock, release, and return the results."""
    ready, go, result = FORK.Event(), FORK.Event(), FORK.Queue()
    holder = FORK.Process(target=_holder, args=(str(path), change, ready, go, result))
    holder.start()
    procs: list[subprocess.Popen[str]] = []
    try:
        assert ready.wait(30)
        for cmd in commands:
            procs.append(subprocess.Popen(
                cmd, stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                cwd=path.parent.parent))
            if stdin is not None:
                assert procs[-1].stdin is not None
                procs[-1].stdin.write(stdin)
                procs[-1].stdin.close()
        wait_until_waiting(procs, path)
    finally:
        go.set()
        holder.join(60)
    assert result.get(timeout=10) == "ok"
    done = []
    for p in procs:
        out, err = p.communicate(timeout=300)
        done.append(subprocess.CompletedProcess(p.args, p.returncode, out, err))
    for r in done if ok else []:
        assert r.returncode == 0, r.stderr + r.stdout
        assert "keystoretool error" not in r.stderr
    return done


def add_trusted(alias: str) -> Callable[[str], None]:
    def change(path: str) -> None:
        ks = Keystore.load(path, PW)
        ks.put(alias, trusted(alias))
        ks.save()
    return change


def create_with(alias: str, store_type: str = "PKCS12") -> Callable[[str], None]:
    def change(path: str) -> None:
        ks = Keystore.new(store_type, PW)
        ks.put(alias, trusted(alias))
        ks.save(path)
    return change


def delete(alias: str) -> Callable[[str], None]:
    def change(path: str) -> None:
        ks = Keystore.load(path, PW)
        ks.delete(alias)
        ks.save()
    return change


def rename(alias: str, new: str) -> Callable[[str], None]:
    def change(path: str) -> None:
        ks = Keystore.load(path, PW)
        ks.rename(alias, new)
        ks.save()
    return change


@pytest.fixture
def ks(tmp_path: Path) -> Path:
    (tmp_path / "w").mkdir()
    path = tmp_path / "w" / "ks.p12"
    make_store(path)
    return path


def files(tmp_path: Path) -> Path:
    """Input files beside (not in) the keystore's folder."""
    d = tmp_path / "in"
    d.mkdir(exist_ok=True)
    (d / "root.pem").write_bytes(pem(PKI.root))
    (d / "inter.pem").write_bytes(pem(PKI.inter))
    (d / "leaf.pem").write_bytes(pem(PKI.leaf))
    (d / "key.pem").write_bytes(key_pem(PKI.leaf_key))
    return d


# ---- one test per writing command -----------------------------------------


def test_changealias(ks: Path) -> None:
    race(ks, [cli("-changealias", "-alias", "key1", "-destalias", "renamed", "-keystore",
                  str(ks), "-storepass", PW)], add_trusted("other"))
    assert aliases(ks) == {"renamed", "ca1", "other"}


def test_delete(ks: Path) -> None:
    race(ks, [cli("-delete", "-alias", "ca1", "-keystore", str(ks), "-storepass", PW)],
         add_trusted("other"))
    assert aliases(ks) == {"key1", "other"}


def test_importkeystore_into_an_existing_keystore(ks: Path, tmp_path: Path) -> None:
    src = tmp_path / "src.p12"
    s = Keystore.new("PKCS12", PW)
    s.put("imported", trusted("imported"))
    s.save(src)
    race(ks, [cli("-importkeystore", "-srckeystore", str(src), "-destkeystore", str(ks),
                  "-srcstorepass", PW, "-deststorepass", PW, "-srcalias", "imported",
                  "-noprompt")], add_trusted("other"))
    assert aliases(ks) == {"key1", "ca1", "imported", "other"}


def test_importkeystore_two_runs_create_one_destination(tmp_path: Path) -> None:
    """The issue's case: two runs with different -srcalias into a destination
    that does not exist yet; both exit 0 and the result holds both entries."""
    src = tmp_path / "src.p12"
    s = Keystore.new("PKCS12", PW)
    s.put("first", trusted("first"))
    s.put("second", trusted("second"))
    s.save(src)
    (tmp_path / "w").mkdir()
    dest = tmp_path / "w" / "new.p12"
    race(dest, [cli("-importkeystore", "-srckeystore", str(src), "-destkeystore", str(dest),
                    "-srcstorepass", PW, "-deststorepass", PW, "-srcalias", alias)
                for alias in ("first", "second")], None)
    assert aliases(dest) == {"first", "second"}
    assert sorted(p.name for p in dest.parent.iterdir()) == ["new.p12"]


def test_importkeystore_into_a_destination_created_meanwhile(tmp_path: Path) -> None:
    src = tmp_path / "src.p12"
    s = Keystore.new("PKCS12", PW)
    s.put("imported", trusted("imported"))
    s.save(src)
    (tmp_path / "w").mkdir()
    dest = tmp_path / "w" / "new.p12"
    race(dest, [cli("-importkeystore", "-srckeystore", str(src), "-destkeystore", str(dest),
                    "-srcstorepass", PW, "-deststorepass", PW)], create_with("winner"))
    assert aliases(dest) == {"imported", "winner"}


def test_a_destination_created_meanwhile_with_another_password_fails_clearly(
        tmp_path: Path) -> None:
    src = tmp_path / "src.p12"
    s = Keystore.new("PKCS12", PW)
    s.put("imported", trusted("imported"))
    s.save(src)
    (tmp_path / "w").mkdir()
    dest = tmp_path / "w" / "new.p12"
    [r] = race(dest, [cli("-importkeystore", "-srckeystore", str(src), "-destkeystore",
                          str(dest), "-srcstorepass", PW, "-deststorepass", "otherpass")],
               create_with("winner"), ok=False)
    assert r.returncode == 1
    assert r.stderr.strip().splitlines()[-1] == (
        f"keystoretool error: {dest} was created by another process meanwhile and does not "
        "open with the password and type given (keystore password was incorrect); run the "
        "command again")
    assert aliases(dest) == {"winner"}


def test_in_place_migration(tmp_path: Path) -> None:
    (tmp_path / "w").mkdir()
    path = tmp_path / "w" / "ks.jks"
    make_store(path, "JKS")
    race(path, [cli("-importkeystore", "-srckeystore", str(path), "-destkeystore", str(path),
                    "-deststoretype", "pkcs12", "-srcstorepass", PW, "-deststorepass", PW,
                    "-noprompt")], rename("ca1", "ca2"))
    migrated = Keystore.load(path, PW)
    assert migrated.store_type == "PKCS12"
    assert set(migrated.aliases()) == {"key1", "ca2"}
    old = Keystore.load(str(path) + ".old", PW)
    assert (old.store_type, set(old.aliases())) == ("JKS", {"key1", "ca2"})


def test_importcert(ks: Path, tmp_path: Path) -> None:
    d = files(tmp_path)
    race(ks, [cli("-importcert", "-alias", "newca", "-file", str(d / "root.pem"), "-noprompt",
                  "-keystore", str(ks), "-storepass", PW)], delete("ca1"))
    assert aliases(ks) == {"key1", "newca"}


def test_importcert_into_a_keystore_created_meanwhile(tmp_path: Path) -> None:
    d = files(tmp_path)
    (tmp_path / "w").mkdir()
    path = tmp_path / "w" / "new.p12"
    race(path, [cli("-importcert", "-alias", "newca", "-file", str(d / "root.pem"),
                    "-noprompt", "-keystore", str(path), "-storepass", PW)],
         create_with("winner"))
    assert aliases(path) == {"winner", "newca"}


def test_importpem(ks: Path, tmp_path: Path) -> None:
    d = files(tmp_path)
    race(ks, [cli("importpem", "--key", str(d / "key.pem"), "--cert", str(d / "leaf.pem"),
                  "--cert", str(d / "inter.pem"), "--alias", "pemkey", "--keystore", str(ks),
                  "--storepass", PW)], add_trusted("other"))
    assert aliases(ks) == {"key1", "ca1", "pemkey", "other"}


def test_importpem_into_a_keystore_created_meanwhile(tmp_path: Path) -> None:
    d = files(tmp_path)
    (tmp_path / "w").mkdir()
    path = tmp_path / "w" / "new.p12"
    race(path, [cli("importpem", "--key", str(d / "key.pem"), "--cert", str(d / "leaf.pem"),
                    "--alias", "pemkey", "--keystore", str(path), "--storepass", PW)],
         create_with("winner"))
    assert aliases(path) == {"winner", "pemkey"}


def test_genkeypair(ks: Path) -> None:
    race(ks, [cli("-genkeypair", "-alias", "gen", "-keyalg", "EC", "-dname", "CN=race",
                  "-keystore", str(ks), "-storepass", PW)], add_trusted("other"))
    assert aliases(ks) == {"key1", "ca1", "gen", "other"}


def test_genkeypair_into_a_keystore_created_meanwhile(tmp_path: Path) -> None:
    (tmp_path / "w").mkdir()
    path = tmp_path / "w" / "new.p12"
    race(path, [cli("-genkeypair", "-alias", "gen", "-keyalg", "EC", "-dname", "CN=race",
                    "-keystore", str(path), "-storepass", PW)], create_with("winner"))
    assert aliases(path) == {"winner", "gen"}


def test_storepasswd(ks: Path) -> None:
    race(ks, [cli("-storepasswd", "-new", "newpass1", "-keystore", str(ks), "-storepass", PW)],
         add_trusted("other"))
    after = Keystore.load(ks, "newpass1")
    assert set(after.aliases()) == {"key1", "ca1", "other"}
    after.get("key1").unlock("newpass1")


def test_keypasswd(tmp_path: Path) -> None:
    (tmp_path / "w").mkdir()
    path = tmp_path / "w" / "ks.jks"
    make_store(path, "JKS")
    race(path, [cli("-keypasswd", "-alias", "key1", "-keypass", PW, "-new", "keypass2",
                    "-keystore", str(path), "-storepass", PW)], add_trusted("other"))
    after = Keystore.load(path, PW)
    assert set(after.aliases()) == {"key1", "ca1", "other"}
    after.get("key1").unlock("keypass2")


def test_chain_add(tmp_path: Path) -> None:
    d = files(tmp_path)
    (tmp_path / "w").mkdir()
    path = tmp_path / "w" / "ks.p12"
    make_store(path, full_chain=False)
    race(path, [cli("chain", "--keystore", str(path), "--alias", "key1", "--storepass", PW,
                    "--add", str(d / "inter.pem"))], add_trusted("other"))
    after = Keystore.load(path, PW)
    assert set(after.aliases()) == {"key1", "ca1", "other"}
    assert len(after.get("key1").chain_der) >= 2  # (PKCS12 links the root by issuer)


def test_batch_lines(ks: Path, tmp_path: Path) -> None:
    script = tmp_path / "lines.txt"
    script.write_text(
        f"-changealias -alias key1 -destalias renamed -keystore {ks} -storepass {PW}\n"
        f"-delete -alias ca1 -keystore {ks} -storepass {PW}\n")
    race(ks, [cli("batch", str(script))], add_trusted("other"))
    assert aliases(ks) == {"renamed", "other"}


def test_the_api_edit_context_manager(ks: Path) -> None:
    code = (
        "import sys; from keystoretool import Keystore\n"
        f"with Keystore.edit(sys.argv[1], {PW!r}) as ks:\n"
        "    ks.delete('ca1')\n"
    )
    race(ks, [[sys.executable, "-c", code, str(ks)]], add_trusted("other"))
    assert aliases(ks) == {"key1", "other"}


def test_the_api_save_refuses_to_lose_an_update(ks: Path) -> None:
    from keystoretool.errors import KeystoreToolError

    mine = Keystore.load(ks, PW)
    mine.delete("ca1")
    add_trusted("other")(str(ks))  # another process's change after my load
    with pytest.raises(KeystoreToolError, match="was changed by another process since"):
        mine.save()
    assert aliases(ks) == {"key1", "ca1", "other"}


# ---- the lock follows the file when a writer replaces it ------------------


def _hold_and_signal(path: str, ready: Any, go: Any, release: Any, replace: bool) -> None:
    with storage.locked(path, timeout=30):
        ready.set()
        if replace:
            go.wait(60)
            storage.atomic_write(path, b"version 2")  # a new inode at the path
        release.wait(60)


def _waiter(path: str, got: Any) -> None:
    with storage.locked(path, timeout=60):
        got.set()


def test_a_waiter_woken_on_a_replaced_file_locks_the_new_one(tmp_path: Path) -> None:
    path = tmp_path / "ks"
    path.write_bytes(b"version 1")
    r1, go, rel1, r2, rel2, got = (FORK.Event() for _ in range(6))
    first = FORK.Process(target=_hold_and_signal, args=(str(path), r1, go, rel1, True))
    first.start()
    assert r1.wait(30)  # holds the lock of the file (inode 1)
    waiter = FORK.Process(target=_waiter, args=(str(path), got))
    waiter.start()
    wait_until_waiting_pid(waiter.pid, path)  # queued on inode 1
    inode = path.stat().st_ino
    go.set()
    while path.stat().st_ino == inode:  # the holder replaces the file: inode 2
        time.sleep(0.01)
    second = FORK.Process(target=_hold_and_signal, args=(str(path), r2, go, rel2, False))
    second.start()
    assert r2.wait(30)  # a newcomer holds inode 2's lock
    rel1.set()
    first.join(30)
    # The waiter now gets inode 1's lock, sees that the path names another
    # file, and must wait for the newcomer instead of running beside it.
    assert not got.wait(1.0)
    rel2.set()
    second.join(30)
    assert got.wait(30)
    waiter.join(30)
    assert path.read_bytes() == b"version 2"


def wait_until_waiting_pid(pid: int, path: Path) -> None:
    deadline = time.monotonic() + 60
    while not _lock_fd_open(pid, os.path.realpath(path)):
        assert time.monotonic() < deadline, "the waiter never reached the lock"
        time.sleep(0.01)
