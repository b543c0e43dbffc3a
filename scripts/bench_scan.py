"""Benchmark: scan a synthetic Linux disk copy with 10,000 start-up entries against 20,000 indicators.

Not a test. Builds, in a temporary folder:
  - a Linux image with systemd units (half of them enabled), cron lines and XDG autostart files,
    10,000 entries in all, plus a dpkg status with 2,000 packages;
  - a rules folder whose rules hold 20,000 exact-value indicators (exe_name, package, name),
then runs the scan in-process (rules loaded from disk, collectors, matching) and prints the wall
time and peak memory (tracemalloc's peak of Python allocations, and the process's max RSS).
Targets: under 5 s and under 300 MB.

    python scripts/bench_scan.py [--entries 10000] [--indicators 20000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from techcheck.ruleset import load_rules, shipped_rules_dir
from techcheck.scan import run_scan
from techcheck.target import open_image

RULE_TEMPLATE = """\
- id: bench.rule-{i:05d}
  severity: review
  category: indicator
  platforms: [linux]
  text:
    en:
      title: Bench rule {i}
      what: A made-up rule for the benchmark.
      why: It tests how fast matching is.
      actions: [Nothing to do.]
      normal: Always.
  match:
    - kind: autostart
      exe_name: [{exe_names}]
    - kind: app
      package: [{packages}]
    - kind: autostart
      name: [{names}]
  references: [https://example.org/bench]
"""


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def build_image(root: Path, entries: int) -> None:
    write(root / "etc/passwd", "root:x:0:0:root:/root:/bin/bash\nana:x:1000:1000::/home/ana:/bin/bash\n")
    (root / "root").mkdir(parents=True, exist_ok=True)
    units, crons = entries * 4 // 10, entries * 3 // 10
    xdg = entries - units - crons
    unit_dir = root / "usr/lib/systemd/system"
    wants = root / "etc/systemd/system/multi-user.target.wants"
    wants.mkdir(parents=True)
    for i in range(units):
        name = f"bench-{i:05d}.service"
        write(unit_dir / name, f"[Unit]\nDescription=Bench service {i}\n[Service]\n"
                               f"ExecStart=/usr/bin/benchd-{i} --id {i}\nUser=nobody\n"
                               "[Install]\nWantedBy=multi-user.target\n")
        if i % 2 == 0:
            os.symlink(f"/usr/lib/systemd/system/{name}", wants / name)
    per_file = 100
    for f in range(0, crons, per_file):
        lines = [f"*/5 * * * * root /usr/local/bin/job-{j} --quiet" for j in range(f, min(f + per_file, crons))]
        write(root / f"etc/cron.d/bench{f // per_file:04d}", "SHELL=/bin/sh\n" + "\n".join(lines) + "\n")
    for i in range(xdg):
        folder = "etc/xdg/autostart" if i % 2 else "home/ana/.config/autostart"
        write(root / folder / f"bench-{i:05d}.desktop",
              f"[Desktop Entry]\nType=Application\nName=Bench {i}\nExec=/usr/bin/tray-{i} --hidden %U\n")
    status = "".join(f"Package: pkg-{i}\nStatus: install ok installed\nVersion: 1.{i}\n\n" for i in range(2000))
    write(root / "var/lib/dpkg/status", status)


def build_rules(folder: Path, indicators: int) -> int:
    per_rule = 100  # values per rule, spread over three exact fields
    rules = indicators // per_rule
    chunks = []
    for i in range(rules):
        base = i * per_rule
        exe_names = ", ".join(f"evil-{base + j}" for j in range(40))
        packages = ", ".join(f"badpkg-{base + j}" for j in range(40, 80))
        names = ", ".join(f"bad-{base + j}.service" for j in range(80, 100))
        chunks.append(RULE_TEMPLATE.format(i=i, exe_names=exe_names, packages=packages, names=names))
    # A few real hits so the matcher has something to report.
    chunks.append(RULE_TEMPLATE.format(i=rules, exe_names="benchd-7, tray-9", packages="pkg-11",
                                       names="bench-00002.service"))
    for n in range(0, len(chunks), 50):
        write(folder / f"bench-{n // 50:03d}.yaml", "".join(chunks[n:n + 50]))
    return rules * per_rule + 4


def run_once(image: Path, rules_dir: Path) -> tuple[float, float, int, int]:
    start = time.perf_counter()
    ruleset = load_rules([shipped_rules_dir(), rules_dir])
    loaded = time.perf_counter()
    result = run_scan(open_image(str(image)), ruleset)
    done = time.perf_counter()
    return loaded - start, done - loaded, len(result.artifacts), len(result.findings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--indicators", type=int, default=20_000)
    parser.add_argument("--keep", help="build in this folder and keep it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="techcheck-bench-") as tmp:
        base = Path(args.keep or tmp)
        image, rules_dir = base / "image", base / "rules"
        t0 = time.perf_counter()
        build_image(image, args.entries)
        count = build_rules(rules_dir, args.indicators)
        print(f"built image ({args.entries} start-up entries) and {count} indicators "
              f"in {time.perf_counter() - t0:.1f} s")

        load_s, scan_s, artifacts, findings = run_once(image, rules_dir)
        total = load_s + scan_s
        print(f"run 1 (plain):       rules {load_s:.2f} s + scan {scan_s:.2f} s = {total:.2f} s wall; "
              f"{artifacts} artifacts, {findings} findings")
        tracemalloc.start()
        run_once(image, rules_dir)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        maxrss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
        print(f"run 2 (tracemalloc): peak Python allocations {peak / 2**20:.0f} MiB")
        print(f"process max RSS:     {maxrss_kib / 1024:.0f} MiB")
        ok = total < 5.0 and maxrss_kib / 1024 < 300
        print("targets (< 5 s, < 300 MB):", "met" if ok else "NOT met")
        sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
