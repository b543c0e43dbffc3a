"""Installed software on Linux: Debian packages (dpkg), rpm packages, and snap and flatpak apps.

dpkg keeps one stanza per package in /var/lib/dpkg/status; only packages whose Status is
"install ok installed" are really installed (others are removed but configured, half-installed ...).
"""

from __future__ import annotations

import posixpath
import sqlite3
import struct
import sys
from collections.abc import Iterable, Iterator

from techcheck.artifacts import Artifact, Location, make
from techcheck.collectors.base import Collector, Context, list_dir_noted, read_text_noted, unix_noted
from techcheck.collectors.common.filetimes import file_times
from techcheck.collectors.common.parsing import user_homes
from techcheck.collectors.linux.dpkglog import read_dpkg_logs
from techcheck.errors import TargetError
from techcheck.i18n import Message, err_detail
from techcheck.target.base import Target
from techcheck.target.identity import local_clock
from techcheck.target.sqlite import QueryLimits
from techcheck.textlines import text_lines
from techcheck.timeutil import iso_utc

DPKG_STATUS = "/var/lib/dpkg/status"
# Package headers are read one at a time, so the answer may be large (a few hundred MiB in all).
RPM_LIMITS = QueryLimits(bytes=1024 * 1024 * 1024)
RPMDB_SQLITE = ("/var/lib/rpm/rpmdb.sqlite", "/usr/lib/sysimage/rpm/rpmdb.sqlite")
# rpm header tags and types (rpm's lib/rpmtag.h)
RPMTAG_NAME, RPMTAG_VERSION, RPMTAG_RELEASE, RPMTAG_EPOCH = 1000, 1001, 1002, 1003
RPMTAG_SUMMARY, RPMTAG_INSTALLTIME, RPMTAG_VENDOR = 1004, 1008, 1011
RPM_INT32, RPM_STRING, RPM_STRING_ARRAY, RPM_I18NSTRING = 4, 6, 8, 9
RPM_INSTALLED = Message.of("time_source.rpm_installed")
SNAP_DIR = "/snap"
SNAP_SKIP = {"bin", "core", "core18", "core20", "core22", "core24", "snapd", "README"}
FLATPAK_SYSTEM = "/var/lib/flatpak/app"
FLATPAK_USER = ".local/share/flatpak/app"


def parse_dpkg_status(text: str, keep: frozenset[str] | None = None) -> Iterator[dict[str, str]]:
    """Stanzas of a dpkg status file as field dicts (continuation lines are joined).

    Lines are read one at a time and, with `keep`, only those fields are kept: a status file of
    30,000 packages is mostly descriptions no check reads.
    """
    fields: dict[str, str] = {}
    last = ""
    for line in text_lines(text):
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
                if keep is not None and last not in keep:
                    last = ""
                    continue
                fields[last] = value.strip()
    if fields:
        yield fields


APP_FIELDS = frozenset({"Package", "Status", "Version", "Maintainer"})


def installed_packages(text: str) -> Iterator[dict[str, str]]:
    for s in parse_dpkg_status(text, APP_FIELDS):
        if s.get("Status", "").split() == ["install", "ok", "installed"] and s.get("Package"):
            yield s


def rpm_header_entries(blob: bytes) -> Iterator[tuple[int, int, int, int, bytes]]:
    """The index entries of an rpm header as stored in rpmdb (index count, data size, index, data):
    (tag, type, offset, count, data) each. Raises ValueError for a blob that is not a header."""
    if len(blob) < 8:
        raise ValueError("too short for an rpm header")
    count, size = struct.unpack(">II", blob[:8])
    data_start = 8 + 16 * count
    if count > 100_000 or data_start + size > len(blob):
        raise ValueError("rpm header sizes do not fit the data")
    data = blob[data_start:data_start + size]
    for i in range(count):
        tag, kind, offset, n = struct.unpack(">IIII", blob[8 + 16 * i: 24 + 16 * i])
        if offset < len(data):
            yield tag, kind, offset, n, data


