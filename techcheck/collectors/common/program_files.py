"""Program files on disk: a bounded walk of program folders and of the places people run downloads from.

Remote-access tools often sit deep inside a program folder (C:\\Program Files (x86)\\Vendor\\Agent\\x.exe)
or are never installed at all: a portable AnyDesk.exe in Downloads or on the Desktop runs as it is.
This walk records every program file it meets (.exe, .msi, .dmg, .pkg, .app bundles, ELF and AppImage
files, Mach-O programs) by name, path and size, as `program_file` artifacts; rules match their names
through the index. A SHA-256 is computed only for files a rule with a hash condition points at.

The walk is bounded (folder depth and number of entries per place); reaching a bound is noted in
the report, so a very full folder is never skipped silently. Symbolic links are never followed.
"""

from __future__ import annotations

import hashlib
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from techcheck.artifacts import Artifact, Location, make
from techcheck.collectors.base import Collector, Context, Skip
from techcheck.collectors.common.filetimes import file_times
from techcheck.collectors.common.parsing import user_homes
from techcheck.errors import TargetError
from techcheck.i18n import Message, err_detail
from techcheck.target.base import DirEntry, Target

MAX_DEPTH = 7  # folders below a place: C:\Program Files\Vendor\Product\Version\bin\x.exe is depth 4
MAX_ENTRIES = 60_000  # files and folders looked at in one place
# Temporary folders (/tmp, /var/tmp, C:\Windows\Temp, /private/tmp) hold whatever every program
# unpacks, often hundreds of thousands of files; what runs from them is dropped near the top
# (/tmp/.x/agent, Temp\setup\x.exe). They are looked at 4 folders down and 10,000 entries in,
# breadth first, and reaching either bound is noted as for any other place.
TEMP_DEPTH = 4
TEMP_ENTRIES = 10_000
HASH_LIMIT = 128 * 1024 * 1024  # a file larger than this is not read for its SHA-256 (noted)

SUFFIX_TYPES = {".exe": "exe", ".msi": "msi", ".scr": "exe", ".dmg": "dmg", ".pkg": "pkg", ".mpkg": "pkg",
                ".appimage": "appimage"}
# Folders that hold only data no program runs from; skipping them keeps the walk inside its bounds.
SKIP_FOLDERS = {"cache", "caches", "code cache", "gpucache", "cachestorage", "service worker", "indexeddb",
                "node_modules", "__pycache__", ".git", "site-packages", "crashpad", "logs", "webcache",
                "inetcache", "packages", "temporary internet files", "history", "thumbnails"}

_WINDOWS_MACHINE = [("/Program Files", "program_folder"), ("/Program Files (x86)", "program_folder"),
                    ("/ProgramData", "program_folder"), ("/Windows/Temp", "temp"), ("/Users/Public", "downloads"),
                    ("/Windows", "system_folder")]
# C:\Windows itself is looked at only one folder down (some remote-support services install there, such as
# C:\Windows\dwrcs for DameWare), leaving out the folders of Windows itself, which hold many thousands of files.
SHALLOW = {"system_folder": 2}
WINDOWS_OWN = {"system32", "syswow64", "winsxs", "servicing", "assembly", "microsoft.net", "installer",
               "softwaredistribution", "logs", "inf", "fonts", "systemapps", "immersivecontrolpanel", "temp",
               "prefetch", "diagnostics", "globalization", "ime", "speech", "speech_onecore", "boot", "panther",
               "system", "resources", "web", "media", "help", "schemas", "servicestate", "shellexperiences",
               "uus", "waas", "containers", "l2schemas", "lib", "livekernelreports", "minidump", "offline web pages",
               "performance", "pla", "policydefinitions", "provisioning", "registration", "rescache", "security",
               "serviceprofiles", "setup", "sku", "tasks", "tracing", "twain_32", "vss", "wab", "winstore",
               "cursors", "debug", "apppatch", "appcompat", "addins", "bitlockerdiscoveryvolumecontents",
               "branding", "csc", "cbstemp", "elambkup", "en-us", "es-es", "downloaded program files",
               "systemresources", "diagtrack", "printdialog", "ocr", "modemlogs", "migration"}
_WINDOWS_USER = [("AppData/Local", "program_folder"), ("AppData/Roaming", "program_folder"),
                 ("Downloads", "downloads"), ("Desktop", "desktop"), ("Documents", "documents")]
_MAC_MACHINE = [("/Applications", "program_folder"), ("/opt", "program_folder"), ("/usr/local", "program_folder"),
                ("/private/tmp", "temp"), ("/Users/Shared", "downloads")]
_MAC_USER = [("Applications", "program_folder"), ("Downloads", "downloads"), ("Desktop", "desktop"),
             ("Documents", "documents")]
_LINUX_MACHINE = [("/opt", "program_folder"), ("/usr/local", "program_folder"), ("/tmp", "temp"),
                  ("/var/tmp", "temp")]
_LINUX_USER = [("Applications", "program_folder"), (".local/bin", "program_folder"), ("Downloads", "downloads"),
               ("Desktop", "desktop"), ("Documents", "documents")]
PLACES = {"windows": (_WINDOWS_MACHINE, _WINDOWS_USER), "macos": (_MAC_MACHINE, _MAC_USER),
          "linux": (_LINUX_MACHINE, _LINUX_USER)}


