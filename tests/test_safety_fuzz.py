"""The "Nothing lost" guarantees under fire (issue 4, "Must show"), c: fuzz.

Mutated keystores of every format (and certificate inputs) through the loaders
in-process and a sample through the CLI: only ``KeystoreToolError`` escapes, no
case takes 2 s, the CLI answers with one ``keystoretool error:`` line and
writes nothing. Hostile files (FIFO, directory, empty, oversized) get the same.

The big runs are marked ``slow`` (``make test-long`` runs them); a small
version runs in ``make test``. Figures are printed in the test output for the
README's Safety section.
"""

from __future__ import annotations

import base64
import json
import os
import random
import re
import resource
import signal
import subprocess
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from safetyhelpers import (
    FORK,
    PASSWORD,
    REPO,
    cli,
    make_delete_store,
    report,
)

from keystoretool import formats, storage
from keystoretool.entries import PrivateKeyEntry, SecretKeyEntry
from keystoretool.errors import KeystoreToolError

# ---------------------------------------------------------------------------
# c. Fuzz
# ---------------------------------------------------------------------------

FUZZ_BASE_SEED = 20261127
CASE_TIME_LIMIT = 2.0  # seconds, per case (issue 4)
HANG_LIMIT = 5.0  # a worker silent this long is killed and the case reported as a hang
SEED_MAX_SIZE = 64 * 1024

# Corpus seeds: (path under the corpus root, store type to ask for or None to
# probe, store password, key password or None for "same as the store").
# pyjks's "custom_entry_passwords" stores: one password per key kind (the
# manifest does not list the public key's).
_CUSTOM = (("private", "private_password"), ("secret", "secret_password"),
           ("public", "public_password"))
_CORPUS: list[tuple[str, str | None, str, tuple[tuple[str, str], ...]]] = [
    *[(f"pyjks/jks/{n}.jks", None, "12345678", ())
      for n in ("RSA1024", "DSA2048", "RSA2048_3certs", "3certs")],
    ("pyjks/jks/truststore.jks", None, "trustpass", ()),
    ("pyjks/jks/custom_entry_passwords.jks", None, "store_password", _CUSTOM),
    ("pyjks/jks/non_ascii_password.jks", None,
     "\u10DA\u0028\u0CA0\u76CA\u0CA0\u10DA\u0029", ()),
    ("pyjks/jks/duplicate_aliases.jks", None, "12345678", ()),
    *[(f"pyjks/jceks/{n}.jceks", None, "12345678", ())
      for n in ("RSA1024", "DSA2048", "3certs", "AES128", "AES256", "DES", "DESede",
                "PBKDF2WithHmacSHA1", "duplicate_aliases", "unknown_sealed_object_sealAlg",
                "unknown_type_inside_sealed_object")],
    ("pyjks/jceks/custom_entry_passwords.jceks", None, "store_password", _CUSTOM),
    ("pyjks/bks/christmas.bksv1", "BKS", "12345678", ()),
    ("pyjks/bks/christmas.bksv2", "BKS", "12345678", ()),
    ("pyjks/bks/custom_entry_passwords.bksv2", "BKS", "store_password", _CUSTOM),
    ("pyjks/uber/christmas.uber", "UBER", "12345678", ()),
    ("pyjks/uber/custom_entry_passwords.uber", "UBER", "store_password", _CUSTOM),
    *[(f"pbmac1-rfc9579/rfc9579-{n}.txt", None, "1234", ()) for n in ("a1", "a2", "a3")],
]


@dataclass(frozen=True)
class Seed:
    name: str
    data: bytes
    loader: str  # "keystore" | "certs"
    store_type: str | None = None
    password: str | None = None
    key_passwords: tuple[tuple[str, str], ...] = ()  # (alias or word in it, password)


def _corpus_roots() -> list[Path]:
    return [REPO / "fixtures" / "corpus"]


