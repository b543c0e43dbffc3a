"""The report model: one versioned, JSON-ready structure that every output format renders.

This is the evidence record (the JSON report) and the input of the text and HTML reports.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from techcheck.artifacts import Artifact
from techcheck.engine import Finding
from techcheck.report.permissions import describe_permissions
from techcheck.scan import ScanResult
from techcheck.texts import t

SCHEMA = "techcheck.report/1"
SEVERITIES = ("alert", "review", "info")


def iso(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, tz=dt.timezone.utc).isoformat(timespec="seconds")


def evidence_dict(art: Artifact, lang: str) -> dict[str, Any]:
    out = art.to_dict()
    if art.kind == "browser_extension":
        can = describe_permissions(art.get("permissions") or [], bool(art.get("all_sites")), lang)
        if can:
            out["can"] = can  # what its permissions let it see or do, in plain words
    return out


def finding_dict(f: Finding, lang: str) -> dict[str, Any]:
    text = f.rule.text(lang)
    return {
        "rule_id": f.rule.id,
        "severity": f.rule.severity,
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


def build_report(result: ScanResult, lang: str = "en") -> dict[str, Any]:
    target = result.target
    summary = {s: sum(1 for f in result.findings if f.severity == s) for s in SEVERITIES}
    return {
        "schema": SCHEMA,
        "language": lang,
        "tool": {"name": "techcheck", "version": result.tool_version},
        "target": {
            "mode": target.mode,
            "os": target.os,
            "root": target.root,
            "hostname": target.hostname(),
        },
        "started": iso(result.started),
        "finished": iso(result.finished),
        "rules": {"count": result.rule_count, "sources": result.rule_sources},
        "summary": summary,
        "safety_note": {"title": t("safety_title", lang), "body": t("safety_body", lang)},
        "findings": [finding_dict(f, lang) for f in result.findings],
        "checks": [
            {
                "name": c.name,
                "title": c.title,
                "status": c.status,
                "reason": c.reason,
                "artifact_count": c.artifact_count,
                "notes": [{"path": n.path, "message": n.message} for n in c.notes],
            }
            for c in result.checks
        ],
        "limits": t("limits", lang),
        "support": {
            "title": t("support_title", lang),
            "body": t("support_body", lang),
            "resources": [t(k, lang) for k in ("resource_ndvh", "resource_rainn", "resource_sparc",
                                               "resource_steps")],
        },
    }
