"""The timeline: the times the scanned computer keeps about the findings, in order, in plain words.

A pure function of the scan result (JSON key `timeline`, with `timeline_info` beside it). Each
entry is one time of one artifact of one finding: {time, kind, finding (its identity and rule ids),
artifact, source}, plus its local time in the scanned computer's zone and the sentence people read
("3 March 2026, 21:14 (UTC+01:00) — AnyDesk was installed").

Where times come from: each artifact's `times` field (timeutil.Time: installed / created / changed /
last_used / connected, with its source), and the typed time fields some kinds carry (FIELD_TIMES,
from kinds.FieldSpec.timeline: an app's install date, a permission's last use ...). A time before
1995, later than the scan, or not readable is left out with a note: a damaged or planted value must
never read as a fact. A zero FILETIME never becomes a time at all (timeutil.filetime_to_datetime),
and 1601 is before 1995.

Times without a zone (a connection log that writes the computer's clock as it is) are read as the
scanned computer's local time, and their source says so. Dates without a clock (Windows InstallDate)
are shown as the date alone, never shifted into another zone.

`--since` (parse_since / Since.resolve): a date, or a date and time, in the scanned computer's local
time unless it carries a zone (Z or +01:00); a finding or start-up entry is marked when any of its
times is on or after it. Things without a known time cannot be judged and are counted as such.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from techcheck.artifacts import Artifact
from techcheck.engine import Finding
from techcheck.i18n import Message, as_message
from techcheck.kinds import KINDS, TimelineTime
from techcheck.report.inventory import artifact_key
from techcheck.report.safe import safe_text
from techcheck.report.schema import (
    FirstSeen,
    LeftOutTime,
    SinceInfo,
    TimelineEntry,
    TimelineInfo,
)
from techcheck.report.timewords import (
    artifact_name,
    date_text,
    event_text,
    local_datetime,
    local_iso,
    utc_iso,
    when_text,
)
from techcheck.target.identity import ComputerIdentity
from techcheck.texts import t
from techcheck.timeutil import EARLIEST_PLAUSIBLE, FUTURE_SLACK, Time, TimeKind, source_ids
from techcheck.timeutil import implausible as implausible_time

UTC = dt.timezone.utc
EARLIEST = EARLIEST_PLAUSIBLE  # the one rule (timeutil.implausible), applied again with the scan's end as "now"
# A live computer's files change while it is being checked: a time a few minutes after the end of
# the scan is still "now", not the future.
CLOCK_SLACK = FUTURE_SLACK
MAX_ENTRIES = 5_000  # the JSON keeps them all up to this; a finding rarely has more than a few

# Typed time fields, as times: (kind, field) -> (kind of time, where it comes from). Data, not
# verdicts: each time field says it in techcheck/kinds.py (FieldSpec.timeline).
FIELD_TIMES: dict[tuple[str, str], tuple[TimeKind, Message]] = {
    (kind, name): (fs.timeline.kind, fs.timeline.source)
    for kind, spec in KINDS.items() for name, fs in spec.fields.items() if isinstance(fs.timeline, TimelineTime)}
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


# --- which times an artifact has ---------------------------------------------------------------

@dataclass(frozen=True)
class Problem:
    """A time left out: its value as recorded, and why (early / future / bad)."""

    value: str
    kind: str
    source: Message
    reason: str


def artifact_times(art: Artifact, zone: dt.tzinfo | None) -> tuple[list[Time], list[Problem]]:
    """Every time an artifact carries (its `times` and typed time fields), duplicates dropped;
    values that are not times are returned as problems."""
    collected = [tm for tm in (art.get("times") or []) if isinstance(tm, Time)]
    times = list(collected)
    problems: list[Problem] = []
    for (kind, name), (time_kind, source) in FIELD_TIMES.items():
        value = art.get(name) if art.kind == kind else None
        if not isinstance(value, str) or not value:
            continue
        if any(tm.kind == time_kind for tm in collected):
            continue  # the collector's own typed time of this kind says more (its source, its zone)
        parsed = field_time(value, time_kind, source, zone)
        if parsed is None:
            problems.append(Problem(value, time_kind, source, "bad"))
        elif not any(_same(parsed, tm) for tm in times):
            times.append(parsed)
    return times, problems


def _same(a: Time, b: Time) -> bool:
    if a.kind != b.kind:
        return False
    if "day" in (a.precision, b.precision):
        return a.when.date() == b.when.date()
    return abs(a.when - b.when) < dt.timedelta(seconds=1)


def field_time(value: str, kind: TimeKind, source: Message, zone: dt.tzinfo | None) -> Time | None:
    """A time field's ISO 8601 text as a Time: a bare date is a calendar date; a time without a
    zone is the computer's local time (and its source says so); None when it is not a time."""
    text = value.strip()
    try:
        if _DATE.fullmatch(text):
            day = dt.date.fromisoformat(text)
            return Time(dt.datetime(day.year, day.month, day.day, tzinfo=UTC), kind, source, precision="day")
        when = dt.datetime.fromisoformat(text)
        if when.tzinfo is None:
            when = when.replace(tzinfo=zone or UTC)
            source = Message.of("time_source_no_zone", source=source)
        return Time(when.astimezone(UTC), kind, source)
    except (ValueError, OverflowError):
        return None


