"""Benchmark: scan cost against the number of rules, and memory against file size (issue 18).

Not a test. In one run it prints:
  - the scan time of a Linux test disk copy with 0, 1,000, 10,000 and 50,000 extra rules in YAML
    folders (exact, glob, regex and domain conditions mixed, with samples, as the feed importers
    write them), the ratio of each to 0, and the phases apart (loading the rules, collecting,
    building the index, matching), next to the time the C YAML parser alone takes to read the
    same files; the shipped rules compiled, as in an installed wheel (and once as YAML, as in a
    checkout);
  - the same with the extra rules installed compiled (the form `rules import --install` writes);
  - peak memory (max RSS of a fresh process) for a 1,000,000-row browser History and a
    30,000-package dpkg status file;
  - the live scan time of this machine.

    python scripts/bench_rules.py [--sizes 0,1000,10000,50000] [--skip-memory] [--skip-live]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from scripts.bench_scan import build_image  # noqa: E402
from techcheck.collectors.base import collectors_for  # noqa: E402
from techcheck.engine import Matcher, hash_targets, merge_findings, merge_same_product  # noqa: E402
from techcheck.rulepack import COMPILED_NAME, compile_folder  # noqa: E402
from techcheck.ruleset import _parse_cached, load_rules, shipped_rules_dir  # noqa: E402
from techcheck.scan import run_check, run_scan  # noqa: E402
from techcheck.target import open_image, open_live  # noqa: E402

TEXT = {
    "en": {"title": "Tool {i} is installed", "what": "A made-up tool for the benchmark.",
           "why": "It tests how fast rules load and match.", "actions": ["Nothing to do."],
           "normal": "Always: it is a benchmark."},
    "es": {"title": "La herramienta {i} está instalada", "what": "Una herramienta inventada.",
           "why": "Mide la velocidad.", "actions": ["Nada que hacer."], "normal": "Siempre."},
}


def synthetic_rule(i: int) -> dict[str, Any]:
    """One rule shaped like an imported feed rule; the kind of condition cycles with i."""
    shape = i % 10
    if shape < 4:  # exact program names
        match = [{"kind": "autostart", "exe_name": [f"tool{i}.exe", f"tool{i}svc.exe"]},
                 {"kind": "service", "exe_name": [f"tool{i}svc.exe"]}]
        samples = {"positive": [{"kind": "autostart", "exe": f"C:\\Tools\\tool{i}.exe"}],
                   "negative": [{"kind": "autostart", "exe": f"C:\\Tools\\xtool{i}.exe"}]}
    elif shape < 8:  # path globs, as LOLRMM installation paths become
        match = [{"kind": "autostart", "exe": {"path": [f"**/Vendor{i}/Tool {i}/tool{i}.exe"]}},
                 {"kind": "app", "install_path": {"path": [f"C:/Program Files/Vendor{i}/**"]}}]
        samples = {"positive": [{"kind": "autostart", "exe": f"C:\\Program Files\\Vendor{i}\\Tool {i}\\tool{i}.exe"}],
                   "negative": [{"kind": "autostart", "exe": f"C:\\Program Files\\Vendor{i}-other\\tool{i}.exe"}]}
    elif shape < 9:  # a regular expression on the command line
        match = [{"kind": "autostart", "command": {"regex": [rf"tool{i}(svc)?\.exe\s+--connect"]}}]
        samples = {"positive": [{"kind": "autostart", "command": f"tool{i}.exe --connect x"}],
                   "negative": [{"kind": "autostart", "command": f"tool{i}.exe --help"}]}
    else:  # a seller's web site
        match = [{"kind": "web_visit", "domain": {"domain": [f"seller{i}.example"]}}]
        samples = {"positive": [{"kind": "web_visit", "url": f"https://seller{i}.example/buy"}],
                   "negative": [{"kind": "web_visit", "url": f"https://seller{i}x.example/buy"}]}
    text = {lang: {k: ([a.format(i=i) for a in v] if isinstance(v, list) else v.format(i=i)) for k, v in block.items()}
            for lang, block in TEXT.items()}
    return {"id": f"bench.tool-{i:06d}", "severity": "review", "category": "remote_access",
            "platforms": ["windows", "linux"], "text": text, "match": match, "samples": samples,
            "references": ["https://example.org/bench"]}


def write_rules(folder: Path, count: int, per_file: int = 100) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for start in range(0, count, per_file):
        rules = [synthetic_rule(i) for i in range(start, min(start + per_file, count))]
        (folder / f"tools-{start // per_file:05d}.yaml").write_text(
            yaml.safe_dump(rules, sort_keys=False, allow_unicode=True), encoding="utf-8")


def c_parse_seconds(folder: Path) -> float:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    start = time.process_time()
    for path in sorted(folder.glob("*.yaml")):
        yaml.load(path.read_text(encoding="utf-8"), Loader=loader)  # noqa: S506 - the C safe loader
    return time.process_time() - start


def phases(image: Path, shipped: Path, extra: list[Path]) -> dict[str, float]:
    """CPU seconds of one scan, phase by phase: loading the rules, collecting (run_scan with no rules
    but the ones it needs for hashing), building the index, matching. The phases are the scan's own
    steps run one after the other, so `total` is what a scan costs."""
    _parse_cached.cache_clear()  # measure parsing, not the in-process cache of parsed files
    t0 = time.process_time()
    ruleset = load_rules([shipped, *extra])
    t1 = time.process_time()
    rules = [r for r in ruleset.rules if r.applies_to("linux")]
    wanted = hash_targets(rules)  # once per scan, as run_scan does
    checks = [run_check(c, open_image(str(image)), wanted)[1] for c in collectors_for("linux")]
    artifacts = [a for found in checks for a in found]
    t2 = time.process_time()
    matcher = Matcher.build(rules)
    t3 = time.process_time()
    merge_findings(merge_same_product(matcher.match(artifacts)))
    t4 = time.process_time()
    return {"load": t1 - t0, "collect": t2 - t1, "index": t3 - t2, "match": t4 - t3, "total": t4 - t0,
            "rules": float(len(ruleset.rules)), "artifacts": float(len(artifacts))}


def median_phases(image: Path, shipped: Path, extra: list[Path], runs: int = 3) -> dict[str, float]:
    got = [phases(image, shipped, extra) for _ in range(runs)]
    return {k: sorted(g[k] for g in got)[runs // 2] for k in got[0]}


ROW = "{:>11} {:>9} {:>7} {:>7} {:>7} {:>7} {:>7} {:>6} {:>8} {:>10}"


def row(label: str, how: str, p: dict[str, float], zero: dict[str, float], c_yaml: float = 0.0) -> None:
    extra = p["total"] - zero["total"]
    vs_c = f"{extra / c_yaml:.2f}" if c_yaml else "-"
    print(ROW.format(label, how, f"{p['load']:.2f}s", f"{p['collect']:.2f}s", f"{p['index']:.2f}s",
                     f"{p['match']:.2f}s", f"{p['total']:.2f}s", f"{p['total'] / zero['total']:.1f}x",
                     f"{p['match'] / zero['match']:.1f}x", vs_c))


def rule_scaling(sizes: list[int], base: Path) -> None:
    image = base / "image"
    build_image(image, 2000)
    # The shipped rules as an installed techcheck has them (compiled when the wheel is built), and as a
    # checkout reads them (YAML).
    shipped_compiled = base / "shipped"
    shutil.copytree(shipped_rules_dir(), shipped_compiled, ignore=shutil.ignore_patterns(COMPILED_NAME))
    compile_folder(shipped_compiled)
    print("Linux test disk copy: 2,000 start-up entries, 2,000 packages (scripts/bench_scan.py's builder)")
    print(ROW.format("extra rules", "stored", "load", "collect", "index", "match", "total", "x0", "match x0",
                     "extra/C YAML"))
    zero = median_phases(image, shipped_compiled, [])
    zero_yaml = median_phases(image, shipped_rules_dir(), [])
    row("0", "(wheel)", zero, zero)
    row("0", "(YAML)", zero_yaml, zero_yaml)
    for size in sizes:
        if not size:
            continue
        folder = base / f"rules-{size}"
        write_rules(folder, size)
        c_yaml = c_parse_seconds(folder)
        p = median_phases(image, shipped_compiled, [folder])
        print(f"{size:>11,} C YAML parser alone reads the {size:,} extra rules in {c_yaml:.2f}s")
        row(f"{size:,}", "YAML", p, zero, c_yaml)
        compile_folder(folder)  # as `rules import --install` stores a pack
        q = median_phases(image, shipped_compiled, [folder])
        row(f"{size:,}", "compiled", q, zero)
    print("(CPU seconds, median of 3. Shipped rules compiled as in the wheel; the second 0 row reads them as YAML, "
          "as a checkout does.\n 'index' builds the rule index, 'match' matches the artifacts and merges findings; "
          "x0 and match x0 compare with 0 extra rules;\n extra/C YAML = (total - total at 0) / the C YAML parser's "
          "time for the extra files)")


# Peak memory from /proc (VmHWM): unlike ru_maxrss, it starts afresh in a new program.
MEMORY_CHILD = r"""
import sys
from techcheck.ruleset import load_rules, shipped_rules_dir
from techcheck.scan import run_scan
from techcheck.target import open_image
def hwm():
    return next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM")) // 1024
