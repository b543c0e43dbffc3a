"""Firefox: add-ons, site permissions, proxy settings, history and downloads, for every profile.

Parsers are pure functions on the decoded extensions.json, the prefs.js text and open SQLite
databases. The Firefox account (signedInUser.json) is read by browsers_accounts.
"""

from __future__ import annotations

import posixpath
import re
import sqlite3
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from techcheck.artifacts import Artifact, Location, make
from techcheck.collectors.base import Context, read_json_noted, read_text_noted
from techcheck.collectors.browsers.profiles import (
    DOWNLOAD_CAP,
    HISTORY_CAP,
    BrowserProfile,
    ProfileCollector,
    SitePermission,
    Visit,
    extension_artifact,
    history_artifacts,
    permission_artifacts,
    query_sqlite_noted,
    site_permission,
)
from techcheck.collectors.common.parsing import JsonError, as_dict, load_json
from techcheck.target.base import Target
from techcheck.textlines import text_lines
from techcheck.timeutil import unix_time

# Firefox permission types -> the permission services used across techcheck.
SITE_PERMISSIONS: dict[str, str] = {
    "geo": "location",
    "camera": "camera",
    "microphone": "microphone",
    "desktop-notification": "notifications",
    "screen": "screen_recording",
}

# extensions.json "location" -> where the add-on came from.
_ADDON_LOCATIONS = {
    "app-profile": "store",  # installed into the profile (refined below with how it was installed)
    "app-temporary": "unpacked",  # loaded for a while from about:debugging
    "app-builtin": "component",
    "app-system-defaults": "component",
    "app-system-addons": "component",
    "app-global": "external_app",
    "app-system-share": "external_app",
    "app-system-local": "external_app",
    "app-system-user": "external_app",
    "winreg-app-global": "external_app",
    "winreg-app-user": "external_app",
}
# Add-on kinds that cannot watch anything: themes, dictionaries, languages.
_PASSIVE_TYPES = {"theme", "dictionary", "locale"}


@dataclass(frozen=True)
class FirefoxAddon:
    extension_id: str
    name: str
    version: str
    enabled: bool | None
    install_source: str
    permissions: tuple[str, ...]
    signed_state: int | None



def addon_source(addon: Mapping[str, Any]) -> str:
    source = _ADDON_LOCATIONS.get(str(addon.get("location") or ""), "unknown")
    how = addon.get("installTelemetryInfo")
    how_source = str(how.get("source") or "") if isinstance(how, dict) else ""
    if how_source == "enterprise-policy":
        return "policy"
    if source == "store" and how_source in ("file-url", "unknown"):
        return "file"
    return source


def parse_extensions_json(data: Mapping[str, Any]) -> list[FirefoxAddon]:
    found = []
    addons = data.get("addons")
    for addon in addons if isinstance(addons, list) else []:
        if not isinstance(addon, dict) or not addon.get("id") or addon.get("type") in _PASSIVE_TYPES:
            continue
        locale = as_dict(addon.get("defaultLocale"))
        perms = as_dict(addon.get("userPermissions"))
        lists = [perms.get("permissions"), perms.get("origins")]
        names = [p for items in lists if isinstance(items, list) for p in items if isinstance(p, str)]
        signed = addon.get("signedState")
        active = addon.get("active")
        found.append(FirefoxAddon(
            extension_id=str(addon["id"]),
            name=str(locale.get("name") or addon.get("name") or ""),
            version=str(addon.get("version") or ""),
            enabled=active if isinstance(active, bool) else None,
            install_source=addon_source(addon),
            permissions=tuple(dict.fromkeys(names)),
            signed_state=signed if isinstance(signed, int) else None,
        ))
    return found


_USER_PREF = re.compile(r'^\s*user_pref\(\s*"((?:[^"\\]|\\.)*)"\s*,\s*(.*?)\s*\)\s*;\s*$')


def parse_prefs_js(text: str) -> dict[str, Any]:
    """user_pref("name", value); lines of prefs.js -> {name: str | int | bool}."""
    prefs: dict[str, Any] = {}
    for line in text_lines(text, lone_cr=True):
        m = _USER_PREF.match(line)
        if not m:
            continue
        try:
            prefs[load_json(f'"{m.group(1)}"')] = load_json(m.group(2))
        except JsonError:
            continue
    return prefs


