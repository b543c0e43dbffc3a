"""Things Windows starts by itself: Run keys, Active Setup, single values that name a program
(Command Processor AutoRun, sign-in script, screen saver, remote desktop initial program), Startup
folders. System hooks (Winlogon, debuggers, LSA ...) are in hooks.py."""

from __future__ import annotations

import posixpath
import uuid
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from techcheck.artifacts import Artifact, Location, make
from techcheck.collectors.base import Context, list_dir_noted
from techcheck.collectors.common.parsing import user_homes
from techcheck.collectors.windows.registry import (
    command_exe,
    open_noted,
    open_registry,
    subkeys_noted,
    value_names_noted,
    value_noted,
    values_noted,
)
from techcheck.collectors.windows.startfacts import StartCollector
from techcheck.errors import NotAvailable, TargetError
from techcheck.i18n import N_, Message, Words, err_detail
from techcheck.target.base import Target
from techcheck.target.registry import MACHINE_SOFTWARE, MACHINE_SYSTEM, USERS_PREFIX, Registry, RegKey

CURRENT_VERSION = "Microsoft\\Windows\\CurrentVersion"
# Under ...\CurrentVersion; Policies\Explorer\Run is the Group Policy list of programs to start.
RUN_KEYS = ("Run", "RunOnce", "RunOnceEx", "Policies\\Explorer\\Run")
ACTIVE_SETUP = "Microsoft\\Active Setup\\Installed Components"
STARTUP_APPROVED = "Microsoft\\Windows\\CurrentVersion\\Explorer\\StartupApproved"

SHELL_LINK_CLSID = uuid.UUID("00021401-0000-0000-C000-000000000046").bytes_le
MACHINE_STARTUP = "/ProgramData/Microsoft/Windows/Start Menu/Programs/StartUp"
USER_STARTUP = "AppData/Roaming/Microsoft/Windows/Start Menu/Programs/Startup"


def software_roots(reg: Registry) -> list[tuple[str, str, str]]:
    """(SOFTWARE path prefix, user, scope) for the machine (64- and 32-bit views) and each user."""
    roots = [(MACHINE_SOFTWARE, "", "system"), (MACHINE_SOFTWARE + "\\Wow6432Node", "", "system")]
    for hive in reg.user_hives():
        roots.append((hive + "\\Software", reg.user_of(hive), "user"))
        roots.append((hive + "\\Software\\Wow6432Node", reg.user_of(hive), "user"))
    return roots


def startup_disabled(reg: Registry, software: str, ctx: Context, which: str = "Run") -> set[str]:
    """Entries switched off in Task Manager (StartupApproved\\<which>: first byte odd = disabled).

    The switches for the 32-bit Run key live beside the 64-bit ones, under "Run32".
    """
    wow = "\\wow6432node"
    if software.lower().endswith(wow):
        software, which = software[: -len(wow)], which + "32"
    return value_names_noted(reg, f"{software}\\{STARTUP_APPROVED}\\{which}", ctx,
                             lambda v: isinstance(v.data, bytes) and v.data and v.data[0] & 1)


