"""CLI-level fuzzing (issue 11, section 8): no input ends in an internal error.

Generators, all seeded:

* certificate mutations (bit flips, truncations, insertions, DER and PEM)
  through ``-printcert -v`` and ``-printcert -rfc``;
* keystore mutations through ``-list -v``: a PKCS12 without MAC and with
  clear certificates (so mutations reach the certificate parser, as keytool's
  "password-less" stores do), a JKS listed without a password (no integrity
  check) and a regular PKCS12;
* damaged inputs of the commands that read certificates, requests and keys
  (``-importcert``, ``chain --cert/--add``, ``importpem --key/--cert``,
  ``-printcertreq``);
* absurd option values: for every option of every command (from the option
  declarations), huge and negative numbers, ``nan``/``inf``, empty and
  100,000-character strings, NUL bytes, odd paths and dates.

Each case runs in-process through the CLI's entry function ``main()`` (a
fresh session each) in a fresh copy of the working folder; a sample runs as
real subprocesses. Every case must end with exit status 0, 1 or 2 and never
with ``internal error`` or a traceback. The fast suite runs a few hundred
cases; the ``slow`` run covers more than 10,000 and prints its figures.
"""

from __future__ import annotations

import base64
import contextlib
import io
import os
import random
import shutil
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from interop import run_cli

from keystoretool.cli.main import main

PW = "changeit"


# --------------------------------------------------------------------------- the folder


@dataclass
class Workspace:
    template: Path
    cert_der: bytes
    nomac_p12: bytes
    jks: bytes
    p12: bytes


def _cli(cwd: Path, *argv: str) -> None:
    with contextlib.chdir(cwd), contextlib.redirect_stdout(io.StringIO()), \
            contextlib.redirect_stderr(io.StringIO()) as err:
        rc = main(list(argv))
    assert rc == 0, (argv, err.getvalue())


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    from keystoretool import Keystore, TrustedCertEntry
    from keystoretool.formats.pkcs12 import MODERN, Profile
    from keystoretool.formats.pkcs12.profiles import NO_MAC, NOT_ENCRYPTED

    d = tmp_path_factory.mktemp("fuzz_template")
    store = ("-keystore", "ks.p12", "-storepass", PW)
    _cli(d, "-genkeypair", "-alias", "a", "-keyalg", "EC", "-dname", "CN=fuzz, O=Test, C=DE",
         "-ext", "san=dns:a.example,ip:10.0.0.1", "-ext", "eku=clientAuth", *store)
    _cli(d, "-exportcert", "-alias", "a", "-file", "c.der", *store)
    _cli(d, "-exportcert", "-rfc", "-alias", "a", "-file", "c.pem", *store)
    _cli(d, "-importcert", "-noprompt", "-alias", "t", "-file", "c.der", *store)
    _cli(d, "-certreq", "-alias", "a", "-file", "r.csr", *store)
    _cli(d, "-genkeypair", "-alias", "a", "-keyalg", "EC", "-dname", "CN=jks",
         "-keystore", "ks.jks", "-storetype", "JKS", "-storepass", PW, "-keypass", PW)
    _cli(d, "-importcert", "-noprompt", "-alias", "t", "-file", "c.der", "-keystore", "ks.jks",
         "-storepass", PW)
    _cli(d, "exportpem", "--keystore", "ks.p12", "--storepass", PW, "--alias", "a",
         "--out", "k.pem", "--no-encrypt")
    cert_der = (d / "c.der").read_bytes()
    nomac = Keystore("PKCS12", [TrustedCertEntry("t", cert_der=cert_der),
                                TrustedCertEntry("u", cert_der=cert_der)], password=PW)
    nomac.state = Profile("clear", key=MODERN.key, cert=NOT_ENCRYPTED, mac=NO_MAC)
    (d / "nomac.p12").write_bytes(nomac.dumps())
    return Workspace(d, cert_der, (d / "nomac.p12").read_bytes(), (d / "ks.jks").read_bytes(),
                     (d / "ks.p12").read_bytes())


