"""The signers of a signed jar, as ``keytool -printcert -jarfile`` finds them.

A jar is a zip whose ``META-INF/MANIFEST.MF`` holds a digest per entry; each
signer adds ``META-INF/NAME.SF`` (digests of the manifest and of its
sections) and ``META-INF/NAME.RSA|DSA|EC`` (a PKCS#7 SignedData signing the
.SF). Java's JarFile checks all three while the entries are read; a broken
digest or signature is a SecurityException, which keytool reports. This
module does the same checks (``zipfile`` reads, ``pyasn1_modules`` parses the
PKCS#7, ``cryptography`` verifies) and returns each signer's certificate path,
leaf first, in the order keytool meets them: by entry, then by signature
block file.
"""

from __future__ import annotations

import base64
import hashlib
import zipfile
from dataclasses import dataclass
from typing import Any

from .errors import KeystoreToolError

#: Digest attribute prefix -> hashlib name.
_DIGESTS = {"SHA-512": "sha512", "SHA-384": "sha384", "SHA-256": "sha256", "SHA-224": "sha224",
            "SHA-1": "sha1", "SHA": "sha1", "MD5": "md5"}
_BLOCK_SUFFIXES = (".RSA", ".DSA", ".EC")


class JarSecurityError(KeystoreToolError):
    """java.lang.SecurityException while the jar is read."""


@dataclass
class Signer:
    name: str  # the signature file's base name, e.g. CHAIN
    cert_path: list[bytes]  # DER, leaf first


def _sections(manifest: bytes) -> list[tuple[str | None, bytes, dict[str, str]]]:
    """Manifest sections: (Name or None for the main section, raw bytes, attributes).
    Continuation lines (starting with a space) are joined, as Java's Manifest does."""
    out: list[tuple[str | None, bytes, dict[str, str]]] = []
    raw_sections = manifest.replace(b"\r\n", b"\n").split(b"\n\n") if b"\r\n" not in manifest \
        else manifest.split(b"\r\n\r\n")
    for raw in raw_sections:
        lines: list[str] = []
        for line in raw.decode("utf-8", "replace").splitlines():
            if line.startswith(" ") and lines:
                lines[-1] += line[1:]
            elif line:
                lines.append(line)
        if not lines:
            continue
        attrs = {}
        for line in lines:
            key, _, value = line.partition(": ")
            attrs[key.lower()] = value
        sep = b"\r\n\r\n" if b"\r\n" in manifest else b"\n\n"
        out.append((attrs.get("name"), raw + sep, attrs))
    if out:
        out[0] = (None, out[0][1], out[0][2]) if "name" not in out[0][2] else out[0]
    return out


def _digests(attrs: dict[str, str], suffix: str) -> list[tuple[str, str, bytes]]:
    """(Java name, hashlib name, expected) for each ``X-Digest{suffix}`` attribute."""
    found = []
    for key, value in attrs.items():
        for java, hname in _DIGESTS.items():
            if key == f"{java.lower()}-digest{suffix}":
                try:
                    found.append((java, hname, base64.b64decode(value)))
                except ValueError:
                    continue
    return found


def _block_signer(block: bytes, sf: bytes, name: str) -> list[bytes]:
    """Verify the PKCS#7 signature of ``sf``; the signer's certificate path."""
    from cryptography import x509
    from pyasn1.codec.der import decoder, encoder
    from pyasn1_modules import rfc2315

    from . import relations

    problem = JarSecurityError(f"cannot verify signature block file META-INF/{name}")
    try:
        content_info, _ = decoder.decode(block, asn1Spec=rfc2315.ContentInfo())
        signed, _ = decoder.decode(bytes(content_info["content"]), asn1Spec=rfc2315.SignedData())
        ders = [encoder.encode(c["certificate"]) for c in signed["certificates"]]
        info = signed["signerInfos"][0]
        serial = int(info["issuerAndSerialNumber"]["serialNumber"])
        digest_oid = str(info["digestAlgorithm"]["algorithm"])
        signature = bytes(info["encryptedDigest"])
        attrs = info["authenticatedAttributes"]
        signed_bytes = sf
        message_digest = None
        if attrs.isValue and len(attrs):
            raw = encoder.encode(attrs)
            signed_bytes = b"\x31" + raw[1:]  # [0] IMPLICIT SET -> SET OF for the signature
            for attr in attrs:
                if str(attr["type"]) == "1.2.840.113549.1.9.4":  # messageDigest
                    value, _ = decoder.decode(bytes(attr["values"][0]))
                    message_digest = bytes(value)
            if message_digest is None:
                raise ValueError("no messageDigest attribute")
    except Exception as exc:  # noqa: BLE001 - any parse failure is Java's verify failure
        raise problem from exc
    hash_name = _HASH_OIDS.get(digest_oid)
    if message_digest is not None and (
            hash_name is None or hashlib.new(hash_name.lower(), sf).digest() != message_digest):
        raise problem
    pool = [x509.load_der_x509_certificate(d) for d in ders]
    leaf = next((c for c in pool if c.serial_number == serial), None)
    if leaf is None:
        raise problem
    if not _verify(leaf.public_key(), signature, signed_bytes, digest_oid):
        raise problem
    path = [leaf]
    while not relations.names_equal(path[-1].issuer, path[-1].subject) and len(path) < len(pool):
        nxt = next((c for c in pool if relations.names_equal(c.subject, path[-1].issuer)
                    and c not in path), None)
        if nxt is None:
            break
        path.append(nxt)
    return [relations.cert_der(c) for c in path]


