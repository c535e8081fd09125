"""keystoretool.certs: DN, -ext, -startdate, keys, certificates, CSRs, replies.

Byte-level expectations (string types, extension order, KeyUsage bits) were
taken from certificates real keytool 17 made; the interop tests at the end
compare with keytool directly when it is installed.
"""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
from cryptography.hazmat.primitives.serialization import Encoding, pkcs7
from cryptography.x509.oid import ExtensionOID, NameOID
from interop import run_keytool
from pkihelpers import ec_key, make_cert, make_pki, pem

from keystoretool import certinfo, certs, relations
from keystoretool.errors import KeystoreToolError

SEED_DNAME = "CN=John Doe, EMAILADDRESS=j@x.com, OU=Eng, O=ACME, L=Berlin, ST=BE, C=DE"


def types(name: x509.Name) -> list[tuple[str, str, str]]:
    return [(a.oid.dotted_string, a.value, a._type.name) for a in name]  # type: ignore[union-attr]


# ---------------------------------------------------------------- DN
def test_dname_order_and_string_types_like_keytool() -> None:
    name = certs.parse_dname(SEED_DNAME)
    # DER order is the reverse of the string; e-mail is IA5String, the rest PrintableString
    assert types(name) == [
        ("2.5.4.6", "DE", "PrintableString"),
        ("2.5.4.8", "BE", "PrintableString"),
        ("2.5.4.7", "Berlin", "PrintableString"),
        ("2.5.4.10", "ACME", "PrintableString"),
        ("2.5.4.11", "Eng", "PrintableString"),
        ("1.2.840.113549.1.9.1", "j@x.com", "IA5String"),
        ("2.5.4.3", "John Doe", "PrintableString"),
    ]
    assert certinfo.x500_str(name) == SEED_DNAME


def test_dname_utf8_and_escapes_quotes_semicolons() -> None:
    name = certs.parse_dname('CN=Jürgen_x, O="ACME, Inc.";OU=a\\+b , L=  Köln  ')
    assert types(name) == [
        ("2.5.4.7", "Köln", "UTF8String"),
        ("2.5.4.11", "a+b", "PrintableString"),
        ("2.5.4.10", "ACME, Inc.", "PrintableString"),
        ("2.5.4.3", "Jürgen_x", "UTF8String"),
    ]


def test_dname_multivalued_rdn_keywords_and_oids() -> None:
    name = certs.parse_dname("cn=x + ou=y, S=Bav, OID.2.5.4.5=123, 2.5.4.12=Boss, dc=ex")
    rdns = name.rdns
    assert len(rdns) == 5
    assert {a.oid.dotted_string for a in rdns[-1]} == {"2.5.4.3", "2.5.4.11"}
    assert types(x509.Name([rdns[0]])) == [("0.9.2342.19200300.100.1.25", "ex", "IA5String")]
    assert rdns[2]._attributes[0].oid.dotted_string == "2.5.4.5"  # type: ignore[attr-defined]
    assert rdns[3]._attributes[0].oid == NameOID.STATE_OR_PROVINCE_NAME  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "dname, message",
    [
        ("FOO=x", 'Invalid keyword "FOO"'),
        ("CN", "Incorrect AVA format"),
        ("CN=a<b", "Character '<' in AVA appears without escape"),
        ("CN=a\\x", "Invalid escaped character in AVA: 'x'"),
        ("CN=x, C=USA", "Illegal value: C=USA"),
        ("CN=x, C=1A", "Illegal value: C=1A"),
    ],
)
def test_dname_errors(dname: str, message: str) -> None:
    with pytest.raises(KeystoreToolError) as err:
        certs.parse_dname(dname)
    assert message in str(err.value)


