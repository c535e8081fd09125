"""--json for printcert / printcertreq, and keytool's ``-printcert -sslserver``.

The documents follow keystoretool.jsondoc's contract (the one certificate
object); ``-printcert -sslserver`` prints each certificate the server sends
as keytool does (``Certificate #i`` blocks, or PEM with -rfc), from the
probe's handshake without a client certificate.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import KeystoreToolError
from .common import session

if TYPE_CHECKING:  # pragma: no cover
    from cryptography import x509


def dump_certificates(kind: str, ders: list[bytes], **fields: Any) -> None:
    from ..jsondoc import certificate, document, dumps

    session().out.write(dumps(document(kind, **fields,
                                       certificates=[certificate(d) for d in ders])))


def print_server_certs(target: str, rfc: bool, json_: bool) -> None:
    """keytool's ``-printcert -sslserver``: each certificate the server sends,
    as ``Certificate #i`` blocks (or PEM with -rfc); no client certificate is
    sent (the probe's keyless handshake)."""
    from .. import certinfo, tls
    from ..relations import cert_der as to_der

    host, port = tls.parse_target(target, default_port=443)
    result = tls.probe_client_auth(host, port, None, [], timeout=10.0)
    ders = [to_der(c) for c in result.server_chain]
    if not ders:
        raise KeystoreToolError("No certificate from the SSL server")
    if json_:
        dump_certificates("printcert", ders, source=f"{host}:{port}")
        return
    parts: list[str] = []
    for i, der in enumerate(ders):
        if rfc:
            parts.append(certinfo.pem(der))
        else:
            parts.append(f"Certificate #{i}\n====================================\n")
            parts.append(certinfo.print_x509(der) + "\n")
        label = "The certificate" if len(ders) == 1 else \
            f"The certificate #{i + 1} of {len(ders)}"
        for line in certinfo.weak_warnings(label, der):
            session().warn(line)
    session().out.write("".join(parts))


def dump_certreq(subject: x509.Name, spki: bytes, sig_name: str,
                  exts: list[tuple[str, bool, bytes]]) -> None:
    from cryptography.hazmat.primitives.serialization import load_der_public_key

    from ..certinfo import key_description
    from ..chain import name_str
    from ..jsondoc import document, dumps

    try:
        key = key_description(load_der_public_key(spki))
    except Exception:  # an algorithm cryptography cannot load
        key = None
    session().out.write(dumps(document(
        "printcertreq", subject=name_str(subject), key=key, signature_algorithm=sig_name,
        extensions=[{"oid": oid, "critical": critical} for oid, critical, _ in exts],
    )))
