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
from techcheck.collectors.linux.startfacts import entry_facts, file_facts
from techcheck.facts.behaviour import analyse_command
from techcheck.i18n import N_, Message, Words
from techcheck.target.base import Target
from techcheck.textlines import text_lines

USER_FILES = (".bashrc", ".bash_profile", ".bash_login", ".bash_logout", ".profile", ".zshrc", ".zprofile",
              ".zlogin", ".zlogout", ".zshenv", ".xprofile", ".xsessionrc", ".xinitrc", ".xsession",
              ".config/fish/config.fish")
USER_DROP_INS = (".config/fish/conf.d",)
# Files that start a graphical session. Starting helpers in the background with '&' is how they are
# meant to be written (Xorg's own xinitrc template starts twm and xclock that way), so that alone is
# not unusual there.
X_SESSION_FILES = (".xprofile", ".xsessionrc", ".xinitrc")
SYSTEM_FILES = ("/etc/profile", "/etc/bash.bashrc", "/etc/bash.bash_logout", "/etc/zsh/zshrc", "/etc/zsh/zprofile",
                "/etc/zsh/zshenv", "/etc/zsh/zlogin", "/etc/zsh/zlogout", "/etc/fish/config.fish", "/etc/environment")
PROFILE_D = "/etc/profile.d"
SYSTEM_DROP_INS = ((PROFILE_D, ".sh"), ("/etc/fish/conf.d", ".fish"))
# NAME=value files read at sign-in (pam_env, systemd environment.d): only LD_PRELOAD matters here.
ENV_FILES = ("/etc/security/pam_env.conf",)
ENV_DROP_INS = ("/etc/environment.d", "/usr/lib/environment.d")
USER_ENV = (".pam_environment",)
USER_ENV_DROP_INS = (".config/environment.d",)
# What a line must contain to be worth analysing as a command (cheap test first).
_WORTH_ANALYSING = re.compile(r"curl|wget|fetch|aria2c|base64|xxd|openssl|exec|eval|://|/|iex", re.IGNORECASE)
ALARMING = {"download_exec": N_("fact.reason_download_exec"), "encoded_code": N_("fact.reason_encoded_code"),
            "hidden_window": N_("fact.reason_hidden_window"), "script_from_web": N_("fact.reason_script_from_web"),
            "system_name_elsewhere": N_("fact.reason_system_name_elsewhere")}
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
    reasons: tuple[Message, ...]  # what is unusual about the line (the description, in words)
    preload: tuple[str, ...] = ()


def unusual_lines(text: str, home: str = "", x_session: bool = False) -> list[ShellFinding]:
    """Lines of a shell start-up file that do something an ordinary one does not.

    x_session: the file starts a graphical session (.xinitrc and the like), where background
    programs are normal.
    """
    found = []
    for lineno, raw in enumerate(text_lines(text), 1):
        line = raw.strip()
        if not line or line.startswith("#") or _CASE_PATTERN.match(line):
            continue
        preload = _LD_PRELOAD.search(line)
        libs = tuple(w for w in split_words(preload.group(1).replace(":", " ")) if w) if preload else ()
        exe = expand_home(command_exe(line), home)
        reasons: list[Message] = []
        if exe and not x_session and _BACKGROUND.search(line):
            reasons.append(Message.of("fact.reason_background"))
        if _TEMP.match(exe):
            reasons.append(Message.of("fact.reason_temp_folder"))
        if _HIDDEN.search(exe):
            reasons.append(Message.of("fact.reason_hidden_folder"))
        if _INPUT_WATCH.search(line):
            reasons.append(Message.of("fact.reason_watches_keyboard"))
        if _WORTH_ANALYSING.search(line):
            tags = analyse_command(line, "linux").tags
            reasons += [Message.of(ALARMING[t]) for t in tags if t in ALARMING]
        if reasons or libs:
            found.append(ShellFinding(lineno, line[:1000], exe, tuple(reasons), libs))
    return found


