"""Windows collectors and rules end to end on disk-image trees built from real hives and task files.

Planted entries are written with hivexsh into copies of real hives, so every hive read here is a
real regf file read by regipy.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from techcheck.artifacts import Artifact
from techcheck.ruleset import load_rules, shipped_rules_dir
from techcheck.scan import ScanResult, run_scan
from techcheck.target import open_image
from tests.winsupport import (
    BENIGN_TASKS,
    MALICIOUS_TASKS,
    filetime,
    hivex_plant,
    put_hive,
    put_task,
    qword,
    shell_link,
)

RULES = load_rules([shipped_rules_dir()])
WINDOWS_CHECKS = {  # the checks this part of techcheck adds (other Windows checks may exist too)
    "windows.autostart", "windows.privacy", "windows.program_folders", "windows.programs", "windows.registry",
    "windows.remote_access", "windows.remote_session_logs", "windows.services", "windows.startup_folders",
    "windows.tasks"}
RUN = r"Software\Microsoft\Windows\CurrentVersion\Run"


def scan(root: Path) -> ScanResult:
    target = open_image(str(root))
    assert target.os == "windows"
    return run_scan(target, RULES)


def arts(result: ScanResult, kind: str, **fields: object) -> list[Artifact]:
    return [a for a in result.artifacts if a.kind == kind and all(a.fields.get(k) == v for k, v in fields.items())]


def findings(result: ScanResult) -> dict[str, list[Artifact]]:
    # Every rule that matched, the merged ones too (one finding per problem, its rules as reasons).
    out: dict[str, list[Artifact]] = {}
    for f in result.findings:
        for rule, arts in ((f.rule, f.artifacts), *f.also):
            out.setdefault(rule.id, []).extend(arts)
    return {rule_id: sorted(arts, key=Artifact.sort_key) for rule_id, arts in out.items()}


def check(result: ScanResult, name: str):  # type: ignore[no-untyped-def]
    return next(c for c in result.checks if c.name == name)


def base_image(root: Path, system: str = "system7") -> Path:
    put_hive(root / "Windows/System32/config/SYSTEM", system)
    put_hive(root / "Users/nfury/NTUSER.DAT", "nfury")
    put_hive(root / "Users/tony/NTUSER.DAT", "tony")
    put_hive(root / "Users/bperry/NTUSER.DAT", "bperry")
    put_hive(root / "Users/admin/NTUSER.DAT", "partial")
    (root / "Users/Public").mkdir(parents=True, exist_ok=True)
    for task in BENIGN_TASKS:
        put_task(root, task)
    return root


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> ScanResult:
    return scan(base_image(tmp_path_factory.mktemp("clean")))


def test_clean_real_image_raises_no_alert(clean: ScanResult) -> None:
    assert not [f.rule.id for f in clean.findings if f.severity == "alert"]
    # Only Windows' own remote features and context; none of the autostart heuristics fire.
    assert {rule for rule in findings(clean) if rule.startswith("windows.")} == {
        "windows.remote.rdp-enabled", "windows.remote.rdp-without-nla", "windows.remote.remote-assistance",
        "windows.privacy.app-used-camera-mic-location"}
    # VMware Tools' ThinPrint print monitor (TPVMMon.dll in System32): the copy has no SOFTWARE hive and no
    # INF files, but the SYSTEM hive registers ThinPrint's printer driver from a DriverStore package.
    monitor = arts(clean, "autostart", mechanism="print_monitor", name="ThinPrint Print Port Monitor for VMWare")[0]
    assert (monitor.fields["origin"], monitor.fields["origin_name"]) == (
        "installed", "ThinPrint printer driver (oemprint.inf)")
    others = {a.fields["name"]: a.fields["origin"] for a in arts(clean, "autostart", mechanism="print_monitor")}
    assert others == {"Local Port": "system", "Microsoft Shared Fax Monitor": "system",
                      "Standard TCP/IP Port": "system", "USB Monitor": "system", "WSD Port": "system",
                      "ThinPrint Print Port Monitor for VMWare": "installed"}
    assert {c.name: c.status for c in clean.checks if c.name in WINDOWS_CHECKS} == {
        "windows.autostart": "ok", "windows.privacy": "ok", "windows.program_folders": "skipped",
        "windows.programs": "ok", "windows.registry": "ok", "windows.remote_access": "ok",
        "windows.remote_session_logs": "ok", "windows.services": "ok", "windows.startup_folders": "ok",
        "windows.tasks": "ok"}
    assert [n.message for n in check(clean, "windows.registry").notes] == ["registry hive file not found"]


def test_run_keys_from_real_user_hives(clean: ScanResult) -> None:
    nfury = {a.fields["name"]: a.fields for a in arts(clean, "autostart", mechanism="run_key", user="nfury")}
    assert set(nfury) == {"Google Update", "Skype"}
    assert nfury["Google Update"]["exe"] == "C:\\Users\\nfury\\AppData\\Local\\Google\\Update\\GoogleUpdate.exe"
    assert nfury["Skype"]["command"] == '"C:\\Program Files (x86)\\Skype\\Phone\\Skype.exe" /nosplash /minimized'
    assert nfury["Skype"]["scope"] == "user" and nfury["Skype"]["enabled"] is True
    tony = {a.fields["name"] for a in arts(clean, "autostart", mechanism="run_key", user="tony")}
    assert {"OneDrive", "Ditto", "BCClipboard", "com.squirrel.Teams.Teams", "Lync"} <= tony
    assert len(arts(clean, "autostart", mechanism="run_key", user="admin")) == 5  # partial hive: Run + 4 RunOnce
    spotify = arts(clean, "autostart", name="Spotify", user="bperry")[0]
    assert spotify.location.registry_key == f"HKU\\bperry\\{RUN}"


def test_remote_desktop_and_services_from_win7_system(clean: ScanResult) -> None:
    rdp = arts(clean, "setting", name="remote_desktop")
    assert [(a.fields["enabled"], a.fields["value"], a.fields["detail"]) for a in rdp] == [
        (True, "no_nla", "port 3389; network-level sign-in not required")]
    services = {a.fields["name"]: a.fields for a in arts(clean, "service")}
    assert services["McShield"]["start_type"] == "automatic"
    assert services["McShield"]["display_name"] == "McAfee McShield"
    assert services["FResponse Service"]["exe"] == "f-response-ent.exe"
    assert services["TermService"]["service_dll"] == "C:\\Windows\\System32\\termsrv.dll"
    assert services["TermService"]["user"] == "NT Authority\\NetworkService"


def test_consent_store_entries(clean: ScanResult) -> None:
    zoom = "C:\\Users\\tony\\AppData\\Roaming\\Zoom\\bin\\Zoom.exe"
    used = {(a.fields["service"], a.fields["last_used"][:10], a.fields["last_used_until"][:10])
            for a in arts(clean, "permission", app=zoom, user="tony")}
    assert used == {("camera", "2022-04-04", "2022-04-04"), ("microphone", "2022-04-04", "2022-04-04")}
    overall = {a.fields["service"]: a.fields["status"] for a in arts(clean, "permission", app="", user="tony")}
    assert overall["camera"] == "allow" and overall["microphone"] == "allow" and overall["location"] == "deny"
    vmware = arts(clean, "permission", service="microphone", user="tony",
                  app="C:\\Program Files (x86)\\VMware\\VMware Workstation\\x64\\vmware-vmx.exe")
    assert vmware[0].fields["last_used"].startswith("2022-05-10")


def test_scheduled_tasks(clean: ScanResult) -> None:
    tasks = {a.fields["name"]: a.fields for a in arts(clean, "autostart", mechanism="scheduled_task")}
    assert len(tasks) == 6
    mobility = tasks["Microsoft\\Windows\\Ras\\MobilityManager"]
    assert mobility["command"] == "COM handler {C463A0FC-794F-4FDF-9201-01938CEACAFA}"
    assert mobility["trigger"] == "event" and mobility["run_as"] == "LOCAL SERVICE"
    vsix = tasks["\\Microsoft\\VisualStudio\\VSIX Auto Update"]
    assert vsix["hidden"] is True and vsix["run_as"] == "SYSTEM"
    google = tasks["\\GoogleUpdateTaskMachineCore{CF8953F0-7413-4BC6-94A3-B0282ACC3AE4}"]
    assert google["trigger"] == "logon, schedule"
    assert google["command"] == "C:\\Program Files (x86)\\Google\\Update\\GoogleUpdate.exe /c"
    assert tasks["\\Microsoft\\Windows\\Defrag\\ScheduledDefrag"]["exe"] == "C:\\Windows\\system32\\defrag.exe"


def test_malicious_real_tasks_are_flagged(tmp_path: Path) -> None:
    root = tmp_path / "img"
    (root / "Windows/System32/config").mkdir(parents=True)
    (root / "Users/ana").mkdir(parents=True)
    for task in BENIGN_TASKS + MALICIOUS_TASKS:
        put_task(root, task)
    result = scan(root)
    found = findings(result)
    assert [a.fields["name"] for a in found["windows.autostart.password-stealing-tool"]] == ["\\GameOver"]
    game_over = found["windows.autostart.password-stealing-tool"][0].fields
    assert game_over["exe"] == "C:\\TMP\\mim.exe"
    assert game_over["command"] == "C:\\TMP\\mim.exe sekurlsa::LogonPasswords > C:\\TMP\\o.txt"
    assert [a.fields["name"] for a in found["windows.autostart.hidden-script"]] == ["\\falshupdate22"]
    severities = {rule.id: rule.severity for f in result.findings for rule, _ in f.matched}
    assert severities["windows.autostart.password-stealing-tool"] == "alert"
    assert severities["windows.autostart.hidden-script"] == "review"
    # No SYSTEM/SOFTWARE/NTUSER hives at all: noted, and the task check still ran.
    assert check(result, "windows.registry").status == "skipped"
    assert check(result, "windows.tasks").status == "ok"


def test_win10_system_has_remote_desktop_off(tmp_path: Path) -> None:
    root = tmp_path / "img"
    put_hive(root / "Windows/System32/config/SYSTEM", "system10")
    put_hive(root / "Users/admin/NTUSER.DAT", "wsl")
    result = scan(root)
    assert [(a.fields["enabled"], a.fields["value"]) for a in arts(result, "setting", name="remote_desktop")] == [
        (False, "nla")]
    assert "windows.remote.rdp-enabled" not in findings(result)
    assert {"gupdate", "gupdatem", "GoogleChromeElevationService", "IpOverUsbSvc"} <= {
        a.fields["name"] for a in arts(result, "service")}
    desktop = arts(result, "permission", service="location", app="desktop apps", user="admin")
    assert [(a.fields["status"], a.fields["allowed"]) for a in desktop] == [("allow", True)]


def test_damaged_hives_are_notes_and_the_scan_goes_on(tmp_path: Path) -> None:
    root = base_image(tmp_path / "img")
    system = root / "Windows/System32/config/SYSTEM"
    system.write_bytes(system.read_bytes()[:200_000])  # a cut-off copy
    (root / "Users/bperry/NTUSER.DAT").write_bytes(b"regf" + b"\x00" * 100)  # garbage after the magic
    result = scan(root)
    notes = {(n.path, n.message.split(":")[0]) for c in result.checks for n in c.notes}
    assert ("C:\\Users\\bperry\\NTUSER.DAT", "damaged registry hive") in notes
    assert any(path.startswith("HKLM\\SYSTEM") for path, _ in notes)  # services could not all be read
    assert {c.status for c in result.checks if c.name in WINDOWS_CHECKS} <= {"ok", "skipped"}
    assert arts(result, "autostart", name="Google Update", user="nfury")
    assert len(arts(result, "autostart", mechanism="scheduled_task")) == 6


# --- planted entries ---------------------------------------------------------------------------

ORDINARY_RUN = [  # where these programs really install and how their Run entries look
    ("OneDrive", r'string:"C:\Users\ana\AppData\Local\Microsoft\OneDrive\OneDrive.exe" /background'),
    ("com.squirrel.Teams.Teams",
     r'string:C:\Users\ana\AppData\Local\Microsoft\Teams\Update.exe --processStart "Teams.exe"'),
    ("Spotify", r'string:"C:\Users\ana\AppData\Roaming\Spotify\Spotify.exe" --autostart --minimized'),
    ("ZoomUMX", r'string:"C:\Users\ana\AppData\Roaming\Zoom\bin\Zoom.exe" --background'),
    ("Discord", r'string:"C:\Users\ana\AppData\Local\Discord\Update.exe" --processStart Discord.exe'),
    ("com.squirrel.slack.slack", r'string:"C:\Users\ana\AppData\Local\slack\slack.exe" --process-start-args --startup'),
    ("Dropbox", r'string:"C:\Program Files (x86)\Dropbox\Client\Dropbox.exe" /systemstartup'),
    ("GoogleUpdate", r'string:"C:\Users\ana\AppData\Local\Google\Update\GoogleUpdate.exe" /c'),
    ("MicrosoftEdgeAutoLaunch_3B04",
     r'string:"C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe" --no-startup-window'),
]


ORDINARY_PROGRAMS = [
    ("Microsoft OneDrive", r"C:\Users\ana\AppData\Local\Microsoft\OneDrive"),
    ("Microsoft Teams", r"C:\Users\ana\AppData\Local\Microsoft\Teams"),
    ("Spotify", r"C:\Users\ana\AppData\Roaming\Spotify"),
    ("Zoom", r"C:\Users\ana\AppData\Roaming\Zoom\bin"),
    ("Discord", r"C:\Users\ana\AppData\Local\Discord"),
    ("Slack", r"C:\Users\ana\AppData\Local\slack"),
    ("Google Chrome", r"C:\Users\ana\AppData\Local\Google\Chrome\Application"),
]


def test_ordinary_software_starting_from_user_folders_is_not_flagged(tmp_path: Path) -> None:
    root = tmp_path / "img"
    hive = put_hive(root / "Users/ana/NTUSER.DAT", "default")
    hivex_plant(hive, RUN, ORDINARY_RUN)
    for name, folder in ORDINARY_PROGRAMS:  # the per-user programs-list entries these installers write
        hivex_plant(hive, rf"Software\Microsoft\Windows\CurrentVersion\Uninstall\{name}",
                    [("DisplayName", f"string:{name}"), ("InstallLocation", f"string:{folder}")])
    (root / "Windows/System32").mkdir(parents=True)
    result = scan(root)
    run = [a for a in arts(result, "autostart", user="ana") if a.location.registry_key == f"HKU\\ana\\{RUN}"]
    assert sorted(a.fields["name"] for a in run) == sorted(name for name, _ in ORDINARY_RUN)
    assert not [f.rule.id for f in result.findings if f.severity == "alert"]
    assert [rule for rule in findings(result) if rule.startswith("windows.")] == []


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> ScanResult:
    root = tmp_path_factory.mktemp("planted")
    software = put_hive(root / "Windows/System32/config/SOFTWARE", "default")  # a copy of a real hive
    hivex_plant(software, r"Microsoft\Windows\CurrentVersion\Run",
                [("WinUpdate", r"string:C:\Windows\Temp\wupd\wupd.exe -silent")])
    hivex_plant(software, r"Microsoft\Windows NT\CurrentVersion\Winlogon",
                [("Shell", r"string:explorer.exe, C:\ProgramData\shell.exe"),
                 ("Userinit", r"string:C:\Windows\system32\userinit.exe,")])
    hivex_plant(software, r"Microsoft\Windows NT\CurrentVersion\Image File Execution Options\sethc.exe",
                [("Debugger", r"string:C:\Windows\System32\cmd.exe")])
    hivex_plant(software, r"Microsoft\Windows NT\CurrentVersion\Windows",
                [("AppInit_DLLs", r"string:C:\ProgramData\hook.dll"), ("LoadAppInit_DLLs", "dword:0x1")])
    hivex_plant(software, r"Microsoft\Settings\FindMyDevice", [("LocationSyncEnabled", "dword:0x1")])
    hivex_plant(software, r"Microsoft\Windows\CurrentVersion\CapabilityAccessManager\ConsentStore\location",
                [("Value", "string:Allow")])
    hivex_plant(software, r"Microsoft\Windows\CurrentVersion\Uninstall\{11111111-2222}",
                [("DisplayName", "string:Example Viewer"), ("DisplayVersion", "string:2.1"),
                 ("Publisher", "string:Example Ltd"), ("InstallDate", "string:20240301")])
    system = put_hive(root / "Windows/System32/config/SYSTEM", "system10")
    hivex_plant(system, r"ControlSet001\Services\sshd",
                [("ImagePath", r"expandstring:C:\Windows\System32\OpenSSH\sshd.exe"), ("Start", "dword:0x2"),
                 ("Type", "dword:0x10"), ("ObjectName", "string:LocalSystem")])
    hivex_plant(system, r"ControlSet001\Services\WinSvcHost",
                [("ImagePath", r"string:C:\Users\Public\svchost.exe -k net"), ("Start", "dword:0x2"),
                 ("Type", "dword:0x10")])
    user = put_hive(root / "Users/ana/NTUSER.DAT", "nfury")
    hivex_plant(user, RUN, [
        ("Google Update", r'string:"C:\Users\ana\AppData\Local\Google\Update\GoogleUpdate.exe" /c'),
        ("syshelper", r"string:C:\Users\ana\AppData\Roaming\syshelper.exe"),
        ("tray", "string:powershell.exe -nop -w hidden -enc SQBFAFgA")])
    hivex_plant(user, r"Software\Microsoft\Windows\CurrentVersion\Uninstall\Google Chrome",
                [("DisplayName", "string:Google Chrome"),
                 ("InstallLocation", r"string:C:\Users\ana\AppData\Local\Google\Chrome\Application")])
    hivex_plant(user, r"Software\Microsoft\Windows\CurrentVersion\Policies\Explorer\Run",
                [("1", r"string:C:\Users\ana\Downloads\viewer\viewer.exe")])
    hivex_plant(user, r"Software\Microsoft\Windows\CurrentVersion\Explorer\StartupApproved\Run",
                [("tray", "hex:3:03,00,00,00,00,00,00,00,00,00,00,00")])
    hivex_plant(user, r"Software\Microsoft\Windows\CurrentVersion\Explorer\StartupApproved\StartupFolder",
                [("agent.lnk", "hex:3:02,00,00,00,00,00,00,00,00,00,00,00"),
                 ("update.vbs", "hex:3:03,00,00,00,00,00,00,00,00,00,00,00")])
    hivex_plant(user, r"Software\Microsoft\Windows\CurrentVersion\CapabilityAccessManager\ConsentStore\webcam"
                      r"\NonPackaged\C:#Users#ana#AppData#Roaming#cam#cam.exe",
                [("Value", "string:Allow"), ("LastUsedTimeStart", qword(filetime("2024-03-01T21:14:05"))),
                 ("LastUsedTimeStop", qword(filetime("2024-03-01T21:44:05")))])
    startup = root / "Users/ana/AppData/Roaming/Microsoft/Windows/Start Menu/Programs/Startup"
    startup.mkdir(parents=True)
    (startup / "desktop.ini").write_bytes(b"\xff\xfe[.ShellClassInfo]\r\n".replace(b"[", b"[\x00"))
    (startup / "update.vbs").write_text('CreateObject("WScript.Shell").Run "cmd /c x", 0\r\n')
    (startup / "broken.lnk").write_bytes(b"L\x00\x00\x00not a shortcut")
    (startup / "agent.lnk").write_bytes(shell_link("C:\\Users\\Public\\agent.exe", "--silent"))
    tv = root / "Program Files (x86)/TeamViewer"
    tv.mkdir(parents=True)
    (tv / "Connections_incoming.txt").write_text(
        "123456789\tJohn\t01-03-2024 21:14:05\t01-03-2024 21:44:10\tana\tRemoteControl\t{8E5F2C1A-0000}\r\n")
    ad = root / "ProgramData/AnyDesk"
    ad.mkdir(parents=True)
    (ad / "connection_trace.txt").write_text(
        "Incoming    2024-03-02, 08:05    Passwd    987654321    987654321\r\nnot a record\r\n")
    (root / "Program Files/Example Viewer").mkdir(parents=True)
    (root / "Users/ana/AppData/Local/HiddenTool").mkdir(parents=True)
    for task in BENIGN_TASKS:
        put_task(root, task)
    return scan(root)


def test_planted_registry_autostarts(planted: ScanResult) -> None:
    machine = arts(planted, "autostart", mechanism="run_key", scope="system")
    assert [(a.fields["name"], a.fields["exe"]) for a in machine] == [
        ("WinUpdate", "C:\\Windows\\Temp\\wupd\\wupd.exe")]
    tray = arts(planted, "autostart", name="tray", user="ana")[0]
    assert tray.fields["enabled"] is False  # switched off in Task Manager (StartupApproved)
    winlogon = {a.fields["name"]: a.fields["command"] for a in arts(planted, "autostart", mechanism="winlogon")}
    assert winlogon == {"Shell": "explorer.exe, C:\\ProgramData\\shell.exe",
                        "Userinit": "C:\\Windows\\system32\\userinit.exe,"}
    ifeo = arts(planted, "autostart", mechanism="ifeo")[0]
    assert (ifeo.fields["name"], ifeo.fields["command"]) == ("sethc.exe", "C:\\Windows\\System32\\cmd.exe")
    appinit = arts(planted, "autostart", mechanism="appinit")[0]
    assert appinit.fields["enabled"] is True and appinit.fields["command"] == "C:\\ProgramData\\hook.dll"


def test_planted_findings(planted: ScanResult) -> None:
    found = {rule: sorted(str(a.fields.get("name")) for a in items) for rule, items in findings(planted).items()}
    assert found["windows.autostart.from-temp-folder"] == ["WinUpdate"]
    assert found["windows.autostart.from-odd-folder"] == ["1", "AppInit_DLLs", "WinSvcHost", "agent.lnk", "syshelper"]
    assert found["windows.masquerade.system-name-wrong-folder"] == ["WinSvcHost"]
    assert found["windows.autostart.hidden-script"] == ["tray"]
    assert found["windows.autostart.script-in-startup-folder"] == ["update.vbs"]
    assert found["windows.hijack.winlogon-changed"] == ["Shell"]
    assert found["windows.hijack.ifeo-debugger"] == ["sethc.exe"]
    assert found["windows.hijack.appinit-dlls"] == ["AppInit_DLLs"]
    assert found["windows.remote.openssh-server"] == ["ssh_server"]
    assert found["windows.location.find-my-device"] == ["find_my"]
    assert len(found["windows.remote.incoming-session-record"]) == 2
    assert "windows.remote.rdp-enabled" not in found
    assert not any(n == "Google Update" for names in found.values() for n in names)


def test_planted_settings_permissions_and_sessions(planted: ScanResult) -> None:
    assert [a.fields["enabled"] for a in arts(planted, "setting", name="location_services")] == [True]
    cam = arts(planted, "permission", app="C:\\Users\\ana\\AppData\\Roaming\\cam\\cam.exe")[0]
    assert (cam.fields["service"], cam.fields["allowed"], cam.fields["last_used"], cam.fields["last_used_until"]) == (
        "camera", True, "2024-03-01T21:14:05+00:00", "2024-03-01T21:44:05+00:00")
    sessions = sorted((a.fields["time"], a.fields["description"]) for a in arts(planted, "file"))
    assert sessions == [
        ("2024-03-01T21:14:05", "Incoming remote session (TeamViewer) on 2024-03-01T21:14:05: from TeamViewer ID "
                                "123456789 (John) until 2024-03-01T21:44:10, signed-in user ana, RemoteControl"),
        ("2024-03-02T08:05:00", "Incoming remote session (AnyDesk) on 2024-03-02T08:05:00: from AnyDesk "
                                "987654321 987654321, accepted by: Passwd"),
    ]


def test_planted_programs_services_and_notes(planted: ScanResult) -> None:
    viewer = arts(planted, "app", source="uninstall_key", name="Example Viewer")[0]
    assert (viewer.fields["version"], viewer.fields["publisher"], viewer.fields["installed"]) == (
        "2.1", "Example Ltd", "2024-03-01")
    folders = {(a.fields["name"], a.fields["user"]) for a in arts(planted, "app", source="folder")}
    assert {("Example Viewer", ""), ("TeamViewer", ""), ("AnyDesk", ""), ("HiddenTool", "ana")} <= folders
    sshd = arts(planted, "service", name="sshd")[0]
    assert sshd.fields["start_type"] == "automatic" and sshd.location.registry_key.endswith(
        "CurrentControlSet\\Services\\sshd")
    startup = {a.fields["name"] for a in arts(planted, "autostart", mechanism="startup_folder")}
    assert startup == {"update.vbs", "broken.lnk", "agent.lnk"}  # desktop.ini is not a program
    switched = {a.fields["name"]: a.fields["enabled"] for a in arts(planted, "autostart", mechanism="startup_folder")}
    assert switched == {"update.vbs": False, "broken.lnk": True, "agent.lnk": True}  # Task Manager's switches
    agent = arts(planted, "autostart", name="agent.lnk")[0]
    assert (agent.fields["exe"], agent.fields["command"]) == ("C:\\Users\\Public\\agent.exe",
                                                              "C:\\Users\\Public\\agent.exe --silent")
    notes = [n.path for n in check(planted, "windows.startup_folders").notes]
    assert notes == ["C:\\Users\\ana\\AppData\\Roaming\\Microsoft\\Windows\\Start Menu\\Programs\\Startup\\broken.lnk"]


def test_cli_scans_a_windows_image(tmp_path: Path) -> None:
    import json
    import subprocess
    import sys

    root = base_image(tmp_path / "img")
    shutil.rmtree(root / "Users/tony")
    out = subprocess.run([sys.executable, "-m", "techcheck", "scan", "--root", str(root), "--format", "json",
                          "--no-progress", "--fail-on", "alert"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["target"]["os"] == "windows"
    assert {f["rule_id"] for f in report["findings"]} >= {"windows.remote.rdp-enabled"}


def test_damaged_value_record_is_noted_and_other_values_still_read(tmp_path: Path) -> None:
    import re

    root = tmp_path / "img"
    hive = put_hive(root / "Users/nfury/NTUSER.DAT", "nfury")
    data = bytearray(hive.read_bytes())
    records = [m.start() for m in re.finditer(rb"vk\x05\x00.{16}Skype", bytes(data), re.S)]
    assert len(records) == 1  # the value record of Run\Skype
    data[records[0]:records[0] + 2] = b"XX"  # break its signature
    hive.write_bytes(bytes(data))
    (root / "Windows/System32").mkdir(parents=True)
    result = scan(root)
    names = {a.fields["name"] for a in arts(result, "autostart", mechanism="run_key", user="nfury")}
    assert names == {"Google Update"}  # the value stored before the damaged one is still read
    notes = [(n.path, n.message) for n in check(result, "windows.autostart").notes]
    assert (f"HKU\\nfury\\{RUN}", "only 1 of 2 values could be read (damaged hive)") in notes


def test_unreadable_task_folder_is_a_note(tmp_path: Path) -> None:
    from techcheck.collectors.windows.tasks import WindowsScheduledTasks
    from techcheck.scan import run_check
    from techcheck.target.fake import FakeTarget
    from tests.conftest import realdata

    game_over = realdata("windows/tasks/Win10/GameOver").read_bytes()
    target = FakeTarget(mode="fake", os="windows", root=None, files={
        "/Windows/System32/Tasks/GameOver": game_over,
        "/Windows/System32/Tasks/Microsoft/Windows/Secret/Task": game_over,
    }, unreadable={"/Windows/System32/Tasks/Microsoft/Windows"})
    result, found = run_check(WindowsScheduledTasks, target)
    assert result.status == "partial"  # a folder it could not open: only partly checked
    assert [a.fields["name"] for a in found] == ["\\GameOver"]
    assert [(n.path, n.message) for n in result.notes] == [
        ("C:\\Windows\\System32\\Tasks\\Microsoft\\Windows", "could not list: cannot list folder: permission denied")]
