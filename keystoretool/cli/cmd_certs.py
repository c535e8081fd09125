"""keytool's client-certificate commands: genkeypair, certreq, importcert,
exportcert, printcert, storepasswd, keypasswd.

The order of prompts and checks follows keytool 17 (see ``cli/common.py``):
the file is probed, then the store password is asked, then the command's own
checks and prompts. Messages are keytool's; :mod:`keystoretool.certs` does the
certificate work and :mod:`keystoretool.certinfo` renders certificates.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Annotated

from ..entries import PrivateKeyEntry, SecretKeyEntry, TrustedCertEntry, now
from ..errors import AliasError, KeystoreToolError
from ..formats import StoreType
from . import options as o
from . import passwords
from .common import (
    default_keystore,
    maybe_jks_warning,
    open_store,
    recover_key,
    session,
    set_lock_timeout,
    store_for_change,
    warn_pkcs12_keypass,
)
from .options import Opt
from .passwords import Prompter

if TYPE_CHECKING:  # pragma: no cover
    from cryptography import x509

    from ..model import Keystore

DEFAULT_ALIAS = "mykey"

KeyAlg = Annotated[str | None, Opt("--keyalg", help="key algorithm: RSA, EC, DSA, Ed25519, Ed448")]
KeySize = Annotated[int | None, Opt("--keysize", help="key size in bits (RSA/DSA 2048 by default)")]
GroupName = Annotated[str | None, Opt("--groupname", help="EC curve, e.g. secp384r1")]
SigAlg = Annotated[str | None, Opt("--sigalg", help="signature algorithm, e.g. SHA256withRSA")]
DName = Annotated[
    str | None,
    Opt("--dname", help='distinguished name, e.g. "CN=John Doe, EMAILADDRESS=j@x.com, OU=Eng, '
        'O=ACME, L=Berlin, ST=BE, C=DE" (asked interactively when missing)'),
]
Ext = Annotated[
    list[str] | None,
    Opt("--ext", help="X.509 extension, repeatable: san=dns:a.example,ip:1.2.3.4  bc:c  "
        "ku:c=digitalSignature  eku=clientAuth"),
]
Validity = Annotated[int | None, Opt("--validity", help="validity in days (default 90)")]
StartDate = Annotated[
    str | None,
    Opt("--startdate", help="start of validity: +1d, -1y+2m, 2026/01/31, 2026/01/31 12:00:00"),
]
TrustCacerts = Annotated[
    bool, Opt("--trustcacerts", help="also trust the system CA certificates")
]


def _prompter() -> Prompter:
    return session().prompter


def _warn_all(lines: list[str]) -> None:
    for line in lines:
        session().warn(line)


def _load_cert(der: bytes) -> x509.Certificate:
    from .. import certs

    return certs.lenient_certificate(der)


def _first_cert(entry: object) -> bytes | None:
    """keytool's ``KeyStore.getCertificate``: the trusted certificate or the
    first certificate of a key's chain."""
    if isinstance(entry, TrustedCertEntry):
        return entry.cert_der
    if isinstance(entry, PrivateKeyEntry) and entry.chain_der:
        return entry.chain_der[0]
    return None


def _candidates(ks: Keystore, trustcacerts: bool) -> list:  # type: ignore[type-arg]
    from .. import certs

    pairs = []
    for alias in ks.aliases():
        der = _first_cert(ks.get(alias))
        if der is not None:
            pairs.append((ks.get(alias).alias, der))
    cacerts = certs.system_ca_certificates() if trustcacerts else []
    return certs.store_candidates(pairs, cacerts)


