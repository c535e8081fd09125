"""-genseckey and -importpass against real keytool 17: keytool decrypts the
secret keys we write into PKCS12 and JCEKS (it re-imports them into a store of
the other type, which we read back), and our messages are keytool's."""

from __future__ import annotations

from pathlib import Path

import pytest
from interop import run_cli, run_keytool

from keystoretool.model import Keystore

pytestmark = pytest.mark.require_keytool("17")

PW = "changeit"


def _keys(path: Path, storetype: str | None = None) -> dict[str, tuple[str | None, bytes]]:
    ks = Keystore.load(str(path), PW, storetype)
    out = {}
    for alias, entry in ks.items():
        key = entry.unlock(PW)  # type: ignore[union-attr]
        out[alias] = (entry.algorithm, key)  # type: ignore[union-attr]
    return out


def _roundtrip_through_keytool(src: Path, dest: Path, deststoretype: str) -> None:
    r = run_keytool(["-importkeystore", "-srckeystore", src, "-srcstorepass", PW,
                     "-destkeystore", dest, "-deststorepass", PW, "-deststoretype",
                     deststoretype, "-noprompt"])
    assert r.returncode == 0, r
    assert b"entries failed" in r.stderr and b", 0 entries failed" in r.stderr


SPECS = [("aes", "AES", "256", "Generated 256-bit AES secret key"),
         ("des", "DES", None, "Generated 56-bit DES secret key"),
         ("tdes", "DESede", None, "Generated 168-bit DESede secret key"),
         ("tdes2", "desede", "112", "Generated 112-bit DESede secret key"),
         ("mac", "HmacSHA256", "256", "Generated 256-bit HmacSHA256 secret key"),
         ("mac512", "hmacsha512", "512", "Generated 512-bit HmacSHA512 secret key")]


@pytest.mark.parametrize("storetype,other", [("PKCS12", "JCEKS"), ("JCEKS", "PKCS12")])
def test_genseckey_keys_are_read_by_keytool(tmp_path: Path, storetype: str, other: str) -> None:
    ours = tmp_path / f"ours.{storetype.lower()}"
    for i, (alias, alg, size, message) in enumerate(SPECS):
        if i % 2:  # native syntax for every other one
            args = ["genseckey", "--keystore", str(ours), "--storetype", storetype,
                    "--storepass", PW, "--keypass", PW, "--alias", alias, "--keyalg", alg]
            args += ["--keysize", size] if size else []
        else:
            args = ["-genseckey", "-keystore", str(ours), "-storetype", storetype,
                    "-storepass", PW, "-keypass", PW, "-alias", alias, "-keyalg", alg]
            args += ["-keysize", size] if size else []
        r = run_cli(args)
        assert r.returncode == 0, r
        assert r.stderr.decode().splitlines()[0] == message
    listing = run_keytool(["-list", "-keystore", ours, "-storepass", PW]).stdout.decode()
    assert f"Your keystore contains {len(SPECS)} entries" in listing
    for alias, *_ in SPECS:
        assert f"{alias}, " in listing and "SecretKeyEntry" in listing
    mine = _keys(ours)
    copy = tmp_path / f"copy.{other.lower()}"
    _roundtrip_through_keytool(ours, copy, other)
    copied = _keys(copy)
    if other == "JCEKS":  # keytool itself names a PKCS12 DES key (OID desCBC) "DES/CBC"
        assert copied["des"][0] == "DES/CBC"
        copied["des"] = ("DES", copied["des"][1])
    assert copied == mine
    assert {a: (alg, len(k)) for a, (alg, k) in mine.items()} == {
        "aes": ("AES", 32), "des": ("DES", 8), "tdes": ("DESede", 24), "tdes2": ("DESede", 24),
        "mac": ("HmacSHA256", 32), "mac512": ("HmacSHA512", 64)}
    assert mine["tdes2"][1][:8] == mine["tdes2"][1][16:]  # two-key DESede: k3 = k1
    for alg, key in mine.values():  # DES keys carry odd parity, as Java's generator sets
        if alg.startswith("DES"):
            assert all(bin(b).count("1") % 2 == 1 for b in key)