def _find_corpus_file(rel: str) -> Path | None:
    for root in _corpus_roots():
        if (root / rel).is_file():
            return root / rel
        if root.is_dir():
            hits = sorted(root.rglob(Path(rel).name))
            if hits:
                return hits[0]
    return None


def _fixture_seeds() -> list[Seed]:
    """Every keystore in fixtures/manifest.json (made by keytool 17/25 and
    openssl, plus the vendored public corpus), with its store type and
    passwords from the manifest; the PBMAC1 test vectors; the PEM
    certificates."""
    root = REPO / "fixtures"
    manifest = root / "manifest.json"
    if not manifest.is_file():
        return []
    raw = json.loads(manifest.read_text())
    seeds: list[Seed] = []
    for rel, info in raw["files"].items():
        p = root / rel
        st = str(info["store_type"]).upper()
        if st not in formats.READABLE or not p.is_file() or p.stat().st_size > SEED_MAX_SIZE:
            continue
        seeds.append(Seed(
            rel, p.read_bytes(), "keystore",
            st if st in ("BKS", "UBER") else None,  # the others are probed, as keytool does
            info["store_password"],
            # pyjks's BKS/UBER "custom" stores also seal a public key with
            # "public_password", which the manifest does not list
            (*info.get("key_passwords", {}).items(), *(_CUSTOM if "custom_entry" in rel else ())),
        ))
    for rel in raw.get("materials", []):
        p = root / rel
        if re.search(r"rfc9579-a[123]\.txt$", rel):
            data = base64.b64decode(b"".join(p.read_bytes().split()))
            seeds.append(Seed(rel, data, "keystore", None, "1234"))
        elif rel.endswith(".pem") and p.stat().st_size <= SEED_MAX_SIZE:
            seeds.append(Seed(rel, p.read_bytes(), "certs"))
    return seeds


def _cert_seeds(keystore_seeds: list[Seed]) -> list[Seed]:
    """Certificate inputs derived from corpus stores: one DER certificate, a
    PEM certificate, a PEM chain and a DER PKCS#7 bundle."""
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding, pkcs7

    by_name = {s.name: s for s in keystore_seeds}
    chain: list[bytes] = []
    for name in ("pyjks/jks/RSA2048_3certs.jks", "pyjks/jks/3certs.jks"):
        s = by_name.get(name)
        if s is not None:
            loaded = formats.load(s.data, s.password, s.store_type)
            for e in loaded.entries:
                chain.extend(e.chain_der)
    if not chain:
        return []
    certs = [x509.load_der_x509_certificate(d) for d in chain]
    pem_chain = b"".join(c.public_bytes(Encoding.PEM) for c in certs)
    out = [
        Seed("derived/leaf.der", chain[0], "certs"),
        Seed("derived/leaf.pem", certs[0].public_bytes(Encoding.PEM), "certs"),
        Seed("derived/chain.pem", pem_chain, "certs"),
        Seed("derived/chain.p7b", pkcs7.serialize_certificates(certs, Encoding.DER), "certs"),
    ]
    return out


def load_seeds() -> list[Seed]:
    """The committed fixtures when present (reproducible: the same bytes
    wherever the tests run), else the shared corpus."""
    seeds = _fixture_seeds()
    if not seeds:
        for rel, st, pw, kpw in _CORPUS:
            p = _find_corpus_file(rel)
            if p is None:
                continue
            data = p.read_bytes()
            if rel.endswith(".txt"):
                data = base64.b64decode(b"".join(data.split()))
            seeds.append(Seed(rel, data, "keystore", st, pw, kpw))
    seeds += _cert_seeds(seeds)
    return sorted(seeds, key=lambda s: s.name)


# ---- the mutator ------------------------------------------------------------

_BIG = [0xFF, 0xFFFF, 0x7FFFFFFF, 0xFFFFFFFF, 0x80000000, 0x00FFFFFF, 0x10000000,
        0x7FFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFFF]


