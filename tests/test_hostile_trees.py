"""Hostile disk copies: every file a collector reads is replaced, one kind of trouble per tree.

For each system layout (Linux, Windows, macOS) and each kind of trouble (binary junk, empty
files, wrong-shape data, FIFOs, folders where files belong, symlink loops, links out of the
image, unreadable files, huge sparse files, hostile names, deep nesting, files where folders
belong) the full scan and the CLI must finish quickly, no check may fail (a failed check is a
crash in a collector), nothing outside the image may be read, and the bad files show as notes.
"""

from __future__ import annotations

import json
import os
import plistlib
import posixpath
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from techcheck.cli import cli
from techcheck.ruleset import load_rules, shipped_rules_dir
from techcheck.scan import ScanResult, run_scan
from techcheck.target.fake import FakeTarget
from techcheck.target.image import open_image

RULES = load_rules([shipped_rules_dir()])
# Planted where the host's secret would be if a link escaped the image; never in a report.
HOST_SECRET = "HOST-SECRET-7f3a9c"
SCAN_SECONDS = 30.0  # generous for a slow CI machine; a real hang or whole-file read takes far longer

# Files collectors parse, per layout (paths inside the image). User "ana" has a home everywhere.
LINUX_FILES = [
    "etc/passwd", "etc/shadow", "etc/group", "etc/sudoers", "etc/sudoers.d/extra", "etc/hostname", "etc/hosts",
    "etc/crontab", "etc/anacrontab", "etc/cron.d/job", "etc/cron.daily/job", "var/spool/cron/crontabs/ana",
    "etc/systemd/system/evil.service", "etc/systemd/system/evil.timer",
    "etc/systemd/system/multi-user.target.wants/evil.service", "usr/lib/systemd/system/sshd.service",
    "usr/lib/systemd/user/app.service", "home/ana/.config/systemd/user/mine.service",
    "etc/xdg/autostart/a.desktop", "home/ana/.config/autostart/b.desktop", "home/ana/.config/autostart-scripts/s.sh",
    "home/ana/.config/plasma-workspace/env/e.sh",
    "etc/ld.so.preload", "etc/environment", "etc/profile", "etc/profile.d/p.sh", "etc/bash.bashrc",
    "etc/zsh/zshrc", "etc/zsh/zprofile", "etc/rc.local", "etc/snoopy.ini", "etc/pam.d/common-session",
    "home/ana/.bashrc", "home/ana/.profile", "home/ana/.zshrc", "home/ana/.bash_logout",
    "etc/ssh/sshd_config", "home/ana/.ssh/authorized_keys", "home/ana/.ssh/authorized_keys2",
    "root/.ssh/authorized_keys",
    "var/lib/dpkg/status", "var/lib/rpm/rpmdb.sqlite", "var/lib/flatpak/app/org.x.App/current",
    "snap/foo/current", "etc/gnome-remote-desktop/grd.conf", "etc/xrdp/xrdp.ini", "etc/tigervnc/vncserver.users",
    "home/ana/.vnc/passwd", "home/ana/.config/tigervnc/passwd", "home/ana/.config/krfbrc",
    "etc/firefox/policies/policies.json", "etc/opt/chrome/policies/managed/p.json",
    "etc/chromium/policies/managed/p.json",
    "home/ana/.config/google-chrome/Local State", "home/ana/.config/google-chrome/Default/Preferences",
    "home/ana/.config/google-chrome/Default/Secure Preferences", "home/ana/.config/google-chrome/Default/History",
    "home/ana/.config/google-chrome/Default/Extensions/abcdefghijklmnopabcdefghijklmnop/1.0/manifest.json",
    "home/ana/.mozilla/firefox/profiles.ini", "home/ana/.mozilla/firefox/x.default/prefs.js",
    "home/ana/.mozilla/firefox/x.default/extensions.json", "home/ana/.mozilla/firefox/x.default/places.sqlite",
    "home/ana/.mozilla/firefox/x.default/permissions.sqlite",
    "home/ana/.mozilla/firefox/x.default/signedInUser.json",
    "home/ana/.local/share/gnome-remote-desktop/grd.conf",
]
WINDOWS_FILES = [
    "Windows/System32/config/SOFTWARE", "Windows/System32/config/SYSTEM", "Windows/System32/config/SAM",
    "Users/ana/NTUSER.DAT", "Windows/System32/drivers/etc/hosts",
    "Windows/System32/Tasks/Evil", "Windows/System32/Tasks/Microsoft/Windows/Sub/Task",
    "ProgramData/Microsoft/Windows/Start Menu/Programs/StartUp/a.lnk",
    "Users/ana/AppData/Roaming/Microsoft/Windows/Start Menu/Programs/Startup/b.lnk",
    "Users/ana/AppData/Roaming/Microsoft/Windows/Start Menu/Programs/Startup/desktop.ini",
    "ProgramData/AnyDesk/ad_svc.trace", "ProgramData/AnyDesk/connection_trace.txt",
    "Users/ana/AppData/Roaming/AnyDesk/ad.trace", "Users/ana/AppData/Roaming/AnyDesk/connection_trace.txt",
    "Program Files/TeamViewer/Connections_incoming.txt", "Program Files (x86)/TeamViewer/Connections_incoming.txt",
    "Program Files/Mozilla Firefox/distribution/policies.json", "Program Files/Some App/app.exe",
    "Users/ana/AppData/Local/Google/Chrome/User Data/Local State",
    "Users/ana/AppData/Local/Google/Chrome/User Data/Default/Preferences",
    "Users/ana/AppData/Local/Google/Chrome/User Data/Default/Secure Preferences",
    "Users/ana/AppData/Local/Google/Chrome/User Data/Default/History",
    "Users/ana/AppData/Roaming/Mozilla/Firefox/profiles.ini",
    "Users/ana/AppData/Roaming/Mozilla/Firefox/Profiles/x.default/prefs.js",
    "Users/ana/AppData/Roaming/Mozilla/Firefox/Profiles/x.default/extensions.json",
    "Users/ana/AppData/Roaming/Mozilla/Firefox/Profiles/x.default/places.sqlite",
    "Users/ana/AppData/Roaming/Mozilla/Firefox/Profiles/x.default/permissions.sqlite",
]
MACOS_FILES = [
    "System/Library/LaunchDaemons/com.apple.x.plist", "Library/LaunchDaemons/com.evil.d.plist",
    "Library/LaunchAgents/com.evil.a.plist", "Users/ana/Library/LaunchAgents/com.evil.u.plist",
    "private/var/db/com.apple.xpc.launchd/disabled.plist", "private/var/db/com.apple.xpc.launchd/disabled.501.plist",
    "Users/ana/Library/Preferences/com.apple.loginitems.plist",
    "Users/ana/Library/Application Support/com.apple.backgroundtaskmanagementagent/backgrounditems.btm",
    "private/var/db/com.apple.backgroundtaskmanagement/BackgroundItems-v8.btm",
    "Users/ana/Library/Application Support/com.apple.sharedfilelist/"
    "com.apple.LSSharedFileList.SessionLoginItems.sfl2",
    "Library/Application Support/com.apple.TCC/TCC.db", "Users/ana/Library/Application Support/com.apple.TCC/TCC.db",
    "private/var/db/locationd/clients.plist",
    "private/var/db/locationd/Library/Preferences/ByHost/com.apple.locationd.ABC.plist",
    "private/var/db/ConfigurationProfiles/Store/ConfigProfiles.binary",
    "private/var/db/ConfigurationProfiles/Store/p.plist", "Users/ana/Downloads/x.mobileconfig",
    "Applications/Evil.app/Contents/Info.plist", "Applications/Utilities/Tool.app/Contents/Info.plist",
    "Library/Extensions/K.kext/Contents/Info.plist", "Library/PrivilegedHelperTools/com.evil.helper",
    "Library/SystemExtensions/ABC/x.systemextension/Contents/Info.plist",
    "private/var/db/dslocal/nodes/Default/users/ana.plist", "private/var/db/dslocal/nodes/Default/groups/admin.plist",
    "Users/ana/Library/Preferences/MobileMeAccounts.plist",
    "Library/Preferences/com.apple.RemoteManagement.plist", "private/etc/RemoteManagement.launchd",
    "Library/Application Support/Apple/Remote Desktop/RemoteManagement.launchd", "private/etc/hosts",
    "Library/Managed Preferences/com.google.Chrome.plist", "Library/Managed Preferences/ana/org.mozilla.firefox.plist",
    "Applications/Firefox.app/Contents/Resources/distribution/policies.json",
    "Users/ana/Library/Application Support/Google/Chrome/Local State",
    "Users/ana/Library/Application Support/Google/Chrome/Default/Preferences",
    "Users/ana/Library/Application Support/Google/Chrome/Default/History",
    "Users/ana/Library/Application Support/Firefox/profiles.ini",
    "Users/ana/Library/Application Support/Firefox/Profiles/x.default/prefs.js",
    "Users/ana/Library/Application Support/Firefox/Profiles/x.default/places.sqlite",
]
LAYOUT_FILES = {"linux": LINUX_FILES, "windows": WINDOWS_FILES, "macos": MACOS_FILES}
# Skeleton folders that let the image be recognised and users be found, whatever is planted.
SKELETON = {
    "linux": ["etc", "usr/bin", "var", "home/ana", "root"],
    "windows": ["Windows/System32", "Users/ana", "Users/Public"],
    "macos": ["System/Library", "Library", "Applications", "Users/ana/Library/Preferences"],
}

