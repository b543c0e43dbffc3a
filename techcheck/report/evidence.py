"""The evidence record and the report digest.

The evidence record says when and on what a scan ran (tool and rule versions, system, host, who ran
it, mode, root) and holds the SHA-256 of each flagged file, so a later reader can tie the report to
the files it talks about. Those facts are read during the scan (techcheck/scanrecord.py); this
module only puts them together. The digest is a SHA-256 (or, with a key file, an HMAC-SHA-256) of the
canonical JSON of the report without the digest itself: it shows the report was not changed by
accident or by a naive edit. A plain digest does not stop someone who recomputes it after editing;
only a secret key does that.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from techcheck.report.loader import LoadedReport, ReportError, load_report
from techcheck.report.schema import Digest, Report, RulesFingerprint

DIGEST_FIELD = "digest"


def rules_fingerprint(loaded: int, file_sha256: Iterable[str]) -> RulesFingerprint:
    """A digest of the loaded rule files' bytes: the same rules give the same digest on any computer.

    Each file's own SHA-256 (taken from the bytes the rule loader parsed) goes in sorted, so install
    folders and load order do not matter.
    """
    per_file = list(file_sha256)
    joined = "\n".join(sorted(per_file)).encode()
    return {"loaded": loaded, "files": len(per_file), "sha256": hashlib.sha256(joined).hexdigest()}


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
