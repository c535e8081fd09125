"""Dates as the JVM prints them in its default time zone: ``Date.toString()``
(:func:`java_date`) and ``DateFormat.MEDIUM`` (:func:`java_medium_date`), with
the zone found the way the JVM finds it on Linux and JDK 17's Locale.US short
zone names (``jdkdata``)."""

from __future__ import annotations

import datetime as _dt
import functools
import os
import re
import time
from typing import NamedTuple

from .jdkdata import _java_tz_names

_DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
_CUSTOM_GMT = re.compile(r"GMT([+-])(\d{1,2})(?::?(\d\d))?")


class _JavaZone(NamedTuple):
    tz: _dt.tzinfo
    java_id: str
    custom_name: str | None  # "GMT+05:00" for custom zones


def _system_zone_id() -> str:
    """What the JVM reads on Linux: ``TZ``, else /etc/timezone, else /etc/localtime."""
    tz = os.environ.get("TZ")
    if tz:
        tz = tz[1:] if tz.startswith(":") else tz
        for prefix in ("/usr/share/zoneinfo/", "/usr/lib/zoneinfo/"):
            if tz.startswith(prefix):
                tz = tz[len(prefix) :]
        return tz
    try:
        with open("/etc/timezone", encoding="ascii") as fh:
            value = fh.read().strip()
        if value:
            return value
    except OSError:
        pass
    try:
        target = os.readlink("/etc/localtime")
        if "zoneinfo/" in target:
            return target.split("zoneinfo/", 1)[1]
    except OSError:
        pass
    return "UTC"


def _custom_zone(sign: str, hours: int, minutes: int) -> _JavaZone | None:
    if hours > 23 or minutes > 59:
        return None
    offset = _dt.timedelta(hours=hours, minutes=minutes) * (-1 if sign == "-" else 1)
    if offset == _dt.timedelta(0):
        return _JavaZone(_dt.UTC, "GMT", "GMT")
    name = f"GMT{sign}{hours:02d}:{minutes:02d}"
    return _JavaZone(_dt.timezone(offset), name, name)


# Java's three-letter zone IDs (ZoneInfoFile.oldMappings; EST, MST, HST stay fixed).
_JAVA_OLD_IDS = {
    "ACT": "Australia/Darwin", "AET": "Australia/Sydney",
    "AGT": "America/Argentina/Buenos_Aires", "ART": "Africa/Cairo", "AST": "America/Anchorage",
    "BET": "America/Sao_Paulo", "BST": "Asia/Dhaka", "CAT": "Africa/Harare",
    "CNT": "America/St_Johns", "CST": "America/Chicago", "CTT": "Asia/Shanghai",
    "EAT": "Africa/Addis_Ababa", "ECT": "Europe/Paris", "IET": "America/Indiana/Indianapolis",
    "IST": "Asia/Kolkata", "JST": "Asia/Tokyo", "MIT": "Pacific/Apia", "NET": "Asia/Yerevan",
    "NST": "Pacific/Auckland", "PLT": "Asia/Karachi", "PNT": "America/Phoenix",
    "PRT": "America/Puerto_Rico", "PST": "America/Los_Angeles", "SST": "Pacific/Guadalcanal",
    "VST": "Asia/Ho_Chi_Minh",
}
# SystemV zones with daylight saving follow these rules.
_SYSTEM_V_RULES = {
    "AST4ADT": "America/Halifax", "EST5EDT": "EST5EDT", "CST6CDT": "CST6CDT",
    "MST7MDT": "MST7MDT", "PST8PDT": "PST8PDT", "YST9YDT": "America/Anchorage",
}


