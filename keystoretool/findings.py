"""Findings: what `chain`, `check` and `probe` report about a keystore or a chain.

One finding type for every command: a stable ``code`` (a :class:`Code`,
named for what it means), a ``severity`` (``problem`` makes a command exit
2; ``warning`` and ``note`` do not), a one-line ``message`` and, where one
command repairs it, the exact ``fix`` command. ``alias`` names the keystore
entry and ``index`` the certificate's position (0-based, as given) when the
finding is about one.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    PROBLEM = "problem"
    WARNING = "warning"  # reported, but the keystore or chain is still fine
    NOTE = "note"


class Code(StrEnum):
    """Every finding code (stable: ``--json`` consumers and tests use them)."""

    # chain rules (keystoretool.chain.diagnose)
    EMPTY = "empty"
    OUT_OF_ORDER = "out-of-order"
    DUPLICATE = "duplicate"
    UNRELATED = "unrelated"
    MISSING_INTERMEDIATE = "missing-intermediate"
    ROOT_INCLUDED = "root-included"
    ENDS_BELOW_ROOT = "ends-below-root"
    EXPIRED = "expired"
    NOT_YET_VALID = "not-yet-valid"
    NOT_CA = "not-a-ca"
    NO_CERT_SIGN = "no-keycertsign"
    BAD_SIGNATURE = "bad-signature"
    NO_CLIENT_AUTH = "no-client-auth"
    NO_EKU = "no-eku"
    KEY_MISMATCH = "key-mismatch"
    UNTRUSTED = "untrusted"
    SELF_SIGNED_LEAF = "self-signed-leaf"
    # keystore profiles (keystoretool.profiles)
    STORE_TYPE = "store-type"
    NO_KEY_ENTRIES = "no-key-entries"
    NOT_A_KEY_ENTRY = "not-a-key-entry"
    ALIAS_NAME = "alias-name"
    KEY_ALGORITHM = "key-algorithm"
    KEY_SIZE = "key-size"
    KEY_PASSWORD = "key-password"
    EXPIRES_SOON = "expires-soon"


@dataclass
class Finding:
    code: Code
    severity: Severity
    message: str
    index: int | None = None  # position in the chain as given (0-based)
    alias: str | None = None
    fix: str | None = None  # the command that repairs it

    @property
    def is_problem(self) -> bool:
        return self.severity == Severity.PROBLEM

    def line(self) -> str:
        where = f"{self.alias}: " if self.alias is not None else ""
        return f"{self.severity}: {where}{self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": str(self.code),
            "severity": str(self.severity),
            "message": self.message,
            "fix": self.fix,
            "alias": self.alias,
            "index": self.index,
        }


def command(*words: str | None) -> str:
    """A command line, each word quoted for a POSIX shell (None words left out)."""
    return " ".join(shlex.quote(w) for w in words if w is not None)
