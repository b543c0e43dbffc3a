"""The report model: one versioned, JSON-ready structure that every output format renders.

This is the evidence record (the JSON report) and the input of the text and HTML reports.
"""

from __future__ import annotations

import os
from typing import cast

from techcheck.artifacts import Artifact
from techcheck.collectors.base import Note
from techcheck.engine import Finding
from techcheck.i18n import Words, text
from techcheck.kinds import KINDS
from techcheck.report.evidence import (
    checking_platform,
    rules_fingerprint,
    running_as_admin,
    seal,
)
from techcheck.report.inventory import artifact_key, build_inventory, evidence_item
from techcheck.report.permissions import describe_permissions
from techcheck.report.schema import (
    SCHEMA,
    SEVERITIES,
    AccessInfo,
    CheckInfo,
    ComputerInfo,
    EvidenceItem,
    EvidenceRecord,
    FindingInfo,
    NoteInfo,
    Report,
    RulePackInfo,
    Severity,
    Summary,
    Support,
)
from techcheck.report.startup import build_startup, shown_entries
from techcheck.report.timeline import Since, Timeline, build_timeline, finding_identity, since_info, startup_marks
from techcheck.scan import CheckResult, ScanResult
from techcheck.target.base import Target
from techcheck.target.identity import ComputerIdentity
from techcheck.target.image import ImageTarget
from techcheck.texts import check_title, os_name, t
from techcheck.timeutil import iso_utc

__all__ = ["SCHEMA", "SEVERITIES", "build_report"]


def evidence_dict(art: Artifact, lang: str, identity: ComputerIdentity | None = None) -> EvidenceItem:
    out = evidence_item(art)
    if identity is not None:
        # Each time beside its UTC value, in the scanned computer's zone (see "local_time" in the report).
        spec = KINDS[art.kind].fields
        local = {n: identity.local(v) for n, v in out["fields"].items()
                 if n in spec and spec[n].type == "time" and isinstance(v, str)}
        if any(local.values()):
            out["local_times"] = {n: v for n, v in local.items() if v}
    words = {n: v.to_json() for n, v in out["fields"].items() if isinstance(v, Words)}
    if words:
        out["words"] = words  # so a saved report shows them in any language (report.format.revive_words)
    if art.kind == "browser_extension":
        can = describe_permissions(art.get("permissions") or [], bool(art.get("all_sites")), lang)
        if can:
            out["can"] = can  # what its permissions let it see or do, in plain words
    return out


def finding_dict(f: Finding, lang: str, identity: ComputerIdentity | None = None) -> FindingInfo:
    text = f.rule.text(lang)
    info: FindingInfo = {
        "rule_id": f.rule.id,
        "severity": cast(Severity, f.rule.severity),
        "severity_label": t(f"severity_{f.rule.severity}", lang),
        "category": f.rule.category,
        "title": text.title,
        "what": text.what,
        "why": text.why,
        "actions": list(text.actions),
        # One per action: "save_report" where the renderers add how to save this report (techcheck/actions.py).
        "action_ids": [text.action_id(i) for i in range(len(text.actions))],
        "normal": text.normal,
        "references": list(f.rule.references),
        "evidence": [evidence_dict(a, lang, identity) for a in f.artifacts],
        # One problem, one finding: every rule that matched these artifacts, and what the others add.
        "rule_ids": f.rule_ids,
        "also": [{"rule_id": r.id, "severity": r.severity, "title": r.text(lang).title,
                  "evidence": [artifact_key(a.to_dict()) for a in arts]} for r, arts in f.also],
        # What this finding is about, whatever rule names it: its (first) artifact. diff and the timeline key on it.
        "identity": finding_identity(f),
    }
    return info


def evidence_record(result: ScanResult) -> EvidenceRecord:
    """When and on what the scan ran, and the hashes of the flagged files (see report/evidence.py)."""
    target, system = result.target, result.system
    return {
        "created": iso_utc(result.finished) or "",
        "tool_version": result.tool_version,
        "rules": rules_fingerprint(result.rule_count, result.rule_file_sha256),
        "system": {"os": target.os, "release": system.release},
        "hostname": result.identity.name or system.hostname,
        "computer": cast(ComputerInfo, result.identity.to_dict()),
        "run_by": system.run_by,
        "mode": target.mode,
        "root": target.root,
        "flagged_files": list(system.flagged_files),
        # Evidence never carries passwords or tokens: see techcheck/masking.py and each item's "masked".
        "masking": "likely passwords and tokens in evidence are replaced by ****; web addresses keep "
                   "only scheme, host and path",
    }


def check_reason(c: CheckResult, lang: str) -> str:
    if c.status == "failed":  # a program error: say in plain words what it means
        return t("reason_failed", lang, detail=c.reason)
    if c.status == "partial":
        return t("reason_partial", lang, n=sum(1 for n in c.notes if n.unreadable))
    return text(c.reason_msg, lang) if c.reason_msg is not None else c.reason


def access_advice(result: ScanResult, lang: str) -> AccessInfo:
    """Near the top of the report: some places could not be read, and how to let the check read them
    (run as an administrator; on a Mac, Full Disk Access)."""
    partial = [c.name for c in result.checks if c.status == "partial"]
    admin = running_as_admin()
    advice: list[str] = []
    if partial:
        advice.append(t("partial_some", lang, n=len(partial)))
        if not admin:
            advice.append(t("partial_admin", lang))
        if checking_platform() == "darwin":
            advice.append(t("partial_full_disk_access", lang))
    return {"administrator": admin, "partial_checks": partial, "advice": advice}


