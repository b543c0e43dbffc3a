"""Where a Windows start-up entry comes from: part of Windows ("system"), an installed program or driver
package ("installed", naming it), or "unknown".

- Windows' own: hooks (Winlogon, LSA packages, print monitors, Netsh helpers, BootExecute, screen
  savers, WMI consumers) only when the entry is on the list below, by name and program path; other
  entries (Run values, tasks, services, Active Setup, Startup folders, shell extensions; Windows ships
  hundreds of shell extensions, all in System32) when the program lies in one of
  Windows' own folders (System32, SysWOW64, the Windows folder, Windows' folders in Program Files) and,
  for tasks, sits in the \\Microsoft\\Windows\\ task folder or runs a Windows program.
- A driver package: the program lies in the DriverStore, or its file name is listed in a third-party
  INF file (Windows/INF/oem*.inf); the INF's Provider names it. The SYSTEM hive itself records driver
  packages too, so a copy with only the registry still tells them apart:
  - a service (driver) whose `Owners` value (Windows 8 and later) names only third-party INF files
    (oem<N>.inf) comes from that package, named by its Provider in `DriverDatabase\\DriverPackages`;
    Windows' own drivers in System32\\drivers are owned by an INF Windows ships. (`Owners` and the
    driver database: https://learn.microsoft.com/en-us/windows-hardware/drivers/install/driver-store
    and the real Windows 10 SYSTEM hives in the test data, e.g. vmci = oem2.inf, VMware, Inc.)
  - a print monitor comes from a printer driver package of another maker registered in
    `Control\\Print\\Environments\\*\\Drivers` when the package names the monitor's DLL among its files
    or as its language monitor, or when the monitor is named after that package's provider or
    manufacturer. Printer makers install their monitors with their printer drivers
    (https://learn.microsoft.com/en-us/windows-hardware/drivers/print/installing-a-print-monitor); a
    monitor's DLL must lie in System32 (https://learn.microsoft.com/en-us/windows/win32/printdocs/addmonitor),
    so its folder tells nothing. Example from the real Windows 7 SYSTEM hive: "ThinPrint Print Port
    Monitor for VMWare" (TPVMMon.dll) beside the "TP Output Gateway" printer driver, provider ThinPrint,
    installed from the DriverStore package oemprint.inf (ThinPrint's .print engine is a printer driver,
    a port monitor and a service: http://bright-streams.com/?tag=printing).
- An installed program: the program lies in the folder of an entry of the programs list (machine or
  per-user), or in the same vendor folder of Program Files or AppData; a program in another Program
  Files folder (only administrators and installers can write there) is named by that folder.
- For an entry that runs a script or library through an interpreter (cmd, PowerShell, wscript,
  rundll32 ...), the origin is that of the script or library; inline code is "unknown".

Limits: a program an attacker with administrator rights puts inside System32 under a new name counts
as Windows' for services and tasks (hooks use the list); on Windows 7 (no `Owners` values) a third-party
driver in System32\\drivers counts as Windows' too. A Program Files folder counts as installed. A print
monitor named after an installed printer maker counts as that maker's: someone with administrator
rights could choose such a name.
"""

from __future__ import annotations

import fnmatch
import ntpath
import re
from collections.abc import Iterable
from dataclasses import dataclass

from techcheck.artifacts import Artifact
from techcheck.collectors.base import Context
from techcheck.collectors.windows.apps import UNINSTALL
from techcheck.collectors.windows.driverfacts import (
    PrintDriver,
    driver_files,
    driver_store,
    inbox_infs,
    package_label,
    print_drivers,
    service_packages,
)
from techcheck.collectors.windows.registry import command_exe, open_noted, subkeys_noted, values_noted
from techcheck.errors import NotAvailable
from techcheck.facts.origin import INSTALLED, SYSTEM, UNKNOWN
from techcheck.target.base import Target
from techcheck.target.registry import MACHINE_SOFTWARE, Registry

# Folders that hold Windows itself. Temp, Tasks and debug folders inside Windows do not count.
WINDOWS_FOLDERS = ("c:\\windows\\system32\\", "c:\\windows\\syswow64\\", "c:\\windows\\sysnative\\",
                   "c:\\windows\\microsoft.net\\", "c:\\windows\\winsxs\\", "c:\\windows\\servicing\\",
                   "c:\\windows\\systemapps\\", "c:\\windows\\immersivecontrolpanel\\", "c:\\windows\\ehome\\",
                   "c:\\program files\\windows defender\\", "c:\\program files (x86)\\windows defender\\",
                   "c:\\programdata\\microsoft\\windows defender\\platform\\",
                   "c:\\program files\\windows mail\\", "c:\\program files (x86)\\windows mail\\",
                   "c:\\program files\\windows sidebar\\", "c:\\program files (x86)\\windows sidebar\\",
                   "c:\\program files\\windows media player\\", "c:\\program files (x86)\\windows media player\\",
                   "c:\\program files\\windows photo viewer\\", "c:\\program files\\windows nt\\",
                   "c:\\program files\\internet explorer\\", "c:\\program files (x86)\\internet explorer\\",
                   "c:\\program files\\common files\\microsoft shared\\ink\\",
                   "c:\\program files\\windows defender advanced threat protection\\",
                   "c:\\program files\\windows security\\")
