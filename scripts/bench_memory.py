"""Benchmark: peak memory of a scan of a Windows disk copy made of huge (sparse) files.

Not a test (tests/test_hostile_inputs.py runs it small). Builds, in a temporary folder, a Windows
disk copy with USERS user folders, each with an NTUSER.DAT that is a real hive padded (sparsely,
with zeros) to SIZE MiB; the first HISTORY users also have a Chrome History database padded the same
way. Then scans it in this process with a read budget of BUDGET MiB and prints the peak memory
(the process's peak resident memory: /proc VmHWM, else resource.getrusage), the time, and the notes about the big files.
Issue 13's target: under 800 MB for six 511 MiB NTUSER.DAT and four 511 MiB History files.

    python scripts/bench_memory.py [--users 6] [--history 4] [--size 511] [--budget 512] [--json]
"""

from __future__ import annotations

import argparse
import json
import lzma
import os
import resource
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
HIVE = REPO / "tests/data/realdata/windows/registry/NTUSER-WIN7-nfury.DAT"
HISTORY = "AppData/Local/Google/Chrome/User Data/Default/History"


def padded(path: Path, data: bytes, size_mib: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    os.truncate(path, size_mib * 1024 * 1024)  # sparse: costs no disk


def history_bytes(folder: Path) -> bytes:
    db = folder / "History.src"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE urls (id INTEGER PRIMARY KEY, url TEXT, title TEXT, visit_count INTEGER, "
                 "typed_count INTEGER, last_visit_time INTEGER, hidden INTEGER)")
    conn.execute("CREATE TABLE visits (id INTEGER PRIMARY KEY, url INTEGER, visit_time INTEGER)")
    conn.execute("CREATE TABLE downloads (id INTEGER PRIMARY KEY, target_path TEXT, tab_url TEXT, "
                 "start_time INTEGER)")
    conn.execute("CREATE TABLE downloads_url_chains (id INTEGER, chain_index INTEGER, url TEXT)")
    conn.execute("INSERT INTO urls VALUES (1, 'https://example.org/', 'E', 1, 0, 13300000000000000, 0)")
    conn.commit()
    conn.close()
    data = db.read_bytes()
    db.unlink()
    return data


def peak_rss_mib() -> int:
    """This process's peak resident memory. /proc's VmHWM starts afresh in a new program; getrusage's
    ru_maxrss keeps the parent's peak across fork and exec (a test runner's, when run from a test)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def build(root: Path, users: int, histories: int, size: int) -> None:
    (root / "Windows/System32/config").mkdir(parents=True)
    hive = HIVE.read_bytes()
    hive = lzma.decompress(hive) if HIVE.suffix == ".xz" else hive
    history = history_bytes(root)
    for i in range(users):
        home = root / "Users" / f"user{i + 1}"
        padded(home / "NTUSER.DAT", hive, size)
        if i < histories:
            padded(home / HISTORY, history, size)
            (home / HISTORY).with_name("Preferences").write_text("{}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=6)
    parser.add_argument("--history", type=int, default=4)
    parser.add_argument("--size", type=int, default=511, help="MiB per big file")
    parser.add_argument("--budget", type=int, default=512, help="read budget in MiB")
    parser.add_argument("--json", action="store_true", help="print one JSON line (for the test)")
    args = parser.parse_args()
    sys.path.insert(0, str(REPO))
    from techcheck.ruleset import load_rules, shipped_rules_dir
    from techcheck.scan import run_scan
    from techcheck.target import open_image
    from techcheck.target.budget import ReadBudget

    rules = load_rules([shipped_rules_dir()])
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "img"
        build(root, args.users, args.history, args.size)
        before = peak_rss_mib()
        target = open_image(str(root))
        target.budget = ReadBudget(args.budget * 1024 * 1024)
        start = time.monotonic()
        result = run_scan(target, rules)
        seconds = time.monotonic() - start
    peak = peak_rss_mib()
    users = {a.get("user") for a in result.artifacts if a.kind == "web_visit"}
    report = {
        "peak_rss_mib": peak, "rss_before_scan_mib": before,
        "seconds": round(seconds, 1), "budget_peak_mib": round(target.budget.peak / (1024 * 1024)),
        "budget_held_after_mib": round(target.budget.held / (1024 * 1024)),
        "failed": [c.name for c in result.checks if c.status == "failed"],
        "history_users_read": len(users),
        "hives_read": sorted({a.get("user") for a in result.artifacts if a.get("user")}),
        "notes": sorted({n.message for c in result.checks for n in c.notes
                         if "budget" in n.message or "write-ahead" in n.message}),
    }
    if args.json:
        print(json.dumps(report))
    else:
        for key, value in report.items():
            print(f"{key}: {value}")


if __name__ == "__main__":
    main()