JUNK = bytes(range(256)) * 8 + b"\x00\xff\xfe" * 100
BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode()
               for i in range(1, 10))
    + b']>\n<Task><RegistrationInfo><Author>&lol9;</Author></RegistrationInfo>'
    b'<Actions><Exec><Command>&lol9;</Command></Exec></Actions></Task>\n'
)
# Nesting deep enough to overflow any recursive parser (JSON, XML, INI-ish text alike).
DEEP_NESTING = b'{"a":' * 30_000 + b"[" * 30_000 + b"<array>" * 30_000
PLIST_LAUGHS = BILLION_LAUGHS.replace(b"<Task>", b'<plist version="1.0"><dict><key>Label</key><string>').replace(
    b"</Task>", b"</string></dict></plist>")


def header_junk(rel: str) -> bytes:
    """Junk behind the right magic number, so the parser goes past its first check."""
    name = rel.rsplit("/", 1)[-1].lower()
    if name.endswith((".plist", ".btm", ".sfl2", ".binary", ".mobileconfig")):
        return b"bplist00" + JUNK
    if name.endswith((".db", ".sqlite")) or name == "history":
        return b"SQLite format 3\x00" + JUNK
    if name in ("software", "system", "sam", "ntuser.dat"):
        return b"regf" + JUNK
    if name.endswith(".lnk"):
        return b"\x4c\x00\x00\x00\x01\x14\x02\x00" + JUNK
    return b"\xef\xbb\xbf" + JUNK


