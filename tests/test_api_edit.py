"""Keystore.edit and Keystore.save: the CLI's write rules for Python code
(issue 11, section 10). The race itself is in tests/test_write_races.py."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from keystoretool import Keystore, KeystoreToolError, TrustedCertEntry
from keystoretool.errors import AliasError

PW = "changeit"


def test_edit_creates_only_when_asked(tmp_path: Path) -> None:
    path = tmp_path / "trust.p12"
    with pytest.raises(KeystoreToolError, match="^Keystore file does not exist: "):
        with Keystore.edit(path, PW):
            pytest.fail("a missing keystore was opened")
    assert list(tmp_path.iterdir()) == []
    from cryptography.hazmat.primitives.serialization import Encoding
    from pkihelpers import make_pki

    der = make_pki("Api").root.public_bytes(Encoding.DER)
    with Keystore.edit(path, PW, create="PKCS12") as ks:
        ks.put("root", TrustedCertEntry("root", cert_der=der))
    assert Keystore.load(path, PW).aliases() == ["root"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["trust.p12"]


def test_edit_writes_nothing_when_the_block_fails(tmp_path: Path) -> None:
    from cryptography.hazmat.primitives.serialization import Encoding
    from pkihelpers import make_pki

    der = make_pki("Api").root.public_bytes(Encoding.DER)
    path = tmp_path / "ks.p12"
    ks = Keystore.new("PKCS12", PW)
    ks.put("a", TrustedCertEntry("a", cert_der=der))
    ks.save(path)
    before = path.read_bytes()
    with pytest.raises(AliasError):
        with Keystore.edit(path, PW) as ks:
            ks.delete("a")
            ks.delete("missing")
    assert path.read_bytes() == before
    with Keystore.edit(path, PW, backup=True) as ks:
        ks.delete("a")
    assert Keystore.load(path, PW).aliases() == []
    assert (tmp_path / "ks.p12.bak").read_bytes() == before


def test_save_after_my_own_save_is_no_conflict(tmp_path: Path) -> None:
    from cryptography.hazmat.primitives.serialization import Encoding
    from pkihelpers import make_pki

    der = make_pki("Api").root.public_bytes(Encoding.DER)
    path = tmp_path / "ks.p12"
    ks = Keystore.new("PKCS12", PW)
    ks.put("a", TrustedCertEntry("a", cert_der=der))
    ks.save(path)
    loaded = Keystore.load(path, PW)
    loaded.rename("a", "b")
    loaded.save()
    loaded.rename("b", "c")
    loaded.save()  # the file is the one this object wrote: no refusal
    assert Keystore.load(path, PW).aliases() == ["c"]
