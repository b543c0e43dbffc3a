"""TCC privacy databases (old and new layouts) and location permissions."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from pathlib import Path

from techcheck.collectors.macos.tcc import TCC_MODIFIED, MacTcc, read_tcc_grants, service_name
from techcheck.ruleset import load_rules, shipped_rules_dir
from techcheck.scan import run_scan
from techcheck.target.image import open_image
from techcheck.timeutil import Time
from tests.conftest import realdata, write
from tests.macos_tree import collect, mac_skeleton, make_tcc_db, only, put_real, write_plist

SYSTEM_DB = "Library/Application Support/com.apple.TCC/TCC.db"
USER_DB = "Users/ana/Library/Application Support/com.apple.TCC/TCC.db"


def test_service_names() -> None:
    assert service_name("kTCCServiceListenEvent") == "input_monitoring"
    assert service_name("kTCCServiceScreenCapture") == "screen_recording"
    assert service_name("kTCCServiceSystemPolicyAllFiles") == "full_disk_access"
    assert service_name("kTCCServiceAccessibility") == "accessibility"
    assert service_name("kTCCServiceLiverpool") == "liverpool"
    assert service_name("kTCCServiceFooBarBaz") == "foo_bar_baz"


def test_real_catalina_tcc_db_old_schema(tmp_path: Path) -> None:
    copy = tmp_path / "TCC.db"
    shutil.copyfile(realdata("macos/TCC.db"), copy)
    conn = sqlite3.connect(copy)
    try:
        grants = read_tcc_grants(conn)
    finally:
        conn.close()
    assert len(grants) == 21
    assert all(g.allowed and g.status == "allow" and g.client_type == 0 for g in grants)
    chrome = sorted((g.service, g.modified) for g in grants if g.client == "com.google.Chrome")
    # last_modified 1591801053 / 1591801052 (checked with `date -u -d @...`)
    assert chrome == [("camera", "2020-06-10T14:57:33+00:00"), ("microphone", "2020-06-10T14:57:32+00:00")]
    downloads = sorted(g.client for g in grants if g.service == "downloads_folder")
    assert downloads == ["com.adobe.Install", "com.adobe.illustrator", "com.agilebits.onepassword7",
                         "com.spotify.client"]
    assert sum(g.service == "icloud_drive" for g in grants) == 13
    assert {g.raw_service for g in grants if g.service == "liverpool"} == {"kTCCServiceLiverpool"}


def test_new_schema_auth_values(tmp_path: Path) -> None:
    db = make_tcc_db(tmp_path / "TCC.db", [
        ("kTCCServiceScreenCapture", "us.zoom.xos", 0, 2, 2, 1700000000),
        ("kTCCServiceListenEvent", "com.example.keys", 0, 0, 2, 1700000001),
        ("kTCCServicePhotos", "com.example.photos", 0, 3, 4, 1700000002),
        ("kTCCServiceAccessibility", "/usr/local/bin/tool", 1, 2, 4, 1700000003),
    ])
    conn = sqlite3.connect(db)
    try:
        grants = {g.client: g for g in read_tcc_grants(conn)}
    finally:
        conn.close()
    assert (grants["us.zoom.xos"].service, grants["us.zoom.xos"].allowed, grants["us.zoom.xos"].status) == (
        "screen_recording", True, "allow")
    assert (grants["com.example.keys"].allowed, grants["com.example.keys"].status) == (False, "deny")
    assert (grants["com.example.photos"].allowed, grants["com.example.photos"].status) == (True, "limited")
    assert grants["/usr/local/bin/tool"].client_type == 1 and grants["/usr/local/bin/tool"].reason == 4
    assert grants["us.zoom.xos"].modified == "2023-11-14T22:13:20+00:00"


def hidden_keylogger_image(root: Path) -> Path:
    mac_skeleton(root)
    write_plist(root, "Applications/Keys.app/Contents/Info.plist",
                {"CFBundleIdentifier": "com.example.keys", "CFBundleName": "Keys", "LSUIElement": True})
    make_tcc_db(root / SYSTEM_DB, [
        ("kTCCServiceListenEvent", "com.example.keys", 0, 2, 2, 1700000000),
        ("kTCCServiceScreenCapture", "us.zoom.xos", 0, 2, 2, 1700000000),
    ])
    put_real(root, "macos/TCC.db", USER_DB)
    return root


def test_image_system_and_user_databases_and_hidden_flag(tmp_path: Path) -> None:
    root = hidden_keylogger_image(tmp_path / "img")
    arts, ctx = collect(MacTcc, root)
    assert ctx.notes == []
    assert len(arts) == 23
    keys = only(arts, lambda a: a.get("app") == "com.example.keys")
    assert keys.fields == {"service": "input_monitoring", "app": "com.example.keys", "allowed": True,
                           "status": "allow", "source": "tcc", "modified": "2023-11-14T22:13:20+00:00",
                           "app_hidden": True, "app_unidentified": False,
                           "times": [Time(dt.datetime(2023, 11, 14, 22, 13, 20, tzinfo=dt.timezone.utc),
                                          "changed", TCC_MODIFIED)]}
    assert keys.location.path == "/" + SYSTEM_DB
    cam = only(arts, lambda a: a.get("app") == "com.google.Chrome" and a.get("service") == "camera")
    assert cam.get("user") == "ana" and cam.get("app_hidden") is False


def test_real_tcc_database_times(tmp_path: Path) -> None:
    """The real macOS 10.15 TCC.db: each grant's last_modified is a "changed" time, to the second."""
    root = hidden_keylogger_image(tmp_path / "img")
    arts, ctx = collect(MacTcc, root)
    user = {(a.get("service"), a.get("app")): [t.to_dict() for t in a.get("times")]
            for a in arts if a.get("user") == "ana"}
    assert len(user) == 21
    source, sid = "TCC last_modified (when the permission was granted or last changed)", "time_source.tcc_modified"
    assert user[("camera", "com.google.Chrome")] == [
        {"time": "2020-06-10T14:57:33+00:00", "kind": "changed", "source": source, "source_id": sid}]
    assert user[("microphone", "com.google.Chrome")] == [
        {"time": "2020-06-10T14:57:32+00:00", "kind": "changed", "source": source, "source_id": sid}]
    assert user[("downloads_folder", "com.adobe.illustrator")] == [
        {"time": "2020-06-16T20:34:20+00:00", "kind": "changed", "source": source, "source_id": sid}]
    assert user[("icloud_drive", "com.apple.weather")] == [
        {"time": "2020-05-29T12:09:51+00:00", "kind": "changed", "source": source, "source_id": sid}]
    assert all(len(times) == 1 and times[0]["kind"] == "changed" for times in user.values())


