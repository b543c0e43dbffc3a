"""Shell extensions: libraries that File Explorer (and, for Browser Helper Objects, Internet Explorer)
loads by itself, named by a class id (CLSID) whose InprocServer32 is the library.

Places, for the machine (64- and 32-bit views) and for every user (HKU\\<user>\\Software, whose
Classes come from the person's UsrClass.dat):
- icon overlays: Explorer\\ShellIconOverlayIdentifiers\\<name> (default value = CLSID);
- handlers of the file types every file, folder and drive has: Classes\\{*, AllFileSystemObjects,
  Directory, Directory\\Background, Drive, Folder}\\ShellEx\\{ContextMenuHandlers,
  PropertySheetHandlers, DragDropHandlers, CopyHookHandlers, ColumnHandlers}\\<name> (default value =
  CLSID, or the key's own name is the CLSID);
- ShellServiceObjectDelayLoad (values: name = CLSID), Explorer\\SharedTaskScheduler (values: CLSID =
  name), Shell Extensions\\Approved (values: CLSID = name; only classes no other place names), and
  Explorer\\Browser Helper Objects\\<CLSID>.
A class is looked up as Windows does (https://learn.microsoft.com/en-us/windows/win32/sysinfo/merged-view-of-hkey-classes-root):
for a person's own entries, in the person's classes first, then the machine's; for the machine's
32-bit view, in Wow6432Node\\Classes first. A class id that no classes key defines loads nothing
and is not listed. A class listed in Shell Extensions\\Blocked is listed as switched off.

References (one per place): Autoruns' Explorer and Internet Explorer tabs
(https://learn.microsoft.com/en-us/sysinternals/downloads/autoruns); shell extension handlers and
their registry keys (https://learn.microsoft.com/en-us/windows/win32/shell/reg-shell-exts,
https://learn.microsoft.com/en-us/windows/win32/shell/how-to-implement-icon-overlay-handlers);
Sigma's "Classes Autorun Keys Modification" and "Common Autorun Keys Modification" rules
(SigmaHQ/sigma rules/windows/registry/registry_set/registry_set_asep_reg_keys_modification_classes.yml,
..._common.yml: ShellEx ContextMenuHandlers, PropertySheetHandlers, DragDropHandlers, CopyHookHandlers,
ColumnHandlers, ShellIconOverlayIdentifiers, ShellServiceObjectDelayLoad, SharedTaskScheduler,
Browser Helper Objects); MITRE ATT&CK T1546.015 (COM hijacking) and T1176 (browser extensions,
Browser Helper Objects); the Shell Extensions\\Approved and Blocked lists
(https://learn.microsoft.com/en-us/windows/win32/shell/reg-shell-exts#registering-shell-extension-handlers).
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
    value_names_noted,
    value_noted,
    values_noted,
)
from techcheck.collectors.windows.startfacts import StartCollector
from techcheck.errors import TargetError
from techcheck.i18n import N_, Message, Words, err_detail
from techcheck.target.base import Target
from techcheck.target.registry import MACHINE_SOFTWARE, Registry, RegKey

CV = "Microsoft\\Windows\\CurrentVersion"
OVERLAYS = CV + "\\Explorer\\ShellIconOverlayIdentifiers"
DELAY_LOAD = CV + "\\ShellServiceObjectDelayLoad"
TASK_SCHEDULER = CV + "\\Explorer\\SharedTaskScheduler"
APPROVED = CV + "\\Shell Extensions\\Approved"
BLOCKED = CV + "\\Shell Extensions\\Blocked"
BHO = CV + "\\Explorer\\Browser Helper Objects"
FILE_TYPES = ("*", "AllFileSystemObjects", "Directory", "Directory\\Background", "Drive", "Folder")
HANDLERS = {"ContextMenuHandlers": N_("fact.trigger_right_click"),
            "PropertySheetHandlers": N_("fact.trigger_properties_opened"),
            "DragDropHandlers": N_("fact.trigger_right_drag"),
            "CopyHookHandlers": N_("fact.trigger_folder_copied"),
            "ColumnHandlers": N_("fact.trigger_folder_details")}
MAX_VALUES = 5000  # per list key (Approved holds a few hundred on an ordinary Windows)


@dataclass(frozen=True)
class Handler:
    """One place that names a class: where, what kind, its name, the class id."""

    key: RegKey
    kind: str
    name: str
    clsid: str
    trigger: str  # message id: when it runs, in words


def is_clsid(text: str) -> bool:
    t = text.strip()
    return len(t) == 38 and t.startswith("{") and t.endswith("}")


class ClassIndex:
    """Lower-case class id -> its key, per CLSID key, each read once (a real CLSID key holds thousands)."""

    def __init__(self, reg: Registry, ctx: Context) -> None:
        self.reg = reg
        self.ctx = ctx
        self.keys: dict[str, dict[str, RegKey]] = {}

    def _index(self, path: str) -> dict[str, RegKey]:
        if path.lower() not in self.keys:
            key = open_noted(self.reg, path, self.ctx)
            self.keys[path.lower()] = {k.name.lower(): k for k in subkeys_noted(key, self.ctx)} if key else {}
        return self.keys[path.lower()]

    def server(self, clsid: str, class_roots: list[str]) -> tuple[RegKey | None, str, str]:
        """(class key, InprocServer32 library, class name) from the first classes root defining it."""
        for root in class_roots:
            cls = self._index(root + "\\Classes\\CLSID").get(clsid.lower())
            if cls is None:
                continue
            try:
                inproc = cls.subkey("InprocServer32")
            except TargetError as exc:
                self.ctx.note(cls.path, err_detail(exc))
                continue
            library = value_noted(inproc, "", self.ctx) if inproc is not None else None
            label = value_noted(cls, "", self.ctx)
            if library is not None and library.text().strip():
                return cls, library.text().strip(), label.text().strip() if label is not None else ""
        return None, "", ""


def _default_clsid(key: RegKey, ctx: Context) -> str:
    value = value_noted(key, "", ctx)
    text = value.text().strip() if value is not None else ""
    return text if is_clsid(text) else (key.name if is_clsid(key.name) else "")


def handlers(reg: Registry, software: str, ctx: Context) -> Iterator[Handler]:
    """Every place under one SOFTWARE root that names a shell extension class."""
    yield from _overlays(reg, software, ctx)
    yield from _file_type_handlers(reg, software, ctx)
    yield from _listed(reg, software, ctx)
    bho = open_noted(reg, f"{software}\\{BHO}", ctx)
    for sub in subkeys_noted(bho, ctx) if bho else []:
        if is_clsid(sub.name):
            yield Handler(sub, "Browser Helper Object", sub.name, sub.name, N_("fact.trigger_ie_starts"))


def _overlays(reg: Registry, software: str, ctx: Context) -> Iterator[Handler]:
    overlays = open_noted(reg, f"{software}\\{OVERLAYS}", ctx)
    for sub in subkeys_noted(overlays, ctx) if overlays else []:
        clsid = _default_clsid(sub, ctx)
        if clsid:
            yield Handler(sub, "icon overlay", sub.name, clsid, N_("fact.trigger_explorer_shows_files"))


def _file_type_handlers(reg: Registry, software: str, ctx: Context) -> Iterator[Handler]:
    for file_type in FILE_TYPES:
        shellex = open_noted(reg, f"{software}\\Classes\\{file_type}\\ShellEx", ctx)
        if shellex is None:
            continue
        for kind, trigger in HANDLERS.items():
            group = shellex.subkey(kind)
            for sub in subkeys_noted(group, ctx) if group else []:
                clsid = _default_clsid(sub, ctx)
                if clsid:
                    yield Handler(sub, f"{kind} for {file_type}", sub.name, clsid, trigger)


def _listed(reg: Registry, software: str, ctx: Context) -> Iterator[Handler]:
    """Keys whose values list classes: name = CLSID, or CLSID = name."""
    for path, kind, trigger, name_is_clsid in (
            (DELAY_LOAD, "ShellServiceObjectDelayLoad", N_("fact.trigger_explorer_starts"), False),
            (TASK_SCHEDULER, "SharedTaskScheduler", N_("fact.trigger_explorer_starts"), True),
            (APPROVED, "approved shell extension", N_("fact.trigger_explorer_needs_it"), True)):
        key = open_noted(reg, f"{software}\\{path}", ctx)
        if key is None:
            continue
        for v in values_noted(key, ctx)[:MAX_VALUES]:
            clsid, name = (v.name, v.text().strip() or v.name) if name_is_clsid else (v.text().strip(), v.name)
            if is_clsid(clsid):
                yield Handler(key, kind, name, clsid, trigger)


def blocked(reg: Registry, roots: list[str], ctx: Context) -> set[str]:
    found: set[str] = set()
    for software in roots:
        found.update(value_names_noted(reg, f"{software}\\{BLOCKED}", ctx, lambda v: is_clsid(v.name)))
    return found


class WindowsShellExtensions(StartCollector):
    name = "windows.shell_extensions"
    title = "Add-ons that File Explorer and Internet Explorer load"

    def _entries(self, target: Target, ctx: Context) -> Iterator[Artifact]:
        reg = open_registry(target)
        index = ClassIndex(reg, ctx)
        machine_blocked = blocked(reg, [MACHINE_SOFTWARE], ctx)
        for software, user, scope in software_roots(reg):
            wow = software.lower().endswith("\\wow6432node")
            if scope == "user":
                if wow:
                    continue  # a person's 32-bit view is the same classes (merged by Windows)
                class_roots = [software, MACHINE_SOFTWARE]
                off = machine_blocked | blocked(reg, [software], ctx)
            else:
                class_roots = [software, MACHINE_SOFTWARE] if wow else [MACHINE_SOFTWARE]
                off = machine_blocked
            yield from self._resolved(index, list(handlers(reg, software, ctx)), class_roots, off, user, scope)

    def _resolved(self, index: ClassIndex, found: list[Handler], class_roots: list[str], off: set[str],
                  user: str, scope: str) -> Iterator[Artifact]:
        named = {h.clsid.lower() for h in found if h.kind != "approved shell extension"}
        for h in found:
            if h.kind == "approved shell extension" and h.clsid.lower() in named:
                continue  # listed where it is used
            cls, library, label = index.server(h.clsid, class_roots)
            if cls is None:
                continue
            description = f"{h.kind}: class {h.clsid}" + (f" ({label})" if label else "")
            yield make("autostart", Location(registry_key=h.key.path), mechanism="shell_extension",
                       name=h.name.strip() or h.clsid, exe=command_exe(library, user) or None, command=library,
                       user=user, scope=scope, enabled=h.clsid.lower() not in off, trigger=Words(Message.of(h.trigger)),
                       description=description)