WINDOWS_ROOT_PROGRAMS = ("c:\\windows\\explorer.exe", "c:\\windows\\regedit.exe", "c:\\windows\\hh.exe",
                         "c:\\windows\\notepad.exe")
NOT_WINDOWS = ("c:\\windows\\system32\\tasks\\", "c:\\windows\\syswow64\\tasks\\", "c:\\windows\\temp\\",
               "c:\\windows\\system32\\spool\\drivers\\color\\", "c:\\windows\\system32\\config\\")
PATH_RULE_MECHANISMS = {"run_key", "scheduled_task", "service", "active_setup", "startup_folder", "shell_extension",
                        "com_override"}
INTERPRETERS = {"cmd.exe", "powershell.exe", "pwsh.exe", "wscript.exe", "cscript.exe", "mshta.exe",
                "rundll32.exe", "regsvr32.exe"}


@dataclass(frozen=True)
class WindowsEntry:
    """One of Windows' own start-up entries: mechanism, entry name and program path (lower-case globs)."""

    mechanism: str
    name: str
    program: str
    command: str = "*"  # glob on the whole command, when the name and program are not enough


def _dlls(mechanism: str, names: Iterable[str]) -> list[WindowsEntry]:
    return [WindowsEntry(mechanism, "*", f"c:\\windows\\system32\\{n}") for n in names]


WINDOWS_ENTRIES: tuple[WindowsEntry, ...] = (
    # Winlogon defaults: https://learn.microsoft.com/en-us/windows-hardware/customize/desktop/unattend/microsoft-windows-shell-setup-winlogon
    # (Shell = explorer.exe) and Userinit = %SystemRoot%\system32\userinit.exe, (MITRE T1547.004).
    WindowsEntry("winlogon", "userinit", "c:\\windows\\system32\\userinit.exe", "c:\\windows\\system32\\userinit.exe*"),
    WindowsEntry("winlogon", "userinit", "userinit.exe", "userinit.exe*"),
    WindowsEntry("winlogon", "shell", "explorer.exe", "explorer.exe"),
    WindowsEntry("winlogon", "shell", "c:\\windows\\explorer.exe", "c:\\windows\\explorer.exe"),
    # LSA packages: https://learn.microsoft.com/en-us/windows/win32/secauthn/ssp-packages-provided-by-microsoft
    # and the real Windows 7 / 10 SYSTEM hives in tests/data/realdata (SshdPinAuthLsa: Windows 10 1709).
    *_dlls("lsa_package", ["msv1_0.dll", "kerberos.dll", "schannel.dll", "wdigest.dll", "tspkg.dll", "pku2u.dll",
                           "cloudap.dll", "negoexts.dll", "livessp.dll", "scecli.dll", "rassfm.dll",
                           "sshdpinauthlsa.dll", "wsauth.dll"]),
    # Print monitors Windows ships: https://learn.microsoft.com/en-us/windows-hardware/drivers/print/print-monitor
    # and the real SYSTEM hives (APMon/WSDMon, AppMon, FXSMON; IPPMon, the Internet Printing Protocol port
    # monitor of Windows 10 in tests/data/windows/registry/SYSTEM_B).
    *_dlls("print_monitor", ["localspl.dll", "tcpmon.dll", "usbmon.dll", "wsdmon.dll", "apmon.dll", "appmon.dll",
                             "fxsmon.dll", "pjlmon.dll", "lprmon.dll", "mspmon.dll", "ippmon.dll"]),
    # Netsh helpers of Windows 10 (HKLM\SOFTWARE\Microsoft\NetSh; MITRE T1546.007 lists the mechanism).
    *_dlls("netsh_helper", ["ifmon.dll", "rasmontr.dll", "authfwcfg.dll", "dhcpcmonitor.dll", "dot3cfg.dll",
                            "fwcfg.dll", "hnetmon.dll", "netiohlp.dll", "nettrace.dll", "nshhttp.dll", "nshipsec.dll",
                            "nshwfp.dll", "p2pnetsh.dll", "peerdistsh.dll", "rpcnsh.dll", "wcnnetsh.dll",
                            "whhelper.dll", "wlancfg.dll", "wshelper.dll", "wwancfg.dll", "napmontr.dll",
                            "dhcpmonitor.dll", "netprofm.dll", "wfapigp.dll"]),
    # BootExecute default: https://learn.microsoft.com/en-us/windows-hardware/drivers/devtest/boot-options
    # ("autocheck autochk *" runs the disk check before Windows starts).
    WindowsEntry("boot_execute", "bootexecute", "c:\\windows\\system32\\autochk.exe", "autocheck autochk *"),
    # Screen savers in System32 (Windows 7-11).
    *[WindowsEntry("screensaver", "*", f"c:\\windows\\{d}\\{n}") for d in ("system32", "syswow64")
      for n in ("scrnsave.scr", "bubbles.scr", "mystify.scr", "ribbons.scr", "sstext3d.scr",
                "photoscreensaver.scr", "logon.scr")],
    # Windows 7 / Server 2008 shipped this WMI consumer (PyWMIPersistenceFinder marks it "common, possibly
    # legitimate": https://github.com/davidpany/WMI_Forensics).
    WindowsEntry("wmi_subscription", "bvtconsumer", "*", "cscript kernca*.vbs"),
    # Microsoft Defender's kernel driver that comes with each security intelligence update, loaded from
    # its update folder under a new name each time (MpKsl<8 hex digits>): the real Windows 10 SYSTEM hive
    # tests/data/windows/registry/SYSTEM_B (MpKslb17392d7); the folder: https://learn.microsoft.com/en-us/defender-endpoint/manage-updates-baselines-microsoft-defender-antivirus
    WindowsEntry("service", "mpksl*",
                 "c:\\programdata\\microsoft\\windows defender\\definition updates\\*\\mpksl*.sys"),
)


