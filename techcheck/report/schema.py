"""The shape of a report: typed dictionaries for the JSON report model (schema techcheck.report/2).

`build_report` makes a `Report`; the text, HTML and diff renderers read one; `load_report` checks a
saved file against these types (report/loader.py). They are TypedDicts, not classes, because the
report *is* JSON: the evidence digest covers exactly these dictionaries. To add a section, add its
key here (total=False when older reports lack it) and fill it in report/model.py.
"""

from __future__ import annotations

from typing import Any, Literal, TypedDict

from techcheck.timeutil import SourceIds

SCHEMA = "techcheck.report/2"  # 2: the timeline, first-seen times, --since marks (1 still loads)
SEVERITIES: tuple[Literal["alert", "review", "info"], ...] = ("alert", "review", "info")
Severity = Literal["alert", "review", "info"]


class ToolInfo(TypedDict):
    name: str
    version: str


class TargetInfo(TypedDict):
    mode: str
    os: str
    root: str | None
    hostname: str


class RulePackInfo(TypedDict, total=False):
    """A generated rule pack the rules came from (techcheck/packs.py); empty values are left out."""

    name: str
    feed: str
    source: str
    commit: str
    date: str
    license: str
    notice: str


class _RulesBase(TypedDict):
    count: int
    sources: list[str]


class RulesInfo(_RulesBase, total=False):
    packs: list[RulePackInfo]  # reports before rule packs have none


class Summary(TypedDict):
    alert: int
    review: int
    info: int


class TitledText(TypedDict):
    title: str
    body: str


class LocationInfo(TypedDict, total=False):
    path: str
    registry_key: str
    pid: int


class _EvidenceBase(TypedDict):
    kind: str
    fields: dict[str, Any]


class EvidenceItem(_EvidenceBase, total=False):
    location: LocationInfo  # left out of inventory items found nowhere in particular
    can: list[str]  # browser extensions: what their permissions let them do, in plain words
    masked: list[str]  # fields whose likely secrets were replaced by **** (techcheck/masking.py)
    local_times: dict[str, str]  # each time field in the scanned computer's zone (ISO 8601 with offset)
    words: dict[str, list[dict[str, Any]]]  # fields that are fixed words (i18n.Words): their messages


class AlsoMatched(TypedDict):
    """Another rule that matched this finding's artifacts: a reason, not another alarm."""

    rule_id: str
    severity: str
    title: str
    evidence: list[str]  # artifact identities (report/inventory.artifact_key) it matched


class _FindingBase(TypedDict):
    rule_id: str
    severity: Severity
    severity_label: str
    category: str
    title: str
    what: str
    why: str
    actions: list[str]
    normal: str
    references: list[str]
    evidence: list[EvidenceItem]


class FirstSeen(SourceIds):
    """A finding's earliest known time (report/timeline.py). Since schema 1 (still): source_id and
    source_params (timeutil.SourceIds); a report written before them has `source` alone."""

    time: str  # ISO 8601 UTC; a calendar date alone (2026-03-03) when precision is "day"
    local: str  # the same in the scanned computer's zone, with its offset
    kind: str  # installed | created | changed | last_used | connected
    source: str
    precision: str  # second | day
    text: str  # "First seen on this computer: ..."


class FindingInfo(_FindingBase, total=False):
    rule_ids: list[str]  # every rule that matched (the lead first); reports before merging: none
    also: list[AlsoMatched]
    identity: str  # what the finding is about: its first artifact's identity (diff keys on it)
    first_seen: FirstSeen  # its earliest plausible time; none when the computer keeps no time for it
    after_since: bool  # --since: it has a time on or after that moment (absent: no --since, or no time)
    action_ids: list[str]  # one per action: "" or "save_report" (the renderers add how to save the report)


class _NoteBase(TypedDict):
    path: str
    message: str  # English


class NoteInfo(_NoteBase, total=False):
    """A note; `id` and `params` (the message, techcheck/i18n.py) since the catalogs: older reports have none."""

    id: str
    params: dict[str, Any]


class _CheckBase(TypedDict):
    name: str
    title: str
    status: str  # ok | partial | skipped | failed
    reason: str
    artifact_count: int
    notes: list[NoteInfo]


class CheckInfo(_CheckBase, total=False):
    unreadable: list[NoteInfo]  # partial: the places it could not read


class ComputerInfo(TypedDict):
    name: str
    host_name: str
    machine_id: str
    time_zone: str
    time_zone_source: str  # scanned | checking (the scanned computer's zone was not known)


class LocalTime(TypedDict):
    zone: str
    source: str
    started: str | None
    finished: str | None


