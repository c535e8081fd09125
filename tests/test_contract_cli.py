"""Issue 15's CLI contract: the JKS warning only where keytool prints it, one
password syntax for --passout/--passin, and no library warning on stderr."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from interop import run_cli

PW = "Snaplogic123"
JKS_WARNING = "uses a proprietary format"


def _seed(tmp_copy: Callable[..., Path]) -> Path:
    return tmp_copy("seed/snaplogic_SF.jks", "sf.jks")


# ---------------------------------------------------------------------------
# the JKS warning


def test_jks_warning_in_keytool_commands(tmp_copy: Callable[..., Path]) -> None:
    ks = _seed(tmp_copy)
    r = run_cli(["-list", "-keystore", ks, "-storepass", PW])
    assert r.returncode == 0
    assert r.stderr.decode().count(JKS_WARNING) == 1


def test_no_jks_warning_in_commands_keytool_does_not_have(
        tmp_copy: Callable[..., Path], tmp_path: Path) -> None:
    ks = _seed(tmp_copy)
    runs = [
        ["chain", "--keystore", ks, "--alias", "sourceAlias", "--storepass", PW],
        ["check", "--profile", "salesforce", "--keystore", ks, "--storepass", PW],
        ["exportpem", "--keystore", ks, "--alias", "sourceAlias", "--storepass", PW,
         "--out", tmp_path / "o.pem", "--no-encrypt"],
        ["expiry", ks, "--storepass", PW],
        ["diff", ks, ks, "--storepass", PW],
        ["importpem", "--key", tmp_path / "o.pem", "--alias", "again", "--keystore", ks,
         "--storepass", PW],
    ]
    for args in runs:
        r = run_cli(args)
        assert r.returncode in (0, 2), (args, r.stderr)
        assert JKS_WARNING not in r.stderr.decode(), args
        assert JKS_WARNING not in r.stdout.decode(), args


def test_jks_warning_off_by_environment(tmp_copy: Callable[..., Path]) -> None:
    ks = _seed(tmp_copy)
    r = run_cli(["-list", "-keystore", ks, "-storepass", PW],
                env={"KEYSTORETOOL_NO_JKS_WARNING": "1"})
    assert r.returncode == 0
    assert JKS_WARNING not in r.stderr.decode()
    assert "Warning" not in r.stderr.decode()


def test_jks_warning_once_per_batch_per_keystore(
        tmp_copy: Callable[..., Path], tmp_path: Path) -> None:
    ks = _seed(tmp_copy)
    other = tmp_copy("seed/00D0m0000001mkL.jks", "other.jks")
    lines = [f"-list -keystore {ks} -storepass {PW}"] * 3
    lines += [f"-list -keystore {other} -storepass Snaplogic@123"] * 2
    batch = tmp_path / "b.txt"
    batch.write_text("\n".join(lines) + "\n")
    for jobs in ("1", "2"):
        r = run_cli(["batch", "--jobs", jobs, batch])
        assert r.returncode == 0, r.stderr
        err = r.stderr.decode()
        assert err.count(JKS_WARNING) == 2, err
        assert err.count(f"-srckeystore {ks} ") == 1
        assert err.count(f"-srckeystore {other} ") == 1


# ---------------------------------------------------------------------------
# one password syntax for --passout / --passin


def _export(ks: Path, out: Path, *extra: str | Path, stdin: bytes = b"",
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    return run_cli(["exportpem", "--keystore", ks, "--alias", "sourceAlias", "--storepass", PW,
                    "--out", out, *extra], stdin=stdin, env=env)


def _key_opens(pem: Path, passphrase: str) -> None:
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    load_pem_private_key(pem.read_bytes(), passphrase.encode())


def test_passout_and_passin_take_env_and_file_forms(
        tmp_copy: Callable[..., Path], tmp_path: Path) -> None:
    ks = _seed(tmp_copy)
    pwfile = tmp_path / "pw.txt"
    pwfile.write_text("from-a-file\n")
    forms: list[tuple[list[str | Path], dict[str, str], str]] = [
        (["--passout:env", "KPW"], {"KPW": "from-env-1"}, "from-env-1"),
        (["--passout:file", pwfile], {}, "from-a-file"),
        (["--passout", "env:KPW"], {"KPW": "from-env-2"}, "from-env-2"),
        (["--passout", f"file:{pwfile}"], {}, "from-a-file"),
        (["--passout", "pass:literal-1"], {}, "literal-1"),
    ]
    for n, (args, env, expected) in enumerate(forms):
        out = tmp_path / f"k{n}.pem"
        r = _export(ks, out, *args, env=env)
        assert r.returncode == 0, (args, r.stderr)
        _key_opens(out, expected)
        # and back in with the matching --passin form
        target = tmp_path / f"in{n}.p12"
        passin = [a.replace("--passout", "--passin", 1) if isinstance(a, str) else a
                  for a in args]
        r = run_cli(["importpem", "--key", out, "--keystore", target, "--storepass", PW,
                     "--alias", "back", *passin], env=env)
        assert r.returncode == 0, (passin, r.stderr)
        assert target.exists()


def test_passout_env_missing_variable(tmp_copy: Callable[..., Path], tmp_path: Path) -> None:
    ks = _seed(tmp_copy)
    r = _export(ks, tmp_path / "x.pem", "--passout:env", "NO_SUCH_VARIABLE_P2C")
    assert r.returncode == 1
    assert r.stderr.decode().strip().endswith(
        "keystoretool error: Cannot find environment variable: NO_SUCH_VARIABLE_P2C")
    assert not (tmp_path / "x.pem").exists()


def test_exportpem_without_passout_and_no_terminal_is_one_clear_error(
        tmp_copy: Callable[..., Path], tmp_path: Path) -> None:
    ks = _seed(tmp_copy)
    out = tmp_path / "x.pem"
    r = _export(ks, out)
    err = r.stderr.decode()
    assert r.returncode == 1
    assert "too short" not in err and "Too many failures" not in err
    errors = [line for line in err.splitlines() if line.startswith("keystoretool error:")]
    assert len(errors) == 1
    assert "--passout" in errors[0] and "--no-encrypt" in errors[0]
    assert "Traceback" not in err
    assert not out.exists()


def test_exportpem_passphrase_piped_still_works(
        tmp_copy: Callable[..., Path], tmp_path: Path) -> None:
    ks = _seed(tmp_copy)
    out = tmp_path / "x.pem"
    r = _export(ks, out, stdin=b"piped-secret\npiped-secret\n")
    assert r.returncode == 0, r.stderr
    _key_opens(out, "piped-secret")
    r = _export(ks, tmp_path / "y.pem", stdin=b"piped-secret\nother-secret\n")
    assert r.returncode == 1 and b"differ" in r.stderr
    r = _export(ks, tmp_path / "z.pem", stdin=b"short\n")
    assert r.returncode == 1 and b"at least 6 characters" in r.stderr


# ---------------------------------------------------------------------------
# no library noise

#: Warnings reach stderr (KEYSTORETOOL_DEBUG keeps Python's default filters) and
#: any UserWarning or DeprecationWarning becomes an error with a traceback.
LOUD = {"KEYSTORETOOL_DEBUG": "1", "PYTHONWARNINGS": "error::UserWarning,error::DeprecationWarning"}


def _crl2pkcs7(pem: Path, out: Path, *, der: bool = False) -> Path:
    from interop import openssl

    args = ["crl2pkcs7", "-nocrl", "-certfile", pem, "-out", out]
    r = openssl([*args, "-outform", "DER"] if der else args)
    assert r.returncode == 0, r.stderr
    return out


def test_pkcs7_from_crl2pkcs7_parsed_without_ber_fallback(tmp_path: Path) -> None:
    """openssl crl2pkcs7 keeps file order in the certificate SET (not DER's sorted
    order): cryptography warns and falls back to BER; our reader needs neither."""
    import warnings

    from interop import fixture_path

    from keystoretool import certs, relations

    bundle = fixture_path("pem/leaf-chain.pem")
    expected = certs.read_certificate_ders(bundle.read_bytes())
    assert len(expected) == 3
    for der in (False, True):
        p7 = _crl2pkcs7(bundle, tmp_path / f"r{der}.p7b", der=der)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert certs.read_certificate_ders(p7.read_bytes()) == expected  # file order
            got = certs.read_certificates(p7.read_bytes(), str(p7))
        assert [relations.cert_der(c) for c in got] == expected


def test_cli_pkcs7_reply_no_warning_text(tmp_path: Path) -> None:
    from interop import fixture_path

    bundle = fixture_path("pem/leaf-chain.pem")
    p7 = _crl2pkcs7(bundle, tmp_path / "r.p7b")
    plain = run_cli(["-printcert", "-file", bundle])
    for args in (["-printcert", "-file", p7], ["chain", "--cert", p7]):
        r = run_cli(args, env=LOUD)
        err = r.stderr.decode()
        assert r.returncode in (0, 2), err
        assert "Warning" not in err and "Traceback" not in err and "BER" not in err, err
    assert run_cli(["-printcert", "-file", p7]).stdout == plain.stdout


def test_trustcacerts_no_library_warning(tmp_copy: Callable[..., Path], tmp_path: Path) -> None:
    """-trustcacerts reads the system CA bundle, whose negative serial numbers
    make cryptography warn: nothing of it reaches the user."""
    import warnings

    from interop import fixture_path

    from keystoretool import certs

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(certs.system_ca_certificates()) > 0
    ks = _seed(tmp_copy)
    for env in (None, LOUD):
        # a self-signed certificate is looked up in the system CA store first
        r = run_cli(["-importcert", "-trustcacerts", "-alias", f"root{bool(env)}",
                     "-file", fixture_path("pem/root.pem"), "-keystore", ks, "-storepass", PW],
                    stdin=b"yes\n", env=env)
        err = r.stderr.decode()
        assert r.returncode == 0, err
        assert "Certificate was added to keystore" in err
        assert "serial number" not in err and "CryptographyDeprecationWarning" not in err, err
        assert "Traceback" not in err and ".py:" not in err, err


# ---------------------------------------------------------------------------
# the progress bar


def test_progress_bar_not_redrawn_per_line(monkeypatch: pytest.MonkeyPatch) -> None:
    """1,000 entry lines in a burst (the clock stands still): the bar is drawn
    when it starts and when it completes, not once per line (no flicker)."""
    import io

    from keystoretool.cli import progress as progress_module
    from keystoretool.cli.common import Session, session, set_session
    from keystoretool.cli.passwords import Prompter

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(progress_module.time, "monotonic", lambda: 1000.0)
    err = Terminal()
    old = session()
    set_session(Session(out=io.StringIO(), err=err, prompter=Prompter(err=err)))
    try:
        with progress_module.progress(1000, "Importing") as tick:
            for i in range(1000):
                session().info(f"Entry for alias a{i} successfully imported.")
                tick()
    finally:
        set_session(old)
    text = err.getvalue()
    assert text.count("Importing [") == 2
    assert "1000/1000" in text
    for i in range(1000):
        assert f"Entry for alias a{i} successfully imported.\n" in text
