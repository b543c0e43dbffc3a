"""Browser sign-in accounts (each once, under the right user; mixed accounts) and browser policies."""

from __future__ import annotations

import json
import plistlib
from pathlib import Path

from techcheck.collectors.browsers.accounts import BrowserAccounts, chromium_accounts, firefox_account
from techcheck.collectors.browsers.policy import (
    BrowserPolicies,
    chromium_forced_extensions,
    chromium_proxy,
    firefox_forced_extensions,
    firefox_proxy,
)
from tests.browser_fixtures import linux_image, run_collector, write_json
from tests.conftest import realdata, write
from tests.winsupport import hivex_plant, put_hive


def _account_info(*emails: str) -> dict[str, object]:
    return {"account_info": [{"account_id": str(i), "email": e, "full_name": e.split("@")[0].title(),
                              "gaia": str(i), "given_name": "", "locale": "en"} for i, e in enumerate(emails)],
            "google": {"services": {"last_username": emails[0] if emails else ""}}}


def test_chromium_and_firefox_account_parsers() -> None:
    assert [(a.email, a.name) for a in chromium_accounts(_account_info("ana@example.com"))] == [
        ("ana@example.com", "Ana")]
    assert [a.email for a in chromium_accounts({"google": {"services": {"username": "old@example.com"}}})] == [
        "old@example.com"]
    assert chromium_accounts({"google": {"services": {"last_username": "gone@example.com"}}}) == []
    real = realdata("browsers/chrome/Default/Preferences").read_text(encoding="utf-8")
    assert chromium_accounts(json.loads(real)) == []  # the real profile was never signed in
    signed = {"version": 1, "accountData": {"email": "ana@example.org", "uid": "abc", "verified": True}}
    got = firefox_account(signed, {})
    assert got is not None and got.email == "ana@example.org"
    fallback = firefox_account(None, {"services.sync.username": "bo@example.org"})
    assert fallback is not None and fallback.email == "bo@example.org"
    assert firefox_account({"accountData": {}}, {}) is None


def test_several_users_and_profiles_each_account_once_under_the_right_user(tmp_path: Path) -> None:
    root = linux_image(tmp_path / "img", "ana", "bo")
    chrome = "home/ana/.config/google-chrome"
    write_json(root / chrome / "Default/Preferences", _account_info("ana@example.com"))
    write_json(root / chrome / "Profile 1/Preferences", _account_info("watcher@example.net"))
    write_json(root / "home/ana/.config/microsoft-edge/Default/Preferences", _account_info("ana@example.com"))
    write_json(root / "home/bo/.config/google-chrome/Default/Preferences", _account_info("bo@example.com"))
    # An older Chromium profile: the account is only named in the browser's "Local State".
    write_json(root / "home/bo/.config/chromium/Profile 2/Preferences", {})
    write_json(root / "home/bo/.config/chromium/Local State", {"profile": {"info_cache": {
        "Profile 2": {"name": "Person 1", "user_name": "bo@example.com", "gaia_name": "Bo"},
        "Default": {"name": "Person 2", "user_name": ""}}}})
    ff = root / "home/bo/.mozilla/firefox/zz.default-release"
    write_json(ff / "signedInUser.json", {"version": 1, "accountData": {"email": "BO@example.com"}})
    (ff / "prefs.js").write_text('user_pref("services.sync.username", "BO@example.com");\n', encoding="utf-8")
    arts, ctx = run_collector(BrowserAccounts(), root)
    assert ctx.notes == []
    signed = sorted((a.get("user"), a.get("browser"), a.get("profile"), a.get("email"))
                    for a in arts if a.get("account_type") == "browser_sync")
    assert signed == [("ana", "chrome", "Default", "ana@example.com"),
                      ("ana", "chrome", "Profile 1", "watcher@example.net"),
                      ("ana", "edge", "Default", "ana@example.com"),
                      ("bo", "chrome", "Default", "bo@example.com"),
                      ("bo", "chromium", "Profile 2", "bo@example.com"),
                      ("bo", "firefox", "zz.default-release", "BO@example.com")]
    mixed = [a for a in arts if a.get("account_type") == "browser_sync_mixed"]
    # ana's profiles use two accounts; bo uses one (the same address in two browsers, any case).
    assert [(a.get("user"), a.get("name"), a.get("browser")) for a in mixed] == [
        ("ana", "ana@example.com, watcher@example.net", "chrome, edge")]


def test_policy_parsers() -> None:
    policy = {"ExtensionInstallForcelist": ["aaaabbbbccccddddeeeeffffgggghhhh;https://ext.example/update.xml",
                                            "iiiijjjjkkkkllllmmmmnnnnoooopppp"],
              "ExtensionSettings": {"*": {"installation_mode": "blocked"},
                                    "qqqqrrrrssssttttuuuuvvvvwwwwxxxx": {"installation_mode": "force_installed",
                                                                         "update_url": "https://u.example/x"},
                                    "yyyy": {"installation_mode": "allowed"}},
              "ProxySettings": {"ProxyMode": "fixed_servers", "ProxyServer": "10.1.1.1:8080"}}
    forced = [(f.extension_id, f.update_url) for f in chromium_forced_extensions(policy)]
    assert forced == [("aaaabbbbccccddddeeeeffffgggghhhh", "https://ext.example/update.xml"),
                      ("iiiijjjjkkkkllllmmmmnnnnoooopppp", ""),
                      ("qqqqrrrrssssttttuuuuvvvvwwwwxxxx", "https://u.example/x")]
    proxy = chromium_proxy(policy)
    assert proxy is not None and proxy.sends_elsewhere and proxy.detail == "10.1.1.1:8080"
    direct = chromium_proxy({"ProxyMode": "direct"})
    assert direct is not None and not direct.sends_elsewhere
    assert chromium_proxy({}) is None
    ff = {"Extensions": {"Install": ["https://files.example/watch.xpi"]},
          "ExtensionSettings": {"w@x": {"installation_mode": "force_installed", "install_url": "file:///opt/w.xpi"}},
          "Proxy": {"Mode": "manual", "HTTPProxy": "proxy.example:3128"}}
    assert [f.extension_id for f in firefox_forced_extensions(ff)] == ["watch.xpi", "w@x"]
    ff_proxy = firefox_proxy(ff)
    assert ff_proxy is not None and ff_proxy.sends_elsewhere and ff_proxy.detail == "proxy.example:3128"
    system = firefox_proxy({"Proxy": {"Mode": "system"}})
    assert system is not None and not system.sends_elsewhere


