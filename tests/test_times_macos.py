"""macOS times (issue 16 part 1): an app's install time from its installer receipt and from
InstallHistory.plist (the App Store's apps have only the latter), its folder's modification time as a
change, and an account's creation and password times from its dslocal record. Planted disk copies,
exact values and kinds."""

from __future__ import annotations

import datetime as dt
import os
import plistlib
from pathlib import Path

from techcheck.collectors.macos.accounts import MacAccounts
from techcheck.collectors.macos.apps import MacApps
from techcheck.collectors.macos.receipts import parse_install_history
from tests.macos_tree import collect, mac_skeleton, only, write_app, write_plist, write_receipt

UTC = dt.timezone.utc
BUNDLE_MTIME = dt.datetime(2025, 3, 2, 8, 0, tzinfo=UTC)
DSLOCAL = "private/var/db/dslocal/nodes/Default"


def kinds(art: object) -> list[tuple[str, str, str]]:
    return [(t.to_dict()["time"], t.kind, str(t.source)) for t in art.get("times") or []]  # type: ignore[attr-defined]


def mac_with_apps(root: Path) -> Path:
    mac_skeleton(root)
    write_app(root, "Applications/Remote Helper.app", "com.example.remotehelper", "Remote Helper")
    write_receipt(root, "com.example.remotehelper.pkg", ["Applications/Remote Helper.app",
                                                         "Applications/Remote Helper.app/Contents/Info.plist"])
    write_app(root, "Applications/Notes Pro.app", "com.example.notespro", "Notes Pro")  # from the App Store
    write_plist(root, "Library/Receipts/InstallHistory.plist", [
        {"date": dt.datetime(2024, 11, 5, 18, 30), "displayName": "Notes Pro", "displayVersion": "2.0",
         "packageIdentifiers": ["com.example.notespro"], "processName": "appstoreagent"},
        {"date": dt.datetime(2025, 2, 1, 9, 0), "displayName": "Notes Pro", "displayVersion": "2.1",
         "packageIdentifiers": ["com.example.notespro"], "processName": "appstoreagent"},
        {"date": dt.datetime(1980, 1, 1), "displayName": "Notes Pro", "packageIdentifiers": []},  # damage
        {"date": "not a date", "displayName": "Broken"}, "not an entry",
        {"date": dt.datetime(2025, 3, 1, 10, 0), "displayName": "Remote Helper",
         "packageIdentifiers": ["com.example.remotehelper.pkg"], "processName": "Installer"},
    ])
    for bundle in ("Remote Helper.app", "Notes Pro.app"):
        folder = root / "Applications" / bundle
        os.utime(folder, (BUNDLE_MTIME.timestamp(), BUNDLE_MTIME.timestamp()))
    return root


def test_app_install_times_from_receipt_and_install_history(tmp_path: Path) -> None:
    arts, ctx = collect(MacApps, mac_with_apps(tmp_path / "mac"))
    helper = only(arts, lambda a: a.kind == "app" and a.get("bundle_id") == "com.example.remotehelper")
    assert kinds(helper) == [
        ("2025-03-02T08:00:00+00:00", "changed", "file modification time"),
        ("2025-03-01T10:00:00+00:00", "installed", "installer receipt"),
        ("2025-03-01T10:00:00+00:00", "installed", "InstallHistory.plist")]
    notes = only(arts, lambda a: a.kind == "app" and a.get("bundle_id") == "com.example.notespro")
    assert kinds(notes) == [
        ("2025-03-02T08:00:00+00:00", "changed", "file modification time"),
        ("2024-11-05T18:30:00+00:00", "installed", "InstallHistory.plist"),
        ("2025-02-01T09:00:00+00:00", "changed", "InstallHistory.plist: the latest install or update")]
    assert not any(t.kind == "installed" and str(t.source) == "file modification time"
                   for a in arts for t in a.get("times") or [])


def test_install_history_is_bounded_and_damage_is_a_note(tmp_path: Path) -> None:
    entries = parse_install_history(plistlib.dumps([{"date": dt.datetime(2025, 1, 1), "displayName": "A"}] * 30_000))
    assert len(entries) == 20_000
    root = mac_with_apps(tmp_path / "mac")
    (root / "Library/Receipts/InstallHistory.plist").write_bytes(b"bplist00 broken")
    arts, ctx = collect(MacApps, root)
    assert any(n.path == "/Library/Receipts/InstallHistory.plist" and "could not decode the install history" in
               n.message for n in ctx.notes)
    notes = only(arts, lambda a: a.kind == "app" and a.get("bundle_id") == "com.example.notespro")
    assert [t.kind for t in notes.get("times")] == ["changed"]


def test_account_creation_and_password_times(tmp_path: Path) -> None:
    root = mac_skeleton(tmp_path / "mac")
    created = dt.datetime(2024, 3, 1, 21, 14, 5, tzinfo=UTC).timestamp()
    password = dt.datetime(2024, 3, 4, 8, 30, tzinfo=UTC).timestamp()
    record = {"name": ["helper"], "uid": ["502"], "shell": ["/bin/zsh"], "realname": ["Helper"],
              "home": ["/Users/helper"], "ShadowHashData": [b"x"],
              "accountPolicyData": [plistlib.dumps({"creationTime": created, "passwordLastSetTime": password,
                                                    "failedLoginCount": 0})]}
    write_plist(root, f"{DSLOCAL}/users/helper.plist", record, binary=True)
    broken = dict(record, name=["olduser"], accountPolicyData=[plistlib.dumps({"creationTime": 0.0})])
    write_plist(root, f"{DSLOCAL}/users/olduser.plist", broken, binary=True)
    arts, ctx = collect(MacAccounts, root)
    helper = only(arts, lambda a: a.get("name") == "helper")
    assert kinds(helper) == [
        ("2024-03-01T21:14:05+00:00", "created", "account record creationTime (accountPolicyData)"),
        ("2024-03-04T08:30:00+00:00", "changed",
         "account record passwordLastSetTime (accountPolicyData): password last set")]
    old = only(arts, lambda a: a.get("name") == "olduser")
    assert old.get("times") is None
    assert any("1970-01-01" in n.message and "before 1995" in n.message for n in ctx.notes)
