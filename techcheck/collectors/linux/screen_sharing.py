"""Screen sharing and remote desktop set up through files: VNC, xrdp, KDE and GNOME sharing.

Each is a `setting`: name "screen_sharing" (someone can see or control the screen you are using)
or "remote_desktop" (someone can open their own desktop session on this computer), value = the
program, detail = the file that shows it. Settings kept in GNOME's dconf database (vino) are not
files and are found through the autostart entries and running programs instead.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Iterator

from techcheck.artifacts import Artifact, Location, make
from techcheck.collectors.base import Collector, Context, read_text_noted
from techcheck.collectors.common.parsing import user_homes
from techcheck.collectors.linux.systemd import system_unit_state
from techcheck.i18n import N_, Message, Words
from techcheck.target.base import Target
from techcheck.textlines import text_lines

# (file or folder in the home folder, program, setting name, what it shows: a message id)
USER_FILES = (
    (".x11vncrc", "x11vnc", "screen_sharing", N_("fact.x11vnc_settings")),
    (".vnc/passwd", "vnc_password", "screen_sharing", N_("fact.vnc_password")),
    (".config/tigervnc/passwd", "vnc_password", "screen_sharing", N_("fact.tigervnc_password")),
    (".config/krfbrc", "krfb", "screen_sharing", N_("fact.krfb_settings")),
    (".config/gnome-remote-desktop", "gnome-remote-desktop", "screen_sharing", N_("fact.gnome_rd_settings")),
    (".local/share/gnome-remote-desktop", "gnome-remote-desktop", "screen_sharing",
     N_("fact.gnome_rd_keys")),
)
SYSTEM_FILES = (
    ("/etc/gnome-remote-desktop/grd.conf", "gnome-remote-desktop", "remote_desktop",
     N_("fact.gnome_remote_login_settings")),
    ("/var/lib/gnome-remote-desktop/.local/share/gnome-remote-desktop", "gnome-remote-desktop",
     "remote_desktop", N_("fact.gnome_remote_login_keys")),
)
XRDP_INI = "/etc/xrdp/xrdp.ini"
TIGERVNC_USERS = "/etc/tigervnc/vncserver.users"


def xrdp_port(text: str) -> str:
    """The port= value of xrdp.ini's [Globals] section ('3389' when not set)."""
    section = ""
    for line in text_lines(text):
        line = line.strip()
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip().lower()
        elif section == "globals" and line.lower().startswith("port="):
            return line.split("=", 1)[1].strip()
    return "3389"


def tigervnc_displays(text: str) -> list[tuple[str, str]]:
    """(display, user) pairs from vncserver.users lines like ':1=ana'."""
    pairs = []
    for line in text_lines(text):
        line = line.split("#", 1)[0].strip()
        display, sep, user = line.partition("=")
        if sep and display.startswith(":") and user.strip():
            pairs.append((display.strip(), user.strip()))
    return pairs


def krfb_details(text: str) -> list[str]:
    """Lines of krfbrc worth showing: unattended access (no one must accept) and similar."""
    return [line.strip() for line in text_lines(text) if "unattended" in line.lower() and "=" in line]


class LinuxScreenSharing(Collector):
    name = "linux.screen_sharing"
    title = "Screen sharing and remote desktop settings"
    platforms = ("linux",)

    def collect(self, target: Target, ctx: Context) -> Iterable[Artifact]:
        for home in user_homes(target):
            for rel, program, setting, what in USER_FILES:
                path = posixpath.join(home.home, rel)
                if not target.exists(path):
                    continue
                extra: list[str] = []
                if program == "krfb":
                    text = read_text_noted(target, ctx, path, 1024 * 1024)
                    extra = krfb_details(text or "")
                detail = Words(Message.of(what), *([", ".join(extra)] if extra else []))
                yield make("setting", Location(path=path), name=setting, value=program, detail=detail,
                           user=home.user)
        for path, program, setting, what in SYSTEM_FILES:
            if target.exists(path):
                yield make("setting", Location(path=path), name=setting, value=program, detail=Words(Message.of(what)))
        yield from self._xrdp(target, ctx)
        if target.exists(TIGERVNC_USERS):
            text = read_text_noted(target, ctx, TIGERVNC_USERS, 1024 * 1024)
            for display, user in tigervnc_displays(text or ""):
                yield make("setting", Location(path=TIGERVNC_USERS), name="remote_desktop", value="tigervnc",
                           detail=Words(Message.of("fact.vnc_desktop", display=display, user=user)), user=user)

    def _xrdp(self, target: Target, ctx: Context) -> Iterator[Artifact]:
        if not target.exists(XRDP_INI):
            return
        text = read_text_noted(target, ctx, XRDP_INI, 1024 * 1024)
        state = system_unit_state(target)
        enabled = "xrdp.service" in state.enabled and "xrdp.service" not in state.masked
        yield make("setting", Location(path=XRDP_INI), name="remote_desktop", value="xrdp", enabled=enabled,
                   detail=Words(Message.of("fact.port", port=xrdp_port(text or "")),
                               (Message.of("fact.set_to_start") if enabled else Message.of("fact.not_set_to_start"))))
