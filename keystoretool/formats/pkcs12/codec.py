"""PFX decoding into keystore entries and encoding back, the way keytool 17 does.

Load order mirrors Java's ``PKCS12KeyStore.engineLoad``: every safe is read
(encrypted safes decrypted — a bad padding there is "keystore password was
incorrect"), then the MAC is checked ("Integrity check failed" when it does not
match). Key bags are *not* decrypted. Chains are linked by localKeyId (then
friendlyName), completed by issuer name, as Java does.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from ... import der
from ...der import DerError, Node
from ...entries import Entry, PrivateKeyEntry, SecretKeyEntry, TrustedCertEntry, java_lower
from ...errors import FormatError, IntegrityError, KeystoreToolError
from .. import StoreType
from ..budget import WorkBudget
from . import bags, mac, pbe
from .bags import Bag, SealedKey
from .profiles import MODERN, NOT_ENCRYPTED, Profile, sound_profile

OID_DATA = "1.2.840.113549.1.7.1"
OID_ENCRYPTED_DATA = "1.2.840.113549.1.7.6"
OID_ENVELOPED_DATA = "1.2.840.113549.1.7.3"
OID_SIGNED_DATA = "1.2.840.113549.1.7.2"

WRONG_PASSWORD = "keystore password was incorrect"
INTEGRITY_FAILED = "Integrity check failed: Failed PKCS12 integrity checking"

#: Keys of ``Entry.extras`` this format owns.
X_FRIENDLY_NAME = "pkcs12.friendly_name"
X_LOCAL_KEY_ID = "pkcs12.local_key_id"
X_LOADED_CREATED = "pkcs12.loaded_created"
X_ATTRIBUTES = "pkcs12.attributes"  # other bag attributes (raw DER), written back as keytool does
X_PLAIN_KEY = "pkcs12.plain_key"  # the PKCS#8 of a keyBag (unencrypted), written back as one


@dataclass
class _CertItem:
    der: bytes
    local_key_id: bytes | None
    alias: str | None
    _names: tuple[bytes, bytes] | None = None

    @property
    def names(self) -> tuple[bytes, bytes]:
        if self._names is None:
            self._names = bags.cert_names(self.der)
        return self._names


@dataclass
class Read:
    """What :func:`load` found: entries, the file's own profile, whether the MAC
    was checked, warnings about what was not understood, and the certificates
    that belong to no key and carry no trust attribute (keytool ignores them)."""

    entries: list[Entry]
    profile: Profile
    verified: bool
    warnings: list[str] = field(default_factory=list)
    unattached: list[TrustedCertEntry] = field(default_factory=list)


@dataclass
class _Parsed:
    bags: list[Bag] = field(default_factory=list)
    saw_encrypted_safe: bool = False
    cert_spec: pbe.PbeSpec | None = None
    certs_in_clear: bool = False


# ---- load ---------------------------------------------------------------------
def load(data: bytes, password: str | None) -> Read:
    """Entries, the file's own profile, whether integrity was verified, warnings."""
    try:
        return _load(data, password)
    except mac.MacParameterError as e:
        raise IntegrityError(f"Integrity check failed: {e}") from None
    except pbe.UnsupportedAlgorithm as e:
        raise FormatError(f"Unsupported PKCS12 keystore: {e}") from None
    except DerError as e:
        raise FormatError(f"Invalid PKCS12 keystore format: {e}") from None


def _content_octets(ci: Node, what: str) -> tuple[str, Node]:
    kids = ci.seq(what, 1, 2)
    ctype = kids[0].oid()
    if len(kids) != 2:
        raise DerError(f"{what}: content missing")
    return ctype, kids[1].explicit(0, what)


def _encrypted_content(node: Node) -> tuple[Node, bytes]:
    """(algorithm, ciphertext) of an EncryptedData."""
    ed = node.seq("EncryptedData", 2, 3)
    eci = ed[1].seq("EncryptedContentInfo", 2, 3)
    if len(eci) < 3:
        return eci[1], b""
    c = eci[2]
    if c.tag == der.ctx(0, constructed=False):
        return eci[1], c.content
    if c.tag == der.ctx(0):
        return eci[1], b"".join(k.octets("encrypted content") for k in c.children())
    raise DerError("EncryptedContentInfo: bad content tag")