# ---------------------------------------------------------------------------
def genkeypair(
    alias: o.Alias = None,
    keyalg: KeyAlg = None,
    keysize: KeySize = None,
    groupname: GroupName = None,
    sigalg: SigAlg = None,
    dname: DName = None,
    ext: Ext = None,
    validity: Validity = None,
    startdate: StartDate = None,
    keypass: o.KeyPass = None,
    keystore: o.Keystore = None,
    storepass: o.StorePass = None,
    storetype: o.StoreType = None,
    verbose: o.Verbose = False,
    backup: o.Backup = False,
    lock_timeout: o.LockTimeout = None,
    name_rules: o.NameRules = None,
    signer: Annotated[str | None, Opt(
        "--signer", help="alias of a key entry of the keystore that signs the certificate "
        "(default: self-signed)")] = None,
    signerkeypass: Annotated[str | None, Opt(
        "--signerkeypass", help=o.pw_help("--signerkeypass", "key password of the signer"),
        secret=o.LITERAL)] = None,
) -> None:
    """Generates a key pair and a self-signed certificate (or one signed by -signer).

    Example: keystoretool -genkeypair -alias client -keyalg RSA -keysize 2048
    -dname "CN=John Doe, EMAILADDRESS=j@x.com, OU=Eng, O=ACME, L=Berlin, ST=BE, C=DE"
    -keystore client.p12 -storepass:env PW
    """
    from cryptography.hazmat.primitives.serialization import (
        Encoding,
        NoEncryption,
        PrivateFormat,
    )

    from .. import certinfo, certs, relations

    set_lock_timeout(lock_timeout)
    s = session()
    key_pw = passwords.resolve(keypass)
    if key_pw is not None:
        passwords.require_length(key_pw, "Key password")
    days = 90 if validity is None else validity
    if days <= 0:
        raise KeystoreToolError("Validity must be greater than zero")
    label = alias or DEFAULT_ALIAS
    if name_rules:
        from ..profiles import check_alias_name

        check_alias_name(name_rules, label)
    path = keystore or default_keystore()
    with store_for_change(path, storepass, storetype, verbose=verbose,
                          backup=backup) as opened:
        ks = opened.keystore
        warn_pkcs12_keypass(ks, key_pw)
        if keyalg is None:
            raise KeystoreToolError("The -keyalg option must be specified.")
        if label in ks:
            raise AliasError(f"Key pair not generated, alias <{label}> already exists")
        start = certs.parse_startdate(startdate)
        certs.parse_extensions(ext or [])  # reject a bad -ext before any question
        if dname is None:
            subject = certs.ask_x500(_prompter().line, s.err.write, certinfo.x500_str)
        else:
            subject = certs.parse_dname(dname)
        signed_by = None
        if signer is not None:
            from .signers import signing_key_entry

            signed_by = signing_key_entry(ks, signer, signerkeypass)
        generated = certs.generate_key_pair(keyalg, keysize, groupname)
        _warn_all(generated.warnings)
        key = generated.private_key
        if signed_by is None:
            cert = certs.self_signed_certificate(key, subject, start=start, validity_days=days,
                                                 sigalg=sigalg, ext_values=ext or [])
            chain = [relations.cert_der(cert)]
            how = "self-signed certificate"
        else:
            from .. import signing

            signer_entry, signer_key = signed_by
            cert = signing.issue(subject, key.public_key(),
                                 certs.lenient_certificate(signer_entry.chain_der[0]),
                                 signer_key, start=start, validity_days=days, sigalg=sigalg,
                                 ext_values=ext or [])
            chain = [relations.cert_der(cert), *signer_entry.chain_der]
            how = "a certificate"
        issued = "" if signer is None else f" issued by <{signer}>"
        s.info(
            f"Generating {generated.key_size:,} bit {generated.display_alg} key pair and "
            f"{how} ({certinfo.java_sig_alg_name(cert)}){issued} with a validity of "
            f"{days:,} days\n\tfor: {certinfo.x500_str(subject)}"
        )
        if ks.store_type != StoreType.PKCS12 and key_pw is None:
            key_pw = _prompt_new_key_password(label)
        protect = None if ks.store_type == StoreType.PKCS12 or key_pw == ks.password else key_pw
        pkcs8 = key.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption())
        entry = PrivateKeyEntry(label, chain_der=chain, pkcs8=pkcs8, key_password=protect)
        ks.put(label, entry)
        for i, der in enumerate(chain, 1):
            _warn_all(certinfo.weak_warnings(
                "The generated certificate" if len(chain) == 1 else
                f"The generated certificate #{i} of {len(chain)}", der))
        opened.changed = True
    maybe_jks_warning(path, ks)