@dataclass(frozen=True)
class ProgramFolder:
    folder: str  # lower-case, ending in a backslash
    name: str


def _folder(path: str) -> str:
    path = path.strip().strip('"').lower().rstrip("\\")
    return path + "\\" if path else ""


def in_windows_folder(path: str) -> bool:
    low = path.lower()
    if low.startswith(NOT_WINDOWS):
        return False
    return low.startswith(WINDOWS_FOLDERS) or low in WINDOWS_ROOT_PROGRAMS


VENDOR_ROOTS = re.compile(r"^(c:\\program files( \(x86\))?\\|c:\\programdata\\|c:\\users\\[^\\]+\\appdata\\"
                          r"(local|roaming|locallow)\\(programs\\)?)([^\\]+)\\(([^\\]+)\\)?")
SHARED_VENDOR = {"microsoft"}  # one level deeper: Microsoft\OneDrive and Microsoft\Teams are different programs
TOO_WIDE = {"common files", "windowsapps", "package cache", "programs", "temp", "packages"}


def vendor_folder(path: str) -> str:
    """The vendor folder of a path as written (its case kept): C:\\Program Files (x86)\\Google."""
    m = VENDOR_ROOTS.match(path.lower())
    if not m:
        return ""
    end = m.end(7) if m.group(5) in SHARED_VENDOR and m.group(7) else m.end(5)
    return path[:end]


def vendor_key(path: str) -> str:
    """'c:\\program files\\google' for anything below either Program Files\\Google; per-user roots keep the
    user; below Microsoft the next folder counts too."""
    m = VENDOR_ROOTS.match(path.lower())
    if not m or m.group(5) in TOO_WIDE:
        return ""
    root = m.group(1)
    if root.startswith("c:\\program files"):
        root = "c:\\program files\\"
    if m.group(5) in SHARED_VENDOR:
        return root + m.group(5) + "\\" + m.group(7) if m.group(7) else ""
    return root + m.group(5)


