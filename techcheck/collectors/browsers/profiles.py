"""Where web browsers keep their profiles, for every user, on Windows, macOS and Linux, and the
artifacts both browser families make from them (add-ons, site permissions, history).

`browser_roots` is a pure function of the operating system and the users' home folders: it lists
the folders where each browser keeps its data. `find_profiles` then looks inside those folders on
the target for the actual profiles ("Default", "Profile 1", "abcd1234.default-release", ...).
"""

from __future__ import annotations

import configparser
import posixpath
import sqlite3
from abc import abstractmethod
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, TypeVar

from techcheck.artifacts import Artifact, Location, make
from techcheck.collectors.base import Collector, Context, list_dir_noted, read_text_noted
from techcheck.collectors.common.parsing import UserHome, user_homes
from techcheck.errors import TargetError
from techcheck.i18n import Message, err_detail
from techcheck.target.base import Target
from techcheck.timeutil import Time, parse_iso, time_fact

Family = Literal["chromium", "firefox"]


@dataclass(frozen=True)
class BrowserRoot:
    """A browser's data folder for one user (Chromium "User Data", Firefox profiles folder)."""

    browser: str  # chrome, edge, brave, chromium, firefox
    family: Family
    user: str
    path: str
    variant: str = ""  # beta/dev/canary channel, or "snap"/"flatpak" when installed that way


@dataclass(frozen=True)
class BrowserProfile:
    browser: str
    family: Family
    user: str
    path: str  # the profile folder
    name: str  # the profile folder's name, as the browser names it


# (browser, family, path under the home folder, variant) for each system.
_WINDOWS: tuple[tuple[str, Family, str, str], ...] = (
    ("chrome", "chromium", "AppData/Local/Google/Chrome/User Data", ""),
    ("chrome", "chromium", "AppData/Local/Google/Chrome Beta/User Data", "beta"),
    ("chrome", "chromium", "AppData/Local/Google/Chrome SxS/User Data", "canary"),
    ("edge", "chromium", "AppData/Local/Microsoft/Edge/User Data", ""),
    ("brave", "chromium", "AppData/Local/BraveSoftware/Brave-Browser/User Data", ""),
    ("chromium", "chromium", "AppData/Local/Chromium/User Data", ""),
    ("firefox", "firefox", "AppData/Roaming/Mozilla/Firefox", ""),
)
_MACOS: tuple[tuple[str, Family, str, str], ...] = (
    ("chrome", "chromium", "Library/Application Support/Google/Chrome", ""),
    ("chrome", "chromium", "Library/Application Support/Google/Chrome Beta", "beta"),
    ("chrome", "chromium", "Library/Application Support/Google/Chrome Canary", "canary"),
    ("edge", "chromium", "Library/Application Support/Microsoft Edge", ""),
    ("brave", "chromium", "Library/Application Support/BraveSoftware/Brave-Browser", ""),
    ("chromium", "chromium", "Library/Application Support/Chromium", ""),
    ("firefox", "firefox", "Library/Application Support/Firefox", ""),
)
_LINUX: tuple[tuple[str, Family, str, str], ...] = (
    ("chrome", "chromium", ".config/google-chrome", ""),
    ("chrome", "chromium", ".config/google-chrome-beta", "beta"),
    ("chrome", "chromium", ".config/google-chrome-unstable", "dev"),
    ("chromium", "chromium", ".config/chromium", ""),
    ("edge", "chromium", ".config/microsoft-edge", ""),
    ("brave", "chromium", ".config/BraveSoftware/Brave-Browser", ""),
    ("firefox", "firefox", ".mozilla/firefox", ""),
    # Snap and Flatpak keep each app's data in its own folder under the home folder.
    ("chromium", "chromium", "snap/chromium/common/chromium", "snap"),
    ("brave", "chromium", "snap/brave/current/.config/BraveSoftware/Brave-Browser", "snap"),
    ("firefox", "firefox", "snap/firefox/common/.mozilla/firefox", "snap"),
    ("chrome", "chromium", ".var/app/com.google.Chrome/config/google-chrome", "flatpak"),
    ("chromium", "chromium", ".var/app/org.chromium.Chromium/config/chromium", "flatpak"),
    ("edge", "chromium", ".var/app/com.microsoft.Edge/config/microsoft-edge", "flatpak"),
    ("brave", "chromium", ".var/app/com.brave.Browser/config/BraveSoftware/Brave-Browser", "flatpak"),
    ("firefox", "firefox", ".var/app/org.mozilla.firefox/.mozilla/firefox", "flatpak"),
)
_LAYOUTS = {"windows": _WINDOWS, "macos": _MACOS, "linux": _LINUX}

# Chromium keeps some internal profiles that no person uses.
_INTERNAL_CHROMIUM_PROFILES = {"system profile", "guest profile"}


