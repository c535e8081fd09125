"""One home for certificate relations (keystoretool.relations), one rule for
name equality: Java's X500Principal.equals, used by the CA-reply logic
(certs), the chain checks (chain) and every other name comparison."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.x509.oid import NameOID
from pkihelpers import ec_key

from keystoretool import certs, relations
from keystoretool import chain as ch
from keystoretool.findings import Code
from keystoretool.jsondoc import certificate


def _name(*attrs: tuple[x509.ObjectIdentifier, str]) -> x509.Name:
    return x509.Name([x509.NameAttribute(oid, value) for oid, value in attrs])


def _cert(subject: x509.Name, issuer: x509.Name, key: Any, signer: Any, *,
          ca: bool) -> x509.Certificate:
    now = dt.datetime.now(dt.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(subject).issuer_name(issuer).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .sign(signer, hashes.SHA256())
    )


@pytest.fixture(scope="module")
def spaced() -> tuple[x509.Certificate, x509.Certificate]:
    """A root "CN=Root CA" and a leaf it signed whose issuer reads "CN=root  ca"."""
    root_key, leaf_key = ec_key(), ec_key()
    root_name = _name((NameOID.COMMON_NAME, "Root CA"))
    root = _cert(root_name, root_name, root_key, root_key, ca=True)
    leaf = _cert(_name((NameOID.COMMON_NAME, "leaf")), _name((NameOID.COMMON_NAME, "root  ca")),
                 leaf_key, root_key, ca=False)
    return leaf, root


def test_issuer_differing_in_case_and_spaces_signed_by_everywhere(spaced: Any) -> None:
    leaf, root = spaced
    assert leaf.issuer != root.subject  # cryptography's equality would say no
    assert relations.names_equal(leaf.issuer, root.subject)
    assert relations.signed_by(leaf, root)
    assert not relations.signed_by(root, leaf)
    assert relations.is_self_signed(root) and not relations.is_self_signed(leaf)
    # the chain checks
    assert ch.find_leaf([root, leaf]) == leaf
    assert ch.order_chain([root, leaf]) == [leaf, root]
    report = ch.diagnose([leaf, root], client_auth=False)
    assert [f.code for f in report.findings] == [Code.ROOT_INCLUDED]
    # keytool's CA-reply logic
    cands = certs.store_candidates([("root", relations.cert_der(root))])
    assert certs.establish_chain(None, leaf, cands) == [leaf, root]
    assert certs.pkcs12_chain_valid([leaf, root])


@pytest.mark.parametrize(("a", "b", "equal"), [
    # case, runs of spaces, leading/trailing spaces: folded for CN O OU C L ST STREET DC UID
    ("CN=Foo  Bar, O=ACME", "cn=foo bar,o=acme", True),
    ('CN=" Foo Bar "', "CN=Foo Bar", True),
    ("CN=Straße", "CN=STRASSE", True),  # Java's toUpperCase: ß -> SS
    # PrintableString and UTF8String compare as text
    ("CN=#0c03414243", "CN=abc", True),
    # other types compare as the hex of their DER: case matters (IA5String email)
    ("EMAILADDRESS=a@example.com", "EMAILADDRESS=A@example.com", False),
    ("EMAILADDRESS=a@example.com", "EMAILADDRESS=a@example.com", True),
    ("SERIALNUMBER=ab", "SERIALNUMBER=AB", False),
    # a multi-valued RDN is a set; the RDN sequence is not
    ("CN=a+OU=b", "OU=b+CN=a", True),
    ("CN=a, OU=b", "OU=b, CN=a", False),
    ("CN=a", "CN=a, O=x", False),
])
def test_names_equal_is_x500principal_equals(a: str, b: str, equal: bool) -> None:
    na, nb = certs.parse_dname(a), certs.parse_dname(b)
    assert relations.names_equal(na, nb) is equal
    assert relations.names_equal(na.public_bytes(), nb.public_bytes()) is equal
    assert (relations.canonical_name(na) == relations.canonical_name(nb)) is equal


def test_names_equal_on_undecodable_der() -> None:
    assert relations.names_equal(b"\x30\x05junk", b"\x30\x05junk")
    assert not relations.names_equal(b"\x30\x05junk", certs.parse_dname("CN=a"))


def test_same_key_fingerprint_and_der(spaced: Any) -> None:
    import hashlib

    leaf, root = spaced
    assert relations.same_key(leaf, leaf.public_key())
    assert relations.same_key(root, root)
    assert not relations.same_key(leaf, root)
    der = relations.cert_der(leaf)
    assert x509.load_der_x509_certificate(der) == leaf
    digest = hashlib.sha256(der).hexdigest().upper()
    assert relations.fingerprint(leaf) == ":".join(digest[i:i + 2] for i in range(0, 64, 2))
    assert relations.fingerprint(der, "SHA-1").count(":") == 19


def test_chain_describes_keys_in_keytools_words(spaced: Any) -> None:
    leaf, _root = spaced
    assert certificate(leaf)["key"] == "256-bit EC (secp256r1) key"


@pytest.mark.require_keytool("17")
def test_keytool_and_we_install_a_reply_whose_issuer_differs_in_case(tmp_path: Any) -> None:
    """keytool -importcert completes a reply issued by "CN=root  ca" with the
    trusted "CN=Root CA"; so do we (X500Principal.equals on both sides)."""
    import shutil

    from cryptography.hazmat.primitives.serialization import Encoding
    from interop import keytool_entries, run_cli, run_keytool, sha256_fingerprint

    root_key = ec_key()
    root_name = _name((NameOID.COMMON_NAME, "Root CA"))
    root = _cert(root_name, root_name, root_key, root_key, ca=True)
    (tmp_path / "root.pem").write_bytes(root.public_bytes(Encoding.PEM))
    ks = tmp_path / "ks.p12"
    common = ["-keystore", ks, "-storepass", "changeit", "-storetype", "PKCS12"]
    for args in (["-importcert", "-noprompt", "-alias", "root", "-file", tmp_path / "root.pem"],
                 ["-genkeypair", "-alias", "leaf", "-keyalg", "EC", "-dname", "CN=leaf"],
                 ["-certreq", "-alias", "leaf", "-file", tmp_path / "leaf.csr"]):
        res = run_keytool([*args, *common])
        assert res.returncode == 0, res.stderr
    csr = x509.load_pem_x509_csr((tmp_path / "leaf.csr").read_bytes())
    now = dt.datetime.now(dt.UTC)
    reply = (
        x509.CertificateBuilder()
        .subject_name(csr.subject).issuer_name(_name((NameOID.COMMON_NAME, "root  ca")))
        .public_key(csr.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=30))
        .sign(root_key, hashes.SHA256())
    )
    (tmp_path / "reply.pem").write_bytes(reply.public_bytes(Encoding.PEM))
    ours = tmp_path / "ours.p12"
    shutil.copy(ks, ours)
    install = ["-importcert", "-alias", "leaf", "-file", tmp_path / "reply.pem"]
    theirs_res = run_keytool([*install, *common])
    ours_res = run_cli([*install, "-keystore", ours, "-storepass", "changeit"])
    assert theirs_res.returncode == 0, theirs_res.stderr
    assert ours_res.returncode == 0, ours_res.stderr
    assert ours_res.stdout == theirs_res.stdout  # "Certificate reply was installed in keystore"
    want = [sha256_fingerprint(relations.cert_der(c)) for c in (reply, root)]
    assert keytool_entries(ks, "changeit")["leaf"][1] == want
    assert keytool_entries(ours, "changeit")["leaf"][1] == want
