"""Disk copies for the timeline tests, with known times.

- `windows_remote_copy`: real hives and real task files; planted with hivexsh: AnyDesk in the
  programs list (InstallDate 2026-03-03), a Run entry starting a program from a hidden folder, and
  AnyDesk's connection log with one incoming session (2026-03-04 22:30, as the log writes it, no
  zone). The SYSTEM hive is the real Windows 7 one (its time zone: see test_timeline.py).
- `mac_copy`: every real macOS file from realdata (real TCC.db rows with their own last_modified
  times, real launchd plists), with the file times set to fixed values.

`python -m tests.timeline_copies DIR` builds both into DIR/windows and DIR/macos (to look at them
with the CLI).
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import zoneinfo
from pathlib import Path

from tests.macos_tree import make_tcc_db, realdata_mac, write_plist
from tests.winsupport import BENIGN_TASKS, MALICIOUS_TASKS, hivex_plant, put_hive, put_task

UNINSTALL = r"Software\Microsoft\Windows\CurrentVersion\Uninstall"
RUN = r"Software\Microsoft\Windows\CurrentVersion\Run"
# File times set on planted files: a start-up script changed on 2026-03-04 20:00 UTC.
SCRIPT_MTIME = dt.datetime(2026, 3, 4, 20, 0, tzinfo=dt.timezone.utc)
FILE_MTIME = dt.datetime(2026, 2, 10, 9, 0, tzinfo=dt.timezone.utc)


def set_mtime(path: Path, when: dt.datetime) -> None:
    os.utime(path, (when.timestamp(), when.timestamp()), follow_symlinks=False)


def set_all_mtimes(root: Path, when: dt.datetime) -> None:
    """Every file and folder in the copy gets one fixed modification time (so times are known)."""
    for dirpath, dirnames, filenames in os.walk(root):
        for name in filenames + dirnames:
            set_mtime(Path(dirpath) / name, when)


def windows_remote_copy(root: Path) -> Path:
    put_hive(root / "Windows/System32/config/SYSTEM", "system7")
    put_hive(root / "Users/bperry/NTUSER.DAT", "bperry")
    user = put_hive(root / "Users/ana/NTUSER.DAT", "nfury")
    hivex_plant(user, rf"{UNINSTALL}\AnyDesk", [("DisplayName", "string:AnyDesk"),
                                                ("DisplayVersion", "string:8.0.8"),
                                                ("InstallLocation", r"string:C:\ProgramData\AnyDesk"),
                                                ("InstallDate", "string:20260303")])
    hivex_plant(user, RUN, [("helper", r'string:wscript.exe "C:\Users\ana\AppData\Roaming\.cache\helper.vbs"')])
    cache = root / "Users/ana/AppData/Roaming/.cache"
    cache.mkdir(parents=True)
    (cache / "helper.vbs").write_text('CreateObject("WScript.Shell").Run "cmd /c x", 0\r\n')
    ad = root / "ProgramData/AnyDesk"
    ad.mkdir(parents=True)
    (ad / "AnyDesk.exe").write_bytes(b"MZ" + b"\x00" * 64)
    (ad / "connection_trace.txt").write_text("Incoming    2026-03-04, 22:30    Passwd    987654321    987654321\r\n")
    for task in BENIGN_TASKS + MALICIOUS_TASKS:
        put_task(root, task)
    set_all_mtimes(root, FILE_MTIME)
    set_mtime(cache / "helper.vbs", SCRIPT_MTIME)
    return root


# A hidden app allowed to watch the keyboard (system TCC.db, its own last_modified), and a launch
# agent that starts a program from a hidden folder (its plist changed on AGENT_MTIME).
KEYS_GRANTED = dt.datetime(2026, 3, 2, 19, 45, tzinfo=dt.timezone.utc)
AGENT_MTIME = dt.datetime(2026, 3, 6, 23, 10, tzinfo=dt.timezone.utc)
AGENT_PLIST = "Users/ana/Library/LaunchAgents/com.apple.sysupdate.plist"


def mac_copy(root: Path) -> Path:
    """Every real macOS file from realdata (the real TCC.db in ana's Library), plus a planted hidden
    keyboard-watching app and a launch agent running from a hidden folder."""
    realdata_mac(root)
    write_plist(root, "Applications/Keys.app/Contents/Info.plist",
                {"CFBundleIdentifier": "com.example.keys", "CFBundleName": "Keys", "LSUIElement": True})
    make_tcc_db(root / "Library/Application Support/com.apple.TCC/TCC.db",
                [("kTCCServiceListenEvent", "com.example.keys", 0, 2, 2, int(KEYS_GRANTED.timestamp()))])
    write_plist(root, AGENT_PLIST, {"Label": "com.apple.sysupdate", "RunAtLoad": True,
                                    "ProgramArguments": ["/Users/ana/.local/.agent/sysupdate", "--quiet"]})
    agent = root / "Users/ana/.local/.agent/sysupdate"
    agent.parent.mkdir(parents=True)
    agent.write_bytes(b"\xcf\xfa\xed\xfe" + b"\x00" * 64)
    mac_zone(root, "America/Los_Angeles")
    set_all_mtimes(root, FILE_MTIME)
    set_mtime(root / AGENT_PLIST, AGENT_MTIME)
    return root


def mac_zone(root: Path, name: str) -> None:
    """The time zone as macOS keeps it: /etc/localtime, a link into /var/db/timezone/zoneinfo
    (the zone file is this machine's copy of the tz database file)."""
    zone_file = root / "private/var/db/timezone/zoneinfo" / name
    zone_file.parent.mkdir(parents=True, exist_ok=True)
    source = next((Path(d, name) for d in zoneinfo.TZPATH if Path(d, name).is_file()), None)
    if source is None:
        raise FileNotFoundError(f"no tz database file for {name} on this machine (tzdata)")
    zone_file.write_bytes(source.read_bytes())
    (root / "etc").mkdir(exist_ok=True)
    (root / "etc/localtime").symlink_to(f"/private/var/db/timezone/zoneinfo/{name}")


if __name__ == "__main__":
    out = Path(sys.argv[1])
    print(windows_remote_copy(out / "windows"))
    print(mac_copy(out / "macos"))