def _bitflip(d: bytearray, rng: random.Random) -> str:
    flips = rng.randint(1, 8)
    spots = [rng.randrange(len(d) * 8) for _ in range(flips)]
    for bit in spots:
        d[bit // 8] ^= 1 << (bit % 8)
    return f"bitflip{sorted(spots)}"


def _truncate(d: bytearray, rng: random.Random) -> str:
    at = rng.randrange(len(d))
    del d[at:]
    return f"truncate@{at}"


def _insert(d: bytearray, rng: random.Random) -> str:
    at = rng.randrange(len(d) + 1)
    chunk = bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
    d[at:at] = chunk
    return f"insert@{at}:{chunk.hex()}"


def _delete(d: bytearray, rng: random.Random) -> str:
    at = rng.randrange(len(d))
    n = rng.randint(1, 16)
    del d[at : at + n]
    return f"delete@{at}+{n}"


def _inflate(d: bytearray, rng: random.Random) -> str:
    """Overwrite a big-endian integer field with a huge value."""
    width = rng.choice([1, 2, 4, 4, 8])
    if len(d) < width:
        return "inflate(skip)"
    at = rng.randrange(len(d) - width + 1)
    value = rng.choice(_BIG) & ((1 << (8 * width)) - 1)
    d[at : at + width] = value.to_bytes(width, "big")
    return f"inflate@{at}w{width}={value:#x}"


def _der_length(d: bytearray, rng: random.Random) -> str:
    """Make a DER length claim absurd: a long-form length (0x81-0x84) gets
    all-ones, or a short one becomes 0x84 FFFFFFFF."""
    spots = [i for i in range(len(d) - 1) if d[i] in (0x81, 0x82, 0x83, 0x84)]
    if spots and rng.random() < 0.7:
        at = rng.choice(spots)
        n = d[at] - 0x80
        d[at + 1 : at + 1 + n] = b"\xff" * n
        return f"derlen@{at}"
    at = rng.randrange(1, len(d)) if len(d) > 1 else 0
    d[at : at + 1] = b"\x84\xff\xff\xff\xff"
    return f"derlen-long@{at}"


def _duplicate(d: bytearray, rng: random.Random) -> str:
    at = rng.randrange(len(d))
    n = rng.randint(1, min(512, len(d) - at))
    to = rng.randrange(len(d) + 1)
    d[to:to] = d[at : at + n]
    return f"dup@{at}+{n}->{to}"


_MUTATORS: list[tuple[Callable[[bytearray, random.Random], str], int]] = [
    (_bitflip, 5), (_truncate, 3), (_insert, 2), (_delete, 2), (_inflate, 4),
    (_der_length, 2), (_duplicate, 1),
]


def mutate(data: bytes, rng: random.Random) -> tuple[bytes, str]:
    d = bytearray(data)
    steps: list[str] = []
    for _ in range(rng.choice([1, 1, 1, 2, 2, 3])):
        if not d:
            break
        fn = rng.choices([m for m, _ in _MUTATORS], [w for _, w in _MUTATORS])[0]
        steps.append(fn(d, rng))
    return bytes(d), "+".join(steps)


@dataclass(frozen=True)
class Case:
    index: int
    seed: Seed
    data: bytes
    description: str
    with_password: bool


def make_case(seeds: list[Seed], index: int) -> Case:
    """Case ``index`` is fully determined by (FUZZ_BASE_SEED, index, seed list)."""
    rng = random.Random(f"{FUZZ_BASE_SEED}/{index}")
    seed = seeds[index % len(seeds)]
    data, desc = mutate(seed.data, rng)
    with_password = seed.loader == "keystore" and rng.random() < 0.7
    if (
        with_password
        and seed.password is not None
        and seed.data[:4] in (formats.JKS_MAGIC, formats.JCEKS_MAGIC)
        and len(data) > 20
        and rng.random() < 0.5
    ):
        # Re-seal: a correct digest over the mutated body, so the mutation
        # gets past the integrity check into the entry and key parsers.
        from keystoretool.formats.jks import store_digest

        data = data[:-20] + store_digest(seed.password, data[:-20])
        desc += "+redigest"
    return Case(index, seed, data, desc, with_password)


def hostile_inputs() -> list[tuple[str, bytes]]:
    """Hand-made hostile files every loader must refuse in bounded time."""
    deep_definite = b"\x05\x00"
    for _ in range(5000):
        body = deep_definite
        n = len(body)
        length = bytes([n]) if n < 0x80 else b"\x84" + n.to_bytes(4, "big")
        deep_definite = b"\x30" + length + body
    return [
        ("empty", b""),
        ("one byte", b"\x30"),
        ("jks magic only", b"\xfe\xed\xfe\xed"),
        ("jks count 2^31-1", b"\xfe\xed\xfe\xed\x00\x00\x00\x02\x7f\xff\xff\xff" + b"\x00" * 40),
        ("jks alias 64k then EOF", b"\xfe\xed\xfe\xed\x00\x00\x00\x02\x00\x00\x00\x01"
                                   b"\x00\x00\x00\x02\xff\xff" + b"a" * 10),
        ("jks cert length 2^31-1", b"\xfe\xed\xfe\xed\x00\x00\x00\x02\x00\x00\x00\x01"
                                   b"\x00\x00\x00\x02\x00\x01a" + b"\x00" * 8 +
                                   b"\x00\x05X.509\x7f\xff\xff\xff" + b"\x00" * 20),
        ("jceks count 2^32-1", b"\xce\xce\xce\xce\x00\x00\x00\x02\xff\xff\xff\xff" + b"\x00" * 40),
        ("bks-like version then garbage", b"\x00\x00\x00\x02" + b"\xff" * 60),
        ("asn1 indefinite nesting 100k", b"\x30\x80" * 100_000),
        ("asn1 definite nesting 5000", deep_definite),
        ("asn1 length 2^32-1", b"\x30\x84\xff\xff\xff\xff" + b"\x02\x01\x03" * 10),
        ("asn1 length 2^64-1", b"\x30\x88" + b"\xff" * 8 + b"\x02\x01\x03"),
        ("asn1 length of length 127", b"\x30\xff" + b"\xff" * 127),
        ("asn1 huge integer",
         b"\x30\x84\x00\x10\x00\x06\x02\x84\x00\x10\x00\x00" + b"\x01" * 0x100000),
        ("pem header only", b"-----BEGIN CERTIFICATE-----\n"),
        ("pem garbage body", b"-----BEGIN CERTIFICATE-----\n" + b"!!!!" * 1000
                             + b"\n-----END CERTIFICATE-----\n"),
        ("pem 1 MiB of base64", b"-----BEGIN CERTIFICATE-----\n"
                                + base64.encodebytes(b"\x30" * (1 << 20))
                                + b"-----END CERTIFICATE-----\n"),
        ("random 64 KiB", random.Random(7).randbytes(65536)),
    ]


# ---- running cases -------------------------------------------------------


def _key_password(alias: str, seed: Seed) -> str | None:
    """The password a key was made with: listed by alias (keytool fixtures)
    or by a word in the alias (pyjks's "sealed_private_key" / "private_password")."""
    for name, pw in seed.key_passwords:
        if name.lower() in alias.lower():
            return pw
    return seed.password


def load_case(seed: Seed, data: bytes, with_password: bool) -> formats.LoadedStore | None:
    """What every command does first with such bytes: parse them."""
    if seed.loader == "certs":
        from keystoretool import certs

        certs.read_certificates(data, "input")
        return None
    return formats.load(data, seed.password if with_password else None, seed.store_type)


def unlock_one(loaded: formats.LoadedStore, seed: Seed, pick: int) -> None:
    """What -importkeystore / -exportcert of a key does next: decrypt one key
    (the ``pick``-th) with the password it should have."""
    keys = [e for e in loaded.entries if isinstance(e, (PrivateKeyEntry, SecretKeyEntry))]
    if keys:
        entry = keys[pick % len(keys)]
        entry.unlock(entry.key_password or _key_password(entry.alias, seed))


def run_loader(seed: Seed, data: bytes, with_password: bool, pick: int = 0) -> None:
    loaded = load_case(seed, data, with_password)
    if loaded is not None and with_password:
        unlock_one(loaded, seed, pick)


@dataclass
class FuzzResult:
    cases: int = 0
    refused: int = 0  # KeystoreToolError
    accepted: int = 0  # loaded fine (mutation was harmless)
    failures: list[str] = field(default_factory=list)  # other exceptions
    slow: list[str] = field(default_factory=list)  # parse took > CASE_TIME_LIMIT
    slow_unlock: list[str] = field(default_factory=list)  # key decryption > CASE_TIME_LIMIT
    hangs: list[str] = field(default_factory=list)
    max_seconds: float = 0.0
    max_rss_mb: float = 0.0


def _describe(case: Case) -> str:
    pw = "with password" if case.with_password else "no password"
    return f"case {case.index} [{case.seed.name}, {pw}] {case.description}"


class _Counters:
    """Per-worker tallies in shared memory, so a worker killed for hanging
    loses nothing it already counted."""

    def __init__(self) -> None:
        self.position = FORK.Value("l", -1, lock=False)
        self.accepted = FORK.Value("l", 0, lock=False)
        self.refused = FORK.Value("l", 0, lock=False)
        self.max_seconds = FORK.Value("d", 0.0, lock=False)
        self.max_rss_kb = FORK.Value("l", 0, lock=False)


def _run_one(
    seed: Seed, data: bytes, with_password: bool, label: str, c: _Counters, problems: Any,
    pick: int = 0,
) -> None:
    t0 = time.perf_counter()
    t1 = None
    try:
        loaded = load_case(seed, data, with_password)
        t1 = time.perf_counter()
        if loaded is not None and with_password:
            unlock_one(loaded, seed, pick)
        c.accepted.value += 1
    except KeystoreToolError:
        c.refused.value += 1
    except Exception as err:  # noqa: BLE001 - the point of the test
        tb = traceback.extract_tb(err.__traceback__)[-1]
        where = f"{Path(tb.filename).name}:{tb.lineno}"
        problems.put(("failure", f"{label}: {type(err).__name__}: {str(err)[:120]} at {where}"))
    except MemoryError:  # only under the address-space cap below
        problems.put(("failure", f"{label}: MemoryError"))
    t2 = time.perf_counter()
    parse = (t1 or t2) - t0
    c.max_seconds.value = max(c.max_seconds.value, parse)
    if parse > CASE_TIME_LIMIT:
        problems.put(("slow", f"{label}: parsing took {parse:.2f} s"))
    elif t1 is not None and t2 - t1 > CASE_TIME_LIMIT:
        problems.put(("slow_unlock", f"{label}: decrypting one key took {t2 - t1:.2f} s"))
    c.max_rss_kb.value = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _fuzz_worker(indices: list[int], seeds: list[Seed], c: _Counters, problems: Any) -> None:
    # An address-space cap turns a runaway allocation into a reported
    # MemoryError instead of a machine swapping.
    with open("/proc/self/statm") as fh:
        vsz = int(fh.read().split()[0]) * resource.getpagesize()
    resource.setrlimit(resource.RLIMIT_AS, (vsz + (768 << 20), resource.RLIM_INFINITY))
    hostile = hostile_inputs()
    for pos, index in enumerate(indices):
        c.position.value = pos
        if index < 0:  # hostile input -index-1 through every loader
            name, data = hostile[-index - 1]
            for seed in _loader_probes(seeds):
                _run_one(seed, data, True, f"hostile {name!r} via {seed.name}", c, problems)
            continue
        case = make_case(seeds, index)
        _run_one(case.seed, case.data, case.with_password, _describe(case), c, problems, index)
    c.position.value = len(indices)


def _loader_probes(seeds: list[Seed]) -> list[Seed]:
    """One seed per (loader, store type) to push hostile bytes through."""
    seen: dict[tuple[str, str | None], Seed] = {}
    for s in seeds:
        seen.setdefault((s.loader, s.store_type), s)
    probes = list(seen.values())
    # and each readable type forced explicitly (-storetype X)
    base = next((s for s in seeds if s.loader == "keystore"), None)
    if base is not None:
        for st in formats.READABLE:
            probes.append(Seed(f"-storetype {st}", b"", "keystore", st, base.password))
    return probes


def _label(seeds: list[Seed], index: int) -> str:
    if index < 0:
        return f"hostile input {hostile_inputs()[-index - 1][0]!r}"
    return _describe(make_case(seeds, index))


def run_fuzz(seeds: list[Seed], indices: list[int]) -> FuzzResult:
    """Run cases in a forked worker watched for hangs; a hung case is
    reported and the run resumes after it in a new worker."""
    # Import every loader before forking so workers start warm.
    from keystoretool import certs  # noqa: F401
    from keystoretool.formats import jks, pkcs12  # noqa: F401

    result = FuzzResult()
    problems = FORK.Queue()
    todo = list(indices)
    while todo:
        c = _Counters()
        worker = FORK.Process(target=_fuzz_worker, args=(todo, seeds, c, problems))
        worker.start()
        last, since = -2, time.monotonic()
        while True:
            worker.join(0.2)
            pos = c.position.value
            if not worker.is_alive():
                break
            if pos != last:
                last, since = pos, time.monotonic()
            elif time.monotonic() - since > HANG_LIMIT:
                worker.kill()
                worker.join()
                break
        pos = c.position.value
        result.accepted += c.accepted.value
        result.refused += c.refused.value
        result.max_seconds = max(result.max_seconds, c.max_seconds.value)
        result.max_rss_mb = max(result.max_rss_mb, c.max_rss_kb.value / 1024)
        if pos >= len(todo):  # finished
            result.cases += len(todo)
            todo = []
        else:
            stuck = max(pos, 0)
            if worker.exitcode == -signal.SIGKILL:
                result.hangs.append(f"{_label(seeds, todo[stuck])}: no answer in {HANG_LIMIT:g} s")
            else:
                result.failures.append(
                    f"{_label(seeds, todo[stuck])}: worker died (exit {worker.exitcode})"
                )
            result.cases += stuck + 1
            todo = todo[stuck + 1 :]
    time.sleep(0.1)  # let the queue's feeder thread deliver
    while not problems.empty():
        kind, text = problems.get()
        {"failure": result.failures, "slow": result.slow, "slow_unlock": result.slow_unlock}[
            kind
        ].append(text)
    return result


@pytest.fixture(scope="module")
def seeds() -> list[Seed]:
    found = load_seeds()
    kinds = {(s.loader, formats.detect(s.data) if s.store_type is None else s.store_type)
             for s in found}
    for needed in [("keystore", "JKS"), ("keystore", "JCEKS"), ("keystore", "PKCS12"),
                   ("keystore", "BKS"), ("keystore", "UBER")]:
        assert needed in kinds, f"no seed for {needed}: corpus not found in {_corpus_roots()}"
    assert any(s.loader == "certs" for s in found)
    return found


def check_fuzz(result: FuzzResult, capsys: pytest.CaptureFixture[str], label: str) -> None:
    report(
        capsys,
        f"fuzz {label}: {result.cases} inputs, {result.refused} refused cleanly, "
        f"{result.accepted} still valid, {len(result.failures)} unexpected exceptions, "
        f"{len(result.slow)} parses over {CASE_TIME_LIMIT:g} s, {len(result.hangs)} hangs; "
        f"slowest parse {result.max_seconds:.2f} s, peak RSS {result.max_rss_mb:.0f} MB; "
        f"{len(result.slow_unlock)} key decryptions over {CASE_TIME_LIMIT:g} s (reported only)",
    )
    problems = result.failures + result.slow + result.hangs
    for line in (problems + result.slow_unlock)[:40]:
        report(capsys, "  " + line)
    assert problems == [], f"{len(problems)} fuzz problems, first: {problems[0]}"


def test_fuzz_hostile_inputs(seeds: list[Seed], capsys: pytest.CaptureFixture[str]) -> None:
    result = run_fuzz(seeds, [-(i + 1) for i in range(len(hostile_inputs()))])
    check_fuzz(result, capsys, "hand-made hostile inputs x every loader")


def test_fuzz_500(seeds: list[Seed], capsys: pytest.CaptureFixture[str]) -> None:
    result = run_fuzz(seeds, list(range(500)))
    check_fuzz(result, capsys, "500 mutations")


@pytest.mark.slow
def test_fuzz_10000(seeds: list[Seed], capsys: pytest.CaptureFixture[str]) -> None:
    result = run_fuzz(seeds, list(range(500, 10_500)))
    assert result.cases == 10_000
    check_fuzz(result, capsys, "10,000 mutations")


def test_mutations_are_reproducible(seeds: list[Seed]) -> None:
    a = [make_case(seeds, i) for i in (0, 17, 4242)]
    b = [make_case(seeds, i) for i in (0, 17, 4242)]
    assert [(c.data, c.description) for c in a] == [(c.data, c.description) for c in b]
    assert len({c.data for c in a}) == 3


# ---- through the CLI --------------------------------------------------------


def _cli_case(case: Case, workdir: Path) -> tuple[list[str], Path]:
    f = workdir / f"case{case.index}.bin"
    f.write_bytes(case.data)
    if case.seed.loader == "certs":
        return cli("-printcert", "-file", str(f)), f
    args = ["-list", "-keystore", str(f), "-storepass", case.seed.password or ""]
    if case.seed.store_type:
        args += ["-storetype", case.seed.store_type]
    if case.index % 3 == 0:
        args.append("-v")
    return cli(*args), f


def run_cli_sample(seeds: list[Seed], indices: list[int], workdir: Path) -> dict[str, Any]:
    stats: dict[str, Any] = {"runs": 0, "refused": 0, "ok": 0, "problems": []}
    for index in indices:
        case = make_case(seeds, index)
        d = workdir / f"c{index}"
        d.mkdir()
        cmd, f = _cli_case(case, d)
        before = {p.name: p.read_bytes() for p in d.iterdir()}
        try:
            r = subprocess.run(cmd, capture_output=True, text=True, timeout=30,
                               stdin=subprocess.DEVNULL, env={**os.environ, "LC_ALL": "C.UTF-8"})
        except subprocess.TimeoutExpired:
            stats["problems"].append(f"{_describe(case)}: CLI hung")
            continue
        stats["runs"] += 1
        after = {p.name: p.read_bytes() for p in d.iterdir()}
        label = f"{_describe(case)}: `{' '.join(cmd[3:])}`"
        if after != before:
            stats["problems"].append(f"{label}: files changed: {sorted(set(after) ^ set(before))}")
        pw = case.seed.password or ""
        if len(pw) >= 4 and (pw in r.stderr or pw in r.stdout):
            stats["problems"].append(f"{label}: the store password appears in the output")
        if "Traceback" in r.stderr or "Traceback" in r.stdout:
            stats["problems"].append(f"{label}: traceback: {r.stderr[-300:]}")
        if r.returncode == 0:
            stats["ok"] += 1
            continue
        lines = r.stderr.strip().splitlines()
        errors = [ln for ln in lines if ln.startswith("keystoretool error: ")]
        if r.returncode != 1 or len(errors) != 1 or not lines or lines[-1] != errors[0]:
            stats["problems"].append(f"{label}: rc={r.returncode} stderr={r.stderr[-300:]!r}")
        elif "internal error" in errors[0]:
            stats["problems"].append(f"{label}: {errors[0]}")
        else:
            stats["refused"] += 1
    return stats


def _check_cli(stats: dict[str, Any], capsys: pytest.CaptureFixture[str], label: str) -> None:
    report(capsys, f"fuzz via CLI {label}: {stats['runs']} runs, {stats['refused']} refused "
                   f"with one error line, {stats['ok']} still valid, "
                   f"{len(stats['problems'])} problems")
    for line in stats["problems"][:20]:
        report(capsys, "  " + line)
    assert stats["problems"] == []


def test_fuzz_through_the_cli_sample(
    seeds: list[Seed], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stats = run_cli_sample(seeds, list(range(0, 120, 10)), tmp_path)
    _check_cli(stats, capsys, "(12 cases)")


@pytest.mark.slow
def test_fuzz_through_the_cli_50(
    seeds: list[Seed], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rng = random.Random(FUZZ_BASE_SEED)
    stats = run_cli_sample(seeds, sorted(rng.sample(range(500, 10_500), 50)), tmp_path)
    assert stats["runs"] == 50
    _check_cli(stats, capsys, "(50 cases)")


def test_cli_refuses_special_files_without_writing(tmp_path: Path) -> None:
    """Hostile *files* (not bytes): a FIFO, a directory, a 0-byte file, a file
    over the size cap -- one error line, exit 1, quickly, nothing written."""
    fifo = tmp_path / "fifo.p12"
    os.mkfifo(fifo)
    (tmp_path / "dir.p12").mkdir()
    (tmp_path / "empty.p12").touch()
    with open(tmp_path / "huge.p12", "wb") as fh:
        fh.truncate(storage.MAX_KEYSTORE_SIZE + 1)
    expected = {
        "fifo.p12": f"Keystore file is a named pipe, not a regular file: {fifo}",
        "dir.p12": f"Keystore file does not exist: {tmp_path / 'dir.p12'}",
        "empty.p12": f"Keystore file exists, but is empty: {tmp_path / 'empty.p12'}",
        "huge.p12": f"Keystore file is too large ({storage.MAX_KEYSTORE_SIZE + 1} bytes; "
                    f"the limit is {storage.MAX_KEYSTORE_SIZE} bytes): {tmp_path / 'huge.p12'}",
    }
    before = sorted(p.name for p in tmp_path.iterdir())
    for name, message in expected.items():
        for command in (["-list"], ["-delete", "-alias", "x"], ["-changealias", "-alias", "x",
                                                                 "-destalias", "y"]):
            t0 = time.perf_counter()
            r = subprocess.run(
                cli(*command, "-keystore", str(tmp_path / name), "-storepass", PASSWORD),
                capture_output=True, text=True, timeout=20, stdin=subprocess.DEVNULL,
            )
            assert time.perf_counter() - t0 < 10
            assert (r.returncode, r.stderr) == (1, f"keystoretool error: {message}\n"), command
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_cli_refuses_special_input_files_without_blocking(tmp_path: Path) -> None:
    """Certificate inputs get the same treatment as keystores: a FIFO or a
    directory given to -file is refused at once with one line."""
    fifo = tmp_path / "cert.pem"
    os.mkfifo(fifo)
    store = tmp_path / "ks.p12"
    make_delete_store(store, "PKCS12")
    before = store.read_bytes()
    cases = ((fifo, "Not a regular file: a named pipe"), (tmp_path, "Is a directory"))
    for target, reason in cases:
        for command in (["-printcert", "-file", str(target)],
                        ["-importcert", "-noprompt", "-alias", "new", "-file", str(target),
                         "-keystore", str(store), "-storepass", PASSWORD]):
            r = subprocess.run(cli(*command), capture_output=True, text=True, timeout=20,
                               stdin=subprocess.DEVNULL)
            assert (r.returncode, r.stderr) == (1, f"keystoretool error: {target} ({reason})\n")
    assert store.read_bytes() == before