class AccessInfo(TypedDict):
    administrator: bool
    partial_checks: list[str]
    advice: list[str]


class Support(TypedDict):
    title: str
    body: str
    resources: list[str]


class RulesFingerprint(TypedDict):
    loaded: int
    files: int
    sha256: str


class SystemInfo(TypedDict):
    os: str
    release: str


class _FileHashBase(TypedDict):
    path: str
    status: str


class FileHashInfo(_FileHashBase, total=False):
    sha256: str
    size: int
    reason: str


class _EvidenceRecordBase(TypedDict):
    created: str
    tool_version: str
    rules: RulesFingerprint
    system: SystemInfo
    hostname: str
    run_by: str
    mode: str
    root: str | None
    flagged_files: list[FileHashInfo]


class EvidenceRecord(_EvidenceRecordBase, total=False):
    computer: ComputerInfo  # the computer's names and time zone (see report/model.py)
    masking: str  # what masking of secrets was applied; reports before it have none


class KindCount(TypedDict):
    count: int
    included: int


class Inventory(TypedDict):
    kinds: dict[str, KindCount]
    items: list[EvidenceItem]


class StartupPlace(TypedDict):
    place: str
    label: str
    entries: list[dict[str, Any]]  # name, command, origin, origin_label, where ... (report/startup.py)


class StartupSection(TypedDict):
    """What starts by itself on this computer (report/startup.py)."""

    title: str
    intro: str
    how_to_tell: str
    count: int
    included: int
    by_origin: dict[str, int]
    places: list[StartupPlace]


class TimelineFinding(TypedDict):
    identity: str  # the finding's identity (FindingInfo.identity)
    rule_ids: list[str]


class TimelineArtifact(TypedDict):
    kind: str
    identity: str  # report/inventory.artifact_key
    name: str


class _TimelineEntryBase(SourceIds):
    time: str  # ISO 8601 UTC; a calendar date alone when precision is "day"
    kind: str  # installed | created | changed | last_used | connected
    finding: TimelineFinding
    artifact: TimelineArtifact
    source: str  # where the time comes from, as the collector says it


class TimelineEntry(_TimelineEntryBase, total=False):
    precision: str  # second | day
    local: str  # in the scanned computer's zone, with its offset
    when: str  # as people read it: "3 March 2026, 21:14 (UTC+01:00)"
    text: str  # what happened: "AnyDesk was installed"
    detail: str  # for advocates: the finding, the kind of time and its source, in words
    severity: str
    title: str
    after_since: bool  # --since: on or after that moment


class LeftOutTime(SourceIds):
    """A time not put on the timeline: before 1995, later than the scan, or not a time."""

    finding: TimelineFinding
    artifact: str
    value: str
    kind: str
    source: str
    reason: str  # early | future | bad
    text: str


class _TimelineInfoBase(TypedDict):
    zone: str
    zone_source: str  # scanned | checking
    count: int
    included: int
    left_out: list[LeftOutTime]
    undated: list[str]  # titles of findings with no known time


class TimelineInfo(_TimelineInfoBase, total=False):
    zone_label: str  # the zone as shown: "Eastern Standard Time (America/New_York)"


class SinceInfo(TypedDict):
    """`scan --since`: the moment, and how many findings and start-up entries are marked."""

    given: str
    time: str  # ISO 8601 UTC
    local: str
    mark: str  # the label beside marked things: "on or after 1 March 2026"
    line: str  # the line at the top of the report
    findings: int
    startup: int
    undated_findings: int
    undated_startup: int


class Digest(TypedDict):
    algorithm: str
    value: str


class _ReportBase(TypedDict):
    schema: str
    language: str
    tool: ToolInfo
    target: TargetInfo
    started: str
    finished: str
    rules: RulesInfo
    summary: Summary
    warnings: list[str]  # the disk copy's folder is not what --root/--os say; older reports: none
    safety_note: TitledText
    findings: list[FindingInfo]
    checks: list[CheckInfo]
    limits: str
    support: Support
    evidence_record: EvidenceRecord  # the first reports had none: load_report fills an empty one
    inventory: Inventory  # likewise


class Report(_ReportBase, total=False):
    digest: Digest  # added by evidence.seal; the first reports had none
    startup: StartupSection  # what starts by itself; reports before it have none
    computer: ComputerInfo  # which computer, read from its own files; older reports: none
    local_time: LocalTime  # the zone local times are shown in
    access: AccessInfo  # partly done checks, and how to let the check read every place
    timeline: list[TimelineEntry]  # the findings' times in order (schema 2; older reports: none)
    timeline_info: TimelineInfo
    since: SinceInfo  # only with scan --since
