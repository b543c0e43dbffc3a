"""StartupItems: the oldest macOS start-up folders, run as root while the Mac starts.

Each item is a folder in /Library/StartupItems (or /System/Library/StartupItems) holding a script
named like the folder and a StartupParameters.plist (Description, Provides, Requires,
OrderPreference). Apple deprecated them in Mac OS X 10.4 in favour of launchd and stopped running
them in OS X 10.10, but old malware and old software still leave them (Apple, "Daemons and Services
Programming Guide", https://developer.apple.com/library/archive/documentation/MacOSX/Conceptual/
BPSystemStartup/Chapters/StartupItems.html; https://attack.mitre.org/techniques/T1037/005/).

/private/etc/launchd.conf is read here too: up to OS X 10.9 launchd ran each of its lines as a
launchctl command at boot (launchd.conf(5)); macOS 10.10 and later ignore it, so one on a newer Mac
was put there by hand (KnockKnock Plugins/StartupScripts.m lists it).
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable
from typing import Any

from techcheck.artifacts import Artifact, Location, make
from techcheck.collectors.base import Collector, Context, list_dir_noted, parse_noted, read_text_noted
from techcheck.collectors.macos.origin import entry_facts, origins_for
from techcheck.collectors.macos.plists import PlistError, load_plist, plist_str
from techcheck.i18n import Message, Words
from techcheck.target.base import Target
from techcheck.textlines import text_lines

FOLDERS = (("/Library/StartupItems", "system"), ("/System/Library/StartupItems", "apple"))
LAUNCHD_CONF = "/private/etc/launchd.conf"


def launchd_conf_commands(text: str) -> list[tuple[int, str]]:
    """(line number, launchctl command) for each line of a launchd.conf; comments and blanks left out."""
    return [(n, line.strip()[:2000]) for n, line in enumerate(text_lines(text), 1)
            if line.strip() and not line.strip().startswith("#")]


def parse_startup_parameters(data: bytes) -> str:
    """The Description of a StartupParameters.plist (XML, binary or the old text format's XML)."""
    plist: Any = load_plist(data)
    if not isinstance(plist, dict):
        raise PlistError("StartupParameters.plist must be a dictionary")
    provides = plist.get("Provides")
    names = ", ".join(p for p in provides if isinstance(p, str)) if isinstance(provides, list) else ""
    return plist_str(plist.get("Description")) or names


class MacStartupItems(Collector):
    name = "macos.startup_items"
    title = "Old-style start-up items (StartupItems)"
    platforms = ("macos",)

    def collect(self, target: Target, ctx: Context) -> Iterable[Artifact]:
        origins = origins_for(target, ctx)
        for folder, scope in FOLDERS:
            for item in list_dir_noted(target, ctx, folder):
                if not target.is_dir(item):
                    continue
                params = f"{item}/StartupParameters.plist"
                description = ""
                if target.exists(params):
                    description = parse_noted(target, ctx, params, parse_startup_parameters,
                                              Message.of("note.what.startup_item_description"), (PlistError,)) or ""
                script = f"{item}/{posixpath.basename(item)}"
                yield make("autostart", Location(path=item), mechanism="startup_item",
                           name=posixpath.basename(item), exe=script, command=script, scope=scope,
                           enabled=target.exists(script), trigger=Words(Message.of("fact.trigger_boot")), run_as="root",
                           description=description or None, file=params if target.exists(params) else None,
                           **entry_facts(target, origins, exe=script))
        if target.is_file(LAUNCHD_CONF):
            for line, command in launchd_conf_commands(read_text_noted(target, ctx, LAUNCHD_CONF, 1024 * 1024) or ""):
                # "bsexec PID /bin/sh -c ..." or "submit -l label -- /path/program": what runs is the
                # part from the first full path on.
                at = command.find(" /")
                yield make("autostart", Location(path=LAUNCHD_CONF), mechanism="launchd_conf",
                           name=f"launchd.conf:{line}", command=command, scope="system", enabled=True,
                           trigger=Words(Message.of("fact.trigger_boot_old_macos")), run_as="root", file=LAUNCHD_CONF,
                           **entry_facts(target, origins, command[at + 1:] if at >= 0 else command,
                                        definition=LAUNCHD_CONF))
