"""The certificates of a PKCS#7 (CMS) SignedData, read with the project's own
bounded DER/BER reader.

Why not ``cryptography``'s ``load_der_pkcs7_certificates``: it parses strict
DER, and ``openssl crl2pkcs7`` (the usual way a CA reply bundle is made) writes
the certificate SET in file order, which is not DER's sorted order. cryptography
then falls back to BER with a ``UserWarning`` saying the fallback "may become an
exception"; a CA reply must keep installing when it does. Here the SET is read
as BER (any order, indefinite lengths), and the certificates come back in the
order the file holds them, as keytool reads them.
"""

from __future__ import annotations

SIGNED_DATA = "1.2.840.113549.1.7.2"


def is_signed_data(data: bytes) -> bool:
    """True when ``data`` starts like a PKCS#7 ContentInfo holding SignedData."""
    from . import der

    try:
        info = der.parse(data, "PKCS#7", allow_trailing=True)
        kids = info.seq("PKCS#7 ContentInfo", 1)
        return kids[0].oid("PKCS#7 content type") == SIGNED_DATA
    except der.DerError:
        return False


def certificate_ders(data: bytes) -> list[bytes]:
    """The encoding of each certificate of a PKCS#7 SignedData, in file order
    (``[]`` when it carries none: a CRL-only or signer-only message).

    Raises ``ValueError`` (:class:`der.DerError`) when ``data`` is not a
    SignedData ContentInfo. Other certificate choices (attribute certificates,
    PKCS#6 extended certificates) are skipped.
    """
    from . import der

    info = der.parse(data, "PKCS#7", allow_trailing=True)
    kids = info.seq("PKCS#7 ContentInfo", 1, 2)
    if kids[0].oid("PKCS#7 content type") != SIGNED_DATA:
        raise der.DerError("PKCS#7: not SignedData")
    if len(kids) < 2:
        return []
    signed = kids[1].explicit(0, "PKCS#7 content").seq("PKCS#7 SignedData", 4)
    # version, digestAlgorithms, encapContentInfo, then [0] IMPLICIT certificates
    certs = next((k for k in signed[3:] if k.tag == der.ctx(0)), None)
    if certs is None:
        return []
    return [c.raw for c in certs.children("PKCS#7 certificates") if c.tag == der.SEQUENCE]
