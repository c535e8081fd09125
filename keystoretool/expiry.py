"""Certificate expiry across keystores: which certificates run out, and when.

Every certificate a keystore holds counts: a trusted certificate, and each
certificate of each key entry's chain (position 1 is the entry's own
certificate, as keytool's ``Certificate[1]``). A certificate *expires within*
a period when its notAfter lies before now + period; one already expired
counts as expiring.

:func:`certificates` lists the certificates of one loaded :class:`Keystore`;
:class:`ExpiryReport` gathers them over many keystores (with the stores that
could not be read) and renders them as text, JSON (``to_dict``) or
Prometheus text exposition (:func:`prometheus_text`) for node_exporter's
textfile collector.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from .errors import KeystoreToolError, UsageError

if TYPE_CHECKING:  # pragma: no cover
    from .model import Keystore

DEFAULT_WITHIN = "30d"
MAX_WITHIN_DAYS = 36500  # 100 years: a deadline stays a valid date

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_DURATION = re.compile(r"(\d{1,9})([smhdw])")


def parse_duration(text: str) -> timedelta:
    """``30d``, ``12h``, ``2w`` (also ``s`` and ``m``) -> a timedelta.

    >>> parse_duration("2w")
    datetime.timedelta(days=14)
    """
    m = _DURATION.fullmatch(text.strip().lower())
    if m is None:
        raise UsageError(
            f"Invalid duration: {text!r} (a number and a unit: s, m, h, d or w; e.g. 30d, 12h, 2w)"
        )
    seconds = int(m.group(1)) * _UNITS[m.group(2)]
    if seconds > MAX_WITHIN_DAYS * 86400:
        raise UsageError(f"Invalid duration: {text!r} (at most {MAX_WITHIN_DAYS}d)")
    return timedelta(seconds=seconds)


@dataclass(frozen=True)
class CertExpiry:
    """One certificate of one keystore entry, with its validity."""

    keystore: str
    alias: str
    entry_type: str  # keytool's PrivateKeyEntry / trustedCertEntry
    position: int  # 1 = the entry's own certificate, 2.. = the rest of its chain
    subject: str
    issuer: str
    serial: str
    sha256: str
    not_before: datetime
    not_after: datetime
    der: bytes = field(default=b"", repr=False, compare=False)

    def seconds_left(self, at: datetime) -> float:
        return (self.not_after - at).total_seconds()

    def days_left(self, at: datetime) -> int:
        """Whole days until notAfter, or since it (negative) once expired."""
        return int(self.seconds_left(at) / 86400)

    def to_dict(self, at: datetime, deadline: datetime) -> dict[str, Any]:
        from .jsondoc import certificate

        return {
            "keystore": self.keystore,
            "alias": self.alias,
            "entry_type": self.entry_type,
            "position": self.position,
            "certificate": certificate(self.der),
            "days_left": self.days_left(at),
            "expired": self.not_after <= at,
            "expiring": self.not_after <= deadline,
        }


def certificates(ks: Keystore, keystore: str) -> tuple[list[CertExpiry], list[str]]:
    """Every certificate in ``ks`` (named ``keystore`` in the results), and a
    message for each certificate that cannot be parsed."""
    from . import certinfo
    from .entries import PrivateKeyEntry, TrustedCertEntry

    found: list[CertExpiry] = []
    problems: list[str] = []
    for alias, entry in ks.items():
        if not isinstance(entry, (PrivateKeyEntry, TrustedCertEntry)):
            continue
        shown = entry.alias or alias
        for i, der in enumerate(entry.chain_der, start=1):
            try:
                facts = certinfo.summary(der)
            except KeystoreToolError as exc:
                problems.append(f"<{shown}> certificate [{i}]: {exc}")
                continue
            found.append(
                CertExpiry(
                    keystore=keystore,
                    alias=shown,
                    entry_type=entry.kind,
                    position=i,
                    subject=facts["subject"],
                    issuer=facts["issuer"],
                    serial=facts["serial"],
                    sha256=facts["sha256"],
                    not_before=datetime.fromisoformat(facts["not_before"]),
                    not_after=datetime.fromisoformat(facts["not_after"]),
                    der=der,
                )
            )
    return found, problems


@dataclass
class StoreResult:
    """One keystore of a run: its type, or why it could not be read."""

    keystore: str
    store_type: str | None = None
    error: str | None = None
    count: int = 0


@dataclass
class ExpiryReport:
    """The certificates of many keystores against one deadline."""

    within: timedelta
    at: datetime = field(default_factory=lambda: datetime.now(UTC))
    stores: list[StoreResult] = field(default_factory=list)
    certs: list[CertExpiry] = field(default_factory=list)

    @property
    def deadline(self) -> datetime:
        return self.at + self.within

    def add(self, ks: Keystore, keystore: str) -> None:
        found, problems = certificates(ks, keystore)
        self.certs.extend(found)
        self.stores.append(
            StoreResult(keystore, ks.store_type, "; ".join(problems) or None, len(found))
        )

    def add_error(self, keystore: str, message: str) -> None:
        self.stores.append(StoreResult(keystore, error=message))

    @property
    def errors(self) -> list[StoreResult]:
        return [s for s in self.stores if s.error is not None]

    def sorted(self) -> list[CertExpiry]:
        """Soonest notAfter first (then keystore, alias, position)."""
        return sorted(self.certs, key=lambda c: (c.not_after, c.keystore, c.alias, c.position))

    def expiring(self) -> list[CertExpiry]:
        return [c for c in self.sorted() if c.not_after <= self.deadline]

    @property
    def verdict(self) -> str:
        """``error`` (a store or certificate could not be read), else
        ``expiring`` (something expires within the period), else ``ok``."""
        if self.errors:
            return "error"
        return "expiring" if self.expiring() else "ok"

    @property
    def exit_status(self) -> int:
        return {"ok": 0, "expiring": 2, "error": 1}[self.verdict]

    # ---- renderings -------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The ``--json`` document (keystoretool.jsondoc's contract).

        ``verdict``: ok / expiring / error, as the exit status 0 / 2 / 1.
        ``certificates``: one object per certificate, soonest first, with
        ``keystore``, ``alias``, ``entry_type``, ``position``, ``certificate``
        (the certificate object), ``days_left``, ``expired`` and ``expiring``.
        ``keystores``: each store given, with its type or its error.
        """
        from .jsondoc import document

        return document(
            "expiry",
            verdict=self.verdict,
            generated_at=self.at.isoformat(),
            within_seconds=int(self.within.total_seconds()),
            deadline=self.deadline.isoformat(),
            expiring=len(self.expiring()),
            keystores=[
                {
                    "keystore": s.keystore,
                    "type": s.store_type,
                    "certificates": s.count,
                    "error": s.error,
                }
                for s in self.stores
            ],
            certificates=[c.to_dict(self.at, self.deadline) for c in self.sorted()],
        )

    def text(self) -> str:
        """One line per certificate, soonest first, and a summary line."""
        certs = self.sorted()
        rows = [("STATUS", "DAYS", "NOT AFTER (UTC)", "KEYSTORE", "ALIAS", "#", "SUBJECT")]
        for c in certs:
            status = (
                "expired" if c.not_after <= self.at
                else "expiring" if c.not_after <= self.deadline else "ok"
            )
            rows.append((
                status,
                str(c.days_left(self.at)),
                c.not_after.strftime("%Y-%m-%d %H:%M:%S"),
                c.keystore,
                c.alias,
                str(c.position),
                c.subject,
            ))
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
        lines = []
        if certs:
            for r in rows:
                cells = [
                    r[i].rjust(widths[i]) if i in (1, 5) else r[i].ljust(widths[i])
                    for i in range(len(widths))
                ]
                lines.append("  ".join(cells) + "  " + r[-1])
        expiring = self.expiring()
        expired = sum(1 for c in expiring if c.not_after <= self.at)
        period = _period(self.within)
        n = len(certs)
        summary = (
            f"{len(expiring)} of {n} certificate{'s' if n != 1 else ''} "
            f"expire{'s' if len(expiring) == 1 else ''} within {period}"
        )
        if expired:
            summary += f" ({expired} already expired)"
        stores = len(self.stores) - len(self.errors)
        summary += f"; {stores} keystore{'s' if stores != 1 else ''} read"
        if self.errors:
            summary += f", {len(self.errors)} with errors"
        lines.append(summary + ".")
        return "\n".join(lines) + "\n"


