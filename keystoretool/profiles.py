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

import os
import re
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .errors import KeystoreToolError, UnrecoverableKeyError, UsageError
from .findings import Code, Finding, Severity, command

if TYPE_CHECKING:  # pragma: no cover
    from cryptography import x509

    from .model import Keystore

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
# Findings of the salesforce profile: keystoretool.findings.Finding, with the
# command that repairs each one in ``fix``.


def salesforce_name_suggestion(name: str) -> str:
    """A valid Salesforce unique name close to ``name`` (for a changealias fix).

    >>> salesforce_name_suggestion("2-client.cert_")
    'c2_client_cert'
    """
    out = re.sub(r"_+", "_", re.sub(r"[^A-Za-z0-9_]", "_", name)).strip("_")
    if not out or not ("A" <= out[0] <= "Z" or "a" <= out[0] <= "z"):
        out = "c" + out
    return out


def _fixes(path: str, alias: str) -> dict[Code, str | None]:
    """The command that repairs each chain finding of a key entry."""
    fix_chain = command("keystoretool", "chain", "--keystore", path, "--alias", alias, "--fix")
    renew = command("keystoretool", "certreq", "--keystore", path, "--alias", alias,
                    "--file", f"{alias}.csr")
    return {
        Code.ROOT_INCLUDED: fix_chain,
        Code.OUT_OF_ORDER: fix_chain,
        Code.DUPLICATE: fix_chain,
        Code.UNRELATED: fix_chain,
        Code.MISSING_INTERMEDIATE: command(
            "keystoretool", "chain", "--keystore", path, "--alias", alias,
            "--add", "intermediate.pem"),
        Code.SELF_SIGNED_LEAF: renew,
        Code.EXPIRED: renew,
        Code.NOT_YET_VALID: renew,
        Code.EXPIRES_SOON: renew,
        Code.NO_CLIENT_AUTH: command(
            "keystoretool", "certreq", "--keystore", path, "--alias", alias,
            "--file", f"{alias}.csr", "--ext", "EKU=clientAuth"),
    }


