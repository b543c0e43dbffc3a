"""When dpkg installed and upgraded each package, from its logs: /var/log/dpkg.log and the rotated
dpkg.log.1, dpkg.log.2.gz ... (logrotate keeps twelve months on Debian and Ubuntu).

Each action is one line in the computer's local time: "2024-03-01 21:14:05 install anydesk:amd64
<none> 6.3.0" (dpkg's src/main/main.c log_action; upgrade, remove, purge and status lines look alike).
The logs only reach back as far as rotation kept them: packages installed earlier have no time here.
Reading is bounded: at most MAX_FILES files, MAX_FILE_BYTES each (decompressed), MAX_LINES lines.
"""

from __future__ import annotations

import datetime as dt
import re
import zlib
from dataclasses import dataclass, field

from techcheck.collectors.base import Context, time_noted
from techcheck.errors import TargetError
from techcheck.i18n import Message, err_detail
from techcheck.target.base import Target
from techcheck.target.identity import LocalClock
from techcheck.textlines import text_lines
from techcheck.timeutil import Time, TimeKind

LOG_DIR = "/var/log"
MAX_FILES = 30
MAX_FILE_BYTES = 32 * 1024 * 1024
MAX_LINES = 2_000_000
INSTALLED = Message.of("time_source.dpkg_installed")
UPGRADED = Message.of("time_source.dpkg_upgraded")
_ACTION = re.compile(r"^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}) (install|upgrade|remove|purge) (\S+) ")
_NAME = re.compile(r"^dpkg\.log(?:\.(\d{1,3}))?(\.gz)?$")


@dataclass
class PackageTimes:
    """Per package: the latest install and the latest upgrade after it, as local clock times."""

    installed: dict[str, dt.datetime] = field(default_factory=dict)
    upgraded: dict[str, dt.datetime] = field(default_factory=dict)
    broken: int = 0  # action lines whose date is not a date


def parse_dpkg_log(text: str, found: PackageTimes | None = None, max_lines: int = MAX_LINES) -> PackageTimes:
    """Add the install and upgrade actions of one log's text (read oldest log first)."""
    found = found or PackageTimes()
    for count, line in enumerate(text_lines(text)):
        if count >= max_lines:
            break
        m = _ACTION.match(line)
        if not m:
            continue
        try:
            when = dt.datetime.fromisoformat(m.group(1))  # "YYYY-MM-DD HH:MM:SS", much faster than strptime
        except ValueError:
            found.broken += 1
            continue
        package = m.group(3).split(":", 1)[0]
        action = m.group(2)
        if action == "install":
            found.installed[package] = when
            found.upgraded.pop(package, None)
        elif action == "upgrade":
            found.upgraded[package] = when
        else:  # removed: an older install is not this one's
            found.installed.pop(package, None)
            found.upgraded.pop(package, None)
    return found


def log_files(target: Target) -> list[str]:
    """The dpkg logs, oldest first (dpkg.log.12.gz ... dpkg.log.1, dpkg.log)."""
    try:
        entries = target.list_dir(LOG_DIR)
    except TargetError:
        return []
    numbered = []
    for entry in entries:
        m = _NAME.match(entry.name)
        if m and not entry.is_dir:
            numbered.append((int(m.group(1) or 0), entry.path))
    return [path for _, path in sorted(numbered, reverse=True)]


def gunzip(data: bytes, limit: int) -> tuple[bytes, bool]:
    """Decompressed gzip data, at most `limit` bytes; (data, cut short). Raises zlib.error when damaged."""
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    out = inflater.decompress(data, limit)
    return out, bool(inflater.unconsumed_tail)


def read_dpkg_logs(target: Target, ctx: Context, clock: LocalClock) -> dict[str, list[Time]]:
    """Package name -> its "installed" and "changed" times from the dpkg logs; damage and limits noted."""
    files = log_files(target)
    if len(files) > MAX_FILES:
        ctx.note(target.display_path(LOG_DIR), Message.of("note.dpkg_logs_many", count=len(files), read=MAX_FILES))
        files = files[-MAX_FILES:]
    found = PackageTimes()
    for path in files:
        shown = target.display_path(path)
        try:
            raw = target.read_bytes(path, MAX_FILE_BYTES)
            data, cut = gunzip(raw, MAX_FILE_BYTES) if path.endswith(".gz") else (raw, False)
        except TargetError as exc:
            ctx.note(shown, Message.of("note.dpkg_log_unreadable", detail=err_detail(exc)))
            continue
        except zlib.error as exc:
            ctx.note(shown, Message.of("note.dpkg_log_not_gzip", detail=str(exc)))
            continue
        if cut:
            ctx.note(shown, Message.of("note.dpkg_log_cut", mib=MAX_FILE_BYTES // (1024 * 1024)))
        before = found.broken
        parse_dpkg_log(data.decode("utf-8", "replace"), found)
        if found.broken > before:
            ctx.note(shown, Message.of("note.dpkg_log_bad_dates", count=found.broken - before))
    times: dict[str, list[Time]] = {}
    where = target.display_path(LOG_DIR + "/dpkg.log")
    tables: tuple[tuple[TimeKind, dict[str, dt.datetime], Message], ...] = (
        ("installed", found.installed, INSTALLED), ("changed", found.upgraded, UPGRADED))
    for kind, table, source in tables:
        for package, local in table.items():
            utc = clock.to_utc(local)
            fact = time_noted(ctx, where, utc, kind, clock.label(source)) if utc else None
            if fact is not None:
                times.setdefault(package, []).append(fact)
    return times
