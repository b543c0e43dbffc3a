"""WMI event subscriptions: a command line or script that Windows' management service (WMI) runs by
itself when an event happens (start-up, sign-in, a time of day). They leave no file and no Run entry.

There is no maintained, permissively licensed parser of the WMI repository, so OBJECTS.DATA is searched
as bytes, bounded in size: the names of command-line and script consumers bound to a filter
(`CommandLineEventConsumer.Name="..."` in a binding), and the text that follows each consumer record's
class name (its name, then its command line or script). This is the method of PyWMIPersistenceFinder
(https://github.com/davidpany/WMI_Forensics); the technique is MITRE ATT&CK T1546.003
(https://attack.mitre.org/techniques/T1546/003/). A byte search can also find deleted records, and can
miss records stored in an unusual way: the description says so.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from techcheck.artifacts import Artifact, Location, make
from techcheck.collectors.base import Context
from techcheck.collectors.windows.registry import command_exe
from techcheck.collectors.windows.startfacts import StartCollector
from techcheck.errors import TargetError
from techcheck.i18n import Message, Words, err_detail
from techcheck.target.base import Target

REPOSITORY = ("/Windows/System32/wbem/Repository/OBJECTS.DATA", "/Windows/System32/wbem/Repository/FS/OBJECTS.DATA")
# What a consumer is, in words: bound to an event (it runs) or not.
_CONSUMER_WORDS = {True: "fact.desc_wmi_consumer", False: "fact.desc_wmi_consumer_unbound"}
READ_LIMIT = 256 * 1024 * 1024  # real repositories are tens of MiB
WINDOW = 4096  # bytes after a consumer's class name that hold its own strings
MAX_CONSUMERS = 500
KINDS = {b"CommandLineEventConsumer": "command line", b"ActiveScriptEventConsumer": "script"}
_RECORD = re.compile(rb"(CommandLineEventConsumer|ActiveScriptEventConsumer)\x00")
_BOUND = re.compile(rb'(CommandLineEventConsumer|ActiveScriptEventConsumer)\.Name="([^"\x00]{1,256})"')
_STRINGS = re.compile(rb"[\x20-\x7e\t]{3,}")
_COMMAND_LIKE = re.compile(r"\.(exe|bat|cmd|ps1|vbs|js|hta|dll)\b|\b(powershell|pwsh|cmd|wscript|cscript|mshta|"
                           r"rundll32|regsvr32)\b|https?://", re.IGNORECASE)
_ENGINES = {"vbscript", "jscript"}


@dataclass(frozen=True)
class WmiConsumer:
    kind: str  # "command line" or "script"
    name: str
    command: str  # the command line, or the script text / script file
    engine: str = ""  # VBScript or JScript, for script consumers
    bound: bool = False  # a filter-to-consumer binding names it


def bound_names(data: bytes) -> set[tuple[str, str]]:
    """(kind, consumer name) of every consumer a binding names."""
    return {(KINDS[m.group(1)], m.group(2).decode("latin-1")) for m in _BOUND.finditer(data)}


def _strings_after(data: bytes, start: int) -> list[str]:
    window = data[start:start + WINDOW]
    nxt = _RECORD.search(window)  # stop at the next consumer record
    if nxt:
        window = window[:nxt.start()]
    return [s.decode("latin-1").strip() for s in _STRINGS.findall(window)][:64]


def _consumer_at(kind: str, strings: list[str], bound: set[tuple[str, str]]) -> WmiConsumer | None:
    names = {name for k, name in bound if k == kind}
    index = next((i for i, s in enumerate(strings) if s in names), -1)
    rest = strings[index + 1:] if index >= 0 else strings
    name = strings[index] if index >= 0 else ""
    if kind == "script":
        engine = next((s for s in rest if s.lower() in _ENGINES), "")
        body = [s for s in rest if s.lower() not in _ENGINES]
        script = max(body, key=len, default="")
        if not script or (not engine and not _COMMAND_LIKE.search(script)):
            return None
        return WmiConsumer(kind, name, script, engine, bound=index >= 0)
    command = rest[0] if index >= 0 and rest else next((s for s in rest if _COMMAND_LIKE.search(s)), "")
    return WmiConsumer(kind, name, command, bound=index >= 0) if command else None


def find_consumers(data: bytes) -> list[WmiConsumer]:
    """Command-line and script consumers found in OBJECTS.DATA bytes (each once)."""
    bound = bound_names(data)
    found: dict[tuple[str, str, str], WmiConsumer] = {}
    for m in _RECORD.finditer(data):
        consumer = _consumer_at(KINDS[m.group(1)], _strings_after(data, m.end()), bound)
        if consumer is not None:
            found.setdefault((consumer.kind, consumer.name, consumer.command), consumer)
        if len(found) >= MAX_CONSUMERS:
            break
    return list(found.values())


class WindowsWmiSubscriptions(StartCollector):
    name = "windows.wmi_subscriptions"
    title = "Commands Windows management (WMI) runs on events"

    def _entries(self, target: Target, ctx: Context) -> Iterator[Artifact]:
        for path in REPOSITORY:
            if target.exists(path):
                yield from self._repository(target, path, ctx)

    def _repository(self, target: Target, path: str, ctx: Context) -> Iterator[Artifact]:
        shown = target.display_path(path)
        try:
            data = target.read_bytes(path, READ_LIMIT)
        except TargetError as exc:
            ctx.note(shown, Message.of("note.wmi_unsearchable", detail=err_detail(exc)))
            return
        for c in find_consumers(data):
            command = c.command if c.kind == "command line" else c.command[:2000]
            exe = command_exe(command) if c.kind == "command line" else ""
            yield make("autostart", Location(path=shown), mechanism="wmi_subscription",
                       name=c.name or f"(unnamed {c.kind} consumer)", exe=exe or None,
                       command=command, scope="system", enabled=c.bound,
                       trigger=Words(Message.of("fact.trigger_wmi_event")),
                       run_as="SYSTEM",
                       description=Words(Message.of(_CONSUMER_WORDS[c.bound], kind=c.kind,
                                                    engine=f" ({c.engine})" if c.engine else ""),
                                         Message.of("fact.desc_wmi_found_by_search")))
