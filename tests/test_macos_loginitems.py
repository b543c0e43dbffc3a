"""Login items: the real legacy binary plist with its Alias record, and the BTM store (NSKeyedArchiver)."""

from __future__ import annotations

import plistlib
import struct
from pathlib import Path
from plistlib import UID
from typing import Any

import pytest

from techcheck.collectors.macos.loginitems import (
    ArchiveError,
    MacLoginItems,
    alias_fields,
    alias_path,
    bookmark_components,
    bookmark_path,
    parse_btm,
    parse_legacy_loginitems,
    unarchive,
)
from tests.conftest import realdata, write
from tests.macos_tree import collect, mac_skeleton, only, put_real


def test_real_legacy_login_items_binary_plist() -> None:
    data = realdata("macos/com.apple.loginitems.plist").read_bytes()
    assert data.startswith(b"bplist00")
    items = parse_legacy_loginitems(data)
    assert len(items) == 1
    item = items[0]
    assert item.name == "iTunesHelper"
    assert item.path == "/Applications/iTunes.app/Contents/MacOS/iTunesHelper.app"
    assert item.hidden is True


def test_real_alias_record_fields() -> None:
    raw = plistlib.loads(realdata("macos/com.apple.loginitems.plist").read_bytes())
    alias = raw["SessionItems"]["CustomListItems"][0]["Alias"]
    fields = alias_fields(alias)
    assert fields[18] == b"Applications/iTunes.app/Contents/MacOS/iTunesHelper.app"
    assert fields[19] == b"/"
    assert fields[14][2:].decode("utf-16-be") == "iTunesHelper.app"  # length-prefixed UTF-16 name
    assert fields[15][2:].decode("utf-16-be") == "Macintosh HD"


def test_alias_garbage_and_bookmark_fallback() -> None:
    assert alias_path(b"") == "" and alias_path(b"\x00" * 7) == ""
    assert alias_path(b"\x00\x00\x00\x00\x00\x20\x00\x09" + b"\xff" * 40) == ""  # unknown version
    data = plistlib.dumps({"SessionItems": {"CustomListItems": [{
        "Name": "Helper", "CustomItemProperties": {
            "com.apple.LSSharedFileList.Binding": b"dnib\x00\x00file:///Users/Shared/My%20Helper.app/\x00"}}]}})
    assert parse_legacy_loginitems(data)[0].path == "/Users/Shared/My Helper.app"


def archive(top: dict[str, Any], objects: list[Any]) -> bytes:
    return plistlib.dumps({"$archiver": "NSKeyedArchiver", "$version": 100000, "$top": top, "$objects": objects},
                          fmt=plistlib.FMT_BINARY)


def btm_archive() -> bytes:
    """A BackgroundItems-v4.btm-shaped archive: Storage -> itemsByUserIdentifier -> [ItemRecord]."""
    objs: list[Any] = [
        "$null",
        {"$class": UID(2), "itemsByUserIdentifier": UID(3), "mdmPayloadsByIdentifier": UID(20)},  # 1 Storage
        {"$classname": "Storage", "$classes": ["Storage", "NSObject"]},  # 2
        {"$class": UID(6), "NS.keys": [UID(4)], "NS.objects": [UID(5)]},  # 3 NSDictionary
        "7B4E3F9A-0000-4000-8000-0000000001F5",  # 4 user UUID
        {"$class": UID(7), "NS.objects": [UID(8), UID(14)]},  # 5 NSArray of records
        {"$classname": "NSDictionary", "$classes": ["NSDictionary", "NSObject"]},  # 6
        {"$classname": "NSArray", "$classes": ["NSArray", "NSObject"]},  # 7
        {"$class": UID(9), "name": UID(10), "identifier": UID(11), "url": UID(12), "type": 4,  # 8 login item
         "disposition": 11, "developerName": UID(13), "executablePath": UID(0)},
        {"$classname": "ItemRecord", "$classes": ["ItemRecord", "NSObject"]},  # 9
        "Notes Helper",  # 10
        "2.com.example.noteshelper",  # 11
        {"$class": UID(19), "NS.base": UID(0), "NS.relative": UID(18)},  # 12 NSURL
        "Example Ltd",  # 13
        {"$class": UID(9), "name": UID(15), "identifier": UID(16), "executablePath": UID(17), "type": 8,  # 14 agent
         "disposition": 7, "teamIdentifier": "ABCDE12345"},
        "sync agent",  # 15
        "16.com.example.sync",  # 16
        "/Users/Shared/.sync/agent",  # 17
        "file:///Applications/Notes%20Helper.app/",  # 18
        {"$classname": "NSURL", "$classes": ["NSURL", "NSObject"]},  # 19
        {"$class": UID(6), "NS.keys": [], "NS.objects": []},  # 20
    ]
    return archive({"store": UID(1)}, objs)


