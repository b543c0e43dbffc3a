"""Where a program lives: temporary, hidden, Downloads and home folders, and system names elsewhere."""

from __future__ import annotations

import ntpath
import posixpath
import re

_TEMP_PARTS = re.compile(r"^(?:/tmp|/var/tmp|/dev/shm|/private/tmp|/private/var/tmp|/private/var/folders)/|"
                         r"[\\/]AppData[\\/]Local[\\/]Temp[\\/]|^[A-Za-z]:[\\/](?:Windows[\\/])?te?mp[\\/]|"
                         r"^%(?:temp|tmp)%", re.IGNORECASE)
_DOWNLOADS = re.compile(r"[\\/](?:downloads|descargas|t[ée]l[ée]chargements)[\\/]", re.IGNORECASE)
_USER_DIRS = re.compile(r"^(?:/home/[^/]+/|/var/home/[^/]+/|/root/|/Users/(?!Shared/)[^/]+/|~/|\$HOME/|\$\{HOME\}/|"
                        r"[A-Za-z]:[\\/]Users[\\/](?!Public[\\/])[^\\/]+[\\/]|"
                        r"%(?:appdata|localappdata|userprofile|homepath)%)", re.IGNORECASE)
_HIDDEN_PART = re.compile(r"[\\/]\.[^\\/.][^\\/]*[\\/]")
# The standard folders for a person's own programs and app data (XDG base directories, Flatpak's
# per-user data) start with a dot but hide nothing.
_STANDARD_DOT_FOLDERS = re.compile(r"^(?:/home/[^/]+|/var/home/[^/]+|/root|/Users/[^/]+|~|\$HOME|\$\{HOME\})"
                                   r"/(?:\.local/(?:bin|share|lib)|\.config|\.var/app)/")
# System programs' names and the folders they belong in (a copy elsewhere poses as them).
SYSTEM_NAMES: dict[str, tuple[frozenset[str], tuple[str, ...]]] = {
    "linux": (frozenset({"systemd", "init", "sshd", "cron", "crond", "dbus-daemon", "udevd", "systemd-udevd",
                         "rsyslogd", "journald", "systemd-journald", "networkmanager", "polkitd", "agetty",
                         "kworker", "kthreadd", "ksoftirqd", "atd", "login", "gdm", "gdm3", "lightdm",
                         "gnome-shell", "pulseaudio", "pipewire", "xorg", "avahi-daemon", "cupsd", "accounts-daemon"}),
              ("/usr/bin/", "/usr/sbin/", "/bin/", "/sbin/", "/usr/lib/", "/lib/", "/usr/libexec/",
               "/usr/local/bin/", "/usr/local/sbin/", "/snap/")),
    "macos": (frozenset({"launchd", "kernel_task", "windowserver", "loginwindow", "mds", "mdworker", "syslogd",
                         "sshd", "cfprefsd", "trustd", "softwareupdated", "finder", "dock", "systemuiserver",
                         "coreaudiod", "opendirectoryd", "securityd", "airportd", "bluetoothd", "diskarbitrationd"}),
              ("/sbin/", "/usr/sbin/", "/usr/libexec/", "/usr/bin/", "/system/", "/bin/", "/library/apple/")),
    "windows": (frozenset({"svchost.exe", "lsass.exe", "csrss.exe", "winlogon.exe", "services.exe", "explorer.exe",
                           "smss.exe", "wininit.exe", "spoolsv.exe", "taskhostw.exe", "taskhost.exe", "dllhost.exe",
                           "conhost.exe", "rundll32.exe", "lsm.exe", "ctfmon.exe", "userinit.exe", "dwm.exe",
                           "sihost.exe", "runtimebroker.exe", "searchindexer.exe", "wmiprvse.exe", "audiodg.exe",
                           "fontdrvhost.exe", "regsvr32.exe", "msiexec.exe", "powershell.exe", "cmd.exe"}),
                ("%systemroot%", "%windir%", "/systemroot", "systemroot", "system32")),
}


def folder_tags(path: str) -> set[str]:
    """Where a program or script file lives, as tags."""
    tags: set[str] = set()
    if not path:
        return tags
    if _TEMP_PARTS.search(path):
        tags.add("temp_folder")
    if _HIDDEN_PART.search(_STANDARD_DOT_FOLDERS.sub("/", path, count=1)):
        tags.add("hidden_folder")
    if _DOWNLOADS.search(path):
        tags.add("downloads_folder")
    if _USER_DIRS.match(path):
        tags.add("user_folder")
    return tags


def _is_path(word: str) -> bool:
    return "/" in word or "\\" in word or word.startswith("%")


def posing_as_system(program: str, os_name: str) -> bool:
    """A system program's name on a file outside the system folders (only for full paths)."""
    spec = SYSTEM_NAMES.get(os_name)
    if not spec or not _is_path(program):
        return False
    names, folders = spec
    if os_name == "windows":
        if ntpath.basename(program).lower() not in names:
            return False
        folder = re.sub(r"^(?:/\?\?/|//\?/|\?\?/)", "", ntpath.dirname(program).replace("\\", "/").lower())
        in_windows = re.match(r"^(?:[a-z]:)?/windows(?:/|$)", folder) and "/temp" not in folder
        return bool(folder) and not in_windows and not folder.startswith(folders)
    base = posixpath.basename(program).lower()
    if base not in names:
        return False
    return not (program.lower() if os_name == "macos" else program).startswith(folders)


# --- analysing a command -------------------------------------------------------------------------