@pytest.mark.parametrize("args", [
    ["-alias", "x"],
    ["-alias", "x", "-keyalg", "HmacSHA256"],
    ["-alias", "x", "-keyalg", "AES", "-keysize", "100"],
    ["-alias", "x", "-keyalg", "DES", "-keysize", "64"],
    ["-alias", "x", "-keyalg", "Foo"],
    ["-alias", "X", "-keyalg", "AES", "-keysize", "128", "-storetype", "JKS"],
])
def test_genseckey_errors_like_keytool(tmp_path: Path, args: list[str]) -> None:
    theirs = run_keytool(["-genseckey", "-keystore", tmp_path / "k.p12", "-storepass", PW, *args])
    ours = run_cli(["-genseckey", "-keystore", str(tmp_path / "o.p12"), "-storepass", PW, *args])
    assert theirs.returncode == ours.returncode == 1
    message = theirs.stdout.decode().strip().split(": ", 2)[-1]
    assert ours.stderr.decode().splitlines()[-1] == f"keystoretool error: {message}"
    assert not (tmp_path / "o.p12").exists() and not (tmp_path / "k.p12").exists()


def test_genseckey_alias_taken(tmp_path: Path) -> None:
    store = tmp_path / "k.p12"
    base = ["-genseckey", "-keystore", store, "-storepass", PW, "-keyalg", "AES",
            "-keysize", "128"]
    assert run_keytool([*base, "-alias", "k1"]).returncode == 0
    before = store.read_bytes()
    theirs = run_keytool([*base, "-alias", "K1"])
    ours = run_cli([*(str(a) for a in base), "-alias", "K1"])
    assert theirs.stdout == b"keytool error: java.lang.Exception: Secret Key not generated, " \
                            b"alias <K1> already exists\n"
    assert ours.stderr == b"keystoretool error: Secret Key not generated, alias <K1> already " \
                          b"exists\n"
    assert store.read_bytes() == before


@pytest.mark.parametrize("storetype,other", [("PKCS12", "JCEKS"), ("JCEKS", "PKCS12")])
def test_importpass_read_by_keytool(tmp_path: Path, storetype: str, other: str) -> None:
    ours = tmp_path / f"ours.{storetype.lower()}"
    r = run_cli(["-importpass", "-keystore", str(ours), "-storetype", storetype, "-storepass",
                 PW, "-keypass", PW, "-alias", "db", "-v"], stdin=b"s3cret pass\n")
    assert r.returncode == 0, r
    assert r.stderr.decode().startswith(f"Generated PBE secret key\n[Storing {ours}]\n")
    r = run_cli(["importpass", "--keystore", str(ours), "--storepass", PW, "--keypass", PW,
                 "--alias", "api"], stdin=b"token-123\n")
    assert r.returncode == 0, r
    assert r.stderr in (b"", b"\nWarning:\n" + r.stderr.split(b"Warning:\n")[-1])
    theirs = tmp_path / f"theirs.{storetype.lower()}"
    r = run_keytool(["-importpass", "-keystore", theirs, "-storetype", storetype, "-storepass",
                     PW, "-keypass", PW, "-alias", "db"], stdin=b"s3cret pass\n")
    assert r.returncode == 0, r
    assert _keys(theirs)["db"] == _keys(ours)["db"] == ("PBEWithMD5AndDES", b"s3cret pass")
    copy = tmp_path / f"copy.{other.lower()}"
    _roundtrip_through_keytool(ours, copy, other)
    assert _keys(copy) == {"db": ("PBEWithMD5AndDES", b"s3cret pass"),
                           "api": ("PBEWithMD5AndDES", b"token-123")}


def test_importpass_alias_taken_and_non_ascii(tmp_path: Path) -> None:
    store = tmp_path / "p.p12"
    assert run_cli(["-importpass", "-keystore", str(store), "-storepass", PW],
                   stdin=b"first1\n").returncode == 0
    before = store.read_bytes()
    r = run_cli(["-importpass", "-keystore", str(store), "-storepass", PW], stdin=b"again\n")
    assert r.returncode == 1
    assert r.stderr == b"keystoretool error: Secret Key not generated, alias <mykey> already " \
                       b"exists\n"
    r = run_cli(["-importpass", "-keystore", str(store), "-storepass", PW, "-alias", "u"],
                stdin="pässword\n".encode())
    assert r.returncode == 1 and r.stderr == b"keystoretool error: Password is not ASCII\n"
    assert store.read_bytes() == before


