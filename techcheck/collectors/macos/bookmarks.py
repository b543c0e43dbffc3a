"""Where a macOS file reference points: classic Alias records and the bookmarks that replaced them.

Both are binary records of tagged fields (login items, the shared file lists and the background
items store keep them); each reader returns the path it holds, or "" when none can be read.
"""

from __future__ import annotations

import posixpath
import re
import struct
from urllib.parse import unquote, urlsplit

# --- classic Alias records -------------------------------------------------------------------
# Header: creator code (4), record size (2), version (2). The fixed part is 150 bytes in
# version 2 and 58 bytes in version 3; tagged fields follow: tag (2), length (2), data padded to
# an even length, ended by tag -1. Tag 18 = path from the volume's root, 19 = volume mount point,
# 14 = file name (UTF-16 with a length prefix), 2 = full HFS path with ':' separators.
_ALIAS_FIXED = {2: 150, 3: 58}


def alias_fields(data: bytes) -> dict[int, bytes]:
    """Tagged fields of a classic Alias record; empty when it is not one."""
    if len(data) < 8:
        return {}
    _size, version = struct.unpack(">HH", data[4:8])
    offset = _ALIAS_FIXED.get(version)
    if offset is None:
        return {}
    fields: dict[int, bytes] = {}
    while offset + 4 <= len(data):
        tag, length = struct.unpack(">hH", data[offset:offset + 4])
        if tag == -1:
            break
        fields.setdefault(tag, data[offset + 4:offset + 4 + length])
        offset += 4 + length + (length & 1)
    return fields


def alias_path(data: bytes) -> str:
    """The POSIX path an Alias record points to, or '' when it cannot be found."""
    fields = alias_fields(data)
    if 18 in fields:
        rel = fields[18].decode("utf-8", errors="replace")
        mount = fields.get(19, b"/").decode("utf-8", errors="replace") or "/"
        return posixpath.join(mount, rel) if not rel.startswith("/") else rel
    if 2 in fields:  # "Macintosh HD:Applications:X.app" -> /Applications/X.app
        hfs = fields[2].decode("mac_roman", errors="replace")
        return "/" + "/".join(hfs.split(":")[1:]) if ":" in hfs else ""
    return ""


_FILE_URL = re.compile(rb"file://[\x21-\x7e]+")

# --- bookmark records ("book"), which replaced Alias records ------------------------------------------
# Header: "book", total size (LE), version, offset of the data area (LE, usually 48). The data area
# starts with the offset of the first table of contents (TOC); a TOC is: size, magic 0xFFFFFFFE,
# id, offset of the next TOC, entry count, then entries of (key, offset, reserved). Offsets count
# from the data area. A record is: length, type, payload. Key 0x1004 holds the path as an array
# (type 0x0601: offsets of records) of strings (type 0x0101, UTF-8), one per folder.
_BOOK_PATH_KEY = 0x1004
_BOOK_ARRAY = 0x0601
_BOOK_STRING = 0x0101


def _u32(data: bytes, pos: int) -> int:
    if pos < 0 or pos + 4 > len(data):
        raise ValueError("bookmark offset out of range")
    return int(struct.unpack_from("<I", data, pos)[0])


def _book_record(data: bytes, base: int, offset: int) -> tuple[int, bytes]:
    length, rtype = _u32(data, base + offset), _u32(data, base + offset + 4)
    start = base + offset + 8
    if start + length > len(data):
        raise ValueError("bookmark record runs past the end")
    return rtype, data[start:start + length]


def bookmark_components(data: bytes) -> list[str]:
    """The path components stored in a bookmark record; empty when there are none or it is not one."""
    if not data.startswith(b"book"):
        return []
    try:
        base = _u32(data, 12)
        toc = _u32(data, base)
        seen: set[int] = set()
        while toc and toc not in seen and len(seen) < 32:
            seen.add(toc)
            pos = base + toc
            count, next_toc = _u32(data, pos + 16), _u32(data, pos + 12)
            for i in range(min(count, 4096)):
                key, offset = _u32(data, pos + 20 + 12 * i), _u32(data, pos + 24 + 12 * i)
                if key != _BOOK_PATH_KEY:
                    continue
                rtype, payload = _book_record(data, base, offset)
                if rtype != _BOOK_ARRAY:
                    return []
                parts = []
                for j in range(len(payload) // 4):
                    stype, text = _book_record(data, base, _u32(payload, 4 * j))
                    if stype == _BOOK_STRING:
                        parts.append(text.decode("utf-8", errors="replace"))
                return parts
            toc = next_toc
    except (ValueError, struct.error):
        return []
    return []


def bookmark_path(data: bytes) -> str:
    """The path a bookmark points to: its path components, else a file:// address written in it."""
    parts = bookmark_components(data)
    if parts:
        return "/" + "/".join(parts)
    m = _FILE_URL.search(data)
    if not m:
        return ""
    try:
        return unquote(urlsplit(m.group(0).decode("ascii")).path).rstrip("/") or ""
    except ValueError:  # a malformed address, such as "file://[" (found by the property test)
        return ""
