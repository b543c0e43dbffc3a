"""What a --root path is, when it is not the top folder of a disk copy.

A person may give a disk image *file* (E01, VHD, VMDK, DMG, a raw .dd) instead of the folder where
it is mounted, a folder that holds such a file, or a folder inside a disk copy (its Users folder).
These functions say which, so the CLI can explain it instead of "could not tell the system".
Only the first and last 512 bytes of a file are read; nothing is written.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

from techcheck.errors import TargetError
from techcheck.target.base import OsName

# Magic bytes, from each format's public specification:
# EWF/E01: libewf "Expert Witness Compression Format" (EVF signature); VHDX: MS-VHDX 2.2.1
# ("vhdxfile"); VHD: Microsoft VHD spec, footer cookie "conectix"; VMDK: VMware Virtual Disk Format
# 1.1 ("KDMV" sparse magic, "# Disk DescriptorFile"); DMG: UDIF trailer "koly"; qcow2: "QFI\xfb".
HEAD_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"EVF\x09\x0d\x0a\xff\x00", "e01"),
    (b"EVF2\x0d\x0a\x81\x00", "e01"),
    (b"vhdxfile", "vhdx"),
    (b"conectix", "vhd"),
    (b"KDMV", "vmdk"),
    (b"# Disk DescriptorFile", "vmdk"),
    (b"QFI\xfb", "qcow2"),
)
EXTENSIONS = {
    ".e01": "e01", ".ex01": "e01", ".vhd": "vhd", ".vhdx": "vhdx", ".vmdk": "vmdk", ".dmg": "dmg",
    ".img": "raw", ".dd": "raw", ".raw": "raw", ".001": "raw", ".qcow2": "qcow2",
}
MAX_FOLDER_ENTRIES = 2000  # a folder with more entries is not searched for image files


@dataclass(frozen=True)
class ImageFile:
    path: str
    kind: str  # e01 | vhd | vhdx | vmdk | dmg | qcow2 | raw


def _ends(path: str) -> tuple[bytes, bytes]:
    with open(path, "rb") as fh:
        head = fh.read(1024)
        size = fh.seek(0, os.SEEK_END)
        fh.seek(max(0, size - 512))
        return head, fh.read(512)


def identify_image_file(path: str) -> str | None:
    """The kind of disk image this file is, from its bytes, else from its name; None if not one."""
    try:
        head, tail = _ends(path)
    except OSError:
        head, tail = b"", b""
    for magic, kind in HEAD_MAGIC:
        if head.startswith(magic):
            return kind
    if tail.startswith(b"conectix"):
        return "vhd"
    if tail.startswith(b"koly"):
        return "dmg"
    by_name = EXTENSIONS.get(os.path.splitext(path)[1].casefold())
    if by_name:
        return by_name
    if head[512:520] == b"EFI PART" or head[510:512] == b"\x55\xaa":  # GPT or MBR partition table
        return "raw"
    return None


def image_files_in(folder: str) -> list[ImageFile]:
    """Disk image files directly inside a folder (not searched deeper; bounded)."""
    try:
        with os.scandir(folder) as it:
            entries = []
            for i, entry in enumerate(it):
                if i >= MAX_FOLDER_ENTRIES:
                    break
                entries.append(entry)
    except OSError:
        return []
    found = []
    for entry in sorted(entries, key=lambda e: e.name):
        try:
            if not entry.is_file(follow_symlinks=False):
                continue
        except OSError:
            continue
        # Only named like an image: a folder of documents must not be read file by file.
        kind = EXTENSIONS.get(os.path.splitext(entry.name)[1].casefold())
        if kind:
            found.append(ImageFile(entry.path, identify_image_file(entry.path) or kind))
    return found


def find_copy_root(folder: str, detect: Callable[[str], OsName]) -> tuple[str, OsName] | None:
    """The folder that looks like the top of a disk copy, when `folder` holds one or is inside one.

    The folders directly inside are tried first (a mount folder that holds the copy one level
    down), then the parent folders (a Users or etc folder given by mistake).
    """
    try:
        with os.scandir(folder) as it:
            children = sorted(e.path for _, e in zip(range(MAX_FOLDER_ENTRIES), it, strict=False) if e.is_dir())
    except OSError:
        children = []
    for child in children:
        found = _detect_quietly(detect, child)
        if found != "unknown":
            return child, found
    here = os.path.abspath(folder)
    parent = os.path.dirname(here)
    while parent != here:
        found = _detect_quietly(detect, parent)
        if found != "unknown":
            return parent, found
        here, parent = parent, os.path.dirname(parent)
    return None


def _detect_quietly(detect: Callable[[str], OsName], folder: str) -> OsName:
    try:
        return detect(folder)
    except (TargetError, OSError):  # an unreadable neighbour folder just does not look like a root
        return "unknown"
