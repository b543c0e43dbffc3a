"""A known-good Mac: ordinary apps' launch agents, daemons, helper tools, login items and receipts,
written as the real files, give no "Needs attention" and no "Worth checking" (issue 12).

Each app's start-up entries come from its Homebrew cask (the uninstall launchctl, pkgutil and delete
lists, https://github.com/Homebrew/homebrew-cask/tree/master/Casks) and, for the program a job runs,
from the reference named next to it. Programs are placed where those sources say; packages named by
a cask's pkgutil list leave a receipt listing the files they install.
"""

from __future__ import annotations

import plistlib
import time
from collections import Counter
from pathlib import Path
from plistlib import UID
from typing import Any

import pytest

from techcheck.ruleset import load_rules, shipped_rules_dir
from techcheck.scan import ScanResult, run_scan
from techcheck.target.image import open_image
from tests.conftest import write
from tests.macos_tree import mac_skeleton, realdata_mac, write_app, write_job, write_plist, write_receipt

RULES = load_rules([shipped_rules_dir()])
LA, LD, HT = "Library/LaunchAgents", "Library/LaunchDaemons", "/Library/PrivilegedHelperTools"
UA = "Users/ana/Library/LaunchAgents"
MAU = "/Library/Application Support/Microsoft/MAU2.0/Microsoft AutoUpdate.app"
KEYSTONE = "GoogleSoftwareUpdate/GoogleSoftwareUpdate.bundle"
LOGI = "/Library/Application Support/Logitech.localized/LogiOptionsPlus"


def program(root: Path, path: str) -> None:
    write(root, path.lstrip("/"), b"\xcf\xfa\xed\xfe" + b"\0" * 28)


def browsers(root: Path) -> None:
    # Casks google-chrome (zap launchctl com.google.keystone.agent/daemon), firefox, microsoft-edge.
    write_app(root, "Applications/Google Chrome.app", "com.google.Chrome", "Google Chrome")
    write_app(root, "Applications/Firefox.app", "org.mozilla.firefox", "Firefox", executable="firefox")
    write_app(root, "Applications/Microsoft Edge.app", "com.microsoft.edgemac", "Microsoft Edge")
    # Keystone's agent program: the path in tests/test_known_good.py (an ordinary Chrome install).
    agent = (f"Users/ana/Library/Google/{KEYSTONE}/Contents/Resources/GoogleSoftwareUpdateAgent.app")
    write_plist(root, f"Users/ana/Library/Google/{KEYSTONE}/Contents/Info.plist",
                {"CFBundleIdentifier": "com.google.Keystone", "CFBundleName": "GoogleSoftwareUpdate"})
    write_app(root, agent, "com.google.Keystone.Agent", "GoogleSoftwareUpdateAgent")
    write_job(root, f"{UA}/com.google.keystone.agent.plist", "com.google.keystone.agent",
              [f"/{agent}/Contents/MacOS/GoogleSoftwareUpdateAgent", "-runMode", "ifneeded"], StartInterval=3623)
    # Keystone's daemon program (seen as a parent process in osquery detections, e.g. chainguard-dev
    # osquery-defense-kit): /Library/Google/GoogleSoftwareUpdate/GoogleSoftwareUpdate.bundle/Contents/Helpers/.
    write_plist(root, f"Library/Google/{KEYSTONE}/Contents/Info.plist",
                {"CFBundleIdentifier": "com.google.Keystone", "CFBundleName": "GoogleSoftwareUpdate"})
    daemon = f"/Library/Google/{KEYSTONE}/Contents/Helpers/GoogleSoftwareUpdateDaemon"
    program(root, daemon)
    write_job(root, f"{LD}/com.google.keystone.daemon.plist", "com.google.keystone.daemon", [daemon])


