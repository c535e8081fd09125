"""Secrets (issue 11, section 5): no printed command line shows a password,
and a ``:file`` / ``file:`` password source never hangs.

The masking registry is the option declarations (``Opt(secret=...)``); the
tests check the registry itself (every password-like option is in it), the
``batch --json`` report of every kind of secret, and the messages of failing
lines. The ``:file`` tests use a FIFO nobody writes to, a FIFO written late,
process substitution through bash, a socket and devices; none is timed (the
wait is shortened through ``KEYSTORETOOL_PASSWORD_WAIT`` only so the failing
case ends quickly).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import threading
from pathlib import Path

import pytest
from interop import fixture_path, run_cli

from keystoretool import Keystore
from keystoretool.cli import options
from keystoretool.cli.keytool_argv import PASSWORD_OPTIONS, collate
from keystoretool.cli.registry import params
from keystoretool.cli.secrets import (
    MASK,
    literal_secrets,
    mask_argv,
    secret_options,
    shown,
    shown_text,
)

P12 = "p12/two_keys_three_trusted.p12"  # store password changeit; keys client, server


def _all_params() -> list[tuple[str, object]]:
    from keystoretool.cli import cmd_certs, cmd_core, cmd_extra

    out = []
    for module in (cmd_core, cmd_certs, cmd_extra):
        for name, func in module.COMMANDS.items():
            out.extend((name, p) for p in params(func))
    return out


# --------------------------------------------------------------------------- the registry


def test_every_password_option_is_declared_secret() -> None:
    """An option that looks like a password (its name or help says so) must be
    declared ``secret``: the guard that keeps a new option from leaking."""
    for command, p in _all_params():
        opt = p.opt  # type: ignore[attr-defined]
        long_name = opt.names[0].lstrip("-")
        looks_secret = ("pass" in long_name and long_name != "passwordless") or \
            options.PW_SOURCES in opt.help or "pass:TEXT" in opt.help
        assert (opt.secret is not None) == looks_secret, (command, opt.names)
    for name in PASSWORD_OPTIONS:  # keytool's, declared by a command or not
        assert secret_options()[collate(name)] == options.LITERAL
    # a literal password option takes keytool's :env / :file modifiers
    for command, p in _all_params():
        opt = p.opt  # type: ignore[attr-defined]
        if opt.secret == options.LITERAL:
            assert opt.names[0].lstrip("-") in PASSWORD_OPTIONS, (command, opt.names)


def test_every_declared_secret_is_masked_in_every_form() -> None:
    secret = "Zq7-not-shown"
    for command, p in _all_params():
        opt = p.opt  # type: ignore[attr-defined]
        if opt.secret is None:
            continue
        name = opt.names[0]
        value = f"alias1={secret}" if opt.secret == options.ALIAS_SOURCE else secret
        for argv in ([command, name, value], [command, f"{name}={value}"],
                     [f"-{command}", f"-{name.lstrip('-')}", value],
                     [f"-{command}", f"-{name.lstrip('-').upper()}", value]):
            text = shown(argv)
            assert secret not in text and MASK in text, (argv, text)
            assert literal_secrets(argv) == [secret]


def test_masking_keeps_sources_and_aliases() -> None:
    argv = ["importkeystore", "--srcstorepass:env", "SRC", "--keypass-for", "my key=env:K1",
            "--keypass-for", "b=file:kp.txt", "--keypass-for", "c=pass:LiteralC1",
            "--keypass-for", "d=LiteralD1", "--srcalias", "a b"]
    assert shown(argv) == ("importkeystore --srcstorepass:env SRC --keypass-for 'my key=env:K1' "
                           "--keypass-for b=file:kp.txt --keypass-for c=pass:**** "
                           "--keypass-for d=**** --srcalias 'a b'")
    assert mask_argv(["exportpem", "--passout", "env:P", "--passin=file:f", "--passout",
                      "pass:x1x1"]) == ["exportpem", "--passout", "env:P", "--passin=file:f",
                                        "--passout", "pass:****"]
    # keytool's own -storepass takes no source prefix: "env:X" is a literal password there
    assert mask_argv(["-list", "-storepass", "env:X"]) == ["-list", "-storepass", MASK]


def test_unsplittable_line_is_masked_too() -> None:
    text = shown_text("-list -storepass 'Two Words -v --keypass=abcd -alias x")
    assert "Two" not in text and "Words" not in text and "abcd" not in text
    assert text.endswith("-alias x")


# --------------------------------------------------------------------------- batch reports


def _secret_batch(tmp_path: Path) -> tuple[str, list[str]]:
    shutil.copyfile(fixture_path(P12), tmp_path / "a.p12")
    secrets = ["StorePw-11", "PemOut-22", "PemBare-33", "KeyFor-55",
               "KeyForBare-66", "NewPw-77", "Quote d-88"]
    lines = [
        "-list -keystore a.p12 -storepass changeit",
        "exportpem --keystore a.p12 --storepass changeit --alias client --out k1.pem "
        "--passout pass:PemOut-22",
        "exportpem --keystore a.p12 --storepass changeit --alias client --out k2.pem "
        "--passout PemBare-33",
        "importpem --key k1.pem --passin pass:PemOut-22 --alias c2 --keystore n.p12 "
        "--storepass changeit",
        "importpem --key k2.pem --passin PemBare-33 --alias c3 --keystore n.p12 "
        "--storepass changeit",
        "-importkeystore -srckeystore a.p12 -srcstorepass changeit -destkeystore d.jks "
        "-deststoretype JKS -deststorepass StorePw-11 --keypass-for client=pass:KeyFor-55 "
        "--keypass-for server=KeyForBare-66",
        "-storepasswd -keystore d.jks -storepass StorePw-11 -new NewPw-77",
        "-list -keystore d.jks -storepass 'Quote d-88'",  # wrong password: fails
        "-list -keystore d.jks -storepass 'unterminated KeyForBare-66",  # quoting error
        "-list -keystore d.jks -storepass NewPw-77 NewPw-77",  # "Illegal option" echoes it
        "importkeystore --keypass-for KeyForBare-66 --srckeystore a.p12",  # no "=": bad value
    ]
    (tmp_path / "b.txt").write_text("\n".join(lines) + "\n")
    return "b.txt", secrets


def test_batch_json_masks_every_secret(tmp_path: Path) -> None:
    name, secrets = _secret_batch(tmp_path)
    proc = run_cli(["batch", "--json", "--keep-going", "--no-check", name], cwd=tmp_path)
    out, err = proc.stdout.decode(), proc.stderr.decode()
    results = [json.loads(line) for line in out.splitlines()]
    by_line = {r["line"]: r for r in results}
    assert [by_line[n]["ok"] for n in range(1, 8)] == [True] * 7, results
    assert not any(by_line[n]["ok"] for n in range(8, 12))
    assert "Illegal option" in by_line[10]["error"]
    for secret in secrets:
        assert secret not in out and secret not in err, secret
    assert by_line[2]["command"].endswith("--passout pass:****")
    assert "--keypass-for client=pass:**** --keypass-for server=****" in by_line[6]["command"]
    assert "-new ****" in by_line[7]["command"]
    # the work was done with the real passwords
    assert len(Keystore.load(tmp_path / "d.jks", "NewPw-77")) == 5
    assert len(Keystore.load(tmp_path / "n.p12", "changeit")) == 2


def test_batch_text_report_masks_failing_lines(tmp_path: Path) -> None:
    name, secrets = _secret_batch(tmp_path)
    proc = run_cli(["batch", "--keep-going", name], cwd=tmp_path)
    err = proc.stderr.decode()
    assert proc.returncode == 1 and "keystoretool error: line 10: Illegal option:  ****" in err
    for secret in secrets:
        assert secret not in err and secret not in proc.stdout.decode(), secret


# --------------------------------------------------------------------------- :file sources


@pytest.fixture
def store(tmp_path: Path) -> Path:
    shutil.copyfile(fixture_path(P12), tmp_path / "a.p12")
    return tmp_path / "a.p12"


def _list(store: Path, *source: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    proc = run_cli(["-list", "-keystore", store, *source], cwd=store.parent, env=env)
    return proc.returncode, proc.stdout.decode() + proc.stderr.decode()


def test_fifo_nobody_writes_to_fails_naming_it(store: Path) -> None:
    os.mkfifo(store.parent / "pw.fifo")
    before = store.read_bytes()
    rc, text = _list(store, "-storepass:file", "pw.fifo",
                     env={"KEYSTORETOOL_PASSWORD_WAIT": "0.3"})
    assert rc == 1
    assert text.strip() == ("keystoretool error: No password came from pw.fifo within 0.3 s "
                            "(a FIFO or pipe nobody writes to?); KEYSTORETOOL_PASSWORD_WAIT "
                            "sets the wait")
    assert store.read_bytes() == before
    # the file: form of --passin / --passout / --keypass-for uses the same reader
    from keystoretool.cli import passwords
    from keystoretool.errors import UsageError

    os.environ["KEYSTORETOOL_PASSWORD_WAIT"] = "0.2"
    try:
        with pytest.raises(UsageError, match="No password came from .*pw.fifo within 0.2 s"):
            passwords.resolve(passwords.parse_source(f"file:{store.parent / 'pw.fifo'}"))
    finally:
        del os.environ["KEYSTORETOOL_PASSWORD_WAIT"]


def test_fifo_written_later_works(store: Path) -> None:
    fifo = store.parent / "pw.fifo"
    os.mkfifo(fifo)
    gate = threading.Event()

    def writer() -> None:
        gate.set()
        with open(fifo, "w") as fh:  # blocks until the command opens the FIFO
            fh.write("changeit\nsecond line ignored\n")

    t = threading.Thread(target=writer, daemon=True)
    t.start()
    gate.wait()
    rc, text = _list(store, "-storepass:file", str(fifo))
    t.join(5)
    assert rc == 0, text
    assert "Your keystore contains 5 entries" in text


def test_process_substitution_works(store: Path) -> None:
    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("bash is needed for process substitution")
    import subprocess
    import sys

    script = (f'"{sys.executable}" -m keystoretool -list -keystore a.p12 '
              '-storepass:file <(sleep 0.2; echo changeit)')
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]))
    proc = subprocess.run([bash, "-c", script], cwd=store.parent, capture_output=True,
                          env=env, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    assert b"Your keystore contains 5 entries" in proc.stdout


def test_sockets_and_devices_are_refused(store: Path) -> None:
    sock_path = store.parent / "pw.sock"
    sock = socket.socket(socket.AF_UNIX)
    try:
        sock.bind(str(sock_path))
        sock.listen(1)
        rc, text = _list(store, "-storepass:file", "pw.sock")
        assert rc == 1
        assert text.strip() == "keystoretool error: Cannot read a password from pw.sock: " \
            "not a file or pipe"
    finally:
        sock.close()
    for device in ("/dev/zero", "/dev/null"):
        if not os.path.exists(device):
            continue
        rc, text = _list(store, "-storepass:file", device)
        assert rc == 1
        assert text.strip() == f"keystoretool error: Cannot read a password from {device}: " \
            "it is a device"


def test_regular_password_file_still_read_first_line(store: Path) -> None:
    (store.parent / "pw.txt").write_bytes(b"changeit\r\nnext\n")
    rc, text = _list(store, "-storepass:file", "pw.txt")
    assert rc == 0 and "5 entries" in text
    (store.parent / "pw2.txt").write_bytes(b"changeit")  # no newline
    rc, text = _list(store, "-storepass:file", "pw2.txt")
    assert rc == 0 and "5 entries" in text
