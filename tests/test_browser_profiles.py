"""The browser-profile locator: where each browser keeps profiles on each system, for every user."""

from __future__ import annotations

from pathlib import Path

from techcheck.collectors.base import Context
from techcheck.collectors.browsers.profiles import (
    browser_roots,
    find_profiles,
    parse_profiles_ini,
    reaches_all_sites,
)
from techcheck.collectors.common.parsing import UserHome, user_homes
from techcheck.target.image import open_image
from techcheck.timeutil import unix_time, webkit_time
from tests.conftest import write

HOMES = [UserHome("ana", "/home/ana"), UserHome("bo", "/home/bo")]


def test_roots_are_a_pure_function_of_os_and_homes() -> None:
    linux = {(r.browser, r.user, r.path) for r in browser_roots("linux", HOMES)}
    assert ("chrome", "ana", "/home/ana/.config/google-chrome") in linux
    assert ("brave", "bo", "/home/bo/.config/BraveSoftware/Brave-Browser") in linux
    assert ("edge", "ana", "/home/ana/.config/microsoft-edge") in linux
    assert ("chromium", "ana", "/home/ana/snap/chromium/common/chromium") in linux
    assert ("firefox", "bo", "/home/bo/snap/firefox/common/.mozilla/firefox") in linux
    assert ("firefox", "ana", "/home/ana/.var/app/org.mozilla.firefox/.mozilla/firefox") in linux

    win = {(r.browser, r.path) for r in browser_roots("windows", [UserHome("ana", "/Users/ana")])}
    assert ("chrome", "/Users/ana/AppData/Local/Google/Chrome/User Data") in win
    assert ("edge", "/Users/ana/AppData/Local/Microsoft/Edge/User Data") in win
    assert ("brave", "/Users/ana/AppData/Local/BraveSoftware/Brave-Browser/User Data") in win
    assert ("firefox", "/Users/ana/AppData/Roaming/Mozilla/Firefox") in win

    mac = {(r.browser, r.path) for r in browser_roots("macos", [UserHome("ana", "/Users/ana")])}
    assert ("edge", "/Users/ana/Library/Application Support/Microsoft Edge") in mac
    assert ("firefox", "/Users/ana/Library/Application Support/Firefox") in mac
    assert browser_roots("unknown", HOMES) == []


def test_profiles_ini() -> None:
    text = ("[Install4F96D1932A9F858E]\nDefault=Profiles/abc.default-release\n\n"
            "[Profile1]\nName=default\nIsRelative=1\nPath=Profiles/x1.default\nDefault=1\n\n"
            "[Profile0]\nName=default-release\nIsRelative=0\nPath=/mnt/data/ff\n\n[General]\nVersion=2\n")
    assert parse_profiles_ini(text) == [("Profiles/x1.default", True), ("/mnt/data/ff", False)]
    assert parse_profiles_ini("not an ini [[[") == []


def test_every_profile_of_every_user_on_a_linux_image(tmp_path: Path) -> None:
    root = tmp_path / "img"
    write(root, "etc/passwd", "ana:x:1000:1000::/home/ana:/bin/bash\nbo:x:1001:1001::/home/bo:/bin/bash\n")
    (root / "usr").mkdir()
    for rel in ("home/ana/.config/google-chrome/Default/Preferences",
                "home/ana/.config/google-chrome/Profile 1/Preferences",
                "home/ana/.config/google-chrome/System Profile/Preferences",  # internal, skipped
                "home/ana/.config/google-chrome/Crashpad/settings.dat",  # not a profile
                "home/bo/.config/BraveSoftware/Brave-Browser/Default/Secure Preferences",
                "home/bo/snap/firefox/common/.mozilla/firefox/k2.default/prefs.js",
                "home/ana/.mozilla/firefox/a1.default-release/prefs.js"):
        write(root, rel, "{}")
    write(root, "home/ana/.mozilla/firefox/profiles.ini", "[Profile0]\nPath=a1.default-release\nIsRelative=1\n")
    target = open_image(str(root))
    ctx = Context()
    found = {(p.user, p.browser, p.name) for p in find_profiles(target, ctx, user_homes(target))}
    assert found == {("ana", "chrome", "Default"), ("ana", "chrome", "Profile 1"),
                     ("ana", "firefox", "a1.default-release"), ("bo", "brave", "Default"),
                     ("bo", "firefox", "k2.default")}
    assert ctx.notes == []


def test_windows_image_is_matched_case_insensitively(tmp_path: Path) -> None:
    root = tmp_path / "c"
    (root / "Windows/System32").mkdir(parents=True)
    write(root, "Users/ana/AppData/local/GOOGLE/chrome/user data/Default/Preferences", "{}")
    write(root, "Users/ana/AppData/Roaming/Mozilla/Firefox/Profiles/q.default/prefs.js", "")
    target = open_image(str(root))
    found = {(p.browser, p.name) for p in find_profiles(target, Context(), user_homes(target))}
    assert found == {("chrome", "Default"), ("firefox", "q.default")}


def test_times_and_all_sites() -> None:
    assert webkit_time(13123606614618330) == "2016-11-14T14:16:54+00:00"
    assert webkit_time(0) is None and webkit_time("x") is None and webkit_time(10**30) is None
    assert unix_time(1479132773.667838) == "2016-11-14T14:12:53+00:00"
    assert unix_time(1700000000000, 1000) == "2023-11-14T22:13:20+00:00"
    assert reaches_all_sites(["<all_urls>"]) and reaches_all_sites(["https://*/*"])
    assert reaches_all_sites(["*://*/*", "tabs"])
    assert not reaches_all_sites(["*://*.google.com/*", "tabs", "https://www.gstatic.com/"])
