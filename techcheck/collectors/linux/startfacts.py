"""Facts for a Linux start-up entry: where it came from and what it runs (shared by the Linux collectors).

origin: the worst of the file that defines the entry (a unit, a cron file, a desktop file) and the
file it runs (the script an interpreter is told to run, else the program). Inline code lives in the
file that defines it, so it takes that file's origin. A person's own file (personal=True) is judged
by what it runs: its own origin does not count, and inline code in it is "unknown".
Small script files an entry runs are read (at most SCRIPT_LIMIT bytes) and judged like commands.
"""

from __future__ import annotations

import posixpath
from typing import Any

from techcheck.collectors.base import Context
from techcheck.collectors.common.filetimes import file_times
from techcheck.collectors.linux.commandline import command_exe, expand_home
from techcheck.collectors.linux.origin import linux_origins
from techcheck.errors import TargetError
from techcheck.facts.behaviour import Behaviour, analyse_command, analyse_script, program_missing, script_kind
from techcheck.facts.origin import UNKNOWN_ORIGIN, Origin, worst
from techcheck.target.base import Target

SCRIPT_LIMIT = 64 * 1024
PATH_DIRS = ("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin")


def find_program(target: Target, program: str) -> str:
    """A program's full path: as given when it has a folder, else found on the usual PATH."""
    if not program or "/" in program:
        return program
    for folder in PATH_DIRS:
        candidate = posixpath.join(folder, program)
        if target.is_file(candidate):
            return candidate
    return ""


def script_behaviour(target: Target, path: str) -> Behaviour:
    """Tags earned by a small script file (its first SCRIPT_LIMIT bytes); none for programs."""
    try:
        head = target.read_prefix(path, SCRIPT_LIMIT)
    except TargetError:
        return Behaviour()
    if b"\x00" in head[:1024]:
        return Behaviour()  # a compiled program, not a script
    text = head.decode("utf-8", "replace")
    kind = script_kind(path, text.split("\n", 1)[0])
    return analyse_script(text, kind) if kind else Behaviour()


def entry_facts(target: Target, ctx: Context, command: str, definition: str = "", *, personal: bool = False,
                home: str = "", program: str = "") -> dict[str, Any]:
    """origin, origin_name, interpreter, runs, behaviour, personal and times for one entry."""
    origins = linux_origins(target, ctx)
    behaviour = analyse_command(command, "linux") if command else Behaviour()
    runs = expand_home(behaviour.runs, home)
    inline = bool(behaviour.interpreter) and not runs
    runnable = runs or ("" if inline else expand_home(program or command_exe(command), home))
    path = find_program(target, runnable)
    tags = set(behaviour.tags)
    parts: list[Origin | None] = []
    if definition and not personal:
        parts.append(origins.of(definition, ctx))
    if path and target.is_file(path):
        parts.append(origins.of(path, ctx))
        tags |= set(script_behaviour(target, path).tags)
    elif path and program_missing(path, target.exists, target.is_dir):
        tags.add("missing_program")
    if inline and personal:
        parts.append(UNKNOWN_ORIGIN)
    origin = worst(*parts) if parts else UNKNOWN_ORIGIN
    known = origins.available  # without package lists "unknown" would be a guess: leave it unset
    return {
        "origin": origin.value if known else None, "origin_name": (origin.name or None) if known else None,
        "interpreter": behaviour.interpreter or None, "runs": runs or None,
        "behaviour": list(Behaviour(tags=tuple(tags)).with_tags().tags), "personal": personal,
        "times": file_times(target, ctx, definition) if definition else [],
    }


def file_facts(target: Target, ctx: Context, path: str, *, personal: bool = False) -> dict[str, Any]:
    """Facts for an entry that is a file run as it is (a cron.daily script, an update-motd.d part)."""
    return entry_facts(target, ctx, "", path, personal=personal, program=path)
