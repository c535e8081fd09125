"""Bounded key-derivation work: what one keystore file may make us compute.

A password-based KDF costs what its iteration count says, and the count is
written in the file. A 100-byte PKCS12 can ask for 5,000,000 iterations of the
PKCS#12 KDF (8 s here), three such safes 21 s, a 1 KB BKS 16 million. Two
limits stop that, both checked *before* any derivation runs:

* **Per derivation**, a cap on the iteration count for each KDF, set from what
  real producers write, with a margin (see :data:`KDFS`).
* **Per file**, a total: ``BASE + PER_ITEM x items``, where ``items`` counts
  what the file holds that a producer protects with a derivation (safes,
  MAC, key bags; key entries). So a file's allowance grows with its content,
  and a small file can never demand much more work than a real file of its
  size. A format plans the work it knows at load time (every safe, the MAC,
  every sealed key) with :meth:`WorkBudget.require` and refuses the whole file
  when it is over; each derivation then calls :meth:`WorkBudget.charge` (the
  only call a new KDF needs), which checks the cap and debits the total.

Work is counted in *units*: one iteration of one output block of the
underlying hash (``ceil(key length / digest length)`` blocks; SHA-384/512
count twice). One unit is 0.3-0.7 us on a 2020s x86 core for every KDF here
(PBKDF2 through OpenSSL, the PKCS#12 KDF in Python, pyjks, the JCEKS MD5
loop), so a limit in units is a limit in time.

``KEYSTORETOOL_WORK_LIMIT=N`` multiplies every cap and total by ``N`` (e.g.
``10`` for a file made with 2,000,000 PBKDF2 iterations). Messages name it.
"""

from __future__ import annotations

import math
import os
import threading
from dataclasses import dataclass

from ..errors import FormatError

ENV = "KEYSTORETOOL_WORK_LIMIT"


@dataclass(frozen=True)
class Kdf:
    """A key-derivation function: its name in messages and its per-derivation
    iteration cap (before :data:`ENV` scaling)."""

    label: str
    max_iterations: int
    #: Units per iteration and output block beyond the hash weight (the JCEKS
    #: PBE runs two MD5 chains per iteration).
    chains: int = 1


#: Per-derivation caps. What producers write:
#: PBKDF2 — keytool 17: 10,000; OpenSSL 3: 2,048; Windows: 2,000; NSS: 10,000;
#: OWASP's 2023 advice for PBKDF2-HMAC-SHA256: 600,000.
#: PKCS#12 KDF — Java 8: 50,000 (keys, certificates) and 100,000 (MAC);
#: keytool 17: 10,000 (MAC); OpenSSL: 2,048; Windows: 2,000.
#: JCEKS PBEWithMD5AndTripleDES — JDK 17: 200,000.
#: BKS/UBER (BouncyCastle): 1,024-2,047.
KDFS: dict[str, Kdf] = {
    "pbkdf2": Kdf("PBKDF2", 1_000_000),
    "pkcs12": Kdf("the PKCS#12 KDF", 200_000),
    "jce-md5": Kdf("the JCEKS PBE (PBEWithMD5AndTripleDES)", 600_000, chains=2),
    "bks": Kdf("the BKS/UBER PBE (PKCS#12 KDF)", 50_000),
    # PBES1 (PKCS#5 v1.5, PBKDF1 over MD5/SHA-1): OpenSSL writes 2,048.
    "pbkdf1": Kdf("PBKDF1", 1_000_000),
    # PBES2 with scrypt: charged N x r x p as the iteration count (~0.4 us
    # each here, like one unit); OpenSSL's 32 MiB default memory limit allows
    # N x r up to 262,144. Memory (128 x N x r bytes) must be
    # bounded separately, with hashlib.scrypt(maxmem=...).
    "scrypt": Kdf("scrypt (N x r x p)", 1_048_576),
}

