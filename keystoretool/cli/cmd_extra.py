"""Commands beyond keytool: chain, exportpem, importpem, probe, check.

Exit status: 0 when all is well, 2 when problems were found (chain, check) or
the server rejected the client certificate (probe), 3 when the server never
asks for a client certificate (probe), 1 for an error.
keytool does not have these commands, so they never print its warning about
the proprietary JKS/JCEKS format.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from ..errors import KeystoreToolError, UsageError
from ..formats import StoreType
from . import options as o
from . import passwords
from .common import (
    default_keystore,
    modify_store,
    open_or_create,
    open_store,
    recover_key,
    session,
    set_lock_timeout,
    warn_pkcs12_keypass,
)
from .options import Opt

if TYPE_CHECKING:  # pragma: no cover
    from cryptography import x509

    from ..chain import ChainReport

EXIT_PROBLEMS = 2

def _pass_help(option: str) -> str:
    return (f"pass:TEXT, env:VAR or file:F (first line), or {option}:env VAR / "
            f"{option}:file F")

Files = Annotated[
    list[str] | None,
    Opt("--cert", help="PEM/DER/PKCS#7 certificate file, instead of a keystore entry (repeatable)",
        path=True),
]
CaFile = Annotated[str | None, Opt("--cafile", help="verify against these trusted CA certificates",
                                             path=True)]
Add = Annotated[
    list[str] | None,
    Opt(
        "--add",
        help="certificates to complete the chain with (repeatable); with "
        "--keystore/--alias the entry is updated",
        path=True,
    ),
]


def _pass_source(text: str | None) -> str | None:
    """``pass:``/``env:``/``file:`` (or a literal) -> the password."""
    if text is None:
        return None
    return passwords.resolve(passwords.parse_source(text))


def _read_certs(paths: list[str]) -> list[x509.Certificate]:
    from .. import storage
    from ..certs import read_certificates

    out: list[x509.Certificate] = []
    for p in paths:
        out.extend(read_certificates(storage.read_bytes(p), p))
    return out


def _write_out(path: str, data: bytes, *, private: bool = False) -> None:
    """An output file; ``private`` (it holds a private key): it ends 0600."""
    from .. import storage

    storage.write_output(path, data, private=private)


def _dump(kind: str, fields: dict[str, Any]) -> None:
    from ..jsondoc import document, dumps

    session().out.write(dumps(document(kind, **fields)))


# ---------------------------------------------------------------------------
# chain
# ---------------------------------------------------------------------------
def _render_cert(n: int, d: dict[str, Any]) -> str:
    lines = [
        f"Certificate[{n}]:",
        f"  Subject: {d['subject']}",
        f"  Issuer:  {d['issuer']}",
        f"  Valid:   {d['not_before']} until {d['not_after']}",
        f"  SHA-256: {d['sha256']}",
        f"  CA: {'yes' if d['ca'] else 'no'}    Key: {d['key']}"
        + ("    self-signed" if d["self_signed"] else ""),
    ]
    if d["key_usage"] is not None:
        lines.append(f"  Key usage: {', '.join(d['key_usage'])}")
    if d["extended_key_usage"] is not None:
        lines.append(f"  Extended key usage: {', '.join(d['extended_key_usage'])}")
    if d["aia_ca_issuers"]:
        lines.append(f"  CA issuers (AIA): {', '.join(d['aia_ca_issuers'])}")
    return "\n".join(lines) + "\n"


def _render_report(report: ChainReport) -> str:
    from ..chain import name_str
    from ..jsondoc import certificate

    parts = [_render_cert(i + 1, certificate(c)) for i, c in enumerate(report.given)]
    text = "\n".join(parts) + "\n"
    for f in report.findings:
        text += f"{f.severity}: {f.message}\n"
    if report.verified_chain is not None:
        text += (
            "verified: "
            + " <- ".join(name_str(c.subject) for c in reversed(report.verified_chain))
            + "\n"
        )
    n = len(report.problems)
    text += "Chain is sound.\n" if n == 0 else f"{n} problem{'s' if n != 1 else ''} found.\n"
    return text


def chain(
    files: Files = None,
    keystore: o.Keystore = None,
    alias: o.Alias = None,
    storepass: o.StorePass = None,
    storetype: o.StoreType = None,
    cafile: CaFile = None,
    add: Add = None,
    fix: Annotated[bool, Opt("--fix", help="order the chain leaf first, without the root: "
                             "a keystore entry is repaired in place, files go to --out "
                             "or stdout")] = False,
    out: Annotated[
        str | None, Opt("--out", help="file for --fix (default: stdout)", path=True)
    ] = None,
    include_root: Annotated[
        bool, Opt("--include-root", help="keep the root in --fix/--add output")
    ] = False,
    no_client_auth: Annotated[
        bool, Opt("--no-client-auth", help="do not require the clientAuth purpose")
    ] = False,
    json_: o.Json = False,
    verbose: o.Verbose = False,
    backup: o.Backup = False,
) -> int:
    """Checks and orders a certificate chain (a keystore entry's, or files').

    Rules: leaf first; each next certificate signs the previous; every
    intermediate present; the root optional (and better left out).
    Exit 0 = sound, 2 = problems found, 1 = error.

    Examples: keystoretool chain --keystore client.jks --alias client --storepass:env PW;
    keystoretool chain --cert leaf.pem --cert intermediate.pem --fix --out bundle.pem
    """
    from .. import chain as ch
    from .. import relations
    from ..entries import PrivateKeyEntry, TrustedCertEntry

    s = session()
    pool = _read_certs(add or [])
    anchors = _read_certs([cafile]) if cafile else None
    if files and (keystore or alias):
        raise UsageError("Give certificate files or --keystore/--alias, not both")
    if files:
        certs = _read_certs(files)  # --add certificates fill gaps, like openssl's -untrusted
    else:
        if alias is None:
            raise UsageError("Must specify alias (or certificate files)")
        if fix and add:
            raise UsageError("With a keystore entry, use --add (it updates the entry) or --fix")
        if add or (fix and not out):  # the entry's chain is repaired in place
            return _chain_add(
                keystore, alias, storepass, storetype, pool, include_root, verbose, backup, json_
            )
        opened = open_store(keystore, storepass, storetype, modifying=False)
        entry = opened.keystore.get(alias)
        if isinstance(entry, TrustedCertEntry):
            certs = [entry.cert]
        elif isinstance(entry, PrivateKeyEntry):
            certs = entry.chain
        else:
            raise KeystoreToolError(f"Alias <{alias}> has no certificate")

    report = ch.diagnose(certs, pool=pool, cafile=anchors, client_auth=not no_client_auth)
    if fix:
        leaf = report.ordered[0] if report.ordered else None
        if leaf is None:
            raise KeystoreToolError("No certificate to order")
        fixed = ch.order_chain(report.ordered, leaf, pool)
        if not include_root:
            fixed = ch.without_root(fixed)
        data = ch.to_pem(fixed)
        after = ch.diagnose(fixed, cafile=anchors, client_auth=not no_client_auth)
        if out:
            _write_out(out, data)
        if json_:
            doc = report.to_dict()
            doc["fixed"] = {
                "file": out,
                "chain": [relations.fingerprint(c) for c in fixed],
                "pem": None if out else data.decode(),
                "verdict": after.verdict,
                "findings": [f.to_dict() for f in after.findings],
            }
            _dump("chain", doc)
        elif out:
            s.out.write(_render_report(report))
            s.out.write(
                f"\nWrote {len(fixed)} certificate{'s' if len(fixed) != 1 else ''} "
                f"to {out}, leaf first.\n"
            )
            for f in after.findings:
                s.out.write(f"after fix: {f.severity}: {f.message}\n")
        else:
            s.out.write(data.decode())
            for f in after.findings:
                s.err.write(f"{f.severity}: {f.message}\n")
        return 0 if after.sound else EXIT_PROBLEMS
    if json_:
        _dump("chain", report.to_dict())
    else:
        s.out.write(_render_report(report))
    return 0 if report.sound else EXIT_PROBLEMS


def _chain_add(
    keystore: str | None,
    alias: str,
    storepass: str | None,
    storetype: str | None,
    pool: list[x509.Certificate],
    include_root: bool,
    verbose: bool,
    backup: bool,
    json_: bool,
) -> int:
    """``chain --add F`` / ``chain --fix``: complete, order and de-root a key
    entry's chain in the keystore (``--fix`` with no ``pool``)."""
    from .. import chain as ch
    from .. import relations
    from ..entries import PrivateKeyEntry

    s = session()
    path = keystore or default_keystore()
    with modify_store(path, storepass, storetype, verbose=verbose, backup=backup) as opened:
        entry = opened.keystore.get(alias)
        if not isinstance(entry, PrivateKeyEntry):
            raise KeystoreToolError(f"Alias <{alias}> is not a key entry")
        if pool:
            new_chain = ch.complete_chain(entry.chain, pool, include_root=include_root)
        else:
            new_chain = ch.fix_chain(entry.chain, include_root=include_root)
        entry.chain_der = [relations.cert_der(c) for c in new_chain]
        opened.keystore.check_storable(entry)
        report = ch.diagnose(new_chain)
    if json_:
        _dump("chain", report.to_dict())
    else:
        s.out.write(_render_report(report))
        s.out.write(f"\nChain of <{alias}> now holds {len(new_chain)} certificates.\n")
    return 0 if report.sound else EXIT_PROBLEMS


