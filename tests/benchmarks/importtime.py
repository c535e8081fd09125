"""What a keystoretool command imports, and what it costs (``python -X importtime``).

Runs one keytool-syntax command line several times under ``-X importtime``
(mutating commands on a fresh copy of the store each time), keeps the smallest
self time of every module over the runs (the machine is shared: the minimum
is the least disturbed figure) and prints a summary by package, the heaviest
modules, and whether a heavy dependency a command should not need was loaded
(pyjks, pyasn1, cryptography's X.509, typer).

    .venv/bin/python tests/benchmarks/importtime.py -- -list -keystore ks.jks -storepass pw
    .venv/bin/python tests/benchmarks/importtime.py --script /other/venv/bin/keystoretool --runs 7 -- ...

By default the command is the regular install that ``bench.py`` times (a copy
of this work tree in a venv under the benchmark cache); ``--script`` picks
another console script (e.g. the development venv's editable install).
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

#: Imports a command should only pay for when it needs them.
HEAVY = {
    "jks": "pyjks (BKS/UBER only)",
    "pyasn1": "pyasn1",
    "pyasn1_modules": "pyasn1_modules",
    "Cryptodome": "pycryptodomex",
    "javaobj": "javaobj",
    "cryptography.x509": "cryptography X.509",
    "cryptography.hazmat.primitives.ciphers": "cryptography ciphers",
    "typer": "typer",
    "click": "click",
    "rich": "rich",
}

_LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)")


def parse(text: str) -> dict[str, int]:
    """module -> self time (µs) from ``-X importtime`` output."""
    out: dict[str, int] = {}
    for line in text.splitlines():
        m = _LINE.match(line)
        if m:
            out[m.group(4)] = int(m.group(1))
    return out


def group(module: str) -> str:
    top = module.split(".")[0]
    if top == "keystoretool":
        return "keystoretool (own modules)"
    if top in ("cryptography", "_cffi_backend"):
        return "cryptography"
    if top in sys.stdlib_module_names or top.startswith("_") or top == "encodings":
        return "stdlib"
    return top


def profile(script: list[str], args: list[str], runs: int) -> dict[str, int]:
    """Smallest self time per module over ``runs`` runs (mutated files restored)."""
    python = Path(script[0]).with_name("python")
    best: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="ksimport-") as tmp:
        # copy every file argument so that mutating commands run on fresh copies;
        # relative paths (an import's destination) are created in the empty work dir
        originals = {a: Path(a) for a in args if Path(a).is_file()}
        for _ in range(runs):
            for leftover in Path(tmp).iterdir():  # e.g. an import's new destination
                leftover.unlink()
            run_args = []
            for a in args:
                if a in originals:
                    dst = Path(tmp) / originals[a].name
                    shutil.copyfile(originals[a], dst)
                    run_args.append(str(dst))
                else:
                    run_args.append(a)
            r = subprocess.run([str(python), "-X", "importtime", *script, *run_args],
                               capture_output=True, text=True, cwd=tmp)
            times = parse(r.stderr)
            if not times:
                raise SystemExit(f"no import times (exit {r.returncode}):\n{r.stderr[-2000:]}")
            for mod, t in times.items():
                best[mod] = min(best.get(mod, t), t)
    return best


def report(best: dict[str, int], top: int = 12) -> str:
    total = sum(best.values())
    by_group: dict[str, int] = defaultdict(int)
    counts: dict[str, int] = defaultdict(int)
    for mod, t in best.items():
        by_group[group(mod)] += t
        counts[group(mod)] += 1
    lines = [f"{len(best)} modules, {total / 1000:.1f} ms of import (sum of self times, "
             "best of the runs)"]
    for g, t in sorted(by_group.items(), key=lambda kv: -kv[1]):
        lines.append(f"  {g:34} {t / 1000:6.1f} ms  ({counts[g]} modules)")
    lines.append("  heaviest modules:")
    for mod, t in sorted(best.items(), key=lambda kv: -kv[1])[:top]:
        lines.append(f"    {mod:40} {t / 1000:6.1f} ms")
    loaded = [label for prefix, label in HEAVY.items()
              if any(m == prefix or m.startswith(prefix + ".") for m in best)]
    lines.append("  heavy dependencies loaded: " + (", ".join(loaded) if loaded else "none"))
    return "\n".join(lines)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--script", default=None, help="console script to run (default: the "
                   "regular install bench.py times)")
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("args", nargs=argparse.REMAINDER, help="-- then keytool-syntax arguments")
    ns = p.parse_args()
    args = ns.args[1:] if ns.args[:1] == ["--"] else ns.args
    if not args:
        p.error("give the command line after --")
    if ns.script:
        script = [ns.script]
    else:
        import bench

        script = bench.installed_command()
    print(f"$ keystoretool {' '.join(args)}")
    print(report(profile(script, args, ns.runs)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