def browser_roots(os_name: str, homes: Iterable[UserHome]) -> list[BrowserRoot]:
    """Every folder where a browser may keep data, for each user. Pure: nothing is read."""
    layout = _LAYOUTS.get(os_name, ())
    return [
        BrowserRoot(browser, family, home.user, posixpath.join(home.home, rel), variant)
        for home in homes
        for browser, family, rel, variant in layout
    ]


def parse_profiles_ini(text: str) -> list[tuple[str, bool]]:
    """(Path, IsRelative) of each [ProfileN] section of a Firefox profiles.ini."""
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(text)
    except configparser.Error:
        return []
    found = []
    for section in parser.sections():
        if not section.lower().startswith("profile"):
            continue
        path = parser.get(section, "Path", fallback="").strip()
        if path:
            found.append((path.replace("\\", "/"), parser.get(section, "IsRelative", fallback="1").strip() != "0"))
    return found


def _chromium_profiles(target: Target, ctx: Context, root: BrowserRoot) -> list[BrowserProfile]:
    profiles = []
    for path in list_dir_noted(target, ctx, root.path):
        name = posixpath.basename(path)
        if name.lower() in _INTERNAL_CHROMIUM_PROFILES:
            continue
        # A profile folder is one that holds a Preferences file (Default, Profile 1, ...).
        if target.is_file(posixpath.join(path, "Preferences")) or target.is_file(
                posixpath.join(path, "Secure Preferences")):
            profiles.append(BrowserProfile(root.browser, "chromium", root.user, path, name))
    return profiles


def _firefox_profiles(target: Target, ctx: Context, root: BrowserRoot) -> list[BrowserProfile]:
    candidates: dict[str, None] = {}
    ini_path = posixpath.join(root.path, "profiles.ini")
    if target.exists(ini_path):
        text = read_text_noted(target, ctx, ini_path, limit=1024 * 1024)
        for rel, is_relative in parse_profiles_ini(text or ""):
            if is_relative:
                candidates[posixpath.normpath(posixpath.join(root.path, rel))] = None
            elif target.os != "windows" and rel.startswith("/"):
                # Absolute paths are from the scanned system; on Windows they carry a drive letter.
                candidates[posixpath.normpath(rel)] = None
    # Also every folder that looks like a profile, in case profiles.ini is missing or stale.
    for base in (root.path, posixpath.join(root.path, "Profiles")):
        for path in list_dir_noted(target, ctx, base):
            if target.is_file(posixpath.join(path, "prefs.js")) or target.is_file(
                    posixpath.join(path, "extensions.json")):
                candidates[path] = None
    return [
        BrowserProfile(root.browser, "firefox", root.user, path, posixpath.basename(path))
        for path in sorted(candidates) if target.is_dir(path)
    ]


def find_profiles(target: Target, ctx: Context, homes: Iterable[UserHome],
                  family: Family | None = None) -> list[BrowserProfile]:
    """Every browser profile of every user that exists on the target (optionally of one family)."""
    profiles: dict[str, BrowserProfile] = {}
    for root in browser_roots(target.os, homes):
        if (family and root.family != family) or not target.is_dir(root.path):
            continue
        found = (_chromium_profiles if root.family == "chromium" else _firefox_profiles)(target, ctx, root)
        for profile in found:
            profiles.setdefault(profile.path, profile)
    return sorted(profiles.values(), key=lambda p: (p.user, p.browser, p.path))


# --- small helpers shared by the browser collectors ---------------------------------------------




# Site patterns that cover every web site.
_ALL_SITES = {"<all_urls>", "*://*/*", "http://*/*", "https://*/*", "*://*/", "http://*/", "https://*/"}


def reaches_all_sites(permissions: Iterable[str]) -> bool:
    """True when the permissions let an add-on read and change every web site you visit."""
    for perm in permissions:
        if perm in _ALL_SITES:
            return True
        scheme, sep, rest = perm.partition("://")
        if sep and scheme in ("*", "http", "https") and rest.split("/", 1)[0] == "*":
            return True
    return False


# Only the most recent visits and downloads of each profile are kept, so a profile with years of
# history cannot fill the memory. Rules look for a few sites; recent visits matter most.
HISTORY_CAP = 5000
DOWNLOAD_CAP = 1000


@dataclass(frozen=True)
class SitePermission:
    service: str
    site: str
    status: str
    allowed: bool
    last_used: str | None


# The numbers both browser families store for a site permission (Chromium's content settings,
# Firefox's moz_perms): 1 allow, 2 block, 3 ask.
PERMISSION_STATUS = {1: "allow", 2: "block", 3: "ask"}


def site_permission(service: str, site: str, setting: Any, last_used: str | None) -> SitePermission:
    """A site permission from the browser's stored number (an unknown number is kept as it is)."""
    return SitePermission(service=service, site=site, status=PERMISSION_STATUS.get(setting, str(setting)),
                          allowed=setting == 1, last_used=last_used)


