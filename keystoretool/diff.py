"""What differs between two keystores, by content: entries, not bytes.

Aliases match as keytool looks them up (case-insensitively), so a JKS
(lower-cased aliases) and a PKCS12 (trusted certificates keep their case)
made from the same content compare identical. For each alias in both stores
the entry type, the certificate, the rest of the chain and the key are
compared. Keys compare by public key (the certificate's), so no private key
is decrypted unless ``keys=True`` is asked for. Creation dates are compared
only with ``dates=True``: a converted store gets new ones.

Entries present under an alias in one store only are paired up when the
other store holds the same entry under another alias (``renamed``); a
certificate held by both stores under different aliases that a rename does
not explain is reported too (``same_certificate``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .entries import PrivateKeyEntry, SecretKeyEntry, TrustedCertEntry, java_lower
from .errors import KeystoreToolError

if TYPE_CHECKING:  # pragma: no cover
    from .entries import Entry
    from .model import Keystore

# Difference codes (stable: --json consumers and tests use them).
ENTRY_TYPE = "entry-type"
CERTIFICATE = "certificate"
KEY = "key"
CHAIN = "chain"
PRIVATE_KEY = "private-key"
SECRET_KEY = "secret-key"
ALGORITHM = "algorithm"
CREATED = "created"


@dataclass(frozen=True)
class EntryFacts:
    """What the report shows of one entry."""

    alias: str
    entry_type: str
    chain: tuple[str, ...]  # SHA-256 fingerprints, leaf first
    subject: str | None  # of the entry's own certificate
    serial: str | None
    not_after: str | None
    algorithm: str | None  # secret keys
    created: datetime
    leaf_der: bytes | None = field(default=None, repr=False, compare=False)

    def label(self) -> str:
        what = self.subject if self.subject is not None else (self.algorithm or "secret key")
        return f"{self.entry_type}, {what}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "alias": self.alias,
            "entry_type": self.entry_type,
            "certificate": None if self.leaf_der is None else _certificate(self.leaf_der),
            "chain": list(self.chain),
            "algorithm": self.algorithm,
            "created": self.created.isoformat(),
        }


def _certificate(der: bytes) -> dict[str, Any]:
    from .jsondoc import certificate

    return certificate(der)


def _facts(alias: str, entry: Entry) -> EntryFacts:
    from . import certinfo

    chain = tuple(certinfo.fingerprint(d) for d in entry.chain_der)
    subject = serial = not_after = None
    if entry.chain_der:
        try:
            summary = certinfo.summary(entry.chain_der[0])
            subject, serial = summary["subject"], summary["serial"]
            not_after = summary["not_after"]
        except KeystoreToolError:
            subject = "(unparsable certificate)"
    algorithm = entry.algorithm if isinstance(entry, SecretKeyEntry) else None
    return EntryFacts(entry.alias or alias, entry.kind, chain, subject, serial, not_after,
                      algorithm, entry.created,
                      entry.chain_der[0] if entry.chain_der and serial is not None else None)


@dataclass(frozen=True)
class Difference:
    code: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


@dataclass
class ChangedEntry:
    """The same alias in both stores, with different content."""

    a: EntryFacts
    b: EntryFacts
    differences: list[Difference]

    def to_dict(self) -> dict[str, Any]:
        return {
            "alias": self.a.alias,
            "differences": [d.to_dict() for d in self.differences],
            "a": self.a.to_dict(),
            "b": self.b.to_dict(),
        }


@dataclass(frozen=True)
class SameCertificate:
    """A certificate both stores hold, under different aliases."""

    sha256: str
    subject: str | None
    a_aliases: tuple[str, ...]
    b_aliases: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "sha256": self.sha256,
            "subject": self.subject,
            "a_aliases": list(self.a_aliases),
            "b_aliases": list(self.b_aliases),
        }


@dataclass
class DiffReport:
    a_name: str
    b_name: str
    a_type: str
    b_type: str
    a_count: int
    b_count: int
    dates: bool
    keys: bool
    only_in_a: list[EntryFacts] = field(default_factory=list)
    only_in_b: list[EntryFacts] = field(default_factory=list)
    changed: list[ChangedEntry] = field(default_factory=list)
    renamed: list[tuple[EntryFacts, EntryFacts]] = field(default_factory=list)
    same_certificate: list[SameCertificate] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def identical(self) -> bool:
        return not (self.only_in_a or self.only_in_b or self.changed or self.renamed
                    or self.same_certificate)

    @property
    def verdict(self) -> str:
        return "identical" if self.identical else "different"

    def to_dict(self) -> dict[str, Any]:
        """The ``--json`` document (keystoretool.jsondoc's contract)."""
        from .jsondoc import document

        return document("diff", **{
            "verdict": self.verdict,
            "a": {"keystore": self.a_name, "type": self.a_type, "entries": self.a_count},
            "b": {"keystore": self.b_name, "type": self.b_type, "entries": self.b_count},
            "compared": {"dates": self.dates, "keys": self.keys},
            "only_in_a": [f.to_dict() for f in self.only_in_a],
            "only_in_b": [f.to_dict() for f in self.only_in_b],
            "changed": [c.to_dict() for c in self.changed],
            "renamed": [
                {"a_alias": a.alias, "b_alias": b.alias, "entry_type": a.entry_type,
                 "subject": a.subject}
                for a, b in self.renamed
            ],
            "same_certificate": [s.to_dict() for s in self.same_certificate],
            "notes": list(self.notes),
        })

    def text(self) -> str:
        """One line per difference, a summary line, then notes."""
        a, b = self.a_name, self.b_name
        lines = [
            f"--- {a} ({self.a_type}, {_n(self.a_count, 'entry', 'entries')})",
            f"+++ {b} ({self.b_type}, {_n(self.b_count, 'entry', 'entries')})",
        ]
        lines += [f"- <{f.alias}>: only in {a} ({f.label()})" for f in self.only_in_a]
        lines += [f"+ <{f.alias}>: only in {b} ({f.label()})" for f in self.only_in_b]
        for c in self.changed:
            lines += [f"~ <{c.a.alias}>: {d.message}" for d in c.differences]
        lines += [
            f"> <{fa.alias}> in {a} is <{fb.alias}> in {b} (same entry, renamed)"
            for fa, fb in self.renamed
        ]
        for s in self.same_certificate:
            lines.append(
                f"= certificate {s.subject} is {_aliases(s.a_aliases)} in {a}, "
                f"{_aliases(s.b_aliases)} in {b}"
            )
        if self.identical:
            lines.append("The keystores hold the same entries.")
        else:
            parts = [
                (len(self.only_in_a), f"only in {a}"),
                (len(self.only_in_b), f"only in {b}"),
                (len(self.changed), "changed"),
                (len(self.renamed), "renamed"),
                (len(self.same_certificate), "certificate under another alias"),
            ]
            lines.append(
                "The keystores differ: " + ", ".join(f"{n} {what}" for n, what in parts if n) + "."
            )
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines) + "\n"


