"""Whole-scan tests on macOS images: the realdata image raises no alert; planted items are found;
broken files become notes and the scan goes on; random bytes never crash a parser."""

from __future__ import annotations

import contextlib
import json
import plistlib
from pathlib import Path

from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from techcheck.cli import cli
from techcheck.collectors.macos.apps import parse_info_plist
from techcheck.collectors.macos.launchd import parse_launch_job
from techcheck.collectors.macos.loginitems import (
    ArchiveError,
    alias_path,
    bookmark_path,
    parse_agent_btm,
    parse_btm,
    parse_legacy_loginitems,
    parse_sfl2,
)
from techcheck.collectors.macos.plists import PlistError
from techcheck.collectors.macos.profiles import DerError, parse_profile
from techcheck.ruleset import load_rules, shipped_rules_dir
from techcheck.scan import ScanResult, run_scan
from techcheck.target.image import open_image
from tests.conftest import write
from tests.macos_tree import make_tcc_db, realdata_mac, write_plist

MAC_CHECKS = {"macos.apps", "macos.launchd", "macos.login_items", "macos.privacy", "macos.profiles", "macos.sharing"}


def scan(root: Path) -> ScanResult:
    target = open_image(str(root))
    assert target.os == "macos"
    return run_scan(target, load_rules([shipped_rules_dir()]))


def found(result: ScanResult) -> set[tuple[str, str]]:
    # Every rule that matched, the merged ones too (one finding per problem, its rules as reasons).
    return {(rule.id, a.location.path) for f in result.findings
            for rule, arts in ((f.rule, f.artifacts), *f.also) for a in arts}


def test_realdata_image_raises_no_alert_and_every_check_runs(tmp_path: Path) -> None:
    result = scan(realdata_mac(tmp_path / "img"))
    checks = {c.name: c for c in result.checks}
    assert set(checks) >= MAC_CHECKS
    for name in MAC_CHECKS:
        assert checks[name].status == "ok", (name, checks[name].reason)
    notes = [(c.name, n.path) for c in result.checks for n in c.notes if c.name in MAC_CHECKS]
    assert notes == [("macos.sharing", "Find My Mac")]  # nothing else these checks read was unreadable
    assert [f.rule.id for f in result.findings if f.rule.severity == "alert"] == []
    # Exactly these macOS findings (other rule sets may add their own, never an alert).
    assert {(r, p) for r, p in found(result) if r.startswith("macos.")} == {
        ("macos.profile.network-settings", "/Users/ana/Downloads/cloudflare-default-https.signed.mobileconfig"),
        ("macos.profile.privacy-grants",
         "/Users/ana/Downloads/tcc.configuration-profile-policy.santa.example.mobileconfig"),
    }
    counts = {c.name: c.artifact_count for c in result.checks if c.name in MAC_CHECKS}
    # 5 launchd jobs + 1 Apple one; 1 login item; 4 apps (Autoupdate, and the Santa, Managed Software
    # Center and iTunes apps the real jobs and login item run); 21 TCC rows; 3 profiles + 3 PPPC
    # grants; 4 sharing settings (all off).
    assert counts == {"macos.launchd": 6, "macos.login_items": 1, "macos.apps": 4, "macos.privacy": 21,
                      "macos.profiles": 6, "macos.sharing": 4}


def plant(root: Path) -> Path:
    """A stalker's set-up: an Apple-looking agent in a hidden folder, Screen Sharing on, a hidden app
    with Input Monitoring, a root certificate profile, and someone else's Apple Account."""
    write_plist(root, "Users/ana/Library/LaunchAgents/com.apple.softwareupdate.agent.plist", {
        "Label": "com.apple.softwareupdate.agent", "RunAtLoad": True,
        "ProgramArguments": ["/Users/ana/Library/.hidden/upd", "--quiet"]})
    write_plist(root, "private/var/db/com.apple.xpc.launchd/disabled.plist", {"com.apple.screensharing": False})
    write_plist(root, "Applications/Helper.app/Contents/Info.plist",
                {"CFBundleIdentifier": "com.example.helper", "CFBundleName": "Helper", "LSUIElement": "1"})
    make_tcc_db(root / "Library/Application Support/com.apple.TCC/TCC.db",
                [("kTCCServiceListenEvent", "com.example.helper", 0, 2, 2, 1700000000)])
    write_plist(root, "private/var/db/ConfigurationProfiles/Store/ConfigProfiles.binary", {"_computerlevel": [{
        "PayloadIdentifier": "com.example.trust", "PayloadDisplayName": "Trust", "PayloadContent": [
            {"PayloadType": "com.apple.security.root", "PayloadContent": b"\x30\x00"}]}]}, binary=True)
    write_plist(root, "Users/ana/Library/Preferences/MobileMeAccounts.plist", {"Accounts": [{
        "AccountID": "someone@example.com", "DisplayName": "Someone", "LoggedIn": True,
        "Services": [{"Name": "FIND_MY_MAC", "Enabled": True}]}]})
    return root