# ---------------------------------------------------------------------------
# exportpem
# ---------------------------------------------------------------------------
def _unlocked_key_entry(
    keystore: str | None,
    alias: str | None,
    storepass: str | None,
    storetype: str | None,
    keypass: str | None,
) -> tuple[Any, str]:
    from ..entries import PrivateKeyEntry

    if alias is None:
        raise UsageError("Must specify alias")
    opened = open_store(keystore, storepass, storetype, modifying=False)
    entry = opened.keystore.get(alias)
    if not isinstance(entry, PrivateKeyEntry):
        raise KeystoreToolError(f"Alias <{alias}> has no key")
    recover_key(entry, opened.keystore, alias, keypass)
    return entry, opened.path


def exportpem(
    alias: o.Alias = None,
    keystore: o.Keystore = None,
    storepass: o.StorePass = None,
    storetype: o.StoreType = None,
    keypass: o.KeyPass = None,
    out: Annotated[
        str | None, Opt("--out", help="one PEM file: key, then chain", path=True)
    ] = None,
    certout: Annotated[
        str | None, Opt("--certout", help="PEM file for the chain", path=True)
    ] = None,
    keyout: Annotated[str | None, Opt("--keyout", help="PEM file for the key", path=True)] = None,
    passout: Annotated[
        str | None,
        Opt("--passout", help=f"passphrase for the key; {_pass_help('--passout')}",
            secret=o.SOURCE),
    ] = None,
    no_encrypt: Annotated[
        bool, Opt("--no-encrypt", help="write the private key unencrypted")
    ] = False,
) -> None:
    """Exports a key entry as PEM for curl/openssl.

    The private key (PKCS#8, encrypted with a passphrase unless --no-encrypt)
    and the chain, leaf first. New files are created with mode 0600.

    Example: keystoretool exportpem --keystore client.jks --alias client --storepass:env PW
    --certout client.crt --keyout client.key --passout env:KEYPW
    (then: curl --cert client.crt --key client.key --pass "$KEYPW" https://host:8443/)
    """
    from cryptography.hazmat.primitives import serialization

    from .. import chain as ch

    if out and (certout or keyout):
        raise UsageError("Use --out, or --certout and --keyout, not both")
    if not out and not (certout and keyout):
        raise UsageError("Specify --out FILE, or both --certout and --keyout")
    if no_encrypt and passout is not None:
        raise UsageError("--no-encrypt and --passout exclude each other")
    entry, _ = _unlocked_key_entry(keystore, alias, storepass, storetype, keypass)
    s = session()
    passphrase: str | None = None
    if not no_encrypt:
        passphrase = _pass_source(passout)
        if passphrase is None:
            passphrase = _prompt_pem_passphrase()
        else:
            passwords.require_length(passphrase, "Pass phrase")
    key = entry.private_key()
    enc: serialization.KeySerializationEncryption = (
        serialization.NoEncryption()
        if passphrase is None
        else serialization.BestAvailableEncryption(passphrase.encode("utf-8"))
    )
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, enc)
    certs = entry.chain
    report = ch.diagnose(certs, public_key=key.public_key())
    ordered = report.ordered if report.ordered else certs
    chain_pem = ch.to_pem(ordered)
    if out:
        _write_out(out, key_pem + chain_pem, private=True)
    else:
        assert certout and keyout
        _write_out(keyout, key_pem, private=True)
        _write_out(certout, chain_pem)
    for f in report.problems:
        s.warn(f"{alias}: {f.message}")
    written = out or f"{certout} and {keyout}"
    s.info(
        f"Wrote the {'encrypted ' if passphrase else 'unencrypted '}private key and "
        f"{len(ordered)} certificate{'s' if len(ordered) != 1 else ''} to {written}"
    )