class WindowsOrigins:
    """Answers "where does this program come from" for one scan of one Windows system."""

    def __init__(self, programs: list[ProgramFolder], driver_files: dict[str, str],
                 inbox_infs: set[str] | None = None, service_packages: dict[str, str] | None = None,
                 print_drivers: list[PrintDriver] | None = None, driver_store: dict[str, str] | None = None) -> None:
        self.programs = sorted(programs, key=lambda p: len(p.folder), reverse=True)
        self.vendors = {vendor_key(p.folder): p.name for p in reversed(self.programs) if vendor_key(p.folder)}
        self.user_vendors: dict[tuple[str, str], str] = {}
        for vendor, name in self.vendors.items():
            m = re.match(r"c:\\users\\[^\\]+\\appdata\\(local|roaming)\\(.+)$", vendor)
            if m:
                self.user_vendors.setdefault((m.group(1), m.group(2)), name)
        self.driver_files = driver_files  # lower-case file name -> provider
        self.inbox_infs = inbox_infs or set()  # INF names Windows ships (they keep their name in Windows/INF)
        self.service_packages = service_packages or {}  # lower-case service name -> driver package label
        self.print_drivers = print_drivers or []
        self.driver_store = driver_store or {}  # DriverStore folder name -> "<inf>\t<provider>" (driver database)

    def of_program(self, exe: str, mechanism: str) -> tuple[str, str]:
        """(origin, origin_name) of a program or library path."""
        low = exe.lower().strip('"')
        if not low:
            return UNKNOWN, ""
        store = re.match(r"c:\\windows\\system32\\driverstore\\filerepository\\(([^\\]+?\.inf)_[^\\]*)", low)
        if store:
            inf = store.group(2)
            if inf in self.inbox_infs:
                return SYSTEM, "Windows"
            if store.group(1) in self.driver_store:  # the SYSTEM hive's driver database knows the package
                by_microsoft, label = package_label(self.driver_store[store.group(1)])
                return (SYSTEM, "Windows") if by_microsoft else (INSTALLED, label)
            return INSTALLED, self.driver_files.get(inf, f"driver package {inf}")
        unresolved = re.match(r"%(localappdata|appdata)%\\(.+)$", low)
        if unresolved:  # a task of an account whose folder is not known: compare with every person's programs
            return self._any_users_program(unresolved.group(1), unresolved.group(2))
        base = ntpath.basename(low)
        if low.startswith(("c:\\windows\\system32\\", "c:\\windows\\syswow64\\")) and base in self.driver_files:
            return INSTALLED, self.driver_files[base]
        found = self._listed_program(exe, low)
        if found is not None:
            return found
        if mechanism in PATH_RULE_MECHANISMS and in_windows_folder(low):
            return SYSTEM, "Windows"
        return _program_files_origin(exe, low)

    def _any_users_program(self, variable: str, rest_of_path: str) -> tuple[str, str]:
        area = "local" if variable == "localappdata" else "roaming"
        for (vendor_area, rest), name in self.user_vendors.items():
            if vendor_area == area and rest_of_path.startswith(rest + "\\"):
                return INSTALLED, name
        return UNKNOWN, ""

    def _listed_program(self, exe: str, low: str) -> tuple[str, str] | None:
        """A program of the programs list: in its folder, or in its maker's folder."""
        for p in self.programs:
            if low.startswith(p.folder):
                return INSTALLED, p.name
        vendor = vendor_key(low)
        if vendor in self.vendors:
            shown = ntpath.basename(vendor_folder(exe.strip('"')))
            name = self.vendors[vendor]
            # Another program in the same maker's folder: named by the folder, with the listed program beside it.
            return INSTALLED, name if shown.lower() == name.lower() else f"{shown} (the maker of {name})"
        return None

    def is_windows_entry(self, art: Artifact) -> bool:
        mechanism = "service" if art.kind == "service" else str(art.get("mechanism") or "")
        name = str(art.get("name") or "").lower()
        exe = str(art.get("exe") or "").lower()
        command = " ".join(str(art.get("command") or "").lower().split())
        return any(e.mechanism == mechanism and fnmatch.fnmatchcase(name, e.name)
                   and fnmatch.fnmatchcase(exe, e.program) and fnmatch.fnmatchcase(command, e.command)
                   for e in WINDOWS_ENTRIES)

    def resolve(self, art: Artifact, runs: str = "", inline: bool = False) -> tuple[str, str]:
        """(origin, origin_name) of an autostart or service artifact. `runs` is the script or library an
        interpreter is told to run; `inline` means it runs code given on its command line."""
        mechanism = "service" if art.kind == "service" else str(art.get("mechanism") or "")
        if self.is_windows_entry(art):
            return SYSTEM, "Windows"
        if mechanism == "scheduled_task" and self._windows_task(art):
            return SYSTEM, "Windows"
        exe = str(art.get("exe") or "")
        if ntpath.basename(exe).lower() in INTERPRETERS and (runs or inline):
            if inline or not runs:
                return UNKNOWN, ""
            return self.of_program(runs, mechanism)
        if art.kind == "service" and art.get("service_dll"):
            dll_origin = self.of_program(str(art.get("service_dll")), mechanism)
            if dll_origin[0] != SYSTEM:
                return dll_origin
        return self._from_driver_package(art, mechanism, exe, self.of_program(exe, mechanism))

    def _from_driver_package(self, art: Artifact, mechanism: str, exe: str,
                             found: tuple[str, str]) -> tuple[str, str]:
        """A service in Windows' folders installed from another maker's driver package (Owners), or a
        print monitor in System32 from another maker's printer driver; else `found` as it is."""
        if art.kind == "service" and found[0] == SYSTEM:
            package = self.service_packages.get(str(art.get("name") or "").lower())
            if package:
                return INSTALLED, package
        if mechanism == "print_monitor" and found[0] == UNKNOWN and in_windows_folder(exe):
            monitor = str(art.get("name") or "")
            driver = next((d for d in self.print_drivers if d.names_monitor(monitor, ntpath.basename(exe))), None)
            if driver is not None:
                return INSTALLED, driver.label
        return found

    def _windows_task(self, art: Artifact) -> bool:
        name = str(art.get("name") or "").lower().lstrip("\\")
        if not name.startswith("microsoft\\windows\\"):
            return False
        command = str(art.get("command") or "")
        if command.startswith("COM handler "):
            return True
        return in_windows_folder(str(art.get("exe") or "")) and ntpath.basename(
            str(art.get("exe") or "")).lower() not in INTERPRETERS