def cloud_storage(root: Path) -> None:
    # Cask dropbox: launchctl com.dropbox.DropboxMacUpdate.agent, program in ~/Library/Dropbox (zap list).
    write_app(root, "Applications/Dropbox.app", "com.getdropbox.dropbox", "Dropbox")
    updater = "Users/ana/Library/Dropbox/DropboxMacUpdate.app"
    write_app(root, updater, "com.dropbox.DropboxMacUpdate", "DropboxMacUpdate")
    write_job(root, f"{UA}/com.dropbox.DropboxMacUpdate.agent.plist", "com.dropbox.DropboxMacUpdate.agent",
              [f"/{updater}/Contents/MacOS/DropboxMacUpdate"], StartInterval=3600)
    # Cask google-drive: pkg com.google.drivefs.arm64, login item "Google Drive", launchctl
    # com.google.GoogleUpdater.wake.system (program: tests/test_known_good.py's GoogleUpdater path).
    write_app(root, "Applications/Google Drive.app", "com.google.drivefs", "Google Drive")
    write_receipt(root, "com.google.drivefs.arm64", ["/Applications/Google Drive.app",
                                                     "/Applications/Google Drive.app/Contents/MacOS/Google Drive"])
    updater = "/Library/Application Support/Google/GoogleUpdater/Current/GoogleUpdater.app"
    write_app(root, updater.lstrip("/"), "com.google.GoogleUpdater", "GoogleUpdater")
    write_job(root, f"{LD}/com.google.GoogleUpdater.wake.system.plist", "com.google.GoogleUpdater.wake.system",
              [f"{updater}/Contents/MacOS/GoogleUpdater", "--wake-all", "--system"], StartInterval=3600)


def office(root: Path) -> None:
    # Casks microsoft-word (pkgutil com.microsoft.package.Microsoft_Word.app, com.microsoft.pkg.licensing;
    # launchctl com.microsoft.office.licensingV2.helper) and microsoft-auto-update (launchctl
    # com.microsoft.autoupdate.helper, com.microsoft.update.agent; delete
    # /Library/PrivilegedHelperTools/com.microsoft.autoupdate.helper).
    write_app(root, "Applications/Microsoft Word.app", "com.microsoft.Word", "Microsoft Word")
    write_receipt(root, "com.microsoft.package.Microsoft_Word.app", ["/Applications/Microsoft Word.app"])
    lic = f"{HT}/com.microsoft.office.licensingV2.helper"
    program(root, lic)
    write_job(root, f"{LD}/com.microsoft.office.licensingV2.helper.plist", "com.microsoft.office.licensingV2.helper",
              [lic])
    write_receipt(root, "com.microsoft.pkg.licensing", [lic, f"/{LD}/com.microsoft.office.licensingV2.helper.plist"])
    write_app(root, MAU.lstrip("/"), "com.microsoft.autoupdate2", "Microsoft AutoUpdate",
              SMPrivilegedExecutables={"com.microsoft.autoupdate.helper": "identifier com.microsoft.autoupdate.helper"})
    assistant = f"{MAU}/Contents/MacOS/Microsoft Update Assistant.app/Contents/MacOS/Microsoft Update Assistant"
    program(root, assistant)
    write_job(root, f"{LA}/com.microsoft.update.agent.plist", "com.microsoft.update.agent",
              [assistant, "--launchByAgent"], StartInterval=7200)
    helper = f"{HT}/com.microsoft.autoupdate.helper"
    program(root, helper)
    write_job(root, f"{LD}/com.microsoft.autoupdate.helper.plist", "com.microsoft.autoupdate.helper", [helper])
    write_receipt(root, "com.microsoft.package.Microsoft_AutoUpdate.app", [MAU, helper])


def video_calls(root: Path) -> None:
    # Cask zoom: pkg us.zoom.pkg.videomeeting; launchctl us.zoom.updater, us.zoom.updater.login.check,
    # us.zoom.ZoomDaemon; delete /Library/PrivilegedHelperTools/us.zoom.ZoomDaemon. The updater's program
    # as a process listing shows it: zoom.us.app/Contents/Library/LaunchAgents/ZoomUpdater.app.
    write_app(root, "Applications/zoom.us.app", "us.zoom.xos", "zoom.us")
    updater = "/Applications/zoom.us.app/Contents/Library/LaunchAgents/ZoomUpdater.app"
    write_app(root, updater.lstrip("/"), "us.zoom.ZoomUpdater", "ZoomUpdater")
    for label, extra in (("us.zoom.updater", "--update"), ("us.zoom.updater.login.check", "--check")):
        write_job(root, f"{LA}/{label}.plist", label, [f"{updater}/Contents/MacOS/ZoomUpdater", extra])
    daemon = f"{HT}/us.zoom.ZoomDaemon"
    program(root, daemon)
    write_job(root, f"{LD}/us.zoom.ZoomDaemon.plist", "us.zoom.ZoomDaemon", [daemon], binary=True)
    write_receipt(root, "us.zoom.pkg.videomeeting", ["/Applications/zoom.us.app", daemon,
                                                     f"/{LA}/us.zoom.updater.plist", f"/{LD}/us.zoom.ZoomDaemon.plist"])
    # Cask microsoft-teams: pkgutil com.microsoft.teams2.
    write_app(root, "Applications/Microsoft Teams.app", "com.microsoft.teams2", "Microsoft Teams")
    write_receipt(root, "com.microsoft.teams2", ["/Applications/Microsoft Teams.app"])


