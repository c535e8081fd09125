"""Leave nothing that keytool would not leave (issue 11, section 2).

A seeded mix of successful commands, failing commands and commands
SIGKILLed in the middle of their write (the kill is sent the moment the
command's temporary file appears), then one successful command: the folder
must hold exactly what it would hold had keytool run the same commands: the
keystore, the NAME.bak the user asked for, and the user's own files, nothing
else. No lock file either, and a zero-byte ``.NAME.lock`` an earlier version
left is removed.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pkihelpers import key_entry, make_pki, pem

from keystoretool.model import Keystore

PW = "changeit"
PKI = make_pki("Litter")
STEPS = 24


def start(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "keystoretool", *args],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd="/")


def temps(folder: Path) -> list[str]:
    return [n for n in os.listdir(folder) if n.endswith(".tmp") and n != ".ks.p12.tmp"]


def kill_inside_write(proc: subprocess.Popen[str], folder: Path) -> bool:
    """SIGKILL ``proc`` the moment one of its temporary files exists; False
    when it finished first."""
    while proc.poll() is None:
        if temps(folder):
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            return True
        time.sleep(0.0005)
    return False


def test_nothing_is_left_behind(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "ks"
    folder.mkdir()
    path = folder / "ks.p12"
    ks = Keystore.new("PKCS12", PW)
    ks.put("key1", key_entry("key1", PKI.leaf_key, PKI.chain))
    ks.save(path)
    cert = tmp_path / "root.pem"
    cert.write_bytes(pem(PKI.root))
    # what an earlier version left, and the user's own files (which stay)
    (folder / ".ks.p12.lock").write_bytes(b"")
    (folder / "notes.txt").write_text("mine\n")
    (folder / ".ks.p12.tmp").write_text("mine too: not our naming pattern\n")

    rng = random.Random(11)
    base = ["-keystore", str(path), "-storepass", PW]
    killed = finished_first = failed = ok = 0
    for step in range(STEPS):
        kind = rng.choice(["ok", "fail", "kill", "kill"])
        alias = f"ca{step}"
        if kind == "fail":
            proc = start("-delete", "-alias", "no-such-alias", *base)
        else:
            cmd = rng.choice([
                ["-importcert", "-noprompt", "-alias", alias, "-file", str(cert), *base],
                ["-genkeypair", "-alias", alias, "-keyalg", "EC", "-dname", "CN=x", *base],
                ["-changealias", "-alias", "key1", "-destalias", "key1", *base],
                ["-storepasswd", "-new", PW, *base, "--backup"],
            ])
            proc = start(*cmd)
        if kind == "kill":
            if kill_inside_write(proc, folder):
                killed += 1
                continue
            finished_first += 1
        out, err = proc.communicate(timeout=120)
        if proc.returncode == 0:
            ok += 1
        else:
            failed += 1
            assert err.startswith("keystoretool error:"), err
    assert killed >= 5, "too few kills landed inside a write to test anything"
    # The last run before the final command is killed inside its write, so
    # there is something to clean up.
    for _ in range(10):
        if kill_inside_write(start("-changealias", "-alias", "key1", "-destalias", "key1",
                                   *base), folder):
            killed += 1
            break
    left = sorted(temps(folder))
    assert left, "no temporary file was left to clean up"
    final = start("-importcert", "-noprompt", "-alias", "final", "-file", str(cert), *base,
                  "--backup")
    _, err = final.communicate(timeout=120)
    assert final.returncode == 0, err
    assert sorted(os.listdir(folder)) == [".ks.p12.tmp", "ks.p12", "ks.p12.bak", "notes.txt"]
    assert "final" in Keystore.load(path, PW).aliases()
    with capsys.disabled():
        print(f"\nlitter: {STEPS} commands and a last killed run ({ok} ok, {failed} failed, "
              f"{killed} SIGKILLed inside a write, {finished_first} finished before the kill); {len(left)} temporary "
              "files of killed runs were left, all removed by the next successful command")
