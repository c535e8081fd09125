"""Packaging: the wheel builds and ships ``py.typed`` and every module; a fresh
virtual environment's ``pip install .`` gives a working ``keystoretool`` that
runs the README's examples (``pipx install .`` too, where pipx exists).

The project is copied to a temporary folder first, so building never writes
``build/`` or ``*.egg-info`` into the work tree. Installing needs the package
index pip is configured with (for setuptools and the dependencies).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from interop import REPO_ROOT, fixture_path, keytool_entries

pytestmark = pytest.mark.slow

SOURCES = ("pyproject.toml", "README.md", "keystoretool")


def copy_project(dest: Path) -> Path:
    dest.mkdir(parents=True)
    for name in SOURCES:
        src = REPO_ROOT / name
        if src.is_dir():
            shutil.copytree(src, dest / name,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copyfile(src, dest / name)
    return dest


def run(argv: list[str], cwd: Path, stdin: bytes = b"", env: dict[str, str] | None = None,
        timeout: float = 600) -> subprocess.CompletedProcess[bytes]:
    child = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    child.update(env or {})
    return subprocess.run(argv, cwd=cwd, input=stdin, capture_output=True, env=child,
                          timeout=timeout, check=False)


def readme_block(heading: str, lang: str = "sh") -> str:
    """The first fenced code block after a README heading."""
    text = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index(heading)
    m = re.compile(rf"```{lang}\n(.*?)```", re.S).search(text, start)
    assert m, f"no {lang} block after {heading!r}"
    return m.group(1)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = copy_project(tmp_path_factory.mktemp("wheel") / "src")
    dist = project.parent / "dist"
    proc = run([sys.executable, "-m", "pip", "wheel", ".", "--no-deps", "-w", str(dist)],
               cwd=project)
    assert proc.returncode == 0, proc.stderr.decode()[-3000:]
    (whl,) = dist.glob("keystoretool-*.whl")
    return whl


def test_wheel_ships_py_typed_every_module_and_the_script(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "keystoretool/py.typed" in names
    modules = {p.relative_to(REPO_ROOT).as_posix()
               for p in (REPO_ROOT / "keystoretool").rglob("*.py")}
    assert modules <= names, sorted(modules - names)
    (entry_points,) = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "keystoretool = keystoretool.cli.main:main" in text


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with ``pip install .`` of a copy of the project."""
    base = tmp_path_factory.mktemp("venv")
    project = copy_project(base / "src")
    env_dir = base / "venv"
    proc = run([sys.executable, "-m", "venv", str(env_dir)], cwd=base)
    assert proc.returncode == 0, proc.stderr.decode()
    proc = run([str(env_dir / "bin" / "python"), "-m", "pip", "install", "-q", "."],
               cwd=project)
    assert proc.returncode == 0, proc.stderr.decode()[-3000:]
    shutil.rmtree(project)  # the installed copy must stand on its own
    return env_dir


def test_installed_command_is_the_installed_package(venv: Path, tmp_path: Path) -> None:
    tool = venv / "bin" / "keystoretool"
    proc = run([str(tool), "--version"], cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    from keystoretool import __version__

    assert proc.stdout.decode() == f"keystoretool {__version__}\n"
    where = run([str(venv / "bin" / "python"), "-c",
                 "import keystoretool, os; print(os.path.realpath(keystoretool.__file__))"],
                cwd=tmp_path)
    assert where.stdout.decode().startswith(os.path.realpath(venv)), where.stdout
    assert (Path(where.stdout.decode().strip()).parent / "py.typed").exists()


@pytest.mark.interop
def test_installed_command_runs_the_readme_workflow(venv: Path, tmp_path: Path) -> None:
    """README "The user's workflow, verbatim": the three command lines as printed,
    passwords for the importkeystore prompts piped in as the README explains."""
    for name in ("snaplogic_SF.jks", "00D0m0000001mkL.jks"):
        shutil.copyfile(fixture_path(f"seed/{name}"), tmp_path / name)
    block = readme_block("## The user's workflow, verbatim")
    commands = [c for c in block.splitlines() if c.startswith("keystoretool ")]
    assert len(commands) == 3
    path = f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}"
    for command in commands:
        stdin = b"Snaplogic@123\n" * 3 if "-importkeystore" in command else b""
        proc = run(["bash", "-c", command], cwd=tmp_path, stdin=stdin, env={"PATH": path})
        assert proc.returncode == 0, (command, proc.stderr.decode())
    sf = keytool_entries(tmp_path / "snaplogic_SF.jks", "Snaplogic123")
    assert list(sf) == ["ma_2_cert_oct_6_2021"]
    assert list(keytool_entries(tmp_path / "keystore.p12", "Snaplogic@123")) == [
        "ma_2_cert_sep_22_2021"]
    org = keytool_entries(tmp_path / "00D0m0000001mkL.jks", "Snaplogic@123")
    assert "selfsignedcert_11dec2020_191506" not in org and len(org) == 3


@pytest.mark.interop
def test_installed_package_runs_the_readme_python_api_example(venv: Path, tmp_path: Path) -> None:
    """README "Python API": its client.jks holds the seed's two key entries under
    store and key password changeit (made here with the installed command)."""
    for name in ("snaplogic_SF.jks", "00D0m0000001mkL.jks"):
        shutil.copyfile(fixture_path(f"seed/{name}"), tmp_path / name)
    tool = str(venv / "bin" / "keystoretool")
    common = ["-destkeystore", "client.jks", "-deststoretype", "JKS", "-deststorepass",
              "changeit", "-destkeypass", "changeit", "-noprompt"]
    for src, pw, extra in (("snaplogic_SF.jks", "Snaplogic123", []),
                           ("00D0m0000001mkL.jks", "Snaplogic@123",
                            ["-srcalias", "selfsignedcert_11dec2020_191506"])):
        proc = run([tool, "-importkeystore", "-srckeystore", src, "-srcstorepass", pw,
                    *extra, *common], cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr.decode()
    code = readme_block("## Python API", "python")
    proc = run([str(venv / "bin" / "python"), "-c", code], cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr.decode()
    assert "Keystore was tampered with, or password was incorrect" in proc.stdout.decode()
    assert list(keytool_entries(tmp_path / "client.p12", "changeit")) == [
        "ma_2_cert_oct_6_2021"]
    assert list(keytool_entries(tmp_path / "client.jks", "changeit")) == [
        "ma_2_cert_oct_6_2021"]


@pytest.mark.skipif(shutil.which("pipx") is None, reason="pipx is not installed here")
def test_pipx_install(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "src")
    env = {"PIPX_HOME": str(tmp_path / "pipx"), "PIPX_BIN_DIR": str(tmp_path / "bin")}
    proc = run(["pipx", "install", str(project)], cwd=tmp_path, env=env)
    assert proc.returncode == 0, proc.stderr.decode()[-3000:]
    proc = run([str(tmp_path / "bin" / "keystoretool"), "--version"], cwd=tmp_path)
    assert proc.returncode == 0 and proc.stdout.startswith(b"keystoretool ")
