"""How the timeline's times and events read: dates and clocks in the scanned computer's zone with
the UTC offset, and what happened in plain words ("AnyDesk was installed", "se instaló AnyDesk").
Pure functions of a time, an artifact and a language (report/timeline.py builds the entries)."""

from __future__ import annotations

import datetime as dt
import re
from functools import cache

from babel.core import Locale, UnknownLocaleError
from babel.dates import format_date

from techcheck.artifacts import Artifact
from techcheck.kinds import KINDS
from techcheck.report.safe import safe_text
from techcheck.texts import kind_label, t, value_label
from techcheck.timeutil import Time

UTC = dt.timezone.utc


def offset_text(local: dt.datetime) -> str:
    """UTC+01:00, UTC-05:00, UTC+05:30; UTC for no offset."""
    offset = local.utcoffset() or dt.timedelta(0)
    if not offset:
        return "UTC"
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def date_text(day: dt.date, lang: str) -> str:
    """3 March 2026 / 3 de marzo de 2026. A language whose code Babel does not know (a new catalog for a
    language the Unicode CLDR lacks, or a made-up code) gets the English pattern and month names."""
    if not babel_knows(lang):
        lang = "en"
    try:
        return str(format_date(day, t("timeline_date_pattern", lang), locale=lang))
    except (ValueError, LookupError, UnknownLocaleError):
        return day.isoformat()


@cache
def babel_knows(lang: str) -> bool:
    """Whether Babel has month names and date forms for this language code."""
    try:
        Locale.parse(lang)
    except (ValueError, TypeError, UnknownLocaleError):
        return False
    return True


def when_text(tm: Time, zone: dt.tzinfo | None, lang: str) -> str:
    """A time as people read it, in the computer's zone with the offset: "3 March 2026, 21:14 (UTC+01:00)";
    a calendar date alone: "3 March 2026"."""
    if tm.precision == "day":
        return date_text(tm.when.date(), lang)
    local = local_datetime(tm.when, zone)
    return t("timeline_datetime", lang, date=date_text(local.date(), lang), clock=local.strftime("%H:%M"),
             offset=offset_text(local))


def local_datetime(when: dt.datetime, zone: dt.tzinfo | None) -> dt.datetime:
    try:
        return when.astimezone(zone or UTC)
    except (OverflowError, ValueError):
        return when


def local_iso(tm: Time, zone: dt.tzinfo | None) -> str:
    if tm.precision == "day":
        return tm.when.date().isoformat()
    return local_datetime(tm.when, zone).isoformat(timespec="seconds")


def utc_iso(tm: Time) -> str:
    if tm.precision == "day":
        return tm.when.date().isoformat()
    return tm.when.astimezone(UTC).isoformat(timespec="seconds")


def artifact_name(art: Artifact) -> str:
    """What people call the thing: the first of its kind's `names` with a value (a path: its folder
    and name)."""
    for name in KINDS[art.kind].names:
        value = art.get(name)
        if isinstance(value, str) and value.strip():
            if name == "path":  # the file and its folder: "AnyDesk\\connection_trace.txt"
                parts = [p for p in re.split(r"[\\/]", value) if p]
                return "\\".join(parts[-2:]) if "\\" in value else "/".join(parts[-2:])
            return value
    return ""


def event_text(art: Artifact, kind: str, lang: str, title: str = "") -> str:
    """What happened, in plain words: "AnyDesk was installed", "se instaló AnyDesk". A setting's name
    is an id (remote_desktop): its finding's title says it in words, in the report's language."""
    if art.kind == "setting" and title:
        return t("timeline_setting", lang, title=title, kind=t(f"timeline_kind_{kind}", lang))
    name = safe_text(artifact_name(art) or kind_label(art.kind, lang), 200)
    if art.kind == "setting":
        name = name.replace("_", " ")
    key = f"timeline_what_{art.kind}"
    if art.kind == "permission":
        service = str(art.get("service") or "")
        what = t(key, lang, service=value_label("service", service, lang) or service.replace("_", " "),
                 name=safe_text(art.get("app") or art.get("site") or name, 200))
    else:
        what = t(key if KINDS[art.kind].timeline_words else "timeline_what_other", lang, name=name)
    return t(f"timeline_{kind}", lang, what=what)

