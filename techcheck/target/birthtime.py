"""File birth (creation) times where the file system keeps them: statx on Linux (through the C
library, as Python 3.11 has no os.statx), st_birthtime on macOS and BSD, st_ctime on Windows (there
it is the creation time). Like stat, statx reads only the inode: it never opens the file and never
changes its access time."""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import struct
import sys
from functools import cache
from typing import Any

AT_FDCWD = -100
AT_SYMLINK_NOFOLLOW = 0x100
STATX_BTIME = 0x800
_STATX_SIZE = 256  # struct statx is 256 bytes; stx_btime (tv_sec s64, tv_nsec u32) is at offset 80
_BTIME_OFFSET = 80


@cache
def _statx() -> Any:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        fn = libc.statx
    except (OSError, AttributeError):  # glibc before 2.28, musl before 1.2.5
        return None
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_uint, ctypes.c_void_p]
    fn.restype = ctypes.c_int
    return fn


def birth_time(host_path: str, follow: bool = False) -> float | None:
    """When the file was created, in Unix seconds; None when the system or file system does not say."""
    if sys.platform == "win32":
        try:
            st = os.stat(host_path, follow_symlinks=follow)
        except (OSError, ValueError):
            return None
        return float(getattr(st, "st_birthtime", st.st_ctime))
    if sys.platform != "linux":
        try:
            st = os.stat(host_path, follow_symlinks=follow)
        except (OSError, ValueError):
            return None
        value = getattr(st, "st_birthtime", None)
        return float(value) if value else None
    fn = _statx()
    if fn is None:
        return None
    buf = ctypes.create_string_buffer(_STATX_SIZE)
    try:
        encoded = os.fsencode(host_path)
    except (UnicodeError, ValueError):
        return None
    if b"\x00" in encoded:
        return None
    flags = 0 if follow else AT_SYMLINK_NOFOLLOW
    if fn(AT_FDCWD, encoded, flags, STATX_BTIME, buf) != 0:
        return None
    mask = struct.unpack_from("=I", buf, 0)[0]
    if not mask & STATX_BTIME:
        return None  # this file system keeps no birth time (ext3, NFS, most FUSE mounts, tmpfs before 6.?)
    seconds, nanos = struct.unpack_from("=qI", buf, _BTIME_OFFSET)
    return seconds + nanos / 1e9 if seconds > 0 else None
