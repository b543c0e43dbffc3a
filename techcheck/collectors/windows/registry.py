"""The Windows registry check, and helpers the other Windows collectors share.

The check itself reports which registry hives were read and which could not be (a damaged or
missing hive is a note; the other checks go on with the hives that did open).
"""

from __future__ import annotations

import ntpath
import re
from collections.abc import Callable, Iterable, Iterator

from techcheck.artifacts import Artifact
from techcheck.collectors.base import Collector, Context, Skip
from techcheck.errors import NotAvailable
from techcheck.i18n import Message, err_detail
from techcheck.target.base import Target
from techcheck.target.registry import Registry, RegistryError, RegKey, RegValue


class WindowsRegistryHives(Collector):
    name = "windows.registry"
    title = "Windows settings database (registry)"
    platforms = ("windows",)

    def collect(self, target: Target, ctx: Context) -> Iterable[Artifact]:
        reg = open_registry(target)
        for problem in reg.problems:
            ctx.note(problem.path, problem.msg)
        if not reg.hives():
            raise Skip(Message.of("note.registry_unreadable"))
        return []


def open_registry(target: Target) -> Registry:
    """The target's registry, or Skip with a plain reason."""
    try:
        return target.registry()
    except NotAvailable as exc:
        raise Skip(err_detail(exc)) from exc


def subkeys_noted(key: RegKey, ctx: Context) -> Iterator[RegKey]:
    try:
        yield from list(key.subkeys())
    except RegistryError as exc:
        ctx.note(key.path, err_detail(exc))


def values_noted(key: RegKey, ctx: Context) -> list[RegValue]:
    try:
        values = key.values()
    except RegistryError as exc:
        ctx.note(key.path, err_detail(exc))
        return []
    for warning in key.warnings:
        ctx.note(key.path, warning)
    key.warnings.clear()
    return values


def value_noted(key: RegKey, name: str, ctx: Context) -> RegValue | None:
    for v in values_noted(key, ctx):
        if v.name.lower() == name.lower():
            return v
    return None


def value_list(value: RegValue | None) -> list[str]:
    """The non-empty strings of a list value (REG_MULTI_SZ); a plain string counts as one item."""
    if value is None:
        return []
    items = value.data if isinstance(value.data, list) else [value.text()]
    # Windows writes an empty list as the two characters "" (Lsa Security Packages).
    return [s.strip() for s in items if isinstance(s, str) and s.strip() not in ("", '""')]


def open_noted(reg: Registry, path: str, ctx: Context) -> RegKey | None:
    try:
        return reg.open_key(path)
    except RegistryError as exc:
        ctx.note(path, err_detail(exc))
        return None


def value_names_noted(reg: Registry, path: str, ctx: Context, keep: Callable[[RegValue], object]) -> set[str]:
    """Lower-case names of the values of one key that pass `keep` (none when the key is missing)."""
    key = open_noted(reg, path, ctx)
    return {v.name.lower() for v in values_noted(key, ctx) if keep(v)} if key else set()


# --- commands and paths -----------------------------------------------------------------------

_SYSTEM_VARS = {
    "systemroot": "C:\\Windows", "windir": "C:\\Windows", "systemdrive": "C:",
    "programfiles": "C:\\Program Files", "programfiles(x86)": "C:\\Program Files (x86)",
    "programw6432": "C:\\Program Files", "commonprogramfiles": "C:\\Program Files\\Common Files",
    "commonprogramfiles(x86)": "C:\\Program Files (x86)\\Common Files",
    "programdata": "C:\\ProgramData", "allusersprofile": "C:\\ProgramData", "public": "C:\\Users\\Public",
}


def expand_vars(text: str, user: str = "") -> str:
    """Expand the usual %VARIABLES% the way Windows would for this user (unknown ones stay)."""
    home = f"C:\\Users\\{user}" if user else ""
    user_vars = {
        "userprofile": home, "homepath": home[2:] if home else "",
        "appdata": f"{home}\\AppData\\Roaming" if home else "",
        "localappdata": f"{home}\\AppData\\Local" if home else "",
        "temp": f"{home}\\AppData\\Local\\Temp" if home else "C:\\Windows\\Temp",
        "tmp": f"{home}\\AppData\\Local\\Temp" if home else "C:\\Windows\\Temp",
        "username": user,
    }

    def repl(m: re.Match[str]) -> str:
        name = m.group(1).lower()
        value = _SYSTEM_VARS.get(name) or user_vars.get(name)
        return value if value else m.group(0)

    return re.sub(r"%([^%\s]+)%", repl, text)


_EXE_END = re.compile(r"\.(exe|com|bat|cmd|vbs|vbe|js|jse|wsf|ps1|scr|pif|dll|hta|lnk|msi|cpl|sys)(?=$|[\s,\"|])",
                      re.IGNORECASE)


def command_exe(command: str, user: str = "") -> str:
    """The program a command line starts, with %VARS%, \\SystemRoot\\ and \\??\\ resolved."""
    cmd = expand_vars(command.strip(), user)
    if cmd.startswith('"'):
        end = cmd.find('"', 1)
        exe = cmd[1:end] if end > 0 else cmd[1:]
    else:
        m = _EXE_END.search(cmd)
        exe = cmd[: m.end()] if m else cmd.split(" ", 1)[0]
    exe = exe.strip()
    low = exe.lower()
    if low.startswith("\\??\\"):
        exe = exe[4:]
    elif low.startswith("\\systemroot\\"):
        exe = "C:\\Windows" + exe[len("\\systemroot"):]
    elif low.startswith(("system32\\", "syswow64\\")):
        exe = "C:\\Windows\\" + exe
    return exe


def command_args(command: str) -> str:
    cmd = command.strip()
    if cmd.startswith('"'):
        end = cmd.find('"', 1)
        return cmd[end + 1:].strip() if end > 0 else ""
    m = _EXE_END.search(cmd)
    return cmd[m.end():].strip() if m else (cmd.split(" ", 1)[1] if " " in cmd else "")


def file_name(path: str) -> str:
    return ntpath.basename(path)


PROFILE_LIST = "HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\ProfileList"


def sid_users(reg: Registry, ctx: Context) -> dict[str, str]:
    """Lower-case SID -> user name, from the ProfileList (where each account's folder is)."""
    users: dict[str, str] = {}
    key = open_noted(reg, PROFILE_LIST, ctx)
    for sub in subkeys_noted(key, ctx) if key else []:
        image = value_noted(sub, "ProfileImagePath", ctx)
        if image is not None and image.text():
            users[sub.name.lower()] = ntpath.basename(image.text().rstrip("\\"))
    return users
