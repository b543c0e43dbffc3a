"""Installed software on Linux: Debian packages (dpkg), and snap and flatpak apps.

dpkg keeps one stanza per package in /var/lib/dpkg/status; only packages whose Status is
"install ok installed" are really installed (others are removed but configured, half-installed ...).
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Iterator

from techcheck.artifacts import Artifact, Location, make
from techcheck.collectors.base import Collector, Context, list_dir_noted, read_text_noted
from techcheck.collectors.common import user_homes
from techcheck.target.base import Target

DPKG_STATUS = "/var/lib/dpkg/status"
SNAP_DIR = "/snap"
SNAP_SKIP = {"bin", "core", "core18", "core20", "core22", "core24", "snapd", "README"}
FLATPAK_SYSTEM = "/var/lib/flatpak/app"
FLATPAK_USER = ".local/share/flatpak/app"


def parse_dpkg_status(text: str) -> Iterator[dict[str, str]]:
    """Stanzas of a dpkg status file as field dicts (continuation lines are joined)."""
    fields: dict[str, str] = {}
    last = ""
    for line in text.splitlines():
        if not line.strip():
            if fields:
                yield fields
            fields, last = {}, ""
        elif line[0] in " \t":
            if last:
                fields[last] += "\n" + line.strip()
        else:
            key, sep, value = line.partition(":")
            if sep:
                last = key.strip()
                fields[last] = value.strip()
    if fields:
        yield fields


def installed_packages(text: str) -> list[dict[str, str]]:
    return [s for s in parse_dpkg_status(text) if s.get("Status", "").split() == ["install", "ok", "installed"]
            and s.get("Package")]


class LinuxPackages(Collector):
    name = "linux.packages"
    title = "Installed software (dpkg, snap, flatpak)"
    platforms = ("linux",)

    def collect(self, target: Target, ctx: Context) -> Iterable[Artifact]:
        if target.exists(DPKG_STATUS):
            text = read_text_noted(target, ctx, DPKG_STATUS, 256 * 1024 * 1024)
            for pkg in installed_packages(text or ""):
                yield make("app", Location(path=DPKG_STATUS), name=pkg["Package"], package=pkg["Package"],
                           version=pkg.get("Version", ""), publisher=pkg.get("Maintainer", ""), source="dpkg",
                           install_path="")
        for path in list_dir_noted(target, ctx, SNAP_DIR):
            name = posixpath.basename(path)
            if name not in SNAP_SKIP and target.is_dir(path):
                yield make("app", Location(path=path), name=name, package=name, source="snap", install_path=path)
        folders = [(FLATPAK_SYSTEM, "")] + [(posixpath.join(h.home, FLATPAK_USER), h.user) for h in user_homes(target)]
        for folder, user in folders:
            for path in list_dir_noted(target, ctx, folder):
                app_id = posixpath.basename(path)
                yield make("app", Location(path=path), name=app_id, package=app_id, source="flatpak",
                           install_path=path, user=user)
