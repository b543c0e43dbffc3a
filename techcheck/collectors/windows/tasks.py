"""Scheduled tasks: the XML files in Windows/System32/Tasks (UTF-16 with a byte-order mark)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from techcheck.artifacts import Artifact, Location, make
from techcheck.collectors.base import Collector, Context
from techcheck.collectors.windows.registry import command_exe, entries_noted, sid_users
from techcheck.errors import NotAvailable, TargetError
from techcheck.target.base import DirEntry, Target, decode_text

TASKS_DIR = "/Windows/System32/Tasks"
WELL_KNOWN_SIDS = {"s-1-5-18": "SYSTEM", "s-1-5-19": "LOCAL SERVICE", "s-1-5-20": "NETWORK SERVICE"}
TRIGGER_NAMES = {
    "logontrigger": "logon", "boottrigger": "boot", "timetrigger": "time", "calendartrigger": "schedule",
    "eventtrigger": "event", "idletrigger": "idle", "registrationtrigger": "registration",
    "sessionstatechangetrigger": "session change",
}


@dataclass
class TaskAction:
    kind: str  # "exec" or "com"
    command: str = ""
    arguments: str = ""
    class_id: str = ""


@dataclass
class ScheduledTask:
    uri: str
    author: str = ""
    description: str = ""
    enabled: bool = True
    hidden: bool = False
    run_as: str = ""
    run_level: str = ""
    triggers: list[str] = field(default_factory=list)
    actions: list[TaskAction] = field(default_factory=list)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].lower()


def _child(el: Element | None, name: str) -> Element | None:
    if el is None:
        return None
    for c in el:
        if _local(c.tag) == name:
            return c
    return None


def _text(el: Element | None, name: str) -> str:
    c = _child(el, name)
    return (c.text or "").strip() if c is not None else ""


def parse_task_xml(data: bytes | str) -> ScheduledTask:
    """Parse a task file's XML. Raises ValueError for files that are not task XML."""
    text = decode_text(data) if isinstance(data, bytes) else data
    # The declaration says UTF-16 but we hand over already-decoded text.
    if text.startswith("<?xml"):
        text = text[text.find("?>") + 2:]
    try:
        root = SafeET.fromstring(text)
    except (SafeET.ParseError, DefusedXmlException) as exc:
        raise ValueError(f"not readable task XML: {exc}") from exc
    if _local(root.tag) != "task":
        raise ValueError("not a scheduled task file (no <Task> element)")
    reg = _child(root, "registrationinfo")
    settings = _child(root, "settings")
    principal = _child(_child(root, "principals"), "principal")
    task = ScheduledTask(
        uri=_text(reg, "uri"),
        author=_text(reg, "author"),
        description=_text(reg, "description"),
        enabled=_text(settings, "enabled").lower() != "false",
        hidden=_text(settings, "hidden").lower() == "true",
        run_as=_text(principal, "userid") or _text(principal, "groupid"),
        run_level=_text(principal, "runlevel"),
    )
    for trig in _child(root, "triggers") or []:
        name = TRIGGER_NAMES.get(_local(trig.tag), _local(trig.tag).removesuffix("trigger"))
        if _text(trig, "enabled").lower() != "false":
            task.triggers.append(name)
    for action in _child(root, "actions") or []:
        kind = _local(action.tag)
        if kind == "exec":
            task.actions.append(TaskAction("exec", _text(action, "command"), _text(action, "arguments")))
        elif kind == "comhandler":
            task.actions.append(TaskAction("com", class_id=_text(action, "classid"), arguments=_text(action, "data")))
    return task


def account_name(sid_or_name: str, users: dict[str, str]) -> str:
    low = sid_or_name.lower()
    return WELL_KNOWN_SIDS.get(low) or users.get(low) or sid_or_name


def task_files(target: Target, ctx: Context, max_depth: int = 12) -> Iterator[DirEntry]:
    """Every file below the Tasks folder; folders that cannot be listed are notes (a live scan
    without administrator rights cannot read most of them)."""
    stack = [(TASKS_DIR, 0)]
    while stack:
        folder, depth = stack.pop()
        for entry in entries_noted(target, ctx, folder):
            if entry.is_dir and not entry.is_symlink:
                if depth < max_depth:
                    stack.append((entry.path, depth + 1))
                else:
                    ctx.note(target.display_path(entry.path), "folders nested too deeply; not looked into")
            else:
                yield entry  # a file, or something odd in its place (link, pipe): reading it says what


class WindowsScheduledTasks(Collector):
    name = "windows.tasks"
    title = "Scheduled tasks"
    platforms = ("windows",)

    def collect(self, target: Target, ctx: Context) -> Iterable[Artifact]:
        if not target.is_dir(TASKS_DIR):
            ctx.note(target.display_path(TASKS_DIR), "the scheduled tasks folder was not found")
            return
        try:
            users = sid_users(target.registry(), ctx)
        except NotAvailable:
            users = {}
        for entry in task_files(target, ctx):
            shown = target.display_path(entry.path)
            try:
                task = parse_task_xml(target.read_bytes(entry.path, 4 * 1024 * 1024))
            except (TargetError, ValueError) as exc:
                ctx.note(shown, f"could not read this scheduled task: {exc}")
                continue
            name = task.uri or "\\" + entry.path[len(TASKS_DIR):].strip("/").replace("/", "\\")
            run_as = account_name(task.run_as, users)
            user = run_as if run_as not in WELL_KNOWN_SIDS.values() and "\\" not in run_as else ""
            if "\\" in run_as:  # DOMAIN\user
                user = run_as.rsplit("\\", 1)[1]
            for action in task.actions or [TaskAction("exec")]:
                if action.kind == "com":
                    command = f"COM handler {action.class_id}" + (f" {action.arguments}" if action.arguments else "")
                    exe = None
                else:
                    command = f"{action.command} {action.arguments}".strip()
                    # An unresolved SID is not a folder name: leave %LOCALAPPDATA% and the like as they are.
                    expand_for = "" if user.upper().startswith("S-1-") else user
                    exe = command_exe(action.command if action.command.startswith('"')
                                      else f'"{action.command}"', expand_for) if action.command else None
                yield make("autostart", Location(path=shown), mechanism="scheduled_task", name=name,
                           exe=exe, command=command, user=user, scope="user" if user else "system",
                           enabled=task.enabled, hidden=task.hidden, trigger=", ".join(task.triggers),
                           run_as=run_as, description=task.description or (f"author: {task.author}"
                                                                            if task.author else None))
