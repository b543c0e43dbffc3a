"""Installer receipts: which package put which file on this Mac (/private/var/db/receipts).

macOS's Installer keeps, for every package it installed, `<package id>.plist` (PackageIdentifier,
PackageVersion, InstallPrefixPath, InstallDate) and `<package id>.bom`, a "bill of materials" that
lists every path the package installed, relative to the install prefix ("./usr/local/bin/tool").
`pkgutil --files <id>` reads the same two files.

BOM layout (big-endian; bomutils' bom.h, https://github.com/hogliux/bomutils/blob/master/src/bom.h):
header "BOMStore", version, block count, index table offset and length, variables offset and length.
The index table is a count then (offset, length) pairs: block i is the i-th pair. The variables are
a count then (block index u32, name length u8, name). "Paths" is a tree: "tree", version, block of
the root node, block size, path count. A node is: is-leaf u16, count u16, next u32, previous u32,
then count pairs (key block, value block). In a leaf the key block holds (path id, info block) and
the value block holds (parent path id, NUL-ended name); a branch's keys point to child nodes.
"""

from __future__ import annotations

import posixpath
import struct
from dataclasses import dataclass
from datetime import datetime

from techcheck.collectors.macos.plists import PlistError, load_plist, plist_str

RECEIPTS_DIR = "/private/var/db/receipts"
# Every install Installer, Software Update and the App Store made: an array of {date, displayName,
# displayVersion, packageIdentifiers, processName}; the App Store's apps are here without a receipt.
INSTALL_HISTORY = "/Library/Receipts/InstallHistory.plist"
MAX_HISTORY = 20_000
MAX_BOM_PATHS = 500_000  # a package with more files than this is cut short (bounded memory)


class BomError(ValueError):
    """A bill-of-materials file that cannot be read."""


@dataclass(frozen=True)
class Receipt:
    package_id: str
    version: str
    prefix: str  # install prefix, "/" for most packages
    installed: datetime | None


def parse_receipt_plist(data: bytes) -> Receipt:
    plist = load_plist(data)
    if not isinstance(plist, dict):
        raise PlistError("a receipt must be a dictionary")
    package_id = plist_str(plist.get("PackageIdentifier")) or ""
    if not package_id:
        raise PlistError("the receipt names no package")
    when = plist.get("InstallDate")
    return Receipt(package_id, plist_str(plist.get("PackageVersion")) or "",
                   plist_str(plist.get("InstallPrefixPath")) or "/",
                   when if isinstance(when, datetime) else None)


@dataclass(frozen=True)
class HistoryEntry:
    name: str  # displayName: the app or update as people know it
    version: str
    packages: tuple[str, ...]
    process: str  # what installed it: Installer, softwareupdated, appstoreagent ...
    installed: datetime | None  # naive, UTC (plistlib)


def parse_install_history(data: bytes) -> list[HistoryEntry]:
    """InstallHistory.plist's entries (at most MAX_HISTORY). Raises PlistError when it is not one."""
    plist = load_plist(data)
    if not isinstance(plist, list):
        raise PlistError("the install history must be a list")
    found = []
    for item in plist[:MAX_HISTORY]:
        if not isinstance(item, dict):
            continue
        packages = item.get("packageIdentifiers")
        when = item.get("date")
        found.append(HistoryEntry(
            plist_str(item.get("displayName")) or "", plist_str(item.get("displayVersion")) or "",
            tuple(p for p in packages if isinstance(p, str)) if isinstance(packages, list) else (),
            plist_str(item.get("processName")) or "", when if isinstance(when, datetime) else None))
    return found