@pytest.fixture
def sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """No prompt can block (stdin is /dev/null), no case can reach the real
    ~/.keystore (the passwd home is the sandbox), no debug tracebacks."""
    import pwd

    real = pwd.getpwuid

    class _Home:
        pw_dir = str(tmp_path / "home")

    (tmp_path / "home").mkdir()
    monkeypatch.setattr(pwd, "getpwuid", lambda uid: _Home if uid == os.getuid() else real(uid))
    monkeypatch.delenv("KEYSTORETOOL_DEBUG", raising=False)
    monkeypatch.setenv("KEYSTORETOOL_PASSWORD_WAIT", "0.2")
    saved = os.dup(0)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    try:
        yield tmp_path
    finally:
        os.dup2(saved, 0)
        os.close(saved)


# --------------------------------------------------------------------------- cases


@dataclass
class Case:
    kind: str
    argv: list[str]
    files: dict[str, bytes] = field(default_factory=dict)  # written into the case folder


def mutate(data: bytes, rng: random.Random) -> bytes:
    b = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        op = rng.random()
        if op < 0.55 and b:
            b[rng.randrange(len(b))] = rng.randrange(256)
        elif op < 0.7 and b:
            i = rng.randrange(len(b))
            b[i] ^= 1 << rng.randrange(8)
        elif op < 0.85 and b:
            del b[rng.randrange(len(b)):]
        else:
            b.insert(rng.randrange(len(b) + 1), rng.choice((0, 0x30, 0x80, 0x81, 0xFF)))
    return bytes(b)


def _pem(der: bytes) -> bytes:
    return b"-----BEGIN CERTIFICATE-----\n" + base64.encodebytes(der) + \
        b"-----END CERTIFICATE-----\n"


def cert_cases(ws: Workspace, rng: random.Random) -> Iterator[Case]:
    while True:
        m = mutate(ws.cert_der, rng)
        data = _pem(m) if rng.random() < 0.25 else m
        flags = rng.choice((["-v"], [], ["-rfc"], ["-v"]))
        yield Case("printcert", ["-printcert", *flags, "-file", "m.crt"], {"m.crt": data})


def store_cases(ws: Workspace, rng: random.Random) -> Iterator[Case]:
    while True:
        pick = rng.random()
        if pick < 0.6:
            yield Case("list-nomac", ["-list", "-v", "-keystore", "m.p12", "-storetype", "PKCS12",
                                      *rng.choice((["-storepass", PW], []))],
                       {"m.p12": mutate(ws.nomac_p12, rng)})
        elif pick < 0.85:
            yield Case("list-jks", ["-list", rng.choice(("-v", "-rfc")), "-keystore", "m.jks"],
                       {"m.jks": mutate(ws.jks, rng)})
        else:
            yield Case("list-p12", ["-list", "-v", "-keystore", "m.p12", "-storepass", PW],
                       {"m.p12": mutate(ws.p12, rng)})


def input_cases(ws: Workspace, rng: random.Random) -> Iterator[Case]:
    """Damaged inputs of the commands that read certificates, requests and keys."""
    store = ["--keystore", "ks.p12", "--storepass", PW]
    key_pem = (ws.template / "k.pem").read_bytes()
    csr_pem = (ws.template / "r.csr").read_bytes()
    csr_der = base64.b64decode(b"".join(csr_pem.splitlines()[1:-1]))
    while True:
        cert = mutate(ws.cert_der, rng)
        pick = rng.randrange(7)
        if pick == 0:
            yield Case("input-importcert", ["-importcert", "-noprompt", "-alias",
                                            rng.choice(("new", "a")), "-file", "m.crt",
                                            "-keystore", "ks.p12", "-storepass", PW],
                       {"m.crt": cert})
        elif pick == 1:
            yield Case("input-chain", ["chain", "--cert", "m.crt", "--cert", "c.pem"],
                       {"m.crt": _pem(cert)})
        elif pick == 2:
            yield Case("input-chain", ["chain", *store, "--alias", "a", "--add", "m.crt"],
                       {"m.crt": _pem(cert)})
        elif pick == 3:
            yield Case("input-importpem", ["importpem", "--key", "k.pem", "--cert", "m.crt",
                                           "--alias", "z", *store], {"m.crt": _pem(cert)})
        elif pick == 4:
            damaged = key_pem[:rng.randrange(len(key_pem))] if rng.random() < 0.3 else \
                mutate(key_pem, rng)
            yield Case("input-importpem", ["importpem", "--key", "m.pem", "--cert", "c.der",
                                           "--alias", "z", *store], {"m.pem": damaged})
        else:
            body = base64.encodebytes(mutate(csr_der, rng))
            yield Case("input-printcertreq", ["-printcertreq", "-v", "-file", "m.csr"],
                       {"m.csr": b"-----BEGIN NEW CERTIFICATE REQUEST-----\n" + body +
                        b"-----END NEW CERTIFICATE REQUEST-----\n"})


