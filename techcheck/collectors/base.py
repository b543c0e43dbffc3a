"""The collector interface: one collector per artifact family and platform.

A collector yields typed artifacts and reports bad input as notes. Raising `Skip` marks the
check skipped with a reason; any other exception marks it failed and the scan goes on.
"""

from __future__ import annotations

import datetime as dt
import importlib
import pkgutil
import posixpath
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal, TypeVar

from techcheck.artifacts import Artifact
from techcheck.collectors.common.parsing import JsonError, load_json
from techcheck.errors import TargetError
from techcheck.i18n import Message, as_message
from techcheck.target.base import DirEntry, ReadProblem, Target
from techcheck.timeutil import Precision, Time, TimeKind, filetime_to_datetime, implausible, iso_utc, time_fact

Status = Literal["ok", "partial", "skipped", "failed"]

# Messages that say a place could not be read at all (no permission, too big, the read budget used
# up): a note holding one of them, itself or as a parameter, makes its check "partial". Decided by
# message id, so rewording or translating a message never changes it. Notes about broken content,
# a list cut short or a masked value are information and leave the check "ok".
UNREADABLE_IDS = frozenset({
    "note.accounts_folder_denied", "note.could_not_list", "note.dpkg_log_cut",
    "target.budget_in_use", "target.cannot_list", "target.cannot_read", "target.fake_permission_denied",
    "target.os_permission_denied", "target.over_budget", "target.permission_denied", "target.sqlite_too_big",
    "target.too_large", "target.wal_not_applied_in_place",
})
# ... except a folder that is not there: "cannot list folder: not found" is not a place left unread.
_READABLE_DETAIL = {"target.cannot_list": "target.folder_not_found"}
# An error's detail written by the operating system or a library (plain text, not a techcheck
# message: "[WinError 5] Access is denied"): its own words for a refused or too-big read.
_OS_REFUSED = re.compile(r"permission denied|access is denied|operation not permitted|larger than|too big|too large",
                         re.IGNORECASE)


def unreadable_message(message: Message) -> bool:
    """Whether a message (or one of its parameters) says a place could not be read at all."""
    if message.id in UNREADABLE_IDS:
        detail = message.kwargs.get("detail")
        readable = _READABLE_DETAIL.get(message.id)
        if not (readable and isinstance(detail, Message) and detail.id == readable):
            return True
    for name, value in message.params:
        if isinstance(value, Message):
            if value.id == "verbatim" and name == "detail" and _OS_REFUSED.search(str(value.kwargs.get("text", ""))):
                return True
            if unreadable_message(value):
                return True
        elif name == "detail" and isinstance(value, str) and _OS_REFUSED.search(value):
            return True
    return False


T = TypeVar("T")


class Skip(Exception):
    """This check cannot run on this target; `msg` says why in plain words (a message id)."""

    def __init__(self, message: Message | str) -> None:
        self.msg = as_message(message)
        super().__init__(str(self.msg))


class Note(ReadProblem):
    """Something the scan could not read or understand. Shown in the report, never silent.

    The same fields as the target layer's ReadProblem (a path and a message, techcheck/i18n.py ids
    `note.*`; a plain string is kept as it is), plus whether the place itself was unreadable."""

    @property
    def unreadable(self) -> bool:
        """The place itself could not be read (so the check is only partly done)."""
        return unreadable_message(self.msg)


def located(problem: Message, at_line: str, whole: str) -> Message:
    """A parser's problem under its file's name: message `at_line` ("crontab line {n}: {problem}")
    for a problem on one line (`note.line`), else `whole` ("crontab {problem}")."""
    if problem.id == "note.line":
        return Message.of(at_line, **problem.kwargs)
    return Message.of(whole, problem=problem)


HashWanted = Callable[[str, Mapping[str, Any]], bool]
LEFT_OUT_NOTED = 5  # implausible times noted one by one per source; more are counted in one note