class _Bom:
    def __init__(self, data: bytes) -> None:
        if len(data) < 32 or not data.startswith(b"BOMStore"):
            raise BomError("not a bill of materials (no BOMStore header)")
        self.data = data
        _version, _blocks, index_offset, _index_len, vars_offset, _vars_len = struct.unpack_from(">6I", data, 8)
        count = self.u32(index_offset)
        if count > len(data) // 8:
            raise BomError("the block table is larger than the file")
        self.blocks = [struct.unpack_from(">II", data, index_offset + 4 + 8 * i) for i in range(count)]
        self.vars = self._variables(vars_offset)

    def u32(self, pos: int) -> int:
        if pos < 0 or pos + 4 > len(self.data):
            raise BomError("an offset points past the end of the file")
        return int(struct.unpack_from(">I", self.data, pos)[0])

    def block(self, index: int) -> bytes:
        if not 0 < index < len(self.blocks):
            raise BomError(f"no block {index}")
        offset, length = self.blocks[index]
        if offset + length > len(self.data):
            raise BomError(f"block {index} runs past the end of the file")
        return self.data[offset:offset + length]

    def _variables(self, pos: int) -> dict[str, int]:
        out: dict[str, int] = {}
        for _ in range(min(self.u32(pos), 64)):
            index, length = self.u32(pos + 4), self.data[pos + 8] if pos + 8 < len(self.data) else 0
            out[self.data[pos + 9:pos + 9 + length].decode("ascii", errors="replace")] = index
            pos += 5 + length
        return out


def _first_leaf(bom: _Bom, node_index: int) -> int:
    for _ in range(64):  # trees are shallow; a loop means a damaged file
        node = bom.block(node_index)
        if len(node) < 20:
            raise BomError("a tree node is too short")
        is_leaf, _count = struct.unpack_from(">HH", node, 0)
        if is_leaf:
            return node_index
        node_index = struct.unpack_from(">I", node, 12)[0]
    raise BomError("the path tree is too deep")


def bom_paths(data: bytes) -> list[str]:
    """Every path a BOM lists, as written ("./usr/local/bin/tool"). Raises BomError when unreadable."""
    try:
        return _bom_paths(data)
    except struct.error as exc:  # a block shorter than the record it should hold
        raise BomError(f"a record is cut short: {exc}") from exc


def _bom_paths(data: bytes) -> list[str]:
    bom = _Bom(data)
    if "Paths" not in bom.vars:
        raise BomError("the bill of materials has no Paths list")
    tree = bom.block(bom.vars["Paths"])
    if len(tree) < 21 or not tree.startswith(b"tree"):
        raise BomError("the Paths list is not a tree")
    leaf = _first_leaf(bom, struct.unpack_from(">I", tree, 8)[0])
    names: dict[int, tuple[int, str]] = {}
    seen: set[int] = set()
    while leaf and leaf not in seen and len(names) < MAX_BOM_PATHS:
        seen.add(leaf)
        node = bom.block(leaf)
        _is_leaf, count, forward = struct.unpack_from(">HHI", node, 0)
        for i in range(count):
            if 12 + 8 * i + 8 > len(node):
                raise BomError("a tree node lists more entries than it holds")
            key, value = struct.unpack_from(">II", node, 12 + 8 * i)
            path_id = struct.unpack_from(">I", bom.block(key), 0)[0]
            file = bom.block(value)
            parent = struct.unpack_from(">I", file, 0)[0]
            names[path_id] = (parent, file[4:].split(b"\0", 1)[0].decode("utf-8", errors="replace"))
        leaf = forward
    return [_full_path(names, pid) for pid in names]


def _full_path(names: dict[int, tuple[int, str]], path_id: int) -> str:
    parts: list[str] = []
    seen: set[int] = set()
    while path_id in names and path_id not in seen and len(parts) < 256:
        seen.add(path_id)
        parent, name = names[path_id]
        parts.append(name)
        path_id = parent
    return "/".join(reversed(parts))


def installed_path(prefix: str, bom_path: str) -> str:
    """Where a BOM path lies on the disk: "./usr/local/x" under prefix "/" -> "/usr/local/x"."""
    rel = bom_path[2:] if bom_path.startswith("./") else bom_path.lstrip("./")
    return posixpath.normpath(posixpath.join("/", prefix.lstrip("/"), rel))
