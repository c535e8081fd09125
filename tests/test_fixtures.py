"""The committed fixtures and fixtures/manifest.json agree with each other and with real keytool.

One keytool 17 ``-list -v`` per keystore (cached for the session, two in parallel):
every keystore keytool can read lists exactly the aliases, entry types and chain
fingerprints the manifest records. Everything else here is pure data checks.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from interop import (
    CORPUS,
    FIXTURES,
    expected_entries,
    key_password,
    manifest,
    run_keytool,
    sha256_fingerprint,
)

if TYPE_CHECKING:
    from conftest import KeytoolListings

FINGERPRINT = re.compile(r"[0-9A-F]{2}(:[0-9A-F]{2}){31}")
ENTRY_TYPES = {"PrivateKeyEntry", "trustedCertEntry", "SecretKeyEntry"}
NOT_LISTED = {"corpus/README.md"}

FILES: dict[str, dict[str, Any]] = manifest()["files"]
LISTABLE = sorted(p for p, r in FILES.items() if r["entries"] is not None)
REFUSED = sorted(p for p, r in FILES.items() if r["keytool_error"])

PYJKS_CORPUS = [
    "bks/christmas.bksv1",
    "bks/christmas.bksv2",
    "bks/custom_entry_passwords.bksv1",
    "bks/custom_entry_passwords.bksv2",
    "bks/empty.bksv1",
    "bks/empty.bksv2",
    "jceks/3certs.jceks",
    "jceks/AES128.jceks",
    "jceks/AES256.jceks",
    "jceks/DES.jceks",
    "jceks/DESede.jceks",
    "jceks/DSA2048.jceks",
    "jceks/PBKDF2WithHmacSHA1.jceks",
    "jceks/RSA1024.jceks",
    "jceks/RSA2048_3certs.jceks",
    "jceks/custom_entry_passwords.jceks",
    "jceks/duplicate_aliases.jceks",
    "jceks/empty.jceks",
    "jceks/unknown_sealed_object_sealAlg.jceks",
    "jceks/unknown_type_inside_sealed_object.jceks",
    "jceks/unknown_type_of_sealed_object.jceks",
    "jks/3certs.jks",
    "jks/DSA2048.jks",
    "jks/RSA1024.jks",
    "jks/RSA2048_3certs.jks",
    "jks/custom_entry_passwords.jks",
    "jks/duplicate_aliases.jks",
    "jks/empty.jks",
    "jks/non_ascii_password.jks",
    "jks/truststore.jks",
    "uber/christmas.uber",
    "uber/custom_entry_passwords.uber",
    "uber/empty.uber",
]


# ---------------------------------------------------------------- manifest vs files (no keytool)


def test_manifest_lists_every_fixture_file() -> None:
    on_disk = {
        p.relative_to(FIXTURES).as_posix()
        for p in FIXTURES.rglob("*")
        # keystores and materials live in subfolders; top-level files are scripts and docs
        if p.is_file()
        and len(p.relative_to(FIXTURES).parts) > 1
        and p.relative_to(FIXTURES).parts[0] not in ("gen", "p12x")  # p12x: own manifest
    }
    listed = set(FILES) | set(manifest()["materials"])
    assert on_disk - NOT_LISTED == listed


@pytest.mark.parametrize("path", sorted(FILES))
def test_manifest_record_is_well_formed(path: str) -> None:
    rec = FILES[path]
    assert rec["path"] == path
    assert (FIXTURES / path).stat().st_size == rec["size"]
    assert rec["store_type"] in {"JKS", "JCEKS", "PKCS12", "BKS", "UBER"}
    assert rec["made_by"] in {"keytool17", "keytool25", "openssl", "corpus"}
    assert isinstance(rec["store_password"], str)
    if rec["entries"] is None:
        assert not rec["keytool_readable"] or rec["keytool_error"]
        return
    for alias, entry in rec["entries"].items():
        assert entry["type"] in ENTRY_TYPES
        assert all(FINGERPRINT.fullmatch(fp) for fp in entry["chain"])
        if entry["type"] == "trustedCertEntry":
            assert len(entry["chain"]) == 1, alias
        elif entry["type"] == "SecretKeyEntry":
            assert entry["chain"] == [], alias
        else:
            assert len(entry["chain"]) >= 1, alias
    assert set(rec["key_passwords"]) <= set(rec["entries"])


def test_materials_fingerprints_match_pem_files() -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    pems = {p: m for p, m in manifest()["materials"].items() if "chain" in m}
    assert len(pems) >= 7
    for rel, material in pems.items():
        certs = x509.load_pem_x509_certificates((FIXTURES / rel).read_bytes())
        assert [sha256_fingerprint(c.public_bytes(Encoding.DER)) for c in certs] == material[
            "chain"
        ], rel


def test_openssl_p12_chains_are_the_pem_chain() -> None:
    chain = manifest()["materials"]["pem/leaf-chain.pem"]["chain"]
    for name in ("default_named", "default_noname", "legacy_named", "legacy_noname", "nomac"):
        (entry,) = FILES[f"openssl/{name}.p12"]["entries"].values()
        assert entry == {"type": "PrivateKeyEntry", "chain": chain}, name


def test_demo_stores_are_the_seed_stores() -> None:
    for name in ("snaplogic_SF.jks", "00D0m0000001mkL.jks"):
        assert (FIXTURES / "demo" / name).read_bytes() == (FIXTURES / "seed" / name).read_bytes()


def test_seed_stores_have_the_scenario_entries() -> None:
    sf = FILES["seed/snaplogic_SF.jks"]
    assert (sf["store_type"], sf["store_password"]) == ("JKS", "Snaplogic123")
    assert key_password(sf, "sourceAlias") == "Snaplogic123"
    assert {a: (e["type"], len(e["chain"])) for a, e in sf["entries"].items()} == {
        "sourcealias": ("PrivateKeyEntry", 3)
    }
    org = FILES["seed/00D0m0000001mkL.jks"]
    assert (org["store_type"], org["store_password"]) == ("JKS", "Snaplogic@123")
    assert {a: (e["type"], len(e["chain"])) for a, e in org["entries"].items()} == {
        "ma_2_cert_sep_22_2021": ("PrivateKeyEntry", 3),
        "ma_2_cert_oct_6_2021": ("PrivateKeyEntry", 2),
        "selfsignedcert_11dec2020_191506": ("PrivateKeyEntry", 1),
        "example_root_ca": ("trustedCertEntry", 1),
    }
    # both CA-signed keys chain up to the trusted root
    root = org["entries"]["example_root_ca"]["chain"][0]
    assert org["entries"]["ma_2_cert_sep_22_2021"]["chain"][-1] == root
    assert org["entries"]["ma_2_cert_oct_6_2021"]["chain"][-1] == root
    assert (
        sf["entries"]["sourcealias"]["chain"][1:]
        == org["entries"]["ma_2_cert_sep_22_2021"]["chain"][1:]
    )


def test_seed_runs_record_keytool_results() -> None:
    runs = {r["name"]: r for r in manifest()["seed_runs"]}
    assert list(runs) == ["changealias", "importkeystore", "delete"]
    assert all(r["rc"] == 0 for r in runs.values())
    sf = FILES["seed/snaplogic_SF.jks"]["entries"]
    org = FILES["seed/00D0m0000001mkL.jks"]["entries"]
    assert runs["changealias"]["result"]["entries"] == {"ma_2_cert_oct_6_2021": sf["sourcealias"]}
    assert runs["importkeystore"]["result"]["store_type"] == "PKCS12"
    assert runs["importkeystore"]["result"]["entries"] == {
        "ma_2_cert_sep_22_2021": org["ma_2_cert_sep_22_2021"]
    }
    assert "-storepass" not in runs["importkeystore"]["argv"]
    assert runs["importkeystore"]["stdin"].count("\n") == 3
    remaining = {a: e for a, e in org.items() if a != "selfsignedcert_11dec2020_191506"}
    assert runs["delete"]["result"]["entries"] == remaining


def test_truststore500_certificates_are_deterministic(tmp_path: Path) -> None:
    """gen/truststore.py makes the same 500 certificates the committed PKCS12 holds."""
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    pem_dir = tmp_path / "pems"
    subprocess.run(
        [
            sys.executable,
            str(FIXTURES / "gen" / "truststore.py"),
            "500",
            str(tmp_path / "t.jks"),
            "changeit",
            str(pem_dir),
        ],
        check=True,
        timeout=120,
    )
    made = {}
    for pem in pem_dir.glob("*.pem"):
        cert = x509.load_pem_x509_certificate(pem.read_bytes())
        made[pem.stem] = {
            "type": "trustedCertEntry",
            "chain": [sha256_fingerprint(cert.public_bytes(Encoding.DER))],
        }
    assert made == FILES["p12/truststore500.p12"]["entries"]


# ---------------------------------------------------------------- public corpus


def test_corpus_is_vendored() -> None:
    for rel in PYJKS_CORPUS:
        assert (CORPUS / "pyjks" / rel).is_file(), rel
        assert f"corpus/pyjks/{rel}" in FILES, rel
    for name in ("a1", "a2", "a3", "a4", "a5", "a6"):
        assert (CORPUS / "pbmac1-rfc9579" / f"rfc9579-{name}.txt").is_file()


# ---------------------------------------------------------------- real keytool 17


@pytest.fixture(scope="module")
def prefetched(request: pytest.FixtureRequest, keytool_listing: KeytoolListings) -> KeytoolListings:
    """List every keystore the selected tests need, two keytools at a time."""
    wanted = [
        item.callspec.params["path"]
        for item in request.session.items
        if getattr(item, "originalname", "") == "test_keytool17_lists_what_the_manifest_says"
        and hasattr(item, "callspec")
    ]
    keytool_listing.prefetch((FIXTURES / p, FILES[p]["store_password"]) for p in wanted)
    return keytool_listing


@pytest.mark.parametrize("path", LISTABLE)
def test_keytool17_lists_what_the_manifest_says(path: str, prefetched: KeytoolListings) -> None:
    rec = FILES[path]
    file = FIXTURES / path
    assert prefetched.store_type(file, rec["store_password"]) == rec["store_type"]
    assert prefetched(file, rec["store_password"]) == expected_entries(rec)


@pytest.mark.parametrize("path", REFUSED)
def test_keytool17_refuses_malformed_corpus_files(path: str, require_keytool: str) -> None:
    rec = FILES[path]
    proc = run_keytool(["-list", "-keystore", FIXTURES / path, "-storepass", rec["store_password"]])
    assert proc.returncode == 1
    assert proc.stdout.decode().splitlines()[0] == rec["keytool_error"]


def test_seed_leaf_has_client_auth_and_full_dname(keytool_listing: KeytoolListings) -> None:
    rec = FILES["seed/snaplogic_SF.jks"]
    text = keytool_listing.raw(FIXTURES / rec["path"], rec["store_password"])
    leaf = text.split("Certificate[2]:")[0]
    owner = re.search(r"^Owner: (.*)$", leaf, re.MULTILINE)
    assert owner is not None
    keys = [part.split("=", 1)[0] for part in owner.group(1).split(", ")]
    assert keys == ["CN", "EMAILADDRESS", "OU", "O", "L", "ST", "C"]
    assert re.search(r"ExtendedKeyUsages \[\n\s+clientAuth\n\]", leaf)
