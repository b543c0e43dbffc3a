"""Shell extensions: File Explorer add-ons and Browser Helper Objects, each resolved to its library
through the person's classes (a real UsrClass.dat) and the machine's, with origin and behaviour, and
judged by the rules. Attack entries are written with hivexsh into copies of real hives; ordinary
software's entries in the same places (7-Zip's installer keys, Windows' own "Open With", OneDrive's
per-user extension from the real UsrClass.dat) are not flagged.

7-Zip's keys: its installer script (DOC/7zip.nsi in https://github.com/ip7z/7zip: CLSID
{23170F69-40C1-278A-1000-000100020000} "7-Zip Shell Extension", InprocServer32 7-zip.dll in the
program folder, *\\shellex\\ContextMenuHandlers\\7-Zip, Directory\\shellex\\DragDropHandlers\\7-Zip,
Shell Extensions\\Approved). OneDrive's programs-list entry: the shape of the real one in
NTUSER_BAGMRU.DAT (tests/data/realdata), for the real UsrClass.dat's user and OneDrive version.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from techcheck.artifacts import Artifact
from techcheck.ruleset import load_rules, shipped_rules_dir
from techcheck.scan import ScanResult, run_scan
from techcheck.target import open_image
from tests.winsupport import hivex_plant, put_hive

RULES = load_rules([shipped_rules_dir()])
CV = r"Microsoft\Windows\CurrentVersion"
STARTUP_RULES = ("windows.startup.", "windows.autostart.", "windows.hijack.")
SEVEN_ZIP = "{23170F69-40C1-278A-1000-000100020000}"
OPEN_WITH = "{09799AFB-AD67-11d1-ABCD-00C04FC30936}"
ONEDRIVE = r"C:\Users\jcloudy\AppData\Local\Microsoft\OneDrive\18.044.0301.0006"


def onedrive_user(root: Path, listed: bool = True) -> None:
    """The real UsrClass.dat of user jcloudy, beside a copy of a real NTUSER.DAT with OneDrive's entry."""
    user = put_hive(root / "Users/jcloudy/NTUSER.DAT", "default")
    put_hive(root / "Users/jcloudy/AppData/Local/Microsoft/Windows/UsrClass.dat", "usrclass")
    if listed:
        hivex_plant(user, rf"Software\{CV}\Uninstall\OneDriveSetup.exe",
                    [("DisplayName", "string:Microsoft OneDrive"),
                     ("DisplayIcon", rf"string:{ONEDRIVE}\OneDriveSetup.exe,-101"),
                     ("DisplayVersion", "string:18.044.0301.0006"), ("Publisher", "string:Microsoft Corporation"),
                     ("UninstallString", rf"string:{ONEDRIVE}\OneDriveSetup.exe  /uninstall ")])


def klass(hive: Path, prefix: str, clsid: str, label: str, library: str) -> None:
    hivex_plant(hive, rf"{prefix}CLSID\{clsid}", [("@", f"string:{label}")])
    hivex_plant(hive, rf"{prefix}CLSID\{clsid}\InprocServer32", [("@", f"string:{library}"),
                                                                   ("ThreadingModel", "string:Apartment")])


def ordinary_machine(software: Path) -> None:
    klass(software, "Classes\\", SEVEN_ZIP, "7-Zip Shell Extension", r"C:\Program Files\7-Zip\7-zip.dll")
    for where in (r"*\shellex\ContextMenuHandlers\7-Zip", r"Directory\shellex\ContextMenuHandlers\7-Zip",
                  r"Directory\shellex\DragDropHandlers\7-Zip"):
        hivex_plant(software, rf"Classes\{where}", [("@", f"string:{SEVEN_ZIP}")])
    hivex_plant(software, rf"{CV}\Uninstall\7-Zip", [("DisplayName", "string:7-Zip 23.01 (x64)"),
                                                     ("InstallLocation", r"string:C:\Program Files\7-Zip\\")])
    klass(software, "Classes\\", OPEN_WITH, "Open With Context Menu Handler", r"%SystemRoot%\system32\shell32.dll")
    hivex_plant(software, r"Classes\*\shellex\ContextMenuHandlers\Open With", [("@", f"string:{OPEN_WITH}")])
    hivex_plant(software, rf"{CV}\Shell Extensions\Approved",
                [(SEVEN_ZIP, "string:7-Zip Shell Extension"), (OPEN_WITH, "string:Open With Context Menu Handler")])


def startup_findings(result: ScanResult) -> dict[str, str]:
    """Entry name -> the worst severity of the start-up rules that matched it."""
    worst: dict[str, str] = {}
    for f in result.findings:
        for rule, arts in ((f.rule, f.artifacts), *f.also):
            for a in arts if rule.id.startswith(STARTUP_RULES) else []:
                name = str(a.fields.get("name"))
                if worst.get(name) != "alert":
                    worst[name] = rule.severity
    return worst


def extensions(result: ScanResult) -> list[Artifact]:
    return [a for a in result.artifacts if a.kind == "autostart" and a.fields.get("mechanism") == "shell_extension"]