def check_salesforce(
    ks: Keystore,
    *,
    cafile: Sequence[x509.Certificate] | None = None,
    at: datetime | None = None,
) -> list[Finding]:
    """Every reason ``ks`` is not ready for Salesforce (and notes)."""
    from cryptography.hazmat.primitives.asymmetric import rsa

    from . import chain as ch
    from .entries import PrivateKeyEntry

    path = ks.path or "KEYSTORE"
    out: list[Finding] = []
    if ks.store_type != "JKS":
        stem = path.rsplit(".", 1)[0] if "." in os.path.basename(path) else path
        out.append(Finding(
            Code.STORE_TYPE, Severity.PROBLEM,
            f"the keystore type is {ks.store_type}; Salesforce imports JKS keystores",
            fix=command("keystoretool", "importkeystore", "--srckeystore", path,
                        "--destkeystore", f"{stem}.jks", "--deststoretype", "JKS"),
        ))
    keys = [e for e in ks if isinstance(e, PrivateKeyEntry)]
    if not keys:
        out.append(Finding(
            Code.NO_KEY_ENTRIES, Severity.PROBLEM, "the keystore holds no private key entry",
            fix=command("keystoretool", "importpem", "--key", "client.key", "--cert",
                        "client.crt", "--alias", "client", "--keystore", path),
        ))
    for entry in ks:
        alias = entry.alias
        if not isinstance(entry, PrivateKeyEntry):
            out.append(Finding(
                Code.NOT_A_KEY_ENTRY, Severity.NOTE,
                f"{entry.kind} entry: not checked (only key entries become certificates "
                "with their keys)",
                alias=alias,
            ))
            continue
        for problem in salesforce_name_problems(alias):
            out.append(Finding(
                Code.ALIAS_NAME, Severity.PROBLEM,
                f"not a valid Salesforce unique name: {problem}", alias=alias,
                fix=command("keystoretool", "changealias", "--keystore", path, "--alias", alias,
                            "--destalias", salesforce_name_suggestion(alias)),
            ))
        certs = entry.chain
        if not certs:
            out.append(Finding(Code.EMPTY, Severity.PROBLEM, "no certificate chain", alias=alias))
            continue
        try:
            public_key: Any = certs[0].public_key()
        except Exception:  # algorithm cryptography cannot load
            public_key = None
        new_key = command("keystoretool", "genkeypair", "--keystore", path, "--alias",
                          salesforce_name_suggestion(f"{alias}_rsa"), "--keyalg", "RSA",
                          "--keysize", "2048", "--dname", ch.name_str(certs[0].subject))
        if isinstance(public_key, rsa.RSAPublicKey):
            if public_key.key_size not in SALESFORCE_RSA_SIZES:
                out.append(Finding(
                    Code.KEY_SIZE, Severity.PROBLEM,
                    f"RSA {public_key.key_size}-bit key; Salesforce takes 2048, 3072 or "
                    "4096 bits",
                    alias=alias, fix=new_key,
                ))
        else:
            from .certinfo import key_description

            desc = key_description(public_key) if public_key is not None else "unknown key"
            out.append(Finding(
                Code.KEY_ALGORITHM, Severity.PROBLEM,
                f"{desc}; Salesforce takes RSA keys only", alias=alias, fix=new_key,
            ))
        if ks.password is not None and not entry.is_unlocked:
            try:
                entry.unlock(ks.password)
            except UnrecoverableKeyError:
                out.append(Finding(
                    Code.KEY_PASSWORD, Severity.PROBLEM,
                    "the key password differs from the keystore password; the import "
                    "asks for one password (give the keystore password as the new one)",
                    alias=alias,
                    fix=command("keystoretool", "keypasswd", "--keystore", path,
                                "--alias", alias),
                ))
        fixes = _fixes(path, alias)
        report = ch.diagnose(certs, public_key=public_key, cafile=cafile, at=at)
        for f in report.findings:
            f.alias, f.fix = alias, fixes.get(f.code)
            if f.code == Code.ENDS_BELOW_ROOT:
                continue  # the usual end of a chain sent without its root
            if f.code == Code.ROOT_INCLUDED:
                f.severity = Severity.PROBLEM
                f.message = f"{f.message.split(';')[0]}; Salesforce wants the chain without it"
            elif f.code == Code.SELF_SIGNED_LEAF:
                f.severity = Severity.PROBLEM
                f.message = ("the certificate is self-signed; mutual authentication needs a "
                             "CA-signed certificate (send the request to a CA, then "
                             "importcert its reply)")
            out.append(f)
    return out


PROFILES: dict[str, Callable[..., list[Finding]]] = {"salesforce": check_salesforce}


def check_warn_days(warn_days: int) -> None:
    """``--warn-days`` takes 0 to 36500 (100 years)."""
    from .expiry import MAX_WITHIN_DAYS

    if not 0 <= warn_days <= MAX_WITHIN_DAYS:
        raise UsageError(f"--warn-days takes 0 to {MAX_WITHIN_DAYS} days, not {warn_days}")


def expiry_warnings(
    ks: Keystore, warn_days: int, *, at: datetime | None = None
) -> list[Finding]:
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
        out.append(Finding(
            Code.EXPIRES_SOON, Severity.WARNING,
            f"certificate [{c.position}] {c.subject} expires in {days} "
            f"day{'s' if days != 1 else ''} ({c.not_after:%Y-%m-%d %H:%M:%S} UTC)",
            alias=c.alias, fix=_fixes(ks.path or "KEYSTORE", c.alias)[Code.EXPIRES_SOON],
        ))
    return out


def run_profile(
    profile: str,
    ks: Keystore,
    *,
    cafile: Sequence[x509.Certificate] | None = None,
    at: datetime | None = None,
    warn_days: int | None = None,
) -> list[Finding]:
    """The findings of ``profile``; with ``warn_days``, also a warning for
    each key entry certificate that expires within that many days."""
    fn = PROFILES.get(profile.lower())
    if fn is None:
        raise UsageError(f"Unknown profile: {profile} (known: {', '.join(sorted(PROFILES))})")
    findings = fn(ks, cafile=cafile, at=at)
    if warn_days is not None:
        findings += expiry_warnings(ks, warn_days, at=at)
    return findings