@dataclass
class Context:
    notes: list[Note] = field(default_factory=list)
    # Whether a rule with a hash condition points at an artifact with these fields (set by the scan).
    hash_wanted: HashWanted | None = None

    # Times left out as implausible, per source: the first few are noted one by one, the rest counted.
    left_out: dict[Message, int] = field(default_factory=dict)

    def note(self, path: str, message: Message | str) -> None:
        self.notes.append(Note(path, message))

    def time_left_out(self, path: str, source: Message, value: str, reason: str) -> None:
        """reason: "early" (before 1995), "future", "zero" (a zero FILETIME) or "bad" (not a time)."""
        """A time that is not evidence (before 1995, in the future, zero): noted, never a fact."""
        count = self.left_out.get(source, 0) + 1
        self.left_out[source] = count
        if count <= LEFT_OUT_NOTED:
            self.note(path, Message.of("note.time_left_out", source=source, value=value,
                                       reason=Message.of(f"note.time_left_out_{reason}")))

    def finish(self) -> list[Note]:
        """The notes, with a count of the left-out times that were not noted one by one."""
        for source, count in sorted(self.left_out.items(), key=lambda item: str(item[0])):
            if count > LEFT_OUT_NOTED:
                self.note("", Message.of("note.times_left_out_more", count=count - LEFT_OUT_NOTED, source=source))
        self.left_out.clear()
        return self.notes

    def wants_hash(self, kind: str, fields: Mapping[str, Any]) -> bool:
        """Whether to compute a file's SHA-256: only when a rule's hash condition points at it."""
        return self.hash_wanted is not None and self.hash_wanted(kind, fields)


class Collector(ABC):
    name: ClassVar[str]  # check name, e.g. "linux.cron"
    title: ClassVar[str]  # plain words, e.g. "Scheduled jobs (cron)"
    platforms: ClassVar[tuple[str, ...]]  # "linux", "windows", "macos"
    live_only: ClassVar[bool] = False
    live_only_reason: ClassVar[Message] = Message.of("note.live_only")

    @abstractmethod
    def collect(self, target: Target, ctx: Context) -> Iterable[Artifact]:
        """Yield artifacts found on the target; report unreadable or broken input with ctx.note."""


def all_collectors() -> list[type[Collector]]:
    """Every collector defined in the techcheck.collectors package tree, sorted by check name.

    Only classes whose module lives in this package count: a Collector subclass defined elsewhere
    (a test, a plug-in imported by accident) never joins a scan.
    """
    import techcheck.collectors as pkg

    for mod in pkgutil.walk_packages(pkg.__path__, prefix=f"{pkg.__name__}."):
        importlib.import_module(mod.name)
    found: dict[str, type[Collector]] = {}
    stack: list[type[Collector]] = list(Collector.__subclasses__())
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if not cls.__module__.startswith(f"{pkg.__name__}."):
            continue
        if getattr(cls, "name", None) and not getattr(cls, "__abstractmethods__", None):
            found[cls.name] = cls
    return [found[n] for n in sorted(found)]


def collectors_for(os_name: str) -> list[type[Collector]]:
    return [c for c in all_collectors() if os_name in c.platforms]


def read_text_noted(target: Target, ctx: Context, path: str, limit: int | None = None) -> str | None:
    """Text of a file, or None with a note saying why it could not be read."""
    try:
        return target.read_text(path, limit)
    except TargetError as exc:
        ctx.note(target.display_path(path), Message.of("note.could_not_read", detail=exc.msg))
        return None


def read_bytes_noted(target: Target, ctx: Context, path: str, limit: int | None = None) -> bytes | None:
    """Bytes of a file, or None with a note saying why it could not be read."""
    try:
        return target.read_bytes(path, limit)
    except TargetError as exc:
        ctx.note(target.display_path(path), Message.of("note.could_not_read", detail=exc.msg))
        return None


