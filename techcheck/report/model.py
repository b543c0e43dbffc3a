"""The report model: one versioned, JSON-ready structure that every output format renders.

This is the evidence record (the JSON report) and the input of the text and HTML reports.
"""

from __future__ import annotations

import os
from typing import cast

from techcheck.artifacts import Artifact
from techcheck.engine import Finding
from techcheck.report.evidence import (
    rules_fingerprint,
    seal,
)
from techcheck.report.inventory import build_inventory, evidence_item
from techcheck.report.permissions import describe_permissions
from techcheck.report.schema import (
    SCHEMA,
    SEVERITIES,
    CheckInfo,
    EvidenceItem,
    EvidenceRecord,
    FindingInfo,
    Report,
    RulePackInfo,
    Severity,
    Summary,
)
from techcheck.report.startup import build_startup
from techcheck.scan import CheckResult, ScanResult
from techcheck.target.base import Target
from techcheck.target.image import ImageTarget
from techcheck.texts import check_title, os_name, t, translate_message
from techcheck.timeutil import iso_utc

__all__ = ["SCHEMA", "SEVERITIES", "build_report"]


def evidence_dict(art: Artifact, lang: str) -> EvidenceItem:
    out = evidence_item(art)
    if art.kind == "browser_extension":
        can = describe_permissions(art.get("permissions") or [], bool(art.get("all_sites")), lang)
        if can:
            out["can"] = can  # what its permissions let it see or do, in plain words
    return out


def finding_dict(f: Finding, lang: str) -> FindingInfo:
    text = f.rule.text(lang)
    return {
        "rule_id": f.rule.id,
        "severity": cast(Severity, f.rule.severity),
        "severity_label": t(f"severity_{f.rule.severity}", lang),
        "category": f.rule.category,
        "title": text.title,
        "what": text.what,
        "why": text.why,
        "actions": list(text.actions),
        "normal": text.normal,
        "references": list(f.rule.references),
        "evidence": [evidence_dict(a, lang) for a in f.artifacts],
    }


def evidence_record(result: ScanResult) -> EvidenceRecord:
    """When and on what the scan ran, and the hashes of the flagged files (see report/evidence.py)."""
    target, system = result.target, result.system
    return {
        "created": iso_utc(result.finished) or "",
        "tool_version": result.tool_version,
        "rules": rules_fingerprint(result.rule_count, result.rule_file_sha256),
        "system": {"os": target.os, "release": system.release},
        "hostname": system.hostname,
        "run_by": system.run_by,
        "mode": target.mode,
        "root": target.root,
        "flagged_files": list(system.flagged_files),
        # Evidence never carries passwords or tokens: see techcheck/masking.py and each item's "masked".
        "masking": "likely passwords and tokens in evidence are replaced by ****; web addresses keep "
                   "only scheme, host and path",
    }


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


def check_info(c: CheckResult, lang: str) -> CheckInfo:
    return {
        "name": c.name,
        "title": check_title(c.name, c.title, lang),
        "status": c.status,
        # A failed check's reason is a program error: say in plain words what it means.
        "reason": (t("reason_failed", lang, detail=c.reason) if c.status == "failed"
                   else translate_message(c.reason, lang)),
        "artifact_count": c.artifact_count,
        "notes": [{"path": n.path, "message": n.message} for n in c.notes],
    }


def build_report(result: ScanResult, lang: str = "en", key: bytes | None = None) -> Report:
    """The report model, sealed with its digest (an HMAC when a key is given)."""
    target = result.target
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
            "hostname": result.system.hostname,
        },
        "started": iso_utc(result.started) or "",
        "finished": iso_utc(result.finished) or "",
        "rules": {"count": result.rule_count, "sources": result.rule_sources,
                  "packs": [cast(RulePackInfo, {k: v for k, v in p.to_dict().items() if k != "folder"})
                            for p in result.rule_packs]},
        "summary": summary,
        "warnings": layout_warnings(target, lang),
        "safety_note": {"title": t("safety_title", lang), "body": t("safety_body", lang)},
        "findings": [finding_dict(f, lang) for f in result.findings],
        "startup": build_startup(result.artifacts, lang),
        "checks": [check_info(c, lang) for c in result.checks],
        "limits": t("limits", lang),
        "support": {
            "title": t("support_title", lang),
            "body": t("support_body", lang),
            "resources": [t(k, lang) for k in ("resource_ndvh", "resource_rainn", "resource_sparc",
                                               "resource_steps")],
        },
        "evidence_record": evidence_record(result),
        "inventory": build_inventory(result.artifacts),
    }
    return seal(report, key)