class WindowsRegistryAutostart(StartCollector):
    name = "windows.autostart"
    title = "Programs set to start by themselves (registry)"

    def _entries(self, target: Target, ctx: Context) -> Iterator[Artifact]:
        reg = open_registry(target)
        for software, user, scope in software_roots(reg):
            disabled = startup_disabled(reg, software, ctx)
            for run in RUN_KEYS:
                key = open_noted(reg, f"{software}\\{CURRENT_VERSION}\\{run}", ctx)
                if key is not None:
                    yield from self._run_values(key, run, user, scope, disabled, ctx)
            if scope == "system":
                yield from self._active_setup(reg, software, ctx)
        yield from value_places(reg, ctx)

    def _run_values(self, key: RegKey, run: str, user: str, scope: str, disabled: set[str],
                    ctx: Context) -> Iterator[Artifact]:
        keys = [key]
        if run == "RunOnceEx":  # RunOnceEx keeps its commands in numbered subkeys, libraries in their Depend keys
            for sub in subkeys_noted(key, ctx):
                keys += [sub, *subkeys_noted(sub, ctx)]
        for k in keys:
            for v in values_noted(k, ctx):
                command = v.text()
                if not command or (run == "RunOnceEx" and k is key):
                    continue
                yield make("autostart", Location(registry_key=k.path), mechanism="run_key",
                           name=v.name or "(default)", exe=command_exe(command, user), command=command,
                           user=user, scope=scope, enabled=v.name.lower() not in disabled,
                           trigger=Words(Message.of("fact.trigger_next_sign_in_once") if run.startswith("RunOnce")
                                         else Message.of("fact.trigger_sign_in")),
                           description=Words(Message.of("fact.desc_run_value", key=run)))

    def _active_setup(self, reg: Registry, software: str, ctx: Context) -> Iterator[Artifact]:
        key = open_noted(reg, f"{software}\\{ACTIVE_SETUP}", ctx)
        for sub in subkeys_noted(key, ctx) if key else []:
            stub = value_noted(sub, "StubPath", ctx)
            if stub is None or not stub.text().strip():
                continue
            label = value_noted(sub, "", ctx)
            installed = value_noted(sub, "IsInstalled", ctx)
            command = stub.text().strip()
            yield make("autostart", Location(registry_key=sub.path), mechanism="active_setup", name=sub.name,
                       exe=command_exe(command), command=command, scope="system",
                       enabled=installed is None or installed.number() != 0,
                       trigger=Words(Message.of("fact.trigger_first_sign_in_each")),
                       description="Active Setup StubPath" + (f": {label.text()}" if label and label.text() else ""))


# --- single values that name a program ------------------------------------------------------

@dataclass(frozen=True)
class ValuePlace:
    """A registry value that makes Windows run the program it names."""

    mechanism: str
    key: str  # below the root named by `root`
    value: str
    root: str  # "software" (each SOFTWARE root), "user" (each user's hive root), "system" (HKLM\SYSTEM)
    trigger: str  # message ids: when it runs and what it is, in words
    description: str


VALUE_PLACES = (
    ValuePlace("cmd_autorun", "Microsoft\\Command Processor", "AutoRun", "software",
               N_("fact.trigger_cmd_opens"), N_("fact.desc_cmd_autorun")),
    ValuePlace("logon_script", "Environment", "UserInitMprLogonScript", "user", N_("fact.trigger_sign_in"),
               N_("fact.desc_logon_script")),
    ValuePlace("screensaver", "Control Panel\\Desktop", "SCRNSAVE.EXE", "user", N_("fact.trigger_screen_saver"),
               N_("fact.desc_screen_saver")),
    ValuePlace("ts_initial_program", "CurrentControlSet\\Control\\Terminal Server\\WinStations\\RDP-Tcp",
               "InitialProgram", "system", N_("fact.trigger_remote_desktop_sign_in"),
               N_("fact.desc_ts_initial_program")),
    ValuePlace("ts_initial_program", "Policies\\Microsoft\\Windows NT\\Terminal Services", "InitialProgram",
               "software", N_("fact.trigger_remote_desktop_sign_in"),
               N_("fact.desc_ts_policy_initial_program")),
)


def value_place_roots(reg: Registry, place: ValuePlace) -> list[tuple[str, str, str]]:
    if place.root == "system":
        return [(MACHINE_SYSTEM, "", "system")]
    if place.root == "user":
        return [(hive, reg.user_of(hive), "user") for hive in reg.user_hives()]
    return [r for r in software_roots(reg) if "wow6432node" not in r[0].lower()]


