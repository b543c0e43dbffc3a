"""Scheduled tasks: the XML files in Windows/System32/Tasks (UTF-16 with a byte-order mark), and tasks
registered in the task registry (TaskCache) that have no file."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from techcheck.artifacts import Artifact, Location, make
from techcheck.collectors.base import Context, entries_noted, filetime_noted, time_noted
from techcheck.collectors.windows.registry import (
    command_exe,
    open_noted,
    sid_users,
    subkeys_noted,
    value_noted,
)
from techcheck.collectors.windows.startfacts import StartCollector
from techcheck.errors import NotAvailable, TargetError
from techcheck.i18n import N_, Message, Words, as_message, err_detail
from techcheck.target.base import DirEntry, Target, decode_text
from techcheck.target.identity import LocalClock, local_clock
from techcheck.target.registry import MACHINE_SOFTWARE, Registry, RegKey
from techcheck.timeutil import Time, parse_iso

TASKS_DIR = "/Windows/System32/Tasks"
WELL_KNOWN_SIDS = {"s-1-5-18": "SYSTEM", "s-1-5-19": "LOCAL SERVICE", "s-1-5-20": "NETWORK SERVICE"}
TRIGGER_NAMES = {
    "logontrigger": "logon", "boottrigger": "boot", "timetrigger": "time", "calendartrigger": "schedule",
    "eventtrigger": "event", "idletrigger": "idle", "registrationtrigger": "registration",
    "sessionstatechangetrigger": "session change",
}
# Each trigger name in words (the trigger field); a trigger this table lacks is shown as its XML name.
TRIGGER_WORDS = {"logon": N_("fact.trigger_logon"), "boot": N_("fact.trigger_boot"), "time": N_("fact.trigger_time"),
                 "schedule": N_("fact.trigger_on_a_schedule"), "event": N_("fact.trigger_event"),
                 "idle": N_("fact.trigger_idle"), "registration": N_("fact.trigger_registration"),
                 "session change": N_("fact.trigger_session_change")}


def author_words(author: str) -> Words | None:
    """The description of a task that has none: who made it."""
    return Words(Message.of("fact.desc_task_author", author=author)) if author else None


def trigger_words(names: list[str]) -> Words | str:
    """A task's triggers in words, joined with ", " ("logon, schedule"); "" when it has none."""
    parts = [Message.of(TRIGGER_WORDS[n]) if n in TRIGGER_WORDS else as_message(n) for n in names]
    if not parts:
        return ""
    joined = parts[-1]
    for part in reversed(parts[:-1]):
        joined = Message.of("fact.list_more", first=part, rest=joined)
    return Words(joined)


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
    date: str = ""  # RegistrationInfo Date as written: ISO 8601, usually local time without an offset
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
        date=_text(reg, "date"),
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
    """A task's account as people read it: the user name, with the SID beside it when it was one."""
    low = sid_or_name.lower()
    if low in WELL_KNOWN_SIDS:
        return WELL_KNOWN_SIDS[low]
    return f"{users[low]} ({sid_or_name.upper()})" if low in users else sid_or_name


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
                    ctx.note(target.display_path(entry.path), Message.of("note.tasks_too_deep"))
            else:
                yield entry  # a file, or something odd in its place (link, pipe): reading it says what


class WindowsScheduledTasks(StartCollector):
    name = "windows.tasks"
    title = "Scheduled tasks"

    def _entries(self, target: Target, ctx: Context) -> Iterator[Artifact]:
        try:
            reg: Registry | None = target.registry()
        except NotAvailable:
            reg = None
        users = sid_users(reg, ctx) if reg is not None else {}
        cached = cache_times(reg, ctx) if reg is not None else {}
        seen: set[str] = set()
        if target.is_dir(TASKS_DIR):
            for entry in task_files(target, ctx):
                for art in file_task(target, entry, users, ctx, cached):
                    seen.add(str(art.fields["name"]).strip("\\").lower())
                    yield art
        else:
            ctx.note(target.display_path(TASKS_DIR), Message.of("note.tasks_folder_missing"))
        if reg is not None:
            yield from task_cache_only(reg, seen, ctx, cached)


REGISTERED = Message.of("time_source.task_registered")


