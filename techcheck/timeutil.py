"""Time stamps as the report shows them: ISO 8601 in UTC, to the second ("2024-05-01T09:30:00+00:00").

Scanned files count time from different starting points (Unix 1970, Windows and Chromium 1601,
Apple "Cocoa" 2001) in different units. Every conversion lives here so all checks agree, and a
nonsense value from a damaged file gives None instead of an error.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal, TypedDict

from techcheck.i18n import Message

UNIX_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
WINDOWS_EPOCH = dt.datetime(1601, 1, 1, tzinfo=dt.timezone.utc)  # FILETIME and Chromium (WebKit) time
COCOA_EPOCH = dt.datetime(2001, 1, 1, tzinfo=dt.timezone.utc)


def iso_utc(when: dt.datetime | float | None) -> str | None:
    """A datetime (naive = UTC) or Unix seconds as ISO 8601 UTC; None for unset, zero or absurd values."""
    if isinstance(when, dt.datetime):
        aware = when if when.tzinfo else when.replace(tzinfo=dt.timezone.utc)
        return aware.astimezone(dt.timezone.utc).isoformat(timespec="seconds")
    return since_epoch(UNIX_EPOCH, when, 1, sane_years=None)


def since_epoch(epoch: dt.datetime, value: object, per_second: int,
                sane_years: tuple[int, int] | None = (1990, 2200)) -> str | None:
    """`value` units (per_second of them in a second) after `epoch`, as ISO 8601 UTC.

    None when the value is not a positive number, overflows, or (with sane_years) falls outside
    those years: a damaged file must not produce a date that looks like evidence.
    """
    if isinstance(value, bool):
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    if not number > 0:  # also rejects NaN
        return None
    try:
        when = epoch + dt.timedelta(seconds=number / per_second)
    except (OverflowError, ValueError):
        return None
    if sane_years is not None and not sane_years[0] <= when.year <= sane_years[1]:
        return None
    if sane_years is not None and implausible(when):
        return None
    return when.isoformat(timespec="seconds")


def unix_time(value: object, per_second: int = 1) -> str | None:
    """Unix time (in seconds, or in 1/per_second units) as ISO 8601; None when unset or absurd."""
    return since_epoch(UNIX_EPOCH, value, per_second)


def webkit_time(value: object) -> str | None:
    """Chromium time (microseconds since 1601-01-01 UTC) as ISO 8601; None when unset or absurd."""
    return since_epoch(WINDOWS_EPOCH, value, 1_000_000)


def filetime_to_datetime(value: int | None) -> dt.datetime | None:
    """A Windows FILETIME (100 ns since 1601-01-01 UTC) as a UTC datetime; None for 0 or nonsense."""
    if not value or value <= 0:
        return None
    try:
        return WINDOWS_EPOCH + dt.timedelta(microseconds=value // 10)
    except OverflowError:
        return None


class SourceIds(TypedDict, total=False):
    """A time source's message in the JSON, beside its English text (`source`)."""

    source_id: str  # time_source.* (or time_source_local / _unknown_zone / _no_zone around another)
    source_params: dict[str, Any]  # when it has parameters: a zone; a wrapped source as {"id", "params"}


def source_ids(source: Message) -> SourceIds:
    """A time source's message for the JSON: its id, and its parameters when it has any."""
    out: SourceIds = {"source_id": source.id}
    if source.params:
        out["source_params"] = source.to_dict()["params"]
    return out


# Where a file's modification time comes from; the one source the timeline ranks last for "first seen".
FILE_MODIFIED = Message.of("time_source.file_modified")
FILE_CREATED = Message.of("time_source.file_created")

TimeKind = Literal["installed", "created", "changed", "last_used", "connected"]
TIME_KINDS: tuple[TimeKind, ...] = ("installed", "created", "changed", "last_used", "connected")
Precision = Literal["second", "day"]


