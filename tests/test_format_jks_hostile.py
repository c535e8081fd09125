"""keystoretool.formats.jks on hostile bytes: every truncation, byte flip,
malformed header and absurd count is one clean error, never a traceback.
"""

from __future__ import annotations

import struct

import pytest
from jkshelpers import (
    CORPUS_FILES,
    TAMPERED,
    _small_jks,
    corpus,
    needs_corpus,
)

from keystoretool.entries import PrivateKeyEntry
from keystoretool.errors import (
    FormatError,
    IntegrityError,
    KeystoreToolError,
)
from keystoretool.formats import jks as J

pytestmark = pytest.mark.filterwarnings(
    "ignore:Parsed a serial number which wasn't positive",  # old corpus certificates
    "ignore:the imp module is deprecated",  # twofish, used by pyjks for UBER
)


# ---------------------------------------------------------------- hostile input


def test_every_truncation_is_a_clean_error(material: dict[str, tuple[bytes, bytes]]) -> None:
    data = _small_jks(material)
    for cut in range(len(data)):
        for password in ("changeit", None):
            try:
                J.load(data[:cut], password, "JKS")
            except KeystoreToolError as exc:
                assert "\n" not in str(exc)
            else:
                # Without a password the trailer is not read (keytool -list does
                # the same), so only the digest may be missing.
                assert password is None and cut >= len(data) - 20


def test_truncated_message(material: dict[str, tuple[bytes, bytes]]) -> None:
    data = _small_jks(material)
    with pytest.raises(FormatError, match="^Keystore file is truncated or corrupt$"):
        J.load(data[:300], "changeit", "JKS")


def test_every_byte_flip_is_detected(material: dict[str, tuple[bytes, bytes]]) -> None:
    data = _small_jks(material)
    for i in range(0, len(data), 7):
        bad = bytearray(data)
        bad[i] ^= 0x01
        with pytest.raises(KeystoreToolError):
            J.load(bytes(bad), "changeit", "JKS")


def test_tampered_body_reports_integrity(material: dict[str, tuple[bytes, bytes]]) -> None:
    data = bytearray(_small_jks(material))
    data[-100] ^= 0xFF  # inside the last certificate
    with pytest.raises(IntegrityError, match=f"^{TAMPERED}$"):
        J.load(bytes(data), "changeit", "JKS")


@pytest.mark.parametrize(
    "data,message",
    [
        (b"\xfe\xed\xfe\xed\x00\x00\x00\x02\x7f\xff\xff\xff", "truncated"),
        (
            b"\xfe\xed\xfe\xed\x00\x00\x00\x02\x00\x00\x00\x01"
            + b"\x00\x00\x00\x01\x00\x01a"
            + b"\x00" * 8
            + b"\xff\xff\xff\xf0"
            + b"\x00" * 64,
            "truncated",
        ),
        (b"\xfe\xed\xfe\xed\x00\x00\x00\x07\x00\x00\x00\x00", "Invalid keystore format"),
        (
            b"\xfe\xed\xfe\xed\x00\x00\x00\x02\x00\x00\x00\x01"
            + b"\x00\x00\x00\x09\x00\x01a"
            + b"\x00" * 40,
            "Unrecognized keystore entry: 9",
        ),
        (
            b"\xfe\xed\xfe\xed\x00\x00\x00\x02\x00\x00\x00\x01"
            + b"\x00\x00\x00\x03\x00\x01a"
            + b"\x00" * 40,
            "Unrecognized keystore entry: 3",
        ),
        (b"hello world", "Invalid keystore format"),
        (b"", "Invalid keystore format"),
    ],
)
def test_malformed_headers(data: bytes, message: str) -> None:
    for password in ("changeit", None):
        with pytest.raises(FormatError, match=message):
            J.load(data, password, "JKS")


def test_huge_chain_count_is_bounded() -> None:
    body = (
        b"\xfe\xed\xfe\xed\x00\x00\x00\x02\x00\x00\x00\x01"
        + b"\x00\x00\x00\x01\x00\x01a"
        + b"\x00" * 8
        + b"\x00\x00\x00\x02\x30\x00"
        + b"\x7f\xff\xff\xff"
        + b"\x00" * 40
    )
    with pytest.raises(FormatError, match="truncated"):
        J.load(body, None, "JKS")


def test_jceks_garbage_secret_entry() -> None:
    body = (
        b"\xce\xce\xce\xce\x00\x00\x00\x02\x00\x00\x00\x01"
        + b"\x00\x00\x00\x03\x00\x01a"
        + b"\x00" * 8
        + b"\xac\xed\x00\x05\x73\x72"
        + b"\xff" * 60
    )
    with pytest.raises(FormatError):
        J.load(body, None, "JCEKS")


@needs_corpus
@pytest.mark.parametrize(
    "name", ["bks/christmas.bksv1", "uber/christmas.uber", "jceks/custom_entry_passwords.jceks"]
)
def test_truncated_other_formats(name: str) -> None:
    store_type, password, _, _ = CORPUS_FILES[name]
    data = corpus(name)
    for cut in (0, 3, 4, 10, 30, 100, len(data) // 2, len(data) - 21, len(data) - 1):
        with pytest.raises(KeystoreToolError):
            J.load(data[:cut], password, store_type)


def test_bks_hostile_iteration_count_is_refused_fast() -> None:
    data = struct.pack(">II", 2, 20) + b"\x00" * 20 + b"\xff\xff\xff\xff" + b"\x00" * 21
    for password in ("changeit", None):
        with pytest.raises(FormatError, match="iteration count"):
            J.load(data, password, "BKS")


@needs_corpus
def test_random_corruption_never_escapes_as_a_traceback() -> None:
    import random

    rng = random.Random(20261127)
    sources = [
        ("jks/custom_entry_passwords.jks", "JKS"),
        ("jceks/custom_entry_passwords.jceks", "JCEKS"),
        ("jceks/AES256.jceks", "JCEKS"),
        ("bks/christmas.bksv2", "BKS"),
    ]
    for _ in range(400):
        name, store_type = rng.choice(sources)
        data = bytearray(corpus(name))
        for _ in range(rng.randint(1, 4)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        if rng.random() < 0.3:
            data = data[: rng.randrange(len(data))]
        try:
            loaded = J.load(
                bytes(data), rng.choice([None, "store_password", "12345678"]), store_type
            )
        except KeystoreToolError as exc:
            assert str(exc) and "\n" not in str(exc)
            continue
        for entry in loaded.entries:
            if isinstance(entry, PrivateKeyEntry) and store_type == "JKS":
                try:
                    entry.unlock("private_password")
                except KeystoreToolError as exc:
                    assert "\n" not in str(exc)