#: A valid command line per command; absurd values replace or join its options.
BASES: dict[str, list[str]] = {
    "list": ["-list", "-keystore", "ks.p12", "-storepass", PW],
    "changealias": ["-changealias", "-alias", "a", "-destalias", "b", "-keystore", "ks.p12",
                    "-storepass", PW],
    "delete": ["-delete", "-alias", "t", "-keystore", "ks.p12", "-storepass", PW],
    "importkeystore": ["-importkeystore", "-srckeystore", "ks.p12", "-srcstorepass", PW,
                       "-destkeystore", "d.jks", "-deststorepass", PW, "-deststoretype", "JKS"],
    "genkeypair": ["-genkeypair", "-alias", "n", "-keyalg", "EC", "-dname", "CN=n",
                   "-keystore", "ks.p12", "-storepass", PW],
    "certreq": ["-certreq", "-alias", "a", "-keystore", "ks.p12", "-storepass", PW,
                "-file", "o.csr"],
    "importcert": ["-importcert", "-noprompt", "-alias", "c", "-file", "c.der",
                   "-keystore", "ks.p12", "-storepass", PW],
    "exportcert": ["-exportcert", "-alias", "a", "-keystore", "ks.p12", "-storepass", PW,
                   "-file", "o.der"],
    "printcert": ["-printcert", "-v", "-file", "c.der"],
    "printcertreq": ["-printcertreq", "-file", "r.csr"],
    "storepasswd": ["-storepasswd", "-new", "newpass1", "-keystore", "ks.p12",
                    "-storepass", PW],
    "keypasswd": ["-keypasswd", "-alias", "a", "-keypass", PW, "-new", "newpass1",
                  "-keystore", "ks.jks", "-storepass", PW],
    "chain": ["chain", "--keystore", "ks.p12", "--alias", "a", "--storepass", PW],
    "exportpem": ["exportpem", "--keystore", "ks.p12", "--alias", "a", "--storepass", PW,
                  "--out", "o.pem", "--no-encrypt"],
    "importpem": ["importpem", "--key", "k.pem", "--alias", "z", "--keystore", "ks.p12",
                  "--storepass", PW],
    "check": ["check", "--profile", "salesforce", "--keystore", "ks.p12", "--storepass", PW],
}