@dataclass(frozen=True)
class Time:
    """A time the scanned system keeps about an artifact, and where it comes from.

    kind: installed / created / changed / last_used / connected. A file modification time is
    "changed", never "installed": copying or editing a file sets it too.
    source: where it comes from, as a message (`time_source.*`, e.g. FILE_MODIFIED; one read in the
    computer's local time is wrapped in `time_source_local` with the zone, target.identity.LocalClock).
    The JSON keeps its English text (`source`) and the message (`source_id`, `source_params`), so a
    reader's words and the timeline's choices come from the id, never from the English.
    precision: "day" when the system keeps only a calendar date (Windows InstallDate, YYYYMMDD):
    `when` is then midnight UTC of that date and the report shows the date alone, never a clock time
    or a shift into another zone.
    """

    when: dt.datetime
    kind: TimeKind
    source: Message
    precision: Precision = "second"

    def __post_init__(self) -> None:
        if not isinstance(self.source, Message):
            raise TypeError("Time.source must be a Message (a time_source.* id), not words")
        if self.when.tzinfo is None:
            raise ValueError("Time.when must be time-zone aware (UTC)")
        if self.kind not in TIME_KINDS:
            raise ValueError(f"unknown time kind {self.kind!r}")
        if self.precision not in ("second", "day"):
            raise ValueError(f"unknown time precision {self.precision!r}")

    @property
    def is_file_change(self) -> bool:
        """A file's modification time (collectors/common/filetimes.py): copying, unpacking or a
        vendor's build sets it too. Decided by the source's id, never by its words."""
        return self.kind == "changed" and self.source.id == FILE_MODIFIED.id

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"time": iso_utc(self.when), "kind": self.kind, "source": str(self.source)}
        if self.precision == "day":  # a calendar date, not an instant
            out = {"time": self.when.date().isoformat(), "kind": self.kind, "source": str(self.source),
                   "precision": "day"}
        return {**out, **source_ids(self.source)}

    @classmethod
    def from_unix(cls, seconds: object, kind: TimeKind, source: Message) -> Time | None:
        """From Unix seconds; None for unset or absurd values (a damaged file must not make evidence)."""
        iso = since_epoch(UNIX_EPOCH, seconds, 1, sane_years=None)
        return time_fact(dt.datetime.fromisoformat(iso), kind, source) if iso else None


# --- the one rule for which times are evidence ------------------------------------------------
# A time before 1995 was not kept by any system in use today: it is a zero or damaged stamp (a zero
# FILETIME is 1601, a zero Unix time 1970, a zero Cocoa time 2001 is caught as "unset" by its
# reader). A time after the scan has not happened yet (the slack: a live computer's files change
# while it is checked). Neither is shown as a fact: collectors leave them out with a note
# (collectors.base.time_noted), and the timeline applies the same rule with the scan's end as "now".
EARLIEST_PLAUSIBLE = dt.datetime(1995, 1, 1, tzinfo=dt.timezone.utc)
FUTURE_SLACK = dt.timedelta(minutes=10)


def implausible(when: dt.datetime, now: dt.datetime | None = None) -> str | None:
    """Why `when` (naive = UTC) cannot be evidence ("before 1995", "in the future"); None when it can."""
    aware = when if when.tzinfo else when.replace(tzinfo=dt.timezone.utc)
    if aware < EARLIEST_PLAUSIBLE:
        return "before 1995"
    if aware > (now or dt.datetime.now(dt.timezone.utc)) + FUTURE_SLACK:
        return "in the future"
    return None


def time_fact(when: dt.datetime | None, kind: TimeKind, source: Message,
              precision: Precision = "second") -> Time | None:
    """A Time in UTC (a naive `when` is UTC), or None when unset or implausible (see `implausible`)."""
    if when is None:
        return None
    aware = when if when.tzinfo else when.replace(tzinfo=dt.timezone.utc)
    if implausible(aware):
        return None
    return Time(aware.astimezone(dt.timezone.utc), kind, source, precision)


def parse_iso(text: str, zone: dt.tzinfo | None = None) -> dt.datetime | None:
    """An ISO 8601 date and time as a UTC datetime; one without an offset is in `zone` (UTC when None).
    None for text that is not one (a damaged file)."""
    try:
        when = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=zone or dt.timezone.utc)
    try:
        return when.astimezone(dt.timezone.utc)
    except (OverflowError, ValueError):
        return None


def local_to_utc(naive: dt.datetime, zone: dt.tzinfo | None) -> dt.datetime | None:
    """A clock time written in the computer's local zone, in UTC (UTC itself when the zone is unknown)."""
    try:
        return naive.replace(tzinfo=zone or dt.timezone.utc).astimezone(dt.timezone.utc)
    except (OverflowError, ValueError):
        return None
