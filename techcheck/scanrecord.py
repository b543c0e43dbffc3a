"""What a scan records about the scanned system for the evidence record, read during the scan.

The scanned system's release and host name, who ran the scan, and the SHA-256 of each flagged file
are read here, through the Target, while the scan runs; building a report from the scan result
then reads nothing (report/model.py is a pure function of the ScanResult).
"""

from __future__ import annotations

import getpass
import hashlib
import platform
import plistlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from techcheck.errors import TargetError
from techcheck.report.schema import FileHashInfo
from techcheck.target.base import Target
from techcheck.textlines import text_lines

# Flagged files larger than this are not read for hashing; the record says "too large".
HASH_LIMIT = 64 * 1024 * 1024
_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")


@dataclass(frozen=True)
class SystemRecord:
    """The scanned system as the evidence record names it."""

    release: str
    hostname: str
    run_by: str
    flagged_files: tuple[FileHashInfo, ...]


def record_system(target: Target, flagged_paths: Iterable[str]) -> SystemRecord:
    return SystemRecord(system_release(target), target.hostname(), current_user(),
                        tuple(flagged_file_hashes(target, flagged_paths)))


def current_user() -> str:
    """Who ran the scan (the account on the scanning computer)."""
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name in the environment or the user database
        return "unknown"


def _linux_release(target: Target) -> str:
    for path in ("/etc/os-release", "/usr/lib/os-release"):
        try:
            text = target.read_text(path, limit=64 * 1024)
        except TargetError:
            continue
        for line in text_lines(text):
            if line.startswith("PRETTY_NAME="):
                return line.split("=", 1)[1].strip().strip('"').strip("'")
    return ""


def _macos_release(target: Target) -> str:
    try:
        data = plistlib.loads(target.read_bytes("/System/Library/CoreServices/SystemVersion.plist", 1024 * 1024))
    except (TargetError, plistlib.InvalidFileException, ValueError):
        return ""
    if not isinstance(data, dict):
        return ""
    return " ".join(str(data[k]) for k in ("ProductName", "ProductVersion", "ProductBuildVersion") if k in data)


def system_release(target: Target) -> str:
    """The scanned system's name and version, when the target says it; empty when unknown."""
    if target.os == "linux":
        release = _linux_release(target)
    elif target.os == "macos":
        release = _macos_release(target)
    else:
        release = ""
    if not release and target.mode == "live":
        release = f"{platform.system()} {platform.release()}".strip()
    return release


def target_path(location_path: str) -> str:
    """A location path as a Target path: 'C:\\Windows\\x.exe' becomes '/Windows/x.exe'."""
    if _DRIVE.match(location_path):
        return location_path[2:].replace("\\", "/")
    return location_path


FileStatus = Literal["hashed", "too large", "unreadable", "not found"]


@dataclass(frozen=True)
class FileHash:
    path: str
    status: FileStatus
    sha256: str = ""
    size: int | None = None
    reason: str = ""

    def to_dict(self) -> FileHashInfo:
        out: FileHashInfo = {"path": self.path, "status": self.status}
        if self.sha256:
            out["sha256"] = self.sha256
        if self.size is not None:
            out["size"] = self.size
        if self.reason:
            out["reason"] = self.reason
        return out


def hash_file(target: Target, path: str, limit: int = HASH_LIMIT) -> FileHash | None:
    """The SHA-256 of one flagged file, read through the Target API. None for folders."""
    st = target.stat_follow(target_path(path))
    if st is None:
        return FileHash(path, "not found")
    if st.is_dir:
        return None
    if st.size > limit:
        return FileHash(path, "too large", size=st.size, reason=f"over {limit // (1024 * 1024)} MiB")
    try:
        data = target.read_bytes(target_path(path), limit)
    except TargetError as exc:
        return FileHash(path, "unreadable", size=st.size, reason=str(exc))
    return FileHash(path, "hashed", hashlib.sha256(data).hexdigest(), len(data))


def flagged_file_hashes(target: Target, paths: Iterable[str], limit: int = HASH_LIMIT) -> list[FileHashInfo]:
    """Hashes of the distinct file paths named as evidence, in path order."""
    out = []
    for path in sorted(set(p for p in paths if p)):
        result = hash_file(target, path, limit)
        if result is not None:
            out.append(result.to_dict())
    return out