def _period(d: timedelta) -> str:
    """``30 days``, ``12 hours``: the period in its largest whole unit."""
    seconds = int(d.total_seconds())
    for unit, name in ((86400, "day"), (3600, "hour"), (60, "minute"), (1, "second")):
        if seconds % unit == 0 and (seconds >= unit or unit == 1):
            n = seconds // unit
            return f"{n} {name}{'s' if n != 1 else ''}"
    raise AssertionError("unreachable")  # pragma: no cover


# ---------------------------------------------------------------------------
# Prometheus text exposition format (node_exporter textfile collector)
# ---------------------------------------------------------------------------
METRIC_NOT_AFTER = "keystore_certificate_not_after_seconds"
METRIC_NOT_BEFORE = "keystore_certificate_not_before_seconds"
METRIC_EXPIRING = "keystore_certificate_expiring"
METRIC_READ_ERROR = "keystore_read_error"
METRIC_CERTIFICATES = "keystore_certificates"
METRIC_GENERATED = "keystore_expiry_generated_seconds"


def escape_label(value: str) -> str:
    """A label value as the text format writes it: ``\\``, ``"`` and newline escaped."""
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _labels(pairs: Iterable[tuple[str, str]]) -> str:
    return "{" + ",".join(f'{k}="{escape_label(v)}"' for k, v in pairs) + "}"


