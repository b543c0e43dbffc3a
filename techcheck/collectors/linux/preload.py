"""/etc/ld.so.preload: libraries forced into every program that starts (a favourite hiding place)."""

from __future__ import annotations

from collections.abc import Iterable

from techcheck.artifacts import Artifact, Location, make
from techcheck.collectors.base import Collector, Context, read_text_noted
from techcheck.collectors.linux.startfacts import file_facts
from techcheck.target.base import Target

PRELOAD_FILE = "/etc/ld.so.preload"


def parse_preload(text: str) -> list[str]:
    """Library paths listed in ld.so.preload: separated by white space, '#' starts a comment."""
    libs: list[str] = []
    for line in text.splitlines():
        libs.extend(line.split("#", 1)[0].split())
    return libs


class LinuxPreload(Collector):
    name = "linux.preload"
    title = "Libraries loaded into every program (ld.so.preload)"
    platforms = ("linux",)

    def collect(self, target: Target, ctx: Context) -> Iterable[Artifact]:
        if not target.exists(PRELOAD_FILE):
            return
        text = read_text_noted(target, ctx, PRELOAD_FILE)
        if text is None:
            return
        for lib in parse_preload(text):
            yield make("autostart", Location(path=PRELOAD_FILE), mechanism="ld_preload", name=lib,
                       exe=lib, command=lib, scope="system", enabled=True, trigger="every program start",
                       **file_facts(target, ctx, lib))
