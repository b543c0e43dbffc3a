"""Benchmark: what the shipped feed packs (rules/feeds/) cost a scan. Not a test.

Builds a Windows disk copy with many ordinary program files (Program Files, AppData, Downloads), then
times rule loading, the program-file walk and the matching, once with every shipped rule and once
without the packs. The packs hold many path-pattern conditions (install folders), which the engine
cannot index by an exact value: matching them costs per artifact (issue 18 is about that cost).

    python scripts/bench_feed_pack.py [--files 20000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from techcheck.collectors.common.program_files import ProgramFiles  # noqa: E402
from techcheck.engine import Matcher  # noqa: E402
from techcheck.ruleset import load_rules, rule_files, shipped_rules_dir  # noqa: E402
from techcheck.scan import run_check  # noqa: E402
from techcheck.target import open_image  # noqa: E402

VENDORS = ["Contoso", "Fabrikam", "Northwind", "Adatum", "Litware", "Proseware", "Tailspin", "Wingtip"]


def build(root: Path, files: int) -> None:
    places = ["Program Files", "Program Files (x86)", "Users/ana/AppData/Local", "Users/ana/AppData/Roaming",
              "Users/ana/Downloads"]
    for i in range(files):
        place = places[i % len(places)]
        folder = root / place / f"{VENDORS[i % len(VENDORS)]} App {i // 400}" / f"v{i % 7}" / "bin"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"tool{i}.exe").write_bytes(b"MZ")
    (root / "Windows" / "System32" / "config").mkdir(parents=True, exist_ok=True)


def timed(label: str, fn):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    out = fn()
    print(f"{label}: {time.perf_counter() - start:.2f} s")
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=20_000)
    ap.add_argument("--keep")
    args = ap.parse_args()
    root = Path(args.keep or tempfile.mkdtemp(prefix="bench-feed-pack-"))
    if not (root / "Program Files").exists():
        timed(f"build {args.files} program files", lambda: build(root, args.files))
    target = open_image(str(root), "windows")
    _, arts = timed("walk program folders", lambda: run_check(ProgramFiles, target))
    print(f"  {len(arts)} program files recorded")
    shipped = shipped_rules_dir()
    feeds = shipped / "feeds"
    hand_files = [str(p) for p in rule_files([shipped]) if feeds not in p.parents]
    for label, paths in (("all shipped rules", [str(shipped)]), ("without the feed packs", hand_files)):
        rules = timed(f"load {label}", lambda paths=paths: load_rules(paths))  # type: ignore[misc]
        windows = [r for r in rules.rules if r.applies_to("windows")]
        matcher = Matcher.build(windows)
        scanned = sum(len(v) for v in matcher.scan.values())
        print(f"  {len(windows)} rules for Windows; {scanned} conditions not indexed by an exact value")
        findings = timed(f"match {len(arts)} program files ({label})", lambda m=matcher: m.match(arts))
        print(f"  {len(findings)} findings")


if __name__ == "__main__":
    main()