NO_PASSPHRASE = ("No pass phrase for the private key: give --passout (pass:TEXT, env:VAR, "
                 "file:F, or --passout:env VAR), or --no-encrypt")


def _prompt_pem_passphrase() -> str:
    """The PEM pass phrase typed at openssl's prompts (asked twice on a
    terminal). Standard input that is not a terminal is read once: no line
    there, or a short one, is one clear error rather than three retries."""
    s = session()
    if s.prompter._isatty():
        return s.prompter.new_password(
            "Enter PEM pass phrase: ",
            "Verifying - Enter PEM pass phrase: ",
            subject="Pass phrase",
        )
    first = s.prompter.password("Enter PEM pass phrase: ")
    if first is None:
        s.end_line()
        raise UsageError(NO_PASSPHRASE)
    if not passwords.long_enough(first):
        s.end_line()
        passwords.require_length(first, "Pass phrase")
    if s.prompter.password("Verifying - Enter PEM pass phrase: ") != first:
        s.end_line()
        raise KeystoreToolError("Verify failure: the two pass phrases differ")
    return first


# ---------------------------------------------------------------------------
# importpem
# ---------------------------------------------------------------------------
def _load_private_key(data: bytes, source: str, passin: str | None) -> Any:
    """A PEM private key: PKCS#8 (clear or encrypted), PKCS#1 RSA, SEC1 EC, DSA;
    legacy OpenSSL-encrypted (Proc-Type) ones too."""
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    if b"PRIVATE KEY-----" not in data:
        raise KeystoreToolError(f"{source}: no PEM private key found")
    try:
        begin = data.index(b"-----BEGIN ", max(0, data.find(b"PRIVATE KEY-----") - 40))
        end = data.index(b"-----", data.index(b"-----END ", begin) + 9) + 5
    except ValueError:  # no BEGIN line before it, or no END line after it
        raise KeystoreToolError(f"{source}: no complete PEM private key found") from None
    block = data[begin:end]
    encrypted = b"ENCRYPTED PRIVATE KEY" in block or b"Proc-Type: 4,ENCRYPTED" in block
    password = None
    if encrypted:
        pw = _pass_source(passin)
        if pw is None:
            pw = session().prompter.password(f"Enter pass phrase for {source}: ")
        if pw is None:
            raise KeystoreToolError(f"{source}: the private key is encrypted; give --passin")
        password = pw.encode("utf-8")
    try:
        return load_pem_private_key(block, password=password)
    except (ValueError, TypeError) as exc:
        if encrypted:
            raise KeystoreToolError(
                f"{source}: cannot decrypt the private key (wrong pass phrase?)"
            ) from exc
        raise KeystoreToolError(f"{source}: not a valid private key") from exc
    except Exception as exc:  # UnsupportedAlgorithm
        raise KeystoreToolError(f"{source}: unsupported private key ({exc})") from exc