def implausible(tm: Time, finished: dt.datetime, zone: dt.tzinfo | None) -> str | None:
    """Why a time cannot be right ("early": before 1995; "future": later than the scan), else None."""
    if tm.when < EARLIEST:
        return "early"
    if tm.precision == "day":
        return "future" if tm.when.date() > finished.astimezone(zone or UTC).date() else None
    return "future" if implausible_time(tm.when, finished) else None


def sort_key(tm: Time, zone: dt.tzinfo | None) -> dt.datetime:
    """Where a time goes in the order: a calendar date at the start of that day, in the computer's zone."""
    if tm.precision == "day":
        day = tm.when.date()
        try:
            return dt.datetime(day.year, day.month, day.day, tzinfo=zone or UTC).astimezone(UTC)
        except (OverflowError, ValueError):
            return tm.when
    return tm.when


def good_times(art: Artifact, finished: dt.datetime, zone: dt.tzinfo | None) -> list[Time]:
    """The plausible times of an artifact (for --since on start-up entries)."""
    return [tm for tm in artifact_times(art, zone)[0] if implausible(tm, finished, zone) is None]


# --- the timeline -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Since:
    """A --since value: `when` is naive (the scanned computer's local time) unless a zone was given."""

    text: str
    when: dt.datetime
    date_only: bool

    def resolve(self, zone: dt.tzinfo | None) -> dt.datetime:
        """The moment, in UTC: a date or time without a zone is read in the scanned computer's zone."""
        when = self.when if self.when.tzinfo else self.when.replace(tzinfo=zone or UTC)
        return when.astimezone(UTC)


def parse_since(text: str) -> Since:
    """2026-03-01, 2026-03-01T21:00, 2026-03-01 21:00:30, with an optional Z or +01:00.
    Raises ValueError for anything else (the CLI says how to write it and exits 2)."""
    value = text.strip()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2})?(Z|[+-]\d{2}:?\d{2})?)?", value):
        raise ValueError(text)
    when = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))  # ValueError for 2026-02-30
    return Since(text, when, date_only=len(value) == 10)


@dataclass
class Timeline:
    """What build_timeline gives the report model."""

    entries: list[TimelineEntry] = field(default_factory=list)
    info: TimelineInfo | None = None
    first_seen: dict[int, FirstSeen] = field(default_factory=dict)  # by finding index
    marked: dict[int, bool] = field(default_factory=dict)  # by finding index, when --since was given
    since: SinceInfo | None = None


def finding_identity(f: Finding) -> str:
    """What a finding is about, whatever rule names it: its (first) artifact. diff keys on it too."""
    return artifact_key(f.artifacts[0].to_dict()) if f.artifacts else f.rule.id