def registration_time(task: ScheduledTask, clock: LocalClock, ctx: Context, where: str) -> Time | None:
    """The task file's registration date as a "created" time. Windows writes it in the computer's
    local time without an offset; one with an offset is taken as it is. A date that is not a date is
    a note."""
    if not task.date:
        return None
    has_offset = task.date.rstrip().endswith("Z") or "+" in task.date[10:] or "-" in task.date[10:]
    naive = parse_iso(task.date) if has_offset else None
    if not has_offset:
        try:
            naive = clock.to_utc(dt.datetime.fromisoformat(task.date.strip()))
        except ValueError:
            naive = None
    if naive is None:
        ctx.note(where, Message.of("note.task_date_not_a_date", value=task.date[:40]))
        return None
    return time_noted(ctx, where, naive, "created", REGISTERED if has_offset else clock.label(REGISTERED))


def file_task(target: Target, entry: DirEntry, users: dict[str, str], ctx: Context,
              cached: dict[str, list[Time]] | None = None) -> Iterator[Artifact]:
    shown = target.display_path(entry.path)
    try:
        task = parse_task_xml(target.read_bytes(entry.path, 4 * 1024 * 1024))
    except (TargetError, ValueError) as exc:
        ctx.note(shown, Message.of("note.task_unreadable", detail=err_detail(exc)))
        return
    name = task.uri or "\\" + entry.path[len(TASKS_DIR):].strip("/").replace("/", "\\")
    run_as = account_name(task.run_as, users)
    user = users.get(task.run_as.lower()) or (
        run_as if run_as not in WELL_KNOWN_SIDS.values() and "\\" not in run_as else "")
    if "\\" in run_as:  # DOMAIN\user
        user = run_as.rsplit("\\", 1)[1]
    # An unresolved SID is not a folder name: leave %LOCALAPPDATA% and the like as they are.
    expand_for = "" if user.upper().startswith("S-1-") else user
    registered = registration_time(task, local_clock(target), ctx, shown)
    times = ([registered] if registered else []) + (cached or {}).get(name.strip("\\").lower(), [])
    for action in task.actions or [TaskAction("exec")]:
        command, exe = action_command(action, expand_for)
        yield make("autostart", Location(path=shown), mechanism="scheduled_task", name=name,
                   exe=exe, command=command, user=user, scope="user" if user else "system",
                   enabled=task.enabled, hidden=task.hidden, trigger=trigger_words(task.triggers),
                   run_as=run_as, description=task.description or author_words(task.author),
                   author=task.author or None, times=times or None)


def action_command(action: TaskAction, user: str) -> tuple[str, str | None]:
    """(command line, program) of a task action."""
    if action.kind == "com":
        return f"COM handler {action.class_id}" + (f" {action.arguments}" if action.arguments else ""), None
    command = f"{action.command} {action.arguments}".strip()
    exe = command_exe(action.command if action.command.startswith('"')
                      else f'"{action.command}"', user) if action.command else None
    return command, exe


# --- the task registry (TaskCache) -----------------------------------------------------------
# Windows keeps every registered task in SOFTWARE\...\Schedule\TaskCache too: Tasks\{id} holds the
# path and the actions (a binary list), Tree\<folders>\<name> the id and the security descriptor
# (SD). A task whose file was deleted, or whose SD was removed ("Tarrask"), still runs but is missing
# from the task list. Blob layout: https://github.com/GDATAAdvancedAnalytics/winreg-tasks (kaitai/actions.ksy).

TASK_CACHE = MACHINE_SOFTWARE + "\\Microsoft\\Windows NT\\CurrentVersion\\Schedule\\TaskCache"
ACTION_EXEC, ACTION_COM, ACTION_EMAIL, ACTION_MESSAGE = 0x6666, 0x7777, 0x8888, 0x9999


class _Blob:
    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def take(self, n: int) -> bytes:
        if n < 0 or self.pos + n > len(self.data):
            raise ValueError("the actions list ends too early")
        out = self.data[self.pos:self.pos + n]
        self.pos += n
        return out

    def u16(self) -> int:
        return int.from_bytes(self.take(2), "little")

    def u32(self) -> int:
        return int.from_bytes(self.take(4), "little")

    def text(self) -> str:
        return self.take(self.u32()).decode("utf-16-le", errors="replace").rstrip("\x00")

    def done(self) -> bool:
        return self.pos >= len(self.data)


def parse_task_actions(data: bytes) -> list[TaskAction]:
    """The actions of a TaskCache Actions value. Raises ValueError for data that is not one."""
    blob = _Blob(data)
    version = blob.u16()
    if version not in (1, 2, 3):
        raise ValueError(f"unknown actions format version {version}")
    if version == 3:
        blob.text()  # the principal the actions run as
    actions: list[TaskAction] = []
    while not blob.done() and len(actions) < 64:
        magic = blob.u16()
        blob.text()  # the action's own id
        if magic == ACTION_EXEC:
            command, arguments = blob.text(), blob.text()
            blob.text()  # working folder
            if version == 3:
                blob.u16()
            actions.append(TaskAction("exec", command, arguments))
        elif magic == ACTION_COM:
            clsid = blob.take(16)
            actions.append(TaskAction("com", class_id="{" + str(uuid.UUID(bytes_le=clsid)).upper() + "}",
                                      arguments=blob.text()))
        elif magic == ACTION_MESSAGE:
            blob.text(), blob.text()
        else:  # e-mail actions are long gone from Windows; anything else is damage
            raise ValueError(f"unknown action type {magic:#x}")
    return actions


