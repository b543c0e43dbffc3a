"""A known-good Windows disk copy: ordinary software's Run values, services, tasks and Startup shortcuts,
written into copies of real hives with the vendors' real names and install folders, gives no "Needs
attention" and no "Worth checking" from the start-up rules. Shell extensions: 7-Zip's and Windows'
"Open With" (machine, written as 7-Zip's installer writes them; see tests/test_windows_shell_extensions.py)
and OneDrive's per-user one in a real UsrClass.dat, with OneDrive's programs-list entry.

Where each program installs (vendor pages):
OneDrive https://learn.microsoft.com/en-us/sharepoint/per-machine-installation
(per-user default %LOCALAPPDATA%\\Microsoft\\OneDrive);
Zoom https://support.zoom.com/hc/en/article?id=zm_kb&sysparm_article=KB0060407
(%APPDATA%\\Zoom\\bin);
1Password https://support.1password.com/cs/install-1password-windows/ (%LOCALAPPDATA%\\1Password);
Dropbox https://help.dropbox.com/installs/system-requirements (Program Files (x86)\\Dropbox\\Client);
Google Drive https://support.google.com/a/answer/7491144 (Program Files\\Google\\Drive File Stream);
KeePass https://keepass.info/help/v2/setup.html (Program Files\\KeePass Password Safe 2);
Edge Update / Google Update tasks and services: the real task files in tests/data/realdata and the real
Win10 SYSTEM hive (gupdate, GoogleChromeElevationService); Realtek and NVIDIA helpers run from the
DriverStore (https://learn.microsoft.com/en-us/windows-hardware/drivers/install/driver-store);
Office Click-to-Run https://learn.microsoft.com/en-us/microsoft-365-apps/deploy/overview-of-the-office-2016-deployment-tools.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from techcheck.ruleset import load_rules, shipped_rules_dir
from techcheck.scan import ScanResult, run_scan
from techcheck.target import open_image
from tests.test_windows_shell_extensions import onedrive_user, ordinary_machine
from tests.winsupport import BENIGN_TASKS, hivex_plant, put_hive, put_task, shell_link

CV = r"Microsoft\Windows\CurrentVersion"
HOME = r"C:\Users\ana"
MACHINE_RUN = [
    ("SecurityHealth", r"expandstring:%windir%\system32\SecurityHealthSystray.exe"),
    ("RtkAudUService", r'string:"C:\Windows\System32\DriverStore\FileRepository\realtekservice.inf_amd64_'
                       r'7d2e5b5c0e6c3f1a\RtkAudUService64.exe" -background'),
    ("KeePass 2 PreLoad", r'string:"C:\Program Files\KeePass Password Safe 2\KeePass.exe" --preload'),
    ("GoogleDriveFS", r'string:"C:\Program Files\Google\Drive File Stream\launch.bat"'),
]
USER_RUN = [
    ("OneDrive", rf'string:"{HOME}\AppData\Local\Microsoft\OneDrive\OneDrive.exe" /background'),
    ("ZoomUMX", rf'string:"{HOME}\AppData\Roaming\Zoom\bin\Zoom.exe" --background'),
    ("1Password", rf'string:"{HOME}\AppData\Local\1Password\app\8\1Password.exe" --silent'),
    ("Dropbox", r'string:"C:\Program Files (x86)\Dropbox\Client\Dropbox.exe" /systemstartup'),
    ("MicrosoftEdgeAutoLaunch_3B04", r'string:"C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe"'
                                     r" --no-startup-window --win-session-start"),
]
USER_PROGRAMS = [("Microsoft OneDrive", rf"{HOME}\AppData\Local\Microsoft\OneDrive"),
                 ("Zoom", rf"{HOME}\AppData\Roaming\Zoom\bin"), ("1Password", rf"{HOME}\AppData\Local\1Password")]
MACHINE_PROGRAMS = [("KeePass Password Safe 2.57", r"C:\Program Files\KeePass Password Safe 2\\"),
                    ("Google Drive", r"C:\Program Files\Google\Drive File Stream\\"),
                    ("Dropbox", r"C:\Program Files (x86)\Dropbox\Client")]
SERVICES = [
    ("edgeupdate", r'"C:\Program Files (x86)\Microsoft\EdgeUpdate\MicrosoftEdgeUpdate.exe" /svc'),
    ("ClickToRunSvc", r'"C:\Program Files\Common Files\Microsoft Shared\ClickToRun\OfficeClickToRun.exe" /service'),
    ("NVDisplay.ContainerLocalSystem", r'"C:\Windows\System32\DriverStore\FileRepository\nv_dispi.inf_amd64_'
                                       r'5a0b2c3d4e5f6a7b\Display.NvContainer\NVDisplay.Container.exe"'
                                       r" -s NVDisplay.Container"),
    ("DbxSvc", r"C:\Windows\System32\DbxSvc.exe"),
]


def known_good(root: Path) -> ScanResult:
    software = put_hive(root / "Windows/System32/config/SOFTWARE", "default")
    hivex_plant(software, rf"{CV}\Run", MACHINE_RUN)
    for name, folder in MACHINE_PROGRAMS:
        hivex_plant(software, rf"{CV}\Uninstall\{name}", [("DisplayName", f"string:{name}"),
                                                          ("InstallLocation", f"string:{folder}")])
    ordinary_machine(software)
    onedrive_user(root)
    system = put_hive(root / "Windows/System32/config/SYSTEM", "system10")
    for name, image in SERVICES:
        hivex_plant(system, rf"ControlSet001\Services\{name}",
                    [("ImagePath", f"string:{image}"), ("Start", "dword:0x2"), ("Type", "dword:0x10")])
    user = put_hive(root / "Users/ana/NTUSER.DAT", "default")
    hivex_plant(user, rf"Software\{CV}\Run", USER_RUN)
    for name, folder in USER_PROGRAMS:
        hivex_plant(user, rf"Software\{CV}\Uninstall\{name}", [("DisplayName", f"string:{name}"),
                                                               ("InstallLocation", f"string:{folder}")])
    for task in BENIGN_TASKS:
        put_task(root, task)
    startup = root / "Users/ana/AppData/Roaming/Microsoft/Windows/Start Menu/Programs/Startup"
    startup.mkdir(parents=True)
    (startup / "Send to OneNote.lnk").write_bytes(
        shell_link(r"C:\Program Files\Microsoft Office\root\Office16\ONENOTEM.EXE", "/tsr"))
    return run_scan(open_image(str(root)), load_rules([shipped_rules_dir()]))


def origin_counts(result: ScanResult) -> Counter[str]:
    return Counter(str(a.fields.get("origin")) for a in result.artifacts if a.kind in ("autostart", "service"))


def test_known_good_copy_has_no_startup_finding(tmp_path: Path) -> None:
    result = known_good(tmp_path / "img")
    startup = [(rule.severity, rule.id, a.fields.get("name")) for f in result.findings for rule, arts in f.matched
               if rule.id.startswith(("windows.startup.", "windows.autostart.", "windows.hijack."))
               for a in arts]
    assert startup == []
    assert not [f for f in result.findings if f.severity == "alert"]
    names = {a.fields["name"]: a.fields for a in result.artifacts if a.kind in ("autostart", "service")}
    assert names["GoogleDriveFS"]["interpreter"] == "cmd" and names["GoogleDriveFS"]["origin_name"] == "Google Drive"
    assert names["1Password"]["origin_name"] == "1Password"
    assert names["RtkAudUService"]["origin_name"] == "driver package realtekservice.inf"
    shell = [a.fields for a in result.artifacts if a.fields.get("mechanism") == "shell_extension"]
    assert {(f["name"], f["origin"]) for f in shell} == {("7-Zip", "installed"), ("Open With", "system"),
                                                          ("FileSyncEx", "installed")}
    counts = origin_counts(result)
    assert counts["unknown"] == 0 and counts["system"] > 0 and counts["installed"] > 0
