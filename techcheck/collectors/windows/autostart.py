"""Things Windows starts by itself: Run keys, Winlogon, debugger hijacks, AppInit DLLs, Startup folders."""

from __future__ import annotations

import posixpath
import uuid
import warnings
from collections.abc import Iterable, Iterator
from typing import Any

from techcheck.artifacts import Artifact, Location, make
from techcheck.collectors.base import Collector, Context, list_dir_noted
from techcheck.collectors.common.parsing import user_homes
from techcheck.collectors.windows.registry import (
    command_exe,
    open_noted,
    open_registry,
    subkeys_noted,
    value_noted,
    values_noted,
)
from techcheck.errors import NotAvailable, TargetError
from techcheck.target.base import Target
from techcheck.target.registry import MACHINE_SOFTWARE, USERS_PREFIX, Registry, RegKey

CURRENT_VERSION = "Microsoft\\Windows\\CurrentVersion"
# Under ...\CurrentVersion; Policies\Explorer\Run is the Group Policy list of programs to start.
RUN_KEYS = ("Run", "RunOnce", "RunOnceEx", "Policies\\Explorer\\Run")
WINLOGON = "Microsoft\\Windows NT\\CurrentVersion\\Winlogon"
IFEO = "Microsoft\\Windows NT\\CurrentVersion\\Image File Execution Options"
WINDOWS_NT_WINDOWS = "Microsoft\\Windows NT\\CurrentVersion\\Windows"
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
    key = open_noted(reg, f"{software}\\{STARTUP_APPROVED}\\{which}", ctx)
    off: set[str] = set()
    for v in values_noted(key, ctx) if key else []:
        if isinstance(v.data, bytes) and v.data and v.data[0] & 1:
            off.add(v.name.lower())
    return off


class WindowsRegistryAutostart(Collector):
    name = "windows.autostart"
    title = "Programs set to start by themselves (registry)"
    platforms = ("windows",)

    def collect(self, target: Target, ctx: Context) -> Iterable[Artifact]:
        reg = open_registry(target)
        for software, user, scope in software_roots(reg):
            disabled = startup_disabled(reg, software, ctx)
            for run in RUN_KEYS:
                key = open_noted(reg, f"{software}\\{CURRENT_VERSION}\\{run}", ctx)
                if key is not None:
                    yield from self._run_values(key, run, user, scope, disabled, ctx)
            yield from self._winlogon(reg, software, user, scope, ctx)
            if scope == "system":
                yield from self._ifeo(reg, software, ctx)
                yield from self._appinit(reg, software, ctx)

    def _run_values(self, key: RegKey, run: str, user: str, scope: str, disabled: set[str],
                    ctx: Context) -> Iterator[Artifact]:
        keys = [key]
        if run == "RunOnceEx":  # RunOnceEx keeps its commands in numbered subkeys
            keys += list(subkeys_noted(key, ctx))
        for k in keys:
            for v in values_noted(k, ctx):
                command = v.text()
                if not command or (run == "RunOnceEx" and k is key):
                    continue
                yield make("autostart", Location(registry_key=k.path), mechanism="run_key",
                           name=v.name or "(default)", exe=command_exe(command, user), command=command,
                           user=user, scope=scope, enabled=v.name.lower() not in disabled,
                           trigger="next sign-in (once)" if run.startswith("RunOnce") else "sign-in",
                           description=f"{run} value")

    def _winlogon(self, reg: Registry, software: str, user: str, scope: str, ctx: Context) -> Iterator[Artifact]:
        if "wow6432node" in software.lower():
            return
        key = open_noted(reg, f"{software}\\{WINLOGON}", ctx)
        if key is None:
            return
        for name in ("Userinit", "Shell"):
            v = value_noted(key, name, ctx)
            if v is None or not v.text().strip():
                continue
            command = v.text().strip()
            yield make("autostart", Location(registry_key=key.path), mechanism="winlogon", name=name,
                       exe=command_exe(command.split(",")[0], user), command=command, user=user,
                       scope=scope, enabled=True, trigger="sign-in",
                       description=f"Winlogon {name}: what Windows starts when someone signs in")

    def _ifeo(self, reg: Registry, software: str, ctx: Context) -> Iterator[Artifact]:
        key = open_noted(reg, f"{software}\\{IFEO}", ctx)
        for sub in subkeys_noted(key, ctx) if key else []:
            debugger = value_noted(sub, "Debugger", ctx)
            if debugger is None or not debugger.text().strip():
                continue
            command = debugger.text().strip()
            yield make("autostart", Location(registry_key=sub.path), mechanism="ifeo", name=sub.name,
                       exe=command_exe(command), command=command, scope="system", enabled=True,
                       trigger=f"whenever {sub.name} starts",
                       description=f"Image File Execution Options Debugger for {sub.name}")

    def _appinit(self, reg: Registry, software: str, ctx: Context) -> Iterator[Artifact]:
        key = open_noted(reg, f"{software}\\{WINDOWS_NT_WINDOWS}", ctx)
        if key is None:
            return
        dlls = value_noted(key, "AppInit_DLLs", ctx)
        if dlls is None or not dlls.text().strip():
            return
        load = value_noted(key, "LoadAppInit_DLLs", ctx)
        enabled = bool(load.number()) if load is not None else False
        command = dlls.text().strip()
        yield make("autostart", Location(registry_key=key.path), mechanism="appinit", name="AppInit_DLLs",
                   exe=command_exe(command.replace(",", " ").split(" ")[0]), command=command, scope="system",
                   enabled=enabled, trigger="every program that shows windows",
                   description="AppInit_DLLs: libraries loaded into programs" +
                   ("" if enabled else " (LoadAppInit_DLLs is off)"))


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


class WindowsStartupFolders(Collector):
    name = "windows.startup_folders"
    title = "Programs in the Startup folders"
    platforms = ("windows",)

    def collect(self, target: Target, ctx: Context) -> Iterable[Artifact]:
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
                        ctx.note(shown, f"could not read the shortcut: {exc}")
                        exe, args = "", ""
                command = " ".join(p for p in (f'"{exe}"' if " " in exe else exe, args) if p)
                yield make("autostart", Location(path=shown), mechanism="startup_folder", name=name,
                           exe=exe or None, command=command or shown, user=user, scope=scope,
                           enabled=name.lower() not in disabled,
                           trigger="sign-in", description="file in a Startup folder")
