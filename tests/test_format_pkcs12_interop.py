"""keystoretool.formats.pkcs12 against real keytool (17 and 25) and OpenSSL 3: algorithm
variants and files one tool writes and another reads (openssl-only layouts,
issuer encodings, secret key algorithm names).

Inputs (tests/pkcs12helpers.py) are generated once per session; keytool's own
``-list -v`` is the oracle for aliases, entry types and chain fingerprints;
everything written is listed by keytool 17 and checked by
``openssl pkcs12 -info -noout``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from interop import openssl_path
from pkcs12helpers import (
    _fresh_entries,
    fingerprint,
    keytool_decrypts_all,
    keytool_listing,
    load,
    needs_tools,
    openssl_accepts,
    our_listing,
    run,
)
from pkihelpers import key_entry

from keystoretool.entries import Entry, PrivateKeyEntry, SecretKeyEntry
from keystoretool.errors import (
    KeystoreToolError,
)
from keystoretool.formats import pkcs12
from keystoretool.formats.pkcs12 import mac, pbe
from keystoretool.formats.pkcs12.profiles import Profile


@needs_tools
@pytest.mark.interop
def test_openssl_files_keytool_ignores(pki: dict[str, Any], tmp_path: Path) -> None:
    """-nokeys (certificate without the Java trust attribute) and -keypbe NONE (clear
    keyBag): keytool lists 0 entries; we read the keyBag as a key entry and report
    the certificate as unattached (issue 14)."""
    d: Path = pki["dir"]
    base = [openssl_path(), "pkcs12", "-export", "-passout", "pass:secret1"]
    nokeys = tmp_path / "nokeys.p12"
    run([*base, "-nokeys", "-in", str(d / "leaf1.pem"), "-out", str(nokeys)])
    clearkey = tmp_path / "clearkey.p12"
    run(
        [
            *base,
            "-keypbe",
            "NONE",
            "-inkey",
            str(d / "leaf1.key"),
            "-in",
            str(d / "leaf1.pem"),
            "-out",
            str(clearkey),
        ]
    )
    for path in (nokeys, clearkey):
        assert keytool_listing(path, "secret1") == {}
    assert load(nokeys.read_bytes(), "secret1").entries == []
    assert len(load(nokeys.read_bytes(), "secret1").unattached) == 1
    assert [type(e) for e in load(clearkey.read_bytes(), "secret1").entries] == [PrivateKeyEntry]


@needs_tools
@pytest.mark.interop
def test_chain_rebuilt_when_issuer_encoding_differs(tmp_path: Path) -> None:
    """The leaf names its issuer as PrintableString, the CA's subject is UTF8String:
    Java's X500Principal comparison links them, so must we."""
    import datetime as dt

    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.name import _ASN1Type
    from cryptography.x509.oid import NameOID

    ca_key, leaf_key = (
        ec.generate_private_key(ec.SECP256R1()),
        ec.generate_private_key(ec.SECP256R1()),
    )
    now = dt.datetime.now(dt.UTC)
    utf8 = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Mixed CA")])
    printable = x509.Name(
        [x509.NameAttribute(NameOID.COMMON_NAME, "mixed  CA", _type=_ASN1Type.PrintableString)]
    )

    def build(
        subject: x509.Name, issuer: x509.Name, key: Any, signer: Any, ca: bool
    ) -> x509.Certificate:
        b = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(issuer)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now)
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        )
        return b.sign(signer, hashes.SHA256())

    ca = build(utf8, utf8, ca_key, ca_key, True)
    leaf = build(
        x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "leaf")]),
        printable,
        leaf_key,
        ca_key,
        False,
    )
    entry = key_entry("k", leaf_key, [leaf, ca])
    # write the CA cert without the entry link: a separate, nameless cert bag
    data = pkcs12.dump("PKCS12", [entry], "changeit", None)
    assert len(load(data, "changeit").entries[0].chain_der) == 2
    out = tmp_path / "mixed.p12"
    out.write_bytes(data)
    assert len(keytool_listing(out, "changeit")["k"][1]) == 2


@needs_tools
@pytest.mark.interop
def test_secret_key_algorithms_as_java_names_them(tmp_path: Path) -> None:
    """OIDs as Java's AlgorithmId gives them (DESede is 1.3.14.3.2.17); names Java
    cannot store in a PKCS12 are refused with keytool's message."""
    algs = {
        "AES": 16,
        "DES": 8,
        "DESede": 24,
        "ARCFOUR": 16,
        "HmacSHA1": 20,
        "HmacSHA512/256": 32,
        "HmacSHA3-256": 32,
    }
    entries: list[Entry] = [
        SecretKeyEntry(f"s{i}", algorithm=a, key=os.urandom(n))
        for i, (a, n) in enumerate(algs.items())
    ]
    data = pkcs12.dump("PKCS12", entries, "changeit", None)
    out = tmp_path / "secrets.p12"
    out.write_bytes(data)
    assert keytool_listing(out, "changeit") == {e.alias: ("SecretKeyEntry", []) for e in entries}
    keytool_decrypts_all(out, "changeit", tmp_path, len(entries))
    back = load(data, "changeit").entries
    for want, got in zip(entries, back, strict=True):
        assert got.unlock("changeit") == want.key
        assert got.sealed.algorithm == want.algorithm
    with pytest.raises(KeystoreToolError, match="unrecognized algorithm name: Blowfish"):
        pkcs12.dump(
            "PKCS12", [SecretKeyEntry("b", algorithm="Blowfish", key=bytes(16))], "changeit", None
        )


