"""Counts of Windows start-up entries and services by origin on the real hives and the known-good copy.

Not a test. Builds disk copies from the real hives in tests/data (each SYSTEM hive with the real user
hives of the same Windows generation and the real task files), scans each, and prints per copy: the
count of entries by origin (system / installed / unknown), the same by place, every entry of unknown
origin, and every "Needs attention" or "Worth checking" finding from the start-up rules. The
known-good copy is the one tests/test_windows_known_good_copy.py builds (needs hivexsh).

    python scripts/windows_origin_counts.py [--quiet]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from techcheck.ruleset import load_rules, shipped_rules_dir  # noqa: E402
from techcheck.scan import ScanResult, run_scan  # noqa: E402
from techcheck.target import open_image  # noqa: E402
from tests.winsupport import BENIGN_TASKS, put_hive, put_task  # noqa: E402

STARTUP_RULES = ("windows.startup.", "windows.autostart.", "windows.hijack.")
# label: (SYSTEM hive, [(user folder, NTUSER hive)], with the real task files (Windows 10 and 11 ones))
COPIES = {
    "Windows 7 (SYSTEM-Win7, nfury, vibranium)":
        ("system7", [("nfury", "nfury"), ("vibranium", "vibranium")], False),
    "Windows 10 1709 (SYSTEM_WIN_10_1709, Default, tony, admin, bperry, tasks)":
        ("system10", [("default", "default"), ("tony", "tony"), ("admin", "wsl"), ("bperry", "bperry")], True),
    "Windows 8/10 (SYSTEM_2)": ("system8", [], False),
    "Windows 10 (SYSTEM_B)": ("system10b", [], False),
    # The real UsrClass.dat of user jcloudy; its own NTUSER.DAT is not public, so a copy of the real Default
    # one stands beside it (without jcloudy's programs list, OneDrive's add-on has no known origin).
    "Windows 10 1709 SYSTEM, user jcloudy (real UsrClass.dat, Default NTUSER.DAT)":
        ("system10", [("jcloudy", "default")], False),
}


def real_copy(root: Path, system: str, users: list[tuple[str, str]], tasks: bool) -> Path:
    put_hive(root / "Windows/System32/config/SYSTEM", system)
    for user, hive in users:
        put_hive(root / f"Users/{user}/NTUSER.DAT", hive)
        if user == "jcloudy":
            put_hive(root / f"Users/{user}/AppData/Local/Microsoft/Windows/UsrClass.dat", "usrclass")
    for task in BENIGN_TASKS if tasks else []:
        put_task(root, task)
    return root


def show(label: str, result: ScanResult, quiet: bool) -> None:
    entries = [a for a in result.artifacts if a.kind in ("autostart", "service")]
    counts = Counter(str(a.fields.get("origin")) for a in entries)
    print(f"{label}: {len(entries)} entries: " + ", ".join(f"{k} {counts[k]}" for k in ("system", "installed",
                                                                                         "unknown")))
    if not quiet:
        places = Counter((str(a.fields.get("mechanism") or a.kind), str(a.fields.get("origin"))) for a in entries)
        for (place, origin), n in sorted(places.items()):
            print(f"    {place:22} {origin:10} {n}")
    for a in entries:
        if a.fields.get("origin") == "unknown":
            state = "on" if a.fields.get("enabled") else "off"
            print(f"    unknown: {a.fields.get('mechanism') or a.kind} {a.fields.get('name')!r} "
                  f"{a.fields.get('exe')} ({state})")
    for finding in result.findings:
        for rule, arts in ((finding.rule, finding.artifacts), *finding.also):
            if rule.id.startswith(STARTUP_RULES) and rule.severity in ("alert", "review"):
                print(f"    finding {rule.severity}: {rule.id}: {[a.fields.get('name') for a in arts]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quiet", action="store_true", help="totals, unknown entries and findings only")
    args = parser.parse_args()
    rules = load_rules([shipped_rules_dir()])
    with tempfile.TemporaryDirectory() as tmp:
        for n, (label, (system, users, tasks)) in enumerate(COPIES.items()):
            root = real_copy(Path(tmp) / f"copy{n}", system, users, tasks)
            show(label, run_scan(open_image(str(root)), rules), args.quiet)
        from tests.test_windows_known_good_copy import known_good

        show("Known-good copy (tests/test_windows_known_good_copy.py)", known_good(Path(tmp) / "good"), args.quiet)


if __name__ == "__main__":
    main()
