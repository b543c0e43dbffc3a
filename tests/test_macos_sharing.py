"""Sharing services from launchd's override file and ARD's trigger file; Apple Account and Find My."""

from __future__ import annotations

from pathlib import Path

from techcheck.collectors.macos.sharing import MacSharing, parse_mobileme_accounts, sharing_from_overrides
from tests.conftest import write
from tests.macos_tree import collect, mac_skeleton, only, write_plist

OVERRIDES = "private/var/db/com.apple.xpc.launchd/disabled.plist"
MOBILEME = "Users/ana/Library/Preferences/MobileMeAccounts.plist"


def test_sharing_from_overrides() -> None:
    assert sharing_from_overrides({"com.apple.screensharing": False, "com.openssh.sshd": True}) == {
        "screen_sharing": True, "ssh_server": False, "remote_apple_events": None}


def settings(arts: list) -> dict[str, tuple[bool, str]]:  # type: ignore[type-arg]
    return {a.get("name"): (a.get("enabled"), a.get("detail") or "") for a in arts if a.kind == "setting"}


def test_image_sharing_switches(tmp_path: Path) -> None:
    root = mac_skeleton(tmp_path / "img")
    write_plist(root, OVERRIDES, {"com.apple.screensharing": False, "com.openssh.sshd": True,
                                  "com.apple.ftpd": True}, binary=True)
    write(root, "Library/Application Support/Apple/Remote Desktop/RemoteManagement.launchd", "enabled\n")
    write_plist(root, "Library/Preferences/com.apple.RemoteManagement.plist",
                {"ARD_AllLocalUsers": True, "ARD_AllLocalUsersPrivs": 1073742079})
    arts, _ = collect(MacSharing, root)
    got = settings(arts)
    assert got["screen_sharing"] == (True, "launchd switch for com.apple.screensharing")
    assert got["ssh_server"] == (False, "launchd switch for com.openssh.sshd")
    assert got["remote_apple_events"] == (False, "no switch recorded; off unless turned on")
    assert got["remote_management"] == (True, "all local users may connect")


def test_fresh_mac_everything_off_and_find_my_unknown_is_noted(tmp_path: Path) -> None:
    root = mac_skeleton(tmp_path / "img")
    arts, ctx = collect(MacSharing, root)
    assert {k: v[0] for k, v in settings(arts).items()} == {
        "screen_sharing": False, "ssh_server": False, "remote_apple_events": False, "remote_management": False}
    note = only(ctx.notes, lambda n: n.path == "Find My Mac")
    assert "NVRAM" in note.message


def test_old_ard_trigger_and_broken_override_file(tmp_path: Path) -> None:
    root = mac_skeleton(tmp_path / "img")
    write(root, "private/etc/RemoteManagement.launchd", "enabled\n")
    write(root, OVERRIDES, "<plist><dict><key>com.apple.screensharing</key>")
    arts, ctx = collect(MacSharing, root)
    assert settings(arts) == {"remote_management": (True, "")}  # the launchd ones are unknown, not "off"
    assert any(n.path == "/" + OVERRIDES and "sharing settings are unknown" in n.message for n in ctx.notes)


def mobileme(find_my: bool | None) -> dict[str, object]:
    services: list[dict[str, object]] = [{"Name": "CLOUDDESKTOP", "Enabled": True}]
    if find_my is not None:
        services.append({"Name": "FIND_MY_MAC", "Enabled": find_my, "ServiceID": "com.apple.Dataclass.DeviceLocator"})
    return {"Accounts": [{"AccountID": "ana.garcia@icloud.com", "DisplayName": "Ana Garcia", "LoggedIn": True,
                          "AccountDSID": "1234567890", "Services": services}]}


def test_parse_mobileme_accounts() -> None:
    [acc] = parse_mobileme_accounts(mobileme(True))
    assert (acc.account_id, acc.display_name, acc.logged_in, acc.find_my_mac) == (
        "ana.garcia@icloud.com", "Ana Garcia", True, True)
    assert parse_mobileme_accounts({"Accounts": "nope"}) == [] and parse_mobileme_accounts(None) == []


def test_image_apple_account_and_find_my(tmp_path: Path) -> None:
    root = mac_skeleton(tmp_path / "img")
    write_plist(root, MOBILEME, mobileme(True), binary=True)
    arts, ctx = collect(MacSharing, root)
    assert not [n for n in ctx.notes if n.path == "Find My Mac"]
    acc = only(arts, lambda a: a.kind == "account")
    assert acc.fields == {"account_type": "apple_id", "name": "Ana Garcia", "email": "ana.garcia@icloud.com",
                          "uid": "ana.garcia@icloud.com", "user": "ana", "can_login": True}
    fm = only(arts, lambda a: a.get("name") == "find_my")
    assert (fm.get("enabled"), fm.get("user")) == (True, "ana")


def test_broken_mobileme_is_noted(tmp_path: Path) -> None:
    root = mac_skeleton(tmp_path / "img")
    write(root, MOBILEME, b"bplist00\xff")
    arts, ctx = collect(MacSharing, root)
    assert not [a for a in arts if a.kind == "account"]
    assert any(n.path == "/" + MOBILEME for n in ctx.notes)