def _load(data: bytes, password: str | None) -> Read:
    pfx = der.parse(data, "PFX", allow_trailing=True).seq("PFX", 2, 3)
    if pfx[0].integer("PFX version") != 3:
        raise DerError("unsupported PFX version")
    ctype, content = _content_octets(pfx[1], "authSafe")
    if ctype == OID_SIGNED_DATA:
        raise pbe.UnsupportedAlgorithm("public-key integrity mode is not supported")
    if ctype != OID_DATA:
        raise DerError("authSafe is not data")
    auth_safe = content.octets("authSafe")
    mac_parsed = mac.parse(pfx[2]) if len(pfx) == 3 else None

    # Parse every safe first: the key-derivation work the file asks for is
    # planned, and refused when over its budget, before any of it runs.
    contents = der.parse(auth_safe, "AuthenticatedSafe").seq("AuthenticatedSafe")
    work = WorkBudget("PKCS12 keystore", StoreType.PKCS12, len(contents) + (mac_parsed is not None))
    parsed = _Parsed()
    sealed_safes: list[tuple[pbe.ParsedPbe, bytes]] = []
    for ci in contents:
        ctype, inner = _content_octets(ci, "ContentInfo")
        if ctype == OID_DATA:
            safe_bags = bags.parse_safe_contents(inner.octets("SafeContents"))
            if any(b.bag_id == bags.OID_CERT_BAG for b in safe_bags):
                parsed.certs_in_clear = True
            parsed.bags.extend(safe_bags)
        elif ctype == OID_ENCRYPTED_DATA:
            parsed.saw_encrypted_safe = True
            alg, ciphertext = _encrypted_content(inner)
            params = pbe.parse_algorithm(alg)
            if parsed.cert_spec is None:
                parsed.cert_spec = params.spec()
            if password is not None:  # keytool without a password: encrypted safes stay unread
                sealed_safes.append((params, ciphertext))
        elif ctype == OID_ENVELOPED_DATA:
            raise pbe.UnsupportedAlgorithm("public-key protected PKCS12 is not supported")
        else:
            raise DerError(f"unknown ContentInfo type {ctype}")
    work.add_items(_key_bag_count(parsed.bags))
    if password is not None:
        planned = sum(pbe.planned_units(p, password, work) for p, _ in sealed_safes)
        if mac_parsed is not None:
            planned += mac.planned_units(mac_parsed, password, work)
        planned += _key_units(parsed.bags, password, work)
        work.require(planned, f"{len(sealed_safes)} encrypted safes, the MAC and the keys")

    for params, ciphertext in sealed_safes:
        assert password is not None
        try:
            clear = pbe.decrypt(params, ciphertext, password, work)
            safe_bags = bags.parse_safe_contents(clear)
        except (pbe.DecryptError, DerError):
            raise IntegrityError(WRONG_PASSWORD) from None
        parsed.bags.extend(safe_bags)
        work.add_items(_key_bag_count(safe_bags))
        work.require(_key_units(safe_bags, password, work), "the keys of an encrypted safe")

    verified = True
    if mac_parsed is not None:
        if password is None:
            verified = False
        elif not mac.verify(mac_parsed, auth_safe, password, work):
            raise IntegrityError(INTEGRITY_FAILED)
    elif password is None and parsed.saw_encrypted_safe:
        verified = False

    read = _entries(parsed.bags, password, work)
    profile = Profile(
        "loaded",
        key=read.key_spec or MODERN.key,
        cert=_cert_spec(parsed, mac_parsed is not None),
        mac=replace(mac_parsed.spec, salt_len=20) if mac_parsed else mac.NO_MAC,
        kept_bags=tuple(read.kept_bags),
    )
    return Read(read.entries, profile, verified, read.warnings, read.unattached)


