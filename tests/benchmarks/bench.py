"""keystoretool vs keytool 17, command by command, side by side (``make bench``).

Every case runs the same keytool-syntax command line with both tools,
ALTERNATING (keystoretool, keytool, keystoretool, ...) in one process, after one
warm-up run of each (below 1,000 entries). A run is one subprocess timed with ``time.perf_counter``
(start to exit); its peak RSS comes from ``os.wait4``'s rusage. Mutating cases
run on a fresh copy of the store every run (the copy is not timed); import
cases write a new PKCS12 destination every run. Results: medians, the ratio
keystoretool/keytool per case, peak RSS, the targets of issue 7, and a
time-per-entry series (keystoretool only) from 100 to 5,000 entries.

keystoretool is timed as users run it after ``pip install``: a regular (not
editable) install of this work tree in a venv under the cache directory (see
``installed_command``); ``--editable`` times the development venv instead.


Stores (see ``stores.py``) are generated once with keystoretool's own API and
cached under ``$TMPDIR/keystoretool-bench-v1`` (``KEYSTORETOOL_BENCH_CACHE``).

    .venv/bin/python tests/benchmarks/bench.py             # full run (10-20 min, shared 2 cores)
    .venv/bin/python tests/benchmarks/bench.py --quick     # 1 and 100 entries (~7 min)
    .venv/bin/python tests/benchmarks/bench.py --runs 7 --only 'list'

The table is printed and written to ``bench-results.md`` (``--out``) with the
date, the machine and the load average before and after the run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

import stores  # noqa: E402
from stores import PASSWORD  # noqa: E402

TOOLS = ("keystoretool", "keytool")


def dev_command() -> list[str]:
    """The development venv's console script (an editable install), else ``python -m``."""
    script = Path(sys.executable).with_name("keystoretool")
    return [str(script)] if script.exists() else [sys.executable, "-m", "keystoretool"]


CONSOLE_SCRIPT = """#!{python}
import sys
from keystoretool.cli.main import main
if __name__ == '__main__':
    sys.argv[0] = sys.argv[0].removesuffix('.exe')
    sys.exit(main())
"""