def test_implausible_tcc_times_are_left_out_with_a_note(tmp_path: Path) -> None:
    root = mac_skeleton(tmp_path / "img")
    make_tcc_db(root / SYSTEM_DB, [
        ("kTCCServiceListenEvent", "com.example.zero", 0, 2, 2, 0),
        ("kTCCServiceScreenCapture", "com.example.old", 0, 2, 2, 631152000),  # 1990
        ("kTCCServiceCamera", "com.example.future", 0, 2, 2, 4102444800),  # 2100
        ("kTCCServiceMicrophone", "com.example.ok", 0, 2, 2, 1700000000),
    ])
    arts, ctx = collect(MacTcc, root)
    times = {a.get("app"): a.get("times") for a in arts}
    assert times["com.example.zero"] is None and times["com.example.old"] is None
    assert times["com.example.future"] is None
    assert times["com.example.ok"][0].when == dt.datetime(2023, 11, 14, 22, 13, 20, tzinfo=dt.timezone.utc)
    left_out = [n.message for n in ctx.notes if "left out" in n.message]
    assert len(left_out) == 3
    assert any("1970-01-01" in m and "before 1995" in m for m in left_out)
    assert any("2100-01-01" in m and "in the future" in m for m in left_out)


def test_rules_on_a_hidden_app_with_input_monitoring(tmp_path: Path) -> None:
    root = hidden_keylogger_image(tmp_path / "img")
    result = run_scan(open_image(str(root)), load_rules([shipped_rules_dir()]))
    got = {(rule.id, a.get("app")) for f in result.findings for rule, arts in f.matched for a in arts}
    assert ("macos.privacy.hidden-app-watching", "com.example.keys") in got
    assert ("macos.privacy.input-or-screen", "us.zoom.xos") in got
    assert ("macos.privacy.input-or-screen", "com.example.keys") not in got  # the hidden-app rule covers it
    assert all(f.rule.severity != "alert" for f in result.findings)


def test_corrupt_and_foreign_databases_are_noted_and_the_rest_is_read(tmp_path: Path) -> None:
    root = mac_skeleton(tmp_path / "img")
    write(root, SYSTEM_DB, b"SQLite format 3\x00" + b"\x00" * 80 + b"garbage")
    other = root / USER_DB
    other.parent.mkdir(parents=True)
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE something (a)")
    conn.commit()
    conn.close()
    make_tcc_db(root / "Users/bo/Library/Application Support/com.apple.TCC/TCC.db",
                [("kTCCServiceCamera", "com.apple.FaceTime", 0, 2, 2, 1700000000)])
    arts, ctx = collect(MacTcc, root)
    assert [(a.get("user"), a.get("service")) for a in arts] == [("bo", "camera")]
    msgs = {n.path: n.message for n in ctx.notes}
    assert "could not open the privacy database" in msgs["/" + SYSTEM_DB]
    assert "no 'access' table" in msgs["/" + USER_DB]


