"""Formatting shared by the text, HTML and diff renderers: wrapping, times, field values, evidence
items and the cut lists of notes. Renderers differ in layout only; what a value reads as is here.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import textwrap
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from techcheck.actions import SAVE_REPORT
from techcheck.i18n import Message, Words, text
from techcheck.kinds import KINDS
from techcheck.report.permissions import can_label
from techcheck.report.safe import safe_text
from techcheck.report.schema import CheckInfo, EvidenceItem, NoteInfo, Report, RulePackInfo, StartupSection
from techcheck.texts import field_label, kind_label, t, value_label
from techcheck.timeutil import TIME_KINDS

WIDTH = 80  # terminal columns when the terminal's width is not known (a pipe, a file)
MIN_WIDTH = 40
_width: contextvars.ContextVar[int] = contextvars.ContextVar("report_width", default=WIDTH)


def width() -> int:
    """The width text is wrapped to now: the terminal's (see rendered_at), else 80."""
    return _width.get()


@contextlib.contextmanager
def rendered_at(columns: int) -> Iterator[None]:
    """Wrap everything rendered inside this block to `columns` (never under MIN_WIDTH)."""
    token = _width.set(max(MIN_WIDTH, columns))
    try:
        yield
    finally:
        _width.reset(token)


@dataclass(frozen=True)
class SaveHint:
    """How this report is saved, for the actions that say to save it (techcheck/actions.py).

    `how` is "run" (the exact `command` that saves this run's report, writing `path`), "saved" (the
    report is the file `path` already) or "app" (the app's Save `button` under `section`, saving to
    the folder `path`).
    """

    command: str = ""
    path: str = ""
    how: str = "run"
    button: str = ""
    section: str = ""

    def sentence(self, lang: str) -> str:
        path = safe_text(self.path, 300)
        if self.how == "saved":
            return t("save_action_saved", lang, path=path)
        if self.how == "app":
            return t("save_action_app", lang, button=self.button, section=self.section, folder=path)
        return t("save_action_run", lang, path=path, command=safe_text(self.command, 1000))


def finding_actions(finding: Mapping[str, Any], lang: str, save: SaveHint | None) -> list[str]:
    """A finding's actions as the reader sees them: a save_report action gets how to save this report
    (`save`; without one, the general way: run the check again with --output)."""
    ids = finding.get("action_ids") or []
    out = []
    for i, action in enumerate(finding.get("actions") or []):
        if i < len(ids) and ids[i] == SAVE_REPORT:
            how = save.sentence(lang) if save is not None else t("save_action_any", lang)
            action = f"{action} {how}"
        out.append(str(action))
    return out