def importpem(
    key: Annotated[str, Opt("--key", help="PEM private key (may also hold the chain)", path=True)],
    cert: Annotated[
        list[str] | None,
        Opt("--cert", help="certificate file(s) of the chain, any order", path=True)
    ] = None,
    alias: o.Alias = None,
    keystore: o.Keystore = None,
    storepass: o.StorePass = None,
    storetype: o.StoreType = None,
    keypass: o.KeyPass = None,
    passin: Annotated[
        str | None,
        Opt("--passin", help=f"pass phrase of the PEM key; {_pass_help('--passin')}",
            secret=o.SOURCE),
    ] = None,
    name_rules: o.NameRules = None,
    verbose: o.Verbose = False,
    backup: o.Backup = False,
    lock_timeout: o.LockTimeout = None,
) -> None:
    """Imports a PEM private key and its chain as one key entry.

    The key may be PKCS#1, PKCS#8 or SEC1, encrypted or not; the chain may be
    in any order (it is stored ordered, leaf first); the keystore may be of
    any type, new or existing.

    Example: keystoretool importpem --key client.key --cert client.crt --cert intermediate.crt
    --alias client --keystore client.jks --storetype JKS --storepass:env PW
    """
    from cryptography.hazmat.primitives import serialization

    from .. import chain as ch
    from .. import relations, storage
    from ..entries import PrivateKeyEntry
    from ..errors import AliasError
    from ..findings import Code
    from ..model import Keystore

    set_lock_timeout(lock_timeout)
    s = session()
    if alias is None:
        alias = "mykey"
    if name_rules:
        from ..profiles import check_alias_name

        check_alias_name(name_rules, alias)
    key_data = storage.read_bytes(key)
    private_key = _load_private_key(key_data, key, passin)
    certs: list[x509.Certificate] = []
    if b"-----BEGIN CERTIFICATE-----" in key_data:
        from ..certs import read_certificates

        certs.extend(read_certificates(key_data, key))
    certs.extend(_read_certs(cert or []))
    if not certs:
        raise KeystoreToolError("No certificate given for the key (use --cert)")
    report = ch.diagnose(certs, public_key=private_key.public_key())
    if any(f.code == Code.KEY_MISMATCH for f in report.findings):
        raise KeystoreToolError("Public keys in reply and keystore don't match")
    ordered = report.ordered
    for f in report.findings:
        if f.code in (Code.OUT_OF_ORDER, Code.DUPLICATE):
            continue  # fixed by importing the ordered chain
        if f.code == Code.UNRELATED:
            s.warn(f"{f.message}: not imported")
        elif f.is_problem:
            s.warn(f.message)
    pkcs8 = private_key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    path = keystore or default_keystore()
    keypass_value = passwords.resolve(keypass)

    def fill(ks: Keystore) -> None:
        if alias in ks:
            raise AliasError(f"Key not imported, alias <{alias}> already exists")
        kp = None
        if ks.store_type != StoreType.PKCS12 and keypass_value is not None \
                and keypass_value != ks.password:
            passwords.require_length(keypass_value, "Key password")
            kp = keypass_value
        else:
            warn_pkcs12_keypass(ks, keypass_value)
        entry = PrivateKeyEntry(
            alias=alias, chain_der=[relations.cert_der(c) for c in ordered], pkcs8=pkcs8,
            key_password=kp
        )
        ks.put(alias, entry)

    with open_or_create(path, storepass, storetype, verbose=verbose, backup=backup) as target:
        fill(target.keystore)
        target.changed = True
    s.info(
        f"Imported the key and {len(ordered)} certificate"
        f"{'s' if len(ordered) != 1 else ''} as <{alias}> into {path}"
    )