def wrong_shape(rel: str, path: Path, root: Path) -> None:
    """Well-formed data of the wrong shape: types and tables a collector does not expect."""
    name = rel.rsplit("/", 1)[-1].lower()
    if name.endswith((".db", ".sqlite")) or name == "history":
        conn = sqlite3.connect(path)
        for table in ("access", "urls", "visits", "downloads", "moz_places", "moz_historyvisits", "moz_perms",
                      "Packages", "admin", "policies"):
            conn.execute(f"CREATE TABLE {table} (x)")
            conn.execute(f"INSERT INTO {table} VALUES (?)", (b"\xff\x00",))
        conn.commit()
        conn.close()
    elif name.endswith((".plist", ".btm", ".sfl2", ".binary", ".mobileconfig")):
        odd: dict[str, object] = {k: v for k, v in zip(
            ["Label", "Program", "ProgramArguments", "RunAtLoad", "Disabled", "KeepAlive", "PayloadContent",
             "Accounts", "CFBundleIdentifier", "CFBundleExecutable", "SessionItems", "$objects", "users", "name",
             "ProfileItems", "_computerlevel", "ExtensionSettings", "items", "groupmembers", "users"],
            [5, [1], "x", "yes", [], {"a": [1]}, "x", 7, [2], {}, [1, 2], {"x": 1}, 3.5, {}, "x", [None],
             "x", [1], 9, {"1": 2}], strict=True)}
        path.write_bytes(plistlib.dumps(odd, fmt=plistlib.FMT_BINARY))
    elif name.endswith(".json") or name in ("preferences", "secure preferences", "local state"):
        path.write_text(json.dumps({"extensions": {"settings": [1, "x"]}, "profile": 5, "account_info": "x",
                                    "policies": [1], "addons": {"a": 1}, "ExtensionSettings": "x",
                                    "accounts": 1, "info_cache": [2]}))
    else:
        # Deeply nested JSON-ish and INI-ish text: huge line, odd separators.
        path.write_text("[" * 50_000 + "\n" + "=" * 10_000 + "\n[section\nkey\n\x00\n")


def sparse(path: Path, size: int) -> None:
    """A file of `size` bytes that takes no disk space (reading it whole would take minutes)."""
    with path.open("wb") as fh:
        fh.truncate(size)


def fifo(path: Path) -> None:
    os.mkfifo(path)


def _link(path: Path, dest: str) -> None:
    os.symlink(dest, path)