@dataclass(frozen=True)
class Place:
    folder: str
    kind: str  # program_folder, downloads, desktop, documents, temp, system_folder
    user: str


def places(target: Target) -> list[Place]:
    """The folders to walk on this target, machine-wide first, then each user's."""
    machine, per_user = PLACES.get(target.os, ((), ()))
    out = [Place(folder, kind, "") for folder, kind in machine]
    for home in user_homes(target):
        out.extend(Place(f"{home.home}/{sub}", kind, home.user) for sub, kind in per_user)
    # A user's AppData\Local\Temp is inside AppData\Local: marked as temp where it is met.
    return [p for p in out if target.is_dir(p.folder)]


def file_type(target: Target, entry: DirEntry) -> str | None:
    """The program type of a file, or None when it is not a program file."""
    name = entry.name.lower()
    dot = name.rfind(".")
    suffix = name[dot:] if dot > 0 else ""
    if suffix in SUFFIX_TYPES:
        return SUFFIX_TYPES[suffix]
    if target.os == "windows" or suffix not in ("", ".bin", ".run", ".x86_64"):
        return None
    st = target.stat(entry.path)
    if st is None or not st.mode & 0o111:  # only files marked runnable are opened
        return None
    try:
        head = target.read_head(entry.path, 12)
    except TargetError:
        return None
    if head.startswith(b"\x7fELF"):
        return "appimage" if head[8:11] == b"AI\x02" else "elf"
    if head[:4] in (b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe", b"\xca\xfe\xba\xbe"):
        return "macho"
    return None


class ProgramFiles(Collector):
    name = "common.program_files"
    title = "Program files in program folders and download places"
    platforms = ("windows", "macos", "linux")

    def collect(self, target: Target, ctx: Context) -> Iterable[Artifact]:
        found = places(target)
        if not found:
            raise Skip(Message.of("note.no_program_places"))
        for place in found:
            yield from self._walk(target, ctx, place)

    def _walk(self, target: Target, ctx: Context, place: Place) -> Iterator[Artifact]:
        max_depth = SHALLOW.get(place.kind, TEMP_DEPTH if place.kind == "temp" else MAX_DEPTH)
        max_entries = TEMP_ENTRIES if place.kind == "temp" else MAX_ENTRIES
        skip = SKIP_FOLDERS | WINDOWS_OWN if place.kind == "system_folder" else SKIP_FOLDERS
        queue: deque[tuple[str, int]] = deque([(place.folder, 0)])
        seen = 0
        too_deep = 0
        while queue:
            folder, depth = queue.popleft()  # breadth first: shallow programs are found before any bound
            try:
                entries = target.list_dir(folder)
            except TargetError as exc:
                ctx.note(target.display_path(folder), Message.of("note.could_not_list", detail=err_detail(exc)))
                continue
            for entry in entries:
                seen += 1
                if seen > max_entries:
                    ctx.note(target.display_path(place.folder),
                             Message.of("note.walk_capped", n=max_entries))
                    return
                art = self._entry(target, ctx, entry, place, folder)
                if art is not None:
                    yield art
                elif entry.is_dir and not entry.is_symlink and entry.name.lower() not in skip:
                    if depth + 1 < max_depth:
                        queue.append((entry.path, depth + 1))
                    else:
                        too_deep += 1
        if too_deep and place.kind != "system_folder":  # the shallow look at C:\Windows is by design
            ctx.note(target.display_path(place.folder),
                     Message.of("note.walk_too_deep", n=too_deep, depth=max_depth))

    def _entry(self, target: Target, ctx: Context, entry: DirEntry, place: Place, folder: str) -> Artifact | None:
        if entry.is_symlink:
            return None
        if entry.is_dir:
            if not (target.os == "macos" and entry.name.lower().endswith(".app")):
                return None
            kind: str | None = "app"  # an app bundle is one program; its insides are not walked
        elif entry.is_file:
            kind = file_type(target, entry)
        else:
            kind = None
        if kind is None:
            return None
        size = _size(target, entry, kind)
        where = "temp" if "/temp/" in f"{folder.lower()}/" and place.kind == "program_folder" else place.kind
        fields = {"exe": target.display_path(entry.path), "size": size, "file_type": kind, "place": where,
                  "user": place.user or None}
        if kind != "app" and ctx.wants_hash("program_file", fields):
            fields["sha256"] = _sha256(target, ctx, entry.path)
        return make("program_file", Location(path=target.display_path(entry.path)), **fields,
                    times=file_times(target, ctx, entry.path) or None)


def _size(target: Target, entry: DirEntry, kind: str) -> int | None:
    if kind == "app":
        main = f"{entry.path}/Contents/MacOS/{entry.name[:-4]}"
        st = target.stat(main)
        return st.size if st is not None and st.is_file else None
    st = target.stat(entry.path)
    return st.size if st is not None else None


def _sha256(target: Target, ctx: Context, path: str) -> str | None:
    try:
        return hashlib.sha256(target.read_bytes(path, HASH_LIMIT)).hexdigest()
    except TargetError as exc:
        ctx.note(target.display_path(path), Message.of("note.hash_unreadable", detail=err_detail(exc)))
        return None