#: Values no sane user gives; NUL-bearing ones only in-process (argv cannot hold NUL).
ABSURD = [
    "", "-", "--", "0", "-1", "99999999999", "-99999999999", str(2**64), str(-(2**63) - 1),
    "1e309", "nan", "inf", "-inf", "0x10", "1_000", " 7 ", "x" * 100_000, "é\u202e\U0001F600",
    ".", "..", "no/such/dir/f", "a" * 300, "line\nbreak", "CN=" * 3000, "+999999999y",
    "-999999999d", "+1y" * 5000, "9999/12/31 23:59:59", "0000/00/00", "99:99:99",
    "san=dns:" + "a" * 70_000, "san=ip:999.1.1.1", "bc:c=ca:true,pathlen:99999999999",
    "eku=" + ",".join(["1.2.3"] * 5000), ",,,", "=", "a=", "=b", "pass:", "env:NO_SUCH_VAR_X",
    "file:no-such-file", "\0", "a\0b", "\0env:HOME", "changeit", "-storepass", "RSA", "EC",
    "secp999r1", "SHA999withRSA", "PKCS12", "JKS", "BOGUS", "2.5.4.3=#0500",
    "CN=\\", "CN=\"unterminated", "OID.2.5.4.3=#zz", "1.2." + "9" * 1000 + "=x",
]
#: Values for options that name a file the command reads (safe absolute paths).
READ_PATHS = ["/dev/null", "/dev/zero", "/", "/proc/self/status", "/nonexistent/x"]


def _option_kinds() -> dict[str, dict[str, tuple[str, type]]]:
    """command -> keytool option name -> (native name, kind), from the declarations."""
    from keystoretool.cli.registry import find_command, params

    out: dict[str, dict[str, tuple[str, type]]] = {}
    for name in BASES:
        func = find_command(name)
        assert func is not None, name
        out[name] = {p.opt.names[0].lstrip("-"): (p.opt.names[0], p.kind) for p in params(func)}
    return out


def absurd_cases(rng: random.Random, *, in_process: bool = True) -> Iterator[Case]:
    kinds = _option_kinds()
    values = [v for v in ABSURD if in_process or "\0" not in v]
    commands = sorted(BASES)
    while True:
        command = rng.choice(commands)
        argv = list(BASES[command])
        keytool_style = argv[0].startswith("-")
        options = kinds[command]
        for _ in range(rng.randint(1, 3)):
            name = rng.choice(sorted(options))
            native, kind = options[name]
            is_keystore = name in ("keystore", "srckeystore", "destkeystore")
            if kind is bool:
                flag = f"-{name}" if keytool_style else native
                if flag not in argv:
                    argv.append(flag)
                continue
            pool = values
            if command in ("printcert", "printcertreq", "importcert", "importpem") and \
                    name in ("file", "key", "cert") and rng.random() < 0.3:
                pool = READ_PATHS
            value = rng.choice(pool)
            if is_keystore and value in ("", "-", "--") and not in_process:
                value = "x.p12"  # a subprocess would reach the real ~/.keystore
            flag = f"-{name}" if keytool_style else native
            if rng.random() < 0.2 and kind is str and "pass" in name:
                flag += rng.choice((":env", ":file"))
            if flag in argv and rng.random() < 0.7:
                argv[argv.index(flag) + 1] = value
            else:
                argv += [flag, value]
        yield Case(f"absurd-{command}", argv)


# --------------------------------------------------------------------------- running


@dataclass
class Stats:
    cases: int = 0
    by_kind: Counter[str] = field(default_factory=Counter)
    exit_codes: Counter[int] = field(default_factory=Counter)
    slowest: tuple[float, str] = (0.0, "")
    internal: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (f"{self.cases} CLI cases ({dict(sorted(self.by_kind.items()))}); exit codes "
                f"{dict(sorted(self.exit_codes.items()))}; internal errors "
                f"{len(self.internal)}; slowest {self.slowest[0]:.2f} s ({self.slowest[1][:80]})")


def _prepare(case: Case, ws: Workspace, folder: Path) -> None:
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(ws.template, folder)
    for name, data in case.files.items():
        (folder / name).write_bytes(data)


def _judge(stats: Stats, case: Case, rc: int, err: str, elapsed: float) -> None:
    stats.cases += 1
    stats.by_kind[case.kind.split("-")[0] if case.kind.startswith(("absurd", "input"))
                  else case.kind] += 1
    stats.exit_codes[rc] += 1
    if elapsed > stats.slowest[0]:
        stats.slowest = (elapsed, " ".join(a[:20] for a in case.argv))
    bad = "internal error" in err or "Traceback" in err or rc not in (0, 1, 2)
    if rc == 1 and "keystoretool error: " not in err:  # (a message may quote a newline)
        bad = True
    if bad:
        stats.internal.append(f"{[a[:60] for a in case.argv]!r}: rc={rc} {err[-300:]!r}")


