"""Privacy permissions: the TCC databases, and which apps may use the computer's location.

TCC ("Transparency, Consent and Control") keeps the answers to macOS's privacy prompts in SQLite
databases: one for the whole computer (/Library/Application Support/com.apple.TCC/TCC.db: screen
recording, input monitoring, accessibility, full disk access) and one per user (camera, microphone,
...). Table `access` has one row per (service, client). Up to macOS 10.15 a row says `allowed` 0/1;
from macOS 11 it says `auth_value` (0 denied, 1 unknown, 2 allowed, 3 limited) and `auth_reason`.
Location permissions are not in TCC: locationd keeps them in /private/var/db/locationd/clients.plist
(an `Authorized` flag per client), and the Location Services switch in its by-host preferences.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from techcheck.artifacts import Artifact, Location, make
from techcheck.collectors.base import Collector, Context, unix_noted
from techcheck.collectors.common.parsing import user_homes
from techcheck.collectors.macos.apps import find_app_bundles
from techcheck.collectors.macos.plists import iso_time, plist_bool, plist_str, read_plist_noted
from techcheck.errors import TargetError
from techcheck.i18n import Message, err_detail
from techcheck.target.base import Target

SYSTEM_TCC = "/Library/Application Support/com.apple.TCC/TCC.db"
USER_TCC = "Library/Application Support/com.apple.TCC/TCC.db"
LOCATION_CLIENTS = "/private/var/db/locationd/clients.plist"
LOCATION_PREFS_GLOB = "/private/var/db/locationd/Library/Preferences/ByHost/com.apple.locationd*.plist"

SERVICE_NAMES: dict[str, str] = {
    "kTCCServiceAccessibility": "accessibility",
    "kTCCServiceListenEvent": "input_monitoring",
    "kTCCServicePostEvent": "input_control",
    "kTCCServiceScreenCapture": "screen_recording",
    "kTCCServiceCamera": "camera",
    "kTCCServiceMicrophone": "microphone",
    "kTCCServiceSystemPolicyAllFiles": "full_disk_access",
    "kTCCServiceSystemPolicySysAdminFiles": "admin_files",
    "kTCCServiceSystemPolicyDesktopFolder": "desktop_folder",
    "kTCCServiceSystemPolicyDocumentsFolder": "documents_folder",
    "kTCCServiceSystemPolicyDownloadsFolder": "downloads_folder",
    "kTCCServiceSystemPolicyNetworkVolumes": "network_volumes",
    "kTCCServiceSystemPolicyRemovableVolumes": "removable_volumes",
    "kTCCServiceAddressBook": "contacts",
    "kTCCServiceCalendar": "calendar",
    "kTCCServiceReminders": "reminders",
    "kTCCServicePhotos": "photos",
    "kTCCServiceAppleEvents": "automation",
    "kTCCServiceDeveloperTool": "developer_tools",
    "kTCCServiceBluetoothAlways": "bluetooth",
    "kTCCServiceUbiquity": "icloud_drive",
    "kTCCServiceMediaLibrary": "media_library",
    "kTCCServiceSpeechRecognition": "speech_recognition",
}
_AUTH_STATUS = {0: "deny", 1: "unknown", 2: "allow", 3: "limited"}
# last_modified is written when the answer is given or changed. TCC keeps no time of use in the
# `access` table (last_reminded, from macOS 13, is when macOS last reminded the user of a grant).
TCC_MODIFIED = Message.of("time_source.tcc_modified")


def service_name(raw: str) -> str:
    """Plain name for a TCC service: kTCCServiceListenEvent -> input_monitoring; unknown ones snake_cased."""
    if raw in SERVICE_NAMES:
        return SERVICE_NAMES[raw]
    base = raw.removeprefix("kTCCService")
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", base).lower() or raw


# Keys used by configuration profiles' PPPC payloads are the TCC names without the prefix.
def pppc_service_name(raw: str) -> str:
    return service_name(raw if raw.startswith("kTCCService") else "kTCCService" + raw)


@dataclass(frozen=True)
class TccGrant:
    service: str  # plain name
    raw_service: str
    client: str
    client_type: int  # 0 bundle id, 1 program path
    allowed: bool
    status: str
    reason: int | None
    modified: str | None
    modified_seconds: object = None  # last_modified as stored (Unix seconds)


class TccSchemaError(ValueError):
    """The database has no `access` table techcheck understands."""


def read_tcc_grants(conn: sqlite3.Connection) -> list[TccGrant]:
    """Rows of `access`, for both the old (`allowed`) and the new (`auth_value`) layout."""
    try:
        cols = {row[1] for row in conn.execute("PRAGMA table_info(access)")}
    except sqlite3.DatabaseError as exc:
        raise TccSchemaError(f"cannot read table 'access': {exc}") from exc
    if not {"service", "client"} <= cols or not ({"auth_value"} & cols or {"allowed"} & cols):
        raise TccSchemaError("no 'access' table with service, client and a permission column")
    new = "auth_value" in cols
    value_col = "auth_value" if new else "allowed"
    reason_col = "auth_reason" if "auth_reason" in cols else "NULL"
    type_col = "client_type" if "client_type" in cols else "0"
    time_col = "last_modified" if "last_modified" in cols else "NULL"
    sql = (f"SELECT service, client, {type_col}, {value_col}, {reason_col}, {time_col} FROM access "
           "ORDER BY service, client")
    try:
        rows = conn.execute(sql).fetchall()
    except sqlite3.DatabaseError as exc:
        raise TccSchemaError(f"cannot read table 'access': {exc}") from exc
    grants = []
    for service, client, ctype, value, reason, modified in rows:
        value = value if isinstance(value, int) else -1
        if new:
            status = _AUTH_STATUS.get(value, f"value {value}")
            allowed = value in (2, 3)
        else:
            status, allowed = ("allow", True) if value == 1 else ("deny", False)
        grants.append(TccGrant(
            service=service_name(str(service)), raw_service=str(service), client=str(client),
            client_type=ctype if isinstance(ctype, int) else 0, allowed=allowed, status=status,
            reason=reason if isinstance(reason, int) else None, modified=iso_time(modified),
            modified_seconds=modified,
        ))
    return grants


@dataclass(frozen=True)
class LocationClient:
    client: str
    allowed: bool
    path: str


def parse_location_clients(plist: Any) -> list[LocationClient]:
    """Clients in locationd's clients.plist: key = client, `Authorized` = may use location."""
    if not isinstance(plist, dict):
        return []
    out = []
    for key, entry in sorted(plist.items(), key=lambda kv: str(kv[0])):
        if not isinstance(entry, dict):
            continue
        client = plist_str(entry.get("BundleId")) or str(key)
        # Keys are the bundle id, or "i"/"e" + a path for programs without one.
        if client.startswith(("i/", "e/")) and not entry.get("BundleId"):
            client = client[1:]
        path = plist_str(entry.get("BundlePath")) or plist_str(entry.get("Executable")) or ""
        out.append(LocationClient(client, bool(plist_bool(entry.get("Authorized"))), path))
    return out