def installed_command() -> list[str]:
    """keystoretool as a user gets it from ``pip install keystoretool``: the
    package in a venv's site-packages and pip's console script.

    The development venv holds an *editable* install, whose import hook
    (setuptools' ``__editable__`` finder, loaded by a .pth file at every start)
    costs ~40 ms before ``main`` runs; users of a wheel do not pay it. So a
    venv under the cache directory gets a fresh copy of ``keystoretool/``
    (byte-compiled, as pip does) and pip's console script; its dependencies
    come from the development venv through a plain path in a .pth file (a
    path line does not run that directory's own .pth hooks).
    """
    import compileall
    import sysconfig
    import venv

    home = stores.cache_dir() / "user-venv"
    python = home / "bin" / "python"
    if not python.exists():
        venv.EnvBuilder(with_pip=False, symlinks=True).create(home)
    site = Path(subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True).stdout.strip())
    target = site / "keystoretool"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(ROOT / "keystoretool", target,
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    compileall.compile_dir(str(target), quiet=1)
    deps = sysconfig.get_paths()["purelib"]  # this (development) venv's site-packages
    (site / "_keystoretool_bench_deps.pth").write_text(deps + "\n")
    script = home / "bin" / "keystoretool"
    script.write_text(CONSOLE_SCRIPT.format(python=python))
    script.chmod(0o755)
    return [str(script)]


def keytool_command() -> list[str]:
    path = shutil.which("keytool")
    if path is None:
        sys.exit("keytool not found on PATH: the benchmark compares against keytool 17")
    return [path]


# ---------------------------------------------------------------------------
# one timed subprocess


@dataclass
class Run:
    seconds: float
    rss_mb: float
    cpu: float  # user + system CPU seconds of the process (and its threads)
    returncode: int
    stdout: bytes
    stderr: bytes


def timed(argv: list[str], cwd: Path) -> Run:
    """Run ``argv`` once: wall time (perf_counter) and peak RSS (wait4)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=err, cwd=cwd)
        _pid, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Run(seconds, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime,
                   proc.returncode, out.read(), err.read())


# ---------------------------------------------------------------------------
# cases


@dataclass
class Case:
    name: str  # e.g. "-list -v"
    store: str  # e.g. "JKS keys"
    entries: int
    args: Callable[[Path], list[str]]  # keytool-syntax arguments, given the work dir
    prepare: Callable[[Path], None]  # untimed set-up before every run (fresh copies)
    check: Callable[[Run], str | None]  # None when the run did what it should
    runs: int
    target: float | None  # ratio target
    work: str = ""  # name of the store copy a mutating case changes (in the work dir)
    results: dict[str, list[Run]] = field(default_factory=lambda: {t: [] for t in TOOLS})

    def median(self, tool: str) -> float:
        return statistics.median(r.seconds for r in self.results[tool])

    def peak_rss(self, tool: str) -> float:
        return max(r.rss_mb for r in self.results[tool])

    @property
    def ratio(self) -> float:
        return self.median("keystoretool") / self.median("keytool")


def _listing_check(n: int) -> Callable[[Run], str | None]:
    want = f"Your keystore contains {n:,} entr".encode()  # keytool groups digits: 1,000

    def check(run: Run) -> str | None:
        return None if want in run.stdout else "listing does not show the entry count"

    return check


def _ok(run: Run) -> str | None:
    return None


def make_cases(sizes: list[int], trust_sizes: list[int], runs_for: Callable[[int], int],
               formats: list[str]) -> list[Case]:
    cases: list[Case] = []
    for store_type in formats:
        for n in sizes:
            cases += _store_cases("keys", store_type, n, runs_for(n))
    for n in trust_sizes:
        cases += _store_cases("trust", "PKCS12", n, runs_for(n))
    return cases


def _store_cases(kind: str, store_type: str, n: int, runs: int) -> list[Case]:
    src = stores.ensure(kind, store_type, n)
    alias = stores.key_alias(0) if kind == "keys" else stores.trust_alias(0)
    label = f"{store_type} {'keys' if kind == 'keys' else 'truststore'}"
    target = 0.35 if n == 1 else 0.5 if n >= 1000 else None
    ext = src.suffix

    def work(d: Path) -> str:
        return str(d / f"store{ext}")

    def fresh(d: Path) -> None:
        shutil.copyfile(src, d / f"store{ext}")
        (d / "dest.p12").unlink(missing_ok=True)

    def nothing(d: Path) -> None:
        (d / "dest.p12").unlink(missing_ok=True)

    base = ["-storepass", PASSWORD]
    out = [
        Case("-list", label, n, lambda d: ["-list", "-keystore", str(src), *base],
             nothing, _listing_check(n), runs, target),
        Case("-changealias", label, n,
             lambda d: ["-changealias", "-alias", alias, "-destalias", "renamed",
                        "-keystore", work(d), *base],
             fresh, _ok, runs, target, work=f"store{ext}"),
        Case("-delete", label, n,
             lambda d: ["-delete", "-alias", alias, "-keystore", work(d), *base],
             fresh, _ok, runs, target, work=f"store{ext}"),
    ]
    if kind == "keys":
        imp = ["-srcstorepass", PASSWORD, "-deststorepass", PASSWORD,
               "-deststoretype", "PKCS12", "-noprompt"]
        out[1:1] = [
            Case("-list -v", label, n, lambda d: ["-list", "-v", "-keystore", str(src), *base],
                 nothing, _listing_check(n), runs, target),
        ]
        out += [
            Case(f"-importkeystore -srcalias ({store_type}->PKCS12)", label, n,
                 lambda d: ["-importkeystore", "-srckeystore", str(src), "-destkeystore",
                            str(d / "dest.p12"), "-srcalias", alias, *imp],
                 nothing, _ok, runs, target),
            Case(f"-importkeystore, whole store ({store_type}->PKCS12)", label, n,
                 lambda d: ["-importkeystore", "-srckeystore", str(src), "-destkeystore",
                            str(d / "dest.p12"), *imp],
                 nothing, _ok, runs, target),
        ]
    return out


def _verify_result(case: Case, d: Path) -> str | None:
    """After a tool's first timed run: the file it wrote holds what it should."""
    from keystoretool.model import Keystore

    if case.name.startswith("-list"):
        return None
    if case.name.startswith("-importkeystore"):
        want = 1 if "-srcalias" in case.name else case.entries
        ks = Keystore.load(d / "dest.p12", PASSWORD)
        return None if len(ks) == want else f"destination holds {len(ks)} entries, not {want}"
    ks = Keystore.load(d / case.work, PASSWORD)
    first = stores.key_alias(0) if "keys" in case.store else stores.trust_alias(0)
    if case.name == "-delete":
        ok = len(ks) == case.entries - 1 and first not in ks
    else:
        ok = len(ks) == case.entries and "renamed" in ks and first not in ks
    return None if ok else f"{case.name} left the store in an unexpected state"


# ---------------------------------------------------------------------------
# running


def run_case(case: Case, cmds: dict[str, list[str]], d: Path, log: Callable[[str], None]) -> None:
    # Warm-up (file cache, JVM class data, .pyc): not for 1,000+ entries, where a
    # run takes seconds, start-up effects are lost in the noise and the first
    # run's file reads are as warm as the others'.
    for tool in TOOLS if case.entries < 1000 else ():
        case.prepare(d)
        r = timed(cmds[tool] + case.args(d), d)
        if r.returncode != 0:
            raise SystemExit(
                f"{tool} failed on {case.store} {case.entries} {case.name} "
                f"(exit {r.returncode}):\n{r.stderr.decode(errors='replace')[-2000:]}"
            )
    for i in range(case.runs):
        for tool in TOOLS:
            case.prepare(d)
            r = timed(cmds[tool] + case.args(d), d)
            problem = f"exit {r.returncode}" if r.returncode else case.check(r)
            if problem is None and i == 0:
                problem = _verify_result(case, d)
            if problem:
                raise SystemExit(f"{tool} on {case.store} {case.entries} {case.name}: {problem}\n"
                                 f"{r.stderr.decode(errors='replace')[-2000:]}")
            case.results[tool].append(r)
    log(f"  {case.store:17} {case.entries:>5}  {case.name:45} "
        f"{case.median('keystoretool'):7.3f} s  {case.median('keytool'):7.3f} s  "
        f"ratio {case.ratio:.2f}")


#: Baseline store size of the time-per-entry series: 2, not 1, because deleting
#: the only entry leaves an empty PKCS12 (no certificate safe to encrypt), which
#: would make the baseline of ``-delete`` too cheap.
BASE = 2
#: Runs per size up to 1,000 entries in that series: t(N) - t(2) is a few ms at
#: 100 entries, and one fsync on a busy shared disk varies by as much.
SMALL_RUNS = 21


@dataclass
class Scale:
    """keystoretool alone on truststores of growing size: time per entry."""

    name: str
    sizes: list[int]
    medians: dict[int, float] = field(default_factory=dict)  # fastest wall time per size
    cpu: dict[int, float] = field(default_factory=dict)  # smallest CPU time per size
    rss: dict[int, float] = field(default_factory=dict)

    def per_entry_ms(self, cpu: bool = False) -> dict[int, float]:
        times = self.cpu if cpu else self.medians
        return {n: (t - times[BASE]) / (n - BASE) * 1000 for n, t in times.items() if n > BASE}

    def spread(self, cpu: bool = False) -> float:
        values = list(self.per_entry_ms(cpu).values())
        return max(values) / min(values) if values and min(values) > 0 else float("inf")


def run_scaling(cmd: list[str], sizes: list[int], runs: int, d: Path,
                log: Callable[[str], None]) -> list[Scale]:
    """Sizes are interleaved run by run (2, 100, 1,000, 5,000, 2, 100, ...), as
    the tools are in the main table, so a change of the machine's load during
    the series weighs on every size alike."""
    out = []
    all_sizes = [BASE, *sizes]
    # small stores: t(N) - t(2) is a few ms, so more runs for a stable median
    wanted = {n: (runs if n > 1000 else max(runs, SMALL_RUNS)) + 1 for n in all_sizes}
    for name in ("-list", "-list -v", "-changealias", "-delete"):
        scale = Scale(name, sizes)
        work = d / "scale.p12"
        times: dict[int, list[float]] = {n: [] for n in all_sizes}
        cpu: dict[int, list[float]] = {n: [] for n in all_sizes}
        rss: dict[int, list[float]] = {n: [] for n in all_sizes}
        for i in range(max(wanted.values())):
            for n in all_sizes:
                if i >= wanted[n]:
                    continue
                src = stores.ensure("trust", "PKCS12", n)
                if name.startswith("-list"):
                    args = ["-list", *(["-v"] if name == "-list -v" else []),
                            "-keystore", str(src)]
                elif name == "-delete":
                    args = ["-delete", "-alias", stores.trust_alias(0), "-keystore", str(work)]
                else:
                    args = ["-changealias", "-alias", stores.trust_alias(0),
                            "-destalias", "renamed", "-keystore", str(work)]
                shutil.copyfile(src, work)
                r = timed(cmd + args + ["-storepass", PASSWORD], d)
                if r.returncode:
                    raise SystemExit(f"keystoretool {name} on {n} certificates failed:\n"
                                     f"{r.stderr.decode(errors='replace')[-2000:]}")
                if i:  # the first run of each size is its warm-up
                    times[n].append(r.seconds)
                    cpu[n].append(r.cpu)
                    rss[n].append(r.rss_mb)
        for n in all_sizes:
            # the least disturbed run: per entry is a difference of a few ms between
            # runs of ~0.1 s, which other users' bursts on a shared machine swamp
            scale.medians[n] = min(times[n])
            scale.cpu[n] = min(cpu[n])
            scale.rss[n] = max(rss[n])
        pe = scale.per_entry_ms()
        log(f"  {name:14} " + "  ".join(f"{n}: {pe[n]:.3f} ms" for n in sizes)
            + f"  (max/min {scale.spread():.2f}; CPU time: {scale.spread(cpu=True):.2f})")
        out.append(scale)
    return out


# ---------------------------------------------------------------------------
# report


def machine() -> dict[str, str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    java = Path(os.path.realpath(shutil.which("keytool") or "keytool")).with_name("java")
    try:
        jv = subprocess.run([str(java), "-version"], capture_output=True, text=True, timeout=60)
        java_version = jv.stderr.splitlines()[1].strip() if jv.stderr else "unknown"
    except (OSError, subprocess.SubprocessError, IndexError):
        java_version = "unknown"
    try:
        commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                                capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = "unknown"
    mem = "unknown"
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f"{kb / 1024 / 1024:.0f} GB"
    except (OSError, ValueError, IndexError):
        pass
    return {
        "cpu": f"{cpu}, {os.cpu_count()} cores (nproc), {mem} RAM",
        "os": f"{platform.system()} {platform.release()}",
        "python": f"Python {platform.python_version()} ({sys.executable})",
        "keytool": f"keytool from {java_version}",
        "commit": commit,
    }


def load_average() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def verdict(case: Case) -> str:
    if case.target is None:
        return ""
    return "yes" if case.ratio <= case.target else "**no**"


def render(cases: list[Case], scales: list[Scale], info: dict[str, str], started: str,
           load_before: str, load_after: str, seconds: float, args: argparse.Namespace) -> str:
    lines = [
        f"Benchmark run {started} UTC (keystoretool commit {info['commit']}), "
        f"{seconds / 60:.1f} min.",
        "",
        f"- Machine: {info['cpu']}; {info['os']}",
        f"- {info['python']}; keystoretool run as `{info['command']}` ({info['install']})",
        f"- {info['keytool']}",
        f"- Load average (1/5/15 min) before: {load_before}; after: {load_after} "
        "(the machine is shared: absolute times vary, the ratios come from alternating runs)",
        f"- Runs per case and tool: {args.runs_small} for 1-entry stores, {args.runs} for 100, "
        f"{args.runs_big} for 1,000+ (after one warm-up run each, except at 1,000+); medians; "
        "RSS = the largest peak resident set of the case's runs",
        "",
        "| Command | Store | Entries | keystoretool | keytool | ratio | target | met | "
        "RSS keystoretool | RSS keytool |",
        "|---|---|---:|---:|---:|---:|---:|:---:|---:|---:|",
    ]
    for c in cases:
        tgt = f"≤ {c.target}" if c.target is not None else ""
        lines.append(
            f"| `{c.name}` | {c.store} | {c.entries:,} | {c.median('keystoretool'):.3f} s | "
            f"{c.median('keytool'):.3f} s | {c.ratio:.2f} | {tgt} | {verdict(c)} | "
            f"{c.peak_rss('keystoretool'):.0f} MB | {c.peak_rss('keytool'):.0f} MB |"
        )
    big = [c for c in cases if c.entries >= 1000 and "keys" in c.store]
    if big:
        worst = max(c.peak_rss("keystoretool") for c in big)
        lines += ["", f"Peak RSS of keystoretool at 1,000 entries: {worst:.0f} MB "
                  f"(target ≤ 80 MB: {'met' if worst <= 80 else '**missed**'})."]
    if scales:
        sizes = scales[0].sizes
        lines += [
            "",
            f"Time per entry, keystoretool alone on PKCS12 truststores of {BASE}, "
            + ", ".join(f"{n:,}" for n in sizes) + f" certificates: (t(N) − t({BASE})) / "
            f"(N − {BASE}) "
            f"from the fastest of {max(args.runs, SMALL_RUNS)} runs ({args.runs} at 5,000; sizes "
            "interleaved run by run), wall clock and CPU time (user + system)",
            "",
            "| Command | " + " | ".join(f"{n:,} entries" for n in sizes)
            + " | max/min (target ≤ 1.5) | CPU time per entry | max/min | peak RSS at the largest |",
            "|---|" + "---:|" * len(sizes) + "---:|---:|---:|---:|",
        ]
        for s in scales:
            pe = s.per_entry_ms()
            pc = s.per_entry_ms(cpu=True)
            lines.append(
                f"| `{s.name}` | " + " | ".join(f"{pe[n]:.3f} ms" for n in sizes)
                + f" | {s.spread():.2f} | " + " / ".join(f"{pc[n]:.3f}" for n in sizes)
                + f" ms | {s.spread(cpu=True):.2f} | {s.rss[sizes[-1]]:.0f} MB |"
            )
    return "\n".join(lines) + "\n"


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--quick", action="store_true",
                   help="1- and 100-entry stores only, 5 runs (a few minutes less)")
    p.add_argument("--runs", type=int, default=None,
                   help="timed runs per tool for 100-entry cases (default 5); 1-entry cases get "
                   "max(this, 7)")
    p.add_argument("--big-runs", type=int, default=None,
                   help="timed runs per tool for 1,000+-entry cases (default min(--runs, 3): "
                   "keytool needs up to a minute per whole-store import there)")
    p.add_argument("--only", default=None, help="regex over 'STORE ENTRIES COMMAND'")
    p.add_argument("--no-scaling", action="store_true", help="skip the time-per-entry series")
    p.add_argument("--scaling-only", action="store_true",
                   help="only the time-per-entry series (keystoretool alone)")
    p.add_argument("--editable", action="store_true",
                   help="time the development venv's console script (editable install, "
                   "~40 ms slower start-up) instead of a regular install of this tree")
    p.add_argument("--out", default=str(ROOT / "bench-results.md"), help="markdown output file")
    args = p.parse_args()
    runs = args.runs or 5
    if runs < 1:
        p.error("--runs must be at least 1")
    args.runs = runs
    args.runs_small = max(runs, 7) if not args.quick else max(runs, 5)
    args.runs_big = args.big_runs if args.big_runs else min(runs, 3)

    def runs_for(n: int) -> int:
        return args.runs_small if n == 1 else args.runs if n < 1000 else args.runs_big

    sizes = [1, 100] if args.quick else [1, 100, 1000]
    trust = [] if args.quick else [5000]
    scale_sizes = [100, 1000] if args.quick else [100, 1000, 5000]

    def log(text: str) -> None:
        print(text, flush=True)

    started = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M")
    load_before = load_average()
    t0 = time.perf_counter()
    log("Generating (or reusing) stores in " + str(stores.cache_dir()))
    cases = make_cases(sizes, trust, runs_for, ["JKS", "PKCS12"])
    if args.scaling_only:
        cases = []
    if args.only:
        rx = re.compile(args.only)
        cases = [c for c in cases if rx.search(f"{c.store} {c.entries} {c.name}")]
    cmds = {"keystoretool": dev_command() if args.editable else installed_command(),
            "keytool": keytool_command()}
    log(f"{len(cases)} cases, keystoretool = {' '.join(cmds['keystoretool'])}")
    scales: list[Scale] = []
    with tempfile.TemporaryDirectory(prefix="ksbench-") as tmp:
        d = Path(tmp)
        for case in cases:
            run_case(case, cmds, d, log)
        if not args.no_scaling and not args.only:
            log("Time per entry (keystoretool, PKCS12 truststores):")
            for n in scale_sizes:
                stores.ensure("trust", "PKCS12", n)
            scales = run_scaling(cmds["keystoretool"], scale_sizes, runs, d, log)
    info = machine()
    info["command"] = " ".join(cmds["keystoretool"])
    info["install"] = ("editable install of the development venv" if args.editable else
                       "regular install of this work tree, as pip installs a wheel")
    text = render(cases, scales, info, started, load_before, load_average(),
                  time.perf_counter() - t0, args)
    Path(args.out).write_text(text)
    print()
    print(text)
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
