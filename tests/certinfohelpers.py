"""Shared inputs of the keystoretool.certinfo tests (test_certinfo_*.py), against keytool 17.

Three certificate sources, rendered by keytool in as few JVM starts as practical
(session-scoped fixtures ``keytool_store`` and ``printed``, loaded as a pytest
plugin by tests/conftest.py; one ``-printcert`` run for every certificate):

* keytool itself (``-genkeypair`` of each key type, a CA-signed chain, a
  trusted SHA1/1024-bit certificate) -- compared with ``-list -v`` and ``-printcert``;
* openssl (CRL distribution points, policies, name constraints, multi-valued RDNs,
  UTF-8 names, MD5/SHA-1/SHA3/PSS signatures, brainpool and secp256k1 keys...);
* hand-made DER (string types, quoting corner cases, odd serials and dates,
  malformed extensions that Java reports as "Unparseable", weak/disabled keys).
"""

from __future__ import annotations

import base64
import difflib
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed25519, rsa, x25519
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from interop import KEYTOOL17, OPENSSL, openssl_path

from keystoretool import x509der

STOREPASS = "changeit"


def _env(tz: str = "UTC") -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "JAVA_TOOL", "_JAVA"))}
    env.update(LANG="C.UTF-8", TZ=tz)
    return env


def _run(args: list[str], tz: str = "UTC", cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        args, cwd=cwd, env=_env(tz), capture_output=True, timeout=300, check=False
    )


def _keytool(*args: str, tz: str = "UTC", cwd: Path | None = None) -> tuple[str, str]:
    assert KEYTOOL17 is not None
    proc = _run([KEYTOOL17, *args], tz=tz, cwd=cwd)
    out, err = proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8")
    assert proc.returncode == 0, f"keytool {' '.join(args)} failed:\n{out}{err}"
    return out, err


def assert_same(expected: str, actual: str, what: str) -> None:
    """Byte-exact comparison with a field-by-field report of the differences."""
    if expected == actual:
        return
    exp_lines, act_lines = expected.splitlines(True), actual.splitlines(True)
    fields = []
    for i, (e, a) in enumerate(zip(exp_lines, act_lines, strict=False), 1):
        if e != a:
            field = e.split(":", 1)[0] if ":" in e else "line"
            fields.append(f"  line {i} ({field.strip()}): keytool {e!r} != ours {a!r}")
    if len(exp_lines) != len(act_lines):
        fields.append(f"  keytool has {len(exp_lines)} lines, ours {len(act_lines)}")
    diff = "".join(difflib.unified_diff(exp_lines, act_lines, "keytool", "certinfo", n=2))
    pytest.fail(f"{what} differs from keytool:\n" + "\n".join(fields[:10]) + "\n" + diff)


def _pem_of(der: bytes) -> str:
    return "-----BEGIN CERTIFICATE-----\n" + base64.encodebytes(der).decode() + (
        "-----END CERTIFICATE-----\n"
    )


def _load(der: bytes) -> x509.Certificate | None:
    """cryptography's Certificate, or None where it is stricter than Java (keytool's
    SHA256withDSA certificates carry NULL parameters that cryptography rejects)."""
    try:
        cert = x509.load_der_x509_certificate(der)
        cert.signature_algorithm_oid  # noqa: B018 - parsing is lazy
        return cert
    except ValueError:
        return None


def _split_printcert(out: str, count: int) -> list[str]:
    """The printX509Cert blocks of a multi-cert ``-printcert`` (``Certificate[i]:`` headers,
    a blank line between certificates)."""
    blocks = re.split(r"^Certificate\[\d+\]:\n", out, flags=re.M)[1:]
    assert len(blocks) == count, out[:2000]
    return [b[:-1] if i < count - 1 else b for i, b in enumerate(blocks)]


# ---------------------------------------------------------------------------
# Hand-made DER (keytool -printcert does not verify signatures)
# ---------------------------------------------------------------------------