def _cert_spec(parsed: _Parsed, has_mac: bool) -> pbe.PbeSpec:
    if parsed.cert_spec is not None:
        return parsed.cert_spec
    if not has_mac or parsed.certs_in_clear:
        return NOT_ENCRYPTED
    return MODERN.cert


def _created(local_key_id: bytes | None, load_time: datetime) -> datetime:
    if local_key_id and local_key_id.startswith(b"Time "):
        try:
            return datetime.fromtimestamp(int(local_key_id[5:].decode("ascii")) / 1000, UTC)
        except (ValueError, OverflowError, OSError):
            pass
    return load_time


@dataclass
class _Entries:
    entries: list[Entry]
    key_spec: pbe.PbeSpec | None
    warnings: list[str]
    unattached: list[TrustedCertEntry]
    kept_bags: list[bytes]


KEY_BAGS = (bags.OID_SHROUDED_KEY_BAG, bags.OID_KEY_BAG)
_BAG_NAMES = {bags.OID_CRL_BAG: "CRL bag", bags.OID_SAFE_CONTENTS_BAG: "nested safe"}


def _flatten(all_bags: list[Bag], depth: int = 0) -> list[Bag]:
    """Bags with nested SafeContents bags (RFC 7292 4.2.6) expanded in place."""
    out: list[Bag] = []
    for bag in all_bags:
        if bag.bag_id == bags.OID_SAFE_CONTENTS_BAG and depth < 4:
            out.extend(_flatten(bags.parse_safe_contents(bag.value.raw), depth + 1))
        else:
            out.append(bag)
    return out


def _name(bag: Bag) -> str:
    return f' "{bag.friendly_name}"' if bag.friendly_name is not None else ""


def _bag_label(bag: Bag) -> str:
    return f"{_BAG_NAMES.get(bag.bag_id, 'bag of type ' + bag.bag_id)}{_name(bag)}"


def _secret_type(bag: Bag) -> str:
    try:
        return bag.value.seq("SecretBag", 1)[0].oid()
    except DerError:
        return "(unreadable)"


def _key_bag_count(found: list[Bag]) -> int:
    return sum(b.bag_id in (bags.OID_SHROUDED_KEY_BAG, bags.OID_SECRET_BAG)
               for b in _flatten(found))


def _key_units(found: list[Bag], password: str | None, work: WorkBudget) -> int:
    """Worst-case units to unseal every key bag in ``found`` once."""
    total = 0
    for bag in _flatten(found):
        if bag.bag_id not in (bags.OID_SHROUDED_KEY_BAG, bags.OID_SECRET_BAG):
            continue
        try:
            epki = bag.value.raw if bag.bag_id == bags.OID_SHROUDED_KEY_BAG else (
                bags.secret_epki(bag))
            alg = der.parse(epki).seq("EncryptedPrivateKeyInfo", 2, 2)[0]
            params = pbe.parse_algorithm(alg)
        except (DerError, pbe.UnsupportedAlgorithm):
            continue  # unreadable here; unseal reports it
        total += pbe.planned_units(params, password, work)
    return total


