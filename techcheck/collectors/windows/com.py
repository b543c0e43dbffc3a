"""Per-user COM class overrides: a class registered in a person's own classes (HKCU\\Software\\Classes\\CLSID,
stored in UsrClass.dat) with the same id as a class of the machine takes its place for that person, so
every program that uses the machine's class loads the person's library or program instead.

Windows looks in the per-user classes first (https://learn.microsoft.com/en-us/windows/win32/sysinfo/merged-view-of-hkey-classes-root);
MITRE ATT&CK T1546.015 (https://attack.mitre.org/techniques/T1546/015/). Per-user classes with ids of
their own (OneDrive, Teams and other per-user installs register many) replace nothing and are not listed.
"""

from __future__ import annotations

from collections.abc import Iterator

from techcheck.artifacts import Artifact, Location, make
from techcheck.collectors.base import Context
from techcheck.collectors.windows.registry import (
    command_exe,
    open_noted,
    open_registry,
    subkeys_noted,
    value_noted,
)
from techcheck.collectors.windows.startfacts import StartCollector
from techcheck.errors import TargetError
from techcheck.i18n import Message, Words, err_detail
from techcheck.target.base import Target
from techcheck.target.registry import MACHINE_SOFTWARE, Registry, RegKey

SERVER_KEYS = ("InprocServer32", "LocalServer32")
MACHINE_CLASSES = (MACHINE_SOFTWARE + "\\Classes\\CLSID", MACHINE_SOFTWARE + "\\Wow6432Node\\Classes\\CLSID")


def machine_classes(reg: Registry, ctx: Context) -> dict[str, str]:
    """Lower-case class id -> registry path of the machine's class, for both views."""
    found: dict[str, str] = {}
    for path in MACHINE_CLASSES:
        key = open_noted(reg, path, ctx)
        if key is None:
            continue
        try:
            names = key.subkey_names()
        except TargetError as exc:
            ctx.note(path, err_detail(exc))
            continue
        for name in names:
            found.setdefault(name.lower(), f"{path}\\{name}")
    return found


def server_of(key: RegKey, ctx: Context) -> tuple[str, str]:
    """(server key name, its default value) of a class: the library or program it runs."""
    for name in SERVER_KEYS:
        sub = key.subkey(name)
        default = value_noted(sub, "", ctx) if sub is not None else None
        if default is not None and default.text().strip():
            return name, default.text().strip()
    return "", ""


def class_label(reg: Registry, path: str, ctx: Context) -> tuple[str, str]:
    """(name, server) of a machine class, for the description."""
    key = reg.open_key(path)
    if key is None:
        return "", ""
    label = value_noted(key, "", ctx)
    return (label.text().strip() if label is not None else ""), server_of(key, ctx)[1]


class WindowsComOverrides(StartCollector):
    name = "windows.com_overrides"
    title = "Per-user replacements of Windows parts (COM classes)"

    def _entries(self, target: Target, ctx: Context) -> Iterator[Artifact]:
        reg = open_registry(target)
        machine: dict[str, str] | None = None
        for hive in reg.user_hives():
            user_classes = open_noted(reg, f"{hive}\\Software\\Classes\\CLSID", ctx)
            if user_classes is None:
                continue
            if machine is None:
                machine = machine_classes(reg, ctx)
                if not machine:
                    ctx.note(MACHINE_CLASSES[0], Message.of("note.com_machine_unreadable"))
            yield from self._overrides(reg, user_classes, machine, reg.user_of(hive), ctx)

    def _overrides(self, reg: Registry, classes: RegKey, machine: dict[str, str], user: str,
                   ctx: Context) -> Iterator[Artifact]:
        for sub in subkeys_noted(classes, ctx):
            machine_path = machine.get(sub.name.lower())
            if machine_path is None:
                continue
            kind, server = server_of(sub, ctx)
            if not server:
                continue
            label, machine_server = class_label(reg, machine_path, ctx)
            description = Words(Message.of("fact.desc_com_override", kind=kind,
                                           label=f" {label!r}" if label else "",
                                           machine=f" (machine: {machine_server})" if machine_server else ""))
            yield make("autostart", Location(registry_key=f"{sub.path}\\{kind}"), mechanism="com_override",
                       name=sub.name, exe=command_exe(server, user), command=server, user=user, scope="user",
                       enabled=True, trigger=Words(Message.of("fact.trigger_windows_part_used")),
                       description=description)
