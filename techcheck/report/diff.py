"""Compare two JSON reports of the same computer: what appeared and what disappeared.

Compared: findings (by rule id), the evidence inside findings present both times, the inventory
(autostarts, services, apps, accounts, permissions, extensions, settings, keys, profiles,
certificates) by artifact identity, and checks whose result changed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from techcheck.report.evidence import verify_report
from techcheck.report.inventory import artifact_key
from techcheck.report.safe import safe_text
from techcheck.report.text import WIDTH, _wrap, evidence_lines, readable_time
from techcheck.texts import os_name, t

DIFF_SCHEMA = "techcheck.diff/1"
MAX_LISTED = 200  # per section in the text output; the JSON output has everything

Item = dict[str, Any]


@dataclass(frozen=True)
class ReportInfo:
    path: str
    finished: str
    hostname: str
    os: str
    mode: str
    root: str
    intact: bool

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "finished": self.finished, "hostname": self.hostname, "os": self.os,
                "mode": self.mode, "root": self.root, "intact": self.intact}


@dataclass
class ReportDiff:
    old: ReportInfo
    new: ReportInfo
    findings_new: list[Item] = field(default_factory=list)
    findings_gone: list[Item] = field(default_factory=list)
    evidence_new: list[tuple[str, Item]] = field(default_factory=list)
    evidence_gone: list[tuple[str, Item]] = field(default_factory=list)
    inventory_new: list[Item] = field(default_factory=list)
    inventory_gone: list[Item] = field(default_factory=list)
    inventory_changed: list[tuple[Item, Item]] = field(default_factory=list)
    checks_changed: list[tuple[str, str, str]] = field(default_factory=list)  # title, old, new status
    truncated_kinds: list[str] = field(default_factory=list)

    @property
    def same_computer(self) -> bool:
        hosts_differ = bool(self.old.hostname and self.new.hostname and self.old.hostname != self.new.hostname)
        return not hosts_differ and self.old.os == self.new.os

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


def report_info(path: str, data: bytes, report: dict[str, Any]) -> ReportInfo:
    target = report.get("target") or {}
    return ReportInfo(
        path=path,
        finished=str(report.get("finished", "")),
        hostname=str(target.get("hostname") or ""),
        os=str(target.get("os") or ""),
        mode=str(target.get("mode") or ""),
        root=str(target.get("root") or ""),
        intact=verify_report(data).status in ("intact", "needs_key"),
    )


def _by_key(items: Iterable[Item]) -> dict[str, Item]:
    return {artifact_key(i): i for i in items}


def _split(old: dict[str, Item], new: dict[str, Item]) -> tuple[list[Item], list[Item]]:
    return [new[k] for k in sorted(new.keys() - old.keys())], [old[k] for k in sorted(old.keys() - new.keys())]


def _finding_summary(f: Item) -> Item:
    return {k: f.get(k) for k in ("rule_id", "severity", "title", "evidence")}


def diff_reports(old: dict[str, Any], new: dict[str, Any], old_info: ReportInfo, new_info: ReportInfo) -> ReportDiff:
    result = ReportDiff(old_info, new_info)
    old_f = {f["rule_id"]: f for f in old.get("findings", [])}
    new_f = {f["rule_id"]: f for f in new.get("findings", [])}
    result.findings_new = [_finding_summary(new_f[r]) for r in sorted(new_f.keys() - old_f.keys())]
    result.findings_gone = [_finding_summary(old_f[r]) for r in sorted(old_f.keys() - new_f.keys())]
    for rule_id in sorted(old_f.keys() & new_f.keys()):
        appeared, gone = _split(_by_key(old_f[rule_id].get("evidence", [])),
                                _by_key(new_f[rule_id].get("evidence", [])))
        result.evidence_new += [(rule_id, i) for i in appeared]
        result.evidence_gone += [(rule_id, i) for i in gone]

    old_inv, new_inv = old.get("inventory") or {}, new.get("inventory") or {}
    old_items, new_items = _by_key(old_inv.get("items", [])), _by_key(new_inv.get("items", []))
    result.inventory_new, result.inventory_gone = _split(old_items, new_items)
    result.inventory_changed = [(old_items[k], new_items[k]) for k in sorted(old_items.keys() & new_items.keys())
                                if old_items[k] != new_items[k]]
    for inv in (old_inv, new_inv):
        for kind, counts in (inv.get("kinds") or {}).items():
            if counts.get("included", 0) < counts.get("count", 0) and kind not in result.truncated_kinds:
                result.truncated_kinds.append(kind)

    old_checks = {c["name"]: c for c in old.get("checks", [])}
    for c in new.get("checks", []):
        before = old_checks.get(c["name"])
        if before and before.get("status") != c.get("status"):
            result.checks_changed.append((c.get("title", c["name"]), before["status"], c["status"]))
    return result


# --- text output ---------------------------------------------------------------------------

def _shown(item: Any) -> Item:
    """An artifact from a report file, safe to print: a report from elsewhere may be crafted."""
    item = item if isinstance(item, dict) else {}
    fields = item.get("fields") if isinstance(item.get("fields"), dict) else {}
    loc = item.get("location") if isinstance(item.get("location"), dict) else {}
    return {
        "kind": safe_text(item.get("kind", ""), 100),
        "fields": {safe_text(k, 100): v for k, v in fields.items()},
        "location": {k: safe_text(loc[k], 500) for k in ("path", "registry_key", "pid") if k in loc},
    }


def render_diff_text(d: ReportDiff, lang: str = "en", titles: dict[str, str] | None = None) -> str:
    """The comparison as text. `titles`: rule titles in `lang` by rule id, for reports saved in
    another language (a finding keeps the title from its report when its rule is not known)."""
    out: list[str] = [t("diff_title", lang), "=" * WIDTH]
    for label, info in ((t("diff_before", lang), d.old), (t("diff_after", lang), d.new)):
        where = info.hostname or info.root
        out.extend(_wrap(t("diff_report_line", lang, label=label, when=safe_text(readable_time(info.finished), 60),
                           host=safe_text(where, 200),
                           mode=t(f"mode_{info.mode}", lang) if info.mode in ("live", "image", "fake")
                           else safe_text(info.mode or "?", 50)), indent="    "))
    if not d.same_computer:
        out.extend(_wrap(t("diff_other_computer", lang, old=safe_text(d.old.hostname or os_name(d.old.os), 100),
                           new=safe_text(d.new.hostname or os_name(d.new.os), 100))))
    for info in (d.old, d.new):
        if not info.intact:
            out.extend(_wrap(t("diff_not_intact", lang, path=safe_text(info.path, 300))))

    def section(key: str, entries: list[Any], render: Callable[[Any], list[str]]) -> None:
        if not entries:
            return
        title = f"{t(key, lang)} ({len(entries)})"
        out.extend(["", title, "-" * min(len(title), WIDTH)])
        for entry in entries[:MAX_LISTED]:
            out.extend(render(entry))
        if len(entries) > MAX_LISTED:
            out.append(f"  ({t('more_items', lang, n=len(entries) - MAX_LISTED)})")

    def finding(f: Item) -> list[str]:
        label = t(f"severity_{f['severity']}", lang) if f.get("severity") in ("alert", "review", "info") else "?"
        title = (titles or {}).get(str(f.get("rule_id")), f["title"])
        return _wrap(f"{label}: {safe_text(title, 300)} [{safe_text(f['rule_id'], 200)}]",
                     indent="    ", first="  * ")

    def evidence(pair: tuple[str, Item]) -> list[str]:
        head = _wrap(f"[{safe_text(pair[0], 200)}]", indent="    ", first="  * ")
        return head + evidence_lines(_shown(pair[1]), lang)

    def changed(pair: tuple[Item, Item]) -> list[str]:
        return (_wrap(t("diff_before", lang) + ":", first="  * ", indent="    ") + evidence_lines(_shown(pair[0]), lang)
                + _wrap(t("diff_after", lang) + ":", indent="    ") + evidence_lines(_shown(pair[1]), lang))

    def check(entry: tuple[str, str, str]) -> list[str]:
        title, before, after = entry
        def status(s: str) -> str:
            return t(f"status_{s}", lang) if s in ("ok", "skipped", "failed") else safe_text(s, 50)

        return _wrap(f"{safe_text(title, 300)}: {status(before)} -> {status(after)}", indent="    ", first="  * ")

    section("diff_findings_new", by_severity(d.findings_new), finding)
    section("diff_findings_gone", by_severity(d.findings_gone), finding)
    section("diff_evidence_new", d.evidence_new, evidence)
    section("diff_evidence_gone", d.evidence_gone, evidence)
    section("diff_inventory_new", d.inventory_new, lambda i: evidence_lines(_shown(i), lang))
    section("diff_inventory_gone", d.inventory_gone, lambda i: evidence_lines(_shown(i), lang))
    section("diff_inventory_changed", d.inventory_changed, changed)
    section("diff_checks_changed", d.checks_changed, check)
    if d.empty:
        out.extend([""] + _wrap(t("diff_none", lang)))
    if d.truncated_kinds:
        out.extend([""] + _wrap(t("diff_truncated", lang, kinds=", ".join(d.truncated_kinds))))
    out.extend([""] + _wrap(t("diff_limits", lang)))
    return "\n".join(out) + "\n"


def by_severity(findings: list[Item]) -> list[Item]:
    """Findings with the most serious first (then by rule id), as in the report itself."""
    order = {"alert": 0, "review": 1, "info": 2}
    return sorted(findings, key=lambda f: (order.get(str(f.get("severity")), 3), str(f.get("rule_id", ""))))