def _prompt_new_key_password(alias: str) -> str | None:
    """keytool's promptForKeyPass (JKS/JCEKS): RETURN keeps the store password."""
    s = session()
    for _ in range(3):
        pw = _prompter().password(
            f"Enter key password for <{alias}>\n\t(RETURN if same as keystore password):  ")
        if pw is None:
            return None
        if not passwords.long_enough(pw):
            s.err.write(passwords.too_short_line("Key password") + "\n")
            continue
        again = _prompter().password("Re-enter new password: ")
        if again != pw:
            s.err.write("They don't match. Try again\n")
            continue
        return pw
    raise KeystoreToolError("Too many failures - key not added to keystore")


# ---------------------------------------------------------------------------
def key_entry(ks: Keystore, alias: str) -> PrivateKeyEntry | SecretKeyEntry:
    """keytool's recoverKey checks: the alias exists and holds a key."""
    entry = ks.find(alias)
    if entry is None:
        raise AliasError(f"Alias <{alias}> does not exist")
    if isinstance(entry, TrustedCertEntry):
        raise KeystoreToolError(f"Alias <{alias}> has no key")
    return entry


def certreq(
    alias: o.Alias = None,
    sigalg: SigAlg = None,
    file: o.File = None,
    keypass: o.KeyPass = None,
    dname: DName = None,
    ext: Ext = None,
    keystore: o.Keystore = None,
    storepass: o.StorePass = None,
    storetype: o.StoreType = None,
    verbose: o.Verbose = False,
) -> None:
    """Generates a certificate request (PKCS#10, PEM) for a key entry.

    Example: keystoretool -certreq -alias client -file client.csr -keystore client.p12
    -storepass:env PW
    """
    from .. import certinfo, certs

    s = session()
    label = alias or DEFAULT_ALIAS
    # keytool asks for the store password as for a change (at least 6 characters)
    opened = open_store(keystore, storepass, storetype, modifying=True)
    ks = opened.keystore
    entry = key_entry(ks, label)
    recover_key(entry, ks, label, keypass)
    if not isinstance(entry, PrivateKeyEntry) or not entry.chain_der:
        raise KeystoreToolError(f"{label} has no public key (certificate)")
    key = entry.private_key()
    cert = _load_cert(entry.chain_der[0])
    subject = cert.subject if dname is None else certs.parse_dname(dname)
    der = certs.build_csr(key, subject, sigalg=sigalg, ext_values=ext or [])  # type: ignore[arg-type]
    sig_name = certs.resolve_sigalg(sigalg, key).name
    text = certinfo.pem(der, "NEW CERTIFICATE REQUEST")
    if file is None:
        s.out.write(text)
    else:
        _write_output(file, text.encode("ascii"))
        if verbose:
            s.info(f"Certification request stored in file <{file}>\nSubmit this to your CA")
    _warn_all(certinfo.algorithm_warnings("The generated certificate request", sig_name,
                                          key.public_key()))
    maybe_jks_warning(opened.path, ks)


def _write_output(path: str, data: bytes) -> None:
    """Write an output file (certificate, request): see storage.write_output."""
    from .. import storage

    storage.write_output(path, data)


# ---------------------------------------------------------------------------
def exportcert(
    alias: o.Alias = None,
    file: o.File = None,
    rfc: o.Rfc = False,
    keystore: o.Keystore = None,
    storepass: o.StorePass = None,
    storetype: o.StoreType = None,
    verbose: o.Verbose = False,
) -> None:
    """Exports the certificate of an entry (DER, or PEM with -rfc).

    Example: keystoretool -exportcert -rfc -alias client -file client.pem -keystore client.p12
    -storepass:env PW
    """
    from .. import certinfo

    s = session()
    label = alias or DEFAULT_ALIAS
    opened = open_store(keystore, storepass, storetype, modifying=False)
    ks = opened.keystore
    entry = ks.find(label)
    if entry is None:
        raise AliasError(f"Alias <{label}> does not exist")
    der = _first_cert(entry)
    if der is None:
        raise KeystoreToolError(f"Alias <{label}> has no certificate")
    data = certinfo.pem(der).encode("ascii") if rfc else der
    if file is None:
        _write_stdout(data)
    else:
        _write_output(file, data)
        s.info(f"Certificate stored in file <{file}>")
    _warn_all(certinfo.weak_warnings("The certificate", der))
    maybe_jks_warning(opened.path, ks)