def finding_artifacts(f: Finding) -> list[Artifact]:
    """The lead rule's artifacts, then any other rule's that are not among them."""
    seen: list[Artifact] = []
    for _rule, arts in f.matched:
        seen.extend(a for a in arts if not any(a is s for s in seen))
    return seen


def build_timeline(findings: Sequence[Finding], identity: ComputerIdentity, finished: float, lang: str,
                   since: Since | None = None) -> Timeline:
    """The findings' plausible times in order, the times left out, each finding's first time and,
    with --since, which findings have a time on or after it."""
    zone = identity.zone
    end = dt.datetime.fromtimestamp(finished, UTC)
    since_at = since.resolve(zone) if since else None
    out = Timeline()
    rows: list[tuple[dt.datetime, int, TimelineEntry]] = []
    left_out: list[LeftOutTime] = []
    undated: list[str] = []
    for index, f in enumerate(findings):
        title = f.rule.text(lang).title
        good = _plausible_times(f, zone, end, lang, left_out)
        if not good:
            undated.append(title)
            continue
        for tm, art in good:
            entry = _entry(f, tm, art, zone, lang)
            if since_at is not None:
                entry["after_since"] = on_or_after(tm, since_at, zone)
            rows.append((sort_key(tm, zone), index, entry))
        out.first_seen[index] = _first_seen(first_time([tm for tm, _ in good], zone), zone, lang)
        if since_at is not None:
            out.marked[index] = any(on_or_after(tm, since_at, zone) for tm, _ in good)
    rows.sort(key=lambda r: (r[0], r[1], r[2]["kind"], r[2]["artifact"]["identity"]))
    out.entries = [entry for _, _, entry in rows[:MAX_ENTRIES]]
    out.info = {"zone": identity.time_zone, "zone_source": identity.time_zone_source, "count": len(rows),
                "included": len(out.entries), "left_out": left_out, "undated": undated,
                "zone_label": zone_label(identity)}
    return out


def zone_label(identity: ComputerIdentity) -> str:
    """The zone's name as the computer gives it, with the tz database name when that differs
    (a Windows name such as "Eastern Standard Time" says nothing of summer time)."""
    key = str(getattr(identity.zone, "key", "") or "")
    name = identity.time_zone
    return f"{name} ({key})" if key and name and key != name else (name or key)


def _plausible_times(f: Finding, zone: dt.tzinfo | None, end: dt.datetime, lang: str,
                     left_out: list[LeftOutTime]) -> list[tuple[Time, Artifact]]:
    """A finding's plausible times with their artifacts; the others go to `left_out`, with why."""
    key = finding_identity(f)
    title = f.rule.text(lang).title
    good: list[tuple[Time, Artifact]] = []
    for art in finding_artifacts(f):
        times, problems = artifact_times(art, zone)
        for tm in times:
            reason = implausible(tm, end, zone)
            if reason is None:
                good.append((tm, art))
            else:
                problems.append(Problem(utc_iso(tm), tm.kind, tm.source, reason))
        for p in problems:
            left_out.append({"finding": {"identity": key, "rule_ids": f.rule_ids}, "artifact": artifact_key(
                art.to_dict()), "value": p.value, "kind": p.kind, "source": str(p.source), **source_ids(p.source),
                "reason": p.reason,
                "text": t("timeline_left_out_item", lang, title=title, value=safe_text(p.value, 60),
                          reason=t(f"timeline_reason_{p.reason}", lang))})
    return good


