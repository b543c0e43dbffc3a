"""Helpers shared by the macOS collectors: property lists as found in the wild, and value coercion.

No collector lives here; the parsers are pure functions on bytes so tests can feed them directly.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from techcheck.collectors.base import Context, parse_noted
from techcheck.collectors.common.parsing import PlistError as PlistError  # re-exported for the collectors
from techcheck.collectors.common.parsing import load_plist as load_plist
from techcheck.i18n import Message
from techcheck.target.base import Target
from techcheck.timeutil import COCOA_EPOCH, UNIX_EPOCH, iso_utc, since_epoch


def read_plist_noted(target: Target, ctx: Context, path: str, limit: int = 8 * 1024 * 1024) -> Any | None:
    """A decoded property list, or None with a note saying why it could not be read or decoded."""
    return parse_noted(target, ctx, path, load_plist, Message.of("note.what.property_list"), (PlistError,), limit=limit)


def plist_bool(value: Any) -> bool | None:
    """Booleans as Apple writes them: true/false, 1/0, and the strings "1", "YES", "true"."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value != 0
    if isinstance(value, str):
        low = value.strip().lower()
        if low in ("1", "yes", "true"):
            return True
        if low in ("0", "no", "false", ""):
            return False
    return None


def plist_str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def iso_time(value: Any, cocoa: bool = False) -> str | None:
    """ISO 8601 (UTC) for a datetime or a Unix/Cocoa seconds count; None when it makes no sense."""
    if isinstance(value, datetime):
        return iso_utc(value)
    if isinstance(value, int | float):
        return since_epoch(COCOA_EPOCH if cocoa else UNIX_EPOCH, value, 1, sane_years=None)
    return None


def user_of_home(path: str) -> str:
    """The user name of a /Users/<name>/... path, or '' for system paths."""
    parts = path.split("/")
    return parts[2] if len(parts) > 2 and parts[1].lower() == "users" else ""