rules = load_rules([shipped_rules_dir()])
before = hwm()
result = run_scan(open_image(sys.argv[1], sys.argv[2]), rules)
print(before, hwm(), len(result.artifacts))
"""


def history_db(path: Path, rows: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path)
    db.executescript("CREATE TABLE urls (id INTEGER PRIMARY KEY, url LONGVARCHAR, title LONGVARCHAR, "
                     "visit_count INTEGER, typed_count INTEGER, last_visit_time INTEGER, hidden INTEGER);"
                     "CREATE TABLE visits (id INTEGER PRIMARY KEY, url INTEGER, visit_time INTEGER, "
                     "from_visit INTEGER, transition INTEGER);"
                     "CREATE TABLE downloads (id INTEGER PRIMARY KEY, target_path LONGVARCHAR, tab_url LONGVARCHAR, "
                     "start_time INTEGER, end_time INTEGER, total_bytes INTEGER, referrer LONGVARCHAR);")
    db.executemany("INSERT INTO urls (url, title, visit_count, typed_count, last_visit_time, hidden) "
                   "VALUES (?, ?, 1, 0, ?, 0)",
                   ((f"https://site{i % 5000}.example/page/{i}?q={i}", f"Page {i}", 13300000000000000 + i)
                    for i in range(rows)))
    db.commit()
    db.close()


def memory(base: Path) -> None:
    home = base / "mem-history" / "home/ana"
    (base / "mem-history/etc").mkdir(parents=True)
    (base / "mem-history/etc/passwd").write_text(
        "root:x:0:0:root:/root:/bin/bash\nana:x:1000:1000::/home/ana:/bin/bash\n")
    history_db(home / ".config/google-chrome/Default/History", 1_000_000)
    size = (home / ".config/google-chrome/Default/History").stat().st_size
    dpkg_root = base / "mem-dpkg"
    (dpkg_root / "etc").mkdir(parents=True)
    (dpkg_root / "etc/passwd").write_text("root:x:0:0:root:/root:/bin/bash\n")
    status = dpkg_root / "var/lib/dpkg/status"
    status.parent.mkdir(parents=True)
    with status.open("w") as fh:
        for i in range(30_000):
            fh.write(f"Package: package-{i}\nStatus: install ok installed\nPriority: optional\nSection: misc\n"
                     f"Installed-Size: {i}\nMaintainer: Someone <someone@example.org>\nArchitecture: amd64\n"
                     f"Version: 1.{i}-1\nDepends: libc6 (>= 2.34), libfoo{i % 100} (>= 1.0)\n"
                     f"Description: package number {i}\n A longer description of package {i}\n .\n more text\n\n")
    cases = (("1,000,000-row History", base / "mem-history", f"{size / 2**20:.0f} MiB file"),
             ("30,000-package dpkg status", dpkg_root, f"{status.stat().st_size / 2**20:.0f} MiB file"))
    for label, root, extra in cases:
        out = subprocess.run([sys.executable, "-c", MEMORY_CHILD, str(root), "linux"], capture_output=True,
                             text=True, cwd=REPO, check=True)
        before, after, artifacts = (int(x) for x in out.stdout.split())
        print(f"peak memory, {label} ({extra}): {after} MiB peak RSS of the scanning process "
              f"({after - before} MiB more than with the rules loaded), {artifacts} artifacts")


def live() -> None:
    walls, cpus = [], []
    ruleset = load_rules([shipped_rules_dir()])
    for _ in range(3):
        start, cpu = time.perf_counter(), time.process_time()
        result = run_scan(open_live(), ruleset)
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
    slow = sorted(result.checks, key=lambda c: -c.seconds)[:3]
    print(f"live scan of this machine: {sorted(cpus)[1]:.2f} s CPU, {sorted(walls)[1]:.2f} s wall (median of 3, "
          f"rules already loaded; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores); slowest checks: "
          + ", ".join(f"{c.name} {c.seconds:.2f}s" for c in slow))


def main() -> None:
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="0,1000,10000,50000")
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument("--skip-live", action="store_true")
    parser.add_argument("--skip-rules", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="techcheck-bench-") as tmp:
        base = Path(tmp)
        if not args.skip_rules:
            rule_scaling([int(s) for s in args.sizes.split(",")], base)
        if not args.skip_memory:
            memory(base)
        if not args.skip_live:
            live()
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(json.dumps({"python": sys.version.split()[0], "benchmark_maxrss_mib": maxrss}))


if __name__ == "__main__":
    main()
