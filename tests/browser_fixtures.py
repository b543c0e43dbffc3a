"""Browser profile files in their real formats, for tests: Chromium History, Firefox places.sqlite,
permissions.sqlite and extensions.json. The SQL is the browsers' own table layout (columns the
collectors do not read are kept, so the queries run against the real shape)."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path
from typing import Any

from techcheck.artifacts import Artifact
from techcheck.collectors.base import Collector, Context
from techcheck.target.image import open_image

CHROME_HISTORY_SCHEMA = """
CREATE TABLE meta(key LONGVARCHAR NOT NULL UNIQUE PRIMARY KEY, value LONGVARCHAR);
CREATE TABLE urls(id INTEGER PRIMARY KEY AUTOINCREMENT, url LONGVARCHAR, title LONGVARCHAR,
  visit_count INTEGER DEFAULT 0 NOT NULL, typed_count INTEGER DEFAULT 0 NOT NULL,
  last_visit_time INTEGER NOT NULL, hidden INTEGER DEFAULT 0 NOT NULL);
CREATE TABLE visits(id INTEGER PRIMARY KEY AUTOINCREMENT, url INTEGER NOT NULL, visit_time INTEGER NOT NULL,
  from_visit INTEGER, transition INTEGER DEFAULT 0 NOT NULL, segment_id INTEGER,
  visit_duration INTEGER DEFAULT 0 NOT NULL, incremented_omnibox_typed_score BOOLEAN DEFAULT FALSE NOT NULL);
CREATE TABLE downloads (id INTEGER PRIMARY KEY, guid VARCHAR NOT NULL, current_path LONGVARCHAR NOT NULL,
  target_path LONGVARCHAR NOT NULL, start_time INTEGER NOT NULL, received_bytes INTEGER NOT NULL,
  total_bytes INTEGER NOT NULL, state INTEGER NOT NULL, danger_type INTEGER NOT NULL,
  interrupt_reason INTEGER NOT NULL, hash BLOB NOT NULL, end_time INTEGER NOT NULL, opened INTEGER NOT NULL,
  last_access_time INTEGER NOT NULL, transient INTEGER NOT NULL, referrer VARCHAR NOT NULL,
  site_url VARCHAR NOT NULL, tab_url VARCHAR NOT NULL, tab_referrer_url VARCHAR NOT NULL,
  http_method VARCHAR NOT NULL, by_ext_id VARCHAR NOT NULL, by_ext_name VARCHAR NOT NULL,
  etag VARCHAR NOT NULL, last_modified VARCHAR NOT NULL, mime_type VARCHAR(255) NOT NULL,
  original_mime_type VARCHAR(255) NOT NULL);
CREATE TABLE downloads_url_chains (id INTEGER NOT NULL, chain_index INTEGER NOT NULL,
  url LONGVARCHAR NOT NULL, PRIMARY KEY (id, chain_index));
"""

FIREFOX_PLACES_SCHEMA = """
CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url LONGVARCHAR, title LONGVARCHAR, rev_host LONGVARCHAR,
  visit_count INTEGER DEFAULT 0, hidden INTEGER DEFAULT 0 NOT NULL, typed INTEGER DEFAULT 0 NOT NULL,
  frecency INTEGER DEFAULT -1 NOT NULL, last_visit_date INTEGER, guid TEXT,
  foreign_count INTEGER DEFAULT 0 NOT NULL, url_hash INTEGER DEFAULT 0 NOT NULL, description TEXT,
  preview_image_url TEXT, site_name TEXT, origin_id INTEGER REFERENCES moz_origins(id));
CREATE TABLE moz_historyvisits (id INTEGER PRIMARY KEY, from_visit INTEGER, place_id INTEGER,
  visit_date INTEGER, visit_type INTEGER, session INTEGER, source INTEGER DEFAULT 0 NOT NULL,
  triggeringPlaceId INTEGER);
CREATE TABLE moz_anno_attributes (id INTEGER PRIMARY KEY, name VARCHAR(32) UNIQUE NOT NULL);
CREATE TABLE moz_annos (id INTEGER PRIMARY KEY, place_id INTEGER NOT NULL, anno_attribute_id INTEGER,
  content LONGVARCHAR, flags INTEGER DEFAULT 0, expiration INTEGER DEFAULT 0, type INTEGER DEFAULT 0,
  dateAdded INTEGER DEFAULT 0, lastModified INTEGER DEFAULT 0);
"""

FIREFOX_PERMISSIONS_SCHEMA = """
CREATE TABLE moz_perms (id INTEGER PRIMARY KEY, origin TEXT, type TEXT, permission INTEGER,
  expireType INTEGER, expireTime INTEGER, modificationTime INTEGER);
