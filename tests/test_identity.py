"""Which computer a report is about, and its local time (issue 14, items 10 and 11): read from disk
copies (real Windows SYSTEM hives, macOS and Linux files), shown in every report, compared by diff;
user names beside Windows SIDs. Every test runs the real CLI."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from techcheck.cli import cli
from tests.conftest import write
from tests.test_cli import linux_image
from tests.winsupport import hivex_plant, put_hive, put_task

ZONEINFO = Path("/usr/share/zoneinfo")
SID = "S-1-5-21-2212929841-2730996645-2649195864-1000"  # the owner of a real Windows 10 task file


def scan_json(root: Path, *extra: str) -> dict:
    res = CliRunner().invoke(cli, ["scan", "--root", str(root), "--format", "json", "--lang", "en", *extra])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def scan_text(root: Path, lang: str = "en") -> str:
    res = CliRunner().invoke(cli, ["scan", "--root", str(root), "--lang", lang])
    assert res.exit_code == 0, res.output
    return res.stdout


def zone_file(name: str) -> bytes:
    path = ZONEINFO / name
    if not path.is_file():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{path} is missing under CI=true (Debian package tzdata)")
        pytest.skip(f"{path} is not here (Debian package tzdata)")
    return path.read_bytes()


def windows_copy(root: Path, system: str) -> Path:
    put_hive(root / "Windows/System32/config/SYSTEM", system)
    (root / "Users/nfury").mkdir(parents=True)
    return root


@pytest.mark.parametrize(("system", "name", "zone", "offset"), [
    ("system10", "DESKTOP-2KGM189", "Pacific Standard Time", {"-08:00", "-07:00"}),
    ("system7", "WKS-WIN732BITA", "Eastern Standard Time", {"-05:00", "-04:00"}),
])
def test_windows_name_and_time_zone_from_real_system_hives(tmp_path: Path, system: str, name: str, zone: str,
                                                           offset: set[str]) -> None:
    root = windows_copy(tmp_path / "win", system)
    report = scan_json(root)
    assert report["computer"]["name"] == name and report["target"]["hostname"] == name
    assert report["evidence_record"]["hostname"] == name
    assert report["local_time"]["zone"] == zone and report["local_time"]["source"] == "scanned"
    assert report["local_time"]["finished"][-6:] in offset
    text = scan_text(root)
    assert f"Computer: {name}." in text
    assert f"{zone})" in text.split("What was checked")[0]  # "Report made: ... UTC (hh:mm Pacific Standard Time)"
    assert "scanned computer's local time (" + zone in " ".join(text.split())


def test_macos_computer_name_local_host_name_and_zone(tmp_path: Path) -> None:
    import plistlib

    root = tmp_path / "mac"
    for folder in ("Applications", "System/Library", "Users/ana", "private/etc", "var/db/timezone/zoneinfo/Europe"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    (root / "Library/Preferences/SystemConfiguration").mkdir(parents=True)
    prefs = {"System": {"System": {"ComputerName": "Ana’s MacBook Air"},
                        "Network": {"HostNames": {"LocalHostName": "Anas-MacBook-Air"}}}}
    (root / "Library/Preferences/SystemConfiguration/preferences.plist").write_bytes(plistlib.dumps(prefs))
    (root / "var/db/timezone/zoneinfo/Europe/Madrid").write_bytes(zone_file("Europe/Madrid"))
    (root / "etc").symlink_to("private/etc")  # as on a Mac: /etc -> private/etc
    (root / "private/etc/localtime").symlink_to("/var/db/timezone/zoneinfo/Europe/Madrid")
    report = scan_json(root)
    assert report["computer"]["name"] == "Ana’s MacBook Air"
    assert report["computer"]["host_name"] == "Anas-MacBook-Air"
    assert report["local_time"]["zone"] == "Europe/Madrid" and report["local_time"]["finished"][-6:] in (
        "+01:00", "+02:00")
    text = " ".join(scan_text(root, "es").split())
    assert "Computadora: Ana’s MacBook Air; nombre en la red Anas-MacBook-Air." in text


def test_linux_hostname_machine_id_and_zone_from_the_copy_not_this_computer(tmp_path: Path) -> None:
    root = linux_image(tmp_path / "img")
    write(root, "etc/machine-id", "0123456789abcdef0123456789abcdef\n")
    write(root, "usr/share/zoneinfo/America/Mexico_City", zone_file("America/Mexico_City"))
    (root / "etc/localtime").symlink_to("../usr/share/zoneinfo/America/Mexico_City")
    report = scan_json(root)
    assert report["computer"] == {"name": "ana-laptop", "host_name": "", "machine_id": "0123456789abcdef" * 2,
                                  "time_zone": "America/Mexico_City", "time_zone_source": "scanned"}
    assert report["local_time"]["finished"].endswith("-06:00")  # Mexico has had no summer time since 2022


def test_unknown_zone_uses_the_checking_computers_and_says_so(tmp_path: Path) -> None:
    root = linux_image(tmp_path / "img")
    report = scan_json(root)
    assert report["local_time"]["source"] == "checking" and report["local_time"]["zone"]
    text = " ".join(scan_text(root).split())
    assert "in the time zone of the computer running this check" in text
    assert "the scanned computer's own time zone could not be read" in text


def test_diff_warns_for_disk_copies_of_two_different_computers(tmp_path: Path) -> None:
    reports = []
    for system in ("system7", "system10"):
        out = tmp_path / f"{system}.json"
        root = windows_copy(tmp_path / system, system)
        res = CliRunner().invoke(cli, ["scan", "--root", str(root), "--format", "json", "--output", str(out)])
        assert res.exit_code == 0
        reports.append(str(out))
    res = CliRunner().invoke(cli, ["diff", *reports, "--lang", "en"])
    assert res.exit_code == 0
    shown = " ".join(res.stdout.split())
    assert "may be from different computers" in shown and "WKS-WIN732BITA" in shown and "DESKTOP-2KGM189" in shown
    res = CliRunner().invoke(cli, ["diff", reports[0], reports[0], "--format", "json"])
    assert json.loads(res.stdout)["same_computer"] is True


def test_diff_tells_linux_copies_apart_by_machine_id_when_the_names_match(tmp_path: Path) -> None:
    reports = []
    for i, machine_id in enumerate(("a" * 32, "b" * 32)):
        root = linux_image(tmp_path / f"img{i}")  # both named ana-laptop
        write(root, "etc/machine-id", machine_id + "\n")
        out = tmp_path / f"r{i}.json"
        assert CliRunner().invoke(cli, ["scan", "--root", str(root), "--format", "json",
                                        "--output", str(out)]).exit_code == 0
        reports.append(str(out))
    res = CliRunner().invoke(cli, ["diff", *reports, "--format", "json"])
    assert json.loads(res.stdout)["same_computer"] is False


def test_windows_sids_have_user_names_beside_them(tmp_path: Path) -> None:
    root = windows_copy(tmp_path / "win", "system10")
    software = put_hive(root / "Windows/System32/config/SOFTWARE", "default")  # a copy of a real hive
    hivex_plant(software, rf"Microsoft\Windows NT\CurrentVersion\ProfileList\{SID}",
                [("ProfileImagePath", "expandstring:%SystemDrive%\\Users\\nfury")])
    hivex_plant(software, r"Microsoft\Windows NT\CurrentVersion\ProfileList\S-1-5-21-1-2-3-1002",
                [("ProfileImagePath", "expandstring:C:\\Users\\gone")])
    # A program with an install date, so a finding carries a time (a remote-access program).
    hivex_plant(software, r"Microsoft\Windows\CurrentVersion\Uninstall\AnyDesk",
                [("DisplayName", "string:AnyDesk"), ("InstallDate", "string:20240301")])
    put_task(root, f"Win10/OneDrive Reporting Task-{SID}")  # a real task owned by that SID
    report = scan_json(root)
    accounts = {a["fields"]["name"]: a["fields"].get("uid") for a in report["inventory"]["items"]
                if a["kind"] == "account"}
    assert accounts.get("nfury") == SID and accounts.get("gone") == "S-1-5-21-1-2-3-1002"
    tasks = [a for a in report["inventory"]["items"] if a["kind"] == "autostart" and "OneDrive" in a["fields"]["name"]]
    assert tasks and tasks[0]["fields"]["run_as"] == f"nfury ({SID})" and tasks[0]["fields"]["user"] == "nfury"
    # Every time shown beside its local time, in the computer's zone (Pacific, from its SYSTEM hive).
    anydesk = next(f for f in report["findings"] if any(e["fields"].get("package") == "AnyDesk" for e in f["evidence"]))
    evidence = next(e for e in anydesk["evidence"] if e["fields"].get("package") == "AnyDesk")
    assert evidence["local_times"]["installed"] == "2024-02-29T16:00:00-08:00"
    text = " ".join(scan_text(root).split())
    assert "2024-03-01 00:00 UTC (2024-02-29 16:00 UTC-08:00)" in text
    assert "(hivexsh)" not in text
