"""JDK 17 tables certinfo emulates, read lazily from ``certinfo/data/``.

``known_oids.tsv``: every ``sun.security.util.KnownOIDs`` constant as
``<oid> TAB <stdName>``; ``java_tz_names.tsv``: every zone ID of
``TimeZone.getAvailableIDs()`` as ``<id> TAB <standard> TAB <daylight>``
(``getDisplayName(daylight, SHORT, Locale.US)``). Lines starting with ``#``
are comments. ``fixtures/gen/jdk_data.py`` rebuilds both from the JDK on the
machine; a test checks that the committed files equal its output.
"""

from __future__ import annotations

import functools
import os

_DATA_DIR = os.path.join(os.path.dirname(__file__), "data")
KNOWN_OIDS_FILE = os.path.join(_DATA_DIR, "known_oids.tsv")
JAVA_TZ_NAMES_FILE = os.path.join(_DATA_DIR, "java_tz_names.tsv")


def _rows(path: str) -> list[list[str]]:
    with open(path, encoding="utf-8") as fh:
        return [line.rstrip("\n").split("\t") for line in fh if not line.startswith("#")]


@functools.lru_cache(maxsize=1)
def _known_oids() -> dict[str, str]:
    """``sun.security.util.KnownOIDs``: OID -> stdName (EKU and algorithm names)."""
    return {oid: name for oid, name in _rows(KNOWN_OIDS_FILE)}


@functools.lru_cache(maxsize=1)
def _java_tz_names() -> dict[str, tuple[str, str]]:
    """Zone ID -> (standard, daylight) short names, as the JVM prints them."""
    return {zone_id: (std, dst) for zone_id, std, dst in _rows(JAVA_TZ_NAMES_FILE)}
