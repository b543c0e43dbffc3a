"""Helpers shared by the macOS collectors: property lists as found in the wild, and value coercion.

No collector lives here; the parsers are pure functions on bytes so tests can feed them directly.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any, TypeVar

from techcheck.collectors.base import Context
from techcheck.collectors.common import PlistError, load_plist
from techcheck.errors import TargetError
from techcheck.target.base import Target

# Apple's "Cocoa" time counts seconds from 2001-01-01 UTC.
COCOA_EPOCH = 978307200


T = TypeVar("T")


def parse_noted(target: Target, ctx: Context, path: str, parse: Callable[[bytes], T], what: str,
                errors: tuple[type[Exception], ...] = (PlistError,), limit: int = 8 * 1024 * 1024) -> T | None:
    """Read a file and parse its bytes; None with a note saying what could not be read or decoded."""
    try:
        data = target.read_bytes(path, limit)
    except TargetError as exc:
        ctx.note(target.display_path(path), f"could not read {what}: {exc}")
        return None
    try:
        return parse(data)
    except errors as exc:
        ctx.note(target.display_path(path), f"could not decode {what}: {exc}")
        return None


def read_plist_noted(target: Target, ctx: Context, path: str, limit: int = 8 * 1024 * 1024) -> Any | None:
    """A decoded property list, or None with a note saying why it could not be read or decoded."""
    return parse_noted(target, ctx, path, load_plist, "this property list", limit=limit)


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
    try:
        if isinstance(value, datetime):
            dt = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
        elif isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
            dt = datetime.fromtimestamp(value + (COCOA_EPOCH if cocoa else 0), tz=timezone.utc)
        else:
            return None
    except (OverflowError, OSError, ValueError):
        return None
    return dt.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def user_of_home(path: str) -> str:
    """The user name of a /Users/<name>/... path, or '' for system paths."""
    parts = path.split("/")
    return parts[2] if len(parts) > 2 and parts[1].lower() == "users" else ""