@dataclass(frozen=True)
class Visit:
    url: str
    title: str
    visit_type: str  # history or download
    time: str | None  # the last visit, or when the download started (ISO 8601 UTC)
    first: str | None = None  # the first visit the history still holds (ISO 8601 UTC)


FIRST_VISIT = Message.of("time_source.first_visit")
LAST_VISIT = Message.of("time_source.last_visit")
DOWNLOAD_STARTED = Message.of("time_source.download_started")


def visit_times(visit: Visit) -> list[Time]:
    """A visited address's first and last visit ("last_used": the browser was used to open it), or a
    download's start ("created": the file was made then), from the browser's own history (the
    artifact names the browser and the file)."""
    if visit.visit_type == "download":
        when = parse_iso(visit.time) if visit.time else None
        made = time_fact(when, "created", DOWNLOAD_STARTED)
        return [made] if made else []
    found: list[Time] = []
    for text, source in ((visit.first, FIRST_VISIT), (visit.time, LAST_VISIT)):
        when = parse_iso(text) if text else None
        fact = time_fact(when, "last_used", source)
        if fact is not None and not (found and found[0].when == fact.when):
            found.append(fact)
    return found


T = TypeVar("T")


def query_sqlite_noted(target: Target, ctx: Context, path: str,
                       reader: Callable[[sqlite3.Connection], list[T]]) -> list[T]:
    """Run a reader on a read-only copy of a database; a note (and nothing) when it cannot be read."""
    if not target.exists(path):
        return []
    try:
        conn = target.sqlite(path)
    except TargetError as exc:
        ctx.note(target.display_path(path), Message.of("note.could_not_read", detail=err_detail(exc)))
        return []
    for note in conn.notes:  # for example: its write-ahead log could not be applied
        ctx.note(target.display_path(path), note)
    try:
        return reader(conn)
    except sqlite3.Error as exc:
        ctx.note(target.display_path(path), Message.of("note.could_not_read", detail=err_detail(exc)))
        return []
    finally:
        conn.close()


def note_history_cap(target: Target, ctx: Context, path: str, visits: list[Visit]) -> None:
    if sum(v.visit_type == "history" for v in visits) >= HISTORY_CAP:
        ctx.note(target.display_path(path), Message.of("note.history_capped", n=HISTORY_CAP))


# --- artifacts both browser families make -------------------------------------------------------


def extension_artifact(target: Target, path: str, profile: BrowserProfile, *, extension_id: str, name: str,
                       version: str, enabled: bool | None, install_source: str, permissions: Iterable[str]) -> Artifact:
    """A browser add-on found in a profile's file at `path`."""
    permissions = list(permissions)
    return make("browser_extension", Location(path=target.display_path(path)), extension_id=extension_id,
                name=name, version=version, enabled=enabled, install_source=install_source,
                permissions=permissions, all_sites=reaches_all_sites(permissions), browser=profile.browser,
                profile=profile.name, user=profile.user)


def permission_artifacts(target: Target, path: str, profile: BrowserProfile,
                         permissions: Iterable[SitePermission]) -> Iterator[Artifact]:
    """The permissions a profile gives web sites (camera, microphone, location, notifications ...)."""
    for perm in permissions:
        yield make("permission", Location(path=target.display_path(path)), service=perm.service,
                   site=perm.site, allowed=perm.allowed, status=perm.status, last_used=perm.last_used,
                   source="browser", app=profile.browser, user=profile.user)


def history_artifacts(target: Target, ctx: Context, profile: BrowserProfile, path: str,
                      reader: Callable[[sqlite3.Connection], list[Visit]]) -> Iterator[Artifact]:
    """The visits and downloads `reader` finds in a profile's history database (capped, with a note)."""
    visits = query_sqlite_noted(target, ctx, path, reader)
    note_history_cap(target, ctx, path, visits)
    for visit in visits:
        yield make("web_visit", Location(path=target.display_path(path)), url=visit.url, title=visit.title,
                   visit_type=visit.visit_type, time=visit.time, times=visit_times(visit) or None,
                   browser=profile.browser, profile=profile.name, user=profile.user)


class ProfileCollector(Collector):
    """A check of every profile of one browser family: `_profile` gives each profile's artifacts."""

    family: ClassVar[Family]
    platforms = ("windows", "macos", "linux")

    def collect(self, target: Target, ctx: Context) -> Iterable[Artifact]:
        for profile in find_profiles(target, ctx, user_homes(target), family=self.family):
            yield from self._profile(target, ctx, profile)

    @abstractmethod
    def _profile(self, target: Target, ctx: Context, profile: BrowserProfile) -> Iterator[Artifact]:
        """The artifacts of one profile."""