_PROXY_MODES = {0: "direct", 1: "manual", 2: "automatic_script", 4: "auto_detect", 5: "system"}


@dataclass(frozen=True)
class ProxySetting:
    mode: str
    detail: str
    enabled: bool  # Firefox sends traffic through a proxy that this profile names


def proxy_from_prefs(prefs: Mapping[str, Any]) -> ProxySetting | None:
    """The profile's own proxy choice, when it names one (manual or a script address)."""
    mode = prefs.get("network.proxy.type")
    if mode == 1:
        servers = []
        for kind in ("http", "ssl", "socks"):
            host, port = prefs.get(f"network.proxy.{kind}"), prefs.get(f"network.proxy.{kind}_port")
            if host:
                servers.append(f"{kind}={host}:{port}" if port else f"{kind}={host}")
        return ProxySetting("manual", ", ".join(servers), bool(servers))
    if mode == 2:
        url = str(prefs.get("network.proxy.autoconfig_url") or "")
        return ProxySetting("automatic_script", url, bool(url))
    return None


def read_permissions(conn: sqlite3.Connection) -> list[SitePermission]:
    found = []
    for origin, kind, permission, modified in conn.execute(
            "SELECT origin, type, permission, modificationTime FROM moz_perms ORDER BY origin, type"):
        service = SITE_PERMISSIONS.get(str(kind))
        if service and origin:
            found.append(site_permission(service, str(origin), permission, unix_time(modified, 1000)))
    return found


def read_places(conn: sqlite3.Connection, cap: int = HISTORY_CAP, download_cap: int = DOWNLOAD_CAP) -> list[Visit]:
    """The most recent `cap` visited addresses and `download_cap` downloads of places.sqlite."""
    visits = [
        Visit(str(url), str(title or ""), "history", unix_time(when, 1_000_000), unix_time(first, 1_000_000))
        for url, title, when, first in conn.execute(
            "SELECT url, title, last_visit_date, "
            "(SELECT MIN(visit_date) FROM moz_historyvisits WHERE moz_historyvisits.place_id = moz_places.id) "
            "FROM moz_places WHERE last_visit_date IS NOT NULL ORDER BY last_visit_date DESC LIMIT ?", (cap,))
        if url
    ]
    # Downloads: the address is the place; the saved file is an annotation on it.
    rows = conn.execute(
        "SELECT p.url, a.content, a.dateAdded FROM moz_annos a "
        "JOIN moz_anno_attributes n ON n.id = a.anno_attribute_id "
        "JOIN moz_places p ON p.id = a.place_id "
        "WHERE n.name = 'downloads/destinationFileURI' ORDER BY a.dateAdded DESC LIMIT ?", (download_cap,))
    visits += [Visit(str(url), str(dest or ""), "download", unix_time(when, 1_000_000)) for url, dest, when in rows]
    return visits


class FirefoxBrowser(ProfileCollector):
    name = "browsers.firefox"
    title = "Firefox: add-ons, site permissions, proxy, history"
    family = "firefox"

    def _profile(self, target: Target, ctx: Context, profile: BrowserProfile) -> Iterator[Artifact]:
        ext_path = posixpath.join(profile.path, "extensions.json")
        if target.exists(ext_path):
            data = read_json_noted(target, ctx, ext_path)
            for addon in parse_extensions_json(as_dict(data)):
                yield extension_artifact(target, ext_path, profile, extension_id=addon.extension_id, name=addon.name,
                                         version=addon.version, enabled=addon.enabled,
                                         install_source=addon.install_source, permissions=addon.permissions)
        prefs_path = posixpath.join(profile.path, "prefs.js")
        if target.exists(prefs_path):
            text = read_text_noted(target, ctx, prefs_path)
            proxy = proxy_from_prefs(parse_prefs_js(text or ""))
            if proxy:
                yield make("setting", Location(path=target.display_path(prefs_path)), name="browser_proxy",
                           enabled=proxy.enabled, value=proxy.mode, detail=f"firefox {profile.name}: {proxy.detail}",
                           user=profile.user)
        perms_path = posixpath.join(profile.path, "permissions.sqlite")
        yield from permission_artifacts(target, perms_path, profile,
                                        query_sqlite_noted(target, ctx, perms_path, read_permissions))
        yield from history_artifacts(target, ctx, profile, posixpath.join(profile.path, "places.sqlite"), read_places)