def test_real_per_user_extension_and_ordinary_machine_ones_are_not_flagged(tmp_path: Path) -> None:
    root = tmp_path / "img"
    ordinary_machine(put_hive(root / "Windows/System32/config/SOFTWARE", "default"))
    onedrive_user(root)
    result = run_scan(open_image(str(root)), RULES)
    found = {(a.fields["name"], a.location.registry_key): a.fields for a in extensions(result)}
    onedrive = found[("FileSyncEx", r"HKU\jcloudy\Software\Classes\*\ShellEx\ContextMenuHandlers\ FileSyncEx")]
    assert onedrive["exe"] == ONEDRIVE + r"\amd64\FileSyncShell64.dll"
    assert onedrive["origin"] == "installed" and onedrive["behaviour"] == ["user_folder"]
    assert len([k for k in found if k[0] == "FileSyncEx"]) == 3  # *, Directory, Directory\Background
    seven = found[("7-Zip", r"HKLM\SOFTWARE\Classes\*\ShellEx\ContextMenuHandlers\7-Zip")]
    assert (seven["origin"], seven["origin_name"], seven["exe"]) == (
        "installed", "7-Zip 23.01 (x64)", r"C:\Program Files\7-Zip\7-zip.dll")
    assert len([k for k in found if k[0] == "7-Zip"]) == 3
    open_with = found[("Open With", r"HKLM\SOFTWARE\Classes\*\ShellEx\ContextMenuHandlers\Open With")]
    assert (open_with["origin"], open_with["exe"]) == ("system", r"C:\Windows\system32\shell32.dll")
    assert not [k for k in found if "Approved" in k[1]]  # approved classes are listed where they are used
    assert startup_findings(result) == {}
    check = next(c for c in result.checks if c.name == "windows.shell_extensions")
    assert check.status == "ok"


def test_per_user_extension_no_program_explains_is_needs_attention(tmp_path: Path) -> None:
    root = tmp_path / "img"
    put_hive(root / "Windows/System32/config/SYSTEM", "system10")
    onedrive_user(root, listed=False)  # the same real hive, but no programs-list entry explains the folder
    result = run_scan(open_image(str(root)), RULES)
    assert {a.fields["origin"] for a in extensions(result)} == {"unknown"}
    assert startup_findings(result) == {"FileSyncEx": "alert"}


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> ScanResult:
    root = tmp_path_factory.mktemp("shellex")
    software = put_hive(root / "Windows/System32/config/SOFTWARE", "default")
    ordinary_machine(software)
    plant = lambda key, values: hivex_plant(software, key, values)  # noqa: E731
    ids = {n: f"{{5E1F0C2A-0000-4000-8000-0000000000{i:02X}}}" for i, n in enumerate(
        ["overlay", "delay", "sched", "bho", "approved", "blocked", "wow", "tools"], start=1)}
    klass(software, "Classes\\", ids["overlay"], "Sync overlay", r"C:\ProgramData\sync\ov64.dll")
    plant(rf"{CV}\Explorer\ShellIconOverlayIdentifiers\   SyncOverlay", [("@", f"string:{ids['overlay']}")])
    klass(software, "Classes\\", ids["delay"], "", r"C:\Users\Public\Libraries\ssodl.dll")
    plant(rf"{CV}\ShellServiceObjectDelayLoad", [("Updater", f"string:{ids['delay']}")])
    klass(software, "Classes\\", ids["sched"], "", r"C:\Tools\sched.dll")
    plant(rf"{CV}\Explorer\SharedTaskScheduler", [(ids["sched"], "string:Cache")])
    klass(software, "Classes\\", ids["bho"], "Search helper", r"C:\Windows\Temp\bho.dll")
    plant(rf"{CV}\Explorer\Browser Helper Objects\{ids['bho']}", [("NoExplorer", "dword:0x1")])
    klass(software, "Classes\\", ids["blocked"], "", r"C:\ProgramData\old\old.dll")
    plant(r"Classes\Folder\ShellEx\ColumnHandlers" + "\\" + ids["blocked"], [])
    plant(rf"{CV}\Shell Extensions\Blocked", [(ids["blocked"], "string:")])
    klass(software, r"Wow6432Node\Classes" + "\\", ids["wow"], "", r"C:\ProgramData\x86\wow.dll")
    plant(r"Wow6432Node\Classes\Drive\shellex\PropertySheetHandlers\DriveInfo", [("@", f"string:{ids['wow']}")])
    plant(r"Classes\Directory\shellex\CopyHookHandlers\Gone", [("@", "string:{00000000-DEAD-4000-8000-000000000000}")])
    user = put_hive(root / "Users/ana/NTUSER.DAT", "nfury")
    classes = put_hive(root / "Users/ana/AppData/Local/Microsoft/Windows/UsrClass.dat", "usrclass")
    klass(classes, "", ids["approved"], "", r"C:\Users\ana\AppData\Roaming\Microsoft\shx.dll")
    hivex_plant(user, rf"Software\{CV}\Shell Extensions\Approved", [(ids["approved"], "string:Helper")])
    klass(classes, "", ids["tools"], "", r"C:\Users\ana\Downloads\menu.dll")
    hivex_plant(classes, r"*\shellex\ContextMenuHandlers\QuickMenu", [("@", f"string:{ids['tools']}")])
    return run_scan(open_image(str(root)), RULES)