def _entry(f: Finding, tm: Time, art: Artifact, zone: dt.tzinfo | None, lang: str) -> TimelineEntry:
    title = f.rule.text(lang).title
    entry: TimelineEntry = {
        "time": utc_iso(tm), "kind": tm.kind,
        "finding": {"identity": finding_identity(f), "rule_ids": list(f.rule_ids)},
        "artifact": {"kind": art.kind, "identity": artifact_key(art.to_dict()),
                     "name": safe_text(artifact_name(art), 300)},
        "source": str(tm.source), "source_id": tm.source.id,
        "precision": tm.precision,
        "local": local_iso(tm, zone),
        "when": when_text(tm, zone, lang),
        "text": event_text(art, tm.kind, lang, title),
        "detail": t("timeline_detail", lang, severity=t(f"severity_{f.rule.severity}", lang), title=title,
                    kind=t(f"timeline_kind_{tm.kind}", lang), source=tm.source.text(lang)),
        "severity": f.rule.severity,
        "title": title,
    }
    if tm.source.params:
        entry["source_params"] = source_ids(tm.source)["source_params"]
    return entry


def is_file_change(tm: Time) -> bool:
    """A file's modification time (Time.is_file_change: by the source's id, never its words)."""
    return tm.is_file_change


def first_time(times: Sequence[Time], zone: dt.tzinfo | None) -> Time:
    """A finding's first known time: its earliest install, creation, connection or use; failing
    those, its earliest other change (a registry key's last write); a file's modification time only
    when it has nothing else (a packaged file keeps the vendor's build time, from before it came here)."""
    def rank(tm: Time) -> tuple[int, dt.datetime]:
        return (2 if is_file_change(tm) else 1 if tm.kind == "changed" else 0), sort_key(tm, zone)
    return min(times, key=rank)


def _first_seen(first: Time, zone: dt.tzinfo | None, lang: str) -> FirstSeen:
    key = "first_seen_file_changed" if is_file_change(first) else "first_seen"
    return {
        "time": utc_iso(first), "local": local_iso(first, zone), "kind": first.kind,
        "source": str(first.source), **source_ids(first.source), "precision": first.precision,
        "text": t(key, lang, when=when_text(first, zone, lang), kind=t(f"timeline_kind_{first.kind}", lang),
                  source=first.source.text(lang)),
    }


def on_or_after(tm: Time, since_at: dt.datetime, zone: dt.tzinfo | None) -> bool:
    """A time on or after the --since moment (a calendar date counts when its day has not ended by then)."""
    if tm.precision == "day":
        return sort_key(tm, zone) + dt.timedelta(days=1) > since_at
    return tm.when >= since_at


def since_info(since: Since, identity: ComputerIdentity, lang: str, marked_findings: int, total_findings: int,
               undated_findings: int, marked_startup: int, undated_startup: int) -> SinceInfo:
    """The line at the top of a --since report: what is marked, and what cannot be judged."""
    at = since.resolve(identity.zone)
    moment = Time(at, "changed", as_message("--since"))
    shown = (date_text(local_datetime(at, identity.zone).date(), lang) if since.date_only and not since.when.tzinfo
             else when_text(moment, identity.zone, lang))
    mark = t("since_mark", lang, date=shown)
    return {
        "given": since.text, "time": at.isoformat(timespec="seconds"),
        "local": local_datetime(at, identity.zone).isoformat(timespec="seconds"),
        "findings": marked_findings, "startup": marked_startup, "undated_findings": undated_findings,
        "undated_startup": undated_startup, "mark": mark,
        "line": t("since_line", lang, mark=mark, when=when_text(moment, identity.zone, lang),
                  findings=marked_findings, total=total_findings, startup=marked_startup,
                  undated_findings=undated_findings, undated_startup=undated_startup),
    }


def startup_marks(artifacts: Iterable[Artifact], since_at: dt.datetime, finished: float,
                  zone: dt.tzinfo | None) -> dict[int, bool | None]:
    """For --since: each artifact (by id()) -> True/False when it has plausible times, None when none."""
    end = dt.datetime.fromtimestamp(finished, UTC)
    marks: dict[int, bool | None] = {}
    for art in artifacts:
        times = good_times(art, end, zone)
        marks[id(art)] = any(on_or_after(tm, since_at, zone) for tm in times) if times else None
    return marks