def _hold_lock(path: str, ready: object, release: object) -> None:
    from keystoretool import storage

    with storage.locked(path, timeout=5):
        ready.set()  # type: ignore[attr-defined]
        release.wait(60)  # type: ignore[attr-defined]


@pytest.mark.parametrize("command", ["-genseckey", "-importpass"])
def test_secret_key_commands_respect_the_lock(tmp_path: Path, command: str) -> None:
    """Another process holds the keystore's lock: one error line, the file unchanged."""
    import multiprocessing

    store = tmp_path / "k.p12"
    assert run_cli(["-genseckey", "-keystore", str(store), "-storepass", PW, "-alias", "first",
                    "-keyalg", "AES", "-keysize", "128"]).returncode == 0
    before = store.read_bytes()
    fork = multiprocessing.get_context("fork")
    ready, release = fork.Event(), fork.Event()
    holder = fork.Process(target=_hold_lock, args=(str(store), ready, release))
    holder.start()
    try:
        assert ready.wait(10)
        r = run_cli([command, "-keystore", str(store), "-storepass", PW, "-alias", "second",
                     "-keyalg", "AES" if command == "-genseckey" else "PBE", "-keysize", "128",
                     "--lock-timeout", "0.5"], stdin=b"pw1234\n")
    finally:
        release.set()
        holder.join(10)
    assert r.returncode == 1
    assert r.stderr.decode().splitlines()[-1] == \
        f"keystoretool error: Keystore {store} is locked by another process (waited 0.5 s)"
    assert store.read_bytes() == before


def _converse(args: list[str], answers: list[tuple[bytes, bytes]]) -> tuple[int, bytes]:
    """Run our CLI on a terminal (stdin, stdout and stderr a pty), answering each
    prompt once it has been shown; returns (exit status, everything shown)."""
    import os
    import pty
    import subprocess
    import sys
    import time

    from interop import REPO_ROOT

    master, slave = pty.openpty()
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT), LANG="C.UTF-8")
    proc = subprocess.Popen([sys.executable, "-m", "keystoretool", *args], stdin=slave,
                            stdout=slave, stderr=slave, env=env, close_fds=True)
    os.close(slave)
    seen = b""
    deadline = time.monotonic() + 60
    pending = list(answers)
    while time.monotonic() < deadline:
        try:
            chunk = os.read(master, 1024)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
        while pending and seen.rstrip().endswith(pending[0][0]):
            time.sleep(0.2)  # the prompt turns echo off right after it is shown
            os.write(master, pending.pop(0)[1])
    os.close(master)
    return proc.wait(30), seen


def test_importpass_on_a_terminal_asks_twice(tmp_path: Path) -> None:
    store = tmp_path / "t.p12"
    args = ["-importpass", "-keystore", str(store), "-storepass", PW, "-alias", "tty"]
    rc, shown = _converse(args, [(b"Enter the password to be stored:", b"typed-pw\n"),
                                 (b"Re-enter password:", b"typed-pw\n")])
    assert rc == 0, shown
    assert b"Enter the password to be stored:  " in shown and b"Re-enter password: " in shown
    assert b"typed-pw" not in shown  # not echoed
    assert _keys(store)["tty"] == ("PBEWithMD5AndDES", b"typed-pw")
    rc, shown = _converse([*args[:-1], "other"],
                          [(b"Enter the password to be stored:", b"one1\n"),
                           (b"Re-enter password:", b"two2\n"),
                           (b"Try again\r\nEnter the password to be stored:", b"one1\n"),
                           (b"Re-enter password:", b"one1\n")])
    assert rc == 0, shown
    assert b"They don't match. Try again" in shown
    assert _keys(store)["other"] == ("PBEWithMD5AndDES", b"one1")