def _write_stdout(data: bytes) -> None:
    out = session().out
    out.flush()
    buffer = getattr(out, "buffer", None)
    if buffer is not None:
        buffer.write(data)
        buffer.flush()
    else:  # a text-only stream (tests): PEM is ASCII, DER goes through latin-1
        out.write(data.decode("latin-1"))


def _read_input(file: str | None, early: bytes | KeystoreToolError | None = None) -> bytes:
    """-file, or stdin when there is none (keytool's default). ``early`` is
    what :func:`_read_input_early` got before the keystore was locked."""
    from .. import storage

    if isinstance(early, KeystoreToolError):
        raise early
    if early is not None:
        return early
    if file is not None:
        return storage.read_bytes(file)
    import sys

    if _prompter().batch_line is not None:
        raise KeystoreToolError("-file is required in batch mode")
    return sys.stdin.buffer.read()


def _read_input_early(file: str | None) -> bytes | KeystoreToolError | None:
    """Read ``-file`` before the keystore is locked (a slow or large input
    must not hold the lock); an error is kept and raised where keytool
    reports it, after the keystore's own errors. stdin is left for later: it
    also carries the prompted passwords."""
    from .. import storage

    if file is None:
        return None
    try:
        return storage.read_bytes(file)
    except KeystoreToolError as exc:
        return exc


# ---------------------------------------------------------------------------
def printcert(
    file: o.File = None,
    rfc: o.Rfc = False,
    verbose: o.Verbose = False,
    sslserver: Annotated[
        str | None, Opt("--sslserver", help="HOST[:PORT] (default port 443): print the "
                        "certificates the TLS server sends")] = None,
    jarfile: Annotated[
        str | None, Opt("--jarfile", help="print the signers of a signed jar", path=True)] = None,
    json_: o.Json = False,
) -> None:
    """Prints the content of a certificate file (DER, PEM or PKCS#7; stdin without -file).

    Example: keystoretool -printcert -file reply.p7b;
    keystoretool -printcert -sslserver mtls.example.com:443 -rfc
    """
    from .. import certinfo, certs

    s = session()
    if sslserver is not None:
        from .certjson import print_server_certs

        print_server_certs(sslserver, rfc, json_)
        return
    if jarfile is not None:
        from .signers import print_jar_signers

        print_jar_signers(jarfile, rfc)
        return
    data = _read_input(file)
    try:
        found = certs.read_certificate_ders(data)
    except certs.CertParseError:
        raise KeystoreToolError("Failed to parse input") from None
    if not found:
        raise KeystoreToolError("Empty input")
    if json_:
        from .certjson import dump_certificates

        dump_certificates("printcert", found, source=file or "-")
        return
    parts: list[str] = []
    for i, der in enumerate(found):
        if len(found) > 1:
            parts.append(f"Certificate[{i + 1}]:\n")
        parts.append(certinfo.pem(der) if rfc else certinfo.print_x509(der))
        if i < len(found) - 1:
            parts.append("\n")
        label = "The certificate" if len(found) == 1 else \
            f"The certificate #{i + 1} of {len(found)}"
        _warn_all(certinfo.weak_warnings(label, der))
    s.out.write("".join(parts))


# ---------------------------------------------------------------------------
def printcertreq(
    file: o.File = None,
    verbose: o.Verbose = False,
    json_: o.Json = False,
) -> None:
    """Prints the content of a PKCS#10 certificate request (PEM; stdin without -file).

    Example: keystoretool -printcertreq -file client.csr
    """
    import base64
    import binascii

    from .. import certinfo

    s = session()
    data = _read_input(file)
    # keytool: the base64 lines between the first "-----" line and the next one
    body: list[bytes] = []
    started = False
    for line in data.splitlines():
        if line.startswith(b"-----"):
            if started:
                break
            started = True
        elif started:
            body.append(line.strip())
    try:
        der = base64.b64decode(b"".join(body), validate=True)
    except (binascii.Error, ValueError):
        raise KeystoreToolError("Failed to parse input") from None
    subject, spki, exts = _read_csr(der)
    sig_name = certinfo.certreq_sig_alg_name(der)
    if json_:
        from .certjson import dump_certreq

        dump_certreq(subject, spki, sig_name, exts)
        return
    s.out.write(certinfo.print_certreq(subject, spki, sig_name, exts))
    _warn_all(certinfo.algorithm_warnings("The certificate request", sig_name, spki))


