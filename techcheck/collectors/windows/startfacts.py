"""Adds the shared facts (origin, interpreter, what it runs, behaviour, personal, times) to Windows
start-up entries and services, as every Windows start-up collector yields them."""

from __future__ import annotations

import datetime as dt
import ntpath
from abc import abstractmethod
from collections.abc import Iterable, Iterator

from techcheck.artifacts import Artifact, make
from techcheck.collectors.base import Collector, Context, time_noted
from techcheck.collectors.common.filetimes import file_times
from techcheck.collectors.windows.commandfacts import SCRIPT_KINDS, windows_behaviour
from techcheck.collectors.windows.origin import windows_origins
from techcheck.collectors.windows.signer import PE_SUFFIXES, READ_LIMIT, signer_name
from techcheck.errors import NotAvailable, TargetError
from techcheck.facts.behaviour import Behaviour, analyse_script, program_missing
from techcheck.i18n import Message
from techcheck.kinds import KINDS
from techcheck.target.base import Target, decode_text
from techcheck.target.registry import Registry, RegistryError, RegKey
from techcheck.target.winreg_live import windows_path_to_target
from techcheck.timeutil import Time

SCRIPT_LIMIT = 1024 * 1024
PERSONAL_MECHANISMS = {"powershell_profile"}  # a person's own profile script: judged by what it runs


def script_facts(target: Target, path: str) -> Behaviour | None:
    """The facts of a script file in the scanned system; None when it is not there or cannot be read."""
    kind = SCRIPT_KINDS.get(ntpath.splitext(path.lower())[1], "")
    inside = windows_path_to_target(path)
    if not kind or inside is None or not target.is_file(inside):
        return None
    try:
        return analyse_script(decode_text(target.read_bytes(inside, SCRIPT_LIMIT)), kind)
    except TargetError:
        return None


def missing(target: Target, path: str) -> bool:
    """The program is not there although its folder is. Windows' own folders are left out: disk copies
    made for a check often hold only part of them."""
    inside = windows_path_to_target(path)
    if target.mode == "live" or inside is None or path.lower().startswith("c:\\windows\\"):
        return False
    return program_missing(inside, target.exists, target.is_dir)


class KeyTimes:
    """Last-write times of registry keys, looked up by path. Opening each key from the hive's root
    costs a walk of every level (seconds for 700 services), so each parent key's children are read once."""

    def __init__(self, reg: Registry | None) -> None:
        self.reg = reg
        self.children: dict[str, dict[str, RegKey]] = {}

    def last_write(self, path: str) -> dt.datetime | None:
        if self.reg is None or "\\" not in path:
            return None
        parent, name = path.rsplit("\\", 1)
        if parent.lower() not in self.children:
            try:
                key = self.reg.open_key(parent)
                self.children[parent.lower()] = {k.name.lower(): k for k in key.subkeys()} if key else {}
            except RegistryError:
                self.children[parent.lower()] = {}
        child = self.children[parent.lower()].get(name.lower())
        try:
            return child.last_write if child is not None else None
        except RegistryError:
            return None


KEY_LAST_WRITE = Message.of("time_source.key_last_write")


def key_time(keys: KeyTimes, ctx: Context, key_path: str) -> Time | None:
    """A registry key's last-write time as a "changed" time (a key keeps no creation time: its last
    write is when it or one of its values was last written)."""
    return time_noted(ctx, key_path, keys.last_write(key_path), "changed", KEY_LAST_WRITE) if key_path else None


def with_key_times(target: Target, ctx: Context, artifacts: Iterable[Artifact]) -> Iterator[Artifact]:
    """Every artifact found in a registry key gets that key's last-write time (once)."""
    keys = KeyTimes(_registry(target))
    for art in artifacts:
        spec = KINDS[art.kind].fields
        have = list(art.get("times") or [])
        found = key_time(keys, ctx, art.location.registry_key) if "times" in spec else None
        if found is None or any(t.source == KEY_LAST_WRITE for t in have):
            yield art
            continue
        fields = {k: v for k, v in art.fields.items() if not spec[k].derived}
        fields["times"] = [*have, found]
        yield make(art.kind, art.location, **fields)


def entry_times(target: Target, keys: KeyTimes, art: Artifact, ctx: Context) -> list[Time]:
    """The times the collector found (a task's registration date), then when the entry was last
    changed: its registry key's last write, or its file's modification time."""
    times: list[Time] = list(art.get("times") or [])
    key_path = art.location.registry_key
    if key_path:
        when = key_time(keys, ctx, key_path)
        if when is not None:
            times.append(when)
    shown = art.location.path
    inside = windows_path_to_target(shown) if shown else None
    if inside is not None:
        times += file_times(target, ctx, inside)
    return times


class Signers:
    """Signer names of program files in the scanned system, each file read once."""

    def __init__(self, target: Target) -> None:
        self.target = target
        self.names: dict[str, str] = {}

    def of(self, path: str) -> str:
        if not path.lower().endswith(PE_SUFFIXES):
            return ""
        inside = windows_path_to_target(path)
        if inside is None:
            return ""
        if inside.lower() not in self.names:
            try:
                data = self.target.read_bytes(inside, READ_LIMIT) if self.target.is_file(inside) else b""
            except TargetError:
                data = b""
            self.names[inside.lower()] = signer_name(data) if data else ""
        return self.names[inside.lower()]


def _registry(target: Target) -> Registry | None:
    try:
        return target.registry()
    except NotAvailable:
        return None


def with_facts(target: Target, ctx: Context, artifacts: Iterable[Artifact]) -> Iterator[Artifact]:
    origins = windows_origins(target, ctx)
    keys = KeyTimes(_registry(target))
    signers = Signers(target)
    for art in artifacts:
        if art.kind not in ("autostart", "service"):
            yield art
            continue
        exe = str(art.get("exe") or "")
        command = str(art.get("command") or exe)
        facts = windows_behaviour(command, exe, str(art.get("user") or ""))
        script = script_facts(target, facts.runs) if facts.runs else None
        if script is not None:
            facts = facts.merged(script)
        if (facts.runs or exe) and missing(target, facts.runs or exe):
            facts = facts.with_tags("missing_program")
        origin, origin_name = origins.resolve(art, facts.runs, "inline_code" in facts.tags)
        # Windows' own files are catalog-signed (no signature inside): only other programs are read.
        signer = signers.of(facts.runs or exe) if origin != "system" else ""
        spec = KINDS[art.kind].fields
        fields = {k: v for k, v in art.fields.items() if not spec[k].derived}
        fields.update(origin=origin, origin_name=origin_name or None, interpreter=facts.interpreter or None,
                      runs=facts.runs or None, behaviour=list(facts.tags),
                      personal=art.get("mechanism") in PERSONAL_MECHANISMS and bool(art.get("user")),
                      times=entry_times(target, keys, art, ctx) or None, signer=signer or None)
        yield make(art.kind, art.location, **fields)


class StartCollector(Collector):
    """A Windows check of what starts by itself: every entry `_entries` finds gets its facts (origin,
    signer, what it runs, key times) from with_facts."""

    platforms = ("windows",)

    def collect(self, target: Target, ctx: Context) -> Iterable[Artifact]:
        return with_facts(target, ctx, self._entries(target, ctx))

    @abstractmethod
    def _entries(self, target: Target, ctx: Context) -> Iterator[Artifact]:
        """The entries, before their facts are added."""
