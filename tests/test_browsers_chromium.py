"""Chrome-family collector: the real Chrome Preferences file, Secure Preferences, extension folders,
History databases in Chrome's own layout, and broken input."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from techcheck.artifacts import Artifact
from techcheck.collectors.base import Context
from techcheck.collectors.browsers.chromium import (
    ChromiumBrowsers,
    ChromiumExtension,
    extension_folder,
    parse_extensions,
    parse_site_permissions,
    read_history,
)
from tests.browser_fixtures import chrome_history, linux_image, run_collector, write_json
from tests.conftest import realdata, write

PREFS = json.loads(realdata("browsers/chrome/Default/Preferences").read_text(encoding="utf-8"))
CHROME = "home/ana/.config/google-chrome"


def linux_root(tmp_path: Path) -> Path:
    return linux_image(tmp_path / "img", "ana", "bo")


def collect(root: Path) -> tuple[list[Artifact], Context]:
    return run_collector(ChromiumBrowsers(), root)


def test_real_preferences_extensions() -> None:
    exts = {e.extension_id: e for e in parse_extensions(PREFS)}
    assert len(exts) == 20
    store = sorted(e.name for e in exts.values() if e.install_source == "store")
    assert store == ["Gmail", "Google Docs", "Google Drive", "Google Search", "Google Sheets", "Google Slides",
                     "YouTube"]
    assert sum(e.install_source == "component" for e in exts.values()) == 13  # locations 5 and 10
    drive = exts["apdfllckaahabafndbhieahigkjlhalf"]
    assert (drive.version, drive.enabled) == ("6.3", True)
    assert "clipboardRead" in drive.permissions
    hotword = exts["bepbmhgboaologfdajaanbcjmnhjmhfn"]
    assert hotword.name == "Google Voice Search Hotword (Beta)"
    assert hotword.install_source == "component" and hotword.enabled is False  # state 0
    assert "audioCapture" in hotword.permissions and "*://*.google.com/*" in hotword.permissions
    # A permission entry that is not text (the USB device list) is left out, not crashed on.
    assert all(isinstance(p, str) for e in exts.values() for p in e.permissions)


def test_real_preferences_site_permissions() -> None:
    perms = {(p.service, p.site): p for p in parse_site_permissions(PREFS)}
    mic = perms[("microphone", "https://rawgit.com:443")]
    assert mic.allowed and mic.status == "allow" and mic.last_used == "2016-11-14T14:12:53+00:00"
    assert perms[("notifications", "https://rawgit.com:443")].allowed
    # Geolocation only has a last-use record (no "setting"): nothing was granted, nothing is listed.
    assert not any(service == "location" for service, _ in perms)
    assert len(perms) == 2


def test_collector_on_an_image_with_the_real_profile(tmp_path: Path) -> None:
    root = linux_root(tmp_path)
    (root / CHROME / "Default").mkdir(parents=True)
    (root / CHROME / "Default/Preferences").write_bytes(realdata("browsers/chrome/Default/Preferences").read_bytes())
    arts, ctx = collect(root)
    exts = [a for a in arts if a.kind == "browser_extension"]
    assert len(exts) == 20
    assert {a.get("user") for a in exts} == {"ana"} and {a.get("browser") for a in exts} == {"chrome"}
    assert all(a.location.path == f"/{CHROME}/Default/Preferences" for a in exts)
    mic = [a for a in arts if a.kind == "permission" and a.get("service") == "microphone"]
    assert [(a.get("site"), a.get("allowed"), a.get("source")) for a in mic] == [
        ("https://rawgit.com:443", True, "browser")]
    assert ctx.notes == []


def test_secure_preferences_extension_folder_and_locale(tmp_path: Path) -> None:
    root = linux_root(tmp_path)
    profile = root / CHROME / "Profile 1"
    write_json(profile / "Preferences", {"extensions": {"settings": {
        "aaaabbbbccccddddeeeeffffgggghhhh": {"location": 1, "from_webstore": True, "state": 1,
                                             "manifest": {"name": "Notes", "version": "2.0"}}}}})
    # Newer Chrome: settings in Secure Preferences, no embedded manifest, disable_reasons instead of state.
    write_json(root / "home/ana/dev/helper/manifest.json", {"name": "Dev Helper", "version": "0.0.1"})
    write_json(profile / "Secure Preferences", {"extensions": {"settings": {
        "ppppoooonnnnmmmmllllkkkkjjjjiiii": {"location": 4, "path": "/home/ana/dev/helper",
                                             "disable_reasons": [], "active_permissions": {
                                                 "api": ["tabs", "cookies"], "explicit_host": ["<all_urls>"]}},
        "hhhhggggffffeeeeddddccccbbbbaaaa": {"location": 1, "from_webstore": False,
                                             "path": "hhhhggggffffeeeeddddccccbbbbaaaa/1.0_0",
                                             "disable_reasons": 1}}}})
    folder = profile / "Extensions/hhhhggggffffeeeeddddccccbbbbaaaa/1.0_0"
    write_json(folder / "manifest.json", {"name": "__MSG_appName__", "version": "1.0", "default_locale": "en",
                                          "permissions": ["history"], "host_permissions": ["*://*/*"]})
    write_json(folder / "_locales/en/messages.json", {"appname": {"message": "Quiet Helper"}})
    arts, ctx = collect(root)
    by_id = {a.get("extension_id"): a for a in arts if a.kind == "browser_extension"}
    assert by_id["aaaabbbbccccddddeeeeffffgggghhhh"].get("install_source") == "store"
    unpacked = by_id["ppppoooonnnnmmmmllllkkkkjjjjiiii"]
    assert unpacked.get("install_source") == "unpacked" and unpacked.get("enabled") is True
    assert (unpacked.get("name"), unpacked.get("version")) == ("Dev Helper", "0.0.1")  # read from its folder
    assert unpacked.get("all_sites") is True and "cookies" in unpacked.get("permissions")
    assert unpacked.location.path.endswith("Secure Preferences")
    crx = by_id["hhhhggggffffeeeeddddccccbbbbaaaa"]
    assert (crx.get("name"), crx.get("version"), crx.get("install_source")) == ("Quiet Helper", "1.0", "file")
    assert crx.get("enabled") is False and crx.get("all_sites") is True and "history" in crx.get("permissions")
    assert ctx.notes == []


def test_history_and_downloads(tmp_path: Path) -> None:
    root = linux_root(tmp_path)
    profile = root / CHROME / "Default"
    write_json(profile / "Preferences", {})
    chrome_history(profile / "History",
                   visits=[("https://www.mspy.com/pricing.html", "mSpy pricing", "2024-03-01T10:00:00+00:00"),
                           ("https://news.example.org/", "News", "2024-03-02T09:30:00+00:00")],
                   downloads=[("/home/ana/Downloads/setup.exe", "2024-03-01T10:05:00+00:00",
                               ["https://www.mspy.com/download", "https://cdn.example.net/setup.exe"])])
    arts, ctx = collect(root)
    visits = [(a.get("url"), a.get("visit_type"), a.get("time"), a.get("domain")) for a in arts
              if a.kind == "web_visit"]
    assert visits == [
        ("https://news.example.org/", "history", "2024-03-02T09:30:00+00:00", "news.example.org"),
        ("https://www.mspy.com/pricing.html", "history", "2024-03-01T10:00:00+00:00", "www.mspy.com"),
        ("https://www.mspy.com/download", "download", "2024-03-01T10:05:00+00:00", "www.mspy.com"),
        ("https://cdn.example.net/setup.exe", "download", "2024-03-01T10:05:00+00:00", "cdn.example.net"),
    ]
    download = next(a for a in arts if a.kind == "web_visit" and a.get("visit_type") == "download")
    assert download.get("title") == "/home/ana/Downloads/setup.exe" and download.get("user") == "ana"
    assert ctx.notes == []


def test_history_cap_keeps_the_most_recent(tmp_path: Path) -> None:
    db = chrome_history(tmp_path / "History", visits=[
        (f"https://site{i}.example/", "", f"2024-01-{i:02d}T00:00:00+00:00") for i in range(1, 11)])
    conn = sqlite3.connect(db)
    try:
        got = [v.url for v in read_history(conn, cap=3)]
    finally:
        conn.close()
    assert got == ["https://site10.example/", "https://site9.example/", "https://site8.example/"]


def test_broken_profile_is_noted_and_others_still_read(tmp_path: Path) -> None:
    root = linux_root(tmp_path)
    write(root, f"{CHROME}/Default/Preferences", '{"extensions": {"settings": ')  # cut off mid-write
    write(root, f"{CHROME}/Default/History", b"SQLite format 3\x00" + b"\x00garbage" * 50)
    good = root / "home/bo/.config/chromium/Default"
    write_json(good / "Preferences", {"extensions": {"settings": {
        "aaaabbbbccccddddeeeeffffgggghhhh": {"location": 1, "from_webstore": True,
                                             "manifest": {"name": "Notes", "version": "2.0"}}}}})
    chrome_history(good / "History", visits=[("https://example.com/", "Example", "2024-01-01T00:00:00+00:00")])
    arts, ctx = collect(root)
    assert [(a.get("name"), a.get("user"), a.get("browser")) for a in arts if a.kind == "browser_extension"] == [
        ("Notes", "bo", "chromium")]
    assert [a.get("url") for a in arts if a.kind == "web_visit"] == ["https://example.com/"]
    messages = {n.path: n.message for n in ctx.notes}
    assert "not valid JSON" in messages[f"/{CHROME}/Default/Preferences"]
    assert "not read" in messages[f"/{CHROME}/Default/History"]


def test_history_without_expected_tables_is_noted(tmp_path: Path) -> None:
    root = linux_root(tmp_path)
    write_json(root / CHROME / "Default/Preferences", {})
    conn = sqlite3.connect(root / CHROME / "Default/History")
    conn.execute("CREATE TABLE unrelated(x)")
    conn.commit()
    conn.close()
    arts, ctx = collect(root)
    assert not [a for a in arts if a.kind == "web_visit"]
    assert any("no such table" in n.message for n in ctx.notes)


def test_extension_folder_from_the_path_entry() -> None:
    def ext(path: str) -> ChromiumExtension:
        return ChromiumExtension("a" * 32, "", "", True, "store", (), {}, path)

    profile = "/Users/ana/AppData/Local/Google/Chrome/User Data/Default"
    assert extension_folder("windows", profile, ext("aaaa\\1.0_0")) == f"{profile}/Extensions/aaaa/1.0_0"
    assert extension_folder("windows", profile, ext("C:\\dev\\helper")) == "/dev/helper"
    assert extension_folder("windows", profile, ext("D:\\dev\\helper")) == ""
    assert extension_folder("linux", "/home/a/p", ext("/home/a/dev/x")) == "/home/a/dev/x"
    assert extension_folder("linux", "/home/a/p", ext("../../../etc")) == ""
    assert extension_folder("linux", "/home/a/p", ext("")) == ""


def test_each_extension_once_under_the_right_user(tmp_path: Path) -> None:
    root = linux_root(tmp_path)
    entry = {"location": 1, "from_webstore": True, "manifest": {"name": "Notes", "version": "2.0"}}
    # The same add-on in Preferences and in Secure Preferences (Chrome writes both) is one add-on.
    write_json(root / CHROME / "Default/Preferences", {"extensions": {"settings": {"a" * 32: entry}}})
    write_json(root / CHROME / "Default/Secure Preferences",
               {"extensions": {"settings": {"a" * 32: {"state": 0, "disable_reasons": 1}}}})
    write_json(root / "home/bo/.config/google-chrome/Default/Preferences",
               {"extensions": {"settings": {"b" * 32: entry}}})
    arts, ctx = collect(root)
    got = sorted((a.get("user"), a.get("extension_id"), a.get("enabled"))
                 for a in arts if a.kind == "browser_extension")
    assert got == [("ana", "a" * 32, False), ("bo", "b" * 32, True)]
    assert ctx.notes == []
