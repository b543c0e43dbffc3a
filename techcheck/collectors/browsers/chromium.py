"""Chrome, Edge, Brave and Chromium: extensions, site permissions, history and downloads.

Every profile of every user is read (see browsers/profiles.py). The parsers are pure functions on the
decoded Preferences dictionaries and on an open History database, so tests feed them directly.
Browser sign-in accounts are read by browsers_accounts, which also compares profiles.
"""

from __future__ import annotations

import posixpath
import sqlite3
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from techcheck.artifacts import Artifact
from techcheck.collectors.base import Context, list_dir_noted, read_json_noted
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
    site_permission,
)
from techcheck.collectors.common.parsing import as_dict
from techcheck.target.base import Target
from techcheck.timeutil import unix_time, webkit_time

# Chromium's ManifestLocation numbers, as stored in extensions.settings.<id>.location.
_LOCATIONS: dict[int, str] = {
    1: "internal",  # installed by the person: from the store, or from a .crx file (see from_webstore)
    2: "external_app",  # external preferences file written by another program
    3: "external_app",  # Windows registry entry written by another program
    4: "unpacked",  # "Load unpacked" in developer mode (sideloaded)
    5: "component",  # built into the browser
    6: "external_app",  # external preferences, downloaded from an update address
    7: "policy",  # forced by an administrator policy, downloaded
    8: "command_line",  # loaded with --load-extension when the browser was started
    9: "policy",  # forced by an administrator policy
    10: "component",  # built-in, shipped beside the browser
}

# Content-setting names -> the permission services used across techcheck.
SITE_PERMISSIONS: dict[str, str] = {
    "geolocation": "location",
    "media_stream_camera": "camera",
    "media_stream_mic": "microphone",
    "notifications": "notifications",
}


@dataclass(frozen=True)
class ChromiumExtension:
    extension_id: str
    name: str
    version: str
    enabled: bool | None
    install_source: str
    permissions: tuple[str, ...]
    manifest: Mapping[str, Any] = field(default_factory=dict, compare=False)
    path: str = ""  # the "path" entry: relative to the Extensions folder, or absolute



def _get(data: Mapping[str, Any], dotted: str) -> Any:
    node: Any = data
    for part in dotted.split("."):
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node


def install_source(entry: Mapping[str, Any]) -> str:
    location = entry.get("location")
    source = _LOCATIONS.get(location, "unknown") if isinstance(location, int) else "unknown"
    if source == "internal":
        # A store install says so; otherwise the person (or someone) opened a .crx file.
        source = "store" if entry.get("from_webstore") is True else "file"
    elif source == "external_app" and (entry.get("was_installed_by_default") is True
                                       or entry.get("was_installed_by_oem") is True):
        # Shipped with the browser or the computer (Chrome's Google Docs Offline is put in this way).
        source = "default"
    elif source == "external_app" and entry.get("from_webstore") is True:
        # Another program asked for it, but the browser fetched it from its store (Chromium marks an
        # external add-on whose update address is the store as from the store). Security suites and
        # PDF readers add theirs this way.
        source = "external_store"
    return source


def is_enabled(entry: Mapping[str, Any]) -> bool | None:
    """Older Chromium stores state (1 = on); newer ones only list reasons it was switched off."""
    if "state" in entry:
        return entry.get("state") == 1 and not entry.get("disable_reasons")
    if "disable_reasons" in entry:
        return not entry.get("disable_reasons")
    return True if "location" in entry else None


def manifest_permissions(manifest: Mapping[str, Any], granted: Mapping[str, Any] | None = None) -> tuple[str, ...]:
    """Permission names and site patterns an extension asked for (text entries only)."""
    found: dict[str, None] = {}
    lists: list[Any] = [manifest.get("permissions"), manifest.get("host_permissions")]
    scripts = manifest.get("content_scripts")
    for script in scripts if isinstance(scripts, list) else []:
        if isinstance(script, dict):
            lists.append(script.get("matches"))
    if granted:
        lists += [granted.get("api"), granted.get("explicit_host"), granted.get("scriptable_host")]
    for items in lists:
        if isinstance(items, list):
            for item in items:
                if isinstance(item, str) and item:
                    found.setdefault(item, None)
    return tuple(found)


def parse_extensions(prefs: Mapping[str, Any],
                     secure_prefs: Mapping[str, Any] | None = None) -> list[ChromiumExtension]:
    """Extensions listed in Preferences and Secure Preferences (extensions.settings), merged by id."""
    merged: dict[str, dict[str, Any]] = {}
    for source in (prefs, secure_prefs or {}):
        for ext_id, entry in as_dict(_get(source, "extensions.settings")).items():
            if isinstance(entry, dict):
                merged.setdefault(str(ext_id), {}).update(entry)
    found = []
    for ext_id in sorted(merged):
        entry = merged[ext_id]
        manifest = as_dict(entry.get("manifest"))
        found.append(ChromiumExtension(
            extension_id=ext_id,
            name=str(manifest.get("name") or ""),
            version=str(manifest.get("version") or ""),
            enabled=is_enabled(entry),
            install_source=install_source(entry),
            permissions=manifest_permissions(manifest, as_dict(entry.get("active_permissions"))),
            manifest=manifest,
            path=str(entry.get("path") or ""),
        ))
    return found


def parse_site_permissions(prefs: Mapping[str, Any]) -> list[SitePermission]:
    """Sites given (or refused) location, camera, microphone or notifications in this profile."""
    exceptions = as_dict(_get(prefs, "profile.content_settings.exceptions"))
    found = []
    for setting_name, service in SITE_PERMISSIONS.items():
        for pattern, value in sorted(as_dict(exceptions.get(setting_name)).items()):
            site = str(pattern).split(",", 1)[0].strip()
            # Entries without a "setting" only record a last use; they grant nothing.
            if not site or not isinstance(value, dict) or not isinstance(value.get("setting"), int):
                continue
            setting = value["setting"]
            found.append(site_permission(service, site, setting, _content_setting_time(value)))
    return found