def test_interactive_questions_loop_and_country_check() -> None:
    answers = iter(["John Doe", "Eng", "ACME", "Berlin", "BE", "DEU", "DE", "no",
                    "", "", "", "", "", "", "yes"])
    prompts: list[str] = []
    said: list[str] = []

    def ask(prompt: str) -> str | None:
        prompts.append(prompt)
        return next(answers)

    name = certs.ask_x500(ask, said.append, certinfo.x500_str)
    assert certinfo.x500_str(name) == "CN=John Doe, OU=Eng, O=ACME, L=Berlin, ST=BE, C=DE"
    assert prompts[0] == "What is your first and last name?\n  [Unknown]:  "
    assert prompts[5] == "What is the two-letter country code for this unit?\n  [Unknown]:  "
    assert prompts[7] == "Is CN=John Doe, OU=Eng, O=ACME, L=Berlin, ST=BE, C=DE correct?\n  [no]:  "
    # second round: the previous answers are the defaults
    assert prompts[8] == "What is your first and last name?\n  [John Doe]:  "
    assert said[0].startswith("The country must be a two-letter code")
    assert said[-1] == "\n"


def test_interactive_questions_eof_gives_up() -> None:
    with pytest.raises(KeystoreToolError, match="Too many retries, program terminated"):
        certs.ask_x500(lambda p: None, lambda s: None, certinfo.x500_str)


# ---------------------------------------------------------------- -ext
def ext_oids(exts: list[x509.Extension]) -> list[str]:  # type: ignore[type-arg]
    return [e.oid.dotted_string for e in exts]


def test_extensions_keytool_order_and_ski_last_word() -> None:
    key = ec_key()
    exts = certs.parse_extensions(
        ["eku=clientAuth,serverAuth", "bc:c", "san=dns:a.example,ip:1.2.3.4,email:x@y.z,uri:http://a/b",
         "ku:c=digitalSignature,keyEncipherment", "2.5.29.14=0405"],
        key.public_key(),
    )
    assert ext_oids(exts) == ["2.5.29.14", "2.5.29.15", "2.5.29.17", "2.5.29.19", "2.5.29.37"]
    ski = exts[0].value
    assert ski == x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    ku = exts[1]
    assert ku.critical and ku.value.value == b"\x03\x02\x05\xa0"  # type: ignore[attr-defined]
    assert exts[3].critical and exts[3].value == x509.BasicConstraints(True, None)
    assert not exts[4].critical
    assert list(exts[4].value) == [x509.ObjectIdentifier("1.3.6.1.5.5.7.3.2"),
                                   x509.ObjectIdentifier("1.3.6.1.5.5.7.3.1")]


@pytest.mark.parametrize(
    "value, expected",
    [
        ("bc", x509.BasicConstraints(True, None)),
        ("bc=3", x509.BasicConstraints(True, 3)),
        ("bc=ca:true,pathlen:0", x509.BasicConstraints(True, 0)),
        ("BasicConstraints=ca:false,pathlen:5", x509.BasicConstraints(False, None)),
    ],
)
def test_basic_constraints_forms(value: str, expected: x509.BasicConstraints) -> None:
    (ext,) = certs.parse_extensions([value])
    assert ext.value == expected and not ext.critical


def test_key_usage_all_bits_and_abbreviations() -> None:
    (ext,) = certs.parse_extensions(["ku=dS,contentCommitment,decipherOnly"])
    # bits 0, 1, 8 -> two bytes, 7 unused bits
    assert ext.value.value == b"\x03\x03\x07\xc0\x80"  # type: ignore[attr-defined]


@pytest.mark.parametrize("word, index", [("kE", 2), ("dS", 0), ("keyC", 5), ("cRLSign", 6),
                                         ("contentCommitment", 9)])
def test_one_of_abbreviations_like_keytool(word: str, index: int) -> None:
    assert certs.one_of(word, *certs.KU_NAMES) == index


@pytest.mark.parametrize("word", ["ke", "KE", "key", "c", "d"])
def test_one_of_ambiguous_like_keytool(word: str) -> None:
    with pytest.raises(KeystoreToolError, match=f"^command {word} is ambiguous: "):
        certs.one_of(word, *certs.KU_NAMES)