def _n(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _aliases(aliases: tuple[str, ...]) -> str:
    return ", ".join(f"<{x}>" for x in aliases) if aliases else "(none)"


# ---------------------------------------------------------------------------
# Comparison
# ---------------------------------------------------------------------------
def _spki(der: bytes) -> bytes | None:
    from . import certinfo

    try:
        return certinfo.subject_public_key_info(der)
    except KeystoreToolError:
        return None


def _normal_pkcs8(pkcs8: bytes) -> bytes:
    """A private key in one canonical PKCS#8 encoding (attributes and
    optional fields as cryptography writes them)."""
    from cryptography.hazmat.primitives import serialization

    try:
        key = serialization.load_der_private_key(pkcs8, password=None)
        return key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    except Exception:  # a key cryptography cannot load: compare the bytes
        return pkcs8


def _unlock(entry: PrivateKeyEntry | SecretKeyEntry, ks: Keystore, keypass: str | None,
            side: str) -> bytes:
    """The clear key: with ``keypass``, else with the store password (a
    PKCS12 key always has the store's)."""
    tries = [ks.password] if ks.store_type == "PKCS12" else [keypass, ks.password]
    error: KeystoreToolError | None = None
    for password in dict.fromkeys(p for p in tries if p is not None) or [None]:
        try:
            return entry.unlock(password)
        except KeystoreToolError as exc:
            error = exc
    raise KeystoreToolError(
        f"Cannot recover the key of <{entry.alias}> in {side}: {error} "
        "(give its password with --keypass / --other-keypass)"
    )


def _compare(
    ea: Entry, eb: Entry, fa: EntryFacts, fb: EntryFacts, names: tuple[str, str],
    ctx: _Context,
) -> list[Difference]:
    a, b = names
    if ea.kind != eb.kind:
        return [Difference(ENTRY_TYPE, f"entry type differs ({a}: {ea.kind}; {b}: {eb.kind})")]
    out: list[Difference] = []
    if isinstance(ea, (PrivateKeyEntry, TrustedCertEntry)):
        chain_a, chain_b = list(ea.chain_der), list(eb.chain_der)
        if chain_a[:1] != chain_b[:1]:
            same_key = bool(chain_a and chain_b) and _spki(chain_a[0]) == _spki(chain_b[0]) \
                and _spki(chain_a[0]) is not None
            what = "certificate differs" + (
                ", same key" if same_key and isinstance(ea, PrivateKeyEntry) else "")
            out.append(Difference(CERTIFICATE, f"{what} ({a}: {_cert(fa)}; {b}: {_cert(fb)})"))
            if isinstance(ea, PrivateKeyEntry) and not same_key:
                out.append(Difference(KEY, "key differs (the certificates hold different "
                                           "public keys)"))
        elif chain_a[1:] != chain_b[1:]:
            out.append(Difference(
                CHAIN,
                f"chain differs ({a}: {_n(len(chain_a), 'certificate', 'certificates')}; "
                f"{b}: {_n(len(chain_b), 'certificate', 'certificates')})",
            ))
    if isinstance(ea, PrivateKeyEntry) and isinstance(eb, PrivateKeyEntry) and ctx.keys:
        ka = _normal_pkcs8(_unlock(ea, ctx.ks_a, ctx.keypass_a, a))
        kb = _normal_pkcs8(_unlock(eb, ctx.ks_b, ctx.keypass_b, b))
        if ka != kb:
            out.append(Difference(PRIVATE_KEY, "private key differs"))
    if isinstance(ea, SecretKeyEntry) and isinstance(eb, SecretKeyEntry):
        if ctx.keys:
            va = _unlock(ea, ctx.ks_a, ctx.keypass_a, a)
            vb = _unlock(eb, ctx.ks_b, ctx.keypass_b, b)
            if va != vb:
                out.append(Difference(SECRET_KEY, "secret key differs"))
        if ea.algorithm and eb.algorithm and ea.algorithm.upper() != eb.algorithm.upper():
            out.append(Difference(
                ALGORITHM, f"algorithm differs ({a}: {ea.algorithm}; {b}: {eb.algorithm})"))
    if ctx.dates and _ms(ea.created) != _ms(eb.created):
        out.append(Difference(
            CREATED,
            f"creation date differs ({a}: {ea.created.isoformat()}; "
            f"{b}: {eb.created.isoformat()})",
        ))
    return out


def _cert(f: EntryFacts) -> str:
    return f"{f.subject}, serial {f.serial}, until {f.not_after}"


def _ms(dt: datetime) -> int:
    return int(dt.timestamp() * 1000)


@dataclass
class _Context:
    ks_a: Keystore
    ks_b: Keystore
    dates: bool
    keys: bool
    keypass_a: str | None
    keypass_b: str | None


def _content(entry: Entry) -> tuple[Any, ...]:
    """What must be equal for two entries to be "the same entry"."""
    if isinstance(entry, SecretKeyEntry):
        return (entry.kind, id(entry))  # secret keys never pair up without decrypting
    return (entry.kind, tuple(entry.chain_der))


def compare(
    a: Keystore,
    b: Keystore,
    *,
    a_name: str = "A",
    b_name: str = "B",
    dates: bool = False,
    keys: bool = False,
    keypass_a: str | None = None,
    keypass_b: str | None = None,
) -> DiffReport:
    """The differences between keystores ``a`` and ``b``."""
    ctx = _Context(a, b, dates, keys, keypass_a, keypass_b)
    report = DiffReport(a_name, b_name, a.store_type, b.store_type, len(a), len(b), dates, keys)
    a_entries = {java_lower(k): e for k, e in a.items()}
    b_entries = {java_lower(k): e for k, e in b.items()}
    facts_a = {k: _facts(k, e) for k, e in a_entries.items()}
    facts_b = {k: _facts(k, e) for k, e in b_entries.items()}

    for key, ea in a_entries.items():
        eb = b_entries.get(key)
        if eb is None:
            continue
        diffs = _compare(ea, eb, facts_a[key], facts_b[key], (a_name, b_name), ctx)
        if diffs:
            report.changed.append(ChangedEntry(facts_a[key], facts_b[key], diffs))

    only_a = [k for k in a_entries if k not in b_entries]
    only_b = [k for k in b_entries if k not in a_entries]
    # Renames: an entry only in A equal to one only in B.
    candidates: dict[tuple[Any, ...], list[str]] = {}
    for k in only_b:
        candidates.setdefault(_content(b_entries[k]), []).append(k)
    renamed: dict[str, str] = {}  # alias in A -> alias in B
    for k in only_a:
        matches = candidates.get(_content(a_entries[k]))
        if matches:
            renamed[k] = matches.pop(0)
            report.renamed.append((facts_a[k], facts_b[renamed[k]]))
    report.only_in_a = [facts_a[k] for k in only_a if k not in renamed]
    matched_b = set(renamed.values())
    report.only_in_b = [facts_b[k] for k in only_b if k not in matched_b]

    # The same certificate under other aliases (what renames do not explain).
    def by_cert(entries: dict[str, Entry], facts: dict[str, EntryFacts],
                rename: dict[str, str]) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        for k, e in entries.items():
            if isinstance(e, (PrivateKeyEntry, TrustedCertEntry)) and facts[k].chain:
                out.setdefault(facts[k].chain[0], set()).add(rename.get(k, k))
        return out

    certs_a = by_cert(a_entries, facts_a, renamed)
    certs_b = by_cert(b_entries, facts_b, {})
    inverse = {v: k for k, v in renamed.items()}
    for fp, aliases_a in certs_a.items():
        aliases_b = certs_b.get(fp)
        if aliases_b is None or aliases_a == aliases_b:
            continue
        shown_a = tuple(sorted(facts_a[inverse.get(x, x)].alias for x in aliases_a))
        shown_b = tuple(sorted(facts_b[x].alias for x in aliases_b))
        subject = facts_b[next(iter(aliases_b))].subject
        report.same_certificate.append(SameCertificate(fp, subject, shown_a, shown_b))

    if not keys and any(isinstance(e, SecretKeyEntry) for e in a_entries.values()) \
            and any(isinstance(e, SecretKeyEntry) for e in b_entries.values()):
        report.notes.append("secret keys were compared by algorithm only; --keys compares "
                            "their values")
    return report
