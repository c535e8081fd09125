"""Benchmark: many changealias operations over many small keystores.

Three ways to run the same ``--ops`` renames spread over ``--stores`` separate
copies of the seed keystore (``fixtures/seed/snaplogic_SF.jks``, JKS, one
CA-signed key entry):

* ``batch``: one ``keystoretool batch FILE`` process;
* ``keytool loop``: a shell script with one ``keytool -changealias`` line per
  operation (what scripts do today);
* ``keystoretool loop``: the same script calling ``keystoretool``.

Each method runs ``--runs`` times on fresh copies (copying is not timed), the
methods taking turns so that each sees the same machine load; the time of a run is the wall time of its one subprocess (``bash script`` or the
batch), measured with ``time.perf_counter``. Prints per-run times, medians,
per-operation times and the ratios to ``batch``; every run's result is checked
(each keystore ends with the expected alias).

    .venv/bin/python tests/benchmarks/bench_batch.py                 # 100 ops, quick
    .venv/bin/python tests/benchmarks/bench_batch.py --ops 1000      # the full size
    .venv/bin/python tests/benchmarks/bench_batch.py --skip keytool  # no JVM

The full size (1,000 operations over 100 keystores) costs about 0.3 s per
keytool call, i.e. several minutes per keytool run.

Measured here (2 shared cores, load average 10-15, keytool 17, medians of 3
interleaved runs, 1,000 operations): batch 3.5 s (3.5 ms/op), keytool loop
320.5 s (320 ms/op, 90.9x the batch), keystoretool loop 88.4 s (88 ms/op,
25.1x). An earlier non-interleaved run under heavier I/O load: batch 23.2 s,
keytool loop 488.5 s (21.1x). Most of a batch line's time is the two fsyncs
of the atomic write.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "fixtures" / "seed" / "snaplogic_SF.jks"
PASSWORD = "Snaplogic123"
FIRST_ALIAS = "sourcealias"


def keystoretool_command() -> list[str]:
    """The installed console script next to this Python, else ``python -m``."""
    script = Path(sys.executable).with_name("keystoretool")
    return [str(script)] if script.exists() else [sys.executable, "-m", "keystoretool"]


def operations(ops: int, stores: int) -> list[tuple[str, str, str]]:
    """(keystore, old alias, new alias): operation k renames an alias of store k % stores."""
    renamed = [0] * stores
    out = []
    for k in range(ops):
        s = k % stores
        old = FIRST_ALIAS if renamed[s] == 0 else f"r{renamed[s]}"
        renamed[s] += 1
        out.append((f"ks{s}.jks", old, f"r{renamed[s]}"))
    return out


def final_aliases(ops: int, stores: int) -> dict[str, str]:
    final = {f"ks{s}.jks": FIRST_ALIAS for s in range(stores)}
    for store, _, new in operations(ops, stores):
        final[store] = new
    return final


def line(store: str, old: str, new: str) -> str:
    return (f"-changealias -alias {old} -destalias {new} -keypass {PASSWORD} "
            f"-keystore {store} -storepass {PASSWORD}")


def prepare(work: Path, stores: int) -> None:
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    for s in range(stores):
        shutil.copyfile(SEED, work / f"ks{s}.jks")


def check(work: Path, ops: int, stores: int) -> None:
    sys.path.insert(0, str(ROOT))
    from keystoretool import Keystore

    for store, alias in final_aliases(ops, stores).items():
        aliases = Keystore.load(work / store, PASSWORD).aliases()
        if aliases != [alias]:
            raise SystemExit(f"wrong result in {work / store}: {aliases}, expected [{alias}]")


def run_timed(argv: list[str], cwd: Path) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          check=False)
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"{argv[0]} failed (rc {proc.returncode}): "
                         f"{proc.stderr.decode(errors='replace')[-2000:]}")
    return elapsed


def method_batch(work: Path, ops: list[tuple[str, str, str]]) -> list[str]:
    (work / "ops.txt").write_text("".join(line(*op) + "\n" for op in ops))
    return [*keystoretool_command(), "batch", "ops.txt"]


def _shell_loop(program: list[str]) -> Callable[[Path, list[tuple[str, str, str]]], list[str]]:
    def make(work: Path, ops: list[tuple[str, str, str]]) -> list[str]:
        prog = " ".join(shlex.quote(p) for p in program)
        body = "".join(f"{prog} {line(*op)} >/dev/null\n" for op in ops)
        (work / "loop.sh").write_text("set -e\n" + body)
        return ["bash", "loop.sh"]

    return make


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ops", type=int, default=100,
                        help="changealias operations (default 100; the full size is 1000)")
    parser.add_argument("--stores", type=int, default=100, help="keystores (default 100)")
    parser.add_argument("--runs", type=int, default=3, help="runs of each method (default 3)")
    parser.add_argument("--keytool", default=shutil.which("keytool") or "keytool",
                        help="keytool to compare with (default: keytool on PATH)")
    parser.add_argument("--skip", action="append", default=[],
                        choices=["batch", "keytool", "keystoretool"], help="skip a method")
    parser.add_argument("--json", action="store_true", help="print the results as JSON too")
    args = parser.parse_args()
    stores = max(1, min(args.stores, args.ops))
    ops = operations(args.ops, stores)

    methods: dict[str, Callable[[Path, list[tuple[str, str, str]]], list[str]]] = {
        "batch": method_batch,
        "keytool": _shell_loop([args.keytool]),
        "keystoretool": _shell_loop(keystoretool_command()),
    }
    labels = {"batch": "keystoretool batch (1 process)", "keytool": "shell loop over keytool",
              "keystoretool": "shell loop over keystoretool"}
    print(f"{args.ops} changealias operations over {stores} keystores "
          f"({SEED.name}, {SEED.stat().st_size} bytes each), {args.runs} runs each")
    times: dict[str, list[float]] = {name: [] for name in methods if name not in args.skip}
    with tempfile.TemporaryDirectory(prefix="bench_batch_") as tmp:
        # round robin, so every method sees the same (shared machine's) load
        for run in range(args.runs):
            for name in times:
                make = methods[name]
                work = Path(tmp) / f"{name}{run}"
                prepare(work, stores)
                argv = make(work, ops)
                elapsed = run_timed(argv, work)
                check(work, args.ops, stores)
                times[name].append(elapsed)
                print(f"  {labels[name]:32} run {run + 1}: {elapsed:8.2f} s", flush=True)
                shutil.rmtree(work)

    print()
    print(f"{'method':32} {'median s':>9} {'per op ms':>10} {'x batch':>8}")
    medians = {name: statistics.median(ts) for name, ts in times.items()}
    base = medians.get("batch")
    for name, med in medians.items():
        ratio = f"{med / base:8.1f}" if base else "       -"
        print(f"{labels[name]:32} {med:9.2f} {1000 * med / args.ops:10.2f} {ratio}")
    if base and "keytool" in medians:
        speedup = medians["keytool"] / base
        verdict = "meets" if speedup >= 20 else "misses"
        print(f"\nbatch is {speedup:.1f}x faster than the keytool loop "
              f"({verdict} the 20x target)")
    if args.json:
        print(json.dumps({"ops": args.ops, "stores": stores, "runs": times,
                          "medians": medians}, indent=1))
    return 0


if __name__ == "__main__":
    os.environ.setdefault("LC_ALL", "C.UTF-8")
    raise SystemExit(main())