def passwords_and_devices(root: Path) -> None:
    # Cask 1password (app only; it registers its own login item); bitwarden.
    write_app(root, "Applications/1Password.app", "com.1password.1password", "1Password")
    write_app(root, "Applications/Bitwarden.app", "com.bitwarden.desktop", "Bitwarden")
    # Cask logi-options+: launchctl com.logi.optionsplus ...; delete "/Library/Application Support/
    # Logitech.localized/LogiOptionsPlus"; the agent's program as osquery-defense-kit lists it.
    write_app(root, "Applications/logioptionsplus.app", "com.logi.optionsplus", "Logi Options+")
    agent = f"{LOGI}/logioptionsplus_agent.app"
    write_app(root, agent.lstrip("/"), "com.logi.optionsplus.agent", "logioptionsplus_agent")
    write_job(root, f"{LA}/com.logi.optionsplus.plist", "com.logi.optionsplus",
              [f"{agent}/Contents/MacOS/logioptionsplus_agent"], KeepAlive=True)
    # Cask docker-desktop: launchctl com.docker.vmnetd; delete /Library/PrivilegedHelperTools/com.docker.vmnetd,
    # blessed from Docker.app/Contents/Library/LaunchServices/com.docker.vmnetd.
    write_app(root, "Applications/Docker.app", "com.docker.docker", "Docker")
    program(root, "/Applications/Docker.app/Contents/Library/LaunchServices/com.docker.vmnetd")
    program(root, f"{HT}/com.docker.vmnetd")
    write_job(root, f"{LD}/com.docker.vmnetd.plist", "com.docker.vmnetd", [f"{HT}/com.docker.vmnetd"])


def homebrew(root: Path) -> None:
    # `brew services start postgresql@16` writes ~/Library/LaunchAgents/homebrew.mxcl.postgresql@16.plist
    # running the formula's opt prefix (https://docs.brew.sh/Formula-Cookbook: keg, opt prefix).
    keg = "opt/homebrew/Cellar/postgresql@16/16.4"
    write(root, f"{keg}/INSTALL_RECEIPT.json", '{"homebrew_version": "4.3.0", "installed_on_request": true}')
    program(root, f"/{keg}/bin/postgres")
    program(root, "/opt/homebrew/opt/postgresql@16/bin/postgres")  # the opt link, as a copy here
    write_job(root, f"{UA}/homebrew.mxcl.postgresql@16.plist", "homebrew.mxcl.postgresql@16",
              ["/opt/homebrew/opt/postgresql@16/bin/postgres", "-D", "/opt/homebrew/var/postgresql@16"],
              KeepAlive=True)


def btm_store(items: list[tuple[str, str, str, int]]) -> bytes:
    """A BackgroundItems-v4.btm (NSKeyedArchiver) with one user's items: (name, identifier, url, type)."""
    objs: list[Any] = ["$null",
                       {"$class": UID(2), "itemsByUserIdentifier": UID(3)},
                       {"$classname": "Storage", "$classes": ["Storage", "NSObject"]},
                       {"$class": UID(4), "NS.keys": [UID(5)], "NS.objects": [UID(6)]},
                       {"$classname": "NSDictionary", "$classes": ["NSDictionary", "NSObject"]},
                       "7B4E3F9A-0000-4000-8000-0000000001F5",
                       {"$class": UID(7), "NS.objects": []},
                       {"$classname": "NSArray", "$classes": ["NSArray", "NSObject"]},
                       {"$classname": "ItemRecord", "$classes": ["ItemRecord", "NSObject"]}]
    for name, identifier, url, kind in items:
        base = len(objs)
        objs[6]["NS.objects"].append(UID(base))
        objs += [{"$class": UID(8), "name": UID(base + 1), "identifier": UID(base + 2), "url": url,
                  "type": kind, "disposition": 3}, name, identifier]
    return plistlib.dumps({"$archiver": "NSKeyedArchiver", "$version": 100000, "$top": {"store": UID(1)},
                           "$objects": objs}, fmt=plistlib.FMT_BINARY)


