"""The rest of keytool 17's commands: genseckey, importpass, gencert, gencrl,
printcrl and showinfo.

Each follows keytool's order of checks, prompts and messages (see
``cli/common.py``); the feature logic lives in :mod:`keystoretool.seckeys`,
:mod:`keystoretool.signing` and :mod:`keystoretool.crl`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Annotated

from ..entries import PrivateKeyEntry, SecretKeyEntry, TrustedCertEntry
from ..errors import AliasError, KeystoreToolError
from ..formats import StoreType
from . import options as o
from . import passwords
from .cmd_certs import (
    DEFAULT_ALIAS,
    DName,
    Ext,
    SigAlg,
    StartDate,
    TrustCacerts,
    Validity,
    _prompt_new_key_password,
    _read_input,
    _warn_all,
    _write_output,
    _write_stdout,
)
from .common import (
    default_keystore,
    maybe_jks_warning,
    open_store,
    session,
    set_lock_timeout,
    store_for_change,
    warn_pkcs12_keypass,
)
from .options import Opt
from .signers import signing_key_entry

SecKeyAlg = Annotated[
    str | None,
    Opt("--keyalg", help="AES, DES, DESede or HmacSHA256 (HmacSHA1..HmacSHA512, HmacSHA3-*)"),
]
SecKeySize = Annotated[
    int | None, Opt("--keysize", help="key size in bits (DES 56 and DESede 168 by default)")
]
PbeAlg = Annotated[str | None, Opt("--keyalg", help="PBE algorithm (default PBE)")]
InFile = Annotated[str | None, Opt("--infile", help="input file (default stdin)", path=True)]
OutFile = Annotated[str | None, Opt("--outfile", help="output file (default stdout)", path=True)]
Ids = Annotated[
    list[str] | None,
    Opt("--id", help="SERIAL[:REASON] of a revoked certificate (decimal), repeatable"),
]


# ---------------------------------------------------------------------------
#: Makes the secret key once the store is open and the alias is free:
#: (Java algorithm name, key bytes, the "Generated ..." line or None).
KeyMaker = Callable[[], tuple[str, bytes, str | None]]


def _store_secret(alias: str, make: KeyMaker, keypass: str | None, keystore: str | None,
                  storepass: str | None, storetype: str | None, verbose: bool,
                  backup: bool) -> None:
    """keytool's doGenSecretKey: the store, the alias check, the key (and its
    "Generated" line), the key password (JKS/JCEKS), the entry."""
    s = session()
    key_pw = passwords.resolve(keypass)
    path = keystore or default_keystore()
    with store_for_change(path, storepass, storetype, verbose=verbose,
                          backup=backup) as opened:
        ks = opened.keystore
        warn_pkcs12_keypass(ks, key_pw)
        if alias in ks:
            raise AliasError(f"Secret Key not generated, alias <{alias}> already exists")
        algorithm, key, announce = make()
        if announce:
            s.info(announce)
        if ks.store_type != StoreType.PKCS12 and key_pw is None:
            key_pw = _prompt_new_key_password(alias)
        protect = None if ks.store_type == StoreType.PKCS12 or key_pw == ks.password else key_pw
        ks.put(alias, SecretKeyEntry(alias, algorithm=algorithm, key=key, key_password=protect))
        opened.changed = True
    maybe_jks_warning(path, ks)


def genseckey(
    alias: o.Alias = None,
    keyalg: SecKeyAlg = None,
    keysize: SecKeySize = None,
    keypass: o.KeyPass = None,
    keystore: o.Keystore = None,
    storepass: o.StorePass = None,
    storetype: o.StoreType = None,
    verbose: o.Verbose = False,
    backup: o.Backup = False,
    lock_timeout: o.LockTimeout = None,
) -> None:
    """Generates a secret key (AES, DES, DESede, HmacSHA*) into a PKCS12 or JCEKS keystore.

    Example: keystoretool -genseckey -alias wrap -keyalg AES -keysize 256
    -keystore keys.p12 -storepass:env PW
    """
    from .. import seckeys

    set_lock_timeout(lock_timeout)
    label = alias or DEFAULT_ALIAS
    if keyalg is None:
        raise KeystoreToolError("The -keyalg option must be specified.")
    if keyalg.upper().startswith("PBE"):
        _importpass(label, keyalg, keypass, keystore, storepass, storetype, verbose, backup)
        return

    def make() -> tuple[str, bytes, str | None]:
        key = seckeys.generate(keyalg, keysize)  # type: ignore[arg-type]
        return key.algorithm, key.key, f"Generated {key.bits:,}-bit {key.algorithm} secret key"

    _store_secret(label, make, keypass, keystore, storepass, storetype, verbose, backup)


def importpass(
    alias: o.Alias = None,
    keyalg: PbeAlg = None,
    keysize: SecKeySize = None,
    keypass: o.KeyPass = None,
    keystore: o.Keystore = None,
    storepass: o.StorePass = None,
    storetype: o.StoreType = None,
    verbose: o.Verbose = False,
    backup: o.Backup = False,
    lock_timeout: o.LockTimeout = None,
) -> None:
    """Imports a password and stores it as a PBE secret key (asked twice on a terminal,
    one line from stdin otherwise).

    Example: printf '%s\\n' "$DB_PASSWORD" | keystoretool -importpass -alias db
    -keystore secrets.p12 -storepass:env PW
    """
    set_lock_timeout(lock_timeout)
    label = alias or DEFAULT_ALIAS
    if keyalg is not None and not keyalg.upper().startswith("PBE"):
        genseckey(alias, keyalg, keysize, keypass, keystore, storepass, storetype, verbose,
                  backup, lock_timeout)
        return
    _importpass(label, keyalg or "PBE", keypass, keystore, storepass, storetype, verbose,
                backup)


def _importpass(label: str, keyalg: str, keypass: str | None, keystore: str | None,
                storepass: str | None, storetype: str | None, verbose: bool,
                backup: bool) -> None:
    from .. import seckeys

    def make() -> tuple[str, bytes, str | None]:
        key = seckeys.pbe_key(_prompt_credential())
        name = "PBE" if keyalg.upper() == "PBE" else key.algorithm
        return key.algorithm, key.key, f"Generated {name} secret key" if verbose else None

    _store_secret(label, make, keypass, keystore, storepass, storetype, verbose, backup)


def _prompt_credential() -> str:
    """keytool's promptForCredential: without a console (Java's System.console():
    stdin and stdout both terminals) one line is read, no prompt; on a console it
    is asked twice (3 tries)."""
    s = session()
    prompter = s.prompter
    if not (prompter._isatty() and s.out.isatty()):
        return prompter.password("") or ""
    for _ in range(3):
        entered = prompter.password("Enter the password to be stored:  ") or ""
        again = prompter.password("Re-enter password: ") or ""
        if entered != again:
            s.err.write("They don't match. Try again\n")
            continue
        return entered
    raise KeystoreToolError("Too many failures - key not added to keystore")


# ---------------------------------------------------------------------------
def gencert(
    alias: o.Alias = None,
    infile: InFile = None,
    outfile: OutFile = None,
    rfc: o.Rfc = False,
    sigalg: SigAlg = None,
    dname: DName = None,
    ext: Ext = None,
    validity: Validity = None,
    startdate: StartDate = None,
    keypass: o.KeyPass = None,
    keystore: o.Keystore = None,
    storepass: o.StorePass = None,
    storetype: o.StoreType = None,
    cacerts: o.Cacerts = False,
    verbose: o.Verbose = False,
) -> None:
    """Signs a certificate request (PEM PKCS#10) with a key entry and prints the
    certificate (then the issuer's CA certificates that are not self-signed).

    Example: keystoretool -gencert -alias ca -infile client.csr -outfile client.pem -rfc
    -ext honored=all -ext eku=clientAuth -validity 365 -keystore ca.p12 -storepass:env PW
    """
    from .. import certinfo, certs, relations, signing
    from .common import resolve_keystore

    label = alias or DEFAULT_ALIAS
    opened = open_store(resolve_keystore(keystore, storetype, cacerts), storepass, storetype,
                        modifying=False)
    ks = opened.keystore
    entry, key = signing_key_entry(ks, label, keypass)
    days = 90 if validity is None else validity
    start = certs.parse_startdate(startdate)
    request = signing.read_request(_read_input(infile))
    from cryptography.hazmat.primitives.serialization import Encoding

    _warn_all(certinfo.algorithm_warnings(
        "The certificate request", _csr_sig_name(request), request.public_key()))
    issuer = certs.lenient_certificate(entry.chain_der[0])
    cert = signing.sign_request(request, issuer, key, start=start, validity_days=days,
                                sigalg=sigalg, ext_values=ext or [], dname=dname)
    ders = [cert.public_bytes(Encoding.DER)]
    ders += [d for d in entry.chain_der
             if not relations.is_self_signed(certs.lenient_certificate(d))]
    data = b"".join(certinfo.pem(d).encode("ascii") if rfc else d for d in ders)
    if outfile is None:
        _write_stdout(data)
    else:
        _write_output(outfile, data)
    for i, der in enumerate(entry.chain_der):
        label_i = "The issuer" if len(entry.chain_der) == 1 else \
            f"The issuer #{i + 1} of {len(entry.chain_der)}"
        _warn_all(certinfo.weak_warnings(label_i, der))
    _warn_all(certinfo.weak_warnings("The generated certificate", ders[0]))
    maybe_jks_warning(opened.path, ks)


def _csr_sig_name(request: object) -> str:
    from cryptography.hazmat.primitives.serialization import Encoding

    from .. import certinfo

    return certinfo.certreq_sig_alg_name(request.public_bytes(Encoding.DER))  # type: ignore[attr-defined]


# ---------------------------------------------------------------------------
def gencrl(
    alias: o.Alias = None,
    ids: Ids = None,
    file: o.File = None,
    rfc: o.Rfc = False,
    sigalg: SigAlg = None,
    validity: Validity = None,
    startdate: StartDate = None,
    keypass: o.KeyPass = None,
    keystore: o.Keystore = None,
    storepass: o.StorePass = None,
    storetype: o.StoreType = None,
    cacerts: o.Cacerts = False,
    verbose: o.Verbose = False,
) -> None:
    """Generates a CRL signed by a key entry (DER, or PEM with -rfc; stdout without -file).

    Example: keystoretool -gencrl -alias ca -id 1234 -id 5678:1 -file ca.crl
    -keystore ca.p12 -storepass:env PW
    """
    from .. import certinfo, certs, crl
    from .common import resolve_keystore

    label = alias or DEFAULT_ALIAS
    opened = open_store(resolve_keystore(keystore, storetype, cacerts), storepass, storetype,
                        modifying=False)
    ks = opened.keystore
    entry, key = signing_key_entry(ks, label, keypass)
    days = 90 if validity is None else validity
    start = certs.parse_startdate(startdate)
    for text in ids or []:
        crl.parse_id(text)  # a bad -id before anything is signed
    issuer = certs.lenient_certificate(entry.chain_der[0])
    der = crl.build_crl(key, issuer, ids or [], start=start, validity_days=days, sigalg=sigalg)
    data = certinfo.pem(der, "X509 CRL").encode("ascii") if rfc else der
    if file is None:
        _write_stdout(data)
    else:
        _write_output(file, data)
    _warn_all(certinfo.algorithm_warnings(
        "The generated CRL", certs.resolve_sigalg(sigalg, key).name, key.public_key()))
    maybe_jks_warning(opened.path, ks)


def printcrl(
    file: o.File = None,
    rfc: o.Rfc = False,
    keystore: o.Keystore = None,
    storepass: o.StorePass = None,
    storetype: o.StoreType = None,
    cacerts: o.Cacerts = False,
    trustcacerts: TrustCacerts = False,
    verbose: o.Verbose = False,
) -> None:
    """Prints a CRL (DER or PEM) from a file, a URL (http, https, file) or stdin, and
    whether a certificate of the keystore (with -keystore) or of the system CA store
    (-trustcacerts) verifies it.

    Example: keystoretool -printcrl -file http://crl.example.com/ca.crl -keystore ca.p12
    -storepass:env PW
    """
    from .. import certinfo, crl
    from .common import resolve_keystore

    s = session()
    data = _read_crl_source(file)
    crls = crl.load_crls(data)
    stores: list[tuple[str, list[tuple[str, bytes]]]] = []
    if trustcacerts:  # the system CA store, as -importcert -trustcacerts uses it
        import warnings

        from .. import certs

        with warnings.catch_warnings():  # a bundle's odd certificate is not the user's concern
            warnings.simplefilter("ignore")
            stores.append(("cacerts", certs.system_ca_certificates()))
    opened = None
    if keystore is not None or cacerts:
        opened = open_store(resolve_keystore(keystore, storetype, cacerts), storepass,
                            storetype, modifying=False)
        stores.append(("keystore", _store_certs(opened.keystore)))
    for one in crls:
        if rfc:
            from cryptography.hazmat.primitives.serialization import Encoding

            s.out.write(certinfo.pem(one.public_bytes(Encoding.DER), "X509 CRL"))
        else:
            try:
                text = crl.render(one)
            except Exception:  # noqa: BLE001 - any malformed field: Java's parse failure
                if os.environ.get("KEYSTORETOOL_DEBUG"):
                    raise
                raise KeystoreToolError("Failed to parse input") from None
            s.out.write(text)
        found = None
        for where, candidates in stores:
            found = crl.verify(one, candidates)
            if found is not None:
                alias, key = found
                s.out.write(f"Verified by {alias} in {where} with a "
                            f"{certinfo.key_description(key)}\n")
                break
        if found is None:
            more = "." if trustcacerts else " or specify -trustcacerts."
            s.out.write("*******************************************\n"
                        f"WARNING: not verified. Make sure -keystore is correct{more}\n"
                        "*******************************************\n\n\n")
        _warn_all(certinfo.algorithm_warnings(
            "The CRL", _crl_sig_name(one), found[1] if found else None))
    if opened is not None:
        maybe_jks_warning(opened.path, opened.keystore)


def _crl_sig_name(one: object) -> str:
    from cryptography.hazmat.primitives.serialization import Encoding

    from .. import certinfo, der

    signed = der.parse(one.public_bytes(Encoding.DER))  # type: ignore[attr-defined]
    return certinfo._sig_alg_name_of(signed.seq("signed data", 3, 3)[1].raw)


def _store_certs(ks: object) -> list[tuple[str, bytes]]:
    """(alias, certificate) pairs keytool's verifyCRL walks: every entry's certificate."""
    out = []
    for alias, entry in ks.items():  # type: ignore[attr-defined]
        if isinstance(entry, TrustedCertEntry):
            out.append((alias, entry.cert_der))
        elif isinstance(entry, PrivateKeyEntry) and entry.chain_der:
            out.append((alias, entry.chain_der[0]))
    return out


#: The most a CRL fetched from a URL may weigh.
MAX_CRL_DOWNLOAD = 64 << 20


def _read_crl_source(src: str | None) -> bytes:
    """keytool's loadCRLs: a URL (http, https, ftp, file) or a file; stdin without -file."""
    import re

    if src is None or not re.match(r"(?i)(https?|ftp|file):", src):
        return _read_input(src)
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(src, timeout=30) as response:  # noqa: S310 - user's URL
            data: bytes = response.read(MAX_CRL_DOWNLOAD + 1)
    except urllib.error.HTTPError as exc:
        raise KeystoreToolError(f"Server returned HTTP response code: {exc.code} for URL: "
                                f"{src}") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise KeystoreToolError(f"{src}: {reason}") from None
    if len(data) > MAX_CRL_DOWNLOAD:
        raise KeystoreToolError(f"{src}: larger than {MAX_CRL_DOWNLOAD} bytes")
    return data


# ---------------------------------------------------------------------------
# ---------------------------------------------------------------------------
def showinfo(
    tls: Annotated[bool, Opt("--tls", help="TLS protocols and cipher suites")] = False,
    verbose: o.Verbose = False,
) -> None:
    """Displays security-related information: -tls lists the protocols and cipher suites
    our TLS stack (Python's ssl over OpenSSL, used by probe) enables by default.

    Example: keystoretool -showinfo -tls
    """
    from .. import tlsinfo

    s = session()
    if not tls:
        s.out.write('Missing option for -showinfo. Try "keystoretool -showinfo -tls".\n')
        return
    s.out.write(tlsinfo.showinfo_tls())


COMMANDS = {
    "showinfo": showinfo,
    "gencrl": gencrl,
    "printcrl": printcrl,
    "gencert": gencert,
    "genseckey": genseckey,
    "importpass": importpass,
}