def test_later_ext_replaces_earlier_and_aia_crl() -> None:
    exts = certs.parse_extensions(
        ["san=dns:a", "san=dns:b", "aia=caIssuers:uri:http://ca/x.crt,ocsp:uri:http://o",
         "crl=uri:http://ca/x.crl", "1.2.3.4=01:02"])
    by = {e.oid.dotted_string: e for e in exts}
    assert list(by) == ["1.2.3.4", "1.3.6.1.5.5.7.1.1", "2.5.29.17", "2.5.29.31"]
    assert by["2.5.29.17"].value == x509.SubjectAlternativeName([x509.DNSName("b")])
    assert by["1.2.3.4"].value.value == b"\x01\x02"  # type: ignore[attr-defined]
    assert [d.access_method.dotted_string for d in by["1.3.6.1.5.5.7.1.1"].value] == [
        "1.3.6.1.5.5.7.48.2", "1.3.6.1.5.5.7.48.1"]


@pytest.mark.parametrize(
    "value, message",
    [
        ("san", "Illegal value: san"),
        ("ku=foo", "Unknown keyUsage type: foo"),
        ("eku=bogus", "Unknown extendedkeyUsage type: bogus"),
        ("san=foo:bar", "Unrecognized GeneralName type: foo"),
        ("san=dns:-bad", "DNSName components must begin with a letter, digit, or the first "
                         "component can have only a wildcard character *"),
        ("ian=dns:*.x", "DNSName components must begin with a letter or digit"),
        ("san=uri:nothing", "URI name must include scheme:nothing"),
        ("san=ip:1.2.3", "IPAddress 1.2.3 is not a valid"),
        ("foo=bar", 'ObjectIdentifier() -- Invalid format: For input string: "foo"'),
        ("aia:c=ocsp:uri:http://x", "This extension cannot be marked as critical."),
        ("1.2.3=abc", "Odd number of hex digits found: 1.2.3=abc"),
        ("s=dns:x", "command s is ambiguous: SubjectAlternativeName SubjectInfoAccess"),
        ("bc=ca:true,pathlen:x", 'For input string: "x"'),
    ],
)
def test_extension_errors(value: str, message: str) -> None:
    with pytest.raises(KeystoreToolError) as err:
        certs.parse_extensions([value])
    assert message in str(err.value)


def test_wildcard_dns_allowed_in_san() -> None:
    (ext,) = certs.parse_extensions(["san=dns:*.example.com"])
    assert ext.value == x509.SubjectAlternativeName([x509.DNSName("*.example.com")])


# ---------------------------------------------------------------- -startdate
NOW = dt.datetime(2026, 1, 31, 10, 20, 30, 123000, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    "text, expected",
    [
        (None, NOW),
        ("+1m", dt.datetime(2026, 2, 28, 10, 20, 30, 123000, tzinfo=dt.UTC)),
        ("-1y+2d-3H", dt.datetime(2025, 2, 2, 7, 20, 30, 123000, tzinfo=dt.UTC)),
        ("+10M+5S", dt.datetime(2026, 1, 31, 10, 30, 35, 123000, tzinfo=dt.UTC)),
        ("2025/12/24", dt.datetime(2025, 12, 24, 10, 20, 30, 123000, tzinfo=dt.UTC)),
        ("2020/13/45", dt.datetime(2021, 2, 14, 10, 20, 30, 123000, tzinfo=dt.UTC)),
        ("08:00:01", dt.datetime(2026, 1, 31, 8, 0, 1, tzinfo=dt.UTC)),
        ("2027/03/04 23:59:59", dt.datetime(2027, 3, 4, 23, 59, 59, tzinfo=dt.UTC)),
    ],
)
def test_startdate(text: str | None, expected: dt.datetime) -> None:
    assert certs.parse_startdate(text, NOW) == expected


@pytest.mark.parametrize("text", ["", "+", "+1", "+1x", "1y", "2025-12-24", "2025/12/24T08:00:00",
                                  "8:00:01", "+1y2m"])
