"""Adds the shared facts (origin, interpreter, what it runs, behaviour, personal) to Windows start-up
entries and services, as every Windows start-up collector yields them."""

from __future__ import annotations

import ntpath
import posixpath
from collections.abc import Iterable, Iterator

from techcheck.artifacts import KINDS, Artifact, make
from techcheck.collectors.base import Context
from techcheck.collectors.windows.commandfacts import (
    SCRIPT_HOSTS,
    analyse_windows_command,
    analyse_windows_script,
    code_tags,
)
from techcheck.collectors.windows.origin import windows_origins
from techcheck.errors import TargetError
from techcheck.target.base import Target, decode_text
from techcheck.target.winreg_live import windows_path_to_target

SCRIPT_LIMIT = 1024 * 1024
PERSONAL_MECHANISMS = {"powershell_profile"}


def script_tags(target: Target, path: str, kind: str) -> set[str]:
    """Behaviour tags of a script file in the scanned system; none when it cannot be read."""
    inside = windows_path_to_target(path)
    if inside is None or not target.is_file(inside):
        return set()
    try:
        return set(analyse_windows_script(decode_text(target.read_bytes(inside, SCRIPT_LIMIT)), kind))
    except TargetError:
        return set()


def missing(target: Target, path: str) -> bool:
    """The program is not there although the folder that should hold it is (a disk copy shows this)."""
    inside = windows_path_to_target(path)
    # Windows' own folders are left out: disk copies used for checks often hold only part of them.
    if inside is None or "\\" not in path or path.lower().startswith("c:\\windows\\"):
        return False
    return target.is_dir(posixpath.dirname(inside)) and not target.exists(inside)


def with_facts(target: Target, ctx: Context, artifacts: Iterable[Artifact]) -> Iterator[Artifact]:
    origins = windows_origins(target, ctx)
    for art in artifacts:
        if art.kind not in ("autostart", "service"):
            yield art
            continue
        command = str(art.get("command") or art.get("exe") or "")
        exe = str(art.get("exe") or "")
        facts = analyse_windows_command(command, exe, str(art.get("user") or ""))
        tags = set(facts.tags)
        if not exe and art.get("mechanism") == "wmi_subscription":  # a script consumer: the text is the script
            tags |= code_tags(command)
        script = facts.runs or (exe if ntpath.splitext(exe.lower())[1] in SCRIPT_HOSTS else "")
        if script and ntpath.splitext(script.lower())[1] in SCRIPT_HOSTS:
            tags |= script_tags(target, script, facts.interpreter)
        program = facts.runs or exe
        if program and target.mode != "live" and missing(target, program):
            tags.add("missing_program")
        origin, origin_name = origins.resolve(art, facts.runs, facts.inline)
        personal = art.get("mechanism") in PERSONAL_MECHANISMS and bool(art.get("user"))
        spec = KINDS[art.kind].fields
        fields = {k: v for k, v in art.fields.items() if not spec[k].derived}
        fields.update(origin=origin, origin_name=origin_name or None, interpreter=facts.interpreter or None,
                      runs=facts.runs or None, behaviour=sorted(tags), personal=personal)
        yield make(art.kind, art.location, **fields)