Mutation = Callable[[str, Path, Path], None]  # (rel path, host path, image root)
MUTATIONS: dict[str, Mutation] = {
    "junk": lambda rel, p, root: p.write_bytes(JUNK),
    "header_junk": lambda rel, p, root: p.write_bytes(header_junk(rel)),
    "laughs": lambda rel, p, root: p.write_bytes(PLIST_LAUGHS if rel.endswith("plist") else BILLION_LAUGHS),
    "wrong_shape": wrong_shape,
    "empty": lambda rel, p, root: p.write_bytes(b""),
    "wal_header": lambda rel, p, root: p.write_bytes(b"SQLite format 3\x00\x10\x00\x02\x02" + JUNK),
    "utf16_junk": lambda rel, p, root: p.write_bytes(b"\xff\xfe" + JUNK + b"\x00"),
    "nul_text": lambda rel, p, root: p.write_bytes(b"\x00" * 5000 + b"=\n[x]\nExec=\x00\n* * * * * \x00\n"),
    "deep_nesting": lambda rel, p, root: p.write_bytes(DEEP_NESTING),
    "fifo": lambda rel, p, root: fifo(p),
    "folder": lambda rel, p, root: p.mkdir(),
    "loop": lambda rel, p, root: _link(p, p.name),
    "outside_absolute": lambda rel, p, root: _link(p, str(root.parent / "host/etc/shadow")),
    "outside_relative": lambda rel, p, root: _link(p, "../" * (rel.count("/") + 4) + "host/etc/shadow"),
    "unreadable": lambda rel, p, root: (p.write_bytes(JUNK), p.chmod(0)),
    "huge": lambda rel, p, root: sparse(p, 6 * 1024**3),
}


def hostile_names(folder: Path) -> None:
    """Names no one should have, plus an empty sub-folder and a link loop, in one folder."""
    for raw in (b"bad\xff\xfename.plist", b"new\nline.service", b"tab\tesc\x1b[31m.desktop", b"-rf .lnk"):
        with open(os.fsencode(folder) + b"/" + raw, "wb") as fh:  # bytes path: names need not be UTF-8
            fh.write(JUNK)
    (folder / "loopdir").mkdir(exist_ok=True)
    if not (folder / "loopdir/self").exists():
        os.symlink("..", folder / "loopdir/self")


def build(root: Path, os_name: str, mutation: str) -> Path:
    """An image of `os_name` where every parsed file suffers `mutation`."""
    host_secret = root.parent / "host/etc/shadow"
    host_secret.parent.mkdir(parents=True, exist_ok=True)
    host_secret.write_text(f"root:{HOST_SECRET}:19000:0:99999:7:::\n")
    for d in SKELETON[os_name]:
        (root / d).mkdir(parents=True, exist_ok=True)
    for rel in LAYOUT_FILES[os_name]:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if not (path.exists() or path.is_symlink()):
            MUTATIONS[mutation](rel, path, root)
    if mutation == "junk":  # the "odd names" garnish goes with the plainest tree
        for rel in {str(Path(r).parent) for r in LAYOUT_FILES[os_name]}:
            hostile_names(root / rel)
        deep = root / ("home/ana" if os_name == "linux" else "Users/ana")
        for i in range(120):
            deep = deep / f"d{i}"
        deep.mkdir(parents=True)
        (deep / "Preferences").write_bytes(JUNK)
    return root


def build_folders_are_files(root: Path, os_name: str) -> Path:
    """Every folder a collector lists is a file instead (and each user's home too)."""
    for d in SKELETON[os_name]:
        (root / d).mkdir(parents=True, exist_ok=True)
    folders = sorted({str(Path(r).parent) for r in LAYOUT_FILES[os_name]}, key=len, reverse=True)
    for rel in folders:
        path = root / rel
        if any(p.is_file() for p in path.parents):
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            path.write_bytes(JUNK)
    return root


def scan_image(root: Path, os_name: str) -> ScanResult:
    target = open_image(str(root))
    assert target.os == os_name
    start = time.monotonic()
    result = run_scan(target, RULES)
    assert time.monotonic() - start < SCAN_SECONDS
    return result


def assert_sound(result: ScanResult) -> None:
    failed = {c.name: c.reason for c in result.checks if c.status == "failed"}
    assert failed == {}
    everything = repr([a.fields for a in result.artifacts]) + repr([(c.notes, c.reason) for c in result.checks])
    assert HOST_SECRET not in everything


def all_notes(result: ScanResult) -> str:
    return "\n".join(f"{n.path}: {n.message}" for c in result.checks for n in c.notes)


OSES = ["linux", "windows", "macos"]
# Troubles where every bad file must be named in a note (the others may look like ordinary files).
NOTED = {"fifo", "folder", "loop", "outside_absolute", "outside_relative", "huge"}