def test_planted_shell_extensions_are_found_with_origin_and_severity(planted: ScanResult) -> None:
    found = {str(a.fields["name"]): a.fields for a in extensions(planted)}
    assert found["SyncOverlay"]["exe"] == r"C:\ProgramData\sync\ov64.dll"
    assert found["Updater"]["exe"] == r"C:\Users\Public\Libraries\ssodl.dll"
    assert found["Cache"]["exe"] == r"C:\Tools\sched.dll"
    bho = next(a for a in extensions(planted) if "Browser Helper Objects" in a.location.registry_key)
    assert bho.fields["exe"] == r"C:\Windows\Temp\bho.dll" and bho.fields["origin"] == "unknown"
    assert found["DriveInfo"]["exe"] == r"C:\ProgramData\x86\wow.dll"  # 32-bit view, its own classes
    assert found["Helper"]["exe"] == r"C:\Users\ana\AppData\Roaming\Microsoft\shx.dll"  # approved only
    assert found["QuickMenu"]["scope"] == "user" and found["QuickMenu"]["user"] == "ana"
    blocked = next(a for a in extensions(planted) if "ColumnHandlers" in a.location.registry_key)
    assert blocked.fields["enabled"] is False
    assert "Gone" not in found  # a class no classes key defines loads nothing
    severities = startup_findings(planted)
    assert {name: severities.get(name) for name in ("SyncOverlay", "Updater", "Helper", "QuickMenu", "Cache")} == {
        # a folder of its own in ProgramData or elsewhere: unknown origin, Worth checking
        "SyncOverlay": "review", "Updater": "alert", "Helper": "alert", "QuickMenu": "alert", "Cache": "review"}
    assert severities[bho.fields["name"]] == "alert"  # in Windows\Temp
    assert severities["DriveInfo"] == "review"
    assert severities.get("7-Zip") is None and severities.get("Open With") is None
    assert severities.get(blocked.fields["name"]) == "review"  # switched off: unknown origin only


def test_per_user_classes_of_the_real_usrclass_replacing_machine_classes(tmp_path: Path) -> None:
    """The real UsrClass.dat defines classes with Windows' shell32.dll and Intel's igfxEM.exe (System32).
    Where the machine defines the same class ids, they are per-user overrides: pointing at Windows' own
    files, they are Windows' and raise nothing; OneDrive's classes come from OneDrive."""
    root = tmp_path / "img"
    software = put_hive(root / "Windows/System32/config/SOFTWARE", "default")
    for clsid in ("{018D5C66-4533-4307-9B53-224DE2ED1FE6}", "{820D63D5-8CFF-46DE-86AF-4997DEDD6DB5}",
                  "{A0396A93-DC06-4AEF-BEE9-95FFCCAEF20E}"):
        klass(software, "Classes\\", clsid, "machine class", r"C:\Windows\System32\shell32.dll")
    onedrive_user(root)
    result = run_scan(open_image(str(root)), RULES)
    overrides = {a.fields["name"]: a.fields for a in result.artifacts if a.fields.get("mechanism") == "com_override"}
    assert {name: (f["exe"], f["origin"]) for name, f in overrides.items()} == {
        "{018D5C66-4533-4307-9B53-224DE2ED1FE6}": (r"C:\Windows\system32\shell32.dll", "system"),
        "{820D63D5-8CFF-46DE-86AF-4997DEDD6DB5}": (r"C:\Windows\system32\igfxEM.exe", "system"),
        "{A0396A93-DC06-4AEF-BEE9-95FFCCAEF20E}": (ONEDRIVE + r"\amd64\FileSyncShell64.dll", "installed")}
    assert startup_findings(result) == {}


def test_junk_in_shell_extension_places_is_skipped_or_noted_never_a_crash(tmp_path: Path) -> None:
    root = tmp_path / "img"
    software = put_hive(root / "Windows/System32/config/SOFTWARE", "default")
    overlays = rf"{CV}\Explorer\ShellIconOverlayIdentifiers"
    hivex_plant(software, rf"{overlays}\Junk", [("@", "string:not a guid")])
    hivex_plant(software, rf"{overlays}\Binary", [("@", "hex:3:ff,fe,00,d8,41")])
    hivex_plant(software, rf"{overlays}\Empty", [("@", "string:{5E1F0C2A-0000-4000-8000-0000000000AA}")])
    hivex_plant(software, r"Classes\CLSID\{5E1F0C2A-0000-4000-8000-0000000000AA}\InprocServer32",
                [("@", "hex:3:00,d8,00,dc,ff")])
    hivex_plant(software, rf"{CV}\ShellServiceObjectDelayLoad", [("x", "dword:0x1"), ("y", "string:")])
    result = run_scan(open_image(str(root)), RULES)
    check = next(c for c in result.checks if c.name == "windows.shell_extensions")
    assert check.status in ("ok", "partial")
    names = {a.fields["name"] for a in extensions(result)}
    assert not names & {"Junk", "x", "y"}
