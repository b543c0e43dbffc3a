"""Plain words for what a browser add-on's permissions let it see or do.

Used by the report for browser_extension evidence, so a reader sees "It can: read what you copy"
rather than "clipboardRead". Only permissions that matter for privacy are described; the words are
messages permission.<name> (and it_can) in the catalogs (techcheck/i18n.py).
"""

from __future__ import annotations

from collections.abc import Iterable

from techcheck.i18n import text

_ALL_SITES = "all_sites"

# The permissions described, most far-reaching first.
DESCRIBED = (
    _ALL_SITES, "history", "tabs", "webNavigation", "webRequest", "cookies", "clipboardRead", "audioCapture",
    "videoCapture", "desktopCapture", "tabCapture", "geolocation", "downloads", "management", "proxy", "debugger",
    "nativeMessaging", "bookmarks",
)


def can_label(lang: str) -> str:
    return text("it_can", lang)


def describe_permissions(permissions: Iterable[str], all_sites: bool, lang: str = "en") -> list[str]:
    """Plain phrases, most far-reaching first, for the permissions that matter for privacy."""
    names = set(permissions)
    keys = ([_ALL_SITES] if all_sites else []) + [k for k in DESCRIBED if k != _ALL_SITES and k in names]
    return [text(f"permission.{k}", lang) for k in keys]