def test_btm_items_decoded() -> None:
    items = parse_btm(btm_archive())
    assert [(i.name, i.mechanism, i.enabled, i.hidden) for i in items] == [
        ("Notes Helper", "login_item", True, False), ("sync agent", "launch_agent", True, True)]
    login, agent = items
    assert login.url == "file:///Applications/Notes%20Helper.app/"
    assert login.developer == "Example Ltd" and login.user_uuid == "7B4E3F9A-0000-4000-8000-0000000001F5"
    assert agent.executable == "/Users/Shared/.sync/agent" and agent.team_id == "ABCDE12345"


def test_unarchive_survives_cycles_and_bad_references() -> None:
    objs = ["$null", {"$class": UID(2), "self": UID(1), "missing": UID(99)}, {"$classname": "Loop"}]
    tree = unarchive(plistlib.loads(archive({"root": UID(1)}, objs)))
    assert tree["root"]["$class"] == "Loop" and tree["root"]["self"] is None and tree["root"]["missing"] is None


@pytest.mark.parametrize("data", [plistlib.dumps({"a": 1}), archive({"other": UID(0)}, ["$null"]),
                                  archive({"store": UID(1)}, ["$null", {"$class": UID(2)}, {"$classname": "S"}])])
def test_btm_without_store_raises(data: bytes) -> None:
    with pytest.raises(ArchiveError):
        parse_btm(data)


def test_image_login_items_and_btm(tmp_path: Path) -> None:
    root = mac_skeleton(tmp_path / "img")
    put_real(root, "macos/com.apple.loginitems.plist", "Users/ana/Library/Preferences/com.apple.loginitems.plist")
    btm = root / "private/var/db/com.apple.backgroundtaskmanagement"
    write(btm, "BackgroundItems-v4.btm", btm_archive())
    write(btm, "BackgroundItems-v3.btm", b"old and broken")  # older format next to it: not read
    arts, ctx = collect(MacLoginItems, root)
    assert ctx.notes == []
    legacy = only(arts, lambda a: a.get("name") == "iTunesHelper")
    assert (legacy.get("mechanism"), legacy.get("user"), legacy.get("hidden"), legacy.get("exe_name")) == (
        "login_item", "ana", True, "ituneshelper.app")
    notes = only(arts, lambda a: a.get("name") == "Notes Helper")
    assert notes.get("exe") == "/Applications/Notes Helper.app" and notes.get("description") == "Example Ltd"
    agent = only(arts, lambda a: a.get("name") == "sync agent")
    assert agent.get("mechanism") == "launch_agent" and agent.get("exe") == "/Users/Shared/.sync/agent"
    assert agent.location.path == "/private/var/db/com.apple.backgroundtaskmanagement/BackgroundItems-v4.btm"


def test_undecodable_btm_and_broken_login_items_give_notes(tmp_path: Path) -> None:
    root = mac_skeleton(tmp_path / "img")
    write(root, "Users/ana/Library/Preferences/com.apple.loginitems.plist", b"bplist00\x00broken")
    write(root, "private/var/db/com.apple.backgroundtaskmanagement/BackgroundItems-v9.btm",
          plistlib.dumps({"not": "an archive"}, fmt=plistlib.FMT_BINARY))
    arts, ctx = collect(MacLoginItems, root)
    assert arts == []
    msgs = {n.path: n.message for n in ctx.notes}
    assert "could not decode login items" in msgs["/Users/ana/Library/Preferences/com.apple.loginitems.plist"]
    btm_note = msgs["/private/var/db/com.apple.backgroundtaskmanagement/BackgroundItems-v9.btm"]
    assert "could not decode the background items store" in btm_note and "not listed" in btm_note


def make_bookmark(parts: list[str]) -> bytes:
    """A bookmark laid out as documented (mac_alias bookmark format, Michael Lynn's "BookmarkData
    exposed"): 48-byte header, data area with the TOC offset, string records, the path array, the TOC."""
    body = bytearray(b"\0\0\0\0")  # data area: offset of the first TOC, filled in below
    offsets = []
    for part in parts:
        raw = part.encode()
        offsets.append(len(body))
        body += struct.pack("<II", len(raw), 0x0101) + raw + b"\0" * (-len(raw) % 4)
    array_at = len(body)
    body += struct.pack("<II", 4 * len(offsets), 0x0601) + struct.pack(f"<{len(offsets)}I", *offsets)
    toc_at = len(body)
    body += struct.pack("<IIIII", 32, 0xFFFFFFFE, 1, 0, 1) + struct.pack("<III", 0x1004, array_at, 0)
    body[0:4] = struct.pack("<I", toc_at)
    header = b"book" + struct.pack("<I", 48 + len(body)) + b"\x00\x00\x04\x10" + struct.pack("<I", 48) + b"\0" * 32
    return header + bytes(body)


