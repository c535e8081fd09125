"""keystoretool.formats.pkcs12 against real keytool (17 and 25) and OpenSSL 3: errors
and hostile input (wrong passwords, tampered MACs, absurd counts, BER, bit flips),
the PKCS#12 KDF and the DER writer.

Inputs (tests/pkcs12helpers.py) are generated once per session; keytool's own
``-list -v`` is the oracle for aliases, entry types and chain fingerprints;
everything written is listed by keytool 17 and checked by
``openssl pkcs12 -info -noout``.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from pkcs12helpers import (
    Store,
    _fresh_entries,
    keytool_listing,
    load,
    needs_tools,
    our_listing,
    walk_bags,
)
from pkihelpers import ec_key, key_entry, make_cert

from keystoretool import der
from keystoretool.entries import Entry, TrustedCertEntry
from keystoretool.errors import (
    FormatError,
    IntegrityError,
    KeystoreToolError,
    UnrecoverableKeyError,
)
from keystoretool.formats import pkcs12
from keystoretool.formats.pkcs12 import mac, pbe
from keystoretool.formats.pkcs12.profiles import Profile


# ---- errors and hostile input ----------------------------------------------------------
@needs_tools
def test_wrong_password(stores: dict[str, Store]) -> None:
    for name in ("keytool17", "openssl_default", "openssl_legacy"):
        with pytest.raises(IntegrityError) as err:
            load(stores[name].path.read_bytes(), "wrong-pw")
        assert str(err.value) == "keystore password was incorrect"
    # no encrypted safe to fail first: keytool reports the MAC
    with pytest.raises(IntegrityError) as err:
        load(stores["keytool17_secret"].path.read_bytes(), "wrong-pw")
    assert str(err.value) == "Integrity check failed: Failed PKCS12 integrity checking"


@needs_tools
def test_tampered_mac(stores: dict[str, Store]) -> None:
    data = bytearray(stores["keytool17"].path.read_bytes())
    pfx = der.parse(bytes(data)).seq("PFX")
    digest = pfx[2].seq("m")[0].seq("d")[1]
    data[digest.cstart] ^= 0x01
    with pytest.raises(IntegrityError) as err:
        load(bytes(data), "changeit")
    assert str(err.value) == "Integrity check failed: Failed PKCS12 integrity checking"
    # a flipped byte in a key bag (MAC covers it)
    data = bytearray(stores["keytool17"].path.read_bytes())
    data[200] ^= 0x40
    with pytest.raises(KeystoreToolError):
        load(bytes(data), "changeit")


@needs_tools
def test_truncated_and_garbage(stores: dict[str, Store]) -> None:
    data = stores["keytool17"].path.read_bytes()
    for cut in (1, 2, 10, 100, 1000, len(data) - 40, len(data) - 1):
        with pytest.raises(FormatError) as err:
            load(data[:cut], "changeit")
        assert "\n" not in str(err.value)
    for junk in (b"hello world", os.urandom(200), b"\x30\x84\xff\xff\xff\xff", b"\x30\x80" * 5000):
        with pytest.raises(FormatError):
            load(junk, "changeit")


def _with_mac_iterations(data: bytes, iterations: int) -> bytes:
    pfx = der.parse(data).seq("PFX")
    md = pfx[2].seq("m")
    new_md = der.seq(md[0].raw, md[1].raw, der.integer(iterations))
    return der.seq(pfx[0].raw, pfx[1].raw, new_md)


def _hostile_cert_safe(iterations: int) -> bytes:
    """A MAC-less PFX whose encrypted cert safe claims ``iterations`` PBKDF2 rounds."""
    kdf = der.seq(
        der.octet_string(b"s" * 8),
        der.integer(iterations),
        der.integer(32),
        der.seq(der.oid(pbe.HMAC_OID_BY_NAME["sha256"]), der.null()),
    )
    alg = der.seq(
        der.oid(pbe.OID_PBES2),
        der.seq(
            der.seq(der.oid(pbe.OID_PBKDF2), kdf),
            der.seq(der.oid("2.16.840.1.101.3.4.1.42"), der.octet_string(b"i" * 16)),
        ),
    )
    eci = der.seq(der.oid("1.2.840.113549.1.7.1"), alg, der.tlv(0x80, b"c" * 32))
    ci = der.seq(der.oid("1.2.840.113549.1.7.6"), der.explicit(0, der.seq(der.integer(0), eci)))
    auth = der.seq(ci)
    return der.seq(
        der.integer(3),
        der.seq(der.oid("1.2.840.113549.1.7.1"), der.explicit(0, der.octet_string(auth))),
    )


def test_hostile_iteration_counts_refused_fast() -> None:
    data = pkcs12.dump("PKCS12", [], "changeit", None)
    t0 = time.perf_counter()
    with pytest.raises(FormatError, match="iteration count"):
        load(_with_mac_iterations(data, 2**31 - 1), "changeit")
    with pytest.raises(FormatError):
        load(_with_mac_iterations(data, 0), "changeit")
    with pytest.raises(FormatError, match="iteration count"):
        load(_hostile_cert_safe(10_000_000), "changeit")
    assert time.perf_counter() - t0 < 5
    # the same structure with a sane count is just a wrong password
    with pytest.raises(IntegrityError, match="password was incorrect"):
        load(_hostile_cert_safe(1), "changeit")


def test_deep_nesting_and_many_elements_refused() -> None:
    deep = b"\x30\x80" * 100 + b"\x00\x00" * 100
    with pytest.raises(FormatError, match="nesting"):
        load(deep, "x")
    t0 = time.perf_counter()
    with pytest.raises(FormatError):
        load(b"\x30\x83\x10\x00\x00" + b"\x05\x00" * 0x80000, "x")
    assert time.perf_counter() - t0 < 5


# ---- BER -----------------------------------------------------------------------------
def _to_ber(node: der.Node, depth: int = 0) -> bytes:
    """Re-encode with indefinite lengths everywhere and OCTET STRINGs in 2 segments."""
    if node.tag == der.OCTET_STRING and len(node.content) > 4 and depth < 30:
        c = node.content
        half = len(c) // 2
        return b"\x24\x80" + der.octet_string(c[:half]) + der.octet_string(c[half:]) + b"\x00\x00"
    if node.constructed and node.tag != 0x24:
        inner = b"".join(_to_ber(k, depth + 1) for k in node.children())
        return bytes([node.tag, 0x80]) + inner + b"\x00\x00"
    return node.raw


@needs_tools
def test_ber_indefinite_lengths(stores: dict[str, Store]) -> None:
    s = stores["openssl_passwordless"]  # no MAC: the whole file can be re-encoded
    data = s.path.read_bytes()
    ber = _to_ber(der.parse(data))
    assert ber != data
    a, b = load(data, s.password), load(ber, s.password)
    assert our_listing(a.entries) == our_listing(b.entries)
    assert b.entries[0].unlock(s.password) == a.entries[0].unlock(s.password)
    # a MAC'd file with a BER outer layer (the MAC covers the joined octets)
    s = stores["keytool17"]
    data = s.path.read_bytes()
    pfx = der.parse(data).seq("PFX")
    ci = pfx[1].seq("ci")
    octets = ci[1].explicit(0, "x").octets()
    outer = (
        b"\x30\x80"
        + pfx[0].raw
        + b"\x30\x80"
        + ci[0].raw
        + b"\xa0\x80\x24\x80"
        + der.octet_string(octets[:100])
        + der.octet_string(octets[100:])
        + b"\x00\x00" * 3
        + pfx[2].raw
        + b"\x00\x00"
    )
    assert our_listing(load(outer, "changeit").entries) == our_listing(
        load(data, "changeit").entries
    )


# ---- the PKCS#12 KDF against pyjks --------------------------------------------------
@pytest.mark.parametrize("hash_name", ["sha1", "sha256", "sha512"])
def test_pkcs12_kdf_matches_pyjks(hash_name: str) -> None:
    from jks.rfc7292 import derive_key

    for password in ("", "changeit", "päss😀"):
        for salt, n, purpose in (
            (b"\x01" * 8, 24, 1),
            (os.urandom(20), 8, 2),
            (os.urandom(33), 70, 3),
        ):
            ours = pbe.pkcs12_kdf(
                hash_name, pkcs12.bmpstring.encode_password(password), salt, 17, purpose, n
            )
            assert ours == derive_key(getattr(hashlib, hash_name), purpose, password, salt, 17, n)


def test_der_writer_and_oids() -> None:
    for oid in (
        "1.2.840.113549.1.12.10.1.2",
        "2.16.840.1.113894.746875.1.1",
        "2.5.29.37.0",
        "2.999.3",
    ):
        assert der.parse(der.oid(oid)).oid() == oid
    for n in (0, 1, 127, 128, 255, 256, 10000, 2**31 - 1):
        assert der.parse(der.integer(n)).integer() == n
    big = der.octet_string(b"x" * 70000)
    assert der.parse(big).octets() == b"x" * 70000


@needs_tools
def test_p12_written_by_us_with_other_certificate_owner(
    tmp_path: Path, pki: dict[str, Any]
) -> None:
    # A trusted cert whose alias has non-ASCII and mixed case keeps its case; a key alias is
    # lower-cased in the file (keytool lists both lower-cased).
    k = ec_key()
    cert = make_cert("École CA", k, ca=True)
    entries: list[Entry] = [
        TrustedCertEntry("ÉCOLE-Ca", cert_der=cert.public_bytes(serialization.Encoding.DER)),
        key_entry("MixedCase", k, [cert]),
    ]
    data = pkcs12.dump("PKCS12", entries, "changeit", None)
    layout = walk_bags(data, "changeit")
    assert [a["friendlyName"] for _, b, a in layout] == ["mixedcase", "ÉCOLE-Ca", "mixedcase"]
    out = tmp_path / "u.p12"
    out.write_bytes(data)
    assert sorted(keytool_listing(out, "changeit")) == ["mixedcase", "école-ca"]


def _iter_entries(data: bytes, pw: str) -> Iterator[Entry]:  # pragma: no cover - debugging aid
    yield from load(data, pw).entries


def test_bit_flips_and_cuts_never_escape(pki: dict[str, Any]) -> None:
    """Hostile bytes give a KeystoreToolError (or a clean load), never another exception."""
    import random

    cheap = Profile(
        "cheap",
        pbe.PbeSpec("PBES2-AES-128-CBC", 1, 8),
        pbe.PbeSpec("PBE-SHA1-RC2-40", 1, 8),
        mac.MacSpec("sha1", 1, 8),
    )
    data = pkcs12.dump("PKCS12", _fresh_entries(pki), "pw", cheap)
    rng = random.Random(1234)
    outcomes = {"ok": 0, "error": 0}
    for _ in range(400):
        buf = bytearray(data)
        for _ in range(rng.randint(1, 3)):
            buf[rng.randrange(len(buf))] = rng.randrange(256)
        if rng.random() < 0.2:
            buf = buf[: rng.randrange(len(buf))]
        for password in ("pw", None):
            try:
                loaded = load(bytes(buf), password)
                for e in loaded.entries:
                    if not isinstance(e, TrustedCertEntry):
                        try:
                            e.unlock("pw")
                        except UnrecoverableKeyError:
                            pass
                outcomes["ok"] += 1
            except KeystoreToolError as e:
                assert "\n" not in str(e)
                outcomes["error"] += 1
    assert outcomes["error"] > 100
