"""Shell start-up files on macOS: zsh (the default shell since macOS 10.15) and bash, every user's
and the system's. Only unusual lines are reported, found as on Linux (collectors/linux/shell.py:
programs started in the background or from temporary or hidden folders, keyboard watching) plus
lines that download and run code or run encoded code.

zsh reads .zshenv, .zprofile, .zshrc, .zlogin and .zlogout (zsh(1) STARTUP/SHUTDOWN FILES) and the
same names in /private/etc; bash reads .bash_profile, .bash_login, .profile, .bashrc and
/private/etc/profile, /private/etc/bashrc (KnockKnock Plugins/ShellConfigs.m lists the same).
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable

from techcheck.artifacts import Artifact, Location, make
from techcheck.collectors.base import Collector, Context, read_text_noted
from techcheck.collectors.common.parsing import user_homes
from techcheck.collectors.linux.shell import SHELL_LIMIT, unusual_lines
from techcheck.collectors.macos.origin import MacOrigins, behaviour_of, entry_facts, origins_for
from techcheck.i18n import Message, Words
from techcheck.target.base import Target
from techcheck.textlines import text_lines

USER_FILES = (".zshenv", ".zprofile", ".zshrc", ".zlogin", ".zlogout", ".bash_profile", ".bash_login",
              ".profile", ".bashrc", ".bash_logout")
SYSTEM_FILES = tuple(f"/private/etc/{n}" for n in ("zshenv", "zprofile", "zshrc", "zlogin", "zlogout",
                                                    "profile", "bashrc"))
# What a line does that no ordinary start-up line does, besides what unusual_lines finds.
DANGEROUS_TAGS = ("download_exec", "encoded_code", "script_from_web")


def shell_findings(text: str, home: str) -> list[tuple[int, str, str, tuple[Message, ...]]]:
    """(line number, line, program, reasons) for each unusual line."""
    found = {f.line: (f.line, f.text, f.exe, f.reasons) for f in unusual_lines(text, home) if f.reasons}
    for lineno, raw in enumerate(text_lines(text), 1):
        line = raw.strip()
        if lineno in found or not line or line.startswith("#"):
            continue
        tags = [t for t in behaviour_of(line).tags if t in DANGEROUS_TAGS]
        if tags:
            found[lineno] = (lineno, line[:1000], "", (Message.of("fact.reason_downloads_or_decodes"),))
    return [found[k] for k in sorted(found)]


class MacShellStartup(Collector):
    name = "macos.shell_startup"
    title = "Shell start-up files (.zshrc, .bash_profile and the like)"
    platforms = ("macos",)

    def collect(self, target: Target, ctx: Context) -> Iterable[Artifact]:
        files = [(p, "", "") for p in SYSTEM_FILES]
        files += [(posixpath.join(h.home, f), h.user, h.home) for h in user_homes(target) for f in USER_FILES]
        origins = origins_for(target, ctx)
        for path, user, home in files:
            if not target.is_file(path):
                continue
            text = read_text_noted(target, ctx, path, SHELL_LIMIT)
            if text is not None:
                yield from self._lines(target, origins, path, text, user, home)

    @staticmethod
    def _lines(target: Target, origins: MacOrigins, path: str, text: str, user: str,
               home: str) -> Iterable[Artifact]:
        for lineno, line, exe, reasons in shell_findings(text, home):
            yield make("autostart", Location(path=path), mechanism="shell_startup",
                       name=f"{posixpath.basename(path)}:{lineno}", exe=exe or None, command=line,
                       user=user or None, scope="user" if user else "system", enabled=True,
                       run_as=user or None, trigger=Words(Message.of("fact.trigger_terminal_or_sign_in")),
                       description=Words(*reasons),
                       file=path, personal=bool(user), **entry_facts(target, origins, line, exe=exe, definition=path))