def run_in_process(cases: Iterator[Case], n: int, ws: Workspace, root: Path,
                   stats: Stats) -> None:
    folder = root / "case"
    for _ in range(n):
        case = next(cases)
        _prepare(case, ws, folder)
        out, err = io.StringIO(), io.StringIO()
        start = time.monotonic()
        with contextlib.chdir(folder), contextlib.redirect_stdout(out), \
                contextlib.redirect_stderr(err):
            try:
                rc = main(case.argv)
            except BaseException as exc:  # noqa: BLE001 - anything escaping main is a bug
                rc = -1
                err.write(f"escaped main(): {type(exc).__name__}: {exc}\n")
        _judge(stats, case, rc, err.getvalue(), time.monotonic() - start)


def run_subprocesses(cases: Iterator[Case], n: int, ws: Workspace, root: Path,
                     stats: Stats) -> None:
    folder = root / "proc"
    for _ in range(n):
        case = next(cases)
        _prepare(case, ws, folder)
        start = time.monotonic()
        proc = run_cli(case.argv, cwd=folder, env={"KEYSTORETOOL_PASSWORD_WAIT": "0.2"},
                       timeout=120)
        _judge(stats, case, proc.returncode, proc.stderr.decode("utf-8", "replace"),
               time.monotonic() - start)


def report(capsys: pytest.CaptureFixture[str], text: str) -> None:
    with capsys.disabled():
        print(f"\n[fuzz-cli] {text}", flush=True)


def _campaign(ws: Workspace, root: Path, seed: int, *, certs: int, stores: int, inputs: int,
              absurd: int, procs: int) -> Stats:
    stats = Stats()
    rng = random.Random(seed)
    run_in_process(cert_cases(ws, rng), certs, ws, root, stats)
    run_in_process(store_cases(ws, rng), stores, ws, root, stats)
    run_in_process(input_cases(ws, rng), inputs, ws, root, stats)
    run_in_process(absurd_cases(rng), absurd, ws, root, stats)
    sub_rng = random.Random(seed + 1)
    mixed = _interleave(cert_cases(ws, sub_rng), store_cases(ws, sub_rng),
                        input_cases(ws, sub_rng), absurd_cases(sub_rng, in_process=False))
    run_subprocesses(mixed, procs, ws, root, stats)
    return stats


def _interleave(*gens: Iterator[Case]) -> Iterator[Case]:
    while True:
        for g in gens:
            yield next(g)


# --------------------------------------------------------------------------- tests


def test_fuzz_cli_sample(workspace: Workspace, sandbox: Path,
                         capsys: pytest.CaptureFixture[str]) -> None:
    stats = _campaign(workspace, sandbox, seed=11, certs=100, stores=80, inputs=100,
                      absurd=120, procs=6)
    report(capsys, f"fast: {stats.line()}")
    assert stats.cases == 406
    assert not stats.internal, "\n".join(stats.internal[:20])


@pytest.mark.slow
def test_fuzz_cli_10000_cases(workspace: Workspace, sandbox: Path,
                              capsys: pytest.CaptureFixture[str]) -> None:
    stats = _campaign(workspace, sandbox, seed=2011, certs=3000, stores=2500, inputs=2500,
                      absurd=2500, procs=100)
    report(capsys, f"slow: {stats.line()}")
    assert stats.cases >= 10_000
    assert not stats.internal, "\n".join(stats.internal[:20])