@pytest.mark.parametrize("mutation", sorted(MUTATIONS))
@pytest.mark.parametrize("os_name", OSES)
def test_hostile_tree_scans_without_failed_checks(tmp_path: Path, os_name: str, mutation: str) -> None:
    root = build(tmp_path / "img", os_name, mutation)
    result = scan_image(root, os_name)
    assert_sound(result)
    notes = all_notes(result)
    if mutation in NOTED:
        # The files every collector on every layout reads must be named in a note.
        # (A unit file that is a broken link counts as masked, as systemd treats it; it is listed, not noted.)
        key_files = {"linux": ["/etc/crontab", "b.desktop", "authorized_keys"],
                     "windows": ["SOFTWARE", "NTUSER.DAT", "Tasks\\Evil", "b.lnk", "ad.trace"],
                     "macos": ["com.evil.a.plist", "TCC.db", "Info.plist", "backgrounditems.btm"]}[os_name]
        if mutation == "folder":  # a folder named like a task is a task folder; Windows skips folders in Startup
            key_files = [f for f in key_files if f not in ("Tasks\\Evil", "b.lnk")]
        assert [f for f in key_files if f not in notes] == [], notes
    if mutation in ("junk", "header_junk", "huge"):
        assert len(notes.splitlines()) >= 10, notes
    if mutation == "huge":  # refused from its size, before any byte is read
        assert "larger than" in notes, notes
    if mutation in ("outside_absolute", "outside_relative"):  # the link is judged inside the image
        assert "file not found" in notes, notes


@pytest.mark.parametrize("os_name", OSES)
def test_folders_that_are_files_become_notes_or_nothing(tmp_path: Path, os_name: str) -> None:
    assert_sound(scan_image(build_folders_are_files(tmp_path / "img", os_name), os_name))


@pytest.mark.parametrize("os_name", OSES)
def test_unreadable_files_are_notes_on_a_fake_target(tmp_path: Path, os_name: str) -> None:
    """Tests run as root, where chmod 000 does not stop a read: the fake target refuses instead."""
    files = {"/" + rel: JUNK for rel in LAYOUT_FILES[os_name]}
    target = FakeTarget(mode="image", os=os_name, root=None, files=files,  # type: ignore[arg-type]
                        unreadable=set(files) | {p.rsplit("/", 1)[0] for p in files})
    result = run_scan(target, RULES)
    assert_sound(result)
    refused = {n.path for c in result.checks for n in c.notes if "permission denied" in n.message}
    # Every refusal noted is one of the places refused, and its check says it is only partly done.
    assert refused and refused <= {target.display_path(p) for p in target.unreadable}, refused
    assert [c.name for c in result.checks
            if c.status != "partial" and any("permission denied" in n.message for n in c.notes)] == []
    # Each refused file is noted, on itself or on a folder above it (a refused folder hides what is in
    # it): none is a silent "nothing there". Left out: the Windows hives (this fake target has no
    # registry to read them through) and snap/flatpak app folders (found by their names; nothing in
    # them is read).
    def noted(path: str) -> bool:
        while path not in ("/", ""):
            if target.display_path(path) in refused:
                return True
            path = posixpath.dirname(path)
        return False

    not_read = ("/Windows/System32/config/", "NTUSER.DAT", "/var/lib/flatpak/", "/snap/")
    assert [f for f in files if not noted(f) and not any(x in f for x in not_read)] == []


@pytest.mark.parametrize("fmt", ["text", "json", "html"])
@pytest.mark.parametrize("os_name", OSES)
def test_cli_reports_a_hostile_tree(tmp_path: Path, os_name: str, fmt: str) -> None:
    root = build(tmp_path / "img", os_name, "junk")
    for rel in LAYOUT_FILES[os_name][::3]:  # links out of the image too
        (root / rel).unlink()
        os.symlink(str(tmp_path / "host/etc/shadow"), root / rel)
    out = tmp_path / f"report.{fmt}"
    start = time.monotonic()
    res = CliRunner().invoke(cli, ["scan", "--root", str(root), "--format", fmt, "--output", str(out)])
    assert time.monotonic() - start < SCAN_SECONDS
    assert res.exit_code in (0, 3), res.output
    report = out.read_text(encoding="utf-8")
    assert HOST_SECRET not in report
    if fmt == "json":
        assert "failed" not in [c["status"] for c in json.loads(report)["checks"]]
    else:  # a check that could not finish is shown with its status word, in text and HTML alike
        assert "[could not finish]" not in report and 'class="status status-failed"' not in report
    assert "\x1b" not in report  # escape sequences in names are made harmless
