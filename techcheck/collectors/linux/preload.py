"""/etc/ld.so.preload: libraries forced into every program that starts (a favourite hiding place);
on a live scan also LD_PRELOAD in the environment of running programs (/proc/<pid>/environ)."""

from __future__ import annotations

from collections.abc import Iterable

from techcheck.artifacts import Artifact, Location, make
from techcheck.collectors.base import Collector, Context, read_text_noted
from techcheck.collectors.linux.startfacts import file_facts
from techcheck.errors import TargetError
from techcheck.i18n import Message, Words
from techcheck.target.base import Target
from techcheck.textlines import blank_fields, text_lines

PRELOAD_FILE = "/etc/ld.so.preload"
MAX_PROCESSES = 5_000
ENVIRON_LIMIT = 256 * 1024


def environ_preload(data: bytes) -> list[str]:
    """LD_PRELOAD libraries in a process environment (/proc/<pid>/environ: NUL-separated NAME=value)."""
    for item in data.split(b"\x00"):
        if item.startswith(b"LD_PRELOAD="):
            value = item[len(b"LD_PRELOAD="):].decode("utf-8", "replace")
            return [v for v in value.replace(":", " ").split() if v]
    return []


def running_preloads(target: Target) -> dict[str, list[str]]:
    """lib -> pids of running programs started with LD_PRELOAD (live scans; /proc is not in a copy)."""
    if target.mode != "live" or not target.is_dir("/proc"):
        return {}
    found: dict[str, list[str]] = {}
    pids = [e.name for e in target.list_dir("/proc") if e.name.isdigit()][:MAX_PROCESSES]
    for pid in pids:
        try:
            data = target.read_bytes(f"/proc/{pid}/environ", ENVIRON_LIMIT)
        except TargetError:
            continue  # the program ended, or belongs to someone techcheck may not look at
        for lib in environ_preload(data):
            found.setdefault(lib, []).append(pid)
    return found


def parse_preload(text: str) -> list[str]:
    """Library paths listed in ld.so.preload: separated by white space, '#' starts a comment."""
    libs: list[str] = []
    for line in text_lines(text):
        libs.extend(blank_fields(line.split("#", 1)[0]))
    return libs


class LinuxPreload(Collector):
    name = "linux.preload"
    title = "Libraries loaded into every program (ld.so.preload)"
    platforms = ("linux",)

    def collect(self, target: Target, ctx: Context) -> Iterable[Artifact]:
        for lib, pids in sorted(running_preloads(target).items()):
            yield make("autostart", Location(path=f"/proc/{pids[0]}/environ"), mechanism="ld_preload", name=lib,
                       exe=lib, command=lib, scope="system", enabled=True,
                       trigger=Words(Message.of("fact.trigger_running_with_preload", pids=", ".join(pids[:10]))),
                       **file_facts(target, ctx, lib))
        if not target.exists(PRELOAD_FILE):
            return
        text = read_text_noted(target, ctx, PRELOAD_FILE)
        if text is None:
            return
        for lib in parse_preload(text):
            yield make("autostart", Location(path=PRELOAD_FILE), mechanism="ld_preload", name=lib,
                       exe=lib, command=lib, scope="system", enabled=True,
                       trigger=Words(Message.of("fact.trigger_every_program_start")),
                       **file_facts(target, ctx, lib))