def login_items(root: Path) -> None:
    # Login items as System Settings > General > Login Items adds them (type 2 = app).
    write(root, "private/var/db/com.apple.backgroundtaskmanagement/BackgroundItems-v4.btm", btm_store([
        ("Dropbox", "2.com.getdropbox.dropbox", "file:///Applications/Dropbox.app/", 2),
        ("Google Drive", "2.com.google.drivefs", "file:///Applications/Google%20Drive.app/", 2),
        ("1Password", "2.com.1password.1password", "file:///Applications/1Password.app/", 2),
        ("Logi Options+", "2.com.logi.optionsplus", "file:///Applications/logioptionsplus.app/", 2),
        # a launch agent the store knows by its plist only (type 8): judged by that job's program
        ("zoom.us", "8.us.zoom.updater", "file:///Library/LaunchAgents/us.zoom.updater.plist", 8),
    ]))
    write_plist(root, "Users/ana/Library/Preferences/ByHost/com.apple.loginwindow.0A1B2C3D-0000-4000-8000-"
                      "000000000001.plist", {"TALAppsToRelaunchAtLogin": [
                          {"BundleID": "com.google.Chrome", "Path": "/Applications/Google Chrome.app", "Hide": False},
                          {"BundleID": "com.microsoft.Word", "Path": "/Applications/Microsoft Word.app",
                           "Hide": False}],
                          "TALLogoutSavesState": True}, binary=True)


def shell_and_system(root: Path) -> None:
    # ~/.zprofile and ~/.zshrc lines the tools' own install instructions add (Homebrew's installer,
    # nvm's README, oh-my-zsh's template, conda init, pyenv's README, iTerm2 shell integration).
    write(root, "Users/ana/.zprofile", 'eval "$(/opt/homebrew/bin/brew shellenv)"\n')
    write(root, "Users/ana/.zshrc", "\n".join([
        'export ZSH="$HOME/.oh-my-zsh"', 'ZSH_THEME="robbyrussell"', "plugins=(git)",
        "source $ZSH/oh-my-zsh.sh", 'export NVM_DIR="$HOME/.nvm"',
        '[ -s "$NVM_DIR/nvm.sh" ] && \\. "$NVM_DIR/nvm.sh"',
        '[ -s "$NVM_DIR/bash_completion" ] && \\. "$NVM_DIR/bash_completion"',
        'export PYENV_ROOT="$HOME/.pyenv"', '[[ -d $PYENV_ROOT/bin ]] && export PATH="$PYENV_ROOT/bin:$PATH"',
        'eval "$(pyenv init - zsh)"',
        "__conda_setup=\"$('/opt/miniconda3/bin/conda' 'shell.zsh' 'hook' 2> /dev/null)\"",
        'if [ $? -eq 0 ]; then', '    eval "$__conda_setup"', "fi", "unset __conda_setup",
        'test -e "${HOME}/.iterm2_shell_integration.zsh" && source "${HOME}/.iterm2_shell_integration.zsh"',
        "alias ll='ls -la'", ""]))
    write(root, "private/etc/zshrc", "# System-wide profile for interactive zsh(1) shells.\nsetopt BEEP\n"
                                     "[ -r \"/etc/zshrc_$TERM_PROGRAM\" ] && . \"/etc/zshrc_$TERM_PROGRAM\"\n")
    write(root, "private/etc/profile", "# System-wide .profile for sh(1)\nif [ -x /usr/libexec/path_helper ]; then\n"
                                       "\teval `/usr/libexec/path_helper -s`\nfi\n")
    for period, names in {"daily": ["110.clean-tmps", "130.clean-msgs", "999.local"],
                          "weekly": ["999.local"], "monthly": ["199.rotate-fax", "999.local"]}.items():
        for name in names:
            write(root, f"private/etc/periodic/{period}/{name}", "#!/bin/sh -\n# stock periodic script\n")
    write_plist(root, "private/etc/emond.d/rules/SampleRules.plist", [{
        "name": "sample rule", "enabled": False, "eventTypes": ["startup"],
        "actions": [{"type": "Log", "message": "event monitor started"}]}])
    write_plist(root, "System/Library/LaunchDaemons/com.apple.emond.plist", {
        "Label": "com.apple.emond", "ProgramArguments": ["/sbin/emond"],
        "QueueDirectories": ["/private/var/db/emondClients"]})


