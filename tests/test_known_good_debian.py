"""No false alarms on an ordinary Linux computer: a disk copy built from real Debian packages
(tests/debian_tree.py: cups, avahi, bluez, NetworkManager, OpenSSH, unattended-upgrades, sysstat,
anacron, AppArmor, Docker, Flatpak, fwupd, PipeWire, GDM and more, with their real dpkg records and
units enabled as their install scripts do, and a person's ordinary autostart files) gives no
"Needs attention" and no "Worth checking"; the live scan of this machine gives no "Needs attention".

The packages and the built copy are cached (~/.cache/techcheck-test-debs/<key of the list>), so only
the first run needs the network (about 90 MB) and half a minute."""

from __future__ import annotations

import os
from collections import Counter

import pytest

from techcheck.ruleset import load_rules, shipped_rules_dir
from techcheck.scan import ScanResult, run_scan
from techcheck.target import open_image
from tests.debian_tree import PACKAGES, Unavailable, cached_tree

STARTUP_KINDS = ("autostart", "service")


@pytest.fixture(scope="module")
def known_good() -> ScanResult:
    try:
        root, _ = cached_tree()
    except Unavailable as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"the known-good Debian copy could not be built: {exc}")
        pytest.skip(f"the known-good Debian copy could not be built: {exc}")
    return run_scan(open_image(str(root)), load_rules([shipped_rules_dir()]))


def origin_counts(result: ScanResult) -> Counter[str]:
    return Counter(str(a.get("origin") or "not checked") for a in result.artifacts if a.kind in STARTUP_KINDS)


def test_known_good_debian_copy_has_no_alert_and_nothing_worth_checking(known_good: ScanResult) -> None:
    flagged = [(f.rule.id, f.severity, [(a.get("mechanism"), a.get("name"), a.location.path) for a in f.artifacts])
               for f in known_good.findings if f.severity in ("alert", "review")]
    assert flagged == []
    counts = origin_counts(known_good)
    print(f"known-good Debian copy: {sum(counts.values())} start-up entries by origin: {dict(counts)}")
    assert counts["unknown"] == 0 and counts["changed"] == 0 and counts["not checked"] == 0
    assert counts["installed"] >= 100 and counts["system"] >= 20  # the packages' entries were really seen


def test_known_good_copy_covers_the_ordinary_places(known_good: ScanResult) -> None:
    places = Counter(str(a.get("mechanism")) for a in known_good.artifacts if a.kind == "autostart")
    for place in ("systemd", "cron", "sysv_init", "udev_rule", "xdg_autostart", "session_script", "motd",
                  "nm_dispatcher", "systemd_generator"):
        assert places[place] > 0, places
    personal = [a for a in known_good.artifacts if a.kind == "autostart" and a.get("personal")]
    assert {a.get("name") for a in personal} >= {"org.signal.Signal.desktop", "com.discordapp.Discord.desktop"}
    packages = {a.get("package") for a in known_good.artifacts if a.kind == "app"}
    assert {"cups-daemon", "docker.io", "flatpak", "openssh-server"} <= packages and len(packages) == len(PACKAGES)


def test_live_scan_of_this_machine_has_no_alert() -> None:
    from techcheck.target.live import open_live

    if os.uname().sysname != "Linux":
        pytest.skip("the live check runs on the Linux test machine")
    result = run_scan(open_live(), load_rules([shipped_rules_dir()]))
    alerts = [(f.rule.id, [a.get("name") for a in f.artifacts]) for f in result.findings if f.severity == "alert"]
    assert alerts == []
    print(f"live scan: start-up entries by origin: {dict(origin_counts(result))}")
