"""certinfo's JDK tables (certinfo/data/*.tsv) are what the JDK says.

The generator fixtures/gen/jdk_data.py rebuilds them from the JDK on the
machine; the committed files must equal its output for the JDK they name.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

import pytest

from keystoretool.certinfo import jdkdata

ROOT = Path(__file__).resolve().parent.parent
GENERATOR = ROOT / "fixtures" / "gen" / "jdk_data.py"


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("jdk_data", GENERATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["jdk_data"] = module
    spec.loader.exec_module(module)
    return module


def _recorded_version() -> str:
    with open(jdkdata.KNOWN_OIDS_FILE, encoding="utf-8") as fh:
        header = fh.readline()
    return header.split("JDK ", 1)[1].split(":", 1)[0]


def test_tables_load() -> None:
    oids = jdkdata._known_oids()
    assert oids["1.3.6.1.5.5.7.3.2"] == "clientAuth"
    assert oids["1.2.840.113549.1.1.11"] == "SHA256withRSA"
    names = jdkdata._java_tz_names()
    assert names["Europe/Berlin"] == ("CET", "CEST")
    # IDs with a hyphen were once split across wrapped lines of an inline table.
    assert names["America/Blanc-Sablon"] == ("AST", "ADT")
    assert names["US/East-Indiana"] == ("EST", "EDT")


def test_java_date_uses_table(monkeypatch: pytest.MonkeyPatch) -> None:
    from keystoretool.certinfo import dates

    monkeypatch.setenv("TZ", "America/New_York")
    dates._java_zone.cache_clear()
    try:
        when = dt.datetime(2026, 7, 1, 12, tzinfo=dt.UTC)
        assert dates.java_date(when) == "Wed Jul 01 08:00:00 EDT 2026"
    finally:
        dates._java_zone.cache_clear()


@pytest.mark.slow
def test_committed_tables_equal_generator_output(require_keytool: str) -> None:
    gen = _generator()
    java = Path(require_keytool).resolve().parent / "java"
    if not java.exists():
        pytest.skip(f"no java beside {require_keytool}")
    version = gen.java_version(str(java))
    if version != _recorded_version():
        pytest.skip(f"the data is for JDK {_recorded_version()}, this JDK is {version}")
    produced = gen.generate(str(java))
    assert set(produced) == {"known_oids.tsv", "java_tz_names.tsv"}
    for name, content in produced.items():
        committed = Path(os.path.dirname(jdkdata.KNOWN_OIDS_FILE), name).read_text("utf-8")
        assert committed == content, f"{name} differs: run fixtures/gen/jdk_data.py"