def _entries(all_bags: list[Bag], password: str | None, work: WorkBudget) -> _Entries:
    load_time = datetime.now(UTC)
    all_bags = _flatten(all_bags)
    key_count = sum(1 for b in all_bags if b.bag_id in KEY_BAGS)
    counter = 0
    ordered: dict[str, Entry] = {}
    private: list[PrivateKeyEntry] = []
    certs: list[_CertItem] = []
    issuers: list[_CertItem] = []  # trusted certificates, for chain building only
    key_spec: pbe.PbeSpec | None = None
    warnings: list[str] = []
    kept: list[bytes] = []
    cert_bag_of: dict[int, Bag] = {}

    def unfriendly() -> str:
        nonlocal counter
        counter += 1
        return str(counter)

    def unique(name: str) -> str:
        """Java keeps the last of two entries with one friendlyName; we keep both."""
        if java_lower(name) not in ordered:
            return name
        n = 2
        while java_lower(f"{name}-{n}") in ordered:
            n += 1
        warnings.append(f"Two entries are named <{java_lower(name)}>: the second is read as "
                        f"<{java_lower(name)}-{n}> (keytool keeps only one of them)")
        return f"{name}-{n}"

    for bag in all_bags:
        if bag.bag_id in KEY_BAGS or bag.bag_id == bags.OID_SECRET_BAG:
            key_id = bag.local_key_id
            plain: bytes | None = None
            sealed: SealedKey | None = None
            if bag.bag_id in KEY_BAGS:
                if key_id is None:
                    if key_count != 1:
                        # Java skips keys it cannot link to a certificate; we say so.
                        warnings.append(f"Skipped a private key without a localKeyId "
                                        f"({_bag_label(bag)}): several keys, none can be "
                                        "linked to its certificate")
                        kept.append(bag.raw)
                        continue
                    key_id = b"01"
                if bag.bag_id == bags.OID_KEY_BAG:
                    plain = bag.value.expect(der.SEQUENCE, "PrivateKeyInfo").raw
                    bag.value.seq("PrivateKeyInfo", 3, 5)
                else:
                    epki = bag.value.expect(der.SEQUENCE, "EncryptedPrivateKeyInfo").raw
                    bag.value.seq("EncryptedPrivateKeyInfo", 2, 2)
                    sealed = SealedKey(epki, "private", password, work)
            else:
                try:
                    sealed = SealedKey(bags.secret_epki(bag), "secret", password, work)
                except DerError:  # another producer's secret, not Java's shrouded key
                    warnings.append(f"Skipped a secret bag{_name(bag)} of type "
                                    f"{_secret_type(bag)}: not a Java secret key; it is kept "
                                    "in the file")
                    kept.append(bag.raw)
                    continue
            name = unique(bag.friendly_name if bag.friendly_name is not None else unfriendly())
            if sealed is not None:
                why = sealed.unsupported()
                if why is not None:
                    warnings.append(f"The key of <{java_lower(name)}> cannot be decrypted "
                                    f"here: {why}")
                elif key_spec is None:
                    key_spec = sealed.algorithm_spec()
            created = _created(key_id, load_time)
            extras: dict[str, Any] = {
                X_FRIENDLY_NAME: name,
                X_LOCAL_KEY_ID: key_id,
                X_LOADED_CREATED: created,
                X_ATTRIBUTES: bag.other_attributes,
            }
            entry: Entry
            if bag.bag_id in KEY_BAGS:
                if plain is not None:
                    extras[X_PLAIN_KEY] = plain
                entry = PrivateKeyEntry(java_lower(name), created, extras, sealed=sealed,
                                        pkcs8=plain)
                private.append(entry)
            else:
                entry = SecretKeyEntry(java_lower(name), created, extras, sealed=sealed)
            ordered[java_lower(name)] = entry
        elif bag.bag_id == bags.OID_CERT_BAG:
            cert = bags.cert_der(bag)
            if cert is None:
                warnings.append(f"Skipped a certificate of type {bags.cert_type(bag)} "
                                "(only X.509 certificates are read); it is kept in the file")
                kept.append(bag.raw)
                continue
            if bag.trusted:
                issuers.append(_CertItem(cert, None, None))
                name = unique(bag.friendly_name if bag.friendly_name is not None else unfriendly())
                ordered[java_lower(name)] = TrustedCertEntry(
                    name,
                    load_time,
                    {X_FRIENDLY_NAME: name, X_ATTRIBUTES: bag.other_attributes},
                    cert_der=cert,
                )
                continue
            key_id = bag.local_key_id
            if key_id is None and key_count == 1 and bag.index == 0:
                key_id = b"01"
            item = _CertItem(cert, key_id, bag.friendly_name)
            cert_bag_of[id(item)] = bag
            certs.append(item)
        else:
            warnings.append(f"Skipped a {_bag_label(bag)}: not a key or certificate "
                            "keystoretool reads; it is kept in the file")
            kept.append(bag.raw)

    if private:
        _link_chains(private, certs, issuers)
    unattached = _unattached(private, certs, cert_bag_of, ordered, load_time, kept)
    return _Entries(list(ordered.values()), key_spec, warnings, unattached, kept)