# --- gathering the facts once per scan (driver facts in driverfacts.py) -----------------------

def programs_list_folders(reg: Registry, ctx: Context) -> list[ProgramFolder]:
    """Folders of the programs-list entries (machine and per-user): InstallLocation, else the folder of
    the icon or of the uninstaller, when that folder belongs to one program."""
    roots = [MACHINE_SOFTWARE, MACHINE_SOFTWARE + "\\Wow6432Node"] + [h + "\\Software" for h in reg.user_hives()]
    folders: list[ProgramFolder] = []
    for software in roots:
        key = open_noted(reg, f"{software}\\{UNINSTALL}", ctx)
        for sub in subkeys_noted(key, ctx) if key else []:
            values = {v.name.lower(): v.text() for v in values_noted(sub, ctx)}
            name = values.get("displayname", "").strip() or sub.name
            candidates = [_folder(values.get("installlocation", ""))]
            candidates += [_folder(ntpath.dirname(command_exe(values.get(v, "").split(",")[0])))
                           for v in ("displayicon", "uninstallstring")]
            folder = next((c for c in candidates if c and program_owned(c)), "")
            if folder:
                folders.append(ProgramFolder(folder, name))
    return folders


def program_owned(folder: str) -> bool:
    """A folder that belongs to one program: not inside Windows, not a shared cache, not a bare root."""
    if folder.startswith(("c:\\windows\\", "c:\\programdata\\package cache\\")) or in_windows_folder(folder):
        return False
    if vendor_key(folder):
        return True
    home = re.match(r"c:\\users\\[^\\]+\\([^\\]+)\\", folder)
    if home:  # a program folder right in a person's home (C:\\Users\\ana\\Anaconda3)
        return home.group(1) not in ("appdata", "desktop", "documents", "downloads", "onedrive")
    return folder.count("\\") >= 3


_CACHE: dict[int, tuple[Target, WindowsOrigins]] = {}


def windows_origins(target: Target, ctx: Context) -> WindowsOrigins:
    """The origin facts of this target, gathered once per scan (the programs list and INF files)."""
    cached = _CACHE.get(id(target))
    if cached is not None and cached[0] is target:
        return cached[1]
    quiet = Context()  # the programs and services checks note damage in these keys
    try:
        reg = target.registry()
        folders = programs_list_folders(reg, quiet)
        store = driver_store(reg, quiet)
        packages, printers = service_packages(reg, store, quiet), print_drivers(reg, quiet)
    except NotAvailable:
        folders, store, packages, printers = [], {}, {}, []
    origins = WindowsOrigins(folders, driver_files(target, ctx), inbox_infs(target), packages, printers, store)
    _CACHE.clear()
    _CACHE[id(target)] = (target, origins)
    return origins


def _program_files_origin(exe: str, low: str) -> tuple[str, str]:
    """A program in Program Files that no list names: named by its folder. Common Files and
    Microsoft are shared: the folder below them names the program or vendor."""
    m = re.match(r"c:\\program files( \(x86\))?\\(common files\\|microsoft\\)?([^\\]+)\\", low)
    if m and m.group(3) not in ("windowsapps",):
        return INSTALLED, ntpath.basename(exe.strip('"')[: m.end() - 1]) + " (folder in Program Files)"
    if low.startswith("c:\\program files\\windowsapps\\"):
        return INSTALLED, "a Microsoft Store app"
    return UNKNOWN, ""
