"""Hostile-input report (``make bench``): how long each crafted input of issue 11
§6/§7 takes to be answered (done or refused), worst of ``--runs`` runs.

Each case is one CLI command run as a subprocess (``python -m keystoretool``,
start to exit, so interpreter start-up is included). Besides the issue's
inputs, the "at the limit" cases are the most work a file can still demand
under the default limits (each derivation at its cap, the file total just
under its allowance): they show the worst case a small file can cause.

    .venv/bin/python tests/benchmarks/hostile.py
    .venv/bin/python tests/benchmarks/hostile.py --runs 5 --only bks
    .venv/bin/python tests/benchmarks/hostile.py --before ../other-checkout   # same cases, older code

``--before DIR`` also times a checkout of another version (its package on
PYTHONPATH) with a per-case timeout (``--timeout``, default 60 s), to show
the change. The table is printed and written to ``hostile-results.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

import hostile_inputs as H  # noqa: E402

PW = "changeit"


@dataclass
class Case:
    name: str
    build: Callable[[Path], list[str]]  # writes its files into the folder, returns argv
    mutates: bool = False


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _list(name: str, data: Callable[[], bytes], pw: str, *extra: str) -> Callable[[Path], list[str]]:
    def build(d: Path) -> list[str]:
        ks = _write(d / name, data())
        return ["-list", "-keystore", str(ks), "-storepass", pw, *extra]
    return build


def _jceks(iterations: int) -> bytes:
    from keystoretool.entries import PrivateKeyEntry
    from keystoretool.formats import jks as J

    blob = J.encode_epki(J.PBE_MD5_3DES_OID, J.pbe_params(b"12345678", iterations), b"\x00" * 16)
    entry = PrivateKeyEntry("k0", sealed=J.JksSealedPrivateKey(blob, "JCEKS"))
    return J.dump("JCEKS", [entry], PW, None)


def _jceks_unseal(d: Path) -> list[str]:
    ks = _write(d / "jceks.jceks", _jceks(600_000))
    return ["exportpem", "--keystore", str(ks), "--storepass", PW, "--storetype", "JCEKS",
            "--alias", "k0", "--no-encrypt", "--out", str(d / "k.pem")]


def _pem(lines: int, command: str) -> Callable[[Path], list[str]]:
    def build(d: Path) -> list[str]:
        f = _write(d / "begins.pem", H.pem_begin_lines(lines))
        if command == "printcert":
            return ["-printcert", "-file", str(f)]
        ks = d / "ks.p12"
        shutil.copy(ROOT / "fixtures/kt17/all.p12", ks)
        return ["-importcert", "-noprompt", "-alias", "x", "-file", str(f),
                "-keystore", str(ks), "-storepass", PW]
    return build


def _chain(count: int) -> Callable[[Path], list[str]]:
    def build(d: Path) -> list[str]:
        f = _write(d / "same.pem", H.same_name_certificates(count))
        return ["chain", "--cert", str(f)]
    return build


_SHARED: dict[str, bytes] = {}


def _shared_chain(d: Path) -> list[str]:
    """§7: 1,960 keys sharing a 101-certificate chain (leaf + 100 CAs), then one -changealias."""
    if "p12" not in _SHARED:
        from test_pkcs12_dedup import _store

        tmp = d / "gen.p12"
        _store(keys=1960, depth=100).save(tmp)  # 101 certificates with the leaf
        _SHARED["p12"] = tmp.read_bytes()
    ks = _write(d / "shared.p12", _SHARED["p12"])
    return ["-changealias", "-alias", "k7", "-destalias", "renamed", "-keystore", str(ks),
            "-storepass", PW]


CASES = [
    Case("PKCS12 100 B, 1 safe x 5,000,000 PKCS#12-KDF iterations, wrong password",
         _list("one.p12", lambda: H.p12_kdf_safes(1), "wrong")),
    Case("same, empty password (two encodings)",
         _list("one.p12", lambda: H.p12_kdf_safes(1), "")),
    Case("PKCS12, 3 such safes, right password",
         _list("three.p12", lambda: H.p12_kdf_safes(3, password=PW), PW)),
    Case("BKS 1 KB, 16 sealed keys x 1,000,000 iterations, right password",
         _list("bks16.bks", lambda: H.bks_sealed_keys(), PW, "-storetype", "BKS")),
    Case("PEM, 20,000 BEGIN lines (-printcert)", _pem(20_000, "printcert")),
    Case("PEM, 40,000 BEGIN lines (-importcert into a keystore)", _pem(40_000, "importcert"),
         mutates=True),
    Case("chain --cert, 1,000 certificates with one name", _chain(1_000)),
    Case("at the limit: PKCS12, 4 safes x 200,000 iterations (cap), right password",
         _list("cap4.p12", lambda: H.p12_kdf_safes(4, iterations=200_000, password=PW), PW)),
    Case("within the limit: PKCS12, 20 safes x 80,000 iterations, right password",
         _list("many20.p12", lambda: H.p12_kdf_safes(20, iterations=80_000, password=PW), PW)),
    Case("at the limit: PKCS12, 1 safe x 200,000 iterations, empty password",
         _list("cap1.p12", lambda: H.p12_kdf_safes(1, iterations=200_000), "")),
    Case("at the limit: BKS, 12 sealed keys x 50,000 iterations (cap), right password",
         _list("bks12.bks", lambda: H.bks_sealed_keys(12, 50_000), PW, "-storetype", "BKS")),
    Case("at the limit: JCEKS key x 600,000 iterations (cap), unsealed", _jceks_unseal),
    Case("section 7: 1,960 keys sharing a 101-certificate chain, -changealias", _shared_chain,
         mutates=True),
]


def run_case(case: Case, src: Path, runs: int, timeout: float) -> tuple[float, float, str, str]:
    """(worst wall seconds, worst CPU seconds, outcome, first line of stderr or size
    note). CPU time (user + system of the command) is what a shared machine's load
    does not inflate."""
    worst, worst_cpu, outcome, note = 0.0, 0.0, "", ""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_before = usage.ru_utime + usage.ru_stime
    env = dict(os.environ, PYTHONPATH=str(src))
    env.pop("KEYSTORETOOL_WORK_LIMIT", None)
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="ksthostile") as tmp:
            d = Path(tmp)
            argv = case.build(d)
            usage = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu_before = usage.ru_utime + usage.ru_stime  # builders may run openssl
            sizes = {p: p.stat().st_size for p in d.iterdir()}
            t0 = time.perf_counter()
            proc = subprocess.Popen([sys.executable, "-m", "keystoretool", *argv], env=env,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                    stdin=subprocess.DEVNULL, cwd=d)
            try:
                _, err = proc.communicate(timeout=timeout)
                elapsed = time.perf_counter() - t0
                outcome = "done" if proc.returncode in (0, 2) else "refused"
                note = err.decode(errors="replace").strip().splitlines()[0][:150] \
                    if err.strip() else ""
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.communicate()
                elapsed, outcome, note = timeout, "timeout", f"killed after {timeout:g} s"
            usage = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = usage.ru_utime + usage.ru_stime - cpu_before
            cpu_before += cpu
            if case.mutates and outcome == "done":
                grown = [f"{p.name} {sizes[p]:,} -> {p.stat().st_size:,} bytes"
                         for p in sizes if p.exists() and p.suffix in (".p12",)
                         and p.stat().st_size != sizes[p]]
                note = "; ".join(grown) or note
            worst = max(worst, elapsed)
            worst_cpu = max(worst_cpu, cpu)
    return worst, worst_cpu, outcome, note


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--only", default="", help="run cases whose name contains this text")
    ap.add_argument("--before", type=Path, help="another checkout to time the same cases with")
    ap.add_argument("--timeout", type=float, default=60.0)
    ap.add_argument("--out", type=Path, default=Path("hostile-results.md"))
    args = ap.parse_args()

    cases = [c for c in CASES if args.only.lower() in c.name.lower()]
    load = os.getloadavg()
    lines = [
        f"Hostile inputs, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, "
        f"{platform.node()}, {os.cpu_count()} CPUs, load {load[0]:.2f}; worst of {args.runs}",
        "",
        "| Input | Answer | Worst wall time | Worst CPU time | Message / result |"
        + (" Before (wall) |" if args.before else ""),
        "|---|---|---|---|---|" + ("---|" if args.before else ""),
    ]
    print("\n".join(lines), flush=True)
    for case in cases:
        secs, cpu, outcome, note = run_case(case, ROOT, args.runs, args.timeout)
        row = f"| {case.name} | {outcome} | {secs:.2f} s | {cpu:.2f} s | {note} |"
        if args.before:
            b_secs, _, b_outcome, _ = run_case(case, args.before.resolve(), 1, args.timeout)
            row += f" {b_outcome} {b_secs:.1f} s |"
        lines.append(row)
        print(row, flush=True)
    args.out.write_text("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
