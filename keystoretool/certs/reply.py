"""CA replies as keytool installs them (``Main.establishCertChain``,
``validateReply``, ``getSigner``): a reply is installed leaf first, each
certificate followed by its signer, completed from the keystore's
certificates (and, with ``-trustcacerts``, the system CA store).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import KeystoreToolError
from ..relations import (
    canonical_name,
    cert_der,
    is_self_signed,
    names_equal,
    same_key,
    signed_by,
    spki,
    verify_signature,
)
from .reader import read_certificates

if TYPE_CHECKING:  # pragma: no cover
    from cryptography import x509



# ---------------------------------------------------------------------------
# CA replies
# ---------------------------------------------------------------------------
@dataclass
class Candidate:
    """A certificate keytool may use to complete a chain, with its label
    (``Issuer <alias>`` or ``Issuer <alias> in cacerts``)."""

    label: str
    cert: x509.Certificate


def establish_chain(
    user_cert: x509.Certificate | None,
    reply: x509.Certificate,
    candidates: Sequence[Candidate],
) -> list[x509.Certificate]:
    """keytool's ``establishCertChain`` for a one-certificate reply (or a
    trusted certificate when ``user_cert`` is None): the chain from ``reply``
    up to a self-signed root, using ``candidates`` (the keystore's
    certificates in enumeration order, then cacerts), leaf first."""
    if user_cert is not None:
        if not same_key(user_cert, reply):
            raise KeystoreToolError("Public keys in reply and keystore don't match")
        if cert_der(user_cert) == cert_der(reply):
            raise KeystoreToolError("Certificate reply and certificate in keystore are identical")
    by_subject: dict[tuple[Any, ...], list[Candidate]] = {}
    for cand in candidates:  # names_equal(subject, issuer) <=> same canonical name
        by_subject.setdefault(canonical_name(cand.cert.subject), []).append(cand)
    from ..formats.budget import factor

    checks = [int((4 * len(candidates) + 256) * factor())]
    chain = _build_chain(reply, by_subject, set(), checks)
    if chain is None:
        raise KeystoreToolError("Failed to establish chain from reply")
    return chain


def _build_chain(
    cert: x509.Certificate, by_subject: dict[tuple[Any, ...], list[Candidate]],
    seen: set[bytes], checks: list[int],
) -> list[x509.Certificate] | None:
    """Depth-first, as keytool's buildChain; ``checks`` is the signature
    checks left (certificates cross-signed many times over could otherwise
    make the search exponential)."""
    if is_self_signed(cert):
        return [cert]
    der = cert_der(cert)
    if der in seen:  # a loop of cross-signed certificates
        return None
    seen = seen | {der}
    for cand in by_subject.get(canonical_name(cert.issuer), ()):
        checks[0] -= 1
        if checks[0] < 0:
            from ..formats.budget import ENV

            raise KeystoreToolError(
                "Failed to establish chain from reply: too many candidate issuers share "
                f"names (set {ENV}=N to multiply the work limits by N)"
            )
        if not verify_signature(cert, cand.cert.public_key()):
            continue
        rest = _build_chain(cand.cert, by_subject, seen, checks)
        if rest is not None:
            return [cert, *rest]
    return None


def order_reply(alias: str, user_cert: x509.Certificate,
                reply: Sequence[x509.Certificate]) -> list[x509.Certificate]:
    """keytool's ``validateReply`` ordering of a multi-certificate reply:
    duplicates dropped, the certificate with the entry's key first, then each
    one's signer. With three or more certificates a missing link gives
    "Incomplete certificate chain in reply". The last certificate is kept as
    it comes (keytool does not check that it signed the one before)."""
    certs: list[x509.Certificate] = []
    seen: set[bytes] = set()
    for c in reply:
        d = cert_der(c)
        if d not in seen:
            seen.add(d)
            certs.append(c)
    want = spki(user_cert.public_key())
    idx = next((i for i, c in enumerate(certs) if spki(c.public_key()) == want), None)
    if idx is None:
        raise KeystoreToolError(f"Certificate reply does not contain public key for <{alias}>")
    certs[0], certs[idx] = certs[idx], certs[0]
    this = certs[0]
    for i in range(1, len(certs) - 1):
        for j in range(i, len(certs)):
            if signed_by(this, certs[j]):
                certs[i], certs[j] = certs[j], certs[i]
                this = certs[i]
                break
        else:
            raise KeystoreToolError("Incomplete certificate chain in reply")
    return certs


def find_signer(top: x509.Certificate, candidates: Sequence[Candidate]) -> Candidate | None:
    """keytool's ``getSigner``: ``top`` itself when a candidate is that very
    certificate, else the first candidate whose key verifies ``top``."""
    der = cert_der(top)
    for cand in candidates:
        if cert_der(cand.cert) == der:
            return Candidate("", top)
    for cand in candidates:
        if verify_signature(top, cand.cert.public_key()):
            return cand
    return None


def pkcs12_chain_valid(chain: Sequence[x509.Certificate]) -> bool:
    """PKCS12KeyStore.validateChain: each certificate's issuer is the next
    one's subject, and no certificate appears twice."""
    for a, b in zip(chain, chain[1:], strict=False):
        if not names_equal(a.issuer, b.subject):
            return False
    return len({cert_der(c) for c in chain}) == len(chain)


def store_candidates(entries: Sequence[tuple[str, bytes]],
                     cacerts: Sequence[tuple[str, bytes]] = ()) -> list[Candidate]:
    """Candidates from (alias, first-certificate DER) pairs of a keystore in
    enumeration order, then of the system CA store."""
    from cryptography import x509

    out: list[Candidate] = []
    labelled = [(f"Issuer <{a}>", d) for a, d in entries]
    labelled += [(f"Issuer <{a}> in cacerts", d) for a, d in cacerts]
    for label, der in labelled:
        try:
            out.append(Candidate(label, x509.load_der_x509_certificate(der)))
        except ValueError:  # a form cryptography cannot check cannot sign anything here
            continue
    return out


def system_ca_certificates() -> list[tuple[str, bytes]]:
    """The system CA store for ``-trustcacerts``: the OpenSSL default CA file
    (Debian's /etc/ssl/certs/ca-certificates.crt), or $KEYSTORETOOL_CACERTS
    (a PEM bundle) when set. Labels are the subjects."""
    import ssl

    path = os.environ.get("KEYSTORETOOL_CACERTS") or ssl.get_default_verify_paths().cafile
    if not path or not os.path.isfile(path):
        return []
    import warnings

    from cryptography.utils import CryptographyDeprecationWarning

    with warnings.catch_warnings():
        # Some roots of the system bundle have a serial number that is not
        # positive (Go Daddy's is 0): cryptography warns about each one. The
        # bundle is not the user's file, so that is no news for them.
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        try:
            with open(path, "rb") as fh:
                certs = read_certificates(fh.read())
        except (OSError, KeystoreToolError):
            return []
        return [(c.subject.rfc4514_string(), cert_der(c)) for c in certs]