def _read_csr(der: bytes) -> tuple[x509.Name, bytes, list[tuple[str, bool, bytes]]]:
    """Subject, SubjectPublicKeyInfo DER and extensions of a DER PKCS#10
    request; all of it is parsed here (cryptography parses parts lazily), so
    any damage is "Failed to parse input", as keytool says."""
    from cryptography import x509
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    try:
        csr = x509.load_der_x509_csr(der)
        spki = csr.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
        exts = [(e.oid.dotted_string, e.critical, _ext_value_der(e)) for e in csr.extensions]
        return csr.subject, spki, exts
    except (ValueError, x509.InvalidVersion, UnsupportedAlgorithm):
        raise KeystoreToolError("Failed to parse input") from None


def _ext_value_der(ext: x509.Extension) -> bytes:  # type: ignore[type-arg]
    from cryptography import x509

    if isinstance(ext.value, x509.UnrecognizedExtension):
        return ext.value.value
    return ext.value.public_bytes()  # type: ignore[no-any-return]


# ---------------------------------------------------------------------------
def importcert(
    alias: o.Alias = None,
    file: o.File = None,
    keypass: o.KeyPass = None,
    noprompt: o.NoPrompt = False,
    trustcacerts: TrustCacerts = False,
    keystore: o.Keystore = None,
    storepass: o.StorePass = None,
    storetype: o.StoreType = None,
    verbose: o.Verbose = False,
    backup: o.Backup = False,
    lock_timeout: o.LockTimeout = None,
) -> None:
    """Imports a trusted certificate, or a CA reply (certificate chain) onto a key entry.

    Example: keystoretool -importcert -alias client -file reply.pem -keystore client.p12
    -storepass:env PW
    """
    set_lock_timeout(lock_timeout)
    s = session()
    label = alias or DEFAULT_ALIAS
    path = keystore or default_keystore()
    early = _read_input_early(file)
    with store_for_change(path, storepass, storetype, verbose=verbose,
                          backup=backup) as opened:
        ks = opened.keystore
        entry = ks.find(label)
        if isinstance(entry, PrivateKeyEntry):
            installed = _install_reply(ks, entry, label, file, keypass, noprompt, trustcacerts,
                                       early)
            s.info("Certificate reply was installed in keystore" if installed
                   else "Certificate reply was not installed in keystore")
            opened.changed = installed
        elif entry is None or isinstance(entry, TrustedCertEntry):
            added = _add_trusted(ks, label, file, noprompt, trustcacerts, early)
            s.info("Certificate was added to keystore" if added
                   else "Certificate was not added to keystore")
            opened.changed = added
    if os.path.exists(path):
        maybe_jks_warning(path, ks)


def _print_cert_out(der: bytes) -> None:
    from .. import certinfo

    s = session()
    s.out.write(certinfo.print_x509(der))
    s.out.flush()