def _number(value: float) -> str:
    return repr(float(value)) if value != int(value) else str(int(value))


def prometheus_text(report: ExpiryReport) -> str:
    """The report as node_exporter textfile-collector metrics.

    Per certificate (labels keystore, alias, position, subject, issuer,
    serial): notAfter and notBefore as Unix times, and whether it expires
    within the period. Per keystore: a read-error gauge (1 = could not be
    read) and its certificate count. Alert on
    ``keystore_certificate_not_after_seconds - time() < 30 * 86400`` to follow
    time between runs.
    """
    window = _period(report.within)
    out: list[str] = []

    def family(name: str, help_text: str) -> None:
        out.append(f"# HELP {name} {help_text}")
        out.append(f"# TYPE {name} gauge")

    certs = report.sorted()

    def cert_labels(c: CertExpiry) -> str:
        return _labels([
            ("keystore", c.keystore),
            ("alias", c.alias),
            ("position", str(c.position)),
            ("subject", c.subject),
            ("issuer", c.issuer),
            ("serial", c.serial),
        ])

    family(METRIC_NOT_AFTER, "Certificate notAfter (end of validity) as a Unix timestamp.")
    out.extend(f"{METRIC_NOT_AFTER}{cert_labels(c)} {_number(c.not_after.timestamp())}"
               for c in certs)
    family(METRIC_NOT_BEFORE, "Certificate notBefore (start of validity) as a Unix timestamp.")
    out.extend(f"{METRIC_NOT_BEFORE}{cert_labels(c)} {_number(c.not_before.timestamp())}"
               for c in certs)
    family(METRIC_EXPIRING, f"1 if the certificate expired or expires within {window} of "
           "the generation time, else 0.")
    out.extend(f"{METRIC_EXPIRING}{cert_labels(c)} {int(c.not_after <= report.deadline)}"
               for c in certs)
    family(METRIC_READ_ERROR, "1 if the keystore (or a certificate in it) could not be read.")
    out.extend(f"{METRIC_READ_ERROR}{_labels([('keystore', s.keystore)])} "
               f"{int(s.error is not None)}" for s in report.stores)
    family(METRIC_CERTIFICATES, "Number of certificates read from the keystore.")
    out.extend(f"{METRIC_CERTIFICATES}{_labels([('keystore', s.keystore)])} {s.count}"
               for s in report.stores)
    family(METRIC_GENERATED, "When keystoretool expiry wrote these metrics, as a Unix timestamp.")
    out.append(f"{METRIC_GENERATED} {_number(report.at.timestamp())}")
    return "\n".join(out) + "\n"
