"""Commands that report on keystores without changing them: expiry, diff.

Exit status: 0 when all is well (nothing expires; the stores are identical),
2 when something was found (a certificate expires within the period; the
stores differ), 1 for an error.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Annotated, Any

from ..errors import KeystoreToolError, UsageError
from . import options as o
from . import passwords
from .common import detect_store_type, open_store, read_existing, session
from .options import Opt

if TYPE_CHECKING:  # pragma: no cover
    from ..expiry import ExpiryReport

EXIT_FOUND = 2

#: Mode of a new --prometheus-file: node_exporter runs as its own user.
PROM_FILE_MODE = 0o644

Keystores = Annotated[
    list[str] | None,
    Opt("--keystore", positional=True, path=True,
        help="keystore files (keytool syntax: repeat -keystore)"),
]
StorePassFor = Annotated[
    list[str] | None,
    Opt("--storepass-for", help="FILE=SOURCE: the password of one keystore (SOURCE: env:VAR, "
        "file:F or a literal); repeatable", secret=o.ALIAS_SOURCE),
]
Within = Annotated[
    str, Opt("--within", help="period: 30d, 12h, 2w (default 30d); expired ones count too"),
]
Prometheus = Annotated[
    bool, Opt("--prometheus", help="print node_exporter textfile-collector metrics"),
]
PrometheusFile = Annotated[
    str | None,
    Opt("--prometheus-file", help="write the metrics to this file, atomically (NAME.prom)",
        path=True),
]
OtherStorePass = Annotated[
    str | None, Opt("--other-storepass", help=o.pw_help(
        "--other-storepass", "password of B (default: --storepass)"), secret=o.LITERAL),
]
OtherKeyPass = Annotated[
    str | None, Opt("--other-keypass", help=o.pw_help(
        "--other-keypass", "key password in B for --keys (default: --keypass)"), secret=o.LITERAL),
]
OtherStoreType = Annotated[
    str | None, Opt("--other-storetype", help="type of B (default: detected from the content)"),
]
Dates = Annotated[bool, Opt("--dates", help="compare creation dates too")]
Keys = Annotated[
    bool, Opt("--keys", help="decrypt and compare private and secret keys too"),
]


def _dump(doc: Any) -> None:
    from ..jsondoc import dumps

    session().out.write(dumps(doc))


# ---------------------------------------------------------------------------
# expiry
# ---------------------------------------------------------------------------
def _store_passwords(paths: list[str], items: list[str]) -> dict[str, str]:
    """--storepass-for FILE=SOURCE -> {path as given: password spec}."""
    out: dict[str, str] = {}
    for item in items:
        name, sep, source = item.partition("=")
        if not sep or not name:
            raise UsageError(f"--storepass-for takes FILE=SOURCE, not {item.split('=')[0]!r}...")
        matches = [p for p in paths if p == name or _same_file(p, name)]
        if not matches:
            raise UsageError(f"--storepass-for {name}: not one of the keystores given")
        for p in matches:
            out[p] = passwords.parse_source(source)
    return out


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.realpath(a) == os.path.realpath(b)


def _write_prometheus(path: str, text: str) -> None:
    """The textfile atomically (node_exporter never reads half a file); a
    new file is made readable by node_exporter's user."""
    from .. import storage

    if not path.endswith(".prom"):
        session().warn(
            f"{path}: node_exporter's textfile collector reads only files named *.prom")
    existed = os.path.exists(path)
    storage.atomic_write(path, text.encode("utf-8"))
    if not existed:
        try:
            os.chmod(path, PROM_FILE_MODE)
        except OSError as exc:  # pragma: no cover - written, but not ours to chmod
            session().warn(f"{path}: cannot make it readable for node_exporter ({exc})")


def _read_stores(
    paths: list[str], storepass: str | None, storepass_for: list[str], storetype: str | None,
    report: ExpiryReport,
) -> None:
    from ..model import Keystore

    s = session()
    per_store = _store_passwords(paths, storepass_for)
    default_spec = storepass
    if default_spec is None and any(p not in per_store for p in paths):
        default_spec = s.prompter.password("Enter keystore password:  ")
    for path in paths:
        spec = per_store.get(path, default_spec)
        try:
            data = read_existing(path)
            detect_store_type(data, storetype)
            pw = passwords.resolve(spec)
            ks = Keystore.loads(data, pw, storetype)
        except KeystoreToolError as exc:
            report.add_error(path, str(exc))
            continue
        if pw is None:
            s.warn(f"{path}: read without a password; its integrity was not verified")
        report.add(ks, path)


