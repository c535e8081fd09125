"""Issue 14: every PKCS12 algorithm OpenSSL 3 reads, one fixture file each.

fixtures/p12x/ (see fixtures/gen/p12x.py) holds one file per PBES2 cipher
(``pbes2-*``), PBKDF2 PRF (``prf-*``), scrypt (``kdf-scrypt``), PBES1 scheme
(``pbes1-*``), PKCS#12 PBE scheme (``pkcs12pbe-*``) and MAC digest (``mac-*``).
For each: our listing equals openssl's, the keys decrypt to openssl's keys
and match their certificates, and an import into JKS and PKCS12 is listed by
keytool 17 with the same entries. Refused algorithms get a clear message.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from p12x_support import (
    FILES,
    P12X,
    ImportedByKeytool,
    check_against_openssl,
    check_import,
    cli,
    names,
)

ALGORITHM_FILES = names("pbes2-", "prf-", "kdf-", "pbes1-", "pkcs12pbe-", "mac-")

pytestmark = pytest.mark.interop



def test_every_algorithm_has_a_file() -> None:
    """The generator covers the issue's list (a guard against a shrinking corpus)."""
    want = {
        "pbes2-aes-128-cbc", "pbes2-aes-192-cbc", "pbes2-aes-256-cbc", "pbes2-des-cbc",
        "pbes2-des-ede3-cbc", "pbes2-rc2-cbc", "pbes2-rc2-40-cbc", "pbes2-rc2-64-cbc",
        "pbes2-camellia-128-cbc", "pbes2-camellia-192-cbc", "pbes2-camellia-256-cbc",
        "pbes2-seed-cbc", "pbes2-idea-cbc", "pbes2-cast5-cbc", "pbes2-bf-cbc",
        "prf-md5", "prf-sha1", "prf-sha224", "prf-sha256", "prf-sha384", "prf-sha512",
        "prf-sha512-224", "prf-sha512-256", "prf-sha3-224", "prf-sha3-256", "prf-sha3-384",
        "prf-sha3-512", "kdf-scrypt",
        "pbes1-pbe-md5-des", "pbes1-pbe-sha1-des", "pbes1-pbe-md5-rc2-64", "pbes1-pbe-sha1-rc2-64",
        "pkcs12pbe-pbe-sha1-rc4-128", "pkcs12pbe-pbe-sha1-rc4-40", "pkcs12pbe-pbe-sha1-3des",
        "pkcs12pbe-pbe-sha1-rc2-40",
        "mac-md5", "mac-sha1", "mac-sha224", "mac-sha256", "mac-sha384", "mac-sha512",
        "mac-sha512-224", "mac-sha512-256", "mac-sha3-224", "mac-sha3-256", "mac-sha3-384",
        "mac-sha3-512",
    }
    assert {n.removesuffix(".p12") for n in ALGORITHM_FILES} >= want


@pytest.mark.parametrize("name", ALGORITHM_FILES)
def test_listing_and_keys_match_openssl(name: str) -> None:
    check_against_openssl(name)


@pytest.mark.parametrize("name", ALGORITHM_FILES)
@pytest.mark.parametrize("dest_type", ["JKS", "PKCS12"])
def test_importkeystore_is_read_back_by_keytool(
    imported: ImportedByKeytool, name: str, dest_type: str
) -> None:
    check_import(imported, name, dest_type)


def test_aria_is_refused_with_a_clear_message() -> None:
    r = cli("-list", "-keystore", str(P12X / "refused-aria-256-cbc.p12"), "-storepass",
            FILES["refused-aria-256-cbc.p12"]["password"])
    assert r.rc == 1
    assert r.err == ("keystoretool error: Unsupported PKCS12 keystore: "
                     "PBES2 cipher ARIA-256-CBC is not supported\n")


def test_weak_file_is_rewritten_with_the_modern_profile_and_a_note(tmp_path: Path) -> None:
    """A change to a DES/RC2-40/MD5-MAC file keeps the untouched key bag as it is,
    re-encrypts certificates and MAC with the modern profile, and says so in one line."""
    from keystoretool.formats import pkcs12

    for name in ("pbes2-des-cbc.p12", "mac-md5.p12", "pkcs12pbe-pbe-sha1-rc4-40.p12"):
        work = tmp_path / name
        work.write_bytes((P12X / name).read_bytes())
        pw = FILES[name]["password"]
        before = pkcs12.load(work.read_bytes(), pw)
        r = cli("-changealias", "-alias", "1", "-destalias", "renamed", "-keystore", str(work),
                "-storepass", pw)
        assert r.rc == 0, r.err
        notes = [line for line in r.err.splitlines() if line.startswith("Note: ")]
        assert len(notes) == 1 and "modern profile" in notes[0]
        after = pkcs12.load(work.read_bytes(), pw)
        assert after.state.mac.algorithm == "sha256" or before.state.mac.algorithm != "md5"
        assert after.state.cert.scheme in ("PBES2-AES-256-CBC", before.state.cert.scheme)
        assert after.state.cert.scheme == "PBES2-AES-256-CBC" or name == "mac-md5.p12"
        key_before = before.entries[0].sealed.epki  # type: ignore[attr-defined]
        assert key_before in work.read_bytes()  # the key bag itself is kept as it was


def test_sound_file_is_rewritten_with_its_own_algorithms(tmp_path: Path) -> None:
    from keystoretool.formats import pkcs12

    name = "pbes2-camellia-256-cbc.p12"
    work = tmp_path / name
    work.write_bytes((P12X / name).read_bytes())
    pw = FILES[name]["password"]
    r = cli("-changealias", "-alias", "1", "-destalias", "renamed", "-keystore", str(work),
            "-storepass", pw)
    assert r.rc == 0 and "Note: " not in r.err, r.err
    after = pkcs12.load(work.read_bytes(), pw)
    assert after.state.cert.scheme == "PBES2-CAMELLIA-256-CBC"
