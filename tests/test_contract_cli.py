"""Issue 15's CLI contract: the JKS warning only where keytool prints it, one
password syntax for --passout/--passin, and no library warning on stderr."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

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