# DynamicInfo (a value of each Tasks\{id} key): a 4-byte version, then the FILETIMEs of the task's
# last registration and of its last run (plaso, parsers/winreg_plugins/task_scheduler.py).
LAST_REGISTERED = Message.of("time_source.task_last_registered")
LAST_RUN = Message.of("time_source.task_last_run")


def dynamic_info_times(data: bytes, where: str, ctx: Context) -> list[Time]:
    """The last-registered ("changed") and last-run ("last_used") times in a DynamicInfo value."""
    if len(data) < 20:
        if data:
            ctx.note(where, Message.of("note.task_dynamic_info_short", size=len(data)))
        return []
    registered = int.from_bytes(data[4:12], "little")
    ran = int.from_bytes(data[12:20], "little")
    found = [filetime_noted(ctx, where, registered, "changed", LAST_REGISTERED) if registered else None,
             filetime_noted(ctx, where, ran, "last_used", LAST_RUN) if ran else None]  # 0 = never ran
    return [t for t in found if t is not None]


def _task_path(sub: RegKey, ctx: Context) -> str:
    path = value_noted(sub, "Path", ctx)
    return path.text().strip() if path is not None else ""


def cache_times(reg: Registry, ctx: Context) -> dict[str, list[Time]]:
    """Task path (without the leading backslash, lower-case) -> the times its TaskCache entry keeps."""
    tasks = open_noted(reg, TASK_CACHE + "\\Tasks", ctx)
    found: dict[str, list[Time]] = {}
    for sub in subkeys_noted(tasks, ctx) if tasks is not None else []:
        name = _task_path(sub, ctx)
        info = value_noted(sub, "DynamicInfo", ctx)
        if name and info is not None and isinstance(info.data, bytes):
            found[name.strip("\\").lower()] = dynamic_info_times(info.data, f"{sub.path}\\DynamicInfo", ctx)
    return found


def task_tree(reg: Registry, ctx: Context, max_depth: int = 12) -> dict[str, bool]:
    """Task id (lower-case) -> whether its Tree entry still has a security descriptor."""
    tree = open_noted(reg, TASK_CACHE + "\\Tree", ctx)
    found: dict[str, bool] = {}
    stack = [(tree, 0)] if tree is not None else []
    while stack:
        key, depth = stack.pop()
        for sub in subkeys_noted(key, ctx):
            task_id = value_noted(sub, "Id", ctx)
            if task_id is not None and task_id.text():
                found[task_id.text().strip().lower()] = value_noted(sub, "SD", ctx) is not None
            if depth < max_depth:
                stack.append((sub, depth + 1))
    return found


def task_cache_only(reg: Registry, seen: set[str], ctx: Context,
                    cached: dict[str, list[Time]] | None = None) -> Iterator[Artifact]:
    """Tasks registered in TaskCache that have no task file (the files were read first)."""
    tasks = open_noted(reg, TASK_CACHE + "\\Tasks", ctx)
    if tasks is None:
        return
    tree = task_tree(reg, ctx)
    cached = cache_times(reg, ctx) if cached is None else cached
    for sub in subkeys_noted(tasks, ctx):
        name = _task_path(sub, ctx)
        if not name or name.strip("\\").lower() in seen:
            continue
        blob = value_noted(sub, "Actions", ctx)
        try:
            actions = parse_task_actions(blob.data) if blob is not None and isinstance(blob.data, bytes) else []
        except ValueError as exc:
            ctx.note(sub.path, Message.of("note.task_actions_unreadable", detail=err_detail(exc)))
            actions = []
        has_sd = tree.get(sub.name.lower(), False)
        description = "registered only in the task registry (TaskCache), with no task file"
        if not has_sd:
            description += "; no security descriptor, so the task list does not show it"
        for action in actions or [TaskAction("exec")]:
            command, exe = action_command(action, "")
            yield make("autostart", Location(registry_key=sub.path), mechanism="scheduled_task", name=name,
                       exe=exe, command=command or None, scope="system", enabled=True, hidden=not has_sd,
                       description=description, times=cached.get(name.strip("\\").lower()) or None)
