"""SafeBags: parsing and building key, certificate and secret bags.

``SafeBag ::= SEQUENCE { bagId OID, bagValue [0] EXPLICIT ANY, bagAttributes
SET OF Attribute OPTIONAL }``. Keys stay encrypted: a key bag becomes a
:class:`SealedKey` holding the bag's EncryptedPrivateKeyInfo bytes, decrypted
only by :meth:`SealedKey.unseal` and written back verbatim when the store
password did not change.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from ... import der
from ...der import DerError, Node
from ...errors import UnrecoverableKeyError
from .. import StoreType
from ..budget import UNBOUNDED, WorkBudget
from . import bmpstring, pbe

OID_KEY_BAG = "1.2.840.113549.1.12.10.1.1"
OID_SHROUDED_KEY_BAG = "1.2.840.113549.1.12.10.1.2"
OID_CERT_BAG = "1.2.840.113549.1.12.10.1.3"
OID_CRL_BAG = "1.2.840.113549.1.12.10.1.4"
OID_SECRET_BAG = "1.2.840.113549.1.12.10.1.5"
OID_SAFE_CONTENTS_BAG = "1.2.840.113549.1.12.10.1.6"
OID_X509_CERT = "1.2.840.113549.1.9.22.1"
OID_FRIENDLY_NAME = "1.2.840.113549.1.9.20"
OID_LOCAL_KEY_ID = "1.2.840.113549.1.9.21"
#: Oracle's "trusted key usage" attribute: marks a trustedCertEntry.
OID_JAVA_TRUSTED = "2.16.840.1.113894.746875.1.1"
OID_ANY_EKU = "2.5.29.37.0"

#: keytool's message when a key bag does not decrypt with the password given.
GET_KEY_FAILED = (
    "Get Key failed: Given final block not properly padded. Such issues can arise "
    "if a bad key is used during decryption."
)

#: Java secret-key algorithm names <-> the OIDs ``AlgorithmId.get`` gives them
#: (checked with keytool 17 -genseckey; Blowfish, RC2, HmacMD5 and ChaCha20 have
#: none, and keytool refuses to store them in a PKCS12).
SECRET_KEY_OIDS: dict[str, str] = {
    "AES": "2.16.840.1.101.3.4.1",
    "DES": "1.3.14.3.2.7",
    "DESede": "1.3.14.3.2.17",
    "ARCFOUR": "1.2.840.113549.3.4",
    "HmacSHA1": "1.2.840.113549.2.7",
    "HmacSHA224": "1.2.840.113549.2.8",
    "HmacSHA256": "1.2.840.113549.2.9",
    "HmacSHA384": "1.2.840.113549.2.10",
    "HmacSHA512": "1.2.840.113549.2.11",
    "HmacSHA512/224": "1.2.840.113549.2.12",
    "HmacSHA512/256": "1.2.840.113549.2.13",
    "HmacSHA3-224": "2.16.840.1.101.3.4.2.13",
    "HmacSHA3-256": "2.16.840.1.101.3.4.2.14",
    "HmacSHA3-384": "2.16.840.1.101.3.4.2.15",
    "HmacSHA3-512": "2.16.840.1.101.3.4.2.16",
    "PBEWithMD5AndDES": "1.2.840.113549.1.5.3",  # keytool -importpass ("PBE" keys)
}
SECRET_KEY_NAMES = {v: k for k, v in SECRET_KEY_OIDS.items()}
SECRET_KEY_NAMES["1.2.840.113549.3.7"] = "DESede"  # des-ede3-cbc, as other tools write it


def _password_tag(password: str | None) -> bytes | None:
    """A one-way tag to tell whether a later password equals the load one."""
    if password is None:
        return None
    return hashlib.sha256(
        b"keystoretool-pkcs12\0" + password.encode("utf-8", "surrogatepass")
    ).digest()


class SealedKey:
    """A PKCS12 key bag's EncryptedPrivateKeyInfo, decrypted on demand.

    ``kind`` is "private" (unseal gives PKCS#8 DER) or "secret" (unseal gives
    the raw key bytes and sets :attr:`algorithm` to the Java algorithm name).
    """

    format: str = StoreType.PKCS12

    def __init__(
        self, epki: bytes, kind: str, password: str | None, budget: WorkBudget = UNBOUNDED
    ) -> None:
        self.epki = epki
        self.kind = kind
        self.budget = budget  # the key-derivation allowance of the file it came from
        self.algorithm: str | None = None
        self._tag = _password_tag(password)

    def __repr__(self) -> str:
        return f"<PKCS12 SealedKey {self.kind} {len(self.epki)} bytes>"

    def protected_by(self, password: str | None) -> bool:
        """Whether ``password`` is the password this key was loaded with (so
        the encrypted bytes can be written back unchanged)."""
        return self._tag == _password_tag(password)

    def algorithm_spec(self) -> pbe.PbeSpec | None:
        try:
            alg, _ = der.parse(self.epki).seq("EncryptedPrivateKeyInfo", 2, 2)
            return pbe.parse_algorithm(alg).spec()
        except DerError:
            return None

    def unsupported(self) -> str | None:
        """Why this key cannot be decrypted whatever the password (an algorithm
        we do not implement), or None."""
        try:
            alg, _ = der.parse(self.epki).seq("EncryptedPrivateKeyInfo", 2, 2)
            pbe.parse_algorithm(alg)
        except pbe.UnsupportedAlgorithm as e:
            return str(e)
        except DerError:
            return None  # malformed: unseal reports it
        return None

    def unseal(self, password: str | None) -> bytes:
        if password is None:
            raise UnrecoverableKeyError("Get Key failed: no password given")
        try:
            alg, data = der.parse(self.epki).seq("EncryptedPrivateKeyInfo", 2, 2)
            clear = pbe.decrypt_node(alg, data.octets("encrypted key"), password, self.budget)
        except pbe.DecryptError:
            raise UnrecoverableKeyError(GET_KEY_FAILED) from None
        except DerError as e:
            raise UnrecoverableKeyError(f"Get Key failed: {e}") from None
        try:
            node = der.parse(clear, "key")
            if self.kind == "private":
                node.seq("PrivateKeyInfo", 3, 5)
                return clear
            kids = node.seq("secret key", 3, 3)
            alg_oid = kids[1].seq("secret key algorithm", 1, 2)[0].oid()
            key = kids[2].octets("secret key")
        except DerError:
            # Garbage that happened to end in valid padding: a wrong password.
            raise UnrecoverableKeyError(GET_KEY_FAILED) from None
        self.algorithm = SECRET_KEY_NAMES.get(alg_oid, alg_oid)
        return key


@dataclass
class Bag:
    """One parsed SafeBag with the attributes keytool looks at."""

    bag_id: str
    value: Node
    friendly_name: str | None = None
    local_key_id: bytes | None = None
    trusted: bool = False
    index: int = 0  # position in its SafeContents
    raw: bytes = b""  # the whole SafeBag, to write back a bag we do not interpret
    # Attributes keytool carries along unchanged (e.g. a Microsoft CSP name), raw DER.
    other_attributes: list[bytes] = field(default_factory=list)


def _friendly_name(node: Node) -> str:
    """friendlyName is a BMPString (RFC 7292); some producers write UTF8String or an
    8-bit string type instead, which we read too."""
    try:
        if node.tag == der.BMP_STRING:
            return bmpstring.decode(node.content)
        if node.tag == der.UTF8_STRING:
            return node.content.decode("utf-8")
        if node.tag in (der.PRINTABLE_STRING, der.IA5_STRING):
            return node.content.decode("latin-1")
    except ValueError as e:
        raise DerError(f"friendlyName: {e}") from None
    raise DerError("friendlyName is not a string")


def parse_safe_contents(data: bytes) -> list[Bag]:
    out: list[Bag] = []
    for i, node in enumerate(der.parse(data, "SafeContents").seq("SafeContents")):
        kids = node.seq("SafeBag", 2, 3)
        bag = Bag(kids[0].oid("bag type"), kids[1].explicit(0, "bag value"), index=i, raw=node.raw)
        if len(kids) == 3:
            kids[2].expect(der.SET, "bag attributes")
            for attr in kids[2].children("bag attributes"):
                a = attr.seq("attribute", 2, 2)
                attr_oid = a[0].oid()
                values = a[1].expect(der.SET, "attribute values").children("attribute values")
                if attr_oid == OID_FRIENDLY_NAME and values:
                    bag.friendly_name = _friendly_name(values[0])
                elif attr_oid == OID_LOCAL_KEY_ID and values:
                    bag.local_key_id = values[0].octets("localKeyId")
                elif attr_oid == OID_JAVA_TRUSTED:
                    bag.trusted = True
                elif attr_oid not in (OID_FRIENDLY_NAME, OID_LOCAL_KEY_ID):
                    bag.other_attributes.append(attr.raw)
        out.append(bag)
    return out


def plain_key_bag(
    pkcs8: bytes, friendly_name: str, local_key_id: bytes, others: list[bytes] | None = None
) -> bytes:
    """A keyBag: the PKCS#8 PrivateKeyInfo in clear (``openssl -keypbe NONE``)."""
    return safe_bag(OID_KEY_BAG, pkcs8, friendly_name, local_key_id, others=others)