def _unattached(
    private: list[PrivateKeyEntry], certs: list[_CertItem], bag_of: dict[int, Bag],
    taken: dict[str, Entry], load_time: datetime, kept: list[bytes],
) -> list[TrustedCertEntry]:
    """Certificates in no key's chain and without the Java trust attribute, as
    trusted-certificate entries with stable aliases (the friendlyName, else
    ``cert-`` and the start of the SHA-256 fingerprint). Their bags are kept
    so that a rewrite does not drop them."""
    import hashlib

    used = {c for e in private for c in e.chain_der}
    out: list[TrustedCertEntry] = []
    seen: set[bytes] = set()
    names = set(taken)
    for item in certs:
        if item.der in used or item.der in seen:
            continue
        seen.add(item.der)
        kept.append(bag_of[id(item)].raw)
        fp = hashlib.sha256(item.der).hexdigest()
        name = item.alias if item.alias else f"cert-{fp[:16]}"
        if java_lower(name) in names:
            name = f"{name}-{fp[:16]}"
        names.add(java_lower(name))
        extras = {X_FRIENDLY_NAME: name, X_ATTRIBUTES: bag_of[id(item)].other_attributes}
        out.append(TrustedCertEntry(name, load_time, extras, cert_der=item.der))
    return out


def _canonical_names(cert: bytes) -> tuple[Any, Any]:
    """(issuer, subject) compared the way Java's X500Principal.equals does."""
    from ...x509der import issuer_and_subject

    try:
        return issuer_and_subject(cert)
    except (KeystoreToolError, ValueError, IndexError):
        return (("unparsable", cert), None)


def _link_chains(
    private: list[PrivateKeyEntry], certs: list[_CertItem], trusted: list[_CertItem]
) -> None:
    """Each key's chain: its certificate (by localKeyId, else friendlyName), then
    issuers by name among all certificate bags — trusted ones too, as Java's
    PKCS12KeyStore does."""
    by_key_id: dict[bytes | None, list[_CertItem]] = {}
    by_alias: dict[str, list[_CertItem]] = {}
    for c in certs:
        by_key_id.setdefault(c.local_key_id, []).append(c)
        if c.alias is not None:
            by_alias.setdefault(java_lower(c.alias), []).append(c)
    by_subject: dict[bytes, list[_CertItem]] | None = None
    by_canonical: dict[Any, list[_CertItem]] | None = None

    for entry in private:
        key_id = entry.extras[X_LOCAL_KEY_ID]
        alias = java_lower(entry.extras[X_FRIENDLY_NAME])
        match: _CertItem | None = None
        same_id = by_key_id.get(key_id, [])
        for c in same_id:
            if c.alias is not None and java_lower(c.alias) == alias:
                match = c
                break
        if match is None and same_id:
            match = same_id[-1]
        if match is None:
            named = [c for c in by_alias.get(alias, []) if c.local_key_id != key_id]
            match = named[-1] if named else None
        chain: list[bytes] = []
        cur = match
        while cur is not None:
            if cur.der in chain:
                break  # a loop: Java stops adding repeated certificates
            chain.append(cur.der)
            if len(chain) > 100:
                break
            issuer, subject = cur.names
            if issuer == subject:
                break
            if by_subject is None:
                by_subject = {}
                for c in certs + trusted:
                    by_subject.setdefault(c.names[1], []).append(c)
            candidates = by_subject.get(issuer)
            if not candidates:
                # Java compares X500Principals canonically (case, spacing, string
                # types); fall back to that when the encodings differ.
                if by_canonical is None:
                    by_canonical = {}
                    for c in certs + trusted:
                        by_canonical.setdefault(_canonical_names(c.der)[1], []).append(c)
                canon_issuer, canon_subject = _canonical_names(cur.der)
                if canon_issuer == canon_subject:
                    break
                candidates = by_canonical.get(canon_issuer)
            cur = candidates[0] if candidates else None
        entry.chain_der = chain
        if match is not None and match.alias is not None:
            entry.extras[X_FRIENDLY_NAME + ".cert"] = match.alias


