"""Where a file on a Linux system came from: the package that owns it, and whether it still matches.

dpkg: /var/lib/dpkg/info/<package>.list lists every file a package installed; <package>.md5sums
holds their MD5 sums (setting files, "conffiles", have theirs in the status file instead). A file
whose sum no longer matches is "changed". Packages that are Essential or of priority required or
important make up the base system: their files are "system". rpm: the SQLite database (Fedora 33+,
RHEL 9, openSUSE) lists each package's files and digests; the older Berkeley DB and ndb formats
are noted as not checked. Files are read one at a time, each and in all bounded.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import sqlite3
import struct
from dataclasses import dataclass, field

from techcheck.collectors.base import Context, list_dir_noted, read_text_noted
from techcheck.collectors.linux.packages import (
    DPKG_STATUS,
    RPM_I18NSTRING,
    RPM_INT32,
    RPM_STRING,
    RPM_STRING_ARRAY,
    RPMDB_SQLITE,
    parse_dpkg_status,
    rpm_header_entries,
)
from techcheck.errors import TargetError
from techcheck.facts.origin import CHANGED, INSTALLED, SYSTEM, UNKNOWN_ORIGIN, Origin
from techcheck.i18n import Message, err_detail
from techcheck.target.base import Target
from techcheck.textlines import text_lines

DPKG_INFO = "/var/lib/dpkg/info"
OLD_RPM_DATABASES = ("/var/lib/rpm/Packages", "/var/lib/rpm/Packages.db", "/usr/lib/sysimage/rpm/Packages.db")
LIST_LIMIT = 16 * 1024 * 1024  # one .list or .md5sums file
MAX_LIST_FILES = 20_000
MAX_OWNED_PATHS = 3_000_000
CHECKSUM_LIMIT = 4 * 1024 * 1024  # bigger files are owned but their sum is not checked (time)
BASE_PRIORITIES = ("required", "important")
# Merged /usr: /lib/x and /usr/lib/x are the same file; dpkg lists whichever path the package used.
_MERGED = (("/usr/lib/", "/lib/"), ("/usr/bin/", "/bin/"), ("/usr/sbin/", "/sbin/"), ("/usr/lib64/", "/lib64/"))
# rpm header tags (rpm's lib/rpmtag.h) for file lists
RPMTAG_NAME, RPMTAG_FILEDIGESTS, RPMTAG_DIRINDEXES = 1000, 1035, 1116
RPMTAG_BASENAMES, RPMTAG_DIRNAMES, RPMTAG_FILEDIGESTALGO = 1117, 1118, 5011
_RPM_DIGESTS = {1: "md5", 2: "sha1", 8: "sha256", 9: "sha384", 10: "sha512"}


@dataclass
class PackageFiles:
    """Which package owns each file, and the sums to compare it with."""

    owners: dict[str, str] = field(default_factory=dict)  # path -> package
    base_packages: set[str] = field(default_factory=set)
    conffiles: dict[str, str] = field(default_factory=dict)  # path -> md5 from the status file
    digests: dict[str, tuple[str, str]] = field(default_factory=dict)  # rpm: path -> (algorithm, hex)
    md5sums: dict[str, dict[str, str]] = field(default_factory=dict)  # dpkg package -> path -> md5
    md5sum_files: dict[str, list[str]] = field(default_factory=dict)  # dpkg package -> its .md5sums files
    sources: list[str] = field(default_factory=list)  # "dpkg", "rpm"

    def owner(self, path: str) -> tuple[str, str]:
        """(package, the path as the package lists it); ('', path) when no package owns it."""
        for candidate in _merged_variants(path):
            if candidate in self.owners:
                return self.owners[candidate], candidate
        return "", path


def _merged_variants(path: str) -> list[str]:
    out = [path]
    for usr, root in _MERGED:
        if path.startswith(usr):
            out.append(root + path[len(usr):])
        elif path.startswith(root):
            out.append(usr + path[len(root):])
    return out


ORIGIN_FIELDS = frozenset({"Package", "Status", "Essential", "Priority", "Conffiles"})


def read_status(target: Target, ctx: Context, files: PackageFiles) -> None:
    text = read_text_noted(target, ctx, DPKG_STATUS, 256 * 1024 * 1024) if target.exists(DPKG_STATUS) else None
    for stanza in parse_dpkg_status(text or "", ORIGIN_FIELDS):
        if stanza.get("Status", "").split()[-1:] != ["installed"]:
            continue
        package = stanza.get("Package", "")
        if stanza.get("Essential") == "yes" or stanza.get("Priority") in BASE_PRIORITIES:
            files.base_packages.add(package)
        for line in text_lines(stanza.get("Conffiles", "")):
            words = line.split()
            if len(words) >= 2 and words[0].startswith("/") and "obsolete" not in words[2:]:
                files.conffiles[words[0]] = words[1]


def read_dpkg_lists(target: Target, ctx: Context, files: PackageFiles) -> None:
    """Owners from every <package>.list, one file at a time, within MAX_OWNED_PATHS in all."""
    entries = list_dir_noted(target, ctx, DPKG_INFO)
    for path in entries:
        if path.endswith(".md5sums"):
            package = posixpath.basename(path)[:-8].split(":", 1)[0]
            files.md5sum_files.setdefault(package, []).append(path)
    lists = [p for p in entries if p.endswith(".list")]
    if len(lists) > MAX_LIST_FILES:
        ctx.note(DPKG_INFO, Message.of("note.dpkg_lists_capped", n=len(lists), max=MAX_LIST_FILES))
    for path in lists[:MAX_LIST_FILES]:
        package = posixpath.basename(path)[:-5].split(":", 1)[0]  # "libc6:amd64.list" -> libc6
        text = read_text_noted(target, ctx, path, LIST_LIMIT)
        # dict.fromkeys keeps this at C speed (100 000+ lines on a desktop). Folders are listed by
        # many packages, files by one; the last package read wins, which only matters for folders.
        files.owners.update(dict.fromkeys((text or "").split("\n"), package))
        if len(files.owners) > MAX_OWNED_PATHS:
            ctx.note(DPKG_INFO, Message.of("note.dpkg_files_capped", max=MAX_OWNED_PATHS))
            return
    if lists:
        files.sources.append("dpkg")


def dpkg_md5(target: Target, ctx: Context, files: PackageFiles, package: str, listed: str) -> str:
    """The MD5 sum dpkg recorded for a file ('' when none): conffiles in status, others in .md5sums."""
    if listed in files.conffiles:
        return files.conffiles[listed]
    if package not in files.md5sums:
        sums: dict[str, str] = {}
        for path in files.md5sum_files.get(package, []):
            for line in text_lines(read_text_noted(target, ctx, path, LIST_LIMIT) or ""):
                digest, _, rel = line.partition("  ")
                if rel:
                    sums["/" + rel.lstrip("/")] = digest.strip()
        files.md5sums[package] = sums
    return files.md5sums[package].get(listed, "")


def file_digest(target: Target, path: str, algorithm: str) -> str | None:
    """Hex digest of a file, or None when it cannot be read or is too big to check."""
    st = target.stat_follow(path)
    if st is None or not st.is_file or st.size > CHECKSUM_LIMIT:
        return None
    try:
        return hashlib.new(algorithm, target.read_bytes(path, CHECKSUM_LIMIT)).hexdigest()
    except (TargetError, ValueError):
        return None


# --- rpm -------------------------------------------------------------------------------------

def rpm_header_arrays(blob: bytes) -> dict[int, list[str] | list[int]]:
    """String-array and int32-array tags of an rpm header blob (raises ValueError when malformed)."""
    tags: dict[int, list[str] | list[int]] = {}
    for tag, kind, offset, n, data in rpm_header_entries(blob):
        if n > 1_000_000:
            continue
        if kind in (RPM_STRING, RPM_STRING_ARRAY, RPM_I18NSTRING):
            strings = data[offset:].split(b"\x00", n)[:n]
            tags[tag] = [s.decode("utf-8", "replace") for s in strings]
        elif kind == RPM_INT32 and offset + 4 * n <= len(data):
            tags[tag] = list(struct.unpack(f">{n}i", data[offset:offset + 4 * n]))
    return tags


def read_rpm(target: Target, ctx: Context, files: PackageFiles) -> None:
    for old in OLD_RPM_DATABASES:
        if target.exists(old):
            ctx.note(old, Message.of("note.rpm_old_format"))
    for path in RPMDB_SQLITE:
        if not target.exists(path):
            continue
        try:
            conn = target.sqlite(path)
            rows = conn.execute("SELECT hnum, blob FROM Packages").fetchall()
            conn.close()
        except (TargetError, sqlite3.DatabaseError) as exc:
            ctx.note(path, Message.of("note.rpm_unreadable", detail=err_detail(exc)))
            continue
        for hnum, blob in rows:
            try:
                tags = rpm_header_arrays(bytes(blob))
            except (ValueError, TypeError, struct.error) as exc:
                ctx.note(path, Message.of("note.rpm_record", n=hnum, detail=err_detail(exc)))
                continue
            _add_rpm_files(files, tags)
        files.sources.append("rpm")


def _add_rpm_files(files: PackageFiles, tags: dict[int, list[str] | list[int]]) -> None:
    name = next(iter(tags.get(RPMTAG_NAME, [])), "")
    bases, dirs = tags.get(RPMTAG_BASENAMES, []), tags.get(RPMTAG_DIRNAMES, [])
    indexes, digests = tags.get(RPMTAG_DIRINDEXES, []), tags.get(RPMTAG_FILEDIGESTS, [])
    algo_ids = [a for a in tags.get(RPMTAG_FILEDIGESTALGO, []) if isinstance(a, int)]
    algo = _RPM_DIGESTS.get(algo_ids[0] if algo_ids else 1, "md5")
    if not isinstance(name, str) or not name:
        return
    for i, base in enumerate(bases):
        if i >= len(indexes) or not isinstance(indexes[i], int) or not 0 <= int(indexes[i]) < len(dirs):
            continue
        full = f"{dirs[int(indexes[i])]}{base}"
        files.owners.setdefault(full, name)
        if i < len(digests) and digests[i]:
            files.digests[full] = (algo, str(digests[i]))


# --- the index a scan shares -----------------------------------------------------------------

@dataclass
class LinuxOrigins:
    """Origins of files on one target (built once per scan, shared by the Linux collectors)."""

    target: Target
    files: PackageFiles
    cache: dict[str, Origin] = field(default_factory=dict)

    @property
    def available(self) -> bool:
        """False when the copy has no package file lists: origins are then not known at all."""
        return bool(self.files.sources)

    def of(self, path: str, ctx: Context) -> Origin:
        """Origin of a file: system / installed / changed (sum differs) / unknown (no package)."""
        if path not in self.cache:
            self.cache[path] = self._lookup(resolved_path(self.target, path), ctx)
        return self.cache[path]

    def _lookup(self, path: str, ctx: Context) -> Origin:
        package, listed = self.files.owner(path)
        if not package:
            return UNKNOWN_ORIGIN
        if self._changed(path, package, listed, ctx):
            return Origin(CHANGED, package)
        return Origin(SYSTEM if package in self.files.base_packages else INSTALLED, package)

    def _changed(self, path: str, package: str, listed: str, ctx: Context) -> bool:
        if listed in self.files.digests:
            algorithm, expected = self.files.digests[listed]
        else:
            algorithm, expected = "md5", dpkg_md5(self.target, ctx, self.files, package, listed)
        if not expected or set(expected) == {"0"} or expected == "newconffile":
            return False
        actual = file_digest(self.target, path, algorithm)
        return actual is not None and actual != expected.lower()


def resolved_path(target: Target, path: str) -> str:
    """The path with symlinks followed inside the target (an alias unit -> the packaged unit file)."""
    host = target.host_path(path)
    if host and target.root:
        rel = os.path.relpath(host, target.root)
        if not rel.startswith(".."):
            return "/" + rel.replace(os.sep, "/") if rel != "." else "/"
    return path


_LAST: list[LinuxOrigins] = []


def linux_origins(target: Target, ctx: Context) -> LinuxOrigins:
    """The origin index for this target, built on first use in a scan (notes go to that check)."""
    if _LAST and _LAST[0].target is target:
        return _LAST[0]
    files = PackageFiles()
    read_status(target, ctx, files)
    read_dpkg_lists(target, ctx, files)
    read_rpm(target, ctx, files)
    # No package lists (a partial copy, Arch's pacman): origins stay unset and the report's start-up
    # section says "origin not checked" for each entry, rather than a note per check.
    _LAST[:] = [LinuxOrigins(target, files)]
    return _LAST[0]
