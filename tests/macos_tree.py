"""Build macOS disk-image trees for tests: real files from tests/data/realdata put where macOS keeps
them, plus property lists and TCC databases written with plistlib and sqlite3 in the real formats."""

from __future__ import annotations

import plistlib
import sqlite3
import struct
from collections.abc import Callable, Iterable
from datetime import datetime
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
    installs_behind_realdata(root)
    for name in ["cloudflare-default-https.signed.mobileconfig", "system-extension-policy.santa.example.mobileconfig",
                 "tcc.configuration-profile-policy.santa.example.mobileconfig"]:
        put_real(root, f"macos/profiles/{name}", f"Users/ana/Downloads/{name}")
    return root


def installs_behind_realdata(root: Path) -> None:
    """What the Macs the real plists come from also hold: the apps their jobs and login item run and
    the receipts of the packages that put them there (munki's make_munki_mpkg.sh: munkitools_core
    installs /usr/local/munki, munkitools_app the Managed Software Center app, munkitools_launchd the
    jobs; Santa ships as Santa.app with its system extension inside; iTunes came with old OS X)."""
    for rel, bundle_id, name in [
        ("Applications/Santa.app", "com.google.santa", "Santa"),
        ("Applications/Santa.app/Contents/Library/SystemExtensions/com.google.santa.daemon.systemextension",
         "com.google.santa.daemon", "com.google.santa.daemon"),
        ("Applications/Managed Software Center.app", "com.googlecode.munki.ManagedSoftwareCenter",
         "Managed Software Center"),
        ("Applications/iTunes.app", "com.apple.iTunes", "iTunes"),
    ]:
        write_plist(root, f"{rel}/Contents/Info.plist", {"CFBundleIdentifier": bundle_id, "CFBundleName": name})
    tools = ["/usr/local/munki/managedsoftwareupdate", "/usr/local/munki/libexec/launchapp"]
    for tool in tools:
        (root / tool.lstrip("/")).parent.mkdir(parents=True, exist_ok=True)
        (root / tool.lstrip("/")).write_bytes(b"#!/usr/local/munki/munki-python\n")
    write_receipt(root, "com.googlecode.munki.core", tools, "6.6.5.4711")
    write_receipt(root, "com.googlecode.munki.launchd", [
        "/Library/LaunchDaemons/com.googlecode.munki.managedsoftwareupdate-check.plist",
        "/Library/LaunchAgents/com.googlecode.munki.ManagedSoftwareCenter.plist",
        "/Library/LaunchAgents/com.googlecode.munki.MunkiStatus.plist"], "3.0.3265")


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


def make_bom(paths: Iterable[str]) -> bytes:
    """A bill-of-materials file as pkgbuild writes it (bomutils' bom.h layout): a Paths tree with one
    leaf node whose entries are (path info -> id, file -> parent id + name). The reader is also
    checked against a real BOM (tests/data/macos/receipts/Sample.bom)."""
    ids: dict[str, int] = {}
    entries: list[tuple[int, int, str]] = []  # (id, parent id, name)
    for full in paths:
        parts = full.strip("/").split("/")
        for i in range(len(parts)):
            key = "/".join(parts[:i + 1])
            if key not in ids:
                ids[key] = len(ids) + 1
                parent = ids["/".join(parts[:i])] if i else 0
                entries.append((ids[key], parent, parts[i]))
    blocks: list[bytes] = [b""]

    def add(data: bytes) -> int:
        blocks.append(data)
        return len(blocks) - 1

    pairs = []
    for path_id, parent, name in entries:
        info2 = add(bytes([1, 1]) + b"\0" * 29)
        info1 = add(struct.pack(">II", path_id, info2))
        file = add(struct.pack(">I", parent) + name.encode() + b"\0")
        pairs.append(struct.pack(">II", info1, file))
    leaf = add(struct.pack(">HHII", 1, len(pairs), 0, 0) + b"".join(pairs))
    tree = add(b"tree" + struct.pack(">IIII", 1, leaf, 4096, len(pairs)) + b"\0")
    body = bytearray()
    pointers = [(0, 0)]
    for data in blocks[1:]:
        pointers.append((512 + len(body), len(data)))
        body += data
    vars_offset = 512 + len(body)
    variables = struct.pack(">I", 1) + struct.pack(">IB", tree, 5) + b"Paths"
    index_offset = vars_offset + len(variables)
    index = struct.pack(">I", len(pointers)) + b"".join(struct.pack(">II", *p) for p in pointers) + struct.pack(">I", 0)
    header = b"BOMStore" + struct.pack(">6I", 1, len(blocks) - 1, index_offset, len(index), vars_offset,
                                         len(variables))
    return header.ljust(512, b"\0") + bytes(body) + variables + index


def write_receipt(root: Path, package_id: str, files: Iterable[str], version: str = "1.0",
                  prefix: str = "/") -> None:
    """/private/var/db/receipts/<id>.plist and .bom, as macOS's Installer leaves them."""
    base = root / "private/var/db/receipts"
    write_plist(root, f"private/var/db/receipts/{package_id}.plist", {
        "PackageIdentifier": package_id, "PackageVersion": version, "InstallPrefixPath": prefix,
        "InstallDate": datetime(2025, 3, 1, 10, 0, 0), "InstallProcessName": "installer"}, binary=True)
    (base / f"{package_id}.bom").write_bytes(make_bom("./" + f.lstrip("/") for f in files))


def write_app(root: Path, rel: str, bundle_id: str, name: str = "", executable: str = "",
              **extra: Any) -> Path:
    """An app (or other bundle) with its Info.plist and an executable file."""
    exe = executable or Path(rel).stem
    info = {"CFBundleIdentifier": bundle_id, "CFBundleName": name or Path(rel).stem,
            "CFBundleExecutable": exe, "CFBundleShortVersionString": "1.0", **extra}
    write_plist(root, f"{rel}/Contents/Info.plist", info)
    program = root / rel / "Contents/MacOS" / exe
    program.parent.mkdir(parents=True, exist_ok=True)
    program.write_bytes(b"\xcf\xfa\xed\xfe" + b"\0" * 28)  # a Mach-O header: a program, not a script
    return program


def write_job(root: Path, rel: str, label: str, args: list[str], binary: bool = False, **extra: Any) -> Path:
    return write_plist(root, rel, {"Label": label, "ProgramArguments": args, "RunAtLoad": True, **extra},
                       binary=binary)