# ---------------------------------------------------------------------------
# probe
# ---------------------------------------------------------------------------
def probe(
    target: Annotated[str, Opt("--target", help="the server, HOST[:PORT] (default port 8443)",
                               positional=True)],
    alias: o.Alias = None,
    keystore: o.Keystore = None,
    storepass: o.StorePass = None,
    storetype: o.StoreType = None,
    keypass: o.KeyPass = None,
    cafile: Annotated[
        str | None,
        Opt("--cafile", help="verify the server's certificate with these CAs", path=True),
    ] = None,
    servername: Annotated[
        str | None, Opt("--servername", help="SNI / name to verify (default: HOST)")
    ] = None,
    timeout: Annotated[float, Opt("--timeout", help="seconds per step")] = 10.0,
    settle: Annotated[
        float, Opt("--settle", help="TLS 1.3: seconds to wait for the server's verdict")
    ] = 2.0,
    json_: o.Json = False,
) -> int:
    """Does a TLS server accept this client certificate? TARGET: HOST[:PORT].

    With a key entry (--keystore/--alias), a TLS handshake presenting its
    key and chain (default port 8443): reports the chain sent, the server's
    chain, the CA names it accepts, protocol and cipher, and the verdict with
    a diagnosis. Without --keystore and --alias, no client certificate is
    sent and the server's chain, protocol, cipher and accepted CA names are
    shown.

    Exit 0 = accepted (without a key entry: the server asks for a client
    certificate), 2 = rejected, 3 = the server never asks for a client
    certificate, 1 = error (refused, timeout, not TLS, TLS failure).

    Examples: keystoretool probe mydomain.my.salesforce.com --keystore client.jks
    --alias client --storepass:env PW; keystoretool probe mtls.example.com:443
    """
    from .. import tls

    host, port = tls.parse_target(target)
    if timeout <= 0 or settle < 0:
        raise UsageError("--timeout must be positive and --settle not negative")
    key: Any = None
    chain_sent: list[x509.Certificate] = []
    if keystore is not None or alias is not None:
        entry, _ = _unlocked_key_entry(keystore, alias, storepass, storetype, keypass)
        key, chain_sent = entry.private_key(), entry.chain
    result = tls.probe_client_auth(host, port, key, chain_sent, timeout=timeout, settle=settle,
                       cafile=cafile, server_name=servername)
    status = {"accepted": 0, "requested": 0, "rejected": EXIT_PROBLEMS,
              "not-requested": EXIT_NOT_REQUESTED}[result.verdict]
    if json_:
        _dump("probe", result.to_dict())
        return status
    session().out.write(_render_probe(result, keyless=key is None))
    return status


