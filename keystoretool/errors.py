"""One exception family whose message is what the user reads.

The CLI prints ``keystoretool error: <message>`` on stderr and exits 1 for any
:class:`KeystoreToolError`. Messages follow keytool's wording without the Java
exception class prefix, and never contain a password.
"""

from __future__ import annotations


class KeystoreToolError(Exception):
    """A user-facing error: its ``str()`` is one line the user can act on."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class UsageError(KeystoreToolError):
    """Bad command line (keytool prints these with the command's usage)."""


class FormatError(KeystoreToolError):
    """The bytes are not a keystore of the expected (or any known) format."""


class IntegrityError(KeystoreToolError):
    """Integrity check failed: wrong store password or tampered file."""


class UnrecoverableKeyError(KeystoreToolError):
    """A key could not be decrypted with the password given."""

    def __init__(self, message: str = "Cannot recover key") -> None:
        super().__init__(message)


class AliasError(KeystoreToolError):
    """Alias missing or already taken."""


class StorageError(KeystoreToolError):
    """Reading or writing a file failed (permissions, disk full, lock timeout)."""


def alias_missing(alias: str) -> AliasError:
    return AliasError(f"Alias <{alias}> does not exist")