def hidden_app_ids(target: Target) -> set[str]:
    """Bundle ids of installed apps that hide themselves (their problems are noted by macos.apps)."""
    return {b.info.bundle_id.lower() for b in find_app_bundles(target, Context())
            if b.info.hidden and b.info.bundle_id}


def in_hidden_folder(client: str) -> bool:
    """A program path with a folder whose name starts with a dot (hidden in Finder): /Users/ana/.x/agent."""
    return client.startswith("/") and any(part.startswith(".") for part in client.split("/")[:-1])


def is_bare_program(client: str) -> bool:
    """A grant held by a program path outside any app bundle: no app name, bundle id or icon to tell what it is.
    (Apple's own tools live under /System, /usr and /Library/Apple; those are named by the system.)"""
    if not client.startswith("/") or ".app/" in client.lower():
        return False
    return not client.startswith(("/System/", "/usr/", "/bin/", "/sbin/", "/Library/Apple/"))


class MacTcc(Collector):
    name = "macos.privacy"
    title = "Privacy permissions (camera, microphone, screen, keyboard, location)"
    platforms = ("macos",)

    def collect(self, target: Target, ctx: Context) -> Iterable[Artifact]:
        hidden = hidden_app_ids(target)
        databases = [(SYSTEM_TCC, "")] + [(f"{h.home}/{USER_TCC}", h.user) for h in user_homes(target)]
        for path, user in databases:
            if target.exists(path):
                yield from self._tcc(target, ctx, path, user, hidden)
        yield from self._location(target, ctx, hidden)

    def _tcc(self, target: Target, ctx: Context, path: str, user: str, hidden: set[str]) -> Iterable[Artifact]:
        try:
            conn = target.sqlite(path)
        except TargetError as exc:
            ctx.note(target.display_path(path), Message.of("note.tcc_unopenable", detail=err_detail(exc)))
            return
        for note in conn.notes:
            ctx.note(target.display_path(path), note)
        try:
            grants = read_tcc_grants(conn)
        except TccSchemaError as exc:
            ctx.note(target.display_path(path), Message.of("note.tcc_unreadable", detail=err_detail(exc)))
            return
        finally:
            conn.close()
        for g in grants:
            changed = unix_noted(ctx, target.display_path(path), g.modified_seconds, "changed", TCC_MODIFIED)
            yield make("permission", Location(path=path), service=g.service, app=g.client, allowed=g.allowed,
                       status=g.status, source="tcc", modified=g.modified, user=user or None,
                       app_hidden=g.client.lower() in hidden or in_hidden_folder(g.client),
                       app_unidentified=is_bare_program(g.client), times=[changed] if changed else None)

    def _location(self, target: Target, ctx: Context, hidden: set[str]) -> Iterable[Artifact]:
        # locationd keeps the switch in a by-host file (named after the hardware UUID, plus a
        # "notbackedup" twin); the first one that has it is reported.
        for prefs in target.glob(LOCATION_PREFS_GLOB):
            plist = read_plist_noted(target, ctx, prefs)
            on = plist_bool(plist.get("LocationServicesEnabled")) if isinstance(plist, dict) else None
            if on is not None:
                yield make("setting", Location(path=prefs), name="location_services", enabled=on,
                           value="on" if on else "off")
                break
        if not target.exists(LOCATION_CLIENTS):
            return
        plist = read_plist_noted(target, ctx, LOCATION_CLIENTS)
        if plist is None:
            return
        if not isinstance(plist, dict):
            ctx.note(LOCATION_CLIENTS, Message.of("note.location_clients_not_dict"))
            return
        for c in parse_location_clients(plist):
            yield make("permission", Location(path=LOCATION_CLIENTS), service="location", app=c.client,
                       allowed=c.allowed, status="allow" if c.allowed else "deny", source="locationd",
                       app_hidden=c.client.lower() in hidden)
