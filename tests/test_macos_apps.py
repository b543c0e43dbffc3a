"""App bundles, helper tools, kernel and system extensions."""

from __future__ import annotations

import plistlib
from pathlib import Path

import pytest

from techcheck.collectors.macos.apps import MacApps, parse_info_plist
from techcheck.collectors.macos.plists import PlistError
from tests.conftest import realdata, write
from tests.macos_tree import collect, mac_skeleton, only, put_real, write_plist


def info(bundle_id: str, name: str, version: str = "1.0", **extra: object) -> dict[str, object]:
    return {"CFBundleIdentifier": bundle_id, "CFBundleName": name, "CFBundleShortVersionString": version,
            "CFBundlePackageType": "APPL", **extra}


def test_real_sparkle_autoupdate_info_plist() -> None:
    b = parse_info_plist(realdata("macos/apps/Autoupdate.app/Contents/Info.plist").read_bytes())
    assert b.bundle_id == "org.sparkle-project.Sparkle.Autoupdate"
    assert b.version == "1.8.0" and b.executable == "Autoupdate"
    assert b.name == ""  # this Info.plist has no CFBundleName; the folder name is used instead
    assert (b.ui_element, b.background_only, b.hidden) == (True, True, True)  # both written as the string "1"


@pytest.mark.parametrize(("value", "hidden"), [(True, True), (False, False), ("1", True), ("0", False),
                                              ("YES", True), (1, True), ("maybe", False)])
def test_lsuielement_forms(value: object, hidden: bool) -> None:
    assert parse_info_plist(plistlib.dumps(info("a.b", "A", LSUIElement=value))).hidden is hidden


def test_version_falls_back_to_bundle_version_and_non_dict_fails() -> None:
    assert parse_info_plist(plistlib.dumps({"CFBundleVersion": "77"})).version == "77"
    with pytest.raises(PlistError):
        parse_info_plist(plistlib.dumps(["x"]))


def test_image_apps_helpers_and_extensions(tmp_path: Path) -> None:
    root = mac_skeleton(tmp_path / "img")
    put_real(root, "macos/apps/Autoupdate.app/Contents/Info.plist", "Applications/Autoupdate.app/Contents/Info.plist")
    write_plist(root, "Applications/Utilities/Console Helper.app/Contents/Info.plist",
                info("com.example.console", "Console Helper", "3.2"), binary=True)
    write_plist(root, "Users/ana/Applications/Notes.app/Contents/Info.plist", info("com.example.notes", "Notes"))
    write(root, "Applications/Broken.app/Contents/Info.plist", "<plist><dict><key>x")
    (root / "Applications/Empty.app").mkdir()  # no Info.plist: not an app we can describe, not an error
    write(root, "Library/PrivilegedHelperTools/com.example.helper", b"\xcf\xfa\xed\xfe")
    write_plist(root, "Library/Extensions/Example.kext/Contents/Info.plist",
                info("com.example.driver", "Example", "2.0", CFBundlePackageType="KEXT"))
    write_plist(root, "Library/SystemExtensions/3F0A1B2C-0000-4000-8000-000000000001/"
                      "com.example.filter.systemextension/Contents/Info.plist",
                info("com.example.filter", "Filter", "5"))
    arts, ctx = collect(MacApps, root)
    assert [n.path for n in ctx.notes] == ["/Applications/Broken.app/Contents/Info.plist"]
    by_source = sorted((a.get("source"), a.get("name")) for a in arts)
    assert by_source == [("bundle", "Autoupdate"), ("bundle", "Console Helper"), ("bundle", "Notes"),
                         ("kernel_extension", "Example"), ("privileged_helper", "com.example.helper"),
                         ("system_extension", "Filter")]
    auto = only(arts, lambda a: a.get("name") == "Autoupdate")
    assert (auto.get("bundle_id"), auto.get("version"), auto.get("hidden"), auto.get("install_path")) == (
        "org.sparkle-project.Sparkle.Autoupdate", "1.8.0", True, "/Applications/Autoupdate.app")
    notes = only(arts, lambda a: a.get("name") == "Notes")
    assert notes.get("user") == "ana" and notes.get("hidden") is False
    assert only(arts, lambda a: a.get("name") == "Console Helper").get("version") == "3.2"