def test_named_inputs_of_issue_11_give_one_line_errors(workspace: Workspace, sandbox: Path
                                                       ) -> None:
    """The reproducers the issue names, each a one-line message (not internal)."""
    folder = sandbox / "named"
    shutil.copytree(workspace.template, folder)
    (folder / "nul.txt").write_bytes(b"-list -keystore 'a\0b' -storepass changeit\n")
    (folder / "nulpw.txt").write_bytes(b"-list -keystore ks.p12 -storepass '\0env:HOME'\n")
    expected = {
        ("-genkeypair", "-alias", "v", "-keyalg", "EC", "-dname", "CN=v", "-keystore", "ks.p12",
         "-storepass", PW, "-validity", "99999999999"):
            "Validity period ends at calendar year 273792727 which is greater than 9999",
        ("-genkeypair", "-alias", "v", "-keyalg", "EC", "-dname", "CN=v", "-keystore", "ks.p12",
         "-storepass", PW, "-startdate", "+999999999y"):
            "Illegal startdate value: the date is out of range (years 1 to 9999)",
        ("batch", "nul.txt"): "line 1: Word 3 of the command line contains a NUL byte",
        ("batch", "nulpw.txt"): "line 1: Word 5 of the command line contains a NUL byte",
    }
    before = (folder / "ks.p12").read_bytes()
    for argv, message in expected.items():
        err = io.StringIO()
        with contextlib.chdir(folder), contextlib.redirect_stdout(io.StringIO()), \
                contextlib.redirect_stderr(err):
            rc = main(list(argv))
        # a batch is checked before it runs: the one error line, then a note that nothing ran
        note = ("keystoretool: the batch was checked before running and nothing was run "
                "(--no-check runs it anyway)\n") if argv[0] == "batch" else ""
        assert (rc, err.getvalue()) == (1, f"keystoretool error: {message}\n{note}"), argv
    assert (folder / "ks.p12").read_bytes() == before


def test_mutated_certificate_names_give_failed_to_parse(workspace: Workspace, sandbox: Path
                                                        ) -> None:
    """X500 RDN/AVA damage, a short read and an invalid version, as keytool: "Failed to
    parse input"; in a keystore listing, the alias of the damaged entry is named."""
    der = workspace.cert_der
    subject_at = der.index(b"\x31", der.index(b"\x30", 30))  # first RDN SET of the issuer
    damaged = {
        "rdn": der[:subject_at] + b"\x04" + der[subject_at + 1:],  # RDN not a SET
        "ava": der[:subject_at + 2] + b"\x04" + der[subject_at + 3:],  # AVA not a SEQUENCE
        "short": der[:subject_at + 3] + b"\x7f" + der[subject_at + 4:],  # AVA overruns
        "version": der.replace(b"\xa0\x03\x02\x01\x02", b"\xa0\x03\x02\x01\x40", 1),
    }
    folder = sandbox / "certs"
    shutil.copytree(workspace.template, folder)
    for name, data in damaged.items():
        assert data != der, name
        (folder / f"{name}.der").write_bytes(data)
        err = io.StringIO()
        with contextlib.chdir(folder), contextlib.redirect_stdout(io.StringIO()), \
                contextlib.redirect_stderr(err):
            rc = main(["-printcert", "-v", "-file", f"{name}.der"])
        assert (rc, err.getvalue()) == (1, "keystoretool error: Failed to parse input\n"), name
    from keystoretool import Keystore, TrustedCertEntry
    from keystoretool.formats.pkcs12 import MODERN, Profile
    from keystoretool.formats.pkcs12.profiles import NO_MAC, NOT_ENCRYPTED

    ks = Keystore("PKCS12", [TrustedCertEntry("bad", cert_der=damaged["ava"])], password=PW)
    ks.state = Profile("clear", key=MODERN.key, cert=NOT_ENCRYPTED, mac=NO_MAC)
    (folder / "bad.p12").write_bytes(ks.dumps())
    err = io.StringIO()
    with contextlib.chdir(folder), contextlib.redirect_stdout(io.StringIO()), \
            contextlib.redirect_stderr(err):
        rc = main(["-list", "-v", "-keystore", "bad.p12", "-storepass", PW])
    assert (rc, err.getvalue()) == (1, "keystoretool error: <bad>: a certificate of this entry "
                                       "cannot be parsed (the keystore is damaged)\n")
