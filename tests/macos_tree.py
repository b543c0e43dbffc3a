"""Build macOS disk-image trees for tests: real files from tests/data/realdata put where macOS keeps
them, plus property lists and TCC databases written with plistlib and sqlite3 in the real formats."""

from __future__ import annotations

import plistlib
import sqlite3
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

from techcheck.artifacts import Artifact
from techcheck.collectors.base import Collector, Context
from techcheck.target.image import open_image
from tests.conftest import realdata

# The `access` table as macOS 13 (Ventura) and 14 (Sonoma) create it (schema published by
# https://entonos.com/2023/06/23/how-to-modify-tcc-on-macos and the Rainforest QA TCC deep dive).
ACCESS_TABLE_MACOS_14 = """
CREATE TABLE access (
    service        TEXT        NOT NULL,
    client         TEXT        NOT NULL,
    client_type    INTEGER     NOT NULL,
    auth_value     INTEGER     NOT NULL,
    auth_reason    INTEGER     NOT NULL,
    auth_version   INTEGER     NOT NULL,
    csreq          BLOB,
    policy_id      INTEGER,
    indirect_object_identifier_type    INTEGER,
    indirect_object_identifier         TEXT NOT NULL DEFAULT 'UNUSED',
    indirect_object_code_identity      BLOB,
    flags          INTEGER,
    last_modified  INTEGER     NOT NULL DEFAULT (CAST(strftime('%s','now') AS INTEGER)),
    pid            INTEGER,
    pid_version    INTEGER,
    boot_uuid      TEXT NOT NULL DEFAULT 'UNUSED',
    last_reminded  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (service, client, client_type, indirect_object_identifier),
    FOREIGN KEY (policy_id) REFERENCES policies(id) ON DELETE CASCADE ON UPDATE CASCADE)
"""
OTHER_TABLES = [
    "CREATE TABLE admin (key TEXT PRIMARY KEY NOT NULL, value INTEGER NOT NULL)",
    "CREATE TABLE policies (id INTEGER NOT NULL PRIMARY KEY, bundle_id TEXT NOT NULL, uuid TEXT NOT NULL, "
    "display TEXT NOT NULL, UNIQUE (bundle_id, uuid))",
]


def make_tcc_db(path: Path, rows: Iterable[tuple[str, str, int, int, int, int]]) -> Path:
    """A TCC.db with the macOS 13/14 layout; rows = (service, client, client_type, auth_value,
    auth_reason, last_modified)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path)
    try:
        for sql in [*OTHER_TABLES, ACCESS_TABLE_MACOS_14]:
            conn.execute(sql)
        conn.execute("INSERT INTO admin VALUES ('version', 27)")
        conn.executemany(
            "INSERT INTO access (service, client, client_type, auth_value, auth_reason, auth_version, "
            "last_modified) VALUES (?, ?, ?, ?, ?, 1, ?)", list(rows))
        conn.commit()
    finally:
        conn.close()
    return path


def write_plist(root: Path, rel: str, value: Any, binary: bool = False) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(plistlib.dumps(value, fmt=plistlib.FMT_BINARY if binary else plistlib.FMT_XML))
    return path


def put_real(root: Path, rel_real: str, rel_image: str) -> Path:
    dest = root / rel_image
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_bytes(realdata(rel_real).read_bytes())
    return dest


def mac_skeleton(root: Path, users: Iterable[str] = ("ana",)) -> Path:
    for d in ["System/Library/LaunchDaemons", "Library/LaunchDaemons", "Applications", "private/var/db"]:
        (root / d).mkdir(parents=True, exist_ok=True)
    for user in users:
        (root / "Users" / user / "Library/Preferences").mkdir(parents=True, exist_ok=True)
    return root


def realdata_mac(root: Path) -> Path:
    """A macOS image holding every real macOS artifact from realdata where macOS keeps it."""
    mac_skeleton(root)
    for name in ["com.google.santad.plist", "com.googlecode.munki.managedsoftwareupdate-check.plist"]:
        put_real(root, f"macos/LaunchDaemons/{name}", f"Library/LaunchDaemons/{name}")
    put_real(root, "macos/LaunchDaemons/com.apple.mDNSResponder.plist",
             "System/Library/LaunchDaemons/com.apple.mDNSResponder.plist")
    for name in ["com.google.santa.plist", "com.googlecode.munki.ManagedSoftwareCenter.plist",
                 "com.googlecode.munki.MunkiStatus.plist"]:
        put_real(root, f"macos/LaunchAgents/{name}", f"Library/LaunchAgents/{name}")
    put_real(root, "macos/com.apple.loginitems.plist", "Users/ana/Library/Preferences/com.apple.loginitems.plist")
    put_real(root, "macos/apps/Autoupdate.app/Contents/Info.plist",
             "Applications/Autoupdate.app/Contents/Info.plist")
    put_real(root, "macos/TCC.db", "Users/ana/Library/Application Support/com.apple.TCC/TCC.db")
    for name in ["cloudflare-default-https.signed.mobileconfig", "system-extension-policy.santa.example.mobileconfig",
                 "tcc.configuration-profile-policy.santa.example.mobileconfig"]:
        put_real(root, f"macos/profiles/{name}", f"Users/ana/Downloads/{name}")
    return root


def collect(collector: type[Collector], root: Path) -> tuple[list[Artifact], Context]:
    target = open_image(str(root))
    assert target.os == "macos"
    ctx = Context()
    return list(collector().collect(target, ctx)), ctx


T = TypeVar("T")


def only(items: list[T], pred: Callable[[T], bool]) -> T:
    """The one item that passes pred (fails the test when there are none or several)."""
    found = [a for a in items if pred(a)]
    assert len(found) == 1, found
    return found[0]