def parse_rpm_header(blob: bytes) -> dict[int, str | int]:
    """Text and number tags of an rpm header (the first value of each). Raises ValueError for a
    blob that is not a header."""
    tags: dict[int, str | int] = {}
    for tag, kind, offset, n, data in rpm_header_entries(blob):
        if kind in (RPM_STRING, RPM_STRING_ARRAY, RPM_I18NSTRING):
            end = data.find(b"\x00", offset)
            tags[tag] = data[offset:end if end >= 0 else len(data)].decode("utf-8", "replace")
        elif kind == RPM_INT32 and n >= 1 and offset + 4 <= len(data):
            tags[tag] = struct.unpack(">i", data[offset:offset + 4])[0]
    return tags


def _rpm_tags(blob: object) -> dict[int, str | int] | str:
    """The tags of one package header, or why it could not be decoded."""
    try:
        return parse_rpm_header(bytes(blob))  # type: ignore[call-overload]
    except (ValueError, TypeError) as exc:
        return str(exc)


def rpm_version(tags: dict[int, str | int]) -> str:
    epoch = tags.get(RPMTAG_EPOCH)
    version = f"{tags.get(RPMTAG_VERSION, '')}-{tags.get(RPMTAG_RELEASE, '')}".strip("-")
    return f"{epoch}:{version}" if isinstance(epoch, int) and epoch else version


class LinuxPackages(Collector):
    name = "linux.packages"
    title = "Installed software (dpkg, rpm, snap, flatpak)"
    platforms = ("linux",)

    def collect(self, target: Target, ctx: Context) -> Iterable[Artifact]:
        if target.exists(DPKG_STATUS):
            text = read_text_noted(target, ctx, DPKG_STATUS, 256 * 1024 * 1024)
            where = Location(path=DPKG_STATUS)  # one for all: a status file can list 30,000 packages
            logged = read_dpkg_logs(target, ctx, local_clock(target))
            for pkg in installed_packages(text or ""):
                yield make("app", where, name=pkg["Package"], package=pkg["Package"],
                           version=pkg.get("Version", ""), publisher=sys.intern(pkg.get("Maintainer", "")),
                           source="dpkg", install_path="", times=logged.get(pkg["Package"]))
        for path in RPMDB_SQLITE:
            if target.exists(path):
                yield from self._rpm(target, ctx, path)
        for path in list_dir_noted(target, ctx, SNAP_DIR):
            name = posixpath.basename(path)
            if name not in SNAP_SKIP and target.is_dir(path):
                yield make("app", Location(path=path), name=name, package=name, source="snap", install_path=path,
                           times=file_times(target, ctx, path) or None)
        folders = [(FLATPAK_SYSTEM, "")] + [(posixpath.join(h.home, FLATPAK_USER), h.user) for h in user_homes(target)]
        for folder, user in folders:
            for path in list_dir_noted(target, ctx, folder):
                app_id = posixpath.basename(path)
                yield make("app", Location(path=path), name=app_id, package=app_id, source="flatpak",
                           install_path=path, user=user, times=file_times(target, ctx, path) or None)

    def _rpm(self, target: Target, ctx: Context, path: str) -> Iterator[Artifact]:
        """Packages in rpm's SQLite database (Fedora 33 and later, openSUSE, RHEL 9)."""
        try:
            conn = target.sqlite(path, RPM_LIMITS)
        except TargetError as exc:
            ctx.note(path, Message.of("note.rpm_unreadable", detail=err_detail(exc)))
            return
        for note in conn.notes:
            ctx.note(path, note)
        try:
            records = [(hnum, _rpm_tags(blob)) for hnum, blob in conn.execute("SELECT hnum, blob FROM Packages")]
        except sqlite3.DatabaseError as exc:
            ctx.note(path, Message.of("note.rpm_no_table", detail=err_detail(exc)))
            return
        finally:
            conn.close()
        for hnum, tags in records:
            if isinstance(tags, str):
                ctx.note(path, Message.of("note.rpm_record", n=hnum, detail=str(tags)))
                continue
            name = tags.get(RPMTAG_NAME)
            if not isinstance(name, str) or not name or name == "gpg-pubkey":
                continue  # imported signing keys are stored as fake packages
            installed = tags.get(RPMTAG_INSTALLTIME)
            when = unix_noted(ctx, path, installed, "installed", RPM_INSTALLED) if isinstance(installed, int) else None
            yield make("app", Location(path=path), name=name, package=name, version=rpm_version(tags),
                       publisher=str(tags.get(RPMTAG_VENDOR, "")), source="rpm", install_path="",
                       installed=iso_utc(when.when) if when else None, times=[when] if when else None)
