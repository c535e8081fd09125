"""Issue 14: the last two differences from keytool, compared side by side with keytool 17.

* ``-changealias -storetype JCEKS`` (and any other change) on a JKS file:
  keytool's JCEKS provider reads the JKS and stores JCEKS; so do we. A read
  (``-list``) leaves the file as it is.
* ``-importkeystore`` from a JCEKS holding a secret key into a JKS: the other
  entries are imported, the secret key is reported, keytool's summary is
  printed and the exit status is 0 — also with ``-srcalias`` of the secret key
  (no summary then; the destination is still written).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from interop import keytool_entries, run_cli, run_keytool

pytestmark = [pytest.mark.interop, pytest.mark.usefixtures("require_keytool")]

PW = "changeit"
JKS_MAGIC, JCEKS_MAGIC = b"\xfe\xed\xfe\xed", b"\xce\xce\xce\xce"


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A JKS with one key, and a JCEKS with a key, a secret key and a trusted cert (keytool 17)."""
    d = tmp_path_factory.mktemp("kt-diff")
    jks, jceks = d / "one.jks", d / "mixed.jceks"
    base = ["-storepass", PW, "-keypass", PW]
    for args in (
        ["-genkeypair", "-alias", "k1", "-keyalg", "EC", "-dname", "CN=k1", "-keystore", jks,
         "-storetype", "JKS", *base],
        ["-genkeypair", "-alias", "pk", "-keyalg", "EC", "-dname", "CN=pk", "-keystore", jceks,
         "-storetype", "JCEKS", *base],
        ["-genseckey", "-alias", "sk", "-keyalg", "AES", "-keysize", "128", "-keystore", jceks,
         "-storetype", "JCEKS", *base],
    ):
        proc = run_keytool([str(a) for a in args])
        assert proc.returncode == 0, proc.stdout + proc.stderr
    cert = d / "pk.pem"
    run_keytool(["-exportcert", "-rfc", "-alias", "pk", "-file", str(cert), "-keystore",
                 str(jceks), "-storepass", PW])
    proc = run_keytool(["-importcert", "-noprompt", "-alias", "tc", "-file", str(cert),
                        "-keystore", str(jceks), "-storetype", "JCEKS", "-storepass", PW])
    assert proc.returncode == 0
    return {"jks": jks, "jceks": jceks}


def _both(tmp_path: Path, source: Path, args: list[str]) -> dict[str, tuple[int, str, Path]]:
    """Run ``args`` (with {ks} for a fresh copy of ``source``) with keytool and with us."""
    out = {}
    for tool in ("keytool", "ours"):
        ks = tmp_path / tool / source.name
        ks.parent.mkdir()
        shutil.copyfile(source, ks)
        argv = [a.replace("{ks}", str(ks)).replace("{dir}", str(ks.parent)) for a in args]
        proc = run_keytool(argv) if tool == "keytool" else run_cli(argv)
        out[tool] = (proc.returncode, proc.stderr.decode(), ks)
    return out


@pytest.mark.parametrize("command", [
    ["-changealias", "-alias", "k1", "-destalias", "k2"],
    ["-delete", "-alias", "k1"],
])
def test_change_with_storetype_jceks_writes_jceks(
    stores: dict[str, Path], tmp_path: Path, command: list[str]
) -> None:
    runs = _both(tmp_path, stores["jks"],
                 [*command, "-keystore", "{ks}", "-storepass", PW, "-storetype", "JCEKS"])
    for tool, (rc, err, ks) in runs.items():
        assert rc == 0, (tool, err)
        assert ks.read_bytes()[:4] == JCEKS_MAGIC, tool
    ours, theirs = runs["ours"][2], runs["keytool"][2]
    assert keytool_entries(ours, PW).keys() == keytool_entries(theirs, PW).keys()


def test_list_with_storetype_jceks_leaves_a_jks_alone(stores: dict[str, Path],
                                                      tmp_path: Path) -> None:
    ks = tmp_path / "one.jks"
    shutil.copyfile(stores["jks"], ks)
    proc = run_cli(["-list", "-keystore", str(ks), "-storepass", PW, "-storetype", "JCEKS"])
    assert proc.returncode == 0
    assert ks.read_bytes() == stores["jks"].read_bytes()


def test_import_of_a_secret_key_into_jks_goes_on_like_keytool(
    stores: dict[str, Path], tmp_path: Path
) -> None:
    args = ["-importkeystore", "-srckeystore", "{ks}", "-srcstoretype", "JCEKS",
            "-srcstorepass", PW, "-destkeystore", "{dir}/dest.jks", "-deststoretype", "JKS",
            "-deststorepass", PW, "-noprompt"]
    runs = _both(tmp_path, stores["jceks"], args)
    summary = ("Import command completed:  2 entries successfully imported, "
               "1 entries failed or cancelled")
    for tool, (rc, err, _) in runs.items():
        assert rc == 0, (tool, err)
        assert summary in err.splitlines(), (tool, err)
        assert "Entry for alias sk not imported." in err.splitlines()
        assert "Problem importing entry for alias sk: " in err
        assert "Cannot store non-PrivateKeys." in err
    dest_ours = runs["ours"][2].parent / "dest.jks"
    dest_theirs = runs["keytool"][2].parent / "dest.jks"
    want = keytool_entries(dest_theirs, PW)
    assert set(want) == {"pk", "tc"}
    ours = keytool_entries(dest_ours, PW)
    assert {a: t for a, (t, _) in ours.items()} == {a: t for a, (t, _) in want.items()}


def test_single_import_of_a_secret_key_into_jks_exits_0(
    stores: dict[str, Path], tmp_path: Path
) -> None:
    args = ["-importkeystore", "-srckeystore", "{ks}", "-srcstoretype", "JCEKS",
            "-srcstorepass", PW, "-destkeystore", "{dir}/dest.jks", "-deststoretype", "JKS",
            "-deststorepass", PW, "-srcalias", "sk"]
    runs = _both(tmp_path, stores["jceks"], args)
    for tool, (rc, err, ks) in runs.items():
        assert rc == 0, (tool, err)
        assert "Entry for alias sk not imported." in err.splitlines()
        assert "Import command completed" not in err  # single mode: no summary
        dest = ks.parent / "dest.jks"
        assert dest.read_bytes()[:4] == JKS_MAGIC  # written, empty, as keytool does
        assert keytool_entries(dest, PW) == {}
