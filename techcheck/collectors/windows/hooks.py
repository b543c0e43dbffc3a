"""System hooks: settings that make Windows itself start a program or load a library.

Winlogon (Userinit, Shell, Taskman, AppSetup, Notify), Image File Execution Options debuggers,
SilentProcessExit monitors, AppInit_DLLs, AppCertDlls, LSA packages, print monitors, Netsh helpers
and BootExecute. Few ordinary programs touch these; each value is listed as it is, and rules judge
it with its origin. Places: Autoruns' Logon, Winlogon, Image Hijacks, AppInit, LSA Providers,
Print Monitors and Boot Execute tabs (https://learn.microsoft.com/en-us/sysinternals/downloads/autoruns).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from techcheck.artifacts import Artifact, Location, make
from techcheck.collectors.base import Context
from techcheck.collectors.windows.autostart import software_roots
from techcheck.collectors.windows.registry import (
    command_exe,
    open_noted,
    open_registry,
    subkeys_noted,
    value_list,
    value_noted,
    values_noted,
)
from techcheck.collectors.windows.startfacts import StartCollector
from techcheck.i18n import Message, Words
from techcheck.target.base import Target
from techcheck.target.registry import MACHINE_SOFTWARE, MACHINE_SYSTEM, Registry, RegKey

WINLOGON = "Microsoft\\Windows NT\\CurrentVersion\\Winlogon"
IFEO = "Microsoft\\Windows NT\\CurrentVersion\\Image File Execution Options"
SILENT_PROCESS_EXIT = "Microsoft\\Windows NT\\CurrentVersion\\SilentProcessExit"
WINDOWS_NT_WINDOWS = "Microsoft\\Windows NT\\CurrentVersion\\Windows"
NETSH = "Microsoft\\NetSh"
CONTROL = MACHINE_SYSTEM + "\\CurrentControlSet\\Control"
SESSION_MANAGER = CONTROL + "\\Session Manager"
LSA = CONTROL + "\\Lsa"
PRINT_MONITORS = CONTROL + "\\Print\\Monitors"
# Winlogon values that name programs; Taskman and AppSetup are unset on an ordinary Windows.
WINLOGON_VALUES = ("Userinit", "Shell", "Taskman", "AppSetup")
LSA_LISTS = ("Authentication Packages", "Security Packages", "Notification Packages")
GLOBAL_FLAG_MONITOR_SILENT_EXIT = 0x200  # IFEO GlobalFlag bit that switches SilentProcessExit monitoring on


@dataclass(frozen=True)
class Hook:
    """One program or library a hook makes Windows start or load."""

    key: RegKey
    mechanism: str
    name: str
    command: str
    trigger: Message  # when it runs, in words (i18n.Words in the field)
    description: Message
    exe: str = ""
    enabled: bool = True

    def artifact(self, user: str = "", scope: str = "system") -> Artifact:
        return make("autostart", Location(registry_key=self.key.path), mechanism=self.mechanism, name=self.name,
                    exe=self.exe or command_exe(self.command) or None, command=self.command, user=user,
                    scope=scope, enabled=self.enabled, trigger=Words(self.trigger),
                    description=Words(self.description))


def library_path(name: str) -> str:
    """A package or helper named without a folder is a DLL that Windows loads from System32."""
    name = name.strip().strip('"')
    if not name:
        return ""
    if "\\" not in name and "/" not in name:
        return "C:\\Windows\\System32\\" + (name if name.lower().endswith(".dll") else name + ".dll")
    return command_exe(name)


class WindowsSystemHooks(StartCollector):
    name = "windows.system_hooks"
    title = "Settings that make Windows load extra programs"

    def _entries(self, target: Target, ctx: Context) -> Iterator[Artifact]:
        reg = open_registry(target)
        for software, user, scope in software_roots(reg):
            if "wow6432node" not in software.lower():
                for hook in winlogon(reg, software, user, ctx):
                    yield hook.artifact(user, scope)
            if scope == "system":
                for hook in [*ifeo(reg, software, ctx), *appinit(reg, software, ctx)]:
                    yield hook.artifact()
        for hook in [*silent_process_exit(reg, ctx), *appcert(reg, ctx), *lsa_packages(reg, ctx),
                     *print_monitors(reg, ctx), *netsh_helpers(reg, ctx), *boot_execute(reg, ctx)]:
            yield hook.artifact()


def winlogon(reg: Registry, software: str, user: str, ctx: Context) -> Iterator[Hook]:
    key = open_noted(reg, f"{software}\\{WINLOGON}", ctx)
    if key is None:
        return
    for name in WINLOGON_VALUES:
        v = value_noted(key, name, ctx)
        command = v.text().strip() if v is not None else ""
        if command:
            first = command.split(",")[0]
            yield Hook(key, "winlogon", name, command, Message.of("fact.trigger_sign_in"),
                       Message.of("fact.desc_winlogon", name=name),
                       exe=command_exe(first, user))
    notify = key.subkey("Notify") if not user else None
    for sub in subkeys_noted(notify, ctx) if notify else []:
        dll = value_noted(sub, "DllName", ctx)
        if dll is not None and dll.text().strip():
            yield Hook(sub, "winlogon", f"Notify\\{sub.name}", dll.text().strip(),
                       Message.of("fact.trigger_sign_in_out_lock"),
                       Message.of("fact.desc_winlogon_notify"),
                       exe=library_path(dll.text()))


def ifeo(reg: Registry, software: str, ctx: Context) -> Iterator[Hook]:
    key = open_noted(reg, f"{software}\\{IFEO}", ctx)
    for sub in subkeys_noted(key, ctx) if key else []:
        debugger = value_noted(sub, "Debugger", ctx)
        if debugger is not None and debugger.text().strip():
            yield Hook(sub, "ifeo", sub.name, debugger.text().strip(),
                       Message.of("fact.trigger_whenever_starts", program=sub.name),
                       Message.of("fact.desc_ifeo_debugger", program=sub.name))


def silent_process_exit(reg: Registry, ctx: Context) -> Iterator[Hook]:
    for software in (MACHINE_SOFTWARE, MACHINE_SOFTWARE + "\\Wow6432Node"):
        key = open_noted(reg, f"{software}\\{SILENT_PROCESS_EXIT}", ctx)
        for sub in subkeys_noted(key, ctx) if key else []:
            monitor = value_noted(sub, "MonitorProcess", ctx)
            if monitor is None or not monitor.text().strip():
                continue
            ifeo_key = open_noted(reg, f"{software}\\{IFEO}\\{sub.name}", ctx)
            flag = value_noted(ifeo_key, "GlobalFlag", ctx) if ifeo_key else None
            number = flag.number() if flag is not None else None
            if number is None and flag is not None and flag.text().lower().startswith("0x"):
                number = int(flag.text(), 16) if _is_hex(flag.text()) else None
            enabled = bool(number and number & GLOBAL_FLAG_MONITOR_SILENT_EXIT)
            what = "fact.desc_silent_exit" if enabled else "fact.desc_silent_exit_off"
            yield Hook(sub, "silent_process_exit", sub.name, monitor.text().strip(),
                       Message.of("fact.trigger_whenever_closes", program=sub.name),
                       Message.of(what, program=sub.name),
                       enabled=enabled)


def _is_hex(text: str) -> bool:
    try:
        int(text, 16)
    except ValueError:
        return False
    return True


def appinit(reg: Registry, software: str, ctx: Context) -> Iterator[Hook]:
    key = open_noted(reg, f"{software}\\{WINDOWS_NT_WINDOWS}", ctx)
    dlls = value_noted(key, "AppInit_DLLs", ctx) if key else None
    if key is None or dlls is None or not dlls.text().strip():
        return
    load = value_noted(key, "LoadAppInit_DLLs", ctx)
    enabled = bool(load.number()) if load is not None else False
    command = dlls.text().strip()
    what = "fact.desc_appinit" if enabled else "fact.desc_appinit_off"
    yield Hook(key, "appinit", "AppInit_DLLs", command, Message.of("fact.trigger_programs_with_windows"),
               Message.of(what),
               exe=command_exe(command.replace(",", " ").split(" ")[0]), enabled=enabled)


def appcert(reg: Registry, ctx: Context) -> Iterator[Hook]:
    key = open_noted(reg, SESSION_MANAGER + "\\AppCertDlls", ctx)
    if key is None:
        return
    for v in values_noted(key, ctx):
        if v.text().strip():
            yield Hook(key, "appcert", v.name or "(default)", v.text().strip(),
                       Message.of("fact.trigger_programs_starting_others"),
                       Message.of("fact.desc_appcert"),
                       exe=library_path(v.text()))


def lsa_packages(reg: Registry, ctx: Context) -> Iterator[Hook]:
    for path in (LSA, LSA + "\\OSConfig"):
        key = open_noted(reg, path, ctx)
        if key is None:
            continue
        for list_name in LSA_LISTS:
            for package in value_list(value_noted(key, list_name, ctx)):
                yield Hook(key, "lsa_package", package, package, Message.of("fact.trigger_windows_start_lsa"),
                           Message.of("fact.desc_lsa_package", list=list_name.lower()),
                           exe=library_path(package))


def print_monitors(reg: Registry, ctx: Context) -> Iterator[Hook]:
    key = open_noted(reg, PRINT_MONITORS, ctx)
    for sub in subkeys_noted(key, ctx) if key else []:
        driver = value_noted(sub, "Driver", ctx)
        if driver is not None and driver.text().strip():
            yield Hook(sub, "print_monitor", sub.name, driver.text().strip(),
                       Message.of("fact.trigger_windows_start_spooler"),
                       Message.of("fact.desc_print_monitor"), exe=library_path(driver.text()))


def netsh_helpers(reg: Registry, ctx: Context) -> Iterator[Hook]:
    for software in (MACHINE_SOFTWARE, MACHINE_SOFTWARE + "\\Wow6432Node"):
        key = open_noted(reg, f"{software}\\{NETSH}", ctx)
        if key is None:
            continue
        for v in values_noted(key, ctx):
            if v.text().strip():
                yield Hook(key, "netsh_helper", v.name or "(default)", v.text().strip(),
                           Message.of("fact.trigger_whenever_netsh"),
                           Message.of("fact.desc_netsh_helper"), exe=library_path(v.text()))


def boot_execute(reg: Registry, ctx: Context) -> Iterator[Hook]:
    key = open_noted(reg, SESSION_MANAGER, ctx)
    if key is None:
        return
    for list_name in ("BootExecute", "SetupExecute"):
        for command in value_list(value_noted(key, list_name, ctx)):
            words = command.split()
            # "autocheck autochk *": the keyword autocheck, then the program in System32.
            program = words[1] if len(words) > 1 and words[0].lower() == "autocheck" else words[0]
            exe = command_exe(program) if "\\" in program else f"C:\\Windows\\System32\\{program}.exe"
            yield Hook(key, "boot_execute", list_name, command, Message.of("fact.trigger_windows_start_before_sign_in"),
                       Message.of("fact.desc_boot_execute", list=list_name), exe=exe)
