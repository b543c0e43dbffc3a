"""XDG autostart: .desktop files that desktop sessions (GNOME, KDE, Xfce ...) start at sign-in.

System-wide entries live in /etc/xdg/autostart; each user's in ~/.config/autostart. A user's file
with the same name replaces the system one (that is how "turn off at login" works).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from techcheck.artifacts import Artifact, Location, make
from techcheck.collectors.base import Collector, Context, list_dir_noted, read_text_noted
from techcheck.collectors.common.parsing import user_homes
from techcheck.collectors.linux.commandline import command_exe, expand_home
from techcheck.collectors.linux.startfacts import entry_facts, file_facts
from techcheck.i18n import Message, Words
from techcheck.target.base import Target
from techcheck.textlines import text_lines

SYSTEM_AUTOSTART = "/etc/xdg/autostart"
USER_AUTOSTART = ".config/autostart"
# KDE Plasma 5 also runs every script in these folders at sign-in (not .desktop files).
KDE_SCRIPT_DIRS = (".config/autostart-scripts", ".config/plasma-workspace/env")
DESKTOP_LIMIT = 1024 * 1024
_FIELD_CODE = re.compile(r"\s*%[fFuUdDnNickvm]")


@dataclass
class DesktopEntry:
    keys: dict[str, str] = field(default_factory=dict)
    problems: list[Message] = field(default_factory=list)

    @property
    def exec(self) -> str:
        """The command, without the %f/%u/... placeholders a launcher fills in."""
        return _FIELD_CODE.sub("", self.keys.get("Exec", "")).replace("%%", "%").strip()

    @property
    def hidden(self) -> bool:
        return self.keys.get("Hidden", "").lower() == "true"

    @property
    def enabled(self) -> bool:
        """Off when Hidden=true or X-GNOME-Autostart-enabled=false."""
        gnome = self.keys.get("X-GNOME-Autostart-enabled", "true").strip().lower()
        return not self.hidden and gnome != "false"

    def desktops(self, key: str) -> list[str]:
        return [d for d in self.keys.get(key, "").split(";") if d]


def parse_desktop(text: str) -> DesktopEntry:
    """Keys of the [Desktop Entry] group (localized keys like Name[fr] are left out)."""
    entry = DesktopEntry()
    group = ""
    seen_group = False
    for lineno, raw in enumerate(text_lines(text), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            group = line[1:-1]
            seen_group = seen_group or group == "Desktop Entry"
            continue
        key, sep, value = line.partition("=")
        key = key.strip()
        if not sep or not key or not group:
            entry.problems.append(Message.of("note.line", n=lineno, problem=Message.of("note.not_key_value_group")))
            continue
        if group == "Desktop Entry" and "[" not in key:
            entry.keys[key] = value.strip()
    if not seen_group:
        entry.problems.append(Message.of("note.no_desktop_entry"))
    return entry


def desktop_sign_in(only: str, not_in: str) -> Message:
    """When an autostart entry runs, in words: at desktop sign-in, only in some desktops or not in some."""
    if only and not_in:
        return Message.of("fact.trigger_desktop_sign_in_only_not_in", only=only, not_in=not_in)
    if only:
        return Message.of("fact.trigger_desktop_sign_in_only", desktops=only)
    if not_in:
        return Message.of("fact.trigger_desktop_sign_in_not_in", desktops=not_in)
    return Message.of("fact.trigger_desktop_sign_in")


class LinuxXdgAutostart(Collector):
    name = "linux.xdg_autostart"
    title = "Programs that start when someone signs in to the desktop (XDG autostart)"
    platforms = ("linux",)

    def collect(self, target: Target, ctx: Context) -> Iterable[Artifact]:
        folders: list[tuple[str, str, str]] = [(SYSTEM_AUTOSTART, "system", "")]
        folders += [(posixpath.join(h.home, USER_AUTOSTART), "user", h.user) for h in user_homes(target)]
        homes = {h.user: h.home for h in user_homes(target)}
        yield from self._kde_scripts(target, ctx)
        for folder, scope, user in folders:
            for path in list_dir_noted(target, ctx, folder):
                if path.endswith(".desktop"):
                    yield from self._desktop_file(target, ctx, path, scope, user, homes.get(user, ""))

    def _kde_scripts(self, target: Target, ctx: Context) -> Iterator[Artifact]:
        for h in user_homes(target):
            for rel in KDE_SCRIPT_DIRS:
                for path in list_dir_noted(target, ctx, posixpath.join(h.home, rel)):
                    if target.is_dir(path):
                        continue
                    yield make("autostart", Location(path=path), mechanism="xdg_autostart",
                               name=posixpath.basename(path), exe=path, command=path, user=h.user, scope="user",
                               enabled=True, run_as=h.user,
                               trigger=Words(Message.of("fact.trigger_kde_sign_in_script")),
                               **file_facts(target, ctx, path, personal=True))

    def _desktop_file(self, target: Target, ctx: Context, path: str, scope: str, user: str,
                      home: str) -> Iterator[Artifact]:
        text = read_text_noted(target, ctx, path, DESKTOP_LIMIT)
        if text is None:
            return
        entry = parse_desktop(text)
        for problem in entry.problems[:5]:
            ctx.note(path, Message.of("note.desktop_file", problem=problem))
        if not entry.exec:
            if not entry.hidden:
                ctx.note(path, Message.of("note.desktop_no_exec"))
            return
        command = entry.exec
        exe = expand_home(command_exe(command), home)
        only = entry.desktops("OnlyShowIn")
        not_in = entry.desktops("NotShowIn")
        trigger = Words(desktop_sign_in(", ".join(only), ", ".join(not_in)))
        yield make("autostart", Location(path=path), mechanism="xdg_autostart",
                   name=posixpath.basename(path), exe=exe or None, command=command, user=user,
                   scope=scope, enabled=entry.enabled, hidden=entry.hidden, trigger=trigger,
                   run_as=user or None, description=entry.keys.get("Comment") or entry.keys.get("Name"),
                   **entry_facts(target, ctx, command, path, personal=scope == "user", home=home, program=exe))