# ---- dump ---------------------------------------------------------------------
def _ms(created: datetime) -> int:
    return int(created.timestamp() * 1000)


def _local_key_id(entry: PrivateKeyEntry | SecretKeyEntry) -> bytes:
    kept = entry.extras.get(X_LOCAL_KEY_ID)
    if isinstance(kept, bytes) and entry.extras.get(X_LOADED_CREATED) == entry.created:
        return kept
    return f"Time {_ms(entry.created)}".encode("ascii")


def _subject_dn(cert: bytes, cache: dict[bytes, str]) -> str:
    """A CA certificate's friendlyName: its subject as Java's getName(RFC2253)."""
    name = cache.get(cert)
    if name is None:
        from ...x509der import parse_certificate, rfc2253

        try:
            subject = parse_certificate(cert).subject
        except (ValueError, IndexError, OverflowError):
            raise KeystoreToolError("Invalid certificate in chain: Failed to parse input") from None
        try:
            name = rfc2253(subject)
        except (ValueError, IndexError):
            raise KeystoreToolError("Invalid certificate in chain: Invalid X.500 name") from None
        cache[cert] = name
    return name


def _need_password(password: str | None, what: str) -> str:
    if password is None:
        raise KeystoreToolError(f"A password is required to write {what} in a PKCS12 keystore")
    return password


def _key_blob(
    entry: PrivateKeyEntry | SecretKeyEntry, password: str | None, profile: Profile
) -> bytes:
    sealed = entry.sealed
    if isinstance(sealed, SealedKey) and sealed.protected_by(password):
        return sealed.epki
    if isinstance(entry, PrivateKeyEntry):
        if entry.pkcs8 is None:
            raise KeystoreToolError(
                f"The key of <{entry.alias}> is still sealed by its "
                f"{sealed.format if sealed else 'source'} protection; unlock it before writing"
            )
        clear = entry.pkcs8
    else:
        if entry.key is None:
            raise KeystoreToolError(
                f"The key of <{entry.alias}> is still sealed by its "
                f"{sealed.format if sealed else 'source'} protection; unlock it before writing"
            )
        algorithm = entry.algorithm or (sealed.algorithm if isinstance(sealed, SealedKey) else None)
        if algorithm is None:
            raise KeystoreToolError(f"The algorithm of secret key <{entry.alias}> is unknown")
        clear = bags.secret_key_info(algorithm, entry.key)
    pw = _need_password(password, "keys")
    spec = profile.key if profile.key.scheme != "NONE" else MODERN.key
    return bags.encrypt_key(spec, clear, pw)


def _other_attributes(entry: Entry) -> list[bytes]:
    kept = entry.extras.get(X_ATTRIBUTES)
    if isinstance(kept, list) and all(isinstance(a, bytes) for a in kept):
        return kept
    return []


#: From this many keys to encrypt, :func:`dump` encrypts them on a thread pool.
PARALLEL_KEYS = 4


def _encrypt_keys_in_parallel(
    entries: list[Entry], password: str | None, profile: Profile
) -> dict[int, bytes | Exception]:
    """Key bag contents (or the error) by ``id(entry)`` for keys needing a fresh
    encryption, computed concurrently when there are many. A new key bag costs
    a PBKDF2 with 10,000 iterations (nearly all the time of a whole-store import
    into PKCS12), and ``hashlib.pbkdf2_hmac`` releases the GIL. Errors are
    raised by :func:`dump` where the serial loop would have met them."""
    jobs = [
        e for e in entries
        if isinstance(e, (PrivateKeyEntry, SecretKeyEntry))
        and not (isinstance(e.sealed, SealedKey) and e.sealed.protected_by(password))
        and e.extras.get(X_PLAIN_KEY) is None
    ]
    if len(jobs) < PARALLEL_KEYS:
        return {}
    import os
    from concurrent.futures import ThreadPoolExecutor

    def one(entry: PrivateKeyEntry | SecretKeyEntry) -> bytes | Exception:
        try:
            return _key_blob(entry, password, profile)
        except Exception as exc:  # re-raised in order by dump()
            return exc

    workers = min(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
                  else os.cpu_count() or 1, 8)
    if workers < 2:
        return {}
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return {id(e): r for e, r in zip(jobs, pool.map(one, jobs), strict=True)}