"""

_WEBKIT_EPOCH = dt.datetime(1601, 1, 1, tzinfo=dt.timezone.utc)


def webkit(iso: str) -> int:
    return int((dt.datetime.fromisoformat(iso) - _WEBKIT_EPOCH).total_seconds() * 1_000_000)


def unix_us(iso: str) -> int:
    return int(dt.datetime.fromisoformat(iso).timestamp() * 1_000_000)


def _new_db(path: Path, schema: str) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path)
    conn.executescript(schema)
    return conn


def chrome_history(path: Path, visits: list[tuple[str, str, str]],
                   downloads: list[tuple[str, str, list[str]]] | None = None) -> Path:
    """visits: (url, title, iso time); downloads: (target path, iso time, url chain)."""
    conn = _new_db(path, CHROME_HISTORY_SCHEMA)
    for url, title, when in visits:
        cur = conn.execute("INSERT INTO urls(url, title, visit_count, last_visit_time) VALUES (?, ?, 1, ?)",
                           (url, title, webkit(when)))
        conn.execute("INSERT INTO visits(url, visit_time) VALUES (?, ?)", (cur.lastrowid, webkit(when)))
    for i, (target, when, chain) in enumerate(downloads or [], start=1):
        conn.execute(
            "INSERT INTO downloads VALUES (?, ?, ?, ?, ?, 0, 0, 1, 0, 0, x'', ?, 0, 0, 0, '', '', '', '', 'GET', "
            "'', '', '', '', 'application/octet-stream', 'application/octet-stream')",
            (i, f"guid-{i}", target, target, webkit(when), webkit(when)))
        for index, url in enumerate(chain):
            conn.execute("INSERT INTO downloads_url_chains VALUES (?, ?, ?)", (i, index, url))
    conn.commit()
    conn.close()
    return path


def firefox_places(path: Path, visits: list[tuple[str, str, str]],
                   downloads: list[tuple[str, str, str]] | None = None) -> Path:
    """visits: (url, title, iso time); downloads: (url, destination file URI, iso time)."""
    conn = _new_db(path, FIREFOX_PLACES_SCHEMA)
    conn.execute("INSERT INTO moz_anno_attributes(id, name) VALUES (1, 'downloads/destinationFileURI')")
    for url, title, when in visits:
        cur = conn.execute("INSERT INTO moz_places(url, title, visit_count, last_visit_date) VALUES (?, ?, 1, ?)",
                           (url, title, unix_us(when)))
        conn.execute("INSERT INTO moz_historyvisits(place_id, visit_date, visit_type) VALUES (?, ?, 1)",
                     (cur.lastrowid, unix_us(when)))
    for url, dest, when in downloads or []:
        cur = conn.execute("INSERT INTO moz_places(url, title, visit_count, last_visit_date) VALUES (?, '', 1, ?)",
                           (url, unix_us(when)))
        conn.execute("INSERT INTO moz_annos(place_id, anno_attribute_id, content, dateAdded) VALUES (?, 1, ?, ?)",
                     (cur.lastrowid, dest, unix_us(when)))
    conn.commit()
    conn.close()
    return path


def firefox_permissions(path: Path, rows: list[tuple[str, str, int]]) -> Path:
    """rows: (origin, type, permission 1=allow 2=deny)."""
    conn = _new_db(path, FIREFOX_PERMISSIONS_SCHEMA)
    for origin, kind, permission in rows:
        conn.execute("INSERT INTO moz_perms(origin, type, permission, expireType, expireTime, modificationTime) "
                     "VALUES (?, ?, ?, 0, 0, 1700000000000)", (origin, kind, permission))
    conn.commit()
    conn.close()
    return path


def firefox_addon(addon_id: str, name: str, location: str = "app-profile", active: bool = True,
                  permissions: list[str] | None = None, origins: list[str] | None = None,
                  source: str = "amo", addon_type: str = "extension") -> dict[str, Any]:
    """One extensions.json "addons" entry with the keys Firefox writes."""
    return {
        "id": addon_id, "syncGUID": "{0f1e2d3c}", "version": "1.2.3", "type": addon_type, "loader": None,
        "updateURL": None, "manifestVersion": 2,
        "defaultLocale": {"name": name, "description": "", "creator": "someone"},
        "visible": True, "active": active, "userDisabled": not active, "appDisabled": False,
        "installDate": 1700000000000, "updateDate": 1700000000000, "applyBackgroundUpdates": 1,
        "path": f"/home/x/.mozilla/firefox/p/extensions/{addon_id}.xpi", "skinnable": False,
        "sourceURI": "https://addons.mozilla.org/firefox/downloads/file/1/x.xpi", "foreignInstall": False,
        "signedState": 2 if location == "app-profile" else 3, "seen": True, "dependencies": [],
        "incognito": "spanning",
        "userPermissions": {"permissions": permissions or [], "origins": origins or []},
        "optionalPermissions": {"permissions": [], "origins": []},
        "installTelemetryInfo": {"source": source, "method": "amWebAPI"},
        "location": location,
    }


def write_json(path: Path, data: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def linux_image(root: Path, *users: str) -> Path:
    """A Linux disk-image folder with these people in /etc/passwd (ids from 1000) and their homes."""
    lines = [f"{u}:x:{1000 + i}:{1000 + i}::/home/{u}:/bin/bash\n" for i, u in enumerate(users)]
    (root / "etc").mkdir(parents=True, exist_ok=True)
    (root / "etc/passwd").write_text("".join(lines), encoding="utf-8")
    (root / "usr").mkdir(exist_ok=True)
    for user in users:
        (root / "home" / user).mkdir(parents=True, exist_ok=True)
    return root


def run_collector(collector: Collector, root: Path) -> tuple[list[Artifact], Context]:
    """Run one collector on a disk-image folder: its artifacts and its notes."""
    ctx = Context()
    return list(collector.collect(open_image(str(root)), ctx)), ctx
