"""Helpers shared by the macOS collectors: property lists as found in the wild, and value coercion.

No collector lives here; the parsers are pure functions on bytes so tests can feed them directly.
"""

from __future__ import annotations

import plistlib
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any, TypeVar
from xml.parsers.expat import ExpatError

from techcheck.collectors.base import Context
from techcheck.errors import TargetError
from techcheck.target.base import Target

# Apple's "Cocoa" time counts seconds from 2001-01-01 UTC.
COCOA_EPOCH = 978307200


class PlistError(ValueError):
    """A property list could not be decoded."""


def load_plist(data: bytes) -> Any:
    """Decode an XML or binary property list.

    Tolerates the quirks real files have: a byte-order mark or blank lines before `<?xml`
    (which plistlib rejects), and old DTD headers (plistlib ignores the DTD anyway).
    """
    if data.startswith(b"bplist"):
        try:
            return plistlib.loads(data, fmt=plistlib.FMT_BINARY)
        except (plistlib.InvalidFileException, ValueError, TypeError, IndexError, KeyError,
                OverflowError, RecursionError) as exc:
            raise PlistError(f"broken binary property list: {exc or type(exc).__name__}") from exc
    text = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    text = text.lstrip(b" \t\r\n")
    if not text.startswith((b"<?xml", b"<!DOCTYPE", b"<plist")):
        raise PlistError("not a property list (neither XML nor binary)")
    try:
        return plistlib.loads(text, fmt=plistlib.FMT_XML)
    except (plistlib.InvalidFileException, ExpatError, ValueError, TypeError, KeyError, AttributeError,
            RecursionError) as exc:
        raise PlistError(f"broken XML property list: {exc or type(exc).__name__}") from exc


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
