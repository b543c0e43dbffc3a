"""Runs a scan: target -> collectors -> artifacts -> rule engine -> findings."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from techcheck import __version__
from techcheck.artifacts import Artifact
from techcheck.collectors.base import Collector, Context, HashWanted, Note, Skip, Status, collectors_for
from techcheck.engine import Finding, Matcher, hash_targets, merge_findings, merge_same_product
from techcheck.errors import NotAvailable
from techcheck.i18n import Message, err_detail
from techcheck.packs import PackInfo, packs_of_sources
from techcheck.ruleset import RuleSet
from techcheck.scanrecord import SystemRecord, record_system
from techcheck.target.base import Target
from techcheck.target.identity import ComputerIdentity, read_identity


@dataclass
class CheckResult:
    name: str
    title: str
    status: Status
    reason: str = ""  # English (a failure's detail as Python said it)
    artifact_count: int = 0
    notes: list[Note] = field(default_factory=list)
    seconds: float = 0.0
    reason_msg: Message | None = None  # why it was skipped, as a message (the report's language)


@dataclass
class ScanResult:
    target: Target
    findings: list[Finding]
    checks: list[CheckResult]
    artifacts: list[Artifact]
    rule_count: int
    rule_sources: list[str]
    started: float
    finished: float
    system: SystemRecord  # read from the target during the scan, for the evidence record
    rule_file_sha256: list[str] = field(default_factory=list)  # of the rule bytes that were parsed
    tool_version: str = __version__
    rule_packs: list[PackInfo] = field(default_factory=list)  # generated packs the rules came from
    identity: ComputerIdentity = field(default_factory=ComputerIdentity)


ProgressHook = Callable[[str, int, int], None]


def run_check(collector: type[Collector], target: Target,
              hash_wanted: HashWanted | None = None) -> tuple[CheckResult, list[Artifact]]:
    """Run one collector; its failure is recorded and never stops the scan."""
    ctx = Context(hash_wanted=hash_wanted)
    start = time.monotonic()
    result = CheckResult(collector.name, collector.title, "ok")
    artifacts: list[Artifact] = []
    if collector.live_only and target.mode == "image":
        result.status, result.reason = "skipped", str(collector.live_only_reason)
        result.reason_msg = collector.live_only_reason
        return result, artifacts
    target.take_refused()  # what earlier work met is not this check's
    try:
        # Appended one by one: what a collector yielded before it failed is kept and matched.
        for artifact in collector().collect(target, ctx):
            artifacts.append(artifact)
    except (Skip, NotAvailable) as exc:
        result.status, result.reason = "skipped", str(exc)
        result.reason_msg = err_detail(exc)
    except Exception as exc:  # noqa: BLE001 - one broken collector must never stop the scan
        result.status, result.reason = "failed", f"{type(exc).__name__}: {exc}"
    note_refused_folders(target, ctx)
    result.notes = ctx.finish()
    unreadable = [n for n in ctx.notes if n.unreadable]
    if result.status == "ok" and unreadable:
        result.status = "partial"
        result.reason = f"{len(unreadable)} place(s) could not be read (listed with the notes)"
    result.artifact_count = len(artifacts)
    result.seconds = round(time.monotonic() - start, 3)
    return result, artifacts


def note_refused_folders(target: Target, ctx: Context) -> None:
    """A note for each folder this check looked into but could not open (unless it noted it itself)."""
    noted = {n.path for n in ctx.notes}
    for folder, why in target.take_refused().items():
        shown = target.display_path(folder)
        if shown not in noted:
            ctx.note(shown, Message.of("note.could_not_list", detail=why))


def run_scan(target: Target, ruleset: RuleSet, progress: ProgressHook | None = None) -> ScanResult:
    started = time.time()
    collectors = collectors_for(target.os)
    checks: list[CheckResult] = []
    artifacts: list[Artifact] = []
    rules = [r for r in ruleset.rules if r.applies_to(target.os)]
    hash_wanted = hash_targets(rules)
    for i, collector in enumerate(collectors):
        if progress:
            progress(collector.title, i, len(collectors))
        result, found = run_check(collector, target, hash_wanted)
        checks.append(result)
        artifacts.extend(found)
    identity = read_identity(target)  # the computer's name and zone, while its hives are still open
    target.release()  # hives and other big holdings are not needed for matching
    if progress:
        progress("Comparing with the rules", len(collectors), len(collectors))
    # One problem, one finding: rules that matched the same artifacts become reasons of one finding.
    findings: list[Finding] = merge_findings(merge_same_product(Matcher.build(rules).match(artifacts)))
    system = record_system(target, [a.location.path for f in findings for a in f.artifacts])
    return ScanResult(
        target=target, findings=findings, checks=checks, artifacts=artifacts,
        rule_count=len(rules), rule_sources=list(ruleset.sources),
        started=started, finished=time.time(), system=system,
        rule_file_sha256=[ruleset.source_sha256[s] for s in ruleset.sources],
        rule_packs=packs_of_sources(ruleset.sources),
        identity=identity,
    )