def test_startdate_illegal(text: str) -> None:
    with pytest.raises(KeystoreToolError, match="^Illegal startdate value$"):
        certs.parse_startdate(text, NOW)


# ---------------------------------------------------------------- keys, sigalg
@pytest.mark.parametrize(
    "keyalg, keysize, group, size, display, sigalg, cls",
    [
        ("RSA", None, None, 2048, "RSA", "SHA256withRSA", rsa.RSAPrivateKey),
        ("rsa", 4096, None, 4096, "RSA", "SHA384withRSA", rsa.RSAPrivateKey),
        ("EC", None, None, 256, "EC (secp256r1)", "SHA256withECDSA", ec.EllipticCurvePrivateKey),
        ("EC", None, "secp384r1", 384, "EC (secp384r1)", "SHA384withECDSA",
         ec.EllipticCurvePrivateKey),
        ("EC", None, "secp521r1", 521, "EC (secp521r1)", "SHA512withECDSA",
         ec.EllipticCurvePrivateKey),
        ("DSA", None, None, 2048, "DSA", "SHA256withDSA", dsa.DSAPrivateKey),
        ("Ed25519", None, None, 255, "Ed25519", "Ed25519", ed25519.Ed25519PrivateKey),
        ("EdDSA", None, None, 255, "Ed25519", "Ed25519", ed25519.Ed25519PrivateKey),
        ("Ed448", None, None, 448, "Ed448", "Ed448", ed448.Ed448PrivateKey),
    ],
)
def test_key_defaults(keyalg: str, keysize: int | None, group: str | None, size: int,
                      display: str, sigalg: str, cls: type) -> None:
    g = certs.generate_key_pair(keyalg, keysize, group)
    assert isinstance(g.private_key, cls)
    got = (g.key_size, g.display_alg, certs.default_sigalg(g.private_key))
    assert got == (size, display, sigalg)
    assert g.warnings == []


def test_ec_keysize_deprecation_warning() -> None:
    g = certs.generate_key_pair("EC", 384)
    assert g.warnings == ['Specifying -keysize for generating EC keys is deprecated, please use '
                          '"-groupname secp384r1" instead.']


