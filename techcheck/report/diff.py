"""Compare two JSON reports of the same computer: what appeared and what disappeared.

Compared: findings (by rule id), the evidence inside findings present both times, the inventory
(autostarts, services, apps, accounts, permissions, extensions, settings, keys, profiles,
certificates) by artifact identity, and checks whose result changed.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from techcheck.kinds import KINDS
from techcheck.report.evidence import verify_report
from techcheck.report.format import WIDTH, evidence_lines, readable_time, wrap
from techcheck.report.inventory import artifact_key
from techcheck.report.loader import LoadedReport
from techcheck.report.safe import safe_text
from techcheck.report.schema import EvidenceItem, FindingInfo, LocationInfo, Report
from techcheck.target.identity import windows_zone
from techcheck.texts import os_name, t

DIFF_SCHEMA = "techcheck.diff/1"
E = TypeVar("E")
MAX_LISTED = 200  # per section in the text output; the JSON output has everything

Item = EvidenceItem
FindingSummary = dict[str, Any]  # rule_id, severity, title, evidence


@dataclass(frozen=True)
class ReportInfo:
    path: str
    finished: str
    hostname: str
    os: str
    mode: str
    root: str
    intact: bool
    machine_id: str = ""
    local_finished: str = ""  # `finished` in the scanned computer's zone (ISO 8601 with offset)
    zone: str = ""  # that zone's name, as the report names it

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "finished": self.finished, "hostname": self.hostname, "os": self.os,
                "mode": self.mode, "root": self.root, "intact": self.intact, "machine_id": self.machine_id,
                "local_finished": self.local_finished, "zone": self.zone}


@dataclass
class ReportDiff:
    old: ReportInfo
    new: ReportInfo
    findings_new: list[FindingSummary] = field(default_factory=list)
    findings_gone: list[FindingSummary] = field(default_factory=list)
    evidence_new: list[tuple[str, Item]] = field(default_factory=list)
    evidence_gone: list[tuple[str, Item]] = field(default_factory=list)
    inventory_new: list[Item] = field(default_factory=list)
    inventory_gone: list[Item] = field(default_factory=list)
    inventory_changed: list[tuple[Item, Item]] = field(default_factory=list)
    checks_changed: list[tuple[str, str, str]] = field(default_factory=list)  # title, old, new status
    truncated_kinds: list[str] = field(default_factory=list)

    @property
    def same_computer(self) -> bool:
        def differ(a: str, b: str) -> bool:
            return bool(a and b and a.casefold() != b.casefold())

        # The computer's name, and on Linux its machine id (it stays when the name is changed).
        old, new = self.old, self.new
        return (not differ(old.hostname, new.hostname) and not differ(old.machine_id, new.machine_id)
                and old.os == new.os)

    @property
    def empty(self) -> bool:
        return not (self.findings_new or self.findings_gone or self.evidence_new or self.evidence_gone
                    or self.inventory_new or self.inventory_gone or self.inventory_changed
                    or self.checks_changed)

    def to_dict(self) -> dict[str, Any]:
        def ev(pairs: list[tuple[str, Item]]) -> list[dict[str, Any]]:
            return [{"rule_id": rule_id, "item": item} for rule_id, item in pairs]

        return {
            "schema": DIFF_SCHEMA,
            "old": self.old.to_dict(),
            "new": self.new.to_dict(),
            "same_computer": self.same_computer,
            "findings": {"appeared": self.findings_new, "disappeared": self.findings_gone},
            "evidence": {"appeared": ev(self.evidence_new), "disappeared": ev(self.evidence_gone)},
            "inventory": {
                "appeared": self.inventory_new,
                "disappeared": self.inventory_gone,
                "changed": [{"before": a, "after": b} for a, b in self.inventory_changed],
                "truncated_kinds": self.truncated_kinds,
            },
            "checks": [{"title": title, "before": a, "after": b} for title, a, b in self.checks_changed],
        }


def report_info(path: str, loaded: LoadedReport) -> ReportInfo:
    report = loaded.report
    target = report["target"]
    return ReportInfo(
        path=path,
        finished=report["finished"],
        hostname=target["hostname"],
        os=target["os"],
        mode=target["mode"],
        root=target["root"] or "",
        intact=verify_report(loaded).status in ("intact", "needs_key"),
        machine_id=report["computer"]["machine_id"] if "computer" in report else "",
        local_finished=(report["local_time"]["finished"] or "") if "local_time" in report else "",
        zone=report["local_time"]["zone"] if "local_time" in report else "",
    )


def finding_identity(f: FindingInfo) -> str:
    return str(f.get("identity") or f["rule_id"])


def _by_key(items: Iterable[Item]) -> dict[str, Item]:
    return {artifact_key(i): i for i in items}


def _split(old: dict[str, Item], new: dict[str, Item]) -> tuple[list[Item], list[Item]]:
    return [new[k] for k in sorted(new.keys() - old.keys())], [old[k] for k in sorted(old.keys() - new.keys())]


def _finding_summary(f: FindingInfo) -> FindingSummary:
    out: FindingSummary = {"rule_id": f["rule_id"], "severity": f["severity"], "title": f["title"],
                           "evidence": f["evidence"]}
    if "rule_ids" in f:
        out["rule_ids"] = f["rule_ids"]
    if "first_seen" in f:
        out["first_seen"] = f["first_seen"]
    return out


def diff_reports(old: Report, new: Report, old_info: ReportInfo, new_info: ReportInfo) -> ReportDiff:
    result = ReportDiff(old_info, new_info)
    # A finding is the same finding when it is about the same artifact, whatever rule leads it
    # (older reports without an identity fall back to the rule id).
    old_f = {finding_identity(f): f for f in old["findings"]}
    new_f = {finding_identity(f): f for f in new["findings"]}
    result.findings_new = [_finding_summary(new_f[r]) for r in sorted(new_f.keys() - old_f.keys())]
    result.findings_gone = [_finding_summary(old_f[r]) for r in sorted(old_f.keys() - new_f.keys())]
    for key in sorted(old_f.keys() & new_f.keys()):
        appeared, gone = _split(_by_key(old_f[key]["evidence"]), _by_key(new_f[key]["evidence"]))
        rule_id = new_f[key]["rule_id"]
        result.evidence_new += [(rule_id, i) for i in appeared]
        result.evidence_gone += [(rule_id, i) for i in gone]

    old_inv, new_inv = old["inventory"], new["inventory"]
    old_items, new_items = _by_key(old_inv["items"]), _by_key(new_inv["items"])
    result.inventory_new, result.inventory_gone = _split(old_items, new_items)
    result.inventory_changed = [(old_items[k], new_items[k]) for k in sorted(old_items.keys() & new_items.keys())
                                if old_items[k] != new_items[k]]
    for inv in (old_inv, new_inv):
        for kind, counts in inv["kinds"].items():
            if counts["included"] < counts["count"] and kind not in result.truncated_kinds:
                result.truncated_kinds.append(kind)

    old_checks = {c["name"]: c for c in old["checks"]}
    for c in new["checks"]:
        before = old_checks.get(c["name"])
        if before and before["status"] != c["status"]:
            result.checks_changed.append((c["title"], before["status"], c["status"]))
    return result


# --- text output ---------------------------------------------------------------------------

def zone_named(name: str) -> dt.tzinfo | None:
    """A zone from its name in a report: a tz database name, or a Windows one (via CLDR)."""
    if not name:
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return windows_zone(name)


def local_times(item: Item, zone: dt.tzinfo | None) -> dict[str, str]:
    """Each time field of an item in the scanned computer's zone (items of older reports, and
    inventory items, carry none of their own)."""
    spec = KINDS.get(str(item.get("kind")))
    if spec is None or zone is None:
        return {}
    out: dict[str, str] = {}
    for name, value in (item.get("fields") or {}).items():
        if name in spec.fields and spec.fields[name].type == "time" and isinstance(value, str) and "T" in value:
            try:
                when = dt.datetime.fromisoformat(value)
            except ValueError:
                continue
            if when.tzinfo is not None:
                out[name] = when.astimezone(zone).isoformat(timespec="seconds")
    return out


def _shown(item: Item, zone: dt.tzinfo | None = None) -> Item:
    """An artifact from a report file, safe to print: a report from elsewhere may be crafted."""
    loc = item.get("location", {})
    location: LocationInfo = {}
    if "path" in loc:
        location["path"] = safe_text(loc["path"], 500)
    if "registry_key" in loc:
        location["registry_key"] = safe_text(loc["registry_key"], 500)
    if "pid" in loc:
        location["pid"] = loc["pid"]
    shown: Item = {"kind": safe_text(item["kind"], 100),
                   "fields": {safe_text(k, 100): v for k, v in item["fields"].items()}, "location": location}
    times = local_times(item, zone)
    if times:
        shown["local_times"] = times
    return shown


def render_diff_text(d: ReportDiff, lang: str = "en", titles: dict[str, str] | None = None) -> str:
    """The comparison as text. `titles`: rule titles in `lang` by rule id, for reports saved in
    another language (a finding keeps the title from its report when its rule is not known)."""
    out = [t("diff_title", lang), "=" * WIDTH, *_reports_lines(d, lang)]
    # Times in the newer report's computer zone beside UTC (both reports are usually the same computer).
    zone = zone_named(d.new.zone) or zone_named(d.old.zone)

    def finding(f: FindingSummary) -> list[str]:
        return _finding_lines(f, lang, titles or {})

    def evidence(pair: tuple[str, Item]) -> list[str]:
        head = wrap(f"[{safe_text(pair[0], 200)}]", indent="    ", first="  * ")
        return head + evidence_lines(_shown(pair[1], zone), lang)

    def item(i: Item) -> list[str]:
        return evidence_lines(_shown(i, zone), lang)

    def changed(pair: tuple[Item, Item]) -> list[str]:
        return (wrap(t("diff_before", lang) + ":", first="  * ", indent="    ") + item(pair[0])
                + wrap(t("diff_after", lang) + ":", indent="    ") + item(pair[1]))

    out += _section("diff_findings_new", by_severity(d.findings_new), finding, lang)
    out += _section("diff_findings_gone", by_severity(d.findings_gone), finding, lang)
    out += _section("diff_evidence_new", d.evidence_new, evidence, lang)
    out += _section("diff_evidence_gone", d.evidence_gone, evidence, lang)
    out += _section("diff_inventory_new", d.inventory_new, item, lang)
    out += _section("diff_inventory_gone", d.inventory_gone, item, lang)
    out += _section("diff_inventory_changed", d.inventory_changed, changed, lang)
    out += _section("diff_checks_changed", d.checks_changed, lambda entry: _check_lines(entry, lang), lang)
    if d.empty:
        out.extend([""] + wrap(t("diff_none", lang)))
    if d.truncated_kinds:
        out.extend([""] + wrap(t("diff_truncated", lang, kinds=", ".join(d.truncated_kinds))))
    out.extend([""] + wrap(t("diff_limits", lang)))
    return "\n".join(out) + "\n"


def _reports_lines(d: ReportDiff, lang: str) -> list[str]:
    """Which two reports are compared, and whether they are of one computer and intact."""
    out: list[str] = []
    for label, info in ((t("diff_before", lang), d.old), (t("diff_after", lang), d.new)):
        where = info.hostname or info.root
        when = readable_time(info.finished, info.local_finished or None, info.zone)
        out.extend(wrap(t("diff_report_line", lang, label=label, when=safe_text(when, 120),
                           host=safe_text(where, 200),
                           mode=t(f"mode_{info.mode}", lang) if info.mode in ("live", "image", "fake")
                           else safe_text(info.mode or "?", 50)), indent="    "))
    if not d.same_computer:
        out.extend(wrap(t("diff_other_computer", lang, old=safe_text(d.old.hostname or os_name(d.old.os), 100),
                           new=safe_text(d.new.hostname or os_name(d.new.os), 100))))
    for info in (d.old, d.new):
        if not info.intact:
            out.extend(wrap(t("diff_not_intact", lang, path=safe_text(info.path, 300))))
    return out


def _section(key: str, entries: Sequence[E], render: Callable[[E], list[str]], lang: str) -> list[str]:
    """A titled list of entries (at most MAX_LISTED); nothing when there are none."""
    if not entries:
        return []
    title = f"{t(key, lang)} ({len(entries)})"
    out = ["", title, "-" * min(len(title), WIDTH)]
    for entry in entries[:MAX_LISTED]:
        out.extend(render(entry))
    if len(entries) > MAX_LISTED:
        out.append(f"  ({t('more_items', lang, n=len(entries) - MAX_LISTED)})")
    return out


def _finding_lines(f: FindingSummary, lang: str, titles: dict[str, str]) -> list[str]:
    label = t(f"severity_{f['severity']}", lang) if f.get("severity") in ("alert", "review", "info") else "?"
    title = titles.get(str(f.get("rule_id")), f["title"])
    lines = wrap(f"{label}: {safe_text(title, 300)} [{safe_text(f['rule_id'], 200)}]", indent="    ", first="  * ")
    seen = f.get("first_seen")
    if isinstance(seen, dict) and isinstance(seen.get("text"), str):  # in that report's language
        lines += wrap(safe_text(seen["text"], 300), indent="    ", first="    ")
    return lines


def _check_lines(entry: tuple[str, str, str], lang: str) -> list[str]:
    title, before, after = entry

    def status(s: str) -> str:
        return t(f"status_{s}", lang) if s in ("ok", "partial", "skipped", "failed") else safe_text(s, 50)

    return wrap(f"{safe_text(title, 300)}: {status(before)} -> {status(after)}", indent="    ", first="  * ")


def by_severity(findings: list[FindingSummary]) -> list[FindingSummary]:
    """Findings with the most serious first (then by rule id), as in the report itself."""
    order = {"alert": 0, "review": 1, "info": 2}
    return sorted(findings, key=lambda f: (order.get(str(f.get("severity")), 3), str(f.get("rule_id", ""))))
