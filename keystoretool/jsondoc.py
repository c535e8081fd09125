"""The JSON contract: the documents every ``--json`` command prints.

Every document is one JSON object with ``schema_version`` (:data:`SCHEMA_VERSION`)
and ``kind`` (the command that made it; ``error`` for a failure). The
certificate object (:func:`certificate`) and the finding object
(:meth:`keystoretool.findings.Finding.to_dict`) are the same in every
document; a command that gives a verdict puts it under ``verdict``. The JSON
Schema (draft 2020-12) of all of them ships as
``keystoretool/schema/keystoretool.schema.json`` and is printed by
``keystoretool schema``.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from cryptography import x509

    from .errors import KeystoreToolError

#: Version of every --json document. 1 was expiry's and diff's own; 2 is the
#: one contract (certificate, finding, verdict, error) of all commands.
SCHEMA_VERSION = 2

SCHEMA_RESOURCE = "schema/keystoretool.schema.json"


def certificate(cert: x509.Certificate | bytes) -> dict[str, Any]:
    """The one certificate object: subject, issuer (keytool's form), serial
    (lower-case hex), not_before / not_after (ISO 8601, UTC), sha256 (as
    keytool prints it), ca, self_signed, key, key_usage, extended_key_usage,
    aia_ca_issuers. The first six come from keytool's own reading, so they
    exist for any certificate keytool accepts; the others are null where
    cryptography cannot read the certificate."""
    from cryptography import x509

    from . import certinfo, relations
    from . import chain as ch
    from .certinfo import key_description

    der = cert if isinstance(cert, bytes) else relations.cert_der(cert)
    out: dict[str, Any] = dict(certinfo.summary(der))
    out.update(ca=None, self_signed=None, key=None, key_usage=None,
               extended_key_usage=None, aia_ca_issuers=[])
    try:
        c = cert if not isinstance(cert, bytes) else x509.load_der_x509_certificate(der)
    except (ValueError, x509.InvalidVersion):
        return out
    try:
        key = key_description(c.public_key())
    except Exception:  # an algorithm cryptography cannot load
        key = c.public_key_algorithm_oid.dotted_string
    eku = ch.ext_key_usage(c)
    out.update(
        ca=ch._basic_ca(c),
        self_signed=ch.is_self_signed(c),
        key=key,
        key_usage=ch._key_usage(c),
        extended_key_usage=None if eku is None else [ch._EKU_NAMES.get(o, o) for o in eku],
        aia_ca_issuers=ch.aia_ca_issuers(c),
    )
    return out


def document(kind: str, **fields: Any) -> dict[str, Any]:
    """A --json document: schema_version and kind first, then ``fields``."""
    return {"schema_version": SCHEMA_VERSION, "kind": kind, **fields}


def error_code(exc: BaseException) -> str:
    """The ``error.code`` of a failure: the error's class, in kebab case
    (``usage``, ``alias``, ``integrity``, ``unrecoverable-key`` ...)."""
    from .errors import KeystoreToolError

    if not isinstance(exc, KeystoreToolError):
        return "interrupted" if isinstance(exc, KeyboardInterrupt) else "internal"
    name = type(exc).__name__.removesuffix("Error") or "Keystoretool"
    if name == "KeystoreTool":
        return "error"
    return "".join("-" + ch.lower() if ch.isupper() else ch for ch in name).lstrip("-")


def error_document(exc: KeystoreToolError | BaseException, message: str) -> dict[str, Any]:
    return document("error", error={"code": error_code(exc), "message": message})


def dumps(doc: Any) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def schema_text() -> str:
    """The shipped JSON Schema, as text."""
    from importlib.resources import files

    return files("keystoretool").joinpath(SCHEMA_RESOURCE).read_text(encoding="utf-8")