def _blob(
    entry: PrivateKeyEntry | SecretKeyEntry, password: str | None, profile: Profile,
    ready: dict[int, bytes | Exception],
) -> bytes:
    done = ready.get(id(entry))
    if done is None:
        return _key_blob(entry, password, profile)
    if isinstance(done, Exception):
        raise done
    return done


def dump(entries: list[Entry], password: str | None, profile: Profile) -> bytes:
    profile = sound_profile(profile)  # a loaded file's weak algorithms are not reused
    key_bags: list[bytes] = []
    cert_bags: list[bytes] = []
    dn_cache: dict[bytes, str] = {}
    # Each CA certificate is written once, however many chains hold it: the
    # loader (like Java's) links a chain by the key's localKeyId and then by
    # issuer name among all certificate bags, and only the first bag with a
    # subject is ever used, which dropping later identical copies keeps.
    ca_written: set[bytes] = set()
    ready = _encrypt_keys_in_parallel(entries, password, profile)
    for entry in entries:
        others = _other_attributes(entry)
        if isinstance(entry, PrivateKeyEntry):
            key_id = _local_key_id(entry)
            alias = java_lower(entry.alias)
            plain = entry.extras.get(X_PLAIN_KEY)
            if plain is not None and plain == entry.pkcs8:  # an untouched keyBag stays one
                key_bags.append(bags.plain_key_bag(plain, alias, key_id, others))
            else:
                blob = _blob(entry, password, profile, ready)
                key_bags.append(bags.shrouded_key_bag(blob, alias, key_id, others))
            for i, cert in enumerate(entry.chain_der):
                if i == 0:
                    name = entry.extras.get(X_FRIENDLY_NAME + ".cert")
                    if not isinstance(name, str) or java_lower(name) != alias:
                        name = alias  # keytool names a new chain's EE cert lower-cased
                    # keytool repeats the key's other attributes on its EE cert
                    cert_bags.append(bags.cert_bag(cert, name, key_id, others=others))
                elif cert not in ca_written:
                    ca_written.add(cert)
                    cert_bags.append(bags.cert_bag(cert, _subject_dn(cert, dn_cache)))
        elif isinstance(entry, SecretKeyEntry):
            blob = _blob(entry, password, profile, ready)
            key_bags.append(
                bags.secret_bag(blob, java_lower(entry.alias), _local_key_id(entry), others)
            )
        elif isinstance(entry, TrustedCertEntry):
            cert_bags.append(
                bags.cert_bag(entry.cert_der, entry.alias, trusted=True, others=others)
            )
        else:  # pragma: no cover - model bug
            raise KeystoreToolError(f"Cannot store {type(entry).__name__} in a PKCS12 keystore")

    cert_bags.extend(profile.kept_bags)  # bags we read but do not interpret
    safes: list[bytes] = []
    if key_bags:
        safes.append(_data_content(der.seq_of(key_bags)))
    if cert_bags:
        contents = der.seq_of(cert_bags)
        if profile.cert.scheme == "NONE":
            safes.append(_data_content(contents))
        else:
            pw = _need_password(password, "certificates")
            alg, ciphertext = pbe.encrypt(profile.cert, contents, pw)
            enc_info = der.seq(
                der.oid(OID_DATA), alg, der.tlv(der.ctx(0, constructed=False), ciphertext)
            )
            safes.append(
                der.seq(
                    der.oid(OID_ENCRYPTED_DATA), der.explicit(0, der.seq(der.integer(0), enc_info))
                )
            )
    auth_safe = der.seq_of(safes)
    parts = [der.integer(3), _data_content(auth_safe)]
    if profile.mac.algorithm != "NONE":
        parts.append(
            mac.build(profile.mac, auth_safe, _need_password(password, "the integrity MAC"))
        )
    return der.seq(*parts)


def _data_content(content: bytes) -> bytes:
    return der.seq(der.oid(OID_DATA), der.explicit(0, der.octet_string(content)))
