"""Settings that record what people type or run: sudo input logging and the PAM tty audit module.

(The Snoopy command logger loads through /etc/ld.so.preload and is seen by the preload collector.)
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from techcheck.artifacts import Artifact, Location, make
from techcheck.collectors.base import Collector, Context, list_dir_noted, read_text_noted
from techcheck.i18n import Message, Words
from techcheck.target.base import Target
from techcheck.textlines import text_lines

SUDOERS = "/etc/sudoers"
SUDOERS_D = "/etc/sudoers.d"
PAM_D = "/etc/pam.d"
SNOOPY_INI = "/etc/snoopy.ini"
_SUDO_IO = re.compile(r"^\s*Defaults\b[^#]*\blog_(input|output)\b")
_PAM_TTY_AUDIT = re.compile(r"^\s*session\s+\S+\s+pam_tty_audit\.so\b(.*)")


def sudo_io_logging(text: str) -> list[str]:
    """'log_input' / 'log_output' when a Defaults line turns them on (not when negated with '!')."""
    found = []
    for line in text_lines(text):
        m = _SUDO_IO.match(line)
        if m and f"!log_{m.group(1)}" not in line:
            found.append(f"log_{m.group(1)}")
    return found


def pam_tty_audit(text: str) -> list[str]:
    """Options of active pam_tty_audit lines (enable=... says whose typing is recorded)."""
    return [m.group(1).strip() for m in map(_PAM_TTY_AUDIT.match, text_lines(text)) if m]


class LinuxCommandLogging(Collector):
    name = "linux.command_logging"
    title = "Recording of typed commands (sudo, PAM tty audit)"
    platforms = ("linux",)

    def collect(self, target: Target, ctx: Context) -> Iterable[Artifact]:
        sudo_files = ([SUDOERS] if target.exists(SUDOERS) else []) + list_dir_noted(target, ctx, SUDOERS_D)
        for path in sudo_files:
            text = read_text_noted(target, ctx, path, 1024 * 1024)
            for option in dict.fromkeys(sudo_io_logging(text or "")):
                yield make("setting", Location(path=path), name="command_logging", value=f"sudo {option}",
                           enabled=True, detail=Words(Message.of("fact.sudo_logs_input")))
        for path in list_dir_noted(target, ctx, PAM_D):
            if target.is_dir(path):
                continue
            text = read_text_noted(target, ctx, path, 1024 * 1024)
            for options in pam_tty_audit(text or ""):
                yield make("setting", Location(path=path), name="command_logging", value="pam_tty_audit",
                           enabled=True, detail=options or Words(Message.of("fact.pam_tty_audit_no_options")))
        if target.exists(SNOOPY_INI):
            yield make("setting", Location(path=SNOOPY_INI), name="command_logging", value="snoopy",
                       detail=Words(Message.of("fact.snoopy_settings")))
