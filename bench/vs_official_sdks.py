#!/usr/bin/env python3
"""Side-by-side benchmark: our Rust wrapper against Huawei's official Python, Go and Java SDKs.

    python3 bench/vs_official_sdks.py --calls 2000 --rounds 3 [--json out.json]

One release emulator for the whole run (AK/SK, rate limits off, manual tasks). Each round runs
every driver once, in an order that rotates from round to round; each driver process releases
its own disjoint range of package ids, one package per `deploy_factory_packages` call: W untimed
warm-up calls, then N timed ones. Per process: calls/s (from the driver's own line), wall time,
CPU time (user + sys from the rusage of that child, every thread: JIT and GC threads count) and
peak RSS. Then the cold start: K interleaved runs of each one-deploy program (`--calls 1
--warmup 0`, a fresh id each), and of `dataarts-release deploy --no-start ID`. At the end every
id handed out must have been released exactly once according to the emulator's journal
(`GET /_emulator/releases`), and nothing else; otherwise the run fails.

Python 3.11 standard library only. The Python SDK driver (bench/vs_official_sdk.py) runs in
<root>/.venv when that holds the pinned SDK, else in bench/.venv, created on first use.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
GO_DIR = ROOT / "conformance" / "go-sdk"
JAVA_DIR = ROOT / "conformance" / "java-sdk"
PY_SDK_VERSION = "3.1.219"
# Benchmark-only credentials, accepted by the emulator this script starts (not secrets).
AK = "VSSDKAK0000000000001"
SK = "VsSdkSecretKey00000000000000000000000001"
PROJECT = "b384b9e9ab9b4ee8994c8633aabc9505"
FIRST_SEEDED_ID = 1000  # `--seed-packages N` adds ids 1000 .. 1000+N-1
LINE = re.compile(r"^(\w+) calls=(\d+) seconds=([0-9.]+) calls_per_s=([0-9.]+|inf|nan)\s*$", re.MULTILINE)
ALL_DRIVERS = ("python", "go", "java", "rust")
LABEL = {
    "python": "Python SDK",
    "go": "Go SDK",
    "java": "Java SDK",
    "rust": "Rust wrapper (ours)",
    "cli": "dataarts-release CLI (ours)",
}
TAG = {"python": "PYTHON_SDK", "go": "GO_SDK", "java": "JAVA_SDK", "rust": "RUST_WRAPPER"}


def die(msg: str) -> None:
    print(f"vs_official_sdks: {msg}", file=sys.stderr)
    sys.exit(1)


def log(msg: str) -> None:
    print(f"==> {msg}", file=sys.stderr, flush=True)


def run_text(argv: list[str], cwd: Path | None = None, env: dict | None = None) -> str:
    """Runs a build or version command; its output, or a failure naming the command."""
    try:
        p = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        die(f"`{argv[0]}` not found: install it (or leave its driver out with --drivers)")
    if p.returncode != 0:
        die(f"`{shlex.join(argv)}` failed (exit {p.returncode}):\n{p.stdout}{p.stderr}")
    return (p.stdout + p.stderr).strip()


# ---------------------------------------------------------------- building the drivers


def python_with_sdk() -> str:
    """A Python interpreter with the pinned official SDK, creating bench/.venv if needed."""
    probe = (
        "import importlib.metadata as m\n"
        f"assert m.version('huaweicloudsdkcore') == '{PY_SDK_VERSION}'\n"
        f"assert m.version('huaweicloudsdkdataartsstudio') == '{PY_SDK_VERSION}'\n"
    )
    for cand in (ROOT / ".venv" / "bin" / "python", ROOT / "bench" / ".venv" / "bin" / "python"):
        if cand.exists() and subprocess.run([cand, "-c", probe], capture_output=True, check=False).returncode == 0:
            return str(cand)
    venv = ROOT / "bench" / ".venv"
    log(f"creating {venv} with the official Python SDK {PY_SDK_VERSION}")
    run_text([sys.executable, "-m", "venv", str(venv)])
    pkgs = [f"huaweicloudsdkcore=={PY_SDK_VERSION}", f"huaweicloudsdkdataartsstudio=={PY_SDK_VERSION}"]
    run_text([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", *pkgs])
    return str(venv / "bin" / "python")


def build(drivers: list[str], skip: bool) -> dict[str, list[str]]:
    """Builds what the run needs; the argv prefix of each driver (and of the CLI)."""
    cmds: dict[str, list[str]] = {}
    if not skip:
        log("building the release emulator, deploy_seq and the CLI (cargo build --release)")
        run_text(
            ["cargo", "build", "--release", "--quiet", "-p", "dataarts-emulator", "-p", "dataarts-bench",
             "-p", "dataarts-release-cli", "--bin", "dataarts-emulator", "--bin", "deploy_seq",
             "--bin", "dataarts-release"],
            cwd=ROOT,
        )
    cmds["cli"] = [str(TARGET / "release" / "dataarts-release")]
    if "rust" in drivers:
        cmds["rust"] = [str(TARGET / "release" / "deploy_seq")]
    if "python" in drivers:
        cmds["python"] = [python_with_sdk(), str(ROOT / "bench" / "vs_official_sdk.py")]
    if "go" in drivers:
        out = TARGET / "bench" / "go-deployseq"
        if not skip:
            log("building the Go SDK driver (go build ./cmd/deployseq)")
            out.parent.mkdir(parents=True, exist_ok=True)
            env = dict(os.environ, GOFLAGS="-mod=readonly", GOTOOLCHAIN="local")
            run_text(["go", "build", "-o", str(out), "./cmd/deployseq"], cwd=GO_DIR, env=env)
        cmds["go"] = [str(out)]
    if "java" in drivers:
        if not skip:
            log("building the Java SDK driver (mvn package)")
            run_text(["mvn", "-B", "-ntp", "-q", "package", "-DskipTests"], cwd=JAVA_DIR)
        cp_file = JAVA_DIR / "target" / "classpath.txt"
        if not cp_file.exists():
            die(f"{cp_file} is missing: build the Java driver (mvn -B package -DskipTests in {JAVA_DIR})")
        # A copy of the classes, so that a later `mvn clean` in the project does not pull them
        # away from under a running benchmark.
        classes = TARGET / "bench" / "java-classes"
        if not skip or not classes.exists():
            shutil.rmtree(classes, ignore_errors=True)
            shutil.copytree(JAVA_DIR / "target" / "classes", classes)
        cp = f"{classes}:{cp_file.read_text().strip()}"
        cmds["java"] = ["java", "-cp", cp, "dataarts.conformance.DeploySeq"]
    for name, argv in cmds.items():
        if not (shutil.which(argv[0]) or Path(argv[0]).exists()):
            die(f"{LABEL[name]}: {argv[0]} not found (build it, or leave it out with --drivers)")
    return cmds


# ---------------------------------------------------------------- the emulator


class Emulator:
    """One release emulator on an ephemeral port, stopped on exit."""

    def __init__(self, seed: int) -> None:
        exe = TARGET / "release" / "dataarts-emulator"
        self.log = tempfile.NamedTemporaryFile(prefix="vs-sdks-emu-", suffix=".log", delete=False)  # noqa: SIM115 (lives as long as the emulator)
        self.proc = subprocess.Popen(
            [str(exe), "--demo", "--ak", AK, "--sk", SK, "--no-rate-limit", "--manual-tasks",
             "--seed-packages", str(seed), "--port", "0"],
            stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            preexec_fn=pin if CPUS is not None else None,  # noqa: PLW1509 (no threads here)
        )
        self.url = ""
        for _ in range(200):
            m = re.search(r"http://127\.0\.0\.1:\d+", Path(self.log.name).read_text())
            if m:
                self.url = m.group(0)
                break
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        if not self.url:
            text = Path(self.log.name).read_text()
            self.stop()
            die(f"the emulator did not start:\n{text}")

    def cpu_seconds(self) -> float:
        """CPU time of the emulator so far: the sum over its threads' schedstat (ns precision;
        its worker threads live as long as it does)."""
        total = 0
        for t in Path(f"/proc/{self.proc.pid}/task").iterdir():
            try:
                total += int((t / "schedstat").read_text().split()[0])
            except (FileNotFoundError, ProcessLookupError):
                pass  # a thread that ended meanwhile
        return total / 1e9

    def releases(self) -> dict[str, int]:
        with urllib.request.urlopen(f"{self.url}/_emulator/releases", timeout=30) as r:
            return json.load(r)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        os.unlink(self.log.name)


# ---------------------------------------------------------------- one measured process


@dataclass
class Run:
    driver: str
    first: int
    calls: int
    warmup: int
    wall_s: float  # process spawn to exit
    cpu_s: float  # user + sys
    maxrss_kib: int  # 0: not measured in this run
    emulator_cpu_s: float
    loadavg: float
    rate: float = 0.0  # the driver's own calls/s over the timed calls
    seconds: float = 0.0


GNU_TIME = "/usr/bin/time"
CPUS: set[int] | None = None  # --cpus: the emulator and every driver run on these CPUs only


def pin() -> None:
    if CPUS is not None:
        os.sched_setaffinity(0, CPUS)


def spawn(argv: list[str], env: dict | None, emu: Emulator, rss: bool) -> tuple[str, float, float, int, float]:
    """Runs one child to its end; (stdout, wall s, CPU s, peak RSS KiB, emulator CPU s) or a failure.

    CPU is user + sys from wait4's rusage of that child (every thread). Its ru_maxrss is no use:
    Linux keeps the hiwater RSS of the address space a process had before exec, i.e. of this
    Python process it was forked from. So with rss=True the child is started under GNU time,
    whose small process the driver forks from, and its %M is the driver's own peak; the CPU that
    GNU time itself costs (measured at start-up) is subtracted.
    """
    emu_before = emu.cpu_seconds()
    with tempfile.TemporaryFile() as err, tempfile.NamedTemporaryFile("r") as mem:
        full = [GNU_TIME, "-f", "%M", "-o", mem.name, "--", *argv] if rss else argv
        t0 = time.perf_counter()
        p = subprocess.Popen(full, stdout=subprocess.PIPE, stderr=err, stdin=subprocess.DEVNULL, env=env,
                             preexec_fn=pin if CPUS is not None else None)  # noqa: PLW1509 (no threads here)
        out = p.stdout.read()
        _, status, ru = os.wait4(p.pid, 0)  # reap it ourselves: the rusage of this child only
        wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        p.stdout.close()
        err.seek(0)
        errtext = err.read().decode(errors="replace")
        maxrss = int(mem.read().strip().splitlines()[-1]) if rss and p.returncode == 0 else 0
    emu_cpu = emu.cpu_seconds() - emu_before
    if p.returncode != 0:
        die(f"`{shlex.join(argv[:1] + argv[-8:])}` exited {p.returncode}:\n{errtext}{out.decode()}")
    cpu = ru.ru_utime + ru.ru_stime - (TIME_OVERHEAD_S if rss else 0.0)
    return out.decode(), wall, cpu, maxrss, emu_cpu


TIME_OVERHEAD_S = 0.0


def measure_time_overhead() -> float:
    """CPU seconds GNU time adds around a child (median of 20 `time true` minus `true`)."""
    def cpu(argv: list[str]) -> float:
        xs = []
        for _ in range(20):
            p = subprocess.Popen(argv, stdin=subprocess.DEVNULL)
            _, status, ru = os.wait4(p.pid, 0)
            p.returncode = os.waitstatus_to_exitcode(status)
            xs.append(ru.ru_utime + ru.ru_stime)
        return statistics.median(xs)

    true = shutil.which("true") or "/bin/true"
    return max(0.0, cpu([GNU_TIME, "-f", "%M", "-o", os.devnull, "--", true]) - cpu([true]))


def load1() -> float:
    return float(Path("/proc/loadavg").read_text().split()[0])


def run_driver(name: str, cmds: dict, emu: Emulator, first: int, calls: int, warmup: int, rss: bool) -> Run:
    argv = cmds[name] + ["--endpoint", emu.url, "--ak", AK, "--sk", SK, "--project-id", PROJECT,
                         "--first", str(first), "--calls", str(calls), "--warmup", str(warmup)]
    load = load1()
    out, wall, cpu, maxrss, emu_cpu = spawn(argv, None, emu, rss)
    m = LINE.search(out)
    if not m or m.group(1) != TAG[name] or int(m.group(2)) != calls:
        die(f"{LABEL[name]} printed no `{TAG[name]} calls={calls} ...` line:\n{out}")
    return Run(name, first, calls, warmup, wall, cpu, maxrss, emu_cpu, load,
               rate=float(m.group(4)), seconds=float(m.group(3)))


def run_cli(cmds: dict, emu: Emulator, pkg: int, home: str, rss: bool) -> Run:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": home,  # no profile file
        "DATAARTS_ENDPOINT": emu.url,
        "HUAWEICLOUD_SDK_PROJECT_ID": PROJECT,
        "HUAWEICLOUD_SDK_AK": AK,
        "HUAWEICLOUD_SDK_SK": SK,
    }
    load = load1()
    _, wall, cpu, maxrss, emu_cpu = spawn(cmds["cli"] + ["--quiet", "deploy", "--no-start", str(pkg)], env, emu, rss)
    return Run("cli", pkg, 1, 0, wall, cpu, maxrss, emu_cpu, load)


# ---------------------------------------------------------------- the run


@dataclass
class Ids:
    """Hands out disjoint package id ranges and remembers every id handed out."""

    next: int = FIRST_SEEDED_ID
    used: list[int] = field(default_factory=list)

    def take(self, n: int) -> int:
        first = self.next
        self.next += n
        self.used.extend(range(first, first + n))
        return first


def rotate(seq: list[str], k: int) -> list[str]:
    k %= len(seq)
    return seq[k:] + seq[:k]


def check_exactly_once(emu: Emulator, ids: Ids) -> dict:
    counts = emu.releases()
    expected = {str(i) for i in ids.used}
    twice = sorted((k for k, v in counts.items() if v != 1), key=str)
    missing = sorted(expected - counts.keys(), key=int)
    extra = sorted(counts.keys() - expected, key=str)
    total = sum(counts.values())
    if twice or missing or extra or total != len(ids.used):
        die(
            f"exactly-once check FAILED: {len(ids.used)} deploys made, the journal has {total} releases "
            f"of {len(counts)} ids; released more than once: {twice[:10]}; never released: {missing[:10]}; "
            f"released but never asked for: {extra[:10]}"
        )
    return {"ids": len(counts), "releases": total, "exactly_once": True}


def machine() -> dict:
    lscpu = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout
    model = next((ln.split(":", 1)[1].strip() for ln in lscpu.splitlines() if ln.startswith("Model name")), "?")
    mem_kib = next(int(ln.split()[1]) for ln in Path("/proc/meminfo").read_text().splitlines()
                   if ln.startswith("MemTotal"))
    return {"cpu": model, "cores": os.cpu_count(), "mem_gib": round(mem_kib / 2**20, 1),
            "kernel": platform.release(), "loadavg_start": Path("/proc/loadavg").read_text().split()[:3]}


def versions(cmds: dict) -> dict:
    def first_line(argv: list[str], cwd: Path | None = None) -> str:
        try:
            p = subprocess.run(argv, capture_output=True, text=True, cwd=cwd, check=False)
            return (p.stdout + p.stderr).strip().splitlines()[0]
        except (FileNotFoundError, IndexError):
            return "not found"

    v = {"rustc": first_line(["rustc", "--version"]),
         "dataarts-release": first_line(cmds["cli"] + ["--version"])}
    if "python" in cmds:
        v["python"] = first_line([cmds["python"][0], "--version"])
        v["python_sdk"] = f"huaweicloudsdkdataartsstudio {PY_SDK_VERSION}"
    if "go" in cmds:
        v["go"] = first_line(["go", "version"])
        m = re.search(r"huaweicloud-sdk-go-v3 (v\S+)", (GO_DIR / "go.mod").read_text())
        v["go_sdk"] = f"huaweicloud-sdk-go-v3 {m.group(1) if m else '?'}"
    if "java" in cmds:
        v["java"] = first_line(["java", "-version"])
        jars = re.findall(r"(huaweicloud-sdk-(?:dataartsstudio|core))-([0-9.]+)\.jar", cmds["java"][2])
        v["java_sdk"] = ", ".join(f"{a} {b}" for a, b in jars) or "?"
    return v


def med(xs: list[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


def summarize(runs: list[Run], cold: list[Run], cold_rss: list[Run], drivers: list[str]) -> dict:
    s: dict = {}
    for d in drivers:
        rs = [r for r in runs if r.driver == d]
        cs = [r for r in cold if r.driver == d]
        startup_cpu = med([c.cpu_s for c in cs])
        s[d] = {
            "calls_per_s": med([r.rate for r in rs]),
            "calls_per_s_rounds": [r.rate for r in rs],
            "wall_s": med([r.wall_s for r in rs]),
            "cpu_s": med([r.cpu_s for r in rs]),
            "cpu_us_per_call_incl_startup": med([r.cpu_s / (r.calls + r.warmup) * 1e6 for r in rs]),
            # The process's CPU minus the median CPU of its one-deploy run (start-up, client
            # construction, first call), over the remaining calls: the steady per-call cost.
            "cpu_us_per_call_marginal": med([(r.cpu_s - startup_cpu) / (r.calls + r.warmup - 1) * 1e6
                                             for r in rs]) if cs else float("nan"),
            "maxrss_mib": med([r.maxrss_kib / 1024 for r in rs]),
            "emulator_cpu_us_per_call": med([r.emulator_cpu_s / (r.calls + r.warmup) * 1e6 for r in rs]),
            "cold_wall_ms": med([c.wall_s * 1e3 for c in cs]),
            "cold_cpu_ms": med([c.cpu_s * 1e3 for c in cs]),
            "cold_maxrss_mib": med([c.maxrss_kib / 1024 for c in cold_rss if c.driver == d]),
        }
    cli = [c for c in cold if c.driver == "cli"]
    if cli:
        s["cli"] = {"cold_wall_ms": med([c.wall_s * 1e3 for c in cli]),
                    "cold_cpu_ms": med([c.cpu_s * 1e3 for c in cli]),
                    "cold_maxrss_mib": med([c.maxrss_kib / 1024 for c in cold_rss if c.driver == "cli"])}
    return s


def fmt(x: float, unit: str = "") -> str:
    if math.isnan(x):
        return "n/a"
    if abs(x) >= 100:
        return f"{x:,.0f}{unit}"
    if abs(x) >= 10:
        return f"{x:.1f}{unit}"
    return f"{x:.2f}{unit}"


def ratio(x: float) -> str:
    return "n/a" if math.isnan(x) else f"**{x:.2f}×**" if x >= 1 else f"**{x:.2f}×** (behind)"


def report(s: dict, args, info: dict, check: dict, drivers: list[str]) -> str:
    theirs = [d for d in drivers if d != "rust"]
    ours = s.get("rust")
    m = info["machine"]
    out = [f"Command: `{info['command']}`", "",
           (f"Machine: {m['cpu']}, {m['cores']} cores, {m['mem_gib']} GiB, Linux {m['kernel']}; load average "
            f"{' / '.join(m['loadavg_start'])} at the start, "
            f"{' / '.join(info['loadavg_end'])} at the end (1 / 5 / 15 min)."), "",
           "Versions: " + "; ".join(f"{k} `{v}`" for k, v in info["versions"].items()), "",
           (f"Emulator and drivers pinned to CPU(s) {args.cpus}. " if args.cpus else
            "Emulator and drivers free to run on any CPU. ") +
           f"{args.rounds} rounds × {args.calls:,} timed calls (+ {args.warmup} untimed warm-up calls) per "
           f"driver; cold start: {args.cold_runs} interleaved runs each. Exactly-once: "
           f"{check['releases']:,} deploys, {check['ids']:,} ids, each released exactly once.", ""]

    def table(title: str, key: str, unit: str, higher_better: bool, direction: str) -> None:
        out.append(f"{title} (median; ratio = {direction}, ≥ 1.0 means ours is at least as good)")
        out.append("")
        head = "| Driver | " + key_label[key] + " |" + (" ratio |" if ours else "")
        out.extend([head, "|---|---|" + ("---|" if ours else "")])
        for d in drivers:
            v = s[d][key]
            r = ""
            if ours and d != "rust":
                o = ours[key]
                r = " " + ratio(o / v if higher_better else v / o) + " |"
            elif ours:
                r = " |"
            out.append(f"| {LABEL[d]} | {fmt(v, unit)} |{r}")
        out.append("")

    key_label = {"calls_per_s": "calls/s", "cpu_us_per_call_incl_startup": "CPU µs/call incl. start-up",
                 "cpu_us_per_call_marginal": "CPU µs/call, start-up subtracted", "maxrss_mib": "peak RSS MiB",
                 "cold_wall_ms": "one-deploy program, spawn to exit, ms"}
    table("Throughput, calls/s", "calls_per_s", "", True, "ours / theirs")
    out.append("Per round (calls/s): " + "; ".join(
        f"{LABEL[d]} " + ", ".join(fmt(x) for x in s[d]["calls_per_s_rounds"]) for d in drivers))
    if ours:
        out.append("")
        out.append("Ratio ours / theirs within each round (same emulator, same minute): " + "; ".join(
            f"{LABEL[d]} " + ", ".join(f"{o / t:.2f}×" for o, t in zip(ours["calls_per_s_rounds"],
                                                                    s[d]["calls_per_s_rounds"]))
            for d in theirs))
    out.append("")
    table("CPU time per call (user + sys of the whole process over warm-up + timed calls)",
          "cpu_us_per_call_incl_startup", "", False, "theirs / ours")
    table("Steady CPU time per call (process CPU minus its one-deploy run's CPU, per remaining call)",
          "cpu_us_per_call_marginal", "", False, "theirs / ours")
    table("Peak RSS of the benchmark process", "maxrss_mib", "", False, "theirs / ours")
    table("Cold start", "cold_wall_ms", "", False, "theirs / ours")
    if "cli" in s:
        c = s["cli"]["cold_wall_ms"]
        out.append(f"`dataarts-release deploy --no-start ID` (the CLI, same emulator): median {fmt(c)} ms; "
                   "ratio theirs / CLI: " + ", ".join(f"{LABEL[d]} {ratio(s[d]['cold_wall_ms'] / c)}"
                                                      for d in theirs))
        out.append("")
    out.append("| Driver | wall s / run | CPU s / run | emulator CPU µs/call | one-deploy CPU ms | "
               "one-deploy peak RSS MiB |")
    out.append("|---|---|---|---|---|---|")
    for d in drivers + (["cli"] if "cli" in s else []):
        x = s[d]
        out.append(f"| {LABEL[d]} | {fmt(x.get('wall_s', float('nan')))} | {fmt(x.get('cpu_s', float('nan')))} | "
                   f"{fmt(x.get('emulator_cpu_us_per_call', float('nan')))} | {fmt(x['cold_cpu_ms'])} | "
                   f"{fmt(x['cold_maxrss_mib'])} |")
    out.append("")
    if ours:
        goals = []
        for key, hb in (("calls_per_s", True), ("cpu_us_per_call_incl_startup", False),
                        ("cpu_us_per_call_marginal", False), ("maxrss_mib", False), ("cold_wall_ms", False)):
            for d in theirs:
                v, o = s[d][key], ours[key]
                r = o / v if hb else v / o
                if not math.isnan(r) and r < 1.0:
                    goals.append(f"{key_label[key]} vs {LABEL[d]} ({r:.2f}×)")
        out.append("Goal (every ratio ≥ 1.0): " + ("MET" if not goals else "NOT MET: " + "; ".join(goals)))
        if "go" in s:
            r = ours["calls_per_s"] / s["go"]["calls_per_s"]
            out.append(f"Aim (≥ 1.5× the Go SDK's calls/s): {'MET' if r >= 1.5 else 'NOT MET'} ({r:.2f}×)")
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--calls", type=int, default=2000, help="timed calls per driver per round")
    ap.add_argument("--warmup", type=int, default=200, help="untimed calls before them (JIT, pools)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--cold-runs", type=int, default=10, help="one-deploy runs per program")
    ap.add_argument("--drivers", default=",".join(ALL_DRIVERS), help="subset of python,go,java,rust")
    ap.add_argument("--skip-build", action="store_true", help="use the binaries already built")
    ap.add_argument("--cpus", help="run the emulator and every driver on these CPUs only, e.g. 0 "
                    "(no cross-CPU wake-ups; see BENCHMARKS.md)")
    ap.add_argument("--json", metavar="FILE", help="also write every run and the summary as JSON ('-': stdout)")
    args = ap.parse_args()
    drivers = [d.strip() for d in args.drivers.split(",") if d.strip()]
    if not drivers or any(d not in ALL_DRIVERS for d in drivers) or len(set(drivers)) != len(drivers):
        die(f"--drivers takes a comma-separated subset of {','.join(ALL_DRIVERS)}, got {args.drivers!r}")
    if args.calls < 1 or args.warmup < 1 or args.rounds < 1 or args.cold_runs < 1:
        die("--calls, --warmup, --rounds and --cold-runs must each be at least 1")

    command = "python3 " + shlex.join([os.path.relpath(sys.argv[0], ROOT)] + sys.argv[1:])
    if not Path(GNU_TIME).exists():
        die(f"{GNU_TIME} (GNU time) is needed for the peak RSS of each driver: apt-get install time")
    cmds = build(drivers, args.skip_build)
    global TIME_OVERHEAD_S, CPUS
    TIME_OVERHEAD_S = measure_time_overhead()
    if args.cpus:
        try:
            CPUS = {int(c) for c in args.cpus.split(",")}
        except ValueError:
            CPUS = set()
        if not CPUS or not CPUS <= os.sched_getaffinity(0):
            die(f"--cpus takes a comma-separated list of CPU numbers from {sorted(os.sched_getaffinity(0))}, "
                f"got {args.cpus!r}")
    info = {"command": command, "machine": machine(), "versions": versions(cmds)}
    per_round = args.calls + args.warmup
    seed = args.rounds * len(drivers) * per_round + (args.cold_runs + 1) * (len(drivers) + 1) + 10
    emu = Emulator(seed)
    ids = Ids()
    runs: list[Run] = []
    cold: list[Run] = []
    cold_rss: list[Run] = []
    home = tempfile.mkdtemp(prefix="vs-sdks-home-")
    try:
        log(f"emulator {emu.url}, {seed} packages seeded; load average {load1()}")
        programs = drivers + ["cli"]
        # Pass 0 is untimed: it puts every binary, class and module file in the page cache, and it
        # runs under GNU time for the one-deploy programs' peak RSS. Passes 1..K are the cold starts.
        for k in range(args.cold_runs + 1):
            for p in rotate(programs, k):
                if p == "cli":
                    r = run_cli(cmds, emu, ids.take(1), home, rss=k == 0)
                else:
                    r = run_driver(p, cmds, emu, ids.take(1), 1, 0, rss=k == 0)
                (cold if k > 0 else cold_rss).append(r)
        log("cold start: " + ", ".join(f"{p} {med([c.wall_s * 1e3 for c in cold if c.driver == p]):.1f} ms"
                                       for p in programs))
        for rnd in range(args.rounds):
            order = rotate(drivers, rnd)
            for d in order:
                r = run_driver(d, cmds, emu, ids.take(per_round), args.calls, args.warmup, rss=True)
                runs.append(r)
                log(f"round {rnd + 1}: {LABEL[d]}: {r.rate:,.0f} calls/s, CPU {r.cpu_s:.2f} s, "
                    f"RSS {r.maxrss_kib / 1024:.0f} MiB, load {r.loadavg}")
        check = check_exactly_once(emu, ids)
    finally:
        emu.stop()
        shutil.rmtree(home, ignore_errors=True)
    info["loadavg_end"] = Path("/proc/loadavg").read_text().split()[:3]
    s = summarize(runs, cold, cold_rss, drivers)
    # With --json - the JSON document owns stdout and the tables go to stderr.
    print(report(s, args, info, check, drivers), file=sys.stderr if args.json == "-" else sys.stdout)
    if args.json:
        doc = {**info, "args": vars(args), "exactly_once": check, "summary": s,
               "gnu_time_cpu_overhead_s": TIME_OVERHEAD_S, "runs": [asdict(r) for r in runs],
               "cold_runs": [asdict(r) for r in cold], "cold_rss_runs": [asdict(r) for r in cold_rss]}
        text = json.dumps(doc, indent=2)
        if args.json == "-":
            print(text)
        else:
            Path(args.json).write_text(text + "\n")


if __name__ == "__main__":
    main()
