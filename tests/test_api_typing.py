"""The Python API as a typed library: the README snippet passes ``mypy --strict``
against the installed package, and the error subclasses are exported."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest
from interop import REPO_ROOT, fixture_path

import keystoretool
from keystoretool import (
    AliasError,
    FormatError,
    IntegrityError,
    Keystore,
    KeystoreToolError,
    PrivateKeyEntry,
    StorageError,
    TrustedCertEntry,
    UnrecoverableKeyError,
    UsageError,
)

ERRORS = [AliasError, FormatError, IntegrityError, StorageError, UnrecoverableKeyError,
          UsageError]


def readme_snippet() -> str:
    text = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("\n## Python API\n"):]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match, "README's Python API section has no python block"
    return match.group(1)


def _mypy(source: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """mypy --strict on ``source`` outside the repository: only the installed
    package (the editable install of .venv) can satisfy ``import keystoretool``."""
    (tmp_path / "snippet.py").write_text(source, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("MYPYPATH", "PYTHONPATH")}
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental",
         "--cache-dir", str(tmp_path / ".mypy_cache"), "snippet.py"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300, check=False)


@pytest.fixture
def installed() -> None:
    pytest.importorskip("mypy")
    try:
        metadata.distribution("keystoretool")
    except metadata.PackageNotFoundError:
        pytest.skip("keystoretool is not installed in this environment (make venv installs it)")


def test_readme_snippet_passes_mypy_strict(installed: None, tmp_path: Path) -> None:
    r = _mypy(readme_snippet(), tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "import-not-found" not in r.stdout


def test_mypy_sees_the_package_types(installed: None, tmp_path: Path) -> None:
    """A wrong call is reported: mypy read the package, it did not treat it as Any."""
    r = _mypy("from keystoretool import Keystore\n"
              "ks = Keystore.load('a.jks', 'pw')\n"
              "ks.get('x').unlock('pw')\n", tmp_path)
    assert r.returncode == 1
    assert "import-not-found" not in r.stdout
    assert '"TrustedCertEntry" of "PrivateKeyEntry | TrustedCertEntry | SecretKeyEntry" ' \
           'has no attribute "unlock"' in r.stdout, r.stdout


def test_error_subclasses_exported() -> None:
    for cls in ERRORS:
        assert cls.__name__ in keystoretool.__all__
        assert issubclass(cls, KeystoreToolError)


def test_errors_raised_are_the_exported_classes(tmp_path: Path) -> None:
    path = fixture_path("kt17/all.jks")
    with pytest.raises(IntegrityError):
        Keystore.load(path, "wrong-password")
    (tmp_path / "junk").write_bytes(b"not a keystore at all")
    with pytest.raises(FormatError):
        Keystore.load(tmp_path / "junk", "changeit")
    ks = Keystore.load(path, "changeit")
    with pytest.raises(AliasError):
        ks.get("no-such-alias")
    entry = ks.get("diffpw")
    assert isinstance(entry, PrivateKeyEntry)
    with pytest.raises(UnrecoverableKeyError):
        entry.unlock("not-the-key-password")


def test_readme_entry_accessors_are_true() -> None:
    """README: ``PrivateKeyEntry.chain`` and ``TrustedCertEntry.cert`` parse with cryptography."""
    from cryptography import x509

    ks = Keystore.load(fixture_path("kt17/all.jks"), "changeit")
    key = ks.get("chain")
    trusted = ks.get("rootca")
    assert isinstance(key, PrivateKeyEntry) and isinstance(trusted, TrustedCertEntry)
    assert len(key.chain) == 3 and all(isinstance(c, x509.Certificate) for c in key.chain)
    assert isinstance(trusted.cert, x509.Certificate)
    assert "PrivateKeyEntry.chain" in (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    assert "TrustedCertEntry.cert" in (REPO_ROOT / "README.md").read_text(encoding="utf-8")