OPENSSL_VARIANTS = {
    "aes128_aes192_sha512": [
        "-keypbe",
        "AES-128-CBC",
        "-certpbe",
        "AES-192-CBC",
        "-macalg",
        "sha512",
    ],
    "des3_pbes2_sha384": [
        "-keypbe",
        "DES-EDE3-CBC",
        "-certpbe",
        "AES-256-CBC",
        "-macalg",
        "sha384",
    ],
    "rc2_128_sha1_legacy": [
        "-legacy",
        "-keypbe",
        "PBE-SHA1-RC2-128",
        "-certpbe",
        "PBE-SHA1-3DES",
        "-macalg",
        "sha1",
    ],
    "iter_1": ["-iter", "1", "-maciter"],
}


@needs_tools
@pytest.mark.interop
@pytest.mark.parametrize("variant", sorted(OPENSSL_VARIANTS))
def test_openssl_algorithm_variants(pki: dict[str, Any], tmp_path: Path, variant: str) -> None:
    d: Path = pki["dir"]
    path = tmp_path / f"{variant}.p12"
    run(
        [
            openssl_path(),
            "pkcs12",
            "-export",
            "-inkey",
            str(d / "leaf1.key"),
            "-in",
            str(d / "leaf1.pem"),
            "-certfile",
            str(d / "chain.pem"),
            "-name",
            "v",
            "-passout",
            "pass:secret1",
            "-out",
            str(path),
            *OPENSSL_VARIANTS[variant],
        ]
    )
    p = pki["pki"]
    chain = [
        fingerprint(c.public_bytes(serialization.Encoding.DER)) for c in (p.leaf, p.inter, p.root)
    ]
    loaded = load(path.read_bytes(), "secret1")
    assert our_listing(loaded.entries) == {"v": ("PrivateKeyEntry", chain)}
    assert loaded.entries[0].unlock("secret1")
    out = tmp_path / "rewritten.p12"
    out.write_bytes(pkcs12.dump("PKCS12", loaded.entries, "secret1", loaded.state))
    openssl_accepts(out, "secret1", legacy="legacy" in variant)
    if "AES-192-CBC" not in OPENSSL_VARIANTS[variant]:  # JDK 17's PBES2 knows AES-128/256 only
        assert keytool_listing(path, "secret1") == keytool_listing(out, "secret1")


SCHEME_VARIANTS = [
    ("PBES2-AES-128-CBC", "sha1", "PBES2-AES-256-CBC", "sha224", "sha1"),
    ("PBES2-AES-192-CBC", "sha384", "PBES2-AES-256-CBC", "sha512", "sha224"),
    ("PBES2-DES-EDE3-CBC", "sha512", "PBES2-AES-128-CBC", "sha256", "sha384"),
    ("PBE-SHA1-RC2-128", "sha1", "PBE-SHA1-3DES", "sha1", "sha512"),
    ("PBE-SHA1-2DES", "sha1", "PBE-SHA1-RC2-128", "sha1", "sha256"),
]


@needs_tools
@pytest.mark.interop
@pytest.mark.parametrize("key_scheme, key_prf, cert_scheme, cert_prf, mac_hash", SCHEME_VARIANTS)
def test_our_algorithm_variants_read_by_openssl(
    pki: dict[str, Any],
    tmp_path: Path,
    key_scheme: str,
    key_prf: str,
    cert_scheme: str,
    cert_prf: str,
    mac_hash: str,
) -> None:
    profile = Profile(
        "v",
        pbe.PbeSpec(key_scheme, 700, 16, key_prf),
        pbe.PbeSpec(cert_scheme, 900, 8, cert_prf),
        mac.MacSpec(mac_hash, 1100, 20),
    )
    entries = _fresh_entries(pki)[:2]
    data = pkcs12.dump("PKCS12", entries, "secret1", profile)
    back = load(data, "secret1")
    assert back.state.key == profile.key and back.state.cert == profile.cert
    assert (back.state.mac.algorithm, back.state.mac.iterations) == (mac_hash, 1100)
    assert back.entries[0].unlock("secret1")
    path = tmp_path / "v.p12"
    path.write_bytes(data)
    legacy = key_scheme.startswith("PBE-") or cert_scheme.startswith("PBE-")
    openssl_accepts(path, "secret1", legacy=legacy)
    # JDK 17 lacks AES-192 and 3DES under PBES2 and 2-key 3DES; it must read the rest
    unsupported = {"PBES2-AES-192-CBC", "PBES2-DES-EDE3-CBC", "PBE-SHA1-2DES"}
    if not unsupported & {key_scheme, cert_scheme}:
        assert keytool_listing(path, "secret1") == our_listing(entries)
        keytool_decrypts_all(path, "secret1", tmp_path, len(entries))
