"""The shape of a report: typed dictionaries for the JSON report model (schema techcheck.report/1).

`build_report` makes a `Report`; the text, HTML and diff renderers read one; `load_report` checks a
saved file against these types (report/loader.py). They are TypedDicts, not classes, because the
report *is* JSON: the evidence digest covers exactly these dictionaries. To add a section, add its
key here (total=False when older reports lack it) and fill it in report/model.py.
"""

from __future__ import annotations

from typing import Any, Literal, TypedDict

SCHEMA = "techcheck.report/1"
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


class FindingInfo(_FindingBase, total=False):
    rule_ids: list[str]  # every rule that matched (the lead first); reports before merging: none
    also: list[AlsoMatched]
    identity: str  # what the finding is about: its first artifact's identity (diff keys on it)


class NoteInfo(TypedDict):
    path: str
    message: str


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