def test_location_clients_and_switch(tmp_path: Path) -> None:
    root = mac_skeleton(tmp_path / "img")
    write_plist(root, "private/var/db/locationd/clients.plist", {
        "com.apple.Maps": {"Authorized": True, "BundleId": "com.apple.Maps",
                           "BundlePath": "/System/Applications/Maps.app"},
        "i/usr/local/bin/tracker": {"Authorized": True, "Executable": "/usr/local/bin/tracker"},
        "com.example.weather": {"Authorized": False, "BundleId": "com.example.weather"},
        "junk": "not a dict",
    }, binary=True)
    write_plist(root, "private/var/db/locationd/Library/Preferences/ByHost/"
                      "com.apple.locationd.564D1F2A-0000-4000-8000-00000000ABCD.plist",
                {"LocationServicesEnabled": 1}, binary=True)
    write_plist(root, "private/var/db/locationd/Library/Preferences/ByHost/"
                      "com.apple.locationd.notbackedup.564D1F2A-0000-4000-8000-00000000ABCD.plist",
                {"LocationServicesEnabled": 1})
    arts, ctx = collect(MacTcc, root)
    assert ctx.notes == []
    setting = only(arts, lambda a: a.kind == "setting")
    assert (setting.get("name"), setting.get("enabled"), setting.get("value")) == ("location_services", True, "on")
    perms = sorted((a.get("app"), a.get("allowed"), a.get("source")) for a in arts if a.kind == "permission")
    assert perms == [("/usr/local/bin/tracker", True, "locationd"), ("com.apple.Maps", True, "locationd"),
                     ("com.example.weather", False, "locationd")]


def test_broken_location_clients_is_noted(tmp_path: Path) -> None:
    root = mac_skeleton(tmp_path / "img")
    write(root, "private/var/db/locationd/clients.plist", "<plist><dict>")
    arts, ctx = collect(MacTcc, root)
    assert arts == [] and ctx.notes[0].path == "/private/var/db/locationd/clients.plist"


def test_a_bare_program_in_a_hidden_folder_with_keyboard_rights_is_an_alert() -> None:
    """Severity policy: an app nobody can identify that can read keys or the screen and hides = alert;
    a named app that hides from the Dock (a menu-bar tool) stays "worth checking"."""
    from techcheck.artifacts import make
    from techcheck.collectors.macos.tcc import in_hidden_folder, is_bare_program
    from techcheck.engine import Matcher
    from techcheck.ruleset import load_rules, shipped_rules_dir

    assert in_hidden_folder("/Users/ana/.local/sysd/agent") and not in_hidden_folder("/Applications/X.app")
    assert is_bare_program("/Users/ana/.local/sysd/agent") and not is_bare_program("com.example.app")
    assert not is_bare_program("/usr/bin/osascript") and not is_bare_program("/Applications/X.app/Contents/MacOS/X")
    rules = [r for r in load_rules([shipped_rules_dir()]).rules if r.applies_to("macos")]

    def severities(client: str, hidden: bool) -> set[str]:
        art = make("permission", service="input_monitoring", app=client, allowed=True, source="tcc",
                   app_hidden=hidden or in_hidden_folder(client), app_unidentified=is_bare_program(client))
        return {f.severity for f in Matcher.build(rules).match([art])}

    assert "alert" in severities("/Users/ana/.local/sysd/agent", False)
    assert "alert" not in severities("com.knollsoft.Rectangle", True)
    assert "review" in severities("com.knollsoft.Rectangle", True)


def test_scan_of_a_disk_copy_flags_a_hidden_bare_program_with_keyboard_rights(tmp_path: Path) -> None:
    """Issue 17 part 6, end to end: a grant in the real database layout to a program nobody can identify
    (no app bundle) in a hidden folder is "Needs attention"; the same kind of program in an open folder
    stays "Good to know", and a named menu-bar app that hides from the Dock "Worth checking"."""
    root = mac_skeleton(tmp_path / "img")
    write_plist(root, "Applications/Keys.app/Contents/Info.plist",
                {"CFBundleIdentifier": "com.example.keys", "CFBundleName": "Keys", "LSUIElement": True})
    make_tcc_db(root / USER_DB, [
        ("kTCCServiceListenEvent", "/Users/ana/.local/share/sysd/agent", 1, 2, 4, 1700000000),
        ("kTCCServiceScreenCapture", "/Users/ana/.local/share/sysd/agent", 1, 2, 4, 1700000001),
        ("kTCCServiceListenEvent", "/usr/local/bin/skhd", 1, 2, 4, 1700000002),
        ("kTCCServiceListenEvent", "com.example.keys", 0, 2, 2, 1700000003),
    ])
    result = run_scan(open_image(str(root)), load_rules([shipped_rules_dir()]))
    by_app: dict[str, set[str]] = {}
    for f in result.findings:
        for _rule, arts in f.matched:
            for a in arts:
                if a.kind == "permission":
                    by_app.setdefault(str(a.get("app")), set()).add(f.severity)
    assert "alert" in by_app["/Users/ana/.local/share/sysd/agent"]
    alerts = [f for f in result.findings if f.severity == "alert"]
    assert all("macos.privacy.unidentified-hidden-program" in {r.id for r, _ in f.matched} for f in alerts)
    assert {str(a.get("app")) for f in alerts for _r, arts in f.matched for a in arts} == {
        "/Users/ana/.local/share/sysd/agent"}
    assert by_app["/usr/local/bin/skhd"] == {"info"}  # a bare program in an open folder: good to know
    assert "alert" not in by_app["com.example.keys"] and "review" in by_app["com.example.keys"]
