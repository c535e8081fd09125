"""keystoretool: Java keytool's keystore commands without a JVM.

The Python API is one keystore abstraction for every format::

    from keystoretool import Keystore
    ks = Keystore.load("client.jks", "changeit")   # JKS, JCEKS, PKCS12, BKS, UBER
    ks.rename("old", "new")
    ks.save()                                      # atomic, verified, same format

    with Keystore.edit("client.p12", "changeit") as ks:   # locked from read to write,
        ks.delete("old")                                  # as the command line does

A keystore maps aliases to entries: :class:`PrivateKeyEntry` (a private key and
its certificate chain, leaf first — what a TLS client presents),
:class:`TrustedCertEntry` (a CA certificate you trust) and
:class:`SecretKeyEntry` (a symmetric key). Every user error is a
:class:`KeystoreToolError` whose message is worded like keytool's; its
subclasses say what went wrong: :class:`AliasError` (alias missing or taken),
:class:`IntegrityError` (wrong store password or tampered file),
:class:`UnrecoverableKeyError` (wrong key password), :class:`FormatError` (not
a keystore of a known format), :class:`StorageError` (reading or writing the
file, lock timeout) and :class:`UsageError` (bad arguments).
"""

from .entries import Entry, PrivateKeyEntry, SecretKeyEntry, TrustedCertEntry
from .errors import (
    AliasError,
    FormatError,
    IntegrityError,
    KeystoreToolError,
    StorageError,
    UnrecoverableKeyError,
    UsageError,
)
from .model import Keystore

__version__ = "0.1.0"

__all__ = [
    "Keystore",
    "Entry",
    "PrivateKeyEntry",
    "TrustedCertEntry",
    "SecretKeyEntry",
    "KeystoreToolError",
    "AliasError",
    "FormatError",
    "IntegrityError",
    "StorageError",
    "UnrecoverableKeyError",
    "UsageError",
    "__version__",
]