def cert_type(bag: Bag) -> str:
    """The certificate type OID of a certBag."""
    return bag.value.seq("CertBag", 2, 2)[0].oid()


def cert_der(bag: Bag) -> bytes | None:
    """The X.509 certificate of a certBag (None for other certificate types)."""
    kids = bag.value.seq("CertBag", 2, 2)
    if kids[0].oid() != OID_X509_CERT:
        return None
    return kids[1].explicit(0, "certificate").octets("certificate")


def secret_epki(bag: Bag) -> bytes:
    """The encrypted blob of a Java secretBag (secretValue [0] OCTET STRING)."""
    kids = bag.value.seq("SecretBag", 2, 2)
    kids[0].oid("secret type")
    inner = kids[1].explicit(0, "secret value")
    blob = inner.octets("secret value")
    der.parse(blob, "secret value").seq("EncryptedPrivateKeyInfo", 2, 2)
    return blob


def cert_names(cert: bytes) -> tuple[bytes, bytes]:
    """(issuer, subject) Name DER of a certificate, without full parsing."""
    tbs = der.parse(cert, "certificate").seq("certificate", 3, 3)[0].seq("TBSCertificate", 6)
    i = 1 if tbs[0].tag == der.ctx(0) else 0
    return tbs[i + 2].expect(der.SEQUENCE, "issuer").raw, tbs[i + 4].expect(
        der.SEQUENCE, "subject"
    ).raw