def readable_time(iso_text: str, local_iso: str | None = None, zone: str = "") -> str:
    """An ISO time as people read it: 2026-03-01 14:05 UTC, and with a local time given,
    "2026-03-01 14:05 UTC (15:05 Europe/Madrid)" (the date too when it differs); without a zone
    name, the local time's offset: "(15:05 UTC+01:00)"."""
    try:
        utc = dt.datetime.fromisoformat(iso_text).astimezone(dt.timezone.utc)
    except (TypeError, ValueError):
        return iso_text
    shown = utc.strftime("%Y-%m-%d %H:%M UTC")
    if not local_iso:
        return shown
    try:
        local = dt.datetime.fromisoformat(local_iso)
    except (TypeError, ValueError):
        return shown
    clock = local.strftime("%H:%M") if local.date() == utc.date() else local.strftime("%Y-%m-%d %H:%M")
    if not zone and local.utcoffset() is not None:  # no zone name given: its offset says which local time
        offset = int((local.utcoffset() or dt.timedelta(0)).total_seconds() // 60)
        zone = f"UTC{'+' if offset >= 0 else '-'}{abs(offset) // 60:02d}:{abs(offset) % 60:02d}"
    return f"{shown} ({clock} {safe_text(zone, 60)})" if zone else f"{shown} ({clock})"


def computer_lines(model: Report) -> list[str]:
    """Which computer this is, and which time zone the local times are in."""
    lang = model["language"]
    computer = model.get("computer")
    name = (computer["name"] if computer else "") or model["target"]["hostname"] or t("unknown_value", lang)
    parts = [safe_text(name, 200)]
    if computer and computer["host_name"]:
        parts.append(t("computer_host", lang, name=safe_text(computer["host_name"], 200)))
    if computer and computer["machine_id"]:
        parts.append(t("computer_machine_id", lang, id=safe_text(computer["machine_id"], 80)))
    lines = wrap(t("computer_line", lang, name="; ".join(parts)))
    local = model.get("local_time")
    if local and local["zone"]:
        key = "times_scanned" if local["source"] == "scanned" else "times_checking"
        lines += wrap(t(key, lang, zone=safe_text(local["zone"], 60)))
    return lines


def cell_width(ch: str) -> int:
    """Columns a character takes on a terminal: 2 for wide East Asian characters, 0 for combining marks."""
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def _fit(line: str, indent: str) -> list[str]:
    """Split a wrapped line that is still wider than the screen (wide characters count twice)."""
    out: list[str] = []
    current, used, limit = "", 0, width()
    for ch in line:
        w = cell_width(ch)
        if used + w > limit:
            out.append(current)
            current, used = indent, len(indent)
        current += ch
        used += w
    out.append(current)
    return out


def wrap(text: str, indent: str = "", first: str | None = None) -> list[str]:
    """Text wrapped to the width (the terminal's, else 80 columns); paragraphs (blank lines) are kept."""
    lines: list[str] = []
    for i, para in enumerate(text.split("\n\n")):
        if i:
            lines.append("")
        wrapped = textwrap.wrap(
            para, width(), initial_indent=first if (first is not None and i == 0) else indent,
            subsequent_indent=indent, break_long_words=True, break_on_hyphens=False,
        ) or [indent.rstrip()]
        for line in wrapped:
            lines.extend(_fit(line, indent) if not line.isascii() else [line])
    return lines


def wrap_paragraphs(text: str, indent: str = "", first: str | None = None) -> str:
    """Text wrapped to the report's width, as one string (for messages on the terminal)."""
    return "\n".join(wrap(text, indent, first))


def field_value(value: Any, lang: str, name: str = "", limit: int = 300, list_limit: int | None = None,
                local: str | None = None) -> str:
    """One field's value as a reader sees it: a label for known values, yes/no, lists joined, capped;
    a time with its local time beside it (`local`: the same time in the scanned computer's zone).

    Each list item is cut at 200 characters; `list_limit` also cuts the joined list.
    """
    if local and isinstance(value, str):
        return readable_time(value, local)
    label = value_label(name, value, lang)
    if label:
        return label
    if isinstance(value, bool):
        return t("yes", lang) if value else t("no", lang)
    if isinstance(value, (list, tuple)):
        sep = "; " if any(_is_time(v) for v in value) else ", "
        joined = sep.join(safe_text(_time_words(v, lang) if _is_time(v) else value_label(name, v, lang) or v, 200)
                          for v in value)
        return safe_text(joined, list_limit) if list_limit else joined
    return safe_text(value, limit)


def _is_time(item: Any) -> bool:
    """A time the system keeps about an artifact, as the JSON holds it (timeutil.Time.to_dict)."""
    return isinstance(item, Mapping) and isinstance(item.get("time"), str) and item.get("kind") in TIME_KINDS


def _time_words(item: Mapping[str, Any], lang: str) -> str:
    """A time in the reader's words: "last changed 2026-03-03 21:14 UTC (file modification time)";
    its source from its message when the report has one, else the English the report keeps."""
    message = Message.from_dict({"id": item.get("source_id"), "params": item.get("source_params") or {}})
    source = message.text(lang) if message is not None and item.get("source_id") else str(item.get("source", ""))
    return t("evidence_time", lang, kind=t(f"timeline_kind_{item['kind']}", lang),
             when=readable_time(item["time"]), source=safe_text(source, 200))


def present_fields(fields: Mapping[str, Any]) -> list[str]:
    """Field names with a value, in their order: empty fields say nothing to a reader (the JSON keeps them)."""
    return [n for n in fields if fields[n] not in ("", None, [])]


def shown_fields(item: EvidenceItem) -> list[tuple[str, Any]]:
    """An evidence item's fields with a value: the ones that best describe its kind first, then the rest."""
    fields = item.get("fields", {})
    present = present_fields(fields)
    first = [n for n in kind_summary(str(item.get("kind"))) if n in present]
    return [(n, fields[n]) for n in first + [n for n in present if n not in first]]


def summary_fields(item: EvidenceItem) -> list[str]:
    """The few fields that say what an evidence item is (its kind's summary fields; when it has none
    of them, or its kind is unknown to this version, five present ones)."""
    present = present_fields(item["fields"])
    return [n for n in kind_summary(item["kind"]) if n in present] or sorted(present)[:5]


def kind_summary(kind: str) -> tuple[str, ...]:
    """The fields that best describe a kind (KINDS[kind].summary); none for a kind this version does not know."""
    spec = KINDS.get(kind)
    return spec.summary if spec else ()


def evidence_lines(item: EvidenceItem, lang: str = "en") -> list[str]:
    """One evidence item as indented text lines: its kind, its summary fields, what it can do, where."""
    fields = item["fields"]
    local = item.get("local_times") or {}
    parts = [f"{field_label(n, lang)}: {field_value(fields[n], lang, n, local=local.get(n))}"
             for n in summary_fields(item)]
    loc = item.get("location", {})
    where = loc.get("path") or loc.get("registry_key") or (
        f"{field_label('pid', lang)} {loc['pid']}" if "pid" in loc else "")
    lines = wrap(kind_label(item["kind"], lang), indent="        ", first="      - ")
    lines += wrap("; ".join(parts), indent="        ", first="        ")
    if item.get("can"):
        lines += wrap(f"{can_label(lang)}: " + "; ".join(item.get("can", [])), indent="        ",
                      first="        ")
    if where:
        lines += wrap(f"{t('found_at', lang)}: {safe_text(where, 500)}", indent="        ", first="        ")
    return lines


def origin_counts_line(section: StartupSection, lang: str) -> str:
    """The "What starts by itself" counts: how many entries, and how many of each origin."""
    parts = [f"{value_label('origin', o, lang) or t('startup_origin_unchecked', lang)}: {n}"
             for o, n in section["by_origin"].items()]
    return t("startup_counts", lang, n=section["count"], origins="; ".join(parts) or "-")


def pack_line(pack: RulePackInfo, lang: str) -> str:
    """One rule pack the scan used: its name, source, version and date (scanned-side text is never in it)."""
    version = pack.get("commit", "")[:12] or "-"
    return t("rule_pack_line", lang, name=safe_text(pack.get("name", "")), source=safe_text(pack.get("source", "")),
             version=safe_text(version), date=safe_text(pack.get("date", "") or "-"))


R = TypeVar("R", bound=Mapping[str, Any])


def revive_words(report: R) -> R:
    """In a report read from JSON, turn the fields that were fixed words back into i18n.Words (from each
    evidence item's `words`), so they are shown in the report's language like those of a fresh scan."""
    for finding in cast(dict[str, Any], report).get("findings", []):
        for item in finding.get("evidence", []):
            for name, parts in item.get("words", {}).items():
                value = item["fields"].get(name)
                words = Words.from_json(parts, value) if isinstance(value, str) else None
                if words is not None:
                    item["fields"][name] = words
    return report


def note_text(note: NoteInfo, lang: str) -> str:
    """A note in the report's language, from its message; its English text when it has none (an
    older report) or one this version does not know."""
    message = Message.from_dict(note) if "id" in note else None
    if message is not None:
        try:
            return text(message, lang)
        except (KeyError, IndexError, ValueError):
            pass
    return note["message"]


@dataclass(frozen=True)
class NoteGroup:
    """The notes of one check as shown: the first few (translated), and how many more the JSON has."""

    title: str
    count: int
    notes: list[tuple[str, str]]  # path, message
    more: int


def note_groups(checks: Sequence[CheckInfo], lang: str, per_check: int, total: int) -> list[NoteGroup]:
    """Notes under their check: at most `per_check` each and `total` in all, so one check with
    hundreds of unreadable files does not drown the rest."""
    groups: list[NoteGroup] = []
    shown = 0
    for c in checks:
        if not c["notes"]:
            continue
        room = max(0, min(per_check, total - shown))
        notes = [(n["path"], note_text(n, lang)) for n in c["notes"][:room]]
        shown += len(notes)
        groups.append(NoteGroup(c["title"], len(c["notes"]), notes, len(c["notes"]) - len(notes)))
    return groups