def read_json_noted(target: Target, ctx: Context, path: str, limit: int | None = None) -> Any | None:
    """Parsed JSON of a file, or None with a note when it cannot be read or is not valid JSON."""
    text = read_text_noted(target, ctx, path, limit)
    if text is None:
        return None
    try:
        return load_json(text)
    except JsonError as exc:
        ctx.note(target.display_path(path), Message.of("note.not_json", detail=str(exc)))
        return None


def parse_noted(target: Target, ctx: Context, path: str, parse: Callable[[bytes], T], what: Message,
                errors: tuple[type[Exception], ...] = (ValueError,), limit: int = 8 * 1024 * 1024) -> T | None:
    """Read a file and parse its bytes; None with a note saying what could not be read or decoded."""
    try:
        data = target.read_bytes(path, limit)
    except TargetError as exc:
        ctx.note(target.display_path(path), Message.of("note.could_not_read_what", what=what, detail=exc.msg))
        return None
    try:
        return parse(data)
    except errors as exc:
        ctx.note(target.display_path(path), Message.of("note.could_not_decode_what", what=what, detail=str(exc)))
        return None


def entries_noted(target: Target, ctx: Context, folder: str) -> list[DirEntry]:
    """Entries of a folder; a note (and no entries) when it cannot be listed."""
    try:
        return target.list_dir(folder)
    except TargetError as exc:
        ctx.note(target.display_path(folder), Message.of("note.could_not_list", detail=exc.msg))
        return []


def list_dir_noted(target: Target, ctx: Context, path: str) -> list[str]:
    """Paths of entries in a folder that exists; a note when it exists but cannot be listed."""
    return [e.path for e in entries_noted(target, ctx, path)] if target.is_dir(path) else []


def exists_noted(target: Target, ctx: Context, path: str) -> bool:
    """Whether a file exists; when it seems not to because a folder above it cannot be opened (no
    permission: an ordinary account scanning other people's folders), a note says so, once."""
    if target.exists(path):
        return True
    parent = posixpath.dirname(path)
    while parent not in ("/", ""):
        if target.stat(parent) is not None:
            if target.is_dir(parent):
                try:
                    target.list_dir(parent)
                except TargetError as exc:
                    shown = target.display_path(parent)
                    if not any(n.path == shown for n in ctx.notes):
                        ctx.note(shown, Message.of("note.could_not_list", detail=exc.msg))
            return False
        parent = posixpath.dirname(parent)
    return False


def time_noted(ctx: Context, where: str, when: dt.datetime | None, kind: TimeKind, source: Message,
               precision: Precision = "second") -> Time | None:
    """A Time (a naive `when` is UTC), or None; an implausible one is left out with a note (timeutil.implausible)."""
    if when is None:
        return None
    fact = time_fact(when, kind, source, precision)
    if fact is None:
        why = implausible(when)
        ctx.time_left_out(where, source, iso_utc(when) or str(when),
                          "early" if why == "before 1995" else "future" if why else "bad")
    return fact


def unix_noted(ctx: Context, where: str, seconds: object, kind: TimeKind, source: Message) -> Time | None:
    """A Time from Unix seconds; 0, nonsense and implausible values are left out with a note."""
    if seconds is None:
        return None
    try:
        when = dt.datetime.fromtimestamp(float(seconds), dt.timezone.utc)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError, OSError):
        ctx.time_left_out(where, source, repr(seconds)[:40], "bad")
        return None
    return time_noted(ctx, where, when, kind, source)


def filetime_noted(ctx: Context, where: str, value: int | None, kind: TimeKind, source: Message) -> Time | None:
    """A Time from a Windows FILETIME; a zero one (unset) or an implausible one is left out with a note."""
    if value is None:
        return None
    when = filetime_to_datetime(value)
    if when is None:
        ctx.time_left_out(where, source, str(value), "zero" if value == 0 else "bad")
        return None
    return time_noted(ctx, where, when, kind, source)