def _install_reply(ks: Keystore, entry: PrivateKeyEntry, label: str, file: str | None,
                   keypass: str | None, noprompt: bool, trustcacerts: bool,
                   early: bytes | KeystoreToolError | None = None) -> bool:
    """keytool's installReply: True when the new chain was set."""
    from .. import certinfo, certs, relations

    s = session()
    recover_key(entry, ks, label, keypass)
    if not entry.chain_der:
        raise KeystoreToolError(f"{label} has no public key (certificate)")
    user_cert = _load_cert(entry.chain_der[0])
    reply = certs.read_certificates(_read_input(file, early))  # CertParseError: Java's wording
    if not reply:
        raise KeystoreToolError("Reply has no certificates")
    candidates = _candidates(ks, trustcacerts)
    if len(reply) == 1:
        chain = certs.establish_chain(user_cert, reply[0], candidates)
        for i, cert in enumerate(chain):
            who = "The input" if i == 0 else next(
                (c.label for c in candidates
                 if relations.cert_der(c.cert) == relations.cert_der(cert)),
                "The input")
            _warn_all(certinfo.weak_warnings(who, relations.cert_der(cert)))
    else:
        for i, cert in enumerate(reply):
            _warn_all(certinfo.weak_warnings(f"Reply #{i + 1} of {len(reply)}",
                                             relations.cert_der(cert)))
        chain = certs.order_reply(label, user_cert, reply)
        if not noprompt:
            top = chain[-1]
            root = certs.find_signer(top, [c for c in candidates if "in cacerts" not in c.label])
            if root is None and trustcacerts:
                root = certs.find_signer(top, [c for c in candidates if "in cacerts" in c.label])
            if root is None:
                s.err.write("\nTop-level certificate in reply:\n\n")
                s.err.flush()
                _print_cert_out(relations.cert_der(top))
                s.err.write("\n... is not trusted. ")
                if not _prompter().yes_no("Install reply anyway? [no]:  "):
                    return False
            elif relations.cert_der(root.cert) != relations.cert_der(top):
                chain = [*chain, root.cert]
                _warn_all(certinfo.weak_warnings(root.label, relations.cert_der(root.cert)))
    new_chain = [relations.cert_der(c) for c in chain]
    candidate = PrivateKeyEntry(entry.alias, chain_der=new_chain, pkcs8=entry.pkcs8)
    ks.check_storable(candidate)
    if ks.store_type == StoreType.PKCS12 and not certs.pkcs12_chain_valid(chain):
        raise KeystoreToolError("Certificate chain is not valid")
    entry.chain_der = new_chain
    entry.created = now()
    return True


def _add_trusted(ks: Keystore, label: str, file: str | None, noprompt: bool,
                 trustcacerts: bool, early: bytes | KeystoreToolError | None = None) -> bool:
    """keytool's addTrustedCert: True when the certificate was added."""
    from .. import certinfo, certs, relations

    s = session()
    if label in ks:
        raise AliasError(f"Certificate not imported, alias <{label}> already exists")
    try:
        found = certs.read_certificate_ders(_read_input(file, early))
    except certs.CertParseError:
        found = []
    if not found:
        raise KeystoreToolError("Input not an X.509 certificate")
    der = found[0]
    cert = certs.load_certificate(der)  # None: a form cryptography cannot check
    entry = TrustedCertEntry(label, cert_der=der)

    def add() -> bool:
        ks.put(label, entry)
        return True

    if noprompt:
        _warn_all(certinfo.weak_warnings("The input", der))
        return add()
    self_signed = cert is not None and relations.is_self_signed(cert)
    existing = next((a for a in ks.aliases() if _first_cert(ks.get(a)) == der), None)
    if existing is not None:
        s.info(f"Certificate already exists in keystore under alias <{ks.get(existing).alias}>")
        _warn_all(certinfo.weak_warnings("The input", der))
        return add() if _prompter().yes_no("Do you still want to add it? [no]:  ") else False
    if self_signed:
        if trustcacerts:
            ca = next((a for a, d in certs.system_ca_certificates() if d == der), None)
            if ca is not None:
                s.info(f"Certificate already exists in system-wide CA keystore under alias <{ca}>")
                _warn_all(certinfo.weak_warnings("The input", der))
                return add() if _prompter().yes_no(
                    "Do you still want to add it to your own keystore? [no]:  ") else False
        _print_cert_out(der)
        _warn_all(certinfo.weak_warnings("The input", der))
        return add() if _prompter().yes_no("Trust this certificate? [no]:  ") else False
    try:
        if cert is None:
            raise KeystoreToolError("Failed to establish chain from reply")
        certs.establish_chain(None, cert, _candidates(ks, trustcacerts))
    except KeystoreToolError:
        _print_cert_out(der)
        _warn_all(certinfo.weak_warnings("The input", der))
        return add() if _prompter().yes_no("Trust this certificate? [no]:  ") else False
    return add()


COMMANDS = {
    "genkeypair": genkeypair,
    "certreq": certreq,
    "importcert": importcert,
    "exportcert": exportcert,
    "printcert": printcert,
    "printcertreq": printcertreq,
}
