"""Origin on the real SYSTEM hives: Windows' own entries are "system", drivers and print monitors from
other makers' driver packages are "installed" (named by the package), and nothing of theirs is left
"unknown" or raises a start-up finding. Planted copies (hivexsh) check that the same facts do not
vouch for entries elsewhere."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from techcheck.artifacts import Artifact
from techcheck.ruleset import load_rules, shipped_rules_dir
from techcheck.scan import ScanResult, run_scan
from techcheck.target import open_image
from tests.winsupport import hivex_plant, put_hive

RULES = load_rules([shipped_rules_dir()])
STARTUP_RULES = ("windows.startup.", "windows.autostart.", "windows.hijack.")


def scan_system(root: Path, hive: str) -> ScanResult:
    put_hive(root / "Windows/System32/config/SYSTEM", hive)
    return run_scan(open_image(str(root)), RULES)


def entries(result: ScanResult) -> list[Artifact]:
    return [a for a in result.artifacts if a.kind in ("autostart", "service")]


def startup_findings(result: ScanResult) -> list[tuple[str, str, object]]:
    return [(rule.severity, rule.id, a.fields.get("name")) for f in result.findings
            for rule, arts in ((f.rule, f.artifacts), *f.also) if rule.id.startswith(STARTUP_RULES) for a in arts]


@pytest.mark.parametrize("hive", ["system7", "system8", "system10", "system10b"])
def test_real_system_hives_leave_nothing_switched_on_unknown(tmp_path: Path, hive: str) -> None:
    result = scan_system(tmp_path, hive)
    assert startup_findings(result) == []
    unknown = [a.fields["name"] for a in entries(result) if a.fields["origin"] == "unknown" and a.fields["enabled"]]
    assert unknown == []
    counts = Counter(a.fields["origin"] for a in entries(result))
    assert counts["system"] > 400


def test_driver_packages_name_other_makers_drivers(tmp_path: Path) -> None:
    result = scan_system(tmp_path / "b", "system10b")
    by_name = {a.fields["name"]: a.fields for a in entries(result)}
    # Owners = oem3.inf, a package the driver database lists, program in System32\drivers
    assert (by_name["ApfiltrService"]["origin"], by_name["ApfiltrService"]["origin_name"]) == (
        "installed", "Alps driver package (Apfiltr.inf)")
    # Owners = oem8.inf, a package no longer in the driver database (replaced): Windows' own file and
    # name (its display name comes from Windows' bth.inf), so the stale owner tells nothing.
    assert by_name["BTHUSB"]["origin"] == "system"
    # Windows' own: IPP print monitor, Defender's update driver, a Windows driver also owned by an oem INF
    assert by_name["IppMon"]["origin"] == "system"
    assert by_name["MpKslb17392d7"]["origin"] == "system"
    assert by_name["Tcpip"]["origin"] == "system"
    ten = {a.fields["name"]: a.fields for a in entries(scan_system(tmp_path / "10", "system10"))}
    assert (ten["vmci"]["origin"], ten["vmci"]["origin_name"]) == (
        "installed", "VMware, Inc. driver package (vmci.inf)")
    assert ten["i8042prt"]["origin"] == "system"  # Owners: oem6.inf and Windows' keyboard.inf


def test_driver_facts_do_not_vouch_for_entries_elsewhere(tmp_path: Path) -> None:
    root = tmp_path / "img"
    system = put_hive(root / "Windows/System32/config/SYSTEM", "system7")
    control = r"ControlSet001\Control"
    # Named after the installed printer maker, but the DLL is not in System32: not vouched for.
    hivex_plant(system, rf"{control}\Print\Monitors\ThinPrint Helper", [("Driver", r"string:C:\Users\Public\tp.dll")])
    # A name unrelated to any printer maker, DLL in System32: unknown.
    hivex_plant(system, rf"{control}\Print\Monitors\Print Helper", [("Driver", "string:prnhlp.dll")])
    # A DLL the ThinPrint printer driver names among its files: from that package.
    hivex_plant(system, rf"{control}\Print\Monitors\TP Port", [("Driver", "string:TPPrnUI.dll")])
    result = run_scan(open_image(str(root)), RULES)
    monitors = {a.fields["name"]: (a.fields["origin"], a.fields.get("origin_name")) for a in entries(result)
                if a.fields.get("mechanism") == "print_monitor"}
    assert monitors["ThinPrint Helper"] == ("unknown", None)
    assert monitors["Print Helper"] == ("unknown", None)
    thinprint = ("installed", "ThinPrint printer driver (oemprint.inf)")
    assert monitors["TP Port"] == thinprint
    assert monitors["ThinPrint Print Port Monitor for VMWare"] == thinprint
    severities = {name: sev for sev, _rule, name in startup_findings(result)}
    assert severities == {"ThinPrint Helper": "review", "Print Helper": "review"}


def test_owners_of_a_service_in_a_user_folder_do_not_make_it_installed(tmp_path: Path) -> None:
    root = tmp_path / "img"
    system = put_hive(root / "Windows/System32/config/SYSTEM", "system10")
    hivex_plant(system, r"ControlSet001\Services\vmhelper",
                [("ImagePath", r"string:C:\Users\Public\vmhelper.exe"), ("Start", "dword:0x2"), ("Type", "dword:0x10"),
                 ("Owners", "hex:7:" + ",".join(f"{b:02x}" for b in "oem2.inf\x00\x00".encode("utf-16-le")))])
    result = run_scan(open_image(str(root)), RULES)
    helper = next(a for a in entries(result) if a.fields["name"] == "vmhelper")
    assert helper.fields["origin"] == "unknown"
    assert ("review", "windows.startup.unknown-origin", "vmhelper") in startup_findings(result)