def test_linux_policy_files(tmp_path: Path) -> None:
    root = linux_image(tmp_path / "img")
    write_json(root / "etc/opt/chrome/policies/managed/corp.json",
               {"ExtensionInstallForcelist": ["donbapingkdboklmjcfmpagmdohkgphg"], "ProxyMode": "pac_script",
                "ProxyPacUrl": "http://wpad.example/proxy.pac"})
    write(root, "etc/brave/policies/managed/broken.json", "{ nope")
    write_json(root / "etc/firefox/policies/policies.json",
               {"policies": {"Proxy": {"Mode": "manual", "HTTPProxy": "10.0.0.9:8080"}}})
    arts, ctx = run_collector(BrowserPolicies(), root)
    ext = [(a.get("browser"), a.get("extension_id"), a.get("install_source")) for a in arts
           if a.kind == "browser_extension"]
    assert ext == [("chrome", "donbapingkdboklmjcfmpagmdohkgphg", "policy")]
    proxies = sorted((a.get("detail"), a.get("enabled")) for a in arts if a.kind == "setting")
    assert proxies == [("chrome: http://wpad.example/proxy.pac", True), ("firefox: 10.0.0.9:8080", True)]
    assert [n.path for n in ctx.notes] == ["/etc/brave/policies/managed/broken.json"]


def test_macos_managed_preferences(tmp_path: Path) -> None:
    root = tmp_path / "mac"
    (root / "System").mkdir(parents=True)
    (root / "Applications").mkdir()
    plist = plistlib.dumps({"ExtensionInstallForcelist": ["haldlgldplgnggkjaafhelgiaglafanh"]}, fmt=plistlib.FMT_BINARY)
    write(root, "Library/Managed Preferences/com.google.Chrome.plist", plist)
    write(root, "Library/Managed Preferences/ana/com.microsoft.Edge.plist",
          plistlib.dumps({"ProxySettings": {"ProxyMode": "fixed_servers", "ProxyServer": "1.2.3.4:80"}}))
    write(root, "Library/Managed Preferences/bo/org.mozilla.firefox.plist", b"<?xml")  # cut short
    arts, ctx = run_collector(BrowserPolicies(), root)
    assert [n.message for n in ctx.notes] == ["not a valid property list; skipped"]
    assert [(a.get("browser"), a.get("extension_id"), a.get("user")) for a in arts if a.kind == "browser_extension"] \
        == [("chrome", "haldlgldplgnggkjaafhelgiaglafanh", "")]
    assert [(a.get("name"), a.get("user"), a.get("detail")) for a in arts if a.kind == "setting"] == [
        ("browser_policy_proxy", "ana", "edge: 1.2.3.4:80")]


def test_windows_reads_policy_files_and_registry(tmp_path: Path) -> None:
    root = tmp_path / "c"
    (root / "Windows/System32").mkdir(parents=True)
    write_json(root / "Program Files/Mozilla Firefox/distribution/policies.json",
               {"policies": {"ExtensionSettings": {"spy@x": {"installation_mode": "force_installed"}}}})
    # Real hives (copies) with policy values written by hivexsh, as Group Policy would store them.
    user_hive = put_hive(root / "Users/ana/NTUSER.DAT", "nfury")
    hivex_plant(user_hive, r"Software\Policies\Google\Chrome\ExtensionInstallForcelist",
                [("1", "string:abcdefghijklmnopabcdefghijklmnop;https://clients2.google.com/service/update2/crx")])
    hivex_plant(user_hive, r"Software\Policies\Microsoft\Edge",
                [("ProxySettings", 'string:{"ProxyMode": "fixed_servers", "ProxyServer": "10.9.8.7:3128"}')])
    arts, ctx = run_collector(BrowserPolicies(), root)
    found = sorted((a.kind, a.get("browser") or a.get("detail"), a.get("extension_id"), a.get("user")) for a in arts)
    assert found == [
        ("browser_extension", "chrome", "abcdefghijklmnopabcdefghijklmnop", "ana"),
        ("browser_extension", "firefox", "spy@x", ""),
        ("setting", "edge: 10.9.8.7:3128", None, "ana"),
    ]
    chrome = next(a for a in arts if a.get("browser") == "chrome")
    assert chrome.location.registry_key == r"HKU\ana\Software\Policies\Google\Chrome"


def test_windows_without_hives_still_reads_policy_files(tmp_path: Path) -> None:
    root = tmp_path / "c"
    (root / "Windows/System32").mkdir(parents=True)
    (root / "Users").mkdir()
    write_json(root / "Program Files/Mozilla Firefox/distribution/policies.json",
               {"policies": {"ExtensionSettings": {"spy@x": {"installation_mode": "force_installed"}}}})
    arts, _ = run_collector(BrowserPolicies(), root)
    assert [(a.get("browser"), a.get("extension_id")) for a in arts] == [("firefox", "spy@x")]