def layout_warnings(target: Target, lang: str) -> list[str]:
    """Warnings when a disk copy's folder is not what --root/--os say (shown on the terminal and in reports)."""
    if not isinstance(target, ImageTarget):
        return []
    out: list[str] = []
    if target.layout_os not in ("unknown", target.os) and target.os != "unknown":
        out.append(t("layout_os_mismatch", lang, given=os_name(target.os), layout=os_name(target.layout_os),
                     layout_id=target.layout_os))
    if target.layout_os == "unknown":
        if target.copy_root and os.path.dirname(target.copy_root) == target.copy_root:
            out.append(t("layout_not_root_live", lang))  # "/": a folder of the checking computer itself
        elif target.copy_root:
            out.append(t("layout_not_root", lang, folder=target.copy_root, os=os_name(target.copy_root_os)))
        elif target.os != "unknown":
            out.append(t("layout_no_root", lang, given=os_name(target.os)))
    return out


def untranslated_rules(result: ScanResult, lang: str) -> list[str]:
    """When some finding's rule has no texts in the report's language (a new language whose rule
    texts are not all written yet), those findings are shown in English: say so once."""
    rules = [r for f in result.findings for r in (f.rule, *(a for a, _ in f.also))]
    return [t("rule_text_fallback", lang)] if any(lang not in r.texts for r in rules) else []


def note_info(n: Note) -> NoteInfo:
    """A note in the JSON report: its English text (readers and older tools rely on it), and its
    message id and parameters, from which any language can be shown later."""
    message = n.msg.to_dict()
    return {"path": n.path, "message": n.message, "id": message["id"], "params": message["params"]}


def check_info(c: CheckResult, lang: str) -> CheckInfo:
    return {
        "name": c.name,
        "title": check_title(c.name, c.title, lang),
        "status": c.status,
        "reason": check_reason(c, lang),
        "artifact_count": c.artifact_count,
        "notes": [note_info(n) for n in c.notes],
        # What a partly done check could not read (also among its notes).
        "unreadable": [{"path": n.path, "message": n.message} for n in c.notes if n.unreadable],
    }


def _findings(result: ScanResult, timeline: Timeline, lang: str) -> list[FindingInfo]:
    """The findings in report form, each with its first known time and its --since mark."""
    findings = [finding_dict(f, lang, result.identity) for f in result.findings]
    for index, info in enumerate(findings):
        if index in timeline.first_seen:
            info["first_seen"] = timeline.first_seen[index]
        if index in timeline.marked:
            info["after_since"] = timeline.marked[index]
    return findings


def _support(lang: str) -> Support:
    """The support resources that end every report."""
    return {
        "title": t("support_title", lang),
        "body": t("support_body", lang),
        "resources": [t(k, lang) for k in ("resource_ndvh", "resource_rainn", "resource_sparc", "resource_steps")],
    }


def build_report(result: ScanResult, lang: str = "en", key: bytes | None = None, since: Since | None = None,
                 ) -> Report:
    """The report model, sealed with its digest (an HMAC when a key is given).

    since (scan --since): findings and start-up entries with a time on or after it are marked."""
    target = result.target
    identity = result.identity
    timeline = build_timeline(result.findings, identity, result.finished, lang, since)
    findings = _findings(result, timeline, lang)
    marks = (startup_marks(shown_entries(result.artifacts), since.resolve(identity.zone), result.finished,
                           identity.zone) if since else None)
    count = [f.severity for f in result.findings].count
    summary: Summary = {"alert": count("alert"), "review": count("review"), "info": count("info")}
    report: Report = {
        "schema": SCHEMA,
        "language": lang,
        "tool": {"name": "techcheck", "version": result.tool_version},
        "target": {
            "mode": target.mode,
            "os": target.os,
            "root": target.root,
            "hostname": identity.name or result.system.hostname,
        },
        "computer": cast(ComputerInfo, identity.to_dict()),
        "started": iso_utc(result.started) or "",
        "finished": iso_utc(result.finished) or "",
        # The times people read, in the scanned computer's zone beside UTC (the checking computer's
        # zone when the scanned one's is unknown: "source": "checking").
        "local_time": {"zone": identity.time_zone, "source": identity.time_zone_source,
                       "started": identity.local(iso_utc(result.started)),
                       "finished": identity.local(iso_utc(result.finished))},
        "rules": {"count": result.rule_count, "sources": result.rule_sources,
                  "packs": [cast(RulePackInfo, {k: v for k, v in p.to_dict().items() if k != "folder"})
                            for p in result.rule_packs]},
        "summary": summary,
        "warnings": layout_warnings(target, lang) + untranslated_rules(result, lang),
        "access": access_advice(result, lang),
        "safety_note": {"title": t("safety_title", lang), "body": t("safety_body", lang)},
        "findings": findings,
        "timeline": timeline.entries,
        "timeline_info": timeline.info or {"zone": identity.time_zone, "zone_source": identity.time_zone_source,
                                           "count": 0, "included": 0, "left_out": [], "undated": []},
        "startup": build_startup(result.artifacts, lang, marks),
        "checks": [check_info(c, lang) for c in result.checks],
        "limits": t("limits", lang),
        "support": _support(lang),
        "evidence_record": evidence_record(result),
        "inventory": build_inventory(result.artifacts),
    }
    if since is not None and marks is not None:
        report["since"] = since_info(
            since, identity, lang, marked_findings=sum(timeline.marked.values()), total_findings=len(findings),
            undated_findings=len(findings) - len(timeline.marked), marked_startup=sum(1 for m in marks.values() if m),
            undated_startup=sum(1 for m in marks.values() if m is None))
    return seal(report, key)