def _content_setting_time(value: Mapping[str, Any]) -> str | None:
    raw = value.get("last_used", value.get("last_modified"))
    try:
        number = float(raw)
    except (TypeError, ValueError):
        return None
    # Old profiles store seconds since 1970; newer ones Chromium microseconds since 1601.
    return webkit_time(number) if number > 1e12 else unix_time(number)


def read_history(conn: sqlite3.Connection, cap: int = HISTORY_CAP,
                 download_cap: int = DOWNLOAD_CAP) -> list[Visit]:
    """The most recent `cap` addresses visited and `download_cap` downloads of a History database."""
    visits = [
        Visit(str(url), str(title or ""), "history", webkit_time(when), webkit_time(first))
        for url, title, when, first in conn.execute(
            "SELECT url, title, last_visit_time, (SELECT MIN(visit_time) FROM visits WHERE visits.url = urls.id) "
            "FROM urls ORDER BY last_visit_time DESC LIMIT ?", (cap,))
        if url
    ]
    downloads = conn.execute(
        "SELECT id, target_path, start_time FROM downloads ORDER BY start_time DESC LIMIT ?",
        (download_cap,)).fetchall()
    chains: dict[int, list[str]] = {}
    for row_id, url in conn.execute("SELECT id, url FROM downloads_url_chains ORDER BY id, chain_index"):
        chains.setdefault(row_id, []).append(str(url))
    for row_id, target_path, when in downloads:
        # Every address in the redirect chain: the page's link and where the file really came from.
        for url in dict.fromkeys(chains.get(row_id, [])):
            visits.append(Visit(url, str(target_path or ""), "download", webkit_time(when)))
    return visits


def localized(text: str, messages: Mapping[str, Any]) -> str:
    """Resolve a "__MSG_name__" manifest string from a _locales messages.json dictionary."""
    if not (text.startswith("__MSG_") and text.endswith("__")):
        return text
    wanted = text[6:-2].lower()
    for key, value in messages.items():
        if key.lower() == wanted and isinstance(value, dict) and isinstance(value.get("message"), str):
            return str(value["message"])
    return text


def extension_folder(os_name: str, profile_path: str, ext: ChromiumExtension) -> str:
    """Where an extension's files are, from its "path" entry: relative to the profile's Extensions
    folder (store installs), or absolute (unpacked and built-in ones). Empty when unusable."""
    path = ext.path.replace("\\", "/")
    if not path or ".." in path.split("/"):
        return ""
    if path.startswith("/"):
        return path if os_name != "windows" else ""
    if len(path) > 2 and path[1] == ":" and path[2] == "/":
        # A Windows drive path; only the system drive (C:) is the scanned tree.
        return path[2:] if os_name == "windows" and path[0].upper() == "C" else ""
    return posixpath.join(profile_path, "Extensions", path)


class ChromiumBrowsers(ProfileCollector):
    name = "browsers.chromium"
    title = "Chrome, Edge, Brave and Chromium: add-ons, site permissions, history"
    family = "chromium"

    def _profile(self, target: Target, ctx: Context, profile: BrowserProfile) -> Iterator[Artifact]:
        prefs_path = posixpath.join(profile.path, "Preferences")
        secure_path = posixpath.join(profile.path, "Secure Preferences")
        prefs = as_dict(read_json_noted(target, ctx, prefs_path)) if target.exists(prefs_path) else {}
        secure = as_dict(read_json_noted(target, ctx, secure_path)) if target.exists(secure_path) else {}
        in_secure = set(as_dict(_get(secure, "extensions.settings")))
        for ext in parse_extensions(prefs, secure):
            name, version, permissions = ext.name, ext.version, ext.permissions
            if not name or name.startswith("__MSG_") or not ext.manifest:
                name, version, permissions = self._from_folder(target, ctx, profile, ext)
            yield extension_artifact(target, secure_path if ext.extension_id in in_secure else prefs_path, profile,
                                     extension_id=ext.extension_id, name=name, version=version,
                                     enabled=ext.enabled, install_source=ext.install_source,
                                     permissions=permissions)
        yield from permission_artifacts(target, prefs_path, profile, parse_site_permissions(prefs))
        yield from history_artifacts(target, ctx, profile, posixpath.join(profile.path, "History"), read_history)

    def _from_folder(self, target: Target, ctx: Context, profile: BrowserProfile,
                     ext: ChromiumExtension) -> tuple[str, str, tuple[str, ...]]:
        """Name, version and permissions from Extensions/<id>/<version>/manifest.json."""
        folder = extension_folder(target.os, profile.path, ext)
        if not folder:
            versions = list_dir_noted(target, ctx, posixpath.join(profile.path, "Extensions", ext.extension_id))
            folder = versions[-1] if versions else ""
        manifest = dict(ext.manifest)
        manifest_path = posixpath.join(folder, "manifest.json")
        if folder and target.exists(manifest_path):
            manifest = as_dict(read_json_noted(target, ctx, manifest_path)) or manifest
        name = str(manifest.get("name") or ext.name)
        if name.startswith("__MSG_") and folder:
            locale = str(manifest.get("default_locale") or "en")
            messages_path = posixpath.join(folder, "_locales", locale, "messages.json")
            if target.exists(messages_path):
                name = localized(name, as_dict(read_json_noted(target, ctx, messages_path)))
        permissions = manifest_permissions(manifest) if manifest else ext.permissions
        return name, str(manifest.get("version") or ext.version), tuple(dict.fromkeys(ext.permissions + permissions))
