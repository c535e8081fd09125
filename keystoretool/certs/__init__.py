"""Certificate chores as keytool does them, on ``cryptography`` objects.

One module per concern, re-exported here:

* :mod:`.dname`: ``-dname`` strings (Java's ``X500Name``) and keytool's
  questions; the one use of ``cryptography``'s private API;
* :mod:`.extensions`: ``-ext`` values (``Main.createV3Extensions``) and
  keytool's ``oneOf`` abbreviation matching;
* :mod:`.keygen`: key pairs, signature algorithms, ``-startdate``, the
  self-signed certificate and the PKCS#10 request;
* :mod:`.reader`: certificate input (Java's X.509 ``CertificateFactory``);
* :mod:`.reply`: CA replies (``establishCertChain``, ``validateReply``).

Relations between certificates (signed by, same key, name equality) live in
:mod:`keystoretool.relations`. Everything here is pure: no prompts except
through the callables passed to :func:`ask_x500`, no files but the system CA
store, no printing.
"""

from __future__ import annotations

from .dname import (
    COUNTRY_OID,
    X500_QUESTIONS,
    Ava,
    ask_x500,
    check_country,
    is_printable_string,
    name_from_avas,
    parse_dname,
    parse_dname_avas,
    typed_attribute,
    x500_from_answers,
)
from .extensions import (
    EKU_NAMES,
    EXT_NAMES,
    KU_NAMES,
    general_name,
    one_of,
    parse_extensions,
    parse_oid,
)
from .keygen import (
    EC_CURVES,
    SHA1_ALG_IDS,
    GeneratedKey,
    SigAlg,
    build_csr,
    default_sigalg,
    generate_key_pair,
    key_family,
    parse_startdate,
    random_serial,
    resign,
    resolve_sigalg,
    self_signed_certificate,
    sign_certificate,
    sign_raw,
    validity_end,
)
from .reader import (
    CertParseError,
    fully_parsed,
    lenient_certificate,
    load_certificate,
    pem_block,
    read_blocks,
    read_certificate_ders,
    read_certificate_files,
    read_certificates,
)
from .reply import (
    Candidate,
    establish_chain,
    find_signer,
    order_reply,
    pkcs12_chain_valid,
    store_candidates,
    system_ca_certificates,
)

__all__ = [
    "COUNTRY_OID", "EC_CURVES", "EKU_NAMES", "EXT_NAMES", "KU_NAMES", "SHA1_ALG_IDS",
    "X500_QUESTIONS", "Ava", "Candidate", "CertParseError", "GeneratedKey", "SigAlg",
    "ask_x500", "build_csr", "check_country", "default_sigalg", "establish_chain",
    "find_signer", "fully_parsed", "general_name", "generate_key_pair", "is_printable_string",
    "key_family", "lenient_certificate", "load_certificate", "name_from_avas", "one_of",
    "order_reply", "parse_dname", "parse_dname_avas", "parse_extensions", "parse_oid",
    "parse_startdate", "pem_block", "pkcs12_chain_valid", "random_serial", "read_blocks",
    "read_certificate_ders", "read_certificate_files", "read_certificates", "resign",
    "resolve_sigalg", "self_signed_certificate", "sign_certificate", "sign_raw",
    "store_candidates", "system_ca_certificates", "typed_attribute", "validity_end",
    "x500_from_answers",
]
