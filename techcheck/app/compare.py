"""Findings between two visits: new, gone and unchanged, keyed by what was found (the artifacts),
not by the rule that matched, so an answer given at one visit carries over to the next."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from techcheck.report.inventory import artifact_key

Finding = Mapping[str, Any]


def finding_key(finding: Finding) -> str:
    """A stable key for a finding: its artifacts' identities (kind and identifying fields)."""
    keys = sorted(artifact_key(item) for item in finding.get("evidence") or [] if isinstance(item, Mapping))
    if not keys:  # a finding without evidence is known only by its rule
        keys = [f"rule\x1f{finding.get('rule_id', '')}"]
    return hashlib.sha256("\x1e".join(keys).encode("utf-8", "surrogatepass")).hexdigest()[:32]


@dataclass
class VisitComparison:
    new: list[Finding] = field(default_factory=list)
    gone: list[Finding] = field(default_factory=list)
    same: list[Finding] = field(default_factory=list)


def compare_findings(old_report: Mapping[str, Any], new_report: Mapping[str, Any]) -> VisitComparison:
    old = {finding_key(f): f for f in old_report.get("findings") or []}
    new = {finding_key(f): f for f in new_report.get("findings") or []}
    out = VisitComparison()
    for key, finding in new.items():
        (out.same if key in old else out.new).append(finding)
    out.gone = [f for key, f in old.items() if key not in new]
    return out
