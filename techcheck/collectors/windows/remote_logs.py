"""Incoming-connection records that remote-desktop programs keep on disk (TeamViewer, AnyDesk).

Each logged incoming session becomes one dated `file` artifact, so a report shows when someone
connected to this computer from elsewhere, even after the program was closed.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from techcheck.artifacts import Artifact, Location, make
from techcheck.collectors.base import Collector, Context, read_text_noted, time_noted
from techcheck.collectors.common.parsing import user_homes
from techcheck.i18n import Message, Words
from techcheck.target.base import Target
from techcheck.target.identity import LocalClock, local_clock
from techcheck.textlines import blank_fields, text_lines
from techcheck.timeutil import Time

MAX_SESSIONS_PER_FILE = 500


@dataclass(frozen=True)
class Session:
    time: str  # ISO 8601 (local time of the computer; the logs do not say the zone)
    detail: Message  # who connected and how, in words (str(): the English)
    start: dt.datetime | None = None  # the same clock time, as read (naive: local)
    end: dt.datetime | None = None  # when the log says the session ended


@dataclass(frozen=True)
class SessionLog:
    """The sessions a connection log records, and the numbers of its lines that should be a record
    but are not in the form the program writes (cut, changed by hand, or written to confuse)."""

    sessions: list[Session]
    broken_lines: list[int]


def _parse(text: str, formats: tuple[str, ...]) -> dt.datetime | None:
    for fmt in formats:
        try:
            return dt.datetime.strptime(text.strip(), fmt)
        except ValueError:
            continue
    return None


def _iso(text: str, formats: tuple[str, ...]) -> str | None:
    when = _parse(text, formats)
    return when.isoformat(timespec="seconds") if when else None


TEAMVIEWER_FORMATS = ("%d-%m-%Y %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%d.%m.%Y %H:%M:%S")


def parse_teamviewer_incoming(text: str) -> SessionLog:
    """Connections_incoming.txt: tab-separated ID, name, start, end, local user, type, connection id."""
    sessions, broken = [], []
    for number, line in enumerate(text_lines(text), 1):
        if not line.strip():
            continue
        cols = [c.strip() for c in line.split("\t")]
        start = _parse(cols[2], TEAMVIEWER_FORMATS) if len(cols) >= 4 else None
        if start is None:
            broken.append(number)
            continue
        ended = _parse(cols[3], TEAMVIEWER_FORMATS)
        end = ended.isoformat(timespec="seconds") if ended else cols[3]
        local = Message.of("fact.session_signed_in_user", user=cols[4]) if len(cols) > 4 and cols[4] else ""
        detail = Message.of("fact.session_teamviewer", partner=cols[0], name=f" ({cols[1]})" if cols[1] else "",
                            end=end, user=local, kind=f", {cols[5]}" if len(cols) > 5 and cols[5] else "")
        sessions.append(Session(start.isoformat(timespec="seconds"), detail,
                                start, ended))
    return SessionLog(sessions, broken)


_ANYDESK_LINE = re.compile(r"^\s*Incoming\s+(\d{4}-\d{2}-\d{2}),\s*(\d{2}:\d{2})\s+(\S+)\s*(.*)$", re.IGNORECASE)


def parse_anydesk_connection_trace(text: str) -> SessionLog:
    """connection_trace.txt: 'Incoming  2014-11-26, 03:46  User  alias@ad 654321' per connection
    (connections made from this computer, 'Outgoing', are not what this check looks for)."""
    sessions, broken = [], []
    for number, line in enumerate(text_lines(text), 1):
        if not line.strip() or line.lstrip().lower().startswith("outgoing"):
            continue
        m = _ANYDESK_LINE.match(line)
        when = _parse(f"{m.group(1)} {m.group(2)}", ("%Y-%m-%d %H:%M",)) if m else None
        if m is None or when is None:
            broken.append(number)
            continue
        method, who = m.group(3), " ".join(blank_fields(m.group(4)))
        sessions.append(Session(when.isoformat(timespec="seconds"),
                                Message.of("fact.session_anydesk", who=who or Message.of("fact.session_unknown"),
                                           method=method), when))
    return SessionLog(sessions, broken)


_ANYDESK_TRACE = re.compile(r"(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})")
_TRACE_EVENTS = ("incoming session request", "accepting from", "logged in from")


def parse_anydesk_trace(text: str) -> SessionLog:
    """ad.trace / ad_svc.trace: keep the lines that record an incoming session being set up (the
    other lines of this busy log are not records; one of those without its time is broken)."""
    sessions, broken = [], []
    for number, line in enumerate(text_lines(text), 1):
        low = line.lower()
        event = next((e for e in _TRACE_EVENTS if e in low), None)
        if event is None:
            continue
        m = _ANYDESK_TRACE.search(line)
        when = _parse(f"{m.group(1)} {m.group(2)}", ("%Y-%m-%d %H:%M:%S",)) if m else None
        if when is None:
            broken.append(number)
            continue
        tail = line[low.index(event):].strip()
        sessions.append(Session(when.isoformat(timespec="seconds"),
                                Message.of("fact.session_anydesk_log", text=" ".join(blank_fields(tail))[:200]), when))
    return SessionLog(sessions, broken)


PARSERS = {
    "connections_incoming.txt": ("TeamViewer", parse_teamviewer_incoming),
    "connection_trace.txt": ("AnyDesk", parse_anydesk_connection_trace),
    "ad.trace": ("AnyDesk", parse_anydesk_trace),
    "ad_svc.trace": ("AnyDesk", parse_anydesk_trace),
}


def log_files(target: Target) -> Iterator[tuple[str, str]]:
    """(path pattern, user) where these logs are kept."""
    for base in ("/Program Files", "/Program Files (x86)"):
        yield f"{base}/TeamViewer/Connections_incoming.txt", ""
    yield "/ProgramData/AnyDesk/connection_trace.txt", ""
    yield "/ProgramData/AnyDesk/ad_svc.trace", ""
    for home in user_homes(target):
        yield f"{home.home}/AppData/Roaming/AnyDesk/connection_trace.txt", home.user
        yield f"{home.home}/AppData/Roaming/AnyDesk/ad.trace", home.user


class WindowsRemoteSessionLogs(Collector):
    name = "windows.remote_session_logs"
    title = "Records of incoming remote-desktop connections"
    platforms = ("windows",)

    def collect(self, target: Target, ctx: Context) -> Iterable[Artifact]:
        for path, user in log_files(target):
            if not target.exists(path):
                continue
            text = read_text_noted(target, ctx, path, limit=64 * 1024 * 1024)
            if text is None:
                continue
            name = posixpath.basename(path).lower()
            product, parser = PARSERS[name]
            log = parser(text)
            sessions = log.sessions
            shown = target.display_path(path)
            if log.broken_lines:  # said, never skipped in silence: a changed log is a clue too
                ctx.note(shown, Message.of("note.log_lines_broken", n=len(log.broken_lines), product=product,
                                           line=log.broken_lines[0]))
            if len(sessions) > MAX_SESSIONS_PER_FILE:
                ctx.note(shown, Message.of("note.sessions_capped", n=len(sessions), max=MAX_SESSIONS_PER_FILE))
                sessions = sessions[-MAX_SESSIONS_PER_FILE:]
            clock = local_clock(target)
            for s in sessions:
                yield make("file", Location(path=shown), path=shown, name=name, time=s.time, user=user,
                           description=Words(Message.of("fact.desc_remote_session", product=product, time=s.time,
                                                         detail=s.detail)),
                           times=session_times(s, clock, ctx, shown) or None)


SESSION_START = Message.of("time_source.session_start")
SESSION_END = Message.of("time_source.session_end")


def session_times(session: Session, clock: LocalClock, ctx: Context, where: str) -> list[Time]:
    """A logged session's start and end as "connected" times; the logs write the computer's local time
    (the artifact names the log file and the program)."""
    found = []
    for when, source in ((session.start, SESSION_START), (session.end, SESSION_END)):
        utc = clock.to_utc(when) if when is not None else None
        fact = time_noted(ctx, where, utc, "connected", clock.label(source)) if utc else None
        if fact is not None:
            found.append(fact)
    return found
