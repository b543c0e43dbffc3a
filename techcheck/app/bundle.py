"""The evidence bundle: one zip with the JSON evidence record (and its digest), the HTML report,
the answers and notes, and a manifest with the SHA-256 of each file.

`techcheck verify BUNDLE.zip` checks every file against the manifest, that no file was added or
taken away, and each JSON report against its own digest. Like the report digest, a plain manifest
shows accidental or naive changes; only a report sealed with a secret key (scan --key) resists
someone who recomputes the sums.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from techcheck.report.evidence import verify_report
from techcheck.report.loader import ReportError, load_report, parse_json

BUNDLE_SCHEMA = "techcheck.bundle/1"
MANIFEST = "manifest.json"
MAX_BUNDLE_BYTES = 256 * 1024 * 1024  # what verify reads of a bundle, in all
MAX_MEMBERS = 1000


def make_bundle(files: Mapping[str, bytes], created: str) -> bytes:
    """A zip of `files` (name -> bytes) plus manifest.json listing each file's SHA-256."""
    manifest = {
        "schema": BUNDLE_SCHEMA,
        "created": created,
        "files": {name: {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
                  for name, data in sorted(files.items())},
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in sorted(files.items()):
            zf.writestr(_entry(name), data)
        zf.writestr(_entry(MANIFEST), json.dumps(manifest, indent=2, ensure_ascii=True) + "\n")
    return out.getvalue()


def _entry(name: str) -> zipfile.ZipInfo:
    # A fixed date and mode: the same contents give the same bytes, and files unpack owner-only.
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.external_attr = 0o600 << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


@dataclass
class BundleCheck:
    ok: bool
    problems: list[str] = field(default_factory=list)
    files: int = 0
    reports: int = 0
    algorithms: list[str] = field(default_factory=list)


def is_bundle(data: bytes) -> bool:
    return data[:4] == b"PK\x03\x04"


def verify_bundle(data: bytes, key: bytes | None = None) -> BundleCheck:
    """Check a bundle's files against its manifest and each JSON report against its digest."""
    check = BundleCheck(ok=False)
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        members = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        check.problems.append(f"not a readable zip file: {exc}")
        return check
    if len(members) > MAX_MEMBERS or sum(m.file_size for m in members) > MAX_BUNDLE_BYTES:
        check.problems.append("the bundle is larger than a techcheck bundle can be")
        return check
    contents = _read_members(zf, members, check)
    manifest = _manifest(contents.pop(MANIFEST, None), check)
    if manifest is None:
        return check
    listed: dict[str, Any] = manifest["files"]
    _compare_with_manifest(listed, contents, check)
    for name, body in sorted(contents.items()):
        if name.endswith(".json") and name in listed:
            _check_report(name, body, key, check)
    check.files = len(contents)
    check.ok = not check.problems
    return check


def _read_members(zf: zipfile.ZipFile, members: list[zipfile.ZipInfo], check: BundleCheck) -> dict[str, bytes]:
    contents: dict[str, bytes] = {}
    for member in members:
        if member.filename in contents:
            check.problems.append(f"{member.filename}: appears twice")
            continue
        try:
            contents[member.filename] = zf.read(member)
        except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError) as exc:
            check.problems.append(f"{member.filename}: could not be read: {exc}")
    return contents


def _compare_with_manifest(listed: dict[str, Any], contents: dict[str, bytes], check: BundleCheck) -> None:
    for name in sorted(set(listed) | set(contents)):
        if name not in contents:
            check.problems.append(f"{name}: listed in the manifest but missing")
        elif name not in listed:
            check.problems.append(f"{name}: not listed in the manifest (added later)")
        elif hashlib.sha256(contents[name]).hexdigest() != str(listed[name].get("sha256", "")):
            check.problems.append(f"{name}: changed since the bundle was made")


def _manifest(raw: bytes | None, check: BundleCheck) -> dict[str, Any] | None:
    if raw is None:
        check.problems.append(f"{MANIFEST} is missing")
        return None
    try:
        manifest = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        check.problems.append(f"{MANIFEST} is not valid JSON: {exc}")
        return None
    if not isinstance(manifest, dict) or manifest.get("schema") != BUNDLE_SCHEMA \
            or not isinstance(manifest.get("files"), dict) \
            or not all(isinstance(v, dict) for v in manifest["files"].values()):
        check.problems.append(f"{MANIFEST} is not a techcheck bundle manifest")
        return None
    return manifest


def _check_report(name: str, body: bytes, key: bytes | None, check: BundleCheck) -> None:
    """A JSON file that is a techcheck report must load (report/loader.load_report: checked, older
    versions read) and match its own digest; other JSON is data."""
    try:
        schema = str(parse_json(body).get("schema", ""))
    except ReportError:
        return  # not JSON (or nested past any report): data, covered by the manifest
    if not schema.startswith("techcheck.report/"):
        return
    try:
        loaded = load_report(body)
    except ReportError as exc:
        check.reports += 1
        check.problems.append(f"{name}: not a readable techcheck report: {exc}")
        return
    result = verify_report(loaded, key)
    check.reports += 1
    check.algorithms.append(result.algorithm)
    if result.status != "intact":
        check.problems.append(f"{name}: the report's own digest check says {result.status.replace('_', ' ')}"
                              + (f" ({result.detail})" if result.detail else ""))