#: Units every file may use whatever it holds (~0.6-1.4 s here): at least one
#: derivation at any cap above (PBKDF2-HMAC-SHA1 to an AES-256 key: 2 blocks).
BASE = 2_000_000
#: Units per item (safe, MAC, key bag, key entry) by format: what the heaviest
#: real producer spends per item (Java 8 PKCS12: 50,000 iterations x 3 blocks;
#: JDK 17 JCEKS: 200,000 x 2 chains, and a JCEKS key may be tried with two
#: passwords, its own and the store's, as keytool does), with a margin.
PER_ITEM: dict[str, int] = {"PKCS12": 200_000, "JCEKS": 880_000, "BKS": 20_000}

_HEAVY_HASHES = ("sha384", "sha512", "sha3_384", "sha3_512", "sha512_224", "sha512_256")


def factor() -> float:
    """The :data:`ENV` multiplier (1 when unset or not a positive number)."""
    raw = os.environ.get(ENV, "").strip()
    if not raw:
        return 1.0
    try:
        value = float(raw)
    except ValueError:
        return 1.0
    return value if value > 0 and math.isfinite(value) else 1.0


def blocks(out_len: int, digest_len: int, hash_name: str = "") -> int:
    """Output blocks of a derivation, weighted for 64-bit-word hashes."""
    n = max(1, -(-out_len // max(digest_len, 1)))
    return n * (2 if hash_name.lower().replace("-", "_") in _HEAVY_HASHES else 1)


def _n(value: float) -> str:
    return f"{int(value):,}"


class WorkLimitError(FormatError):
    """Input refused because deriving its keys would cost more than allowed."""


class WorkBudget:
    """The key-derivation allowance of one file (thread-safe)."""

    def __init__(self, what: str, store_type: str, items: int = 0) -> None:
        self.what = what
        self.store_type = store_type
        self.items = 0
        self.spent = 0
        self._factor = factor()
        self._lock = threading.Lock()
        self.add_items(items)

    @property
    def allowance(self) -> int:
        return int((BASE + PER_ITEM.get(self.store_type, 0) * self.items) * self._factor)

    def add_items(self, n: int) -> None:
        """Content found (e.g. the bags of a decrypted safe) raises the allowance."""
        with self._lock:
            self.items += max(n, 0)

    def cost(self, kdf: str, iterations: int, blocks: int = 1) -> int:
        """Units of one derivation; refuses one over its KDF's cap."""
        spec = KDFS[kdf]
        cap = int(spec.max_iterations * self._factor)
        if iterations > cap:
            raise WorkLimitError(
                f"{self.what}: iteration count {_n(iterations)} of {spec.label} is over "
                f"the limit of {_n(cap)} per key derivation ({self._raise_hint()})"
            )
        return max(iterations, 1) * max(blocks, 1) * spec.chains

    def require(self, units: int, detail: str) -> None:
        """Refuse now if ``units`` more would exceed the total (nothing is spent)."""
        with self._lock:
            if self.spent + units > self.allowance:
                raise WorkLimitError(self._over(self.spent + units, detail))

    def charge(self, kdf: str, iterations: int, blocks: int = 1) -> None:
        """Call before every derivation: checks the cap and debits the total."""
        units = self.cost(kdf, iterations, blocks)
        with self._lock:
            if self.spent + units > self.allowance:
                raise WorkLimitError(self._over(self.spent + units, f"{KDFS[kdf].label}"))
            self.spent += units

    def _over(self, needed: int, detail: str) -> str:
        per = PER_ITEM.get(self.store_type, 0)
        return (
            f"{self.what}: key derivation ({detail}) would take {_n(needed)} work units, "
            f"over this file's limit of {_n(self.allowance)} ({_n(BASE)} + {_n(per)} for "
            f"each of its {self.items} protected items; {self._raise_hint()})"
        )

    def _raise_hint(self) -> str:
        return f"set {ENV}=N to multiply the work limits by N"


#: For derivations with parameters we chose ourselves (writing): caps only
#: matter for what we read, so this budget never refuses.
class Unbounded(WorkBudget):
    def __init__(self) -> None:
        super().__init__("writing", "")

    def cost(self, kdf: str, iterations: int, blocks: int = 1) -> int:
        return 0

    def require(self, units: int, detail: str) -> None:
        return None

    def charge(self, kdf: str, iterations: int, blocks: int = 1) -> None:
        return None


UNBOUNDED = Unbounded()
