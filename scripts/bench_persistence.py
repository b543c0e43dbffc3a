"""Benchmark: the extra time of the start-up checks (issue 10) on the test disk copies and the live system.

Not a test. For each target it times, in-process:
  - the whole scan (collectors + rules), best of --repeat runs;
  - the part spent on the new facts: building the package-origin index (dpkg lists, rpm database)
    and analysing commands and scripts (origin look-ups, checksums, behaviour), measured by running
    the Linux collectors once with the facts switched off (the facts helper returns nothing) and
    once with them on;
  - the collectors added for the new start-up places (SysV, script folders, udev, PAM, kernel modules).
Targets: the known-good Debian copy (tests/debian_tree.py, built or taken from its cache), the
planted copy of tests/test_linux_startup_places.py, and the live system. The live scan must stay
under 1.5 s.

    python scripts/bench_persistence.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from techcheck.collectors import base as collector_base  # noqa: E402
from techcheck.collectors.base import Context  # noqa: E402
from techcheck.collectors.linux import origin as origin_module  # noqa: E402
from techcheck.ruleset import load_rules, shipped_rules_dir  # noqa: E402
from techcheck.scan import run_scan  # noqa: E402
from techcheck.target import open_image  # noqa: E402
from techcheck.target.base import Target  # noqa: E402
from techcheck.target.live import open_live  # noqa: E402

NEW_COLLECTORS = ("linux.sysv_init", "linux.script_folders", "linux.udev", "linux.pam", "linux.kernel_modules")


def best(repeat: int, fn: Callable[[], Any]) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def no_facts(*_args: Any, **_kwargs: Any) -> dict[str, Any]:
    return {}


def linux_collectors(target_factory: Callable[[], Target], skip_new: bool) -> Callable[[], None]:
    def run() -> None:
        target = target_factory()
        for collector in collector_base.collectors_for("linux"):
            if not collector.name.startswith("linux."):
                continue  # browsers and live network checks vary run to run and are not part of this
            if collector.live_only and target.mode == "image":
                continue
            if skip_new and collector.name in NEW_COLLECTORS:
                continue
            list(collector().collect(target, Context()))
    return run


def measure(label: str, target_factory: Callable[[], Target], repeat: int) -> None:
    rules = load_rules([shipped_rules_dir()])
    scan = best(repeat, lambda: run_scan(target_factory(), rules))
    index = best(repeat, lambda: origin_module.linux_origins(target_factory(), Context()))
    with_all = best(repeat, linux_collectors(target_factory, skip_new=False))
    without_new = best(repeat, linux_collectors(target_factory, skip_new=True))
    patches = [mock.patch(f"techcheck.collectors.linux.{m}.{f}", no_facts)
               for m in ("systemd", "cron", "xdg", "shell", "preload", "ssh", "hooks")
               for f in ("entry_facts", "file_facts") if hasattr(__import__(f"techcheck.collectors.linux.{m}",
                                                                              fromlist=[f]), f)]
    for p in patches:
        p.start()
    try:
        bare = best(repeat, linux_collectors(target_factory, skip_new=True))
    finally:
        for p in patches:
            p.stop()
    print(f"{label}:")
    print(f"  whole scan (collectors + rules)            {scan:6.3f} s")
    print(f"  Linux collectors (linux.*), all            {with_all:6.3f} s")
    print(f"  extra for origin + behaviour facts         {without_new - bare:6.3f} s"
          f"  (of which the package index {index:.3f} s)")
    print(f"  extra for the new start-up places          {with_all - without_new:6.3f} s")
    print(f"  extra in all                               {with_all - bare:6.3f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    from tests.debian_tree import cached_tree

    root, counts = cached_tree()
    measure(f"known-good Debian copy ({counts['packages']} real packages)", lambda: open_image(str(root)),
            args.repeat)
    with tempfile.TemporaryDirectory() as tmp:
        from tests.conftest import write
        from tests.test_linux_startup_places import PASSWD, packaged, planted

        planted_root = Path(tmp) / "planted"
        write(planted_root, "etc/passwd", PASSWD)
        packaged(planted_root)
        planted(planted_root)
        measure("planted copy (every Linux start-up place)", lambda: open_image(str(planted_root)), args.repeat)
    measure("live system", open_live, args.repeat)
    rules = load_rules([shipped_rules_dir()])
    live = best(args.repeat, lambda: run_scan(open_live(), rules))
    print(f"live scan: {live:.3f} s (limit 1.5 s): {'ok' if live < 1.5 else 'TOO SLOW'}")


if __name__ == "__main__":
    main()