EXIT_NOT_REQUESTED = 3


def _render_probe(result: Any, *, keyless: bool) -> str:
    from ..chain import name_str

    lines = [f"Server: {result.host}:{result.port}",
             f"Protocol: {result.protocol or 'unknown'}    Cipher: {result.cipher or 'unknown'}"]
    if not keyless:
        lines += ["", "Chain sent:"]
        for i, c in enumerate(result.sent_chain):
            lines += [f"  [{i + 1}] {name_str(c.subject)}", f"      issuer: {name_str(c.issuer)}"]
    lines += ["", "Server chain:"]
    for i, c in enumerate(result.server_chain):
        lines += [f"  [{i + 1}] {name_str(c.subject)}", f"      issuer: {name_str(c.issuer)}"]
    if result.server_verified is not None:
        lines.append("  verified with --cafile: " + (
            "yes" if result.server_verified else f"no ({result.server_verify_error})"))
    lines += ["", "Accepted client CA names:"]
    if not result.certificate_requested:
        lines.append("  (the server did not request a client certificate)")
    elif not result.accepted_ca_names:
        lines.append("  (none sent: the server did not say which CAs it accepts)")
    else:
        lines += [f"  {name_str(n)}" for n in result.accepted_ca_names]
    lines.append("")
    lines += [f"note: {note}" for note in result.notes
              if note != "the server did not ask for a client certificate"]
    if result.verdict == "not-requested":
        lines.append("Client certificate: NOT REQUESTED (the server never asks for one; "
                     "nothing was tested)" if not keyless
                     else "Client certificate: NOT REQUESTED (the server never asks for one)")
    elif keyless:
        lines.append("Client certificate: REQUESTED (probe with --keystore and --alias to "
                     "test one)")
    elif result.accepted:
        lines.append("Client certificate: ACCEPTED")
    else:
        why = result.alert or result.error or "rejected"
        lines.append(f"Client certificate: REJECTED ({why})")
        lines += [f"diagnosis: {line}" for line in result.diagnosis]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------
# check
# ---------------------------------------------------------------------------
def check(
    profile: Annotated[str, Opt("--profile", help="readiness profile: salesforce")],
    keystore: o.Keystore = None,
    storepass: o.StorePass = None,
    storetype: o.StoreType = None,
    cafile: CaFile = None,
    warn_days: Annotated[
        int | None,
        Opt("--warn-days", help="warn about key entry certificates expiring within N days"),
    ] = None,
    json_: o.Json = False,
) -> int:
    """Checks a keystore against a consumer's rules (--profile salesforce).

    One line per finding. --warn-days N adds a warning for each certificate
    of a key entry's chain that expires within N days (a warning keeps the
    exit status 0; `keystoretool expiry` exits 2 for expiring certificates).

    salesforce: JKS; RSA 2048/3072/4096 keys; each chain complete, ordered and
    without the root; aliases that are valid unique names; validity; one
    password for store and keys. Exit 0 = ready, 2 = problems, 1 = error.

    Example: keystoretool check --profile salesforce --keystore sf.jks --storepass:env PW
    """
    from ..profiles import PROFILES, check_warn_days, run_profile

    if profile.lower() not in PROFILES:
        raise UsageError(f"Unknown profile: {profile} (known: {', '.join(sorted(PROFILES))})")
    if warn_days is not None:
        check_warn_days(warn_days)
    anchors = _read_certs([cafile]) if cafile else None
    opened = open_store(keystore, storepass, storetype, modifying=False)
    findings = run_profile(profile, opened.keystore, cafile=anchors, warn_days=warn_days)
    problems = [f for f in findings if f.is_problem]
    s = session()
    if json_:
        _dump("check", {
            "profile": profile.lower(),
            "keystore": opened.path,
            "verdict": "problems" if problems else "ready",
            "findings": [f.to_dict() for f in findings],
        })
    else:
        for f in findings:
            s.out.write(f.line() + "\n")
            if f.fix:
                s.out.write(f"  fix: {f.fix}\n")
        if problems:
            n = len(problems)
            s.out.write(
                f"{n} problem{'s' if n != 1 else ''}: not ready for {profile.capitalize()}\n"
            )
        else:
            s.out.write(f"{opened.path}: ready for {profile.capitalize()}\n")
    return EXIT_PROBLEMS if problems else 0


COMMANDS = {
    "chain": chain,
    "exportpem": exportpem,
    "importpem": importpem,
    "probe": probe,
    "check": check,
}