# ---- building ---------------------------------------------------------------
def _attributes(
    friendly_name: str | None, local_key_id: bytes | None, trusted: bool, others: list[bytes]
) -> bytes:
    # keytool's order (friendlyName, localKeyId, trusted, the rest), not DER-sorted.
    attrs = []
    if friendly_name is not None:
        attrs.append(
            der.seq(der.oid(OID_FRIENDLY_NAME), der.set_of([der.bmp_string(friendly_name)]))
        )
    if local_key_id is not None:
        attrs.append(
            der.seq(der.oid(OID_LOCAL_KEY_ID), der.set_of([der.octet_string(local_key_id)]))
        )
    if trusted:
        attrs.append(der.seq(der.oid(OID_JAVA_TRUSTED), der.set_of([der.oid(OID_ANY_EKU)])))
    attrs.extend(others)
    return der.tlv(der.SET, b"".join(attrs)) if attrs else b""


def safe_bag(
    bag_id: str,
    value: bytes,
    friendly_name: str | None = None,
    local_key_id: bytes | None = None,
    trusted: bool = False,
    others: list[bytes] | None = None,
) -> bytes:
    attrs = _attributes(friendly_name, local_key_id, trusted, others or [])
    return der.seq(der.oid(bag_id), der.explicit(0, value), attrs)


def shrouded_key_bag(
    epki: bytes, friendly_name: str, local_key_id: bytes, others: list[bytes] | None = None
) -> bytes:
    return safe_bag(OID_SHROUDED_KEY_BAG, epki, friendly_name, local_key_id, others=others)


def secret_bag(
    epki: bytes, friendly_name: str, local_key_id: bytes, others: list[bytes] | None = None
) -> bytes:
    value = der.seq(der.oid(OID_SHROUDED_KEY_BAG), der.explicit(0, der.octet_string(epki)))
    return safe_bag(OID_SECRET_BAG, value, friendly_name, local_key_id, others=others)


def cert_bag(
    cert: bytes,
    friendly_name: str | None,
    local_key_id: bytes | None = None,
    trusted: bool = False,
    others: list[bytes] | None = None,
) -> bytes:
    value = der.seq(der.oid(OID_X509_CERT), der.explicit(0, der.octet_string(cert)))
    return safe_bag(OID_CERT_BAG, value, friendly_name, local_key_id, trusted, others)


def encrypt_key(spec: pbe.PbeSpec, clear: bytes, password: str) -> bytes:
    """An EncryptedPrivateKeyInfo for ``clear`` (PKCS#8 or a secret key blob)."""
    alg, ciphertext = pbe.encrypt(spec, clear, password)
    return der.seq(alg, der.octet_string(ciphertext))


def secret_key_info(algorithm: str, key: bytes) -> bytes:
    """The PKCS#8-like structure Java encrypts into a secretBag."""
    oid = SECRET_KEY_OIDS.get(algorithm)
    if oid is None:
        for name, o in SECRET_KEY_OIDS.items():
            if name.lower() == algorithm.lower():
                oid = o
                break
    if oid is None and all(part.isdigit() for part in algorithm.split(".")) and "." in algorithm:
        oid = algorithm
    if oid is None:
        from ...errors import KeystoreToolError

        raise KeystoreToolError(
            f"Key protection algorithm not found: unrecognized algorithm name: {algorithm}"
        )
    return der.seq(der.integer(0), der.seq(der.oid(oid), der.null()), der.octet_string(key))
