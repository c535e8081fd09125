"""What a save changed is reported by the model (batch's ``changes`` come from
here), and store types are one enum."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

from interop import fixture_path

from keystoretool.formats import PROPRIETARY, READABLE, WRITABLE, StoreType
from keystoretool.model import Keystore, StoreChange


def test_save_reports_renamed_removed_added_and_replaced(tmp_path: Path) -> None:
    path = tmp_path / "all.p12"
    shutil.copy(fixture_path("kt17/all.p12"), path)
    ks = Keystore.load(path, "changeit")
    ks.rename("eckey", "ec2")
    ks.delete("dsakey")
    rsa = ks.get("rsakey")
    ks.put("copy", dataclasses.replace(rsa, alias="copy"))
    ks.put("rootca", dataclasses.replace(ks.get("rootca")), replace=True)
    change = ks.save()
    assert change == StoreChange(str(path), added=["copy"], removed=["dsakey"],
                                 renamed=[{"from": "eckey", "to": "ec2"}], replaced=["rootca"])
    assert change.entries_affected == 4
    # against the store as last saved: nothing more
    assert ks.save().entries_affected == 0


def test_store_type_enum() -> None:
    assert StoreType("PKCS12") == "PKCS12" and StoreType.JKS in PROPRIETARY
    assert READABLE == tuple(StoreType)
    assert set(WRITABLE) == {"JKS", "JCEKS", "PKCS12"}
    assert Keystore.new("jceks", "changeit").store_type == StoreType.JCEKS
