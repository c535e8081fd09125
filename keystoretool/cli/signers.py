"""Key entries that sign, and the signers of signed jars: shared by cmd_certs
(genkeypair -signer, printcert -jarfile) and cmd_keytool (gencert, gencrl)
without either importing the other."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..entries import PrivateKeyEntry, TrustedCertEntry
from ..errors import AliasError, KeystoreToolError
from .common import recover_key, session

if TYPE_CHECKING:  # pragma: no cover
    from ..model import Keystore


def signing_key_entry(ks: Keystore, label: str,
                      keypass: str | None) -> tuple[PrivateKeyEntry, Any]:
    """The key entry that signs (gencert, gencrl, genkeypair -signer): its entry
    and private key, with keytool's messages."""
    entry = ks.find(label)
    if entry is None:
        raise AliasError(f"Alias <{label}> does not exist")
    if isinstance(entry, TrustedCertEntry):
        raise KeystoreToolError(f"Alias <{label}> has no key")
    recover_key(entry, ks, label, keypass)
    if not isinstance(entry, PrivateKeyEntry) or not entry.chain_der:
        raise KeystoreToolError(f"Alias <{label}> has no certificate")
    return entry, entry.private_key()


def print_jar_signers(jarfile: str, rfc: bool) -> None:
    """``-printcert -jarfile``: each signer's certificate path, as keytool prints it."""
    from .. import certinfo, jarsig

    s = session()
    signers = jarsig.jar_signers(jarfile)
    parts: list[str] = []
    for pos, signer in enumerate(signers, 1):
        parts.append(f"Signer #{pos}:\n\n")
        count = len(signer.cert_path)
        for i, der in enumerate(signer.cert_path, 1):
            parts.append(f"Certificate #{i}:\n")
            if rfc:
                parts.append(f"Certificate owner: {_owner(der)}\n\n"
                             + certinfo.pem(der))
            else:
                parts.append(certinfo.print_x509(der))
            parts.append("\n")
            label = f"The certificate #{i} of signer #{pos}" if count > 1 else \
                f"The certificate of signer #{pos}"
            for line in certinfo.weak_warnings(label, der):
                s.warn(line)
    if not signers:
        parts.append("Not a signed jar file\n")
    s.out.write("".join(parts))


def _owner(der: bytes) -> str:
    from .. import certinfo, certs

    return certinfo.x500_str(certs.lenient_certificate(der).subject)
