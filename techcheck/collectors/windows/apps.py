"""Installed programs: the programs list (Uninstall keys) and program folders on disk.

Folders are listed too, so software that keeps itself off the programs list is still seen.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator

from techcheck.artifacts import Artifact, Location, make
from techcheck.collectors.base import Collector, Context, Skip, entries_noted
from techcheck.collectors.common.filetimes import file_times
from techcheck.collectors.common.parsing import user_homes
from techcheck.collectors.windows.registry import (
    open_noted,
    open_registry,
    subkeys_noted,
    values_noted,
)
from techcheck.i18n import Message
from techcheck.target.base import Target
from techcheck.target.registry import MACHINE_SOFTWARE, Registry
from techcheck.timeutil import Time

UNINSTALL = "Microsoft\\Windows\\CurrentVersion\\Uninstall"
MACHINE_FOLDERS = ("/Program Files", "/Program Files (x86)", "/ProgramData")
USER_FOLDERS = ("AppData/Local", "AppData/Roaming")
NOT_PROGRAMS = {"temp", "desktop.ini"}


def install_date(text: str) -> str | None:
    """Uninstall InstallDate is YYYYMMDD; give it as ISO 8601 (None when it is something else)."""
    m = re.fullmatch(r"\s*(\d{4})(\d{2})(\d{2})\s*", text)
    return f"{m.group(1)}-{m.group(2)}-{m.group(3)}" if m else None


def uninstall_entries(reg: Registry, ctx: Context) -> Iterator[Artifact]:
    roots = [(MACHINE_SOFTWARE, ""), (MACHINE_SOFTWARE + "\\Wow6432Node", "")]
    roots += [(h + "\\Software", reg.user_of(h)) for h in reg.user_hives()]
    for software, user in roots:
        key = open_noted(reg, f"{software}\\{UNINSTALL}", ctx)
        for sub in subkeys_noted(key, ctx) if key else []:
            values = {v.name.lower(): v.text() for v in values_noted(sub, ctx)}
            name = values.get("displayname", "").strip()
            if not name:
                continue  # parts and updates without a name are not shown in the programs list
            hidden = values.get("systemcomponent", "") == "1"
            date = install_date(values.get("installdate", ""))
            times = [Time(dt.datetime.fromisoformat(date).replace(tzinfo=dt.timezone.utc), "installed",
                          Message.of("time_source.programs_list_install_date"), precision="day")] if date else []
            if sub.last_write is not None:
                times.append(Time(sub.last_write.astimezone(dt.timezone.utc), "changed",
                                  Message.of("time_source.key_last_write")))
            yield make("app", Location(registry_key=sub.path), name=name,
                       version=values.get("displayversion") or None, publisher=values.get("publisher") or None,
                       install_path=values.get("installlocation") or None, package=sub.name,
                       source="uninstall_key", hidden=hidden, installed=install_date(values.get("installdate", "")),
                       user=user, times=times or None)


def program_folders(target: Target) -> Iterator[tuple[str, str]]:
    """(folder, user) where programs install themselves."""
    for folder in MACHINE_FOLDERS:
        yield folder, ""
    for home in user_homes(target):
        for sub in USER_FOLDERS:
            yield f"{home.home}/{sub}", home.user


class WindowsInstalledPrograms(Collector):
    name = "windows.programs"
    title = "Installed programs (programs list)"
    platforms = ("windows",)

    def collect(self, target: Target, ctx: Context) -> Iterable[Artifact]:
        return list(uninstall_entries(open_registry(target), ctx))


class WindowsProgramFolders(Collector):
    name = "windows.program_folders"
    title = "Program folders on disk"
    platforms = ("windows",)

    def collect(self, target: Target, ctx: Context) -> Iterable[Artifact]:
        found_any = False
        for folder, user in program_folders(target):
            if not target.is_dir(folder):
                continue
            found_any = True
            for e in entries_noted(target, ctx, folder):
                if e.is_dir and not e.is_symlink and e.name.lower() not in NOT_PROGRAMS:
                    shown = target.display_path(e.path)
                    yield make("app", Location(path=shown), name=e.name, install_path=shown,
                               source="folder", user=user, times=file_times(target, ctx, e.path) or None)
        if not found_any:
            raise Skip(Message.of("note.no_windows_program_places"))
