"""keystoretool.formats.pkcs12 against real keytool (17 and 25) and OpenSSL 3: reading
files made by openssl and keytool, and the RFC 9579 PBMAC1 vectors.

Inputs (tests/pkcs12helpers.py) are generated once per session; keytool's own
``-list -v`` is the oracle for aliases, entry types and chain fingerprints;
everything written is listed by keytool 17 and checked by
``openssl pkcs12 -info -noout``.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from pkcs12helpers import (
    REPO_PBMAC1,
    STORE_NAMES,
    Listing,
    Store,
    _store,
    fingerprint,
    load,
    needs_tools,
    our_listing,
)

from keystoretool.entries import PrivateKeyEntry, SecretKeyEntry
from keystoretool.errors import (
    IntegrityError,
)
from keystoretool.formats import pkcs12


# ---- reading ------------------------------------------------------------------------
@needs_tools
@pytest.mark.interop
@pytest.mark.parametrize("name", STORE_NAMES)
def test_lists_what_keytool_lists(
    stores: dict[str, Store], listings: dict[str, Listing], name: str
) -> None:
    s = _store(stores, name)
    loaded = load(s.path.read_bytes(), s.password)
    assert our_listing(loaded.entries) == listings[name]
    assert loaded.verified


@needs_tools
@pytest.mark.interop
def test_expected_shapes(
    stores: dict[str, Store], listings: dict[str, Listing], pki: dict[str, Any]
) -> None:
    p = pki["pki"]
    der_ = serialization.Encoding.DER
    chain = [fingerprint(c.public_bytes(der_)) for c in (p.leaf, p.inter, p.root)]
    assert listings["openssl_default"] == {"leaf1": ("PrivateKeyEntry", chain)}
    assert listings["openssl_noname"] == {"1": ("PrivateKeyEntry", chain)}  # keytool's counter
    k17 = listings["keytool17"]
    assert sorted(k17) == ["aeskey", "inter ca", "leaf1", "leaf2", "rootca"]
    assert k17["aeskey"] == ("SecretKeyEntry", [])
    assert k17["rootca"] == ("trustedCertEntry", [chain[2]])
    assert len(k17["leaf2"][1]) == 3


@needs_tools
@pytest.mark.interop
def test_aliases_case_and_extras(stores: dict[str, Store]) -> None:
    loaded = load(stores["keytool17"].path.read_bytes(), "changeit")
    by = {e.alias: e for e in loaded.entries}
    # key entries lower-cased, trusted entries keep their case, file order kept
    assert [e.alias for e in loaded.entries] == ["leaf1", "leaf2", "aeskey", "RootCA", "Inter CA"]
    assert isinstance(by["leaf1"], PrivateKeyEntry) and by["leaf1"].sealed is not None
    assert by["leaf1"].pkcs8 is None  # not decrypted at load
    ee = load(stores["openssl_default"].path.read_bytes(), "secret1").entries[0]
    assert ee.extras["pkcs12.friendly_name"] == "Leaf1"


@needs_tools
@pytest.mark.interop
def test_creation_date_from_local_key_id(stores: dict[str, Store]) -> None:
    data = stores["keytool17"].path.read_bytes()
    loaded = load(data, "changeit")
    leaf1 = loaded.entries[0]
    ms = int(leaf1.extras["pkcs12.local_key_id"][5:])
    assert leaf1.created == datetime.fromtimestamp(ms / 1000, UTC)
    # OpenSSL keys have no "Time" id: the load time, as keytool shows "today"
    before = datetime.now(UTC)
    o = load(stores["openssl_default"].path.read_bytes(), "secret1").entries[0]
    assert o.created >= before - timedelta(seconds=1)


@needs_tools
def test_unseal_private_and_secret_keys(stores: dict[str, Store], pki: dict[str, Any]) -> None:
    loaded = load(stores["keytool17"].path.read_bytes(), "changeit")
    by = {e.alias: e for e in loaded.entries}
    pkcs8 = by["leaf1"].unlock("changeit")
    want = pki["pki"].leaf_key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    from cryptography.hazmat.primitives.serialization import load_der_private_key

    assert (
        load_der_private_key(pkcs8, None).private_numbers()
        == load_der_private_key(want, None).private_numbers()
    )  # type: ignore[union-attr]
    secret = by["aeskey"]
    assert isinstance(secret, SecretKeyEntry)
    assert len(secret.unlock("changeit")) == 16
    assert secret.sealed is not None and secret.sealed.algorithm == "AES"  # type: ignore[attr-defined]
    hmac_entry = load(stores["keytool17_secret"].path.read_bytes(), "changeit").entries[0]
    assert len(hmac_entry.unlock("changeit")) == 32
    assert hmac_entry.sealed.algorithm == "HmacSHA256"
    legacy = load(stores["openssl_legacy"].path.read_bytes(), "secret1").entries[0]
    assert load_der_private_key(legacy.unlock("secret1"), None) is not None


@needs_tools
def test_no_password_reads_like_keytool(stores: dict[str, Store]) -> None:
    loaded = load(stores["keytool17"].path.read_bytes(), None)
    assert not loaded.verified
    # encrypted cert safe unread: key entries without chains, no trusted entries
    assert [(e.alias, e.kind, len(e.chain_der)) for e in loaded.entries] == [
        ("leaf1", "PrivateKeyEntry", 0),
        ("leaf2", "PrivateKeyEntry", 0),
        ("aeskey", "SecretKeyEntry", 0),
    ]
    assert load(stores["keytool17_trusted"].path.read_bytes(), None).entries == []
    # password-less file: everything readable, nothing to verify
    pl = load(stores["openssl_passwordless"].path.read_bytes(), None)
    assert pl.verified and len(pl.entries[0].chain_der) == 3
    assert pl.state.passwordless


@needs_tools
def test_loaded_profiles_describe_the_file(stores: dict[str, Store]) -> None:
    k = load(stores["keytool17"].path.read_bytes(), "changeit").state
    assert (k.key.scheme, k.key.iterations, k.cert.scheme, k.cert.iterations) == (
        "PBES2-AES-256-CBC",
        10000,
        "PBES2-AES-256-CBC",
        10000,
    )
    assert (k.mac.algorithm, k.mac.iterations) == ("sha256", 10000)
    o = load(stores["openssl_legacy"].path.read_bytes(), "secret1").state
    assert (o.key.scheme, o.cert.scheme, o.mac.algorithm, o.mac.iterations) == (
        "PBE-SHA1-3DES",
        "PBE-SHA1-RC2-40",
        "sha1",
        2048,
    )
    n = load(stores["openssl_nomac"].path.read_bytes(), "secret1").state
    assert n.mac.algorithm == "NONE"


# ---- PBMAC1 (RFC 9579) ----------------------------------------------------------------
def _pbmac1(name: str) -> bytes:
    return base64.b64decode((REPO_PBMAC1 / name).read_text())


@pytest.mark.parametrize("name", ["rfc9579-a1.txt", "rfc9579-a2.txt", "rfc9579-a3.txt"])
def test_pbmac1_valid_vectors(name: str) -> None:
    loaded = load(_pbmac1(name), "1234")
    assert loaded.state.mac.algorithm == "PBMAC1"
    [entry] = loaded.entries
    assert entry.kind == "PrivateKeyEntry" and entry.alias == "1" and len(entry.chain_der) == 1
    x509.load_der_x509_certificate(entry.chain_der[0])
    assert entry.unlock("1234")
    # rewritten with its own PBMAC1 parameters, it verifies again (and fails with another password)
    out = pkcs12.dump("PKCS12", loaded.entries, "1234", loaded.state)
    again = load(out, "1234")
    assert again.state.mac == loaded.state.mac
    with pytest.raises(IntegrityError):
        load(out, "12345")


@pytest.mark.parametrize(
    "name, message",
    [
        ("rfc9579-a4.txt", "Integrity check failed: Failed PKCS12 integrity checking"),
        ("rfc9579-a5.txt", "Integrity check failed: Failed PKCS12 integrity checking"),
        (
            "rfc9579-a6.txt",
            "Integrity check failed: PBMAC1 parameters lack the required key length",
        ),
        ("pbmac1-short-key-bypass.txt", "Integrity check failed: PBMAC1 key length is too short"),
    ],
)
def test_pbmac1_invalid_vectors_refused(name: str, message: str) -> None:
    with pytest.raises(IntegrityError) as err:
        load(_pbmac1(name), "1234")
    assert str(err.value) == message
