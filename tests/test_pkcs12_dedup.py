"""Never write a file we then refuse to read (issue 11 §7).

Keys that share a CA chain used to have the whole chain written again for each
key: 1,960 keys on a 101-certificate chain went from 499 KB to 68.5 MB after
one ``-changealias``, and every later command refused the file as too large.
Each distinct CA certificate is now written once; Java (and our loader) link a
key's chain by its localKeyId, then by issuer name among all certificate bags.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from pathlib import Path

import pytest
from interop import run_cli, run_keytool

from keystoretool import storage
from keystoretool.entries import PrivateKeyEntry
from keystoretool.errors import KeystoreToolError
from keystoretool.model import Keystore

PW = "changeit"


def _chain(depth: int) -> tuple[list[bytes], object]:
    """A CA chain root -> ... (``depth`` certificates), bottom CA first, and
    the bottom CA's key."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    certs: list[bytes] = []
    issuer_key = ec.generate_private_key(ec.SECP256R1())
    issuer_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "CA 0")])
    key = issuer_key
    for i in range(depth):
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"CA {i}")])
        key = issuer_key if i == 0 else ec.generate_private_key(ec.SECP256R1())
        cert = (
            x509.CertificateBuilder().subject_name(name).issuer_name(issuer_name)
            .public_key(key.public_key()).serial_number(i + 1)
            .not_valid_before(now).not_valid_after(now + dt.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(issuer_key, hashes.SHA256())
        )
        certs.append(cert.public_bytes(serialization.Encoding.DER))
        issuer_key, issuer_name = key, name
    return list(reversed(certs)), key


def _store(keys: int, depth: int) -> Keystore:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    ca_chain, ca_key = _chain(depth)
    ca_name = x509.load_der_x509_certificate(ca_chain[0]).subject
    now = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    ks = Keystore.new("PKCS12", PW)
    for i in range(keys):
        key = ec.generate_private_key(ec.SECP256R1())
        leaf = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"key {i}")]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(1000 + i)
            .not_valid_before(now).not_valid_after(now + dt.timedelta(days=365))
            .sign(ca_key, hashes.SHA256())  # type: ignore[arg-type]
        )
        pkcs8 = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption())
        chain = [leaf.public_bytes(serialization.Encoding.DER), *ca_chain]
        ks.put(f"k{i}", PrivateKeyEntry(f"k{i}", pkcs8=pkcs8, chain_der=chain))
    return ks


def _openssl_cert_count(path: Path) -> int:
    r = subprocess.run(["openssl", "pkcs12", "-in", str(path), "-nokeys", "-passin",
                        f"pass:{PW}"], capture_output=True, text=True, check=True)
    return r.stdout.count("-----BEGIN CERTIFICATE-----")


def _keytool_chains(path: Path) -> dict[str, list[str]]:
    """alias -> SHA-256 fingerprints of its chain, as keytool 17 reads the file."""
    r = run_keytool(["-list", "-v", "-keystore", path, "-storepass", PW])
    assert r.returncode == 0, r.stderr
    chains: dict[str, list[str]] = {}
    alias = ""
    for line in r.stdout.decode().splitlines():
        if line.startswith("Alias name: "):
            alias = line[len("Alias name: "):]
            chains[alias] = []
        m = re.match(r"\s*SHA256: (\S+)", line)
        if m:
            chains[alias].append(m.group(1))
    return chains


def test_each_ca_certificate_is_written_once(tmp_path: Path, require_openssl: str) -> None:
    ks = _store(keys=40, depth=20)
    path = tmp_path / "shared.p12"
    ks.save(path)
    assert _openssl_cert_count(path) == 40 + 20  # one leaf per key, the chain once
    again = Keystore.load(path, PW)
    for alias in ks.aliases():
        assert again.get(alias).chain_der == ks.get(alias).chain_der


def test_changealias_keeps_a_shared_chain_store_small(tmp_path: Path) -> None:
    # The case, scaled down: 150 keys on a 40-certificate chain.
    path = tmp_path / "shared.p12"
    ks = _store(keys=150, depth=40)
    ks.save(path)
    before = path.stat().st_size
    r = run_cli(["-changealias", "-alias", "k7", "-destalias", "renamed", "-keystore", path,
                 "-storepass", PW])
    assert r.returncode == 0, r.stderr
    after = path.stat().st_size
    # ~1 KB per key (key bag + leaf) plus the chain once; writing every key's
    # chain again made it ~2 MB (and 68.5 MB for the 1,960 x 101).
    bound = 150 * 1200 + 40 * 800
    assert before < bound and after < bound, (before, after, bound)
    again = Keystore.load(path, PW)
    assert again.get("renamed").chain_der == ks.get("k7").chain_der
    assert len(again.get("k149").chain_der) == 41


def test_keytool_reads_the_deduplicated_file_with_full_chains(
    tmp_path: Path, require_keytool: str
) -> None:
    ks = _store(keys=4, depth=5)
    ours = tmp_path / "ours.p12"
    ks.save(ours)
    chains = _keytool_chains(ours)
    assert sorted(chains) == sorted(ks.aliases())
    assert all(len(c) == 6 for c in chains.values()), chains

    # keytool rewrites it (a keytool-made multi-key store), we change it, and
    # keytool still reads every chain in full.
    theirs = tmp_path / "theirs.p12"
    r = run_keytool(["-importkeystore", "-srckeystore", ours, "-srcstorepass", PW,
                     "-destkeystore", theirs, "-deststorepass", PW, "-deststoretype", "PKCS12",
                     "-noprompt"])
    assert r.returncode == 0, r.stderr
    assert _keytool_chains(theirs) == chains
    r = run_cli(["-changealias", "-alias", "k0", "-destalias", "first", "-keystore", theirs,
                 "-storepass", PW])
    assert r.returncode == 0, r.stderr
    after = _keytool_chains(theirs)
    assert after["first"] == chains["k0"]
    assert {a: c for a, c in after.items() if a != "first"} == {
        a: c for a, c in chains.items() if a != "k0"}


def test_a_store_over_the_read_limit_is_refused_before_writing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "ks.p12"
    ks = _store(keys=3, depth=2)
    ks.save(path)
    before = path.read_bytes()
    monkeypatch.setattr(storage, "MAX_KEYSTORE_SIZE", len(before) + 100)
    for i in range(3, 6):
        ks.put(f"extra{i}", ks.get("k0").__class__(f"extra{i}", pkcs8=ks.get("k0").unlock(PW),
                                                   chain_der=ks.get("k0").chain_der))
    with pytest.raises(KeystoreToolError) as exc:
        ks.save(path)
    assert re.fullmatch(
        r"The keystore would be [\d,]+ bytes, over the [\d,]+-byte limit keystoretool reads; "
        r"nothing was written", str(exc.value))
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["ks.p12"]