@functools.lru_cache(maxsize=8)
def _java_zone(zone_id: str) -> _JavaZone:
    import zoneinfo

    names = _java_tz_names()
    if zone_id in names or zone_id in zoneinfo.available_timezones():
        key = _JAVA_OLD_IDS.get(zone_id, zone_id)
        system_v = re.fullmatch(r"SystemV/[A-Z]{3}(\d+)([A-Z]{3})?", zone_id)
        if system_v and not system_v.group(2):  # fixed standard time
            hours = int(system_v.group(1))
            return _JavaZone(_dt.timezone(_dt.timedelta(hours=-hours)), zone_id, None)
        if system_v:
            key = _SYSTEM_V_RULES.get(zone_id[8:], key)
        try:
            return _JavaZone(zoneinfo.ZoneInfo(key), zone_id, None)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            pass
    m = _CUSTOM_GMT.fullmatch(zone_id)
    if m:
        custom = _custom_zone(m.group(1), int(m.group(2)), int(m.group(3) or 0))
        if custom is not None:
            return custom
    # Unknown ID: the JVM falls back to the C library's current GMT offset.
    time.tzset()
    offset = time.localtime().tm_gmtoff
    if offset == 0:
        return _JavaZone(_dt.UTC, "GMT", "GMT")
    sign = "-" if offset < 0 else "+"
    return _custom_zone(sign, abs(offset) // 3600, abs(offset) % 3600 // 60) or _JavaZone(
        _dt.UTC, "GMT", "GMT"
    )


def _zone_abbreviation(zone: _JavaZone, local: _dt.datetime) -> str:
    if zone.custom_name is not None:
        return zone.custom_name
    if zone.java_id in _NEGATIVE_DST_ZONES:
        raw = _NEGATIVE_DST_ZONES[zone.java_id]
        daylight = (local.utcoffset() or _dt.timedelta(0)) > raw
    else:
        daylight = bool(local.dst())
    names = _java_tz_names().get(zone.java_id)
    if names is not None:
        return names[1] if daylight else names[0]
    abbr = local.tzname() or ""
    if abbr.isalpha():
        return abbr
    offset = local.utcoffset() or _dt.timedelta(0)
    if daylight:
        offset -= local.dst() or _dt.timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    if minutes == 0:
        return "GMT"
    sign = "-" if minutes < 0 else "+"
    return f"GMT{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


# Zones whose tzdata uses negative DST.  Java reads the "rearguard" data: these
# are their raw (standard) offsets there, and anything ahead of it (Irish
# summer time, Morocco outside Ramadan, Namibia since 2017) is daylight time.
_NEGATIVE_DST_ZONES = {
    "Europe/Dublin": _dt.timedelta(0),
    "Eire": _dt.timedelta(0),
    "Africa/Casablanca": _dt.timedelta(0),
    "Africa/El_Aaiun": _dt.timedelta(0),
    "Africa/Windhoek": _dt.timedelta(hours=1),
}


def _as_utc(dt: _dt.datetime) -> _dt.datetime:
    return dt.replace(tzinfo=_dt.UTC) if dt.tzinfo is None else dt


def java_date(dt: _dt.datetime) -> str:
    """``java.util.Date.toString()``: ``Fri Nov 27 12:45:36 UTC 2026``.

    Naive datetimes are taken as UTC.  The zone is the JVM's default: ``TZ``
    (``America/New_York`` -> ``EST``/``EDT``, ``GMT+05:00``), else the system
    zone; abbreviations are JDK 17's (Locale.US short names).
    """
    zone = _java_zone(_system_zone_id())
    local = _as_utc(dt).astimezone(zone.tz)
    return (
        f"{_DAYS[local.weekday()]} {_MONTHS[local.month - 1]} {local.day:02d} "
        f"{local.hour:02d}:{local.minute:02d}:{local.second:02d} "
        f"{_zone_abbreviation(zone, local)} {local.year}"
    )


def java_medium_date(dt: _dt.datetime) -> str:
    """``DateFormat.MEDIUM`` in the English locale: ``Nov 27, 2026`` (JVM time zone)."""
    zone = _java_zone(_system_zone_id())
    local = _as_utc(dt).astimezone(zone.tz)
    return f"{_MONTHS[local.month - 1]} {local.day}, {local.year}"