def tlv(tag: int, content: bytes) -> bytes:
    n = len(content)
    if n < 0x80:
        length = bytes([n])
    else:
        body = n.to_bytes((n.bit_length() + 7) // 8, "big")
        length = bytes([0x80 | len(body)]) + body
    return bytes([tag]) + length + content


def seq(*items: bytes) -> bytes:
    return tlv(0x30, b"".join(items))


def set_(*items: bytes) -> bytes:
    return tlv(0x31, b"".join(items))


def oid(dotted: str) -> bytes:
    a = [int(x) for x in dotted.split(".")]
    out = b""
    for v in [a[0] * 40 + a[1], *a[2:]]:
        chunk = [v & 0x7F]
        v >>= 7
        while v:
            chunk.append(0x80 | (v & 0x7F))
            v >>= 7
        out += bytes(reversed(chunk))
    return tlv(0x06, out)


def integer(v: int) -> bytes:
    return tlv(0x02, v.to_bytes(max(1, (v.bit_length() + 8) // 8), "big", signed=True))


def utf8(s: str) -> bytes:
    return tlv(0x0C, s.encode())


def ctx(n: int, content: bytes, constructed: bool = False) -> bytes:
    return tlv((0xA0 if constructed else 0x80) | n, content)


def boolean(v: bool) -> bytes:
    return tlv(0x01, b"\xff" if v else b"\x00")


def bits(b: bytes, unused: int = 0) -> bytes:
    return tlv(0x03, bytes([unused]) + b)


def name(*rdns: list[tuple[str, bytes]]) -> bytes:
    return seq(*[set_(*[seq(oid(o), v) for o, v in rdn]) for rdn in rdns])


def ext(dotted: str, value: bytes, critical: bool = False) -> bytes:
    return seq(oid(dotted), *([boolean(True)] if critical else []), tlv(0x04, value))


_SPKI: dict[str, bytes] = {}


def spki(kind: str) -> bytes:
    if kind not in _SPKI:
        if kind == "rsa768":  # too small for cryptography to generate; Java accepts it
            n = (1 << 767) | 12345677
            rsa_alg = seq(oid("1.2.840.113549.1.1.1"), tlv(5, b""))
            _SPKI[kind] = seq(rsa_alg, bits(seq(integer(n), integer(65537))))
            return _SPKI[kind]
        if kind == "pss1024":
            inner = spki("rsa1024")
            key_bits = x509der.children(x509der.parse_one(inner).content)[1].raw
            _SPKI[kind] = seq(seq(oid("1.2.840.113549.1.1.10")), key_bits)
            return _SPKI[kind]
        key: object
        if kind.startswith("rsa"):
            key = rsa.generate_private_key(65537, int(kind[3:])).public_key()
        elif kind == "p192":
            key = ec.generate_private_key(ec.SECP192R1()).public_key()
        elif kind == "x25519":
            key = x25519.X25519PrivateKey.generate().public_key()
        elif kind == "ed25519":
            key = ed25519.Ed25519PrivateKey.generate().public_key()
        else:
            key = dsa.generate_private_key(int(kind[3:])).public_key()
        _SPKI[kind] = key.public_bytes(  # type: ignore[attr-defined]
            Encoding.DER, PublicFormat.SubjectPublicKeyInfo
        )
    return _SPKI[kind]


SHA256_RSA = seq(oid("1.2.840.113549.1.1.11"), tlv(5, b""))


def make_cert(
    subject: bytes | None = None,
    issuer: bytes | None = None,
    serial: int = 12345,
    sigalg: bytes = SHA256_RSA,
    not_before: bytes = tlv(0x17, b"260101000000Z"),
    not_after: bytes = tlv(0x17, b"360101000000Z"),
    key: str = "rsa2048",
    exts: list[bytes] | None = None,
    version: int = 3,
) -> bytes:
    subject = subject if subject is not None else name([("2.5.4.3", utf8("x"))])
    parts = [ctx(0, integer(version - 1), True)] if version != 1 else []
    parts += [integer(serial), sigalg, issuer if issuer is not None else subject,
              seq(not_before, not_after), subject, spki(key)]
    if exts is not None:
        parts.append(ctx(3, seq(*exts), True))
    return seq(seq(*parts), sigalg, bits(b"\x01" * 32))


EMAIL = "1.2.840.113549.1.9.1"


def crafted() -> dict[str, bytes]:
    cn = "2.5.4.3"
    return {
        "string-types": make_cert(subject=name(
            [("2.5.4.6", tlv(0x13, b"DE"))],
            [("2.5.4.10", tlv(0x1E, "BMP Ünïcode".encode("utf-16-be")))],
            [("2.5.4.11", tlv(0x14, "T61 \xe9".encode("latin-1")))],
            [("2.5.4.7", tlv(0x1C, "Univ \u00fc".encode("utf-32-be")))],
            [(EMAIL, tlv(0x16, b"a@b.c"))],
            [(cn, utf8("日本語 名前"))],
            [("2.5.4.15", utf8("Private Org"))],
            [("1.2.3.4.5", integer(42))],
            [("2.5.4.12", integer(7))],
            [(cn, tlv(0x1B, b"general"))],
        )),
        "quoting": make_cert(subject=name(
            [(cn, utf8('"already quoted"'))], [(cn, utf8('a"b'))], [(cn, utf8("new\nline"))],
            [(cn, utf8("trail "))], [(cn, utf8("tab\there"))], [(cn, utf8("x=y"))],
            [(cn, utf8(""))], [(cn, utf8('"'))], [(cn, utf8("a  b"))], [(cn, utf8(" "))],
            [(cn, utf8("back\\slash"))], [(cn, utf8("null\x00char"))],
            [(cn, utf8("#start")), ("2.5.4.11", utf8("multi"))],
            [(cn, utf8("emoji \U0001F600"))],
        )),
        "empty-subject": make_cert(subject=seq(), issuer=name([(cn, utf8("Issuer"))])),
        "v1": make_cert(version=1, serial=1),
        "v4": make_cert(version=4),
        "v3-empty-extensions": make_cert(exts=[]),
        "negative-serial": make_cert(serial=-255),
        "long-serial": make_cert(serial=0x00FF00112233445566778899AABBCCDDEEFF0011),
        "zero-serial-2050": make_cert(
            serial=0, not_before=tlv(0x17, b"491231235959Z"),
            not_after=tlv(0x18, b"20500101000000Z"),
        ),
        "year-1950-9999": make_cert(
            not_before=tlv(0x17, b"500101000000Z"), not_after=tlv(0x18, b"99991231235959Z")
        ),
        "x25519-key": make_cert(key="x25519"),
        "rsa768-disabled": make_cert(key="rsa768"),
        "pss1024-key": make_cert(key="pss1024"),
        "p192-sha1ecdsa": make_cert(key="p192", sigalg=seq(oid("1.2.840.10045.4.1"))),
        "dsa1024-sha256": make_cert(key="dsa1024", sigalg=seq(oid("2.16.840.1.101.3.4.3.2"))),
        "md2": make_cert(sigalg=seq(oid("1.2.840.113549.1.1.2"), tlv(5, b""))),
        "unknown-sigalg": make_cert(sigalg=seq(oid("1.2.3.4.5.6"))),
        "odd-extensions": make_cert(exts=[
            ext("1.2.3.4", b""),
            ext("1.2.3.5", bytes(range(40)) + b"z{\x7f\x80\xff"),
            ext("2.5.29.19", seq()),
            ext("2.5.29.15", bits(b"\x80\x80", 7), True),
            ext("2.5.29.17", seq(
                ctx(1, b"me@example.com"), ctx(2, b"under_score.example"),
                ctx(6, b"urn:isbn:123"), ctx(7, bytes(range(16))), ctx(3, b"\x30\x00", True),
                ctx(4, name([(cn, utf8("dir, name"))]), True),
            )),
            ext("2.5.29.35", seq(
                ctx(0, b"\x01\x02"), ctx(1, ctx(6, b"http://x.example/"), True), ctx(2, b"\x80\x01")
            )),
            ext("2.5.29.37", seq(
                oid("1.3.6.1.5.5.7.3.5"), oid("1.3.6.1.4.1.311.10.3.3"),
                oid("1.2.840.113549.1.1.11"), oid("1.3.6.1.5.5.7.3.17"),
            )),
            ext("2.5.29.36", seq(ctx(1, b"\x00"))),
            ext("2.5.29.32", seq(seq(oid("1.2.3"), seq(seq(
                oid("1.3.6.1.5.5.7.2.1"), tlv(0x16, b"http://c/")
            ))))),
        ]),
        "unparseable-san": make_cert(exts=[ext("2.5.29.17", seq(ctx(6, b"no-scheme")))]),
        "unparseable-ian": make_cert(exts=[ext("2.5.29.18", seq(ctx(6, b"http://a b/")))]),
        "unparseable-bc": make_cert(exts=[ext("2.5.29.19", seq(boolean(True), tlv(4, b"x")))]),
        "unparseable-ku": make_cert(exts=[ext("2.5.29.15", tlv(4, b"x"))]),
        "inhibit-any-critical": make_cert(exts=[ext("2.5.29.54", integer(0), True)]),
        "crldp-reasons": make_cert(exts=[ext("2.5.29.31", seq(seq(
            ctx(1, b"\x00\xff\xc0"), ctx(2, ctx(6, b"ldap://l/"), True)
        )))]),
        "private-key-usage": make_cert(exts=[ext("2.5.29.16", seq(
            ctx(0, b"20260101000000Z"), ctx(1, b"20270101000000Z")
        ))]),
        "ipv6-name-constraints": make_cert(exts=[ext("2.5.29.30", seq(ctx(0, seq(
            ctx(7, bytes(16) + b"\xff" * 8 + bytes(8)), ctx(0, b"\x01"), ctx(1, b"\x05")
        ), True)))]),
        "empty-san": make_cert(exts=[ext("2.5.29.17", seq())]),
        "san-not-sequence": make_cert(exts=[ext("2.5.29.17", set_())]),
        "aia-not-sequence": make_cert(exts=[ext("1.3.6.1.5.5.7.1.1", tlv(4, b"1"))]),
        "sia-not-sequence": make_cert(exts=[ext("1.3.6.1.5.5.7.1.11", tlv(4, b"1"))]),
        "eku-not-sequence": make_cert(exts=[ext("2.5.29.37", tlv(4, b"1"))]),
        "crldp-not-sequence": make_cert(exts=[ext("2.5.29.31", tlv(4, b"1"))]),
        "ip-of-5-bytes": make_cert(exts=[ext("2.5.29.17", seq(ctx(7, b"12345")))]),
        "general-name-tag-9": make_cert(exts=[ext("2.5.29.17", seq(ctx(9, b"12345")))]),
        "ski-not-octets": make_cert(exts=[ext("2.5.29.14", integer(5))]),
        "policy-constraints-int": make_cert(exts=[ext("2.5.29.36", integer(5))]),
        "policies-int": make_cert(exts=[ext("2.5.29.32", integer(5))]),
        "aki-int": make_cert(exts=[ext("2.5.29.35", integer(5))]),
        "name-constraints-int": make_cert(exts=[ext("2.5.29.30", integer(5))]),
        "policy-mappings-int": make_cert(exts=[ext("2.5.29.33", integer(5))]),
        "email-ends-with-at": make_cert(exts=[ext("2.5.29.17", seq(ctx(1, b"foo@")))]),
        "inhibit-any-minus-1": make_cert(exts=[ext("2.5.29.54", integer(-1), True)]),
        "aki-empty-names": make_cert(exts=[ext("2.5.29.35", seq(ctx(1, b"", True)))]),
        "bc-pathlen-only": make_cert(exts=[ext("2.5.29.19", seq(integer(3)))]),
        "bc-false-pathlen": make_cert(exts=[ext("2.5.29.19", seq(boolean(False), integer(3)))]),
        "eku-empty": make_cert(exts=[ext("2.5.29.37", seq())]),
        "netscape-type-short": make_cert(exts=[ext("2.16.840.1.113730.1.1", bits(b"\x01"))]),
        "edi-party-name": make_cert(exts=[ext("2.5.29.17", seq(ctx(5, ctx(
            0, utf8("assign"), True) + ctx(1, utf8("party"), True), True)))]),
        "crl-number-in-cert": make_cert(exts=[ext("2.5.29.20", integer(0x123456789ABCDEF0))]),
        "v2-time-offsets": make_cert(
            version=2, not_before=tlv(0x17, b"260101120000+0130"),
            not_after=tlv(0x18, b"20360101120000-0100"),
        ),
        "time-no-seconds-fraction": make_cert(
            not_before=tlv(0x17, b"2601011200Z"), not_after=tlv(0x18, b"20360101120000.5Z")
        ),
        "dst-validity": make_cert(
            not_before=tlv(0x17, b"260115123456Z"), not_after=tlv(0x17, b"260715123456Z")
        ),
    }


CRAFTED = list(crafted().keys())  # names only; the module fixture makes fresh keys


# ---------------------------------------------------------------------------
# openssl-made certificates
# ---------------------------------------------------------------------------

OPENSSL_CNF = """
[ req ]
distinguished_name = dn
[ dn ]
[ full ]
basicConstraints = critical, CA:true, pathlen:3
keyUsage = critical, keyCertSign, cRLSign, digitalSignature, nonRepudiation, keyEncipherment, \
dataEncipherment, keyAgreement, encipherOnly, decipherOnly
extendedKeyUsage = serverAuth, clientAuth, codeSigning, emailProtection, timeStamping, \
OCSPSigning, 1.2.3.4.5, msCodeInd, ipsecIKE, anyExtendedKeyUsage
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always, issuer:always
subjectAltName = @alt
issuerAltName = email:ca@example.com, URI:http://ca.example/
crlDistributionPoints = URI:http://crl.example/a.crl, URI:ldap://ldap.example/cn=x
authorityInfoAccess = caIssuers;URI:http://ca.example/ca.crt, OCSP;URI:http://ocsp.example/
subjectInfoAccess = caRepository;URI:http://repo.example/, 1.3.6.1.5.5.7.48.3;URI:http://ts.example/
certificatePolicies = 2.5.29.32.0, @pol1
nsCertType = client, server, email, objsign, sslCA, emailCA, objCA
nsComment = "Generated by OpenSSL"
[ alt ]
DNS.1 = a.example
DNS.2 = *.b.example
IP.1 = 10.0.0.1
IP.2 = 2001:db8::1
IP.3 = ::ffff:1.2.3.4
email.1 = x@y.z
URI.1 = https://u.example/p?q=1
dirName.1 = dirsec
RID.1 = 1.2.3.4
otherName.1 = 1.3.6.1.4.1.311.20.2.3;UTF8:upn@example.com
[ dirsec ]
CN = Dir Name
O = Org, Inc.
[ pol1 ]
policyIdentifier = 1.3.6.1.4.1.99999.1
CPS.1 = "http://cps.example/cps"
userNotice.1 = @notice
[ notice ]
explicitText = "Explicit text"
organization = "Org"
noticeNumbers = 1, 2
[ constraints ]
nameConstraints = critical, permitted;DNS:.example.com, permitted;IP:10.0.0.0/255.0.0.0, \
excluded;email:.bad.example, excluded;IP:2001:db8::/ffff:ffff::
policyConstraints = requireExplicitPolicy:2, inhibitPolicyMapping:1
inhibitAnyPolicy = 4
policyMappings = 1.2.3.4:1.2.3.5, 2.5.29.32.0:1.2.3.6
basicConstraints = CA:true, pathlen:0
crlDistributionPoints = crldp
freshestCRL = URI:http://delta.example/d.crl
tlsfeature = status_request
1.3.6.1.5.5.7.48.1.5 = ASN1:NULL
1.2.3.4.99 = critical, DER:01:02:03
1.2.3.4.100 = ASN1:UTF8String:Hello{world}
[ crldp ]
fullname = URI:http://crl2.example/x.crl
reasons = keyCompromise, CACompromise, superseded
CRLissuer = dirName:dirsec
[ relative ]
basicConstraints = CA:false
keyUsage = digitalSignature
subjectKeyIdentifier = none
crlDistributionPoints = crldp2
[ crldp2 ]
relativename = relsec
[ relsec ]
CN = Rel Name
"""

# name -> (newkey, subject, extra req args)
OPENSSL_CERTS: dict[str, tuple[str, str, list[str]]] = {
    "full-utf8": ("rsa:2048", '/C=DE/ST=Berlin/L=Berlin/O=ACME, Inc./OU=Eng\\+Ops/CN=Jöhn "Q" Doe'
                  "/emailAddress=jd@example.com", ["-utf8", "-extensions", "full", "-sha384"]),
    "multi-rdn-constraints": (
        "ec", "/CN=a+UID=b/O=x/DC=example/DC=com/serialNumber=123/title=Dr/street=Main St 1"
        "/givenName=G/surname=S/initials=GS/generationQualifier=III/dnQualifier=q"
        "/businessCategory=Private", ["-multivalue-rdn", "-extensions", "constraints"]),
    "quoted-values": ("ed25519", "/CN= lead space/O=trail space /OU=two  spaces/L=#hash"
                      "/ST=semi;colon/street=a<b>c/title=back\\\\slash/CN=plus\\+sign=eq",
                      ["-extensions", "relative"]),
    "sha1-rsa1024": ("rsa:1024", "/CN=sha1/O=x@y_z*&", ["-sha1", "-extensions", "relative"]),
    "md5": ("rsa:2048", "/CN=md5", ["-md5"]),
    "pss-sig": ("rsa:2048", "/CN=pss", ["-sigopt", "rsa_padding_mode:pss", "-sha256"]),
    "pss-key": ("rsa-pss", "/CN=psskey", []),
    "ed448": ("ed448", "/CN=ed448", []),
    "secp256k1": ("ec-k1", "/CN=k1", []),
    "brainpool": ("ec-bp", "/CN=bp", []),
    "sect163k1-sha1": ("ec-sect", "/CN=binary curve", ["-sha1"]),
    "sha3": ("rsa:2048", "/CN=sha3", ["-sha3-256"]),
    "dsa1024-sha1": ("dsa", "/CN=dsa", ["-sha1"]),
}


def _openssl_certs(work: Path) -> dict[str, bytes]:
    assert OPENSSL is not None
    (work / "ext.cnf").write_text(OPENSSL_CNF)
    out: dict[str, bytes] = {}
    for label, (newkey, subject, extra) in OPENSSL_CERTS.items():
        key_args = ["-newkey", newkey]
        if newkey.startswith("ec"):
            curve = {"ec": "P-256", "ec-k1": "secp256k1", "ec-bp": "brainpoolP256r1",
                     "ec-sect": "sect163k1"}[newkey]
            key_args = ["-newkey", "ec", "-pkeyopt", f"ec_paramgen_curve:{curve}"]
        elif newkey == "dsa":
            params = work / "dsa.pem"
            subprocess.run([OPENSSL, "genpkey", "-genparam", "-algorithm", "DSA", "-pkeyopt",
                            "dsa_paramgen_bits:1024", "-pkeyopt", "dsa_paramgen_q_bits:160",
                            "-out", str(params)], check=True, capture_output=True)
            key_args = ["-newkey", f"dsa:{params}"]
        elif newkey == "rsa-pss":
            key_args = ["-newkey", "rsa-pss", "-pkeyopt", "rsa_keygen_bits:2048"]
        target = work / f"{label}.pem"
        proc = subprocess.run(
            [OPENSSL, "req", "-x509", *key_args, "-nodes", "-keyout", str(work / "k.pem"),
             "-out", str(target), "-days", "30", "-subj", subject, "-config",
             str(work / "ext.cnf"), *extra],
            capture_output=True, check=False,
        )
        assert proc.returncode == 0, proc.stderr.decode()
        out[label] = x509.load_pem_x509_certificate(target.read_bytes()).public_bytes(
            Encoding.DER
        )
    return out


# ---------------------------------------------------------------------------
# keytool-made keystore
# ---------------------------------------------------------------------------

DNAME = "CN=Doe\\, John, OU=Eng, O=ACME, L=Berlin, ST=BE, C=DE, EMAILADDRESS=jd@example.com"
KEYTOOL_KEYS: dict[str, list[str]] = {
    "rsa": ["-keyalg", "RSA", "-dname", DNAME, "-ext", "bc:c",
            "-ext", "ku:c=digitalSignature,keyEncipherment", "-ext", "eku=clientAuth,serverAuth",
            "-ext", "san=dns:a.example,ip:127.0.0.1,email:x@y.z,uri:http://u.example/x,ip:::1",
            "-ext", "aia=caIssuers:uri:http://ca.example/ca.crt,ocsp:uri:http://ocsp.example",
            "-ext", "ian=email:ca@example.com", "-ext", "1.2.3.4=0500"],
    "rsa1024": ["-keyalg", "RSA", "-keysize", "1024", "-sigalg", "SHA1withRSA",
                "-dname", "CN=weak, O=\"Quoted, Org\""],
    "ca": ["-keyalg", "EC", "-groupname", "secp384r1", "-dname", "CN=Test CA, O=ACME\\, Inc., C=DE",
           "-ext", "bc=ca:true,pathlen:2", "-ext", "ku:c=keyCertSign,cRLSign"],
    "leaf": ["-keyalg", "EC", "-dname", "CN=leaf, OU=Eng+L=Berlin, C=DE"],
    "p521": ["-keyalg", "EC", "-groupname", "secp521r1", "-dname", "CN=p521"],
    "dsa": ["-keyalg", "DSA", "-dname", "CN=dsa"],
    "ed25519": ["-keyalg", "Ed25519", "-dname", "CN=ed25519"],
    "ed448": ["-keyalg", "Ed448", "-dname", "CN=ed448"],
    "pss": ["-keyalg", "RSASSA-PSS", "-dname", "CN=pss"],
}
KEYTOOL_ALIASES = [*KEYTOOL_KEYS, "trusted"]


@dataclass
class KeytoolStore:
    list_v: str
    list_err: str
    certs: dict[str, list[bytes]]  # alias -> chain DER, leaf first


def _chains_from_p12(path: Path) -> dict[str, list[bytes]]:
    """Certificates per friendlyName, read with openssl (saves a JVM start)."""
    assert OPENSSL is not None
    proc = subprocess.run(
        [OPENSSL, "pkcs12", "-in", str(path), "-nokeys", "-passin", f"pass:{STOREPASS}"],
        capture_output=True, check=True,
    )
    chains: dict[str, list[bytes]] = {}
    for block in proc.stdout.decode("utf-8", "replace").split("Bag Attributes")[1:]:
        friendly = re.search(r"friendlyName: (.*)\n", block)
        body = re.search(r"-----BEGIN CERTIFICATE-----\n.*?-----END CERTIFICATE-----\n", block,
                         flags=re.S)
        if friendly is None or body is None:
            continue
        b64 = "".join(body.group(0).splitlines()[1:-1])
        chains.setdefault(friendly.group(1), []).append(base64.b64decode(b64))
    return chains


@pytest.fixture(scope="session")
def keytool_store(tmp_path_factory: pytest.TempPathFactory) -> KeytoolStore:
    openssl_path()  # ToolMissing: skipped, or failed in CI (conftest)
    work = tmp_path_factory.mktemp("certinfo-ks")
    store = ["-keystore", str(work / "ks.p12"), "-storepass", STOREPASS, "-storetype", "PKCS12"]
    for alias, args in KEYTOOL_KEYS.items():
        _keytool("-genkeypair", "-alias", alias, *args, *store)
    _keytool("-certreq", "-alias", "leaf", "-file", str(work / "leaf.csr"), *store)
    _keytool("-gencert", "-alias", "ca", "-infile", str(work / "leaf.csr"), "-outfile",
             str(work / "leaf.crt"), "-ext", "eku=clientAuth", "-ext", "san=dns:leaf.example",
             "-ext", "crl=uri:http://ca.example/ca.crl", *store)
    _keytool("-importcert", "-alias", "leaf", "-file", str(work / "leaf.crt"), *store)
    weak = make_cert(subject=name([("2.5.4.3", utf8("trusted sha1"))]), key="rsa1024",
                     sigalg=seq(oid("1.2.840.113549.1.1.5"), tlv(5, b"")))
    (work / "weak.pem").write_text(_pem_of(weak))
    _keytool("-importcert", "-noprompt", "-alias", "trusted", "-file", str(work / "weak.pem"),
             *store)
    out, err = _keytool("-list", "-v", *store)
    chains = _chains_from_p12(work / "ks.p12")
    chains["leaf"] = [chains["leaf"][0], chains["ca"][0]]  # the reply's chain: leaf, CA
    chains["trusted"] = [weak]
    return KeytoolStore(out, err, chains)


def _list_v_blocks(listing: str, alias: str) -> list[str]:
    """printX509Cert blocks of one alias in ``keytool -list -v`` output."""
    m = re.search(r"^Alias name: " + re.escape(alias) + r"\n(.*?)\n\n\n\*{43}\n", listing,
                  flags=re.M | re.S)
    assert m is not None, f"alias {alias} not in listing"
    body = m.group(1) + "\n"
    if "Entry type: trustedCertEntry\n\n" in body:
        return [body.split("Entry type: trustedCertEntry\n\n", 1)[1]]
    return re.split(r"^Certificate\[\d+\]:\n", body, flags=re.M)[1:]


# ---------------------------------------------------------------------------
# Everything through one -printcert
# ---------------------------------------------------------------------------


@dataclass
class Printed:
    ders: dict[str, bytes]
    blocks: dict[str, str]
    warnings: list[str]
    labels: list[str]


@pytest.fixture(scope="session")
def printed(keytool_store: KeytoolStore, tmp_path_factory: pytest.TempPathFactory) -> Printed:
    work = tmp_path_factory.mktemp("certinfo-print")
    ders: dict[str, bytes] = {}
    for alias in KEYTOOL_ALIASES:
        ders[f"keytool:{alias}"] = keytool_store.certs[alias][0]
    for label, der in _openssl_certs(work).items():
        ders[f"openssl:{label}"] = der
    for label, der in crafted().items():
        ders[f"der:{label}"] = der
    bundle = work / "bundle.pem"
    bundle.write_text("".join(_pem_of(d) for d in ders.values()))
    out, err = _keytool("-printcert", "-file", str(bundle))
    labels = list(ders)
    blocks = dict(zip(labels, _split_printcert(out, len(labels)), strict=True))
    warnings = err.split("Warning:\n", 1)[1].splitlines() if "Warning:\n" in err else []
    return Printed(ders, blocks, warnings, labels)


ALL_LABELS = (
    [f"keytool:{a}" for a in KEYTOOL_ALIASES]
    + [f"openssl:{n}" for n in OPENSSL_CERTS]
    + [f"der:{n}" for n in CRAFTED]
)
