"""keystoretool.formats.jks reading the pyjks public corpus: JKS, JCEKS, BKS, UBER.

Every corpus file loads with its password and its keys unseal; wrong passwords,
duplicate aliases and odd sealed objects are refused as Java refuses them.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from cryptography import x509
from jkshelpers import (
    CORPUS_FILES,
    SECRET_ALGORITHMS,
    TAMPERED,
    corpus,
    needs_corpus,
)

from keystoretool.entries import PrivateKeyEntry, SecretKeyEntry, TrustedCertEntry
from keystoretool.errors import (
    FormatError,
    IntegrityError,
    KeystoreToolError,
    UnrecoverableKeyError,
)
from keystoretool.formats import jks as J

pytestmark = pytest.mark.filterwarnings(
    "ignore:Parsed a serial number which wasn't positive",  # old corpus certificates
    "ignore:the imp module is deprecated",  # twofish, used by pyjks for UBER
)


@needs_corpus
@pytest.mark.parametrize("name", sorted(CORPUS_FILES))
def test_corpus_loads_with_password_and_keys_unseal(name: str) -> None:
    store_type, password, kinds, key_passwords = CORPUS_FILES[name]
    loaded = J.load(corpus(name), password, store_type)
    assert loaded.store_type == store_type
    assert loaded.verified is True
    assert {e.alias: e.kind for e in loaded.entries} == kinds
    for entry in loaded.entries:
        if isinstance(entry, TrustedCertEntry):
            x509.load_der_x509_certificate(entry.cert_der)
            continue
        assert entry.sealed is not None or entry.is_unlocked
        key = entry.unlock(key_passwords.get(entry.alias, password))
        if isinstance(entry, PrivateKeyEntry):
            entry.private_key()  # a real PKCS#8 key
            assert entry.chain_der, "key entries of the corpus all have chains"
            x509.load_der_x509_certificate(entry.chain_der[0])
        elif name in SECRET_ALGORITHMS:
            algorithm, size = SECRET_ALGORITHMS[name]
            assert entry.algorithm == algorithm
            assert len(key) == size


@needs_corpus
def test_corpus_bks_public_key_is_skipped_with_a_warning() -> None:
    loaded = J.load(corpus("bks/christmas.bksv1"), "12345678", "BKS")
    assert loaded.warnings == ["Entry <sealed_public_key> holds a public key; skipped"]


@needs_corpus
@pytest.mark.parametrize(
    "name",
    [
        "bks/custom_entry_passwords.bksv1",
        "bks/custom_entry_passwords.bksv2",
        "uber/custom_entry_passwords.uber",
    ],
)
def test_corpus_bks_custom_key_password(name: str) -> None:
    store_type = "UBER" if name.endswith("uber") else "BKS"
    loaded = J.load(corpus(name), "store_password", store_type)
    entries = {e.alias: e for e in loaded.entries}
    private = entries["sealed_private_key"]
    assert isinstance(private, PrivateKeyEntry)
    with pytest.raises(UnrecoverableKeyError, match="^Cannot recover key$"):
        private.unlock("store_password")
    private.unlock("private_password")
    private.private_key()


@needs_corpus
def test_corpus_jks_and_jceks_private_keys_are_the_same_key() -> None:
    a = J.load(corpus("jks/RSA2048_3certs.jks"), "12345678", "JKS").entries[0]
    b = J.load(corpus("jceks/RSA2048_3certs.jceks"), "12345678", "JCEKS").entries[0]
    assert isinstance(a, PrivateKeyEntry) and isinstance(b, PrivateKeyEntry)
    assert a.unlock("12345678") == b.unlock("12345678")
    assert a.chain_der == b.chain_der and len(a.chain_der) == 3


@needs_corpus
@pytest.mark.parametrize("name", [n for n, v in CORPUS_FILES.items() if v[0] != "UBER" and v[2]])
def test_corpus_without_password_reads_unverified(name: str) -> None:
    store_type, _password, kinds, _ = CORPUS_FILES[name]
    loaded = J.load(corpus(name), None, store_type)
    assert loaded.verified is False
    got = {e.alias: e.kind for e in loaded.entries}
    if store_type == "BKS":
        # BKS does not say what a sealed entry holds; without a password the
        # public key cannot be told from a secret key, so it is listed too.
        assert got.pop("sealed_public_key") == "SecretKeyEntry"
    assert got == kinds


@needs_corpus
def test_uber_without_password_is_a_clean_error() -> None:
    with pytest.raises(KeystoreToolError, match="UBER keystore cannot be read without"):
        J.load(corpus("uber/christmas.uber"), None, "UBER")


@needs_corpus
@pytest.mark.parametrize(
    "name",
    [
        "jks/RSA1024.jks",
        "jceks/AES128.jceks",
        "bks/christmas.bksv1",
        "bks/christmas.bksv2",
        "uber/christmas.uber",
        "jks/empty.jks",
    ],
)
def test_corpus_wrong_store_password(name: str) -> None:
    store_type = CORPUS_FILES[name][0]
    with pytest.raises(IntegrityError) as info:
        J.load(corpus(name), "wrong-password", store_type)
    assert str(info.value) == TAMPERED


@needs_corpus
@pytest.mark.parametrize(
    "name,alias",
    [
        ("jks/custom_entry_passwords.jks", "private"),
        ("jceks/custom_entry_passwords.jceks", "private"),
        ("jceks/custom_entry_passwords.jceks", "secret"),
        ("jceks/AES256.jceks", "mykey"),
        ("jceks/DSA2048.jceks", "mykey"),
        ("bks/christmas.bksv2", "sealed_secret_key"),
    ],
)
def test_corpus_wrong_key_password(name: str, alias: str) -> None:
    store_type, password, _, _ = CORPUS_FILES[name]
    entry = next(e for e in J.load(corpus(name), password, store_type).entries if e.alias == alias)
    assert isinstance(entry, (PrivateKeyEntry, SecretKeyEntry))
    for wrong in ("not-the-password", None, "\u00e9t\u00e9-non-ascii"):
        with pytest.raises(UnrecoverableKeyError) as info:
            entry.unlock(wrong)
        assert str(info.value) == "Cannot recover key"
    assert not entry.is_unlocked


@needs_corpus
@pytest.mark.parametrize("name", ["jks/duplicate_aliases.jks", "jceks/duplicate_aliases.jceks"])
def test_corpus_duplicate_aliases_refused(name: str) -> None:
    store_type = CORPUS_FILES.get(name, ("JKS" if name.endswith("jks") else "JCEKS",))[0]
    for password in ("12345678", None):
        with pytest.raises(FormatError, match="alias <my_alias> twice"):
            J.load(corpus(name), password, store_type)


@needs_corpus
def test_corpus_unknown_sealed_object_type_refused() -> None:
    with pytest.raises(FormatError, match="not a serialized SealedObject"):
        J.load(corpus("jceks/unknown_type_of_sealed_object.jceks"), "12345678", "JCEKS")


@needs_corpus
@pytest.mark.parametrize(
    "name,message",
    [
        ("jceks/unknown_sealed_object_sealAlg.jceks", "unsupported sealing algorithm"),
        ("jceks/unknown_type_inside_sealed_object.jceks", "unexpected sealed content"),
    ],
)
def test_corpus_odd_sealed_objects_list_but_do_not_unseal(name: str, message: str) -> None:
    # keytool -list does not open secret keys either; only recovery fails.
    loaded = J.load(corpus(name), "12345678", "JCEKS")
    (entry,) = loaded.entries
    assert isinstance(entry, SecretKeyEntry)
    with pytest.raises(UnrecoverableKeyError, match=message):
        entry.unlock("12345678")


@needs_corpus
def test_corpus_truststore_opens_without_password() -> None:
    # The corpus README's password for this file does not verify (keytool 17
    # agrees: "tampered with"); without a password it lists.
    with pytest.raises(IntegrityError):
        J.load(corpus("jks/truststore.jks"), "12345678", "JKS")
    loaded = J.load(corpus("jks/truststore.jks"), None, "JKS")
    assert loaded.entries and all(e.kind == "trustedCertEntry" for e in loaded.entries)


@needs_corpus
def test_jceks_file_refused_as_jks() -> None:
    with pytest.raises(FormatError, match="^Invalid keystore format$"):
        J.load(corpus("jceks/RSA1024.jceks"), "12345678", "JKS")


@needs_corpus
def test_load_keeps_timestamps() -> None:
    loaded = J.load(corpus("jks/RSA1024.jks"), "12345678", "JKS")
    created = loaded.entries[0].created
    assert created.tzinfo is not None
    assert datetime(2016, 1, 1, tzinfo=UTC) < created < datetime(2017, 1, 1, tzinfo=UTC)


@needs_corpus
def test_uber_detected_as_bks_is_read_as_uber() -> None:
    # formats.detect() says "BKS" for any file starting with the int 1 or 2;
    # an UBER store (also version 1) is recognised when BKS parsing fails.
    data = corpus("uber/christmas.uber")
    loaded = J.load(data, "12345678", "BKS")
    assert loaded.store_type == "UBER"
    assert {e.alias for e in loaded.entries} == set(CORPUS_FILES["uber/christmas.uber"][2])
    with pytest.raises(IntegrityError, match=f"^{TAMPERED}$"):
        J.load(data, "wrong-password", "BKS")
    with pytest.raises(FormatError, match="UBER keystore cannot be read without its password"):
        J.load(data, None, "BKS")


@needs_corpus
def test_bks_through_the_format_dispatcher() -> None:
    from keystoretool import formats

    loaded = formats.load(corpus("bks/christmas.bksv2"), "12345678")
    assert loaded.store_type == "BKS"
    loaded = formats.load(corpus("uber/christmas.uber"), "12345678")
    assert loaded.store_type == "UBER"
    loaded = formats.load(corpus("jceks/AES128.jceks"), "12345678", "JCEKS")
    assert loaded.store_type == "JCEKS"
    loaded = formats.load(corpus("jks/RSA1024.jks"), "12345678", "JCEKS")
    assert loaded.store_type == "JKS"  # JCEKS reads JKS files; they stay JKS


@needs_corpus
def test_broken_sealed_object_is_one_clean_error(capfd: pytest.CaptureFixture[str]) -> None:
    data = bytearray(corpus("jceks/custom_entry_passwords.jceks"))
    start = data.index(b"com.sun.crypto.provider.SealedObjectForKeyProtector")
    data[start] = ord("x")  # not the JDK's layout any more: parsed by javaobj
    cut = bytes(data[: start + 300])  # and truncated inside the object
    with pytest.raises(FormatError, match="^Invalid secret key entry"):
        J.load(cut, None, "JCEKS")
    out, err = capfd.readouterr()
    assert out == "" and err == ""  # javaobj's "Oops state dump" logging is silenced


@needs_corpus
def test_case_variants_of_one_alias_are_duplicates() -> None:
    data = bytearray(corpus("jks/3certs.jks"))
    data[data.index(b"cert2")] = ord("C")  # "Cert2" is "cert2" to Java
    data[data.index(b"cert3") + 4] = ord("2")  # and "cert3" becomes "cert2"
    with pytest.raises(FormatError, match="twice"):
        J.load(bytes(data), None, "JKS")
