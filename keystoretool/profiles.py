"""Readiness profiles: is this keystore fit for a given consumer?

The one profile so far is ``salesforce``: a keystore to import into
Salesforce *Certificate and Key Management* and to use for mutual TLS on
port 8443. Its rules come from Salesforce's documented workflow:

* the keystore is a JKS file (the import takes JKS);
* keys are RSA 2048, 3072 or 4096 bits;
* each key's certificate chain is complete and ordered (leaf first, each next
  certificate signs the previous), without the root, and the leaf is
  CA-signed and usable for TLS client authentication;
* the certificate names (the aliases) are *unique names*: only letters,
  digits and underscores, beginning with a letter, not ending with an
  underscore and without two consecutive underscores;
* certificates are within their validity period;
* the keystore password opens every key (the import asks for one password).

:func:`name_problems` / :func:`check_alias_name` give the naming rules alone,
used by ``--name-rules salesforce`` on changealias, importkeystore and
genkeypair.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .errors import KeystoreToolError, UnrecoverableKeyError, UsageError

if TYPE_CHECKING:  # pragma: no cover
    from cryptography import x509

    from .model import Keystore

PROBLEM = "problem"
WARNING = "warning"  # reported, but the keystore is still ready
NOTE = "note"

SALESFORCE_RSA_SIZES = (2048, 3072, 4096)

_NAME_CHARS = re.compile(r"[A-Za-z0-9_]")


def salesforce_name_problems(name: str) -> list[str]:
    """Why ``name`` is not a valid Salesforce unique name (empty list: valid)."""
    if not name:
        return ["the name is empty"]
    out: list[str] = []
    bad = sorted({ch for ch in name if not _NAME_CHARS.fullmatch(ch)})
    if bad:
        shown = ", ".join(repr(ch) for ch in bad)
        out.append(f"only letters, digits and underscores are allowed (not {shown})")
    if not ("A" <= name[0] <= "Z" or "a" <= name[0] <= "z"):
        out.append("it must begin with a letter")
    if name.endswith("_"):
        out.append("it must not end with an underscore")
    if "__" in name:
        out.append("it must not contain two consecutive underscores")
    return out


NAME_RULES: dict[str, Callable[[str], list[str]]] = {"salesforce": salesforce_name_problems}


def name_problems(rules: str, name: str) -> list[str]:
    """The problems of ``name`` under the naming ``rules`` profile."""
    fn = NAME_RULES.get(rules.lower())
    if fn is None:
        known = ", ".join(sorted(NAME_RULES))
        raise UsageError(f"Unknown name rules: {rules} (known: {known})")
    return fn(name)


def check_alias_name(rules: str, alias: str) -> None:
    """Raise KeystoreToolError when ``alias`` breaks the ``rules`` profile.

    >>> check_alias_name("salesforce", "ma_2_cert_oct_6_2021")
    >>> check_alias_name("salesforce", "2_cert")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    keystoretool.errors.KeystoreToolError: Alias <2_cert> breaks ...: it must begin with a letter
    """
    problems = name_problems(rules, alias)
    if problems:
        raise KeystoreToolError(
            f"Alias <{alias}> breaks the {rules.lower()} name rules: {'; '.join(problems)}"
        )


# ---------------------------------------------------------------------------
# Keystore check
# ---------------------------------------------------------------------------
@dataclass
class CheckFinding:
    code: str
    severity: str
    message: str
    alias: str | None = None

    @property
    def is_problem(self) -> bool:
        return self.severity == PROBLEM

    def line(self) -> str:
        where = f"{self.alias}: " if self.alias is not None else ""
        return f"{self.severity}: {where}{self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity,
            "alias": self.alias,
            "message": self.message,
        }


# Finding codes of the salesforce profile.
STORE_TYPE = "store-type"
NO_KEYS = "no-key-entries"
OTHER_ENTRY = "not-a-key-entry"
ALIAS_NAME = "alias-name"
KEY_ALGORITHM = "key-algorithm"
KEY_SIZE = "key-size"
KEY_PASSWORD = "key-password"
CHAIN_PREFIX = "chain-"  # + a keystoretool.chain finding code
ROOT_INCLUDED = "chain-root-included"
SELF_SIGNED = "self-signed"
EXPIRES_SOON = "expires-soon"  # check --warn-days


def check_salesforce(
    ks: Keystore,
    *,
    cafile: Sequence[x509.Certificate] | None = None,
    at: datetime | None = None,
) -> list[CheckFinding]:
    """Every reason ``ks`` is not ready for Salesforce (and notes)."""
    from cryptography.hazmat.primitives.asymmetric import rsa

    from . import chain as ch
    from .entries import PrivateKeyEntry

    out: list[CheckFinding] = []
    if ks.store_type != "JKS":
        out.append(
            CheckFinding(
                STORE_TYPE,
                PROBLEM,
                f"the keystore type is {ks.store_type}; Salesforce imports JKS keystores "
                "(convert: keystoretool importkeystore --deststoretype JKS ...)",
            )
        )
    keys = [e for e in ks if isinstance(e, PrivateKeyEntry)]
    if not keys:
        out.append(CheckFinding(NO_KEYS, PROBLEM, "the keystore holds no private key entry"))
    for entry in ks:
        alias = entry.alias
        if not isinstance(entry, PrivateKeyEntry):
            out.append(
                CheckFinding(
                    OTHER_ENTRY,
                    NOTE,
                    f"{entry.kind} entry: not checked (only key entries become certificates "
                    "with their keys)",
                    alias,
                )
            )
            continue
        for problem in salesforce_name_problems(alias):
            out.append(
                CheckFinding(
                    ALIAS_NAME, PROBLEM, f"not a valid Salesforce unique name: {problem}", alias
                )
            )
        certs = entry.chain
        if not certs:
            out.append(
                CheckFinding(CHAIN_PREFIX + ch.EMPTY, PROBLEM, "no certificate chain", alias)
            )
            continue
        try:
            public_key: Any = certs[0].public_key()
        except Exception:  # algorithm cryptography cannot load
            public_key = None
        if isinstance(public_key, rsa.RSAPublicKey):
            if public_key.key_size not in SALESFORCE_RSA_SIZES:
                out.append(
                    CheckFinding(
                        KEY_SIZE,
                        PROBLEM,
                        f"RSA {public_key.key_size}-bit key; Salesforce takes 2048, 3072 or "
                        "4096 bits",
                        alias,
                    )
                )
        else:
            from .certinfo import key_description

            desc = key_description(public_key) if public_key is not None else "unknown key"
            out.append(
                CheckFinding(
                    KEY_ALGORITHM, PROBLEM, f"{desc}; Salesforce takes RSA keys only", alias
                )
            )
        if ks.password is not None and not entry.is_unlocked:
            try:
                entry.unlock(ks.password)
            except UnrecoverableKeyError:
                out.append(
                    CheckFinding(
                        KEY_PASSWORD,
                        PROBLEM,
                        "the key password differs from the keystore password; the import "
                        "asks for one password (set it with keytool -keypasswd)",
                        alias,
                    )
                )
        report = ch.diagnose(certs, public_key=public_key, cafile=cafile, at=at)
        for f in report.findings:
            if f.code == ch.ISSUER_NOT_INCLUDED:
                continue  # the usual end of a chain sent without its root
            if f.code == ch.ROOT_INCLUDED:
                out.append(
                    CheckFinding(
                        ROOT_INCLUDED,
                        PROBLEM,
                        f"{f.message.split(';')[0]}; Salesforce wants the chain without it",
                        alias,
                    )
                )
            elif f.code == ch.SELF_SIGNED_LEAF:
                out.append(
                    CheckFinding(
                        SELF_SIGNED,
                        PROBLEM,
                        "the certificate is self-signed; mutual authentication needs a "
                        "CA-signed certificate",
                        alias,
                    )
                )
            else:
                out.append(CheckFinding(CHAIN_PREFIX + f.code, f.severity, f.message, alias))
    return out


PROFILES: dict[str, Callable[..., list[CheckFinding]]] = {"salesforce": check_salesforce}


def check_warn_days(warn_days: int) -> None:
    """``--warn-days`` takes 0 to 36500 (100 years)."""
    from .expiry import MAX_WITHIN_DAYS

    if not 0 <= warn_days <= MAX_WITHIN_DAYS:
        raise UsageError(f"--warn-days takes 0 to {MAX_WITHIN_DAYS} days, not {warn_days}")


def expiry_warnings(
    ks: Keystore, warn_days: int, *, at: datetime | None = None
) -> list[CheckFinding]:
    """A warning for each certificate of a key entry's chain that expires
    within ``warn_days`` days (already expired ones are the chain check's
    problem)."""
    from datetime import UTC, timedelta

    from .entries import PrivateKeyEntry
    from .expiry import certificates

    check_warn_days(warn_days)
    at = at or datetime.now(UTC)
    deadline = at + timedelta(days=warn_days)
    found, _ = certificates(ks, ks.path or "")
    out = []
    for c in sorted(found, key=lambda c: c.not_after):
        if c.entry_type != PrivateKeyEntry.kind or not at < c.not_after <= deadline:
            continue
        days = c.days_left(at)
        out.append(
            CheckFinding(
                EXPIRES_SOON,
                WARNING,
                f"certificate [{c.position}] {c.subject} expires in {days} "
                f"day{'s' if days != 1 else ''} ({c.not_after:%Y-%m-%d %H:%M:%S} UTC)",
                c.alias,
            )
        )
    return out


def run_profile(
    profile: str,
    ks: Keystore,
    *,
    cafile: Sequence[x509.Certificate] | None = None,
    at: datetime | None = None,
    warn_days: int | None = None,
) -> list[CheckFinding]:
    """The findings of ``profile``; with ``warn_days``, also a warning for
    each key entry certificate that expires within that many days."""
    fn = PROFILES.get(profile.lower())
    if fn is None:
        raise UsageError(f"Unknown profile: {profile} (known: {', '.join(sorted(PROFILES))})")
    findings = fn(ks, cafile=cafile, at=at)
    if warn_days is not None:
        findings += expiry_warnings(ks, warn_days, at=at)
    return findings