def value_places(reg: Registry, ctx: Context) -> Iterator[Artifact]:
    for place in VALUE_PLACES:
        for root, user, scope in value_place_roots(reg, place):
            key = open_noted(reg, f"{root}\\{place.key}", ctx)
            v = value_noted(key, place.value, ctx) if key else None
            if key is None or v is None or not v.text().strip():
                continue
            command = v.text().strip()
            enabled = True
            if place.mechanism == "screensaver":
                active = value_noted(key, "ScreenSaveActive", ctx)
                enabled = active is None or active.text().strip() != "0"
            yield make("autostart", Location(registry_key=key.path), mechanism=place.mechanism, name=place.value,
                       exe=command_exe(command, user), command=command, user=user, scope=scope, enabled=enabled,
                       trigger=Words(Message.of(place.trigger)),
                       description=Words(Message.of(place.description)))


# --- Startup folders --------------------------------------------------------------------------

def parse_lnk(data: bytes) -> tuple[str, str]:
    """(target path, arguments) of a Windows shortcut (.lnk). Raises ValueError when unreadable."""
    import LnkParse3

    if data[:4] != b"L\x00\x00\x00" or data[4:20] != SHELL_LINK_CLSID:
        raise ValueError("not a Windows shortcut (no shell-link header)")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # LnkParse3 warns about odd fields; we report failures ourselves
            info: dict[str, Any] = LnkParse3.lnk_file(indata=data).get_json()
    except Exception as exc:  # noqa: BLE001 - a broken shortcut is a note, never a crash
        raise ValueError(f"not a readable shortcut: {type(exc).__name__}: {exc}") from exc
    link = info.get("link_info") or {}
    strings = info.get("data") or {}
    base = link.get("local_base_path_unicode") or link.get("local_base_path") or ""
    suffix = link.get("common_path_suffix_unicode") or link.get("common_path_suffix") or ""
    target = (base + suffix) if base else (strings.get("relative_path") or "")
    return str(target), str(strings.get("command_line_arguments") or "")


def startup_folders(target: Target) -> list[tuple[str, str, str]]:
    """(folder, user, scope) for every Startup folder on the system."""
    folders = [(MACHINE_STARTUP, "", "system")]
    for home in user_homes(target):
        folders.append((f"{home.home}/{USER_STARTUP}", home.user, "user"))
    return folders


class WindowsStartupFolders(StartCollector):
    name = "windows.startup_folders"
    title = "Programs in the Startup folders"

    def _entries(self, target: Target, ctx: Context) -> Iterator[Artifact]:
        try:
            reg: Registry | None = target.registry()
        except NotAvailable:
            reg = None  # still list the files; only the Task Manager on/off switch is unknown
        for folder, user, scope in startup_folders(target):
            software = MACHINE_SOFTWARE if scope == "system" else f"{USERS_PREFIX}{user}\\Software"
            disabled = startup_disabled(reg, software, ctx, "StartupFolder") if reg else set()
            for path in list_dir_noted(target, ctx, folder):
                name = posixpath.basename(path)
                # Windows ignores sub-folders here; anything else odd (a pipe, a broken link) is read and noted.
                if name.lower() == "desktop.ini" or target.is_dir(path):
                    continue
                shown = target.display_path(path)
                exe, args = shown, ""
                if name.lower().endswith(".lnk"):
                    try:
                        exe, args = parse_lnk(target.read_bytes(path, 4 * 1024 * 1024))
                    except (TargetError, ValueError) as exc:
                        ctx.note(shown, Message.of("note.shortcut_unreadable", detail=err_detail(exc)))
                        exe, args = "", ""
                command = " ".join(p for p in (f'"{exe}"' if " " in exe else exe, args) if p)
                yield make("autostart", Location(path=shown), mechanism="startup_folder", name=name,
                           exe=exe or None, command=command or shown, user=user, scope=scope,
                           enabled=name.lower() not in disabled,
                           trigger=Words(Message.of("fact.trigger_sign_in")),
                           description=Words(Message.of("fact.desc_startup_folder_file")))
