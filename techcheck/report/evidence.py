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

import base64
import binascii
import hashlib
import hmac
import json
import os
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any, Literal

from techcheck.i18n import Message
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


def running_as_admin() -> bool:
    """Whether techcheck itself runs with administrator rights (root; on Windows, elevated)."""
    if hasattr(os, "geteuid"):
        return os.geteuid() == 0
    try:
        import ctypes

        return bool(ctypes.windll.shell32.IsUserAnAdmin())  # type: ignore[attr-defined]
    except (AttributeError, OSError):
        return False


def checking_platform() -> str:
    """The system techcheck runs on (sys.platform): "darwin" means a Mac, where Full Disk Access applies."""
    return sys.platform


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
    detail: Message | None = None  # why it is unreadable or altered, in any language


def verify_report(source: LoadedReport | bytes, key: bytes | None = None) -> Verification:
    """Check a saved JSON report (loaded, or its bytes) against its digest."""
    try:
        loaded = source if isinstance(source, LoadedReport) else load_report(source)
    except ReportError as exc:
        return Verification("unreadable", detail=exc.msg)
    report = loaded.raw  # the digest covers the report exactly as saved
    digest = report.get(DIGEST_FIELD)
    if not isinstance(digest, dict) or not isinstance(digest.get("value"), str):
        return Verification("unreadable", detail=Message.of("report_error.no_digest"))
    algorithm = str(digest.get("algorithm", ""))
    if algorithm == "hmac-sha256" and not key:
        return Verification("needs_key", algorithm)
    if algorithm not in ("sha256", "hmac-sha256"):
        return Verification("unreadable", algorithm,
                            Message.of("report_error.unknown_digest", algorithm=repr(algorithm)))
    if key and algorithm != "hmac-sha256":
        # Whoever checks with a key expects a keyed seal; a plain digest anyone could have remade.
        return Verification("not_keyed", algorithm)
    expected = compute_digest(report, key if algorithm == "hmac-sha256" else None)
    intact = hmac.compare_digest(expected["value"], digest["value"])
    return Verification("intact" if intact else "altered", algorithm)


# --- the evidence record inside an HTML report ------------------------------------------------

HTML_RECORD_ID = "techcheck-record"


def html_record_block(report: Mapping[str, Any]) -> str:
    """The sealed report for the HTML page's data block (never executed: its type is not a script's):
    one JSON string holding the report's JSON in base64, so no scanned name can end the block or
    show up as page text."""
    text = json.dumps(report, ensure_ascii=True, separators=(",", ":"))
    return json.dumps(base64.b64encode(text.encode("ascii")).decode("ascii"))


def record_from_block(block: str) -> bytes:
    """The report's JSON bytes from the data block; ValueError when it is not one."""
    try:
        encoded = json.loads(block)
        return base64.b64decode(encoded.encode("ascii"), validate=True)
    except (json.JSONDecodeError, AttributeError, UnicodeError, binascii.Error) as exc:
        raise ValueError(f"the page's evidence record is damaged: {exc}") from exc


@dataclass
class HtmlReport:
    """What an HTML report carries: its record's JSON bytes, and the findings shown on the page."""

    record: bytes | None = None
    records_found: int = 0
    shown: list[tuple[str, str, str]] = field(default_factory=list)  # (rule id, severity, title)


class _HtmlReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out = HtmlReport()
        self._in_record = False
        self._record: list[str] = []
        self._finding: tuple[str, str] | None = None
        self._title: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "script" and a.get("id") == HTML_RECORD_ID and a.get("type") == "application/json":
            self._in_record, self._record = True, []
            self.out.records_found += 1
        elif tag == "article" and "finding" in a.get("class", "").split():
            sev = next((c[4:] for c in a.get("class", "").split() if c.startswith("sev-")), "")
            self._finding = (a.get("data-rule", ""), sev)
        elif tag == "h3" and self._finding is not None:
            self._title = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._in_record:
            self._in_record = False
            try:
                self.out.record = record_from_block("".join(self._record))
            except ValueError:
                self.out.record = None
        elif tag == "h3" and self._title is not None and self._finding is not None:
            self.out.shown.append((*self._finding, " ".join("".join(self._title).split())))
            self._title, self._finding = None, None

    def handle_data(self, data: str) -> None:
        if self._in_record:
            self._record.append(data)
        elif self._title is not None:
            self._title.append(data)


def looks_like_html(data: bytes) -> bool:
    return data.lstrip()[:15].lower().startswith((b"<!doctype html", b"<html"))


def read_html_report(data: bytes) -> HtmlReport:
    reader = _HtmlReader()
    reader.feed(data.decode("utf-8", errors="replace"))
    reader.close()
    return reader.out


def shown_findings_match(page: HtmlReport, report: dict[str, Any]) -> bool:
    """The findings shown on the page (rule, severity, title) are exactly the record's."""
    recorded = sorted((str(f.get("rule_id")), str(f.get("severity")), " ".join(str(f.get("title")).split()))
                      for f in report.get("findings", []) if isinstance(f, dict))
    return sorted(page.shown) == recorded


def verify_html_report(data: bytes, key: bytes | None = None) -> Verification:
    """An HTML report: its embedded record against its digest, and the page's findings against it."""
    page = read_html_report(data)
    if page.records_found != 1 or page.record is None:
        detail = Message.of("report_error.page_without_record") if not page.records_found else (
            Message.of("report_error.page_with_records"))
        return Verification("unreadable", detail=detail)
    result = verify_report(page.record, key)
    if result.status != "intact":
        return result
    if not shown_findings_match(page, json.loads(page.record)):
        return Verification("altered", result.algorithm, Message.of("report_error.page_findings_differ"))
    return result