def test_planted_items_are_found(tmp_path: Path) -> None:
    result = scan(plant(realdata_mac(tmp_path / "img")))
    got = found(result)
    agent = "/Users/ana/Library/LaunchAgents/com.apple.softwareupdate.agent.plist"
    assert ("common.startup.posing-as-system", agent) in got
    assert ("macos.startup.odd-folder", agent) in got
    assert ("macos.sharing.screen-sharing", "/private/var/db/com.apple.xpc.launchd/disabled.plist") in got
    assert ("macos.privacy.hidden-app-watching", "/Library/Application Support/com.apple.TCC/TCC.db") in got
    store = "/private/var/db/ConfigurationProfiles/Store/ConfigProfiles.binary"
    assert ("macos.profile.root-certificate", store) in got
    assert ("macos.account.apple-id", "/Users/ana/Library/Preferences/MobileMeAccounts.plist") in got
    # The broken certificate in the planted profile is a note, not a crash.
    notes = [n for c in result.checks for n in c.notes if n.path == store]
    assert notes and "could not decode part of profile com.example.trust" in notes[0].message
    assert all(c.status == "ok" for c in result.checks if c.name in MAC_CHECKS)


def test_broken_files_give_notes_and_the_scan_goes_on(tmp_path: Path) -> None:
    root = realdata_mac(tmp_path / "img")
    write(root, "Library/LaunchAgents/com.example.broken.plist", "<plist><dict><key>Label</key>")
    write(root, "Library/Application Support/com.apple.TCC/TCC.db", b"SQLite format 3\x00 not really")
    write(root, "Users/ana/Downloads/mangled.mobileconfig", b"\x30\x80\x06\x03\x2a\x03")
    write(root, "Applications/Bad.app/Contents/Info.plist", b"bplist00\x00\x00")
    result = scan(root)
    noted = {(c.name, n.path) for c in result.checks for n in c.notes}
    assert {("macos.launchd", "/Library/LaunchAgents/com.example.broken.plist"),
            ("macos.privacy", "/Library/Application Support/com.apple.TCC/TCC.db"),
            ("macos.profiles", "/Users/ana/Downloads/mangled.mobileconfig"),
            ("macos.apps", "/Applications/Bad.app/Contents/Info.plist")} <= noted
    assert all(c.status == "ok" for c in result.checks if c.name in MAC_CHECKS)
    counts = {c.name: c.artifact_count for c in result.checks}
    assert counts["macos.launchd"] == 6 and counts["macos.privacy"] == 21  # the good files were still read


def test_cli_json_on_a_macos_image(tmp_path: Path) -> None:
    root = realdata_mac(tmp_path / "img")
    out = tmp_path / "r.json"
    res = CliRunner().invoke(cli, ["scan", "--root", str(root), "--format", "json", "--output", str(out),
                                   "--lang", "es", "--no-progress", "--fail-on", "alert"])
    assert res.exit_code == 0, res.output
    report = json.loads(out.read_text())
    assert report["target"]["os"] == "macos" and report["target"]["mode"] == "image"
    assert all(f["severity"] != "alert" for f in report["findings"])
    ids = sorted(f["rule_id"] for f in report["findings"] if f["rule_id"].startswith("macos."))
    assert ids == ["macos.profile.network-settings", "macos.profile.privacy-grants"]
    dns = next(f for f in report["findings"] if f["rule_id"] == "macos.profile.network-settings")
    assert dns["severity"] == "review" and "perfil" in dns["title"].lower()
    assert dns["evidence"][0]["fields"]["signer"] == "encrypted-dns.brunch.io"


# --- robustness: parsers meet random and mutated input ------------------------------------------

REAL_PLIST = plistlib.dumps({"Label": "x", "ProgramArguments": ["/bin/x"], "RunAtLoad": True},
                            fmt=plistlib.FMT_BINARY)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.binary(max_size=300), st.integers(min_value=0, max_value=len(REAL_PLIST)))
def test_parsers_never_crash(noise: bytes, cut: int) -> None:
    for data in (noise, REAL_PLIST[:cut] + noise, b"\x30\x82" + noise, b"bplist00" + noise):
        for parser in (parse_launch_job, parse_info_plist, parse_legacy_loginitems, parse_btm, parse_profile,
                       parse_sfl2, parse_agent_btm):
            with contextlib.suppress(PlistError, ArchiveError, DerError):
                parser(data)  # any other exception fails the test
        assert isinstance(alias_path(data), str)
        assert isinstance(bookmark_path(b"book" + data), str)


def test_live_target_configuration_reads_the_same_files(tmp_path: Path) -> None:
    """On a Mac, `techcheck scan` uses LiveTarget(os="macos", root="/", case_insensitive=False).
    There is no Mac here, so the same target class and settings are pointed at the realdata tree:
    every macOS collector must find exactly what the image scan finds."""
    from techcheck.collectors.base import collectors_for
    from techcheck.scan import run_check
    from techcheck.target.live import LiveTarget

    root = realdata_mac(tmp_path / "img")
    live = LiveTarget(mode="live", os="macos", root=str(root), case_insensitive=False)
    image = open_image(str(root))
    for collector in collectors_for("macos"):
        if collector.name not in MAC_CHECKS:
            continue
        live_result, live_arts = run_check(collector, live)
        image_result, image_arts = run_check(collector, image)
        assert live_result.status == image_result.status == "ok", collector.name
        assert sorted(a.sort_key() for a in live_arts) == sorted(a.sort_key() for a in image_arts), collector.name
        assert live_arts, collector.name
