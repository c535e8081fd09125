"""keystoretool.formats.pkcs12 against real keytool (17 and 25) and OpenSSL 3: writing
new and rewritten stores, layouts, passwords, renames, bag attributes.

Inputs (tests/pkcs12helpers.py) are generated once per session; keytool's own
``-list -v`` is the oracle for aliases, entry types and chain fingerprints;
everything written is listed by keytool 17 and checked by
``openssl pkcs12 -info -noout``.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from interop import openssl_path
from pkcs12helpers import (
    STORE_NAMES,
    Listing,
    Store,
    _fresh_entries,
    _store,
    fingerprint,
    keytool,
    keytool_decrypts_all,
    keytool_listing,
    load,
    needs_tools,
    openssl_accepts,
    rewrite,
    run,
    walk_bags,
)
from pkihelpers import key_entry

from keystoretool import der
from keystoretool.entries import Entry, PrivateKeyEntry, TrustedCertEntry
from keystoretool.errors import (
    IntegrityError,
    KeystoreToolError,
    UnrecoverableKeyError,
)
from keystoretool.formats import pkcs12
from keystoretool.formats.pkcs12 import bags, mac, pbe
from keystoretool.formats.pkcs12.profiles import Profile, sound_profile


# ---- writing ------------------------------------------------------------------------
@needs_tools
@pytest.mark.interop
@pytest.mark.parametrize("name", STORE_NAMES)
def test_rewrite_keeps_entries_algorithms_and_key_bags(
    stores: dict[str, Store], listings: dict[str, Listing], tmp_path: Path, name: str
) -> None:
    s = _store(stores, name)
    out = tmp_path / "rewritten.p12"
    loaded = rewrite(s.path, s.password, out)
    data = out.read_bytes()
    for e in loaded.entries:
        if not isinstance(e, TrustedCertEntry):
            assert e.sealed.epki in data  # untouched key bags written back verbatim
            assert e.pkcs8 is None if isinstance(e, PrivateKeyEntry) else e.key is None
    again = load(data, s.password)
    # a weak certificate safe (RC2-40) is re-encrypted with the modern profile (issue 14)
    assert again.state.cert == sound_profile(loaded.state).cert
    assert (again.state.mac.algorithm, again.state.mac.iterations) == (
        loaded.state.mac.algorithm,
        loaded.state.mac.iterations,
    )
    assert keytool_listing(out, s.password) == listings[name]
    openssl_accepts(out, s.password, legacy=s.openssl_legacy)
    if name.startswith("keytool"):
        # same safes, bag types and attributes (names, localKeyIds, trust) as keytool wrote,
        # except that a CA certificate is written once (issue 11 §7); the safe's scheme
        # may be modernised (RC2-40, issue 14)
        def kinds(walk: list[tuple[str, str, dict[str, Any]]]) -> list[Any]:
            return [(k.split(":")[0], b, a) for k, b, a in walk]

        assert kinds(walk_bags(data, s.password)) == kinds(
            _ca_once(walk_bags(s.path.read_bytes(), s.password)))
    if name == "openssl_default":
        ee = [
            a
            for _, b, a in walk_bags(data, s.password)
            if a["localKeyId"] and b == bags.OID_CERT_BAG
        ]
        assert ee[0]["friendlyName"] == "Leaf1"  # a loaded EE cert keeps its name's case


def _ca_once(layout: list[Any]) -> list[Any]:
    """A bag walk with repeated CA certificate bags (by subject name) dropped."""
    seen: set[Any] = set()
    out = []
    for item in layout:
        safe, bag, attrs = item
        if bag == bags.OID_CERT_BAG and attrs["localKeyId"] is None and not attrs["trusted"]:
            if (safe, attrs["friendlyName"]) in seen:
                continue
            seen.add((safe, attrs["friendlyName"]))
        out.append(item)
    return out


@needs_tools
@pytest.mark.interop
@pytest.mark.parametrize("profile", ["modern", "legacy"])
def test_new_store_read_by_keytool_and_openssl(
    pki: dict[str, Any], tmp_path: Path, profile: str
) -> None:
    entries = _fresh_entries(pki)
    out = tmp_path / f"{profile}.p12"
    out.write_bytes(pkcs12.dump("PKCS12", entries, "storepw1", pkcs12.new_state(profile)))
    want = {e.alias.lower(): (e.kind, [fingerprint(c) for c in e.chain_der]) for e in entries}
    assert keytool_listing(out, "storepw1") == want
    openssl_accepts(out, "storepw1", legacy=(profile == "legacy"))
    keytool_decrypts_all(out, "storepw1", tmp_path, len(entries))
    assert keytool_listing(out, "storepw1", tool="25") == want
    back = load(out.read_bytes(), "storepw1")
    # keytool's reader order: key/secret bags, then trusted certificates
    assert [e.alias for e in back.entries] == ["client", "aes", "second", "mac", "TrustedRoot"]
    assert back.entries[1].unlock("storepw1") == bytes(range(16))
    assert back.entries[1].sealed.algorithm == "AES"
    st = back.state
    if profile == "modern":
        assert (st.key.scheme, st.key.iterations, st.cert.scheme, st.cert.iterations) == (
            "PBES2-AES-256-CBC",
            10000,
            "PBES2-AES-256-CBC",
            10000,
        )
        assert (st.mac.algorithm, st.mac.iterations) == ("sha256", 10000)
    else:
        assert (st.key.scheme, st.cert.scheme, st.mac.algorithm, st.mac.iterations) == (
            "PBE-SHA1-3DES",
            "PBE-SHA1-RC2-40",
            "sha1",
            2048,
        )


@needs_tools
def test_modern_layout_is_keytools(pki: dict[str, Any]) -> None:
    entries = _fresh_entries(pki)
    data = pkcs12.dump("PKCS12", entries, "storepw1", None)
    layout = walk_bags(data, "storepw1")
    keyid = b"Time %d" % int(entries[0].created.timestamp() * 1000)
    key_safe = [(b, a) for s, b, a in layout if s == "data"]
    cert_safe = [(b, a) for s, b, a in layout if s != "data"]
    assert {s for s, _, _ in layout} == {"data", "encryptedData:PBES2-AES-256-CBC"}
    assert layout[0][0] == "data"  # keys first, then the encrypted certificate safe
    assert [a["friendlyName"] for _, a in key_safe] == ["client", "aes", "second", "mac"]
    assert key_safe[0] == (
        bags.OID_SHROUDED_KEY_BAG,
        {"friendlyName": "client", "localKeyId": keyid, "trusted": False},
    )
    assert key_safe[1][0] == bags.OID_SECRET_BAG
    names = [a["friendlyName"] for _, a in cert_safe]
    inter_dn = pki["pki"].inter.subject.rfc4514_string()
    root_dn = pki["pki"].root.subject.rfc4514_string()
    # EE with alias + localKeyId, CA certs by subject DN; keytool repeats them per key,
    # we write each once (issue 11 §7: shared chains multiplied the file size)
    assert names == ["client", inter_dn, root_dn, "TrustedRoot", "second"]
    assert cert_safe[0][1]["localKeyId"] == keyid
    assert cert_safe[1][1]["localKeyId"] is None
    assert cert_safe[3][1] == {"friendlyName": "TrustedRoot", "localKeyId": None, "trusted": True}
    # MAC: HmacPBESHA256, 20-byte salt, 10000 iterations
    pfx = der.parse(data).seq("PFX")
    parsed = mac.parse(pfx[2])
    assert (parsed.spec.algorithm, parsed.spec.iterations, len(parsed.salt)) == (
        "sha256",
        10000,
        20,
    )


@needs_tools
@pytest.mark.interop
def test_empty_store(tmp_path: Path) -> None:
    data = pkcs12.dump("PKCS12", [], "changeit", None)
    assert len(data) == 103  # what keytool writes for 0 entries
    out = tmp_path / "empty.p12"
    out.write_bytes(data)
    assert keytool_listing(out, "changeit") == {}
    assert (
        "contains 0 entries"
        in keytool("-list", "-keystore", str(out), "-storepass", "changeit").stdout
    )
    assert load(data, "changeit").entries == []


@needs_tools
@pytest.mark.interop
def test_password_change_needs_clear_keys(
    stores: dict[str, Store], listings: dict[str, Listing], tmp_path: Path
) -> None:
    s = stores["keytool17"]
    loaded = load(s.path.read_bytes(), s.password)
    with pytest.raises(KeystoreToolError, match="leaf1.*unlock it"):
        pkcs12.dump("PKCS12", loaded.entries, "another1", loaded.state)
    out = tmp_path / "newpw.p12"
    rewrite(s.path, s.password, out, new_password="another1")
    assert keytool_listing(out, "another1") == listings["keytool17"]
    keytool_decrypts_all(out, "another1", tmp_path, len(listings["keytool17"]))
    with pytest.raises(IntegrityError):
        load(out.read_bytes(), s.password)


@needs_tools
@pytest.mark.interop
def test_rename_resets_date_and_moves_to_end(stores: dict[str, Store], tmp_path: Path) -> None:
    s = stores["keytool17"]
    loaded = load(s.path.read_bytes(), s.password)
    entries = loaded.entries
    leaf1 = entries.pop(0)
    leaf1.alias = "Renamed"
    leaf1.created = datetime.now(UTC)
    entries.append(leaf1)
    out = tmp_path / "renamed.p12"
    out.write_bytes(pkcs12.dump("PKCS12", entries, s.password, loaded.state))
    listing = keytool_listing(out, s.password)
    assert "renamed" in listing and "leaf1" not in listing
    layout = walk_bags(out.read_bytes(), s.password)
    key_bags = [a for _, b, a in layout if b == bags.OID_SHROUDED_KEY_BAG]
    assert key_bags[-1]["friendlyName"] == "renamed"
    assert key_bags[-1]["localKeyId"] == b"Time %d" % int(leaf1.created.timestamp() * 1000)
    assert key_bags[0]["localKeyId"] == entries[0].extras["pkcs12.local_key_id"]  # untouched: kept
    assert leaf1.sealed.epki in out.read_bytes()


def test_many_keys_rename_costs_few_derivations(
    pki: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    p = pki["pki"]
    cheap = Profile(
        "cheap", pbe.PbeSpec("PBES2-AES-256-CBC", 1, 8), pkcs12.MODERN.cert, pkcs12.MODERN.mac
    )
    entries: list[Entry] = [
        key_entry(f"k{i}", p.leaf_key, [p.leaf, p.inter, p.root]) for i in range(300)
    ]
    data = pkcs12.dump("PKCS12", entries, "changeit", cheap)
    calls: list[str] = []
    for name in ("pbkdf2", "pkcs12_kdf"):
        real: Callable[..., bytes] = getattr(pbe, name)

        def counting(*a: Any, _real: Callable[..., bytes] = real, _n: str = name) -> bytes:
            calls.append(_n)
            return _real(*a)

        monkeypatch.setattr(pbe, name, counting)
        monkeypatch.setattr(mac, name, counting)
    t0 = time.perf_counter()
    loaded = load(data, "changeit")
    loaded.entries[5].alias = "renamed"
    loaded.entries[5].created = datetime.now(UTC)
    out = pkcs12.dump("PKCS12", loaded.entries, "changeit", loaded.state)
    elapsed = time.perf_counter() - t0
    # load: cert safe + MAC; dump: cert safe + MAC (no key bag decrypted or re-encrypted)
    assert len(calls) <= 4, calls
    assert len(load(out, "changeit").entries) == 300
    assert elapsed < 10  # generous bound; the benchmark measures the real figure


def test_entries_written_in_list_order(pki: dict[str, Any]) -> None:
    entries = _fresh_entries(pki)
    entries.reverse()
    data = pkcs12.dump("PKCS12", entries, "storepw1", None)
    assert [e.alias.lower() for e in load(data, "storepw1").entries] == [
        # keytool's reader: key/secret bags in order, then trusted certs (cert safe comes after)
        "mac",
        "second",
        "aes",
        "client",
        "trustedroot",
    ]


def test_key_with_another_password_is_unrecoverable(pki: dict[str, Any]) -> None:
    p = pki["pki"]
    other = pkcs12.dump("PKCS12", [key_entry("k", p.leaf_key, [p.leaf])], "keypass1", None)
    epki = load(other, "keypass1").entries[0].sealed.epki
    # A store whose key bag was protected with another password (Java API):
    entry = PrivateKeyEntry(
        "k",
        chain_der=[p.leaf.public_bytes(serialization.Encoding.DER)],
        sealed=bags.SealedKey(epki, "private", "storepw1"),
    )
    data = pkcs12.dump("PKCS12", [entry], "storepw1", None)
    loaded = load(data, "storepw1")
    assert loaded.entries[0].chain_der == entry.chain_der
    with pytest.raises(UnrecoverableKeyError) as err:
        loaded.entries[0].unlock("storepw1")
    assert str(err.value) == (
        "Get Key failed: Given final block not properly padded. Such issues can arise if a bad key "
        "is used during decryption."
    )
    assert loaded.entries[0].unlock("keypass1")


def test_sealed_key_from_another_format_needs_unlock() -> None:
    class ForeignSealed:
        format = "JKS"

        def unseal(self, password: str | None) -> bytes:
            raise AssertionError("dump must not unseal")

    entry = PrivateKeyEntry("x", sealed=ForeignSealed())
    with pytest.raises(KeystoreToolError, match="JKS"):
        pkcs12.dump("PKCS12", [entry], "changeit", None)


def test_passwordless_profile_roundtrip(pki: dict[str, Any]) -> None:
    p = pki["pki"]
    state = Profile("none", pkcs12.MODERN.key, pkcs12.profiles.NOT_ENCRYPTED, mac.NO_MAC)
    root = TrustedCertEntry("r", cert_der=p.root.public_bytes(serialization.Encoding.DER))
    data = pkcs12.dump("PKCS12", [root], None, state)
    loaded = load(data, None)
    assert loaded.verified and loaded.state.passwordless
    assert [e.alias for e in loaded.entries] == ["r"]
    with pytest.raises(KeystoreToolError, match="password is required"):
        pkcs12.dump("PKCS12", [root], None, None)


def test_new_state_and_password_warning() -> None:
    assert pkcs12.new_state("legacy") is pkcs12.PROFILES["legacy"]
    assert pkcs12.new_state("MODERN") is pkcs12.MODERN
    with pytest.raises(KeystoreToolError, match="Unknown PKCS12 profile"):
        pkcs12.new_state("fancy")
    assert pkcs12.password_warning("changeit") is None
    assert pkcs12.password_warning(None) is None
    warning = pkcs12.password_warning("päss123")
    assert warning is not None and "ASCII" in warning


def test_non_ascii_password_roundtrip(pki: dict[str, Any], tmp_path: Path) -> None:
    for profile in ("modern", "legacy"):
        data = pkcs12.dump("PKCS12", _fresh_entries(pki), "päss😀", pkcs12.new_state(profile))
        # OpenSSL agrees on the encoding (UTF-8 / BMP of it)
        path = tmp_path / f"{profile}.p12"
        path.write_bytes(data)
        openssl_accepts(path, "päss😀", legacy=(profile == "legacy"))
        loaded = load(data, "päss😀")
        assert loaded.entries[0].unlock("päss😀")
        with pytest.raises(IntegrityError):
            load(data, "pass")


@needs_tools
@pytest.mark.interop
def test_through_the_keystore_model(
    stores: dict[str, Store], pki: dict[str, Any], tmp_path: Path
) -> None:
    """The model's rename/delete/new on PKCS12 via this format (the CLI's path)."""
    from keystoretool.model import Keystore

    s = stores["keytool17"]
    ks = Keystore.loads(s.path.read_bytes(), s.password)
    ks.rename("Leaf1", "Renamed")
    ks.delete("aeskey")
    data = ks.dumps()
    ks.verify_bytes(data, s.password)
    out = tmp_path / "model.p12"
    out.write_bytes(data)
    listing = keytool_listing(out, s.password)
    assert sorted(listing) == ["inter ca", "leaf2", "renamed", "rootca"]
    new = Keystore.new("PKCS12", "changeit", profile="legacy")
    new.put("Client", _fresh_entries(pki)[0])
    legacy = tmp_path / "legacy.p12"
    legacy.write_bytes(new.dumps())
    assert list(keytool_listing(legacy, "changeit")) == ["client"]
    openssl_accepts(legacy, "changeit", legacy=True)


def attribute_oids(data: bytes, password: str) -> list[tuple[str, list[str]]]:
    """(bag type, attribute OIDs in file order) for every bag, certificate safe decrypted."""
    out = []
    pfx = der.parse(data).seq("PFX")
    auth = pfx[1].seq("ci")[1].explicit(0, "x").octets()
    for ci in der.parse(auth).seq("auth"):
        kids = ci.seq("ci")
        inner = kids[1].explicit(0, "x")
        if kids[0].oid() == "1.2.840.113549.1.7.1":
            contents = inner.octets()
        else:
            eci = inner.seq("ed")[1].seq("eci")
            contents = pbe.decrypt_node(eci[1], eci[2].content, password)
        for node in der.parse(contents).seq("safe"):
            b = node.seq("bag")
            attrs = [a.seq("attr")[0].oid() for a in b[2].children()] if len(b) > 2 else []
            out.append((b[0].oid(), attrs))
    return out


@needs_tools
@pytest.mark.interop
def test_other_bag_attributes_kept_like_keytool(pki: dict[str, Any], tmp_path: Path) -> None:
    """A Microsoft CSP name on an OpenSSL key bag: keytool keeps it on changealias and
    repeats it on the EE cert bag; so do we."""
    d: Path = pki["dir"]
    src = tmp_path / "csp.p12"
    run(
        [
            openssl_path(),
            "pkcs12",
            "-export",
            "-inkey",
            str(d / "leaf1.key"),
            "-in",
            str(d / "leaf1.pem"),
            "-name",
            "Leaf1",
            "-CSP",
            "Test CSP",
            "-passout",
            "pass:secret1",
            "-out",
            str(src),
        ]
    )
    theirs = tmp_path / "theirs.p12"
    shutil.copy(src, theirs)
    keytool(
        "-changealias",
        "-alias",
        "leaf1",
        "-destalias",
        "moved",
        "-keystore",
        str(theirs),
        "-storepass",
        "secret1",
    )
    loaded = load(src.read_bytes(), "secret1")
    entry = loaded.entries[0]
    entry.alias, entry.created = "moved", datetime.now(UTC)
    ours = pkcs12.dump("PKCS12", loaded.entries, "secret1", loaded.state)
    csp = "1.3.6.1.4.1.311.17.1"
    expected = attribute_oids(theirs.read_bytes(), "secret1")
    assert any(csp in attrs for _, attrs in expected)
    assert attribute_oids(ours, "secret1") == expected
