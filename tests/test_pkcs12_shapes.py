"""Issue 14: PKCS12 file shapes (fixtures/p12x/shape-*), and what keytool ignores.

Unencrypted keyBags are key entries; files without a MAC, with clear
certificates, certificate-only, key-only, with several keys or in BER
indefinite-length encoding are read. Certificates of no key and without the
Java trust attribute are skipped as keytool skips them, with a warning naming
``--keep-unattached-certs``, which reads them as trusted-certificate entries
with stable aliases. Anything else not understood is named in a warning.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from p12x_support import (
    DEST_PASSWORD,
    FILES,
    P12X,
    ImportedByKeytool,
    check_against_openssl,
    check_import,
    cli,
    names,
    our_entries,
    readable,
)

SHAPE_FILES = [n for n in names("shape-") if readable(n)]
PW = "p12x-secret"

pytestmark = pytest.mark.interop



@pytest.mark.parametrize("name", SHAPE_FILES)
def test_listing_and_keys_match_openssl(name: str) -> None:
    check_against_openssl(name)


@pytest.mark.parametrize("name", SHAPE_FILES)
@pytest.mark.parametrize("dest_type", ["JKS", "PKCS12"])
def test_importkeystore_is_read_back_by_keytool(
    imported: ImportedByKeytool, name: str, dest_type: str
) -> None:
    check_import(imported, name, dest_type)


def _list(name: str, *extra: str) -> tuple[int, str, str]:
    r = cli("-list", "-keystore", str(P12X / name), "-storepass", PW, *extra)
    return r.rc, r.out, r.err


def test_keybag_is_a_private_key_entry() -> None:
    rc, out, err = _list("shape-keybag.p12")
    assert rc == 0, err
    assert "Your keystore contains 1 entry" in out and "PrivateKeyEntry" in out


def test_unattached_certificates_are_skipped_with_a_warning() -> None:
    rc, out, err = _list("shape-nokeys-chain.p12")
    assert rc == 0
    assert "Your keystore contains 0 entries" in out
    assert ("3 certificates that belong to no key and carry no trust attribute were skipped, "
            "as keytool skips them; --keep-unattached-certs reads them as trusted certificate "
            "entries.") in err
    rc, out, err = _list("shape-extra-cert.p12")
    assert "Your keystore contains 1 entry" in out
    assert "1 certificate that belongs to no key and carries no trust attribute was skipped" in err


def test_kept_unattached_certificates_have_stable_aliases() -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    other = (P12X.parent / "pem" / "other-root.pem").read_bytes()
    fp = hashlib.sha256(
        x509.load_pem_x509_certificate(other).public_bytes(Encoding.DER)).hexdigest()
    for _ in range(2):  # same aliases on every run
        rc, out, err = _list("shape-extra-cert.p12", "--keep-unattached-certs")
        assert rc == 0 and "skipped" not in err
        assert f"cert-{fp[:16]}, " in out and "trustedCertEntry" in out
    rc, out, _ = _list("shape-nokeys-one.p12", "--keep-unattached-certs")
    assert "other root, " in out  # the friendlyName (-caname) when there is one


def test_native_syntax_takes_the_option() -> None:
    r = cli("list", "--keystore", str(P12X / "shape-nokeys-one.p12"), "--storepass", PW,
            "--keep-unattached-certs")
    assert r.rc == 0, r.err
    assert "trustedCertEntry" in r.out


def test_unknown_bag_is_named_in_a_warning_and_kept_on_rewrite(tmp_path: Path) -> None:
    rc, out, err = _list("shape-unknown-bag.p12")
    assert rc == 0
    assert 'Skipped a bag of type 1.3.6.1.4.1.55555.1.1 "vendor"' in err
    work = tmp_path / "u.p12"
    work.write_bytes((P12X / "shape-unknown-bag.p12").read_bytes())
    r = cli("-changealias", "-alias", "client", "-destalias", "renamed", "-keystore", str(work),
            "-storepass", PW)
    assert r.rc == 0, r.err
    again = cli("-list", "-keystore", str(work), "-storepass", PW)  # the bag is still there
    assert 'Skipped a bag of type 1.3.6.1.4.1.55555.1.1 "vendor"' in again.err
    assert "renamed, " in again.out


def test_unattached_certificates_survive_a_rewrite(tmp_path: Path) -> None:
    work = tmp_path / "x.p12"
    work.write_bytes((P12X / "shape-extra-cert.p12").read_bytes())
    r = cli("-changealias", "-alias", "1", "-destalias", "renamed", "-keystore", str(work),
            "-storepass", PW)
    assert r.rc == 0, r.err
    r = cli("-list", "-keystore", str(work), "-storepass", PW, "--keep-unattached-certs")
    assert r.rc == 0 and "Your keystore contains 2 entries" in r.out, r.err
    assert len(our_entries(work, PW)) == 2  # renamed key + the kept certificate


def test_untouched_keybag_stays_a_keybag(tmp_path: Path) -> None:
    from keystoretool import der
    from keystoretool.formats.pkcs12 import bags, codec

    work = tmp_path / "k.p12"
    work.write_bytes((P12X / "shape-keybag.p12").read_bytes())
    r = cli("-changealias", "-alias", "1", "-destalias", "renamed", "-keystore", str(work),
            "-storepass", PW)
    assert r.rc == 0, r.err
    data = work.read_bytes()
    pfx = der.parse(data).seq("PFX")
    auth = pfx[1].seq("ci")[1].explicit(0, "x").octets()
    first = der.parse(auth).seq("a")[0].seq("ci")[1].explicit(0, "x").octets()
    assert bags.parse_safe_contents(first)[0].bag_id == bags.OID_KEY_BAG
    assert codec.load(data, PW).entries[0].alias == "renamed"


def test_key_in_an_unavailable_cipher_is_named_and_refused_on_use(tmp_path: Path) -> None:
    rc, out, err = _list("shape-aria-key.p12")
    assert rc == 0 and "PrivateKeyEntry" in out
    assert ("The key of <1> cannot be decrypted here: PBES2 cipher ARIA-256-CBC is not "
            "supported") in err
    r = cli("-importkeystore", "-srckeystore", str(P12X / "shape-aria-key.p12"), "-srcstorepass",
            PW, "-destkeystore", str(tmp_path / "d.p12"), "-deststorepass", DEST_PASSWORD,
            "-noprompt")
    assert r.rc == 1
    assert r.err.splitlines()[-1] == (
        "keystoretool error: Get Key failed: PBES2 cipher ARIA-256-CBC is not supported")
    assert "Traceback" not in r.err


def test_no_python_warning_reaches_stderr_in_a_real_process(tmp_path: Path) -> None:
    """One ``batch`` process lists and exports every file: stderr has our
    warnings only, never a Python warning (e.g. cryptography's deprecations)."""
    from interop import run_cli

    from keystoretool import Keystore

    lines = []
    for name in names(""):
        if FILES[name]["expect"] != "read":
            continue
        lines.append(f"-list -v -keystore {P12X / name} -storepass {PW} --keep-unattached-certs")
        if FILES[name]["keys"] and readable(name):
            out = tmp_path / f"{name}.pem"
            alias = Keystore.load(P12X / name, PW).key_entries()[0].alias
            lines.append(f"exportpem --keystore {P12X / name} --storepass {PW} --alias "
                         f"'{alias}' --no-encrypt --out {out}")
    script = tmp_path / "all.txt"
    script.write_text("\n".join(lines) + "\n", encoding="utf-8")
    proc = run_cli(["batch", "--keep-going", str(script)], env={"PYTHONWARNINGS": "default"})
    err = proc.stderr.decode()
    assert proc.returncode == 0, err[-2000:]
    for marker in ("DeprecationWarning", "CryptographyDeprecationWarning", "UserWarning",
                   "Traceback", "warnings.warn"):
        assert marker not in err


def test_other_producers_habits_are_read_and_named() -> None:
    rc, out, err = _list("shape-producer-quirks.p12")
    assert rc == 0, err
    assert "clé utf8, " in out  # a UTF8String friendlyName
    assert ('Skipped a secret bag "app-secret" of type 1.3.6.1.4.1.55555.2: not a Java secret '
            "key; it is kept in the file") in err
    rc, out, err = _list("shape-duplicate-names.p12")
    assert rc == 0 and "Your keystore contains 2 entries" in out
    assert ("Two entries are named <same>: the second is read as <same-2> (keytool keeps only "
            "one of them)") in err


def test_mutated_files_are_refused_cleanly_and_fast() -> None:
    """400 seeded mutations of the new shapes and algorithms (parameter blocks of RC2,
    CAST5, scrypt, PBES1, BER lengths): every load and key unlock ends in a result or a
    keystoretool error, never another exception, each within 2 s."""
    import random
    import time

    from keystoretool.entries import PrivateKeyEntry
    from keystoretool.errors import KeystoreToolError
    from keystoretool.formats import pkcs12

    rng = random.Random(14)
    sources = [(P12X / n).read_bytes() for n in names("") if FILES[n]["expect"] == "read"]
    slow: list[str] = []
    for i in range(400):
        data = bytearray(rng.choice(sources))
        for _ in range(rng.randint(1, 4)):
            pos = rng.randrange(len(data))
            op = rng.random()
            if op < 0.6:
                data[pos] ^= 1 << rng.randrange(8)
            elif op < 0.8:
                data[pos] = rng.choice([0x00, 0x7F, 0x80, 0xFF])
            else:
                del data[pos:pos + rng.randint(1, 16)]
        start = time.monotonic()
        try:
            loaded = pkcs12.load(bytes(data), PW)
            for entry in loaded.entries:
                if isinstance(entry, PrivateKeyEntry) and not entry.is_unlocked:
                    try:
                        entry.unlock(PW)
                    except KeystoreToolError:
                        pass
        except KeystoreToolError:
            pass
        if time.monotonic() - start > 2.0:
            slow.append(f"case {i}: {time.monotonic() - start:.1f} s")
    assert slow == []
