"""emond, the event monitor: rules that run a command as root when the Mac starts or someone signs in.

Rules are property lists in /private/etc/emond.d/rules (and any folder named by
config/additionalRulesPaths in /private/etc/emond.d/emond.plist). Each file is a list of rules;
a rule has a name, `enabled`, `eventTypes` (startup, periodic, auth.success, ...) and `actions`,
and an action of type RunCommand runs `command` with `arguments` as `user` (root by default).
emond only starts when a file exists in /private/var/db/emondClients (its launchd QueueDirectories).
macOS ships one SampleRules.plist whose rule only writes to the log. Sources:
https://www.xorrior.com/emond-persistence/, https://magnusviri.com/what-is-emond,
https://attack.mitre.org/techniques/T1546/014/, KnockKnock Plugins/EventRules.m.
"""

from __future__ import annotations

import posixpath
import shlex
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from techcheck.artifacts import Artifact, Location, make
from techcheck.collectors.base import Collector, Context, list_dir_noted, parse_noted
from techcheck.collectors.macos.origin import entry_facts, origins_for
from techcheck.collectors.macos.plists import PlistError, load_plist, plist_bool, plist_str
from techcheck.i18n import Message, Words
from techcheck.target.base import Target

EMOND_DIR = "/private/etc/emond.d"
RULES_DIR = EMOND_DIR + "/rules"
CONFIG = EMOND_DIR + "/emond.plist"
CLIENTS_DIR = "/private/var/db/emondClients"


@dataclass(frozen=True)
class EmondCommand:
    rule: str
    enabled: bool
    events: tuple[str, ...]
    argv: tuple[str, ...]
    user: str


def parse_emond_rules(data: bytes) -> list[EmondCommand]:
    """The RunCommand actions of an emond rules file (a list of rule dictionaries)."""
    plist: Any = load_plist(data)
    rules = plist if isinstance(plist, list) else [plist]
    out = []
    for rule in rules:
        if not isinstance(rule, dict):
            continue
        events = rule.get("eventTypes")
        event_names = tuple(e for e in events if isinstance(e, str)) if isinstance(events, list) else ()
        enabled = plist_bool(rule.get("enabled"))
        for action in rule.get("actions") or []:
            command = plist_str(action.get("command")) if isinstance(action, dict) else None
            if not command:
                continue
            args = action.get("arguments")
            extra = tuple(str(a) for a in args) if isinstance(args, list) else ()
            out.append(EmondCommand(plist_str(rule.get("name")) or "", enabled is not False, event_names,
                                    (command, *extra), plist_str(action.get("user")) or "root"))
    return out


def extra_rule_folders(data: bytes) -> list[str]:
    plist: Any = load_plist(data)
    config = plist.get("config") if isinstance(plist, dict) else None
    paths = config.get("additionalRulesPaths") if isinstance(config, dict) else None
    return [p for p in paths if isinstance(p, str) and p.startswith("/")] if isinstance(paths, list) else []


class MacEmond(Collector):
    name = "macos.emond"
    title = "Event monitor rules that run commands (emond)"
    platforms = ("macos",)

    def collect(self, target: Target, ctx: Context) -> Iterable[Artifact]:
        folders = [RULES_DIR]
        if target.exists(CONFIG):
            folders += parse_noted(target, ctx, CONFIG, extra_rule_folders, Message.of("note.what.emond_settings"),
                                   (PlistError,)) or []
        active = bool(list_dir_noted(target, ctx, CLIENTS_DIR))
        origins = origins_for(target, ctx)
        for folder in dict.fromkeys(folders):
            for path in list_dir_noted(target, ctx, folder):
                if not path.lower().endswith(".plist"):
                    continue
                for cmd in parse_noted(target, ctx, path, parse_emond_rules, Message.of("note.what.emond_rule"),
                                       (PlistError,)) or []:
                    yield self._artifact(target, origins, path, cmd, active)

    @staticmethod
    def _artifact(target: Target, origins: Any, path: str, cmd: EmondCommand, active: bool) -> Artifact:
        note = None if active else Words(Message.of("fact.desc_emond_inactive"))
        return make("autostart", Location(path=path), mechanism="emond_rule",
                    name=cmd.rule or posixpath.basename(path), exe=cmd.argv[0], command=shlex.join(cmd.argv),
                    scope="system", enabled=cmd.enabled,
                    trigger=", ".join(cmd.events) or Words(Message.of("fact.trigger_event")),
                    run_as=cmd.user, description=note, file=path,
                    **entry_facts(target, origins, argv=cmd.argv, definition=path))
