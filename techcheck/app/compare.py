"""Findings between two visits: new, gone and unchanged, keyed by what was found, not by the rule
that matched, so an answer given at one visit carries over to the next.

A finding's key is its identity: the report's `identity` (the identity of its first artifact, kind
and identifying fields, as `techcheck diff` uses), hashed to a short form-safe key. A rule that is
renamed, or a second rule that now matches the same thing, does not change it; two findings of one
rule about two different things have two keys. Older reports without `identity` get the same value
from their first evidence item; a finding without evidence is known by its rule.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from techcheck.report.inventory import artifact_key
from techcheck.report.schema import FindingInfo, Report

Finding = FindingInfo


def finding_identity(finding: Finding) -> str:
    """What a finding is about: its `identity`, else its first evidence item's, else its rule."""
    identity = finding.get("identity")
    if isinstance(identity, str) and identity:
        return identity
    evidence = [item for item in finding.get("evidence") or [] if isinstance(item, Mapping)]
    return artifact_key(evidence[0]) if evidence else str(finding.get("rule_id", ""))


def _hashed(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def finding_keys(findings: Sequence[Finding]) -> list[str]:
    """The key of each finding of one report, in order. Two findings of one report that name the same
    thing (rare: different rules on artifacts that differ only in state) are told apart by their rule."""
    identities = [finding_identity(f) for f in findings]
    seen: dict[str, int] = {}
    for identity in identities:
        seen[identity] = seen.get(identity, 0) + 1
    return [_hashed(identity if seen[identity] == 1 else f"{identity}\x1e{f.get('rule_id', '')}")
            for identity, f in zip(identities, findings, strict=True)]


def keyed(report: Report) -> dict[str, Finding]:
    """A report's findings by key."""
    findings = [f for f in report.get("findings") or [] if isinstance(f, Mapping)]
    return dict(zip(finding_keys(findings), findings, strict=True))


def legacy_keys(finding: Finding) -> list[str]:
    """The keys earlier case stores gave this finding: the hash of all its evidence identities
    (store version 2), and the bare rule id."""
    keys = sorted(artifact_key(item) for item in finding.get("evidence") or [] if isinstance(item, Mapping))
    if not keys:
        keys = [f"rule\x1f{finding.get('rule_id', '')}"]
    return [_hashed("\x1e".join(keys)), str(finding.get("rule_id", ""))]


@dataclass
class VisitComparison:
    new: list[tuple[str, Finding]] = field(default_factory=list)
    gone: list[tuple[str, Finding]] = field(default_factory=list)
    same: list[tuple[str, Finding]] = field(default_factory=list)  # (key in the newer visit, finding)


def compare_findings(old_report: Report, new_report: Report) -> VisitComparison:
    old, new = keyed(old_report), keyed(new_report)
    out = VisitComparison()
    for key, finding in new.items():
        (out.same if key in old else out.new).append((key, finding))
    out.gone = [(key, f) for key, f in old.items() if key not in new]
    return out
