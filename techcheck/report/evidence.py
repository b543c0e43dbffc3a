"""The evidence record and the report digest.

The evidence record says when and on what a scan ran (tool and rule versions, system, host, who ran
it, mode, root) and holds the SHA-256 of each flagged file, so a later reader can tie the report to
the files it talks about. The digest is a SHA-256 (or, with a key file, an HMAC-SHA-256) of the
canonical JSON of the report without the digest itself: it shows the report was not changed by
accident or by a naive edit. A plain digest does not stop someone who recomputes it after editing;
only a secret key does that.
"""

from __future__ import annotations

import getpass
import hashlib
import hmac
import json
import platform
import plistlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from techcheck.errors import TargetError
from techcheck.report.loader import LoadedReport, ReportError, load_report
from techcheck.report.schema import Digest, FileHashInfo, Report, RulesFingerprint
from techcheck.target.base import Target

# Flagged files larger than this are not read for hashing; the record says "too large".
HASH_LIMIT = 64 * 1024 * 1024
DIGEST_FIELD = "digest"
_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")


def rules_fingerprint(loaded: int, sources: Iterable[str]) -> RulesFingerprint:
    """A digest of the loaded rule files' bytes: the same rules give the same digest on any computer.

    Each file's own SHA-256 goes in sorted, so install folders and load order do not matter.
    """
    per_file: list[str] = []
    for source in sources:
        try:
            per_file.append(hashlib.sha256(Path(source).read_bytes()).hexdigest())
        except OSError:
            per_file.append("unreadable")
    joined = "\n".join(sorted(per_file)).encode()
    return {"loaded": loaded, "files": len(per_file), "sha256": hashlib.sha256(joined).hexdigest()}


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
        for line in text.splitlines():
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


# --- the digest -----------------------------------------------------------------------------

def canonical_json(report: Mapping[str, Any]) -> bytes:
    """The bytes the digest covers: the report without its digest, keys sorted, no spaces, ASCII."""
    body = {k: v for k, v in report.items() if k != DIGEST_FIELD}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode("ascii")


def compute_digest(report: Mapping[str, Any], key: bytes | None = None) -> Digest:
    data = canonical_json(report)
    if key:
        return {"algorithm": "hmac-sha256", "value": hmac.new(key, data, hashlib.sha256).hexdigest()}
    return {"algorithm": "sha256", "value": hashlib.sha256(data).hexdigest()}


def seal(report: Report, key: bytes | None = None) -> Report:
    """Add the digest to a report (in place) and return it."""
    report["digest"] = compute_digest(report, key)
    return report


VerifyStatus = Literal["intact", "altered", "unreadable", "needs_key", "not_keyed"]


@dataclass(frozen=True)
class Verification:
    status: VerifyStatus
    algorithm: str = ""
    detail: str = ""


def verify_report(source: LoadedReport | bytes, key: bytes | None = None) -> Verification:
    """Check a saved JSON report (loaded, or its bytes) against its digest."""
    try:
        loaded = source if isinstance(source, LoadedReport) else load_report(source)
    except ReportError as exc:
        return Verification("unreadable", detail=str(exc))
    report = loaded.raw  # the digest covers the report exactly as saved
    digest = report.get(DIGEST_FIELD)
    if not isinstance(digest, dict) or not isinstance(digest.get("value"), str):
        return Verification("unreadable", detail="the report has no digest")
    algorithm = str(digest.get("algorithm", ""))
    if algorithm == "hmac-sha256" and not key:
        return Verification("needs_key", algorithm)
    if algorithm not in ("sha256", "hmac-sha256"):
        return Verification("unreadable", algorithm, f"unknown digest algorithm {algorithm!r}")
    if key and algorithm != "hmac-sha256":
        # Whoever checks with a key expects a keyed seal; a plain digest anyone could have remade.
        return Verification("not_keyed", algorithm)
    expected = compute_digest(report, key if algorithm == "hmac-sha256" else None)
    intact = hmac.compare_digest(expected["value"], digest["value"])
    return Verification("intact" if intact else "altered", algorithm)