def accounts(root: Path) -> None:
    base = "private/var/db/dslocal/nodes/Default"
    old = time.time() - 500 * 86400
    for name, uid, password in (("ana", 501, True), ("Guest", 201, False), ("_spotlight", 89, False),
                                ("root", 0, False), ("daemon", 1, False), ("nobody", -2, False)):
        record = {"name": [name], "uid": [str(uid)], "shell": ["/bin/zsh" if uid > 200 else "/usr/bin/false"],
                  "accountPolicyData": [plistlib.dumps({"creationTime": old})]}
        if password:
            record["ShadowHashData"] = [b"hash"]
        write(root, f"{base}/users/{name}.plist", plistlib.dumps(record, fmt=plistlib.FMT_BINARY))
    write(root, f"{base}/groups/admin.plist",
          plistlib.dumps({"name": ["admin"], "users": ["root", "ana"]}, fmt=plistlib.FMT_BINARY))


def known_good_mac(root: Path) -> Path:
    mac_skeleton(root)
    for build in (browsers, cloud_storage, office, video_calls, passwords_and_devices, homebrew, login_items,
                  shell_and_system, accounts):
        build(root)
    return root


@pytest.fixture(scope="module")
def known_good(tmp_path_factory: pytest.TempPathFactory) -> ScanResult:
    return run_scan(open_image(str(known_good_mac(tmp_path_factory.mktemp("good") / "mac"))), RULES)


def origin_counts(result: ScanResult) -> Counter[str]:
    return Counter(str(a.get("origin")) for a in result.artifacts
                   if a.kind == "autostart" or (a.kind == "app" and a.get("source") != "bundle"))


def test_known_good_mac_gives_no_needs_attention_and_no_worth_checking(known_good: ScanResult) -> None:
    flagged = [(f.rule.id, a.get("name")) for f in known_good.findings if f.severity in ("alert", "review")
               for a in f.artifacts]
    assert flagged == []
    mac = [c for c in known_good.checks if c.name.startswith("macos.")]
    assert mac and all(c.status == "ok" for c in mac), [(c.name, c.status, c.reason) for c in mac]


def test_known_good_origins(known_good: ScanResult) -> None:
    # The note to the lead reports these counts (autostart entries and helper tools/extensions).
    counts = origin_counts(known_good)
    assert counts["unknown"] == 0, counts
    # 24 installed: 6 launch daemons, 7 launch agents (+1 listed again by the background items store),
    # 4 login items, 2 apps reopened at sign-in and 4 helper tools; 7 system: Apple's emond job and
    # 6 stock periodic scripts.
    assert counts == {"installed": 24, "system": 7}, counts
    names = {a.get("name"): a for a in known_good.artifacts if a.kind == "autostart"}
    # a package is named after the app it installed, with its id
    assert names["us.zoom.ZoomDaemon"].get("origin_name") == "zoom.us (installer package us.zoom.pkg.videomeeting)"
    assert names["com.microsoft.autoupdate.helper"].get("origin_name") == (
        "Microsoft AutoUpdate (installer package com.microsoft.package.Microsoft_AutoUpdate.app)")
    assert names["com.microsoft.office.licensingV2.helper"].get("origin_name") == "com.microsoft.pkg.licensing"
    assert names["com.google.keystone.daemon"].get("origin_name") == "GoogleSoftwareUpdate"
    assert names["Dropbox"].get("origin") == "installed"
    assert names["homebrew.mxcl.postgresql@16"].get("origin_name") == "Homebrew postgresql@16"


def test_realdata_plists_give_no_worth_checking(tmp_path: Path) -> None:
    result = run_scan(open_image(str(realdata_mac(tmp_path / "img"))), RULES)
    flagged = [(f.rule.id, a.get("name")) for f in result.findings if f.severity in ("alert", "review")
               for a in f.artifacts if a.kind in ("autostart", "app", "account")]
    assert flagged == []
    jobs = {a.get("name"): a.get("origin") for a in result.artifacts if a.kind == "autostart"}
    assert jobs["com.googlecode.munki.managedsoftwareupdate-check"] == "installed"
    assert jobs["com.apple.mDNSResponder.reloaded"] == "system"
    assert jobs["iTunesHelper"] == "installed"
