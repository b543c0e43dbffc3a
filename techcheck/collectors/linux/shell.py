"""Shell start-up files (~/.bashrc, ~/.profile, /etc/profile.d/*.sh ...): only the unusual lines.

These files run every time someone opens a terminal or signs in. Ordinary ones set the prompt,
aliases and PATH. Only lines that start a program in the background, run a program from a temporary
or hidden folder, watch the keyboard, or set LD_PRELOAD (code forced into every program) are
reported, so an ordinary .bashrc yields nothing. /etc/environment is read for LD_PRELOAD.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from techcheck.artifacts import Artifact, Location, make
from techcheck.collectors.base import Collector, Context, list_dir_noted, read_text_noted
from techcheck.collectors.common.parsing import user_homes
from techcheck.collectors.linux.commandline import command_exe, expand_home, split_words
from techcheck.target.base import Target

USER_FILES = (".bashrc", ".bash_profile", ".bash_login", ".profile", ".zshrc", ".zprofile", ".zlogin",
              ".xprofile", ".xsessionrc", ".xinitrc")
# Files that start a graphical session. Starting helpers in the background with '&' is how they are
# meant to be written (Xorg's own xinitrc template starts twm and xclock that way), so that alone is
# not unusual there.
X_SESSION_FILES = (".xprofile", ".xsessionrc", ".xinitrc")
SYSTEM_FILES = ("/etc/profile", "/etc/bash.bashrc", "/etc/zsh/zshrc", "/etc/zsh/zprofile", "/etc/environment")
PROFILE_D = "/etc/profile.d"
SHELL_LIMIT = 2 * 1024 * 1024

_BACKGROUND = re.compile(r"(?<![&>|])&\s*(?:#.*)?$|(?:^|[\s;&|(])(?:nohup|setsid|disown|daemonize)(?:\s|$)")
_TEMP = re.compile(r"^(?:/tmp|/var/tmp|/dev/shm)/")
# ~/.local/bin is the standard folder for a person's own programs (XDG base directory spec), not a hiding place.
_HIDDEN = re.compile(r"/\.(?!local/bin/)[^/.][^/]*/")
_INPUT_WATCH = re.compile(r"\bxinput\s+(?:test|test-xi2)\b|\bshowkey\b|\bevtest\b|\blogkeys\b")
_LD_PRELOAD = re.compile(r"(?:^|[\s;])(?:export\s+)?LD_PRELOAD\s*=\s*(\S+)")
_CASE_PATTERN = re.compile(r"^[^()\s]*\)")


@dataclass(frozen=True)
class ShellFinding:
    line: int
    text: str
    exe: str
    reasons: tuple[str, ...]
    preload: tuple[str, ...] = ()


def unusual_lines(text: str, home: str = "", x_session: bool = False) -> list[ShellFinding]:
    """Lines of a shell start-up file that do something an ordinary one does not.

    x_session: the file starts a graphical session (.xinitrc and the like), where background
    programs are normal.
    """
    found = []
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#") or _CASE_PATTERN.match(line):
            continue
        preload = _LD_PRELOAD.search(line)
        libs = tuple(w for w in split_words(preload.group(1).replace(":", " ")) if w) if preload else ()
        exe = expand_home(command_exe(line), home)
        reasons = []
        if exe and not x_session and _BACKGROUND.search(line):
            reasons.append("starts a program that keeps running in the background")
        if _TEMP.match(exe):
            reasons.append("runs a program from a temporary folder")
        if _HIDDEN.search(exe):
            reasons.append("runs a program from a hidden folder")
        if _INPUT_WATCH.search(line):
            reasons.append("watches the keyboard")
        if reasons or libs:
            found.append(ShellFinding(lineno, line[:1000], exe, tuple(reasons), libs))
    return found


def environment_preload(text: str) -> list[str]:
    """LD_PRELOAD libraries set in /etc/environment (plain NAME=value lines, no shell)."""
    libs: list[str] = []
    for line in text.splitlines():
        key, sep, value = line.strip().partition("=")
        if sep and key.strip() == "LD_PRELOAD":
            libs += [v for v in value.strip().strip("'\"").replace(":", " ").split() if v]
    return libs


class LinuxShellStartup(Collector):
    name = "linux.shell_startup"
    title = "Shell start-up files (.bashrc, .profile and the like)"
    platforms = ("linux",)

    def collect(self, target: Target, ctx: Context) -> Iterable[Artifact]:
        files: list[tuple[str, str, str]] = [(p, "", "") for p in SYSTEM_FILES]
        files += [(p, "", "") for p in list_dir_noted(target, ctx, PROFILE_D) if p.endswith(".sh")]
        for h in user_homes(target):
            files += [(posixpath.join(h.home, f), h.user, h.home) for f in USER_FILES]
        for path, user, home in files:
            if not target.exists(path):
                continue
            text = read_text_noted(target, ctx, path, SHELL_LIMIT)
            if text is None:
                continue
            if path == "/etc/environment":
                for lib in environment_preload(text):
                    yield self._preload(path, lib, user, "every program started after sign-in")
                continue
            yield from self._file(path, text, user, home)

    def _file(self, path: str, text: str, user: str, home: str) -> Iterator[Artifact]:
        scope = "user" if user else "system"
        for f in unusual_lines(text, home, x_session=posixpath.basename(path) in X_SESSION_FILES):
            for lib in f.preload:
                yield self._preload(f"{path}", lib, user, "programs started from this shell")
            if f.reasons:
                yield make("autostart", Location(path=path), mechanism="shell_startup",
                           name=f"{posixpath.basename(path)}:{f.line}", exe=f.exe or None, command=f.text,
                           user=user, scope=scope, enabled=True, run_as=user or None,
                           trigger="terminal or sign-in", description="; ".join(f.reasons))

    @staticmethod
    def _preload(path: str, lib: str, user: str, trigger: str) -> Artifact:
        return make("autostart", Location(path=path), mechanism="ld_preload", name=lib, exe=lib, command=lib,
                    user=user, scope="user" if user else "system", enabled=True, trigger=trigger)