@pytest.mark.parametrize(
    "args, message",
    [
        ((None,), "The -keyalg option must be specified."),
        (("XDH",), "Cannot derive signature algorithm from XDH"),
        (("FOO",), "FOO KeyPairGenerator not available"),
        (("EC", None, "foo"), "Unknown curve name: foo"),
        (("RSA", 256), "Invalid key sizes"),
        (("EC", 256, "secp256r1"), "Cannot specify both -groupname and -keysize"),
    ],
)
def test_keygen_errors(args: tuple, message: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(KeystoreToolError, match=message.replace("(", r"\(").replace(")", r"\)")):
        certs.generate_key_pair(*args)


def test_sigalg_resolution() -> None:
    key = ec_key()
    assert certs.resolve_sigalg("sha384withecdsa", key).name == "SHA384withECDSA"
    with pytest.raises(KeystoreToolError, match="No installed provider supports this key: "
                       "sun.security.ec.ECPrivateKeyImpl"):
        certs.resolve_sigalg("SHA256withRSA", key)
    with pytest.raises(KeystoreToolError, match="^Foo Signature not available$"):
        certs.resolve_sigalg("Foo", key)


# ---------------------------------------------------------------- certificate, CSR
def test_self_signed_shape() -> None:
    key = ec_key()
    name = certs.parse_dname("CN=x")
    start = dt.datetime(2030, 5, 6, 7, 8, 9, 999000, tzinfo=dt.UTC)
    cert = certs.self_signed_certificate(key, name, start=start, validity_days=90,
                                         ext_values=["eku=clientAuth"])
    assert cert.version == x509.Version.v3
    assert 0 < cert.serial_number < 2**64
    assert cert.subject == cert.issuer == name
    assert cert.not_valid_before_utc == start.replace(microsecond=0)
    assert cert.not_valid_after_utc == start.replace(microsecond=0) + dt.timedelta(days=90)
    assert [e.oid for e in cert.extensions] == [ExtensionOID.SUBJECT_KEY_IDENTIFIER,
                                                ExtensionOID.EXTENDED_KEY_USAGE]
    assert relations.is_self_signed(cert)
    assert isinstance(cert.signature_hash_algorithm, hashes.SHA256)
    with pytest.raises(KeystoreToolError, match="Validity must be greater than zero"):
        certs.self_signed_certificate(key, name, start=start, validity_days=0)


@pytest.mark.parametrize("keyalg", ["DSA", "Ed25519", "Ed448"])
def test_self_signed_other_keys(keyalg: str) -> None:
    key = certs.generate_key_pair(keyalg).private_key
    cert = certs.self_signed_certificate(key, certs.parse_dname("CN=k"), start=NOW,
                                         validity_days=1)
    assert relations.is_self_signed(cert)
    assert certinfo.java_sig_alg_name(cert) == certs.default_sigalg(key)


def test_csr_has_ski_and_requested_extensions() -> None:
    key = ec_key()
    der = certs.build_csr(key, certs.parse_dname(SEED_DNAME), ext_values=["san=dns:foo",
                                                                          "eku=clientAuth"])
    csr = x509.load_der_x509_csr(der)
    assert csr.is_signature_valid
    assert csr.subject == certs.parse_dname(SEED_DNAME)
    assert [e.oid.dotted_string for e in csr.extensions] == ["2.5.29.14", "2.5.29.17", "2.5.29.37"]


# ---------------------------------------------------------------- reading input
def test_read_certificates_forms() -> None:
    pki = make_pki("Read")
    der = pki.leaf.public_bytes(Encoding.DER)
    assert certs.read_certificates(b"") == []
    assert certs.read_certificates(der) == [pki.leaf]
    assert certs.read_certificates(der + pki.inter.public_bytes(Encoding.DER)) == [pki.leaf,
                                                                                   pki.inter]
    text = b"some text\n" + pem(pki.leaf, pki.inter) + b"trailing junk\n"
    assert certs.read_certificates(text) == [pki.leaf, pki.inter]
    p7 = pkcs7.serialize_certificates([pki.leaf, pki.inter, pki.root], Encoding.DER)
    got = certs.read_certificates(p7)
    assert set(got) == {pki.leaf, pki.inter, pki.root}
    # in the order they are encoded (a DER SET OF is sorted), as Java reads them
    positions = [p7.index(c.public_bytes(Encoding.DER)) for c in got]
    assert positions == sorted(positions)
    p7pem = pkcs7.serialize_certificates([pki.leaf, pki.inter], Encoding.PEM)
    assert set(certs.read_certificates(p7pem)) == {pki.leaf, pki.inter}
    crlf = pem(pki.leaf).replace(b"\n", b"\r\n")
    assert certs.read_certificates(crlf) == [pki.leaf]


KEY_BLOCK = b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"


@pytest.mark.parametrize("data", [b"hello", b"  \n", b"\x30\x82\xff\xff\x01", KEY_BLOCK])
def test_read_certificates_garbage(data: bytes) -> None:
    with pytest.raises(certs.CertParseError,
                       match="^(No certificate data found|Could not parse certificate)$"):
        certs.read_certificates(data)


# ---------------------------------------------------------------- CA replies
def cands(*items: tuple[str, x509.Certificate]) -> list[certs.Candidate]:
    return [certs.Candidate(f"Issuer <{a}>", c) for a, c in items]


def self_cert(key: object) -> x509.Certificate:
    return make_cert("Test client", key)


def test_order_reply_shuffled_and_duplicates() -> None:
    pki = make_pki("Ord")
    user = self_cert(pki.leaf_key)
    ordered = certs.order_reply("k", user, [pki.root, pki.leaf, pki.inter, pki.root])
    assert ordered == [pki.leaf, pki.inter, pki.root]


def test_order_reply_errors() -> None:
    pki = make_pki("Err")
    other = make_pki("Other")
    user = self_cert(pki.leaf_key)
    with pytest.raises(KeystoreToolError, match=r"^Certificate reply does not contain public key "
                                                r"for <k>$"):
        certs.order_reply("k", user, [other.leaf, other.inter])
    with pytest.raises(KeystoreToolError, match="^Incomplete certificate chain in reply$"):
        certs.order_reply("k", user, [pki.leaf, pki.root, other.root])
    # two certificates: keytool does not check the second one
    assert certs.order_reply("k", user, [other.root, pki.leaf]) == [pki.leaf, other.root]


def test_establish_chain_from_store() -> None:
    pki = make_pki("Est")
    user = self_cert(pki.leaf_key)
    store = cands(("mykey", user), ("inter", pki.inter), ("root", pki.root))
    assert certs.establish_chain(user, pki.leaf, store) == [pki.leaf, pki.inter, pki.root]
    with pytest.raises(KeystoreToolError, match="^Failed to establish chain from reply$"):
        certs.establish_chain(user, pki.leaf, cands(("mykey", user), ("root", pki.root)))
    with pytest.raises(KeystoreToolError, match="^Public keys in reply and keystore don't match$"):
        certs.establish_chain(user, pki.inter, store)
    with pytest.raises(KeystoreToolError, match="^Certificate reply and certificate in keystore "
                                                "are identical$"):
        certs.establish_chain(user, user, store)


def test_find_signer_and_pkcs12_chain_check() -> None:
    pki = make_pki("Sig")
    store = cands(("a", self_cert(ec_key())), ("root", pki.root))
    found = certs.find_signer(pki.inter, store)
    assert found is not None and found.label == "Issuer <root>"
    itself = certs.find_signer(pki.root, store)
    assert itself is not None and itself.label == "" and itself.cert == pki.root
    assert certs.find_signer(pki.inter, cands(("x", pki.leaf))) is None
    assert certs.pkcs12_chain_valid([pki.leaf, pki.inter, pki.root])
    assert not certs.pkcs12_chain_valid([pki.leaf, pki.root])
    assert not certs.pkcs12_chain_valid([pki.root, pki.root])


def test_names_equal_is_case_and_space_insensitive() -> None:
    a = certs.parse_dname("CN=Foo  Bar, O=ACME")
    b = certs.parse_dname("cn=foo bar,o=acme")
    assert relations.names_equal(a, b)
    assert not relations.names_equal(a, certs.parse_dname("CN=Foo Bar"))


# ---------------------------------------------------------------- against keytool
keytool_only = pytest.mark.require_keytool("17")


@keytool_only
@pytest.mark.interop
@pytest.mark.parametrize(
    "dname",
    [
        SEED_DNAME,
        'CN=Jürgen_x, O="ACME, Inc.";OU=a\\+b , L=  Köln  ',
        "cn=x + ou=y, S=Bav, OID.2.5.4.5=123, dc=ex, T=Boss",
    ],
)
def test_dname_encoding_matches_keytool(tmp_path: Path, dname: str) -> None:
    ks = tmp_path / "k.p12"
    r = run_keytool(["-genkeypair", "-keystore", ks, "-storepass", "changeit", "-keyalg", "EC",
                     "-alias", "k", "-dname", dname])
    assert r.returncode == 0, r.stdout
    r = run_keytool(["-exportcert", "-keystore", ks, "-storepass", "changeit", "-alias", "k"])
    theirs = x509.load_der_x509_certificate(r.stdout)
    ours = certs.parse_dname(dname)
    assert ours.public_bytes() == theirs.subject.public_bytes()


@keytool_only
@pytest.mark.interop
def test_extensions_encoding_matches_keytool(tmp_path: Path) -> None:
    ks = tmp_path / "k.p12"
    exts = ["san=dns:a.example,ip:1.2.3.4,email:x@y.z,uri:http://a/b,oid:1.2.3", "bc:c=2",
            "ku:c=digitalSignature,keyEncipherment,keyCertSign", "eku=clientAuth,serverAuth,1.2.9",
            "ian=email:a@b", "aia=caIssuers:uri:http://ca/x.crt", "1.2.3.4:c=0a0b"]
    args = ["-genkeypair", "-keystore", ks, "-storepass", "changeit", "-keyalg", "EC", "-alias",
            "k", "-dname", "CN=x"]
    for e in exts:
        args += ["-ext", e]
    r = run_keytool(args)
    assert r.returncode == 0, r.stdout
    r = run_keytool(["-exportcert", "-keystore", ks, "-storepass", "changeit", "-alias", "k"])
    theirs = x509.load_der_x509_certificate(r.stdout)
    ours = certs.parse_extensions(exts, theirs.public_key())
    assert [(e.oid, e.critical) for e in ours] == [(e.oid, e.critical) for e in theirs.extensions]
    built = certs.self_signed_certificate(ec_key(), certs.parse_dname("CN=x"), start=NOW,
                                          validity_days=1, ext_values=exts)
    ski = ExtensionOID.SUBJECT_KEY_IDENTIFIER
    for mine, kt in zip(built.extensions, theirs.extensions, strict=True):
        if mine.oid != ski:
            assert mine.value.public_bytes() == kt.value.public_bytes(), mine.oid


@keytool_only
@pytest.mark.interop
def test_keytool_reads_our_pkcs7_parsing_the_same(tmp_path: Path) -> None:
    pki = make_pki("P7")
    p7 = tmp_path / "c.p7b"
    p7.write_bytes(pkcs7.serialize_certificates([pki.leaf, pki.inter], Encoding.PEM))
    r = run_keytool(["-printcert", "-file", p7])
    got = [line.split(": ", 1)[1] for line in r.stdout.decode().splitlines()
           if line.startswith("Owner: ")]
    ours = [certinfo.x500_str(c.subject) for c in certs.read_certificates(p7.read_bytes())]
    assert got == ours


def test_openssl_accepts_our_csr(tmp_path: Path) -> None:
    key = certs.generate_key_pair("RSA").private_key
    der = certs.build_csr(key, certs.parse_dname(SEED_DNAME))
    path = tmp_path / "r.csr"
    path.write_text(certinfo.pem(der, "NEW CERTIFICATE REQUEST"))
    r = subprocess.run(["openssl", "req", "-in", str(path), "-noout", "-verify"],
                       capture_output=True, check=False)
    assert r.returncode == 0 and b"verify OK" in r.stdout + r.stderr


@pytest.mark.parametrize("keyalg, sigalg", [("RSA", "SHA1withRSA"), ("EC", "SHA1withECDSA"),
                                            ("DSA", "SHA1withDSA")])
def test_sha1_signatures_are_made_by_re_signing(keyalg: str, sigalg: str) -> None:
    key = certs.generate_key_pair(keyalg, 1024 if keyalg != "EC" else None).private_key
    cert = certs.self_signed_certificate(key, certs.parse_dname("CN=old"), start=NOW,
                                         validity_days=1, sigalg=sigalg, ext_values=["bc"])
    assert certinfo.java_sig_alg_name(cert) == sigalg
    assert isinstance(cert.signature_hash_algorithm, hashes.SHA1)
    assert relations.is_self_signed(cert)
    csr = x509.load_der_x509_csr(certs.build_csr(key, cert.subject, sigalg=sigalg))
    assert isinstance(csr.signature_hash_algorithm, hashes.SHA1)
    # (cryptography's is_signature_valid refuses SHA-1; check the signature directly)
    pub = csr.public_key()
    if keyalg == "RSA":
        from cryptography.hazmat.primitives.asymmetric import padding

        pub.verify(csr.signature, csr.tbs_certrequest_bytes, padding.PKCS1v15(), hashes.SHA1())
    elif keyalg == "EC":
        pub.verify(csr.signature, csr.tbs_certrequest_bytes, ec.ECDSA(hashes.SHA1()))
    else:
        pub.verify(csr.signature, csr.tbs_certrequest_bytes, hashes.SHA1())