_HASH_OIDS = {"2.16.840.1.101.3.4.2.1": "SHA256", "2.16.840.1.101.3.4.2.2": "SHA384",
              "2.16.840.1.101.3.4.2.3": "SHA512", "2.16.840.1.101.3.4.2.4": "SHA224",
              "1.3.14.3.2.26": "SHA1"}


def _verify(key: Any, signature: bytes, data: bytes, digest_oid: str) -> bool:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, padding, rsa

    hash_name = _HASH_OIDS.get(digest_oid)
    algorithm = getattr(hashes, hash_name)() if hash_name else None
    try:
        if isinstance(key, rsa.RSAPublicKey) and algorithm:
            key.verify(signature, data, padding.PKCS1v15(), algorithm)
        elif isinstance(key, ec.EllipticCurvePublicKey) and algorithm:
            key.verify(signature, data, ec.ECDSA(algorithm))
        elif isinstance(key, dsa.DSAPublicKey) and algorithm:
            key.verify(signature, data, algorithm)
        elif isinstance(key, (ed25519.Ed25519PublicKey, ed448.Ed448PublicKey)):
            key.verify(signature, data)
        else:
            return False
    except InvalidSignature:
        return False
    return True


def jar_signers(path: str) -> list[Signer]:
    """Every signer of the jar at ``path``, verified, in keytool's order;
    [] for an unsigned jar. Raises :class:`JarSecurityError` as Java would."""
    import zlib

    try:
        return _jar_signers(path)
    except (zipfile.BadZipFile, zlib.error, RuntimeError, NotImplementedError, EOFError) as exc:
        raise KeystoreToolError(f"invalid jar file {path}: {exc}") from None


def _jar_signers(path: str) -> list[Signer]:
    from . import storage

    try:
        zf = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise KeystoreToolError(path) from None  # Java: NoSuchFileException: <path>
    except (zipfile.BadZipFile, OSError) as exc:
        storage.read_bytes(path)  # the usual message for a directory or unreadable file
        raise KeystoreToolError("zip END header not found") from exc
    with zf:
        names = zf.namelist()
        upper = {n.upper(): n for n in names}
        manifest_name = upper.get("META-INF/MANIFEST.MF")
        manifest = zf.read(manifest_name) if manifest_name else b""
        sections = _sections(manifest)
        by_name = {name: (raw, attrs) for name, raw, attrs in sections if name}
        blocks = [n for n in names if n.upper().startswith("META-INF/")
                  and n.upper().endswith(_BLOCK_SUFFIXES) and n.count("/") == 1]
        signers: list[tuple[Signer, set[str]]] = []
        for block_name in blocks:
            base = block_name[len("META-INF/"):].rsplit(".", 1)[0]
            sf_name = upper.get(f"META-INF/{base.upper()}.SF")
            if sf_name is None or not manifest:
                continue
            sf = zf.read(sf_name)
            try:
                cert_path = _block_signer(zf.read(block_name), sf, base)
            except JarSecurityError:
                continue  # keytool 17 then shows the jar as not signed by this signer
            sf_sections = _sections(sf)
            whole_ok = any(hashlib.new(h, manifest).digest() == want
                           for _, h, want in _digests(sf_sections[0][2], "-manifest"))
            covered: set[str] = set()
            for name, _, attrs in sf_sections[1:]:
                if name is None or name not in by_name:
                    continue
                raw = by_name[name][0]
                checks = _digests(attrs, "")
                if whole_ok or any(hashlib.new(h, raw).digest() == want for _, h, want in checks):
                    covered.add(name)
                else:
                    java = checks[0][0] if checks else "SHA-256"
                    raise JarSecurityError(
                        f"invalid {java} signature file digest for {name}")
            signers.append((Signer(base.upper(), cert_path), covered))
        found: list[Signer] = []
        for name in names:
            info = zf.getinfo(name)
            if info.is_dir():
                continue
            entry_signers = [s for s, covered in signers if name in covered]
            checks = _digests(by_name[name][1], "") if name in by_name else []
            if checks and entry_signers:
                hashers = [hashlib.new(hname) for _, hname, _ in checks]
                with zf.open(info) as stream:  # streamed: an entry may be large
                    while chunk := stream.read(1 << 20):
                        for h in hashers:
                            h.update(chunk)
                for (java, _, want), h in zip(checks, hashers, strict=True):
                    if h.digest() != want:
                        raise JarSecurityError(f"{java} digest error for {name}")
            for s in entry_signers:
                if s not in found:
                    found.append(s)
    return found