def expiry(
    keystores: Keystores = None,
    storepass: o.StorePass = None,
    storepass_for: StorePassFor = None,
    storetype: o.StoreType = None,
    within: Within = "30d",
    json_: o.Json = False,
    prometheus: Prometheus = False,
    prometheus_file: PrometheusFile = None,
) -> int:
    """Lists every certificate of one or many keystores, soonest expiry first.

    Trusted certificates and every certificate of every key entry's chain
    (# 1 = the entry's own certificate). One --storepass for every store,
    --storepass-for FILE=SOURCE for a store with its own. The type of each
    store is detected from its content (--storetype, if given, applies to
    every store). A store that cannot be read is reported and the others
    are still covered.

    Exit 0 = nothing expires within --within, 2 = something does (expired
    ones included), 1 = a keystore or certificate could not be read.

    Examples: keystoretool expiry client.jks truststore.p12 --storepass:env PW --within 2w;
    keystoretool expiry /etc/app/*.p12 --storepass:file pw.txt
    --prometheus-file /var/lib/node_exporter/textfile/keystores.prom
    """
    from ..expiry import ExpiryReport, parse_duration, prometheus_text

    s = session()
    paths = list(keystores or [])
    if not paths:
        raise UsageError("Give at least one keystore: keystoretool expiry KEYSTORE...")
    if json_ and prometheus:
        raise UsageError("--json and --prometheus exclude each other (both print to stdout)")
    report = ExpiryReport(parse_duration(within))
    _read_stores(paths, storepass, storepass_for or [], storetype, report)
    if prometheus_file:
        _write_prometheus(prometheus_file, prometheus_text(report))
    if json_:
        _dump(report.to_dict())
    elif prometheus:
        s.out.write(prometheus_text(report))
    else:
        s.out.write(report.text())
    s.out.flush()
    for store in report.errors:
        s.err.write(f"keystoretool error: {store.keystore}: {store.error}\n")
    return report.exit_status


# ---------------------------------------------------------------------------
# diff
# ---------------------------------------------------------------------------
def diff(
    keystores: Keystores = None,
    storepass: o.StorePass = None,
    other_storepass: OtherStorePass = None,
    storetype: o.StoreType = None,
    other_storetype: OtherStoreType = None,
    keypass: o.KeyPass = None,
    other_keypass: OtherKeyPass = None,
    dates: Dates = False,
    keys: Keys = False,
    json_: o.Json = False,
) -> int:
    """Compares two keystores entry by entry (A B), whatever their types.

    Reports entries only in A, only in B, the same alias with another
    entry type, certificate, chain or key, and the same certificate under
    another alias. Aliases match case-insensitively, as keytool looks them
    up. Keys compare by public key; --keys decrypts them (with --keypass /
    --other-keypass, else the store password). Creation dates only count
    with --dates. Types are detected from the content (or --storetype /
    --other-storetype).

    Exit 0 = the same entries, 2 = different, 1 = error.

    Example: keystoretool diff old.jks new.p12 --storepass:env OLD --other-storepass:env NEW
    """
    from ..diff import compare

    paths = list(keystores or [])
    if len(paths) != 2:
        raise UsageError("Give two keystores: keystoretool diff A B")
    a = open_store(paths[0], storepass, storetype, modifying=False,
                   prompt=f"Enter keystore password for {paths[0]}:  ")
    b = open_store(paths[1], storepass if other_storepass is None else other_storepass,
                   other_storetype, modifying=False,
                   prompt=f"Enter keystore password for {paths[1]}:  ")
    keypass_a = passwords.resolve(keypass)
    keypass_b = keypass_a if other_keypass is None else passwords.resolve(other_keypass)
    report = compare(a.keystore, b.keystore, a_name=paths[0], b_name=paths[1], dates=dates,
                     keys=keys, keypass_a=keypass_a, keypass_b=keypass_b)
    if json_:
        _dump(report.to_dict())
    else:
        session().out.write(report.text())
    return 0 if report.identical else EXIT_FOUND


# ---------------------------------------------------------------------------
# schema
# ---------------------------------------------------------------------------
def schema() -> None:
    """Prints the JSON Schema (draft 2020-12) of every --json document.

    Each document has schema_version and kind (the command, or "error" for a
    failed command); certificates, findings and verdicts have one shape in
    all of them.

    Example: keystoretool schema > keystoretool.schema.json
    """
    from ..jsondoc import schema_text

    session().out.write(schema_text())


COMMANDS = {
    "expiry": expiry,
    "diff": diff,
    "schema": schema,
}