def environment_preload(text: str, pam_style: bool = False) -> list[str]:
    """LD_PRELOAD libraries set in /etc/environment or environment.d (NAME=value lines, no shell);
    pam_style: also pam_env.conf's 'LD_PRELOAD DEFAULT=lib' and 'OVERRIDE=lib' forms."""
    libs: list[str] = []
    for line in text_lines(text):
        stripped = line.strip()
        if pam_style and stripped.split(None, 1)[:1] == ["LD_PRELOAD"]:
            for word in stripped.split()[1:]:
                _, _, value = word.partition("=")
                libs += [v for v in value.strip("'\"").replace(":", " ").split() if v and "${" not in v]
            continue
        key, sep, value = stripped.removeprefix("export ").partition("=")
        if sep and key.strip() == "LD_PRELOAD":
            libs += [v for v in value.strip().strip("'\"").replace(":", " ").split() if v]
    return libs


class LinuxShellStartup(Collector):
    name = "linux.shell_startup"
    title = "Shell start-up files (.bashrc, .profile and the like)"
    platforms = ("linux",)

    def collect(self, target: Target, ctx: Context) -> Iterable[Artifact]:
        files: list[tuple[str, str, str]] = [(p, "", "") for p in SYSTEM_FILES]
        for folder, suffix in SYSTEM_DROP_INS:
            files += [(p, "", "") for p in list_dir_noted(target, ctx, folder) if p.endswith(suffix)]
        env_files = [(p, "") for p in ENV_FILES] + [
            (p, "") for d in ENV_DROP_INS for p in list_dir_noted(target, ctx, d) if p.endswith(".conf")]
        for h in user_homes(target):
            files += [(posixpath.join(h.home, f), h.user, h.home) for f in USER_FILES]
            files += [(p, h.user, h.home) for d in USER_DROP_INS
                      for p in list_dir_noted(target, ctx, posixpath.join(h.home, d)) if p.endswith(".fish")]
            env_files += [(posixpath.join(h.home, f), h.user) for f in USER_ENV]
            env_files += [(p, h.user) for d in USER_ENV_DROP_INS
                          for p in list_dir_noted(target, ctx, posixpath.join(h.home, d)) if p.endswith(".conf")]
        for path, user, home in files:
            if not target.exists(path):
                continue
            text = read_text_noted(target, ctx, path, SHELL_LIMIT)
            if text is None:
                continue
            if path == "/etc/environment":
                for lib in environment_preload(text):
                    yield self._preload(target, ctx, path, lib, user,
                                        Words(Message.of("fact.trigger_every_program_after_sign_in")))
                continue
            yield from self._file(target, ctx, path, text, user, home)
        for path, user in env_files:
            text = read_text_noted(target, ctx, path, SHELL_LIMIT) if target.is_file(path) else None
            for lib in environment_preload(text or "", pam_style=True):
                yield self._preload(target, ctx, path, lib, user,
                                    Words(Message.of("fact.trigger_programs_after_sign_in")))

    def _file(self, target: Target, ctx: Context, path: str, text: str, user: str, home: str) -> Iterator[Artifact]:
        scope = "user" if user else "system"
        for f in unusual_lines(text, home, x_session=posixpath.basename(path) in X_SESSION_FILES):
            for lib in f.preload:
                yield self._preload(target, ctx, path, lib, user,
                                    Words(Message.of("fact.trigger_programs_from_this_shell")))
            if f.reasons:
                yield make("autostart", Location(path=path), mechanism="shell_startup",
                           name=f"{posixpath.basename(path)}:{f.line}", exe=f.exe or None, command=f.text,
                           user=user, scope=scope, enabled=True, run_as=user or None,
                           trigger=Words(Message.of("fact.trigger_terminal_or_sign_in")), description=Words(*f.reasons),
                           **entry_facts(target, ctx, f.text, path, personal=bool(user), home=home))

    @staticmethod
    def _preload(target: Target, ctx: Context, path: str, lib: str, user: str, trigger: Words) -> Artifact:
        return make("autostart", Location(path=path), mechanism="ld_preload", name=lib, exe=lib, command=lib,
                    user=user, scope="user" if user else "system", enabled=True, trigger=trigger,
                    **file_facts(target, ctx, lib))
