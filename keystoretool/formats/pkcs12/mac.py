"""The PFX integrity MAC: PKCS#12 HMAC (RFC 7292 B.4) or PBMAC1 (RFC 9579).

``MacData ::= SEQUENCE { mac DigestInfo, macSalt OCTET STRING, iterations
INTEGER DEFAULT 1 }``. The classic MAC keys an HMAC with the PKCS#12 KDF
(purpose 3) over the BMP password; PBMAC1 puts a PBKDF2 + HMAC description
in the DigestInfo's algorithm parameters and ignores macSalt/iterations
(RFC 9579 §5: key length is mandatory, and lengths under 20 bytes are refused,
which closes the OpenSSL short-key bypass).
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Iterator
from dataclasses import dataclass

from ... import der
from ...der import DerError, Node
from ..budget import UNBOUNDED, WorkBudget, blocks
from . import bmpstring
from .pbe import (
    DIGEST_OID_BY_NAME,
    DIGEST_OIDS,
    HMAC_OID_BY_NAME,
    HMAC_OIDS,
    OID_PBKDF2,
    OID_PBMAC1,
    PURPOSE_MAC,
    UnsupportedAlgorithm,
    check_iterations,
    hash_ctor,
    parse_pbkdf2_params,
    pbkdf2,
    pbkdf2_alg_id,
    pkcs12_kdf,
)

#: RFC 9579 recommends refusing shorter PBMAC1 keys.
PBMAC1_MIN_KEY = 20


class MacParameterError(DerError):
    """PBMAC1 parameters that must be refused (missing or short key length)."""


@dataclass(frozen=True)
class MacSpec:
    """How to compute the MAC of a new file.

    ``algorithm`` is a hashlib name for the PKCS#12 HMAC ("sha256"), "PBMAC1",
    or "NONE" (no MAC). For PBMAC1, ``prf``/``hmac_hash``/``key_len`` describe
    the PBKDF2 PRF, the HMAC and the derived key length.
    """

    algorithm: str
    iterations: int
    salt_len: int = 20
    prf: str = "sha256"
    hmac_hash: str = "sha256"
    key_len: int = 32


NO_MAC = MacSpec("NONE", 0)


@dataclass(frozen=True)
class ParsedMac:
    spec: MacSpec
    digest: bytes
    salt: bytes  # macSalt, or the PBKDF2 salt for PBMAC1
    key_len_given: bool = True


def _digest_len(name: str) -> int:
    return int(hash_ctor(name)().digest_size)


def parse(node: Node) -> ParsedMac:
    kids = node.seq("MacData", 2, 3)
    digest_info = kids[0].seq("MAC DigestInfo", 2, 2)
    alg = digest_info[0].seq("MAC algorithm", 1, 2)
    digest = digest_info[1].octets("MAC digest")
    salt = kids[1].octets("MAC salt")
    if len(salt) > 1024:
        raise DerError("MAC salt too long")
    raw_iterations = kids[2].integer("MAC iteration count") if len(kids) > 2 else 1
    oid = alg[0].oid()
    if oid in DIGEST_OIDS:
        name = DIGEST_OIDS[oid]
        iterations = check_iterations(raw_iterations, "MAC")
        return ParsedMac(MacSpec(name, iterations, max(8, min(len(salt), 64))), digest, salt)
    if oid != OID_PBMAC1:
        raise UnsupportedAlgorithm(f"MAC algorithm {oid} not supported")
    if len(alg) != 2:
        raise DerError("PBMAC1 parameters missing")
    kdf, mac_alg = alg[1].seq("PBMAC1 parameters", 2, 2)
    kdf_kids = kdf.seq("PBMAC1 KDF", 2, 2)
    if kdf_kids[0].oid() != OID_PBKDF2:
        raise UnsupportedAlgorithm("PBMAC1 key derivation other than PBKDF2 is not supported")
    p_salt, p_iter, key_len, prf = parse_pbkdf2_params(kdf_kids[1])
    mac_oid = mac_alg.seq("PBMAC1 MAC algorithm", 1, 2)[0].oid()
    if mac_oid not in HMAC_OIDS:
        raise UnsupportedAlgorithm(f"PBMAC1 MAC {mac_oid} not supported")
    spec = MacSpec(
        "PBMAC1", p_iter, max(8, min(len(p_salt), 64)), prf, HMAC_OIDS[mac_oid], key_len or 0
    )
    return ParsedMac(spec, digest, p_salt, key_len is not None)


def derivations(spec: MacSpec, candidates: int = 1) -> list[tuple[str, int, int]]:
    """The key derivations of one MAC check, as :func:`.pbe.derivations` gives them."""
    if spec.algorithm == "PBMAC1":
        digest = _digest_len(spec.prf)
        return [("pbkdf2", spec.iterations, blocks(spec.key_len, digest, spec.prf))]
    return [("pkcs12", spec.iterations, blocks(1, 1, spec.algorithm))] * candidates


def planned_units(parsed: ParsedMac, password: str, budget: WorkBudget) -> int:
    """Worst-case units of :func:`verify` (both encodings of the empty password)."""
    n = len(bmpstring.password_candidates(password))
    return sum(budget.cost(k, it, b) for k, it, b in derivations(parsed.spec, n))


def _compute(
    spec: MacSpec, salt: bytes, message: bytes, password: str, budget: WorkBudget = UNBOUNDED
) -> Iterator[bytes]:
    """The MAC value(s) the password may give (two for the empty password),
    each derivation charged to ``budget`` just before it runs."""
    if spec.algorithm == "PBMAC1":
        for kdf, it, b in derivations(spec):
            budget.charge(kdf, it, b)
        key = pbkdf2(spec.prf, password, salt, spec.iterations, spec.key_len)
        yield hmac.digest(key, message, spec.hmac_hash)
        return
    n = _digest_len(spec.algorithm)
    for pw in bmpstring.password_candidates(password):
        for kdf, it, b in derivations(spec):
            budget.charge(kdf, it, b)
        key = pkcs12_kdf(spec.algorithm, pw, salt, spec.iterations, PURPOSE_MAC, n)
        yield hmac.digest(key, message, spec.algorithm)


def verify(
    parsed: ParsedMac, message: bytes, password: str, budget: WorkBudget = UNBOUNDED
) -> bool:
    """True when the MAC matches. PBMAC1 without (or with a too short) key
    length raises :class:`MacParameterError` instead."""
    spec = parsed.spec
    if spec.algorithm == "PBMAC1":
        if not parsed.key_len_given:
            raise MacParameterError("PBMAC1 parameters lack the required key length")
        if spec.key_len < PBMAC1_MIN_KEY:
            raise MacParameterError("PBMAC1 key length is too short")
    return any(
        hmac.compare_digest(m, parsed.digest)
        for m in _compute(spec, parsed.salt, message, password, budget)
    )


def build(spec: MacSpec, message: bytes, password: str) -> bytes:
    """The DER MacData for ``message`` (the AuthenticatedSafe bytes)."""
    salt = os.urandom(spec.salt_len)
    mac_value = next(_compute(spec, salt, message, password))
    if spec.algorithm == "PBMAC1":
        alg = der.seq(
            der.oid(OID_PBMAC1),
            der.seq(
                pbkdf2_alg_id(salt, spec.iterations, spec.key_len, spec.prf),
                der.seq(der.oid(HMAC_OID_BY_NAME[spec.hmac_hash]), der.null()),
            ),
        )
        # RFC 9579: macSalt and iterations are present but ignored.
        return der.seq(
            der.seq(alg, der.octet_string(mac_value)),
            der.octet_string(b"NOT USED"),
            der.integer(1),
        )
    alg = der.seq(der.oid(DIGEST_OID_BY_NAME[spec.algorithm]), der.null())
    return der.seq(
        der.seq(alg, der.octet_string(mac_value)),
        der.octet_string(salt),
        der.integer(spec.iterations),
    )