def test_bookmark_components() -> None:
    mark = make_bookmark(["Applications", "Dropbox.app"])
    assert bookmark_components(mark) == ["Applications", "Dropbox.app"]
    assert bookmark_path(mark) == "/Applications/Dropbox.app"
    assert bookmark_components(mark[:70]) == []  # truncated: nothing, no crash
    assert bookmark_components(b"book" + b"\xff" * 60) == []
    assert bookmark_path(b"junk file:///Users/Shared/x%20y junk") == "/Users/Shared/x y"


def sfl2_archive() -> bytes:
    """SessionLoginItems.sfl2 shape: root dict -> items [ {Name, Bookmark, ...} ]."""
    objs: list[Any] = [
        "$null",
        {"$class": UID(3), "NS.keys": [UID(2)], "NS.objects": [UID(4)]},  # 1 root dictionary
        "items",  # 2
        {"$classname": "NSDictionary", "$classes": ["NSDictionary", "NSObject"]},  # 3
        {"$class": UID(5), "NS.objects": [UID(6)]},  # 4 items array
        {"$classname": "NSArray", "$classes": ["NSArray", "NSObject"]},  # 5
        {"$class": UID(3), "NS.keys": [UID(7), UID(8)], "NS.objects": [UID(9), UID(10)]},  # 6 one item
        "Name", "Bookmark", "Dropbox", make_bookmark(["Applications", "Dropbox.app"]),  # 7-10
    ]
    return archive({"root": UID(1)}, objs)


def agent_btm_archive() -> bytes:
    """backgrounditems.btm shape (macOS 10.13-12): backgroundItems -> allContainers ->
    internalItems -> bookmark -> data."""
    objs: list[Any] = [
        "$null",
        {"$class": UID(2), "backgroundItems": UID(3), "version": 2},  # 1
        {"$classname": "BackgroundItems"},  # 2
        {"$class": UID(2), "allContainers": UID(4)},  # 3
        {"$class": UID(5), "NS.objects": [UID(6)]},  # 4
        {"$classname": "NSArray"},  # 5
        {"$class": UID(7), "internalItems": UID(8)},  # 6 container
        {"$classname": "Container"},  # 7
        {"$class": UID(5), "NS.objects": [UID(9)]},  # 8
        {"$class": UID(10), "bookmark": UID(11), "name": UID(13)},  # 9 item
        {"$classname": "BackgroundItem"},  # 10
        {"$class": UID(12), "data": make_bookmark(["Users", "Shared", ".cache", "agent.app"])},  # 11
        {"$classname": "Bookmark"},  # 12
        "agent",  # 13
    ]
    return archive({"root": UID(1)}, objs)


def test_sfl2_and_older_btm_login_items(tmp_path: Path) -> None:
    root = mac_skeleton(tmp_path / "img")
    sfl = "Users/ana/Library/Application Support/com.apple.sharedfilelist/"
    write(root, sfl + "com.apple.LSSharedFileList.SessionLoginItems.sfl2", sfl2_archive())
    older = "Users/ana/Library/Application Support/com.apple.backgroundtaskmanagementagent/backgrounditems.btm"
    write(root, older, agent_btm_archive())
    arts, ctx = collect(MacLoginItems, root)
    assert ctx.notes == []
    item = only(arts, lambda a: a.get("name") == "Dropbox")
    assert (item.get("user"), item.get("mechanism"), item.get("exe")) == (
        "ana", "login_item", "/Applications/Dropbox.app")
    agent = only(arts, lambda a: a.get("name") == "agent.app")
    assert agent.get("exe") == "/Users/Shared/.cache/agent.app" and agent.location.path == "/" + older


def test_broken_sfl2_is_noted(tmp_path: Path) -> None:
    root = mac_skeleton(tmp_path / "img")
    path = "Users/ana/Library/Application Support/com.apple.sharedfilelist/" \
           "com.apple.LSSharedFileList.SessionLoginItems.sfl2"
    write(root, path, archive({"root": UID(0)}, ["$null"]))
    arts, ctx = collect(MacLoginItems, root)
    assert arts == [] and ctx.notes[0].path == "/" + path and "no 'items'" in ctx.notes[0].message


def test_btm_wrapped_in_a_list_and_system_user() -> None:
    raw = plistlib.loads(btm_archive())
    objs = raw["$objects"]
    objs[4] = "FFFFEEEE-DDDD-CCCC-BBBB-AAAA00000000"
    wrapped = plistlib.dumps([{"version": 4}, raw], fmt=plistlib.FMT_BINARY)
    items = parse_btm(wrapped)
    assert [i.user_uuid for i in items] == ["FFFFEEEE-DDDD-CCCC-BBBB-AAAA00000000"] * 2
