"""Linux collectors on the real artifact files (tests/data/realdata/linux) and small real-format trees."""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import sqlite3
from pathlib import Path

from techcheck.artifacts import Artifact
from techcheck.collectors.base import Collector, Context
from techcheck.collectors.common.hosts import HostsFile
from techcheck.collectors.linux.commandline import command_exe
from techcheck.collectors.linux.cron import LinuxCron, parse_crontab
from techcheck.collectors.linux.packages import LinuxPackages, installed_packages
from techcheck.collectors.linux.screen_sharing import LinuxScreenSharing
from techcheck.collectors.linux.shell import LinuxShellStartup, unusual_lines
from techcheck.collectors.linux.ssh import (
    LinuxAuthorizedKeys,
    LinuxSshServer,
    fingerprint,
    parse_authorized_keys,
)
from techcheck.collectors.linux.systemd import LinuxSystemd, expand_specifiers, parse_unit
from techcheck.collectors.linux.xdg import LinuxXdgAutostart, parse_desktop
from techcheck.target import open_image
from tests.conftest import realdata, write

DATA = Path(__file__).parent / "data"
PASSWD = "root:x:0:0:root:/root:/bin/bash\nana:x:1000:1000::/home/ana:/bin/bash\n"


def run(collector: type[Collector], root: Path) -> tuple[list[Artifact], Context]:
    ctx = Context()
    return list(collector().collect(open_image(str(root)), ctx)), ctx


def base_tree(root: Path) -> Path:
    write(root, "etc/passwd", PASSWD)
    (root / "home/ana").mkdir(parents=True, exist_ok=True)
    (root / "root").mkdir(exist_ok=True)
    (root / "usr/bin").mkdir(parents=True, exist_ok=True)
    return root


# --- systemd -------------------------------------------------------------------------------------

def test_parse_real_units() -> None:
    cron = parse_unit(realdata("linux/systemd/system/cron.service").read_text())
    assert cron.description == "Regular background program processing daemon"
    assert cron.exec_start == "/usr/sbin/cron -f $EXTRA_OPTS"
    assert cron.user == "" and cron.wanted_by == ["multi-user.target"] and cron.problems == []
    docker = parse_unit(realdata("linux/systemd/system/docker.service").read_text())
    assert docker.exec_start == "/usr/bin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock"
    assert docker.get("Unit", "Requires") == ["docker.socket containerd.service"]
    assert docker.wanted_by == ["multi-user.target"]
    sync = parse_unit(realdata("linux/systemd/system/syncthing@.service").read_text())
    assert sync.user == "%i" and sync.exec_start == "/usr/bin/syncthing serve --no-browser --no-restart"
    assert sync.get("Service", "Environment")[0] == '"STLOGFORMATTIMESTAMP="'
    assert expand_specifiers(sync.description, "syncthing@ana.service") == (
        "Syncthing - Open Source Continuous File Synchronization for ana")
    user = parse_unit(realdata("linux/systemd/user/syncthing.service").read_text())
    assert user.wanted_by == ["default.target"] and user.user == ""
    # The commented-out AmbientCapabilities line is not read.
    assert user.get("Service", "AmbientCapabilities") == []


def test_systemd_enabled_masked_templates_and_user_units(tmp_path: Path, copy_realdata) -> None:  # type: ignore[no-untyped-def]
    root = base_tree(tmp_path / "img")
    for unit in ("cron.service", "docker.service", "syncthing@.service"):
        copy_realdata(f"linux/systemd/system/{unit}", f"img/usr/lib/systemd/system/{unit}")
    copy_realdata("linux/systemd/user/syncthing.service", "img/usr/lib/systemd/user/syncthing.service")
    wants = root / "etc/systemd/system/multi-user.target.wants"
    wants.mkdir(parents=True)
    os.symlink("/usr/lib/systemd/system/cron.service", wants / "cron.service")
    os.symlink("/usr/lib/systemd/system/syncthing@.service", wants / "syncthing@ana.service")
    os.symlink("/usr/lib/systemd/system/docker.service", wants / "docker.service")
    os.symlink("/dev/null", root / "etc/systemd/system/docker.service")  # masked wins over the link
    user_wants = root / "home/ana/.config/systemd/user/default.target.wants"
    user_wants.mkdir(parents=True)
    os.symlink("/usr/lib/systemd/user/syncthing.service", user_wants / "syncthing.service")

    arts, ctx = run(LinuxSystemd, root)
    by = {(a.get("name"), a.get("user")): a for a in arts}
    facts = ("origin", "origin_name", "interpreter", "runs", "behaviour", "personal", "times")
    cron = {k: v for k, v in by[("cron.service", "")].fields.items() if k not in facts}
    assert by[("cron.service", "")].get("behaviour") == [] and by[("cron.service", "")].get("personal") is False
    assert cron == {"mechanism": "systemd", "name": "cron.service", "exe": "/usr/sbin/cron", "exe_name": "cron",
                    "command": "/usr/sbin/cron -f $EXTRA_OPTS", "user": "", "scope": "system", "enabled": True,
                    "run_as": "root", "trigger": "multi-user.target.wants",
                    "description": "Regular background program processing daemon"}
    assert by[("cron.service", "")].location.path == "/usr/lib/systemd/system/cron.service"
    docker = by[("docker.service", "")].fields
    assert docker["enabled"] is False and docker["trigger"] == "masked" and docker["exe"] == "/usr/bin/dockerd"
    inst = by[("syncthing@ana.service", "")].fields
    assert inst["run_as"] == "ana" and inst["enabled"] is True and inst["exe_name"] == "syncthing"
    assert ("syncthing@.service", "") not in by  # the template shows up as its enabled instance
    mine = by[("syncthing.service", "ana")].fields
    assert mine["scope"] == "user" and mine["enabled"] is True and mine["run_as"] == "ana"
    shared = by[("syncthing.service", "")].fields
    assert shared["enabled"] is False and shared["trigger"] == "wanted by default.target"
    assert ctx.notes == []


def test_disabled_template_is_listed_unresolved(tmp_path: Path, copy_realdata) -> None:  # type: ignore[no-untyped-def]
    root = base_tree(tmp_path / "img")
    copy_realdata("linux/systemd/system/syncthing@.service", "img/lib/systemd/system/syncthing@.service")
    arts, _ = run(LinuxSystemd, root)
    (art,) = arts
    assert art.get("name") == "syncthing@.service" and art.get("enabled") is False and art.get("run_as") == ""


# --- XDG autostart -------------------------------------------------------------------------------

def test_parse_real_desktop_files() -> None:
    solaar = parse_desktop(realdata("linux/autostart/solaar.desktop").read_text(encoding="utf-8"))
    assert solaar.exec == "solaar --window=hide" and solaar.enabled and not solaar.hidden
    assert solaar.keys["Comment"] == "Logitech Unifying Receiver peripherals manager"
    assert "Categories" in solaar.keys and solaar.keys["Categories"] == "Utility;GTK;"  # comment line skipped
    sync = parse_desktop(realdata("linux/autostart/syncthing-start.desktop").read_text())
    assert sync.exec == "syncthing serve --no-browser --logfile=default" and sync.keys["Name"] == "Start Syncthing"
    off = parse_desktop("[Desktop Entry]\nExec=x %U\nX-GNOME-Autostart-enabled=false\nOnlyShowIn=GNOME;KDE;\n")
    assert off.exec == "x" and not off.enabled and off.desktops("OnlyShowIn") == ["GNOME", "KDE"]
    assert not parse_desktop("[Desktop Entry]\nExec=x\nHidden=true\n").enabled


def test_xdg_collector(tmp_path: Path, copy_realdata) -> None:  # type: ignore[no-untyped-def]
    root = base_tree(tmp_path / "img")
    copy_realdata("linux/autostart/solaar.desktop", "img/etc/xdg/autostart/solaar.desktop")
    copy_realdata("linux/autostart/syncthing-start.desktop", "img/home/ana/.config/autostart/syncthing-start.desktop")
    write(root, "home/ana/.config/autostart/upd.desktop",
          "[Desktop Entry]\nType=Application\nName=upd\nExec=~/.cache/.x/upd --quiet\nNoDisplay=true\n")
    arts, ctx = run(LinuxXdgAutostart, root)
    by = {a.get("name"): a.fields for a in arts}
    assert by["solaar.desktop"]["scope"] == "system" and by["solaar.desktop"]["exe"] == "solaar"
    assert by["syncthing-start.desktop"]["user"] == "ana" and by["syncthing-start.desktop"]["enabled"] is True
    assert by["upd.desktop"]["exe"] == "/home/ana/.cache/.x/upd"  # ~ resolved to the user's home
    assert ctx.notes == []


# --- cron ----------------------------------------------------------------------------------------

def test_real_crontabs() -> None:
    stock = parse_crontab(realdata("linux/etc/crontab").read_text(), has_user_column=True)
    assert [j.schedule for j in stock.jobs] == ["17 * * * *", "25 6 * * *", "47 6 * * 7", "52 6 1 * *"]
    assert all(j.user == "root" for j in stock.jobs)
    assert stock.jobs[0].command == "cd / && run-parts --report /etc/cron.hourly"
    assert stock.jobs[3].command == "test -x /usr/sbin/anacron || ( cd / && run-parts --report /etc/cron.monthly )"
    assert stock.env == {"SHELL": "/bin/sh", "PATH": "/usr/local/sbin:/usr/local/bin:/sbin:/bin:/usr/sbin:/usr/bin"}
    assert stock.problems == []
    kaisen = parse_crontab(realdata("linux/etc/crontab.kaisen").read_text(), has_user_column=True)
    assert len(kaisen.jobs) == 5 and kaisen.jobs[:4] == [
        type(j)(j.line + 7, j.schedule, j.user, j.command) for j in stock.jobs]
    extra = kaisen.jobs[4]
    assert (extra.schedule, extra.user, extra.command) == ("*/1 * * * *", "root", "kaisen-basemenu-purge")


def test_cron_collector_specials_spools_and_periodic(tmp_path: Path, copy_realdata) -> None:  # type: ignore[no-untyped-def]
    root = base_tree(tmp_path / "img")
    copy_realdata("linux/etc/crontab", "img/etc/crontab")
    write(root, "etc/cron.d/.placeholder", "# DO NOT EDIT OR REMOVE\n")
    write(root, "etc/cron.d/e2scrub_all", "30 3 * * 0 root test -e /run/systemd/system || "
          "SERVICE_MODE=1 /usr/lib/x86_64-linux-gnu/e2fsprogs/e2scrub_all_cron\n")
    write(root, "var/spool/cron/crontabs/ana", "MAILTO=\"\"\n@reboot /dev/shm/.s/run >/dev/null 2>&1\n")
    write(root, "etc/cron.daily/logrotate", "#!/bin/sh\n", mode=0o755)
    arts, ctx = run(LinuxCron, root)
    names = {a.get("name"): a.fields for a in arts}
    assert names["crontab:11"]["exe"] == "run-parts" and names["crontab:11"]["trigger"] == "schedule 17 * * * *"
    assert names["e2scrub_all:1"]["exe"] == "/usr/lib/x86_64-linux-gnu/e2fsprogs/e2scrub_all_cron"
    boot = names["ana:2"]
    assert boot["trigger"] == "boot" and boot["exe"] == "/dev/shm/.s/run" and boot["user"] == "ana"
    assert boot["scope"] == "user" and boot["run_as"] == "ana"
    assert names["logrotate"]["trigger"] == "daily"
    assert ctx.notes == []


# --- shell start-up -------------------------------------------------------------------------------

ORDINARY_BASHRC = """\
# ~/.bashrc: executed by bash(1) for non-login shells.
case $- in
    *i*) ;;
      *) return;;
esac
HISTCONTROL=ignoreboth
shopt -s histappend
[ -x /usr/bin/lesspipe ] && eval "$(SHELL=/bin/sh lesspipe)"
case "$TERM" in
    xterm-color|*-256color) color_prompt=yes;;
esac
if [ -x /usr/bin/dircolors ]; then
    test -r ~/.dircolors && eval "$(dircolors -b ~/.dircolors)" || eval "$(dircolors -b)"
    alias ls='ls --color=auto'
fi
if [ -f ~/.bash_aliases ]; then
    . ~/.bash_aliases
fi
. "$HOME/.cargo/env"
export PATH="$HOME/.local/bin:$PATH"
"""


def test_ordinary_bashrc_yields_nothing() -> None:
    assert unusual_lines(ORDINARY_BASHRC, "/home/ana") == []


def test_shell_startup_collector(tmp_path: Path) -> None:
    root = base_tree(tmp_path / "img")
    write(root, "home/ana/.bashrc", ORDINARY_BASHRC)
    write(root, "home/ana/.profile", "if [ -n \"$BASH_VERSION\" ]; then\n  . \"$HOME/.bashrc\"\nfi\n"
          "nohup ~/.local/share/.sys/agent >/dev/null 2>&1 &\n")
    write(root, "etc/environment", 'PATH="/usr/bin:/bin"\nLD_PRELOAD=/usr/local/lib/libx.so\n')
    arts, ctx = run(LinuxShellStartup, root)
    assert ctx.notes == []
    shell = [a for a in arts if a.get("mechanism") == "shell_startup"]
    assert [a.get("name") for a in shell] == [".profile:4"]
    assert shell[0].get("exe") == "/home/ana/.local/share/.sys/agent"
    assert "background" in shell[0].get("description") and "hidden folder" in shell[0].get("description")
    pre = [a for a in arts if a.get("mechanism") == "ld_preload"]
    assert [(a.get("name"), a.location.path) for a in pre] == [("/usr/local/lib/libx.so", "/etc/environment")]


# --- SSH -----------------------------------------------------------------------------------------

def _ed25519_line(comment: str) -> tuple[str, str]:
    """A real-format ed25519 public key line and the fingerprint ssh-keygen -lf would print."""
    key = bytes(range(32))
    blob = (len(b"ssh-ed25519").to_bytes(4, "big") + b"ssh-ed25519" + len(key).to_bytes(4, "big") + key)
    b64 = base64.b64encode(blob).decode()
    fp = "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")
    return f"ssh-ed25519 {b64} {comment}", fp


def test_fingerprint_matches_ssh_keygen_format() -> None:
    # Value printed by `ssh-keygen -lf` for this public key (generated with ssh-keygen).
    blob = "AAAAC3NzaC1lZDI1NTE5AAAAIFjD4L1rFzf6ImVBxoVjMUwAy5gdmwMEwmy+UKP7kNP7"
    assert fingerprint(blob) == "SHA256:" + base64.b64encode(
        hashlib.sha256(base64.b64decode(blob)).digest()).decode().rstrip("=")
    assert len(fingerprint(blob)) == len("SHA256:") + 43


def test_authorized_keys_options_and_broken_lines() -> None:
    line, fp = _ed25519_line("someone@laptop")
    parsed = parse_authorized_keys(f'# c\n{line}\nfrom="10.0.0.1",command="echo a b" {line}\nssh-rsa !!!\nhello\n')
    assert [(k.key_type, k.fingerprint, k.comment, k.options) for k in parsed.keys] == [
        ("ssh-ed25519", fp, "someone@laptop", ""),
        ("ssh-ed25519", fp, "someone@laptop", 'from="10.0.0.1",command="echo a b"'),
    ]
    assert [str(p) for p in parsed.problems] == ["line 4: the key data is not valid base64",
                               "line 5: not a key line (no known key type)"]


def test_ssh_collectors(tmp_path: Path) -> None:
    root = base_tree(tmp_path / "img")
    line, fp = _ed25519_line("him@his-pc")
    write(root, "root/.ssh/authorized_keys", line + "\n")
    write(root, "home/ana/.ssh/authorized_keys", "garbage\n")
    write(root, "usr/sbin/sshd", b"\x7fELF")
    write(root, "etc/ssh/sshd_config", "Include /etc/ssh/sshd_config.d/*.conf\nPort 22\nPasswordAuthentication no\n"
          "Match User x\n  PermitRootLogin yes\n")
    write(root, "etc/ssh/sshd_config.d/50-local.conf", "PermitRootLogin yes\nPort 2222\n")
    (root / "etc/systemd/system/multi-user.target.wants").mkdir(parents=True)
    os.symlink("/lib/systemd/system/ssh.service", root / "etc/systemd/system/multi-user.target.wants/ssh.service")
    keys, ctx = run(LinuxAuthorizedKeys, root)
    assert [(k.get("user"), k.get("fingerprint"), k.get("comment")) for k in keys] == [("root", fp, "him@his-pc")]
    assert [n.path for n in ctx.notes] == ["/home/ana/.ssh/authorized_keys"]
    (setting,), _ = run(LinuxSshServer, root)
    assert setting.get("enabled") is True and setting.get("value") == "set to start: ssh.service"
    assert setting.get("detail") == "port 2222,22; permitrootlogin yes; passwordauthentication no"


# --- packages, screen sharing, hosts ---------------------------------------------------------------

DPKG_STATUS = """\
Package: x11vnc
Status: install ok installed
Maintainer: Debian Remote Maintainers <x@example.org>
Version: 0.9.16-9
Description: VNC server to allow remote access to an existing X session
 x11vnc allows one to view remotely and interact with real X displays.

Package: motion
Status: deinstall ok config-files
Version: 4.5.1-2

Package: vim
Status: install ok installed
Version: 2:9.0.1378-2
"""


def test_dpkg_status_only_installed(tmp_path: Path) -> None:
    assert [p["Package"] for p in installed_packages(DPKG_STATUS)] == ["x11vnc", "vim"]
    root = base_tree(tmp_path / "img")
    write(root, "var/lib/dpkg/status", DPKG_STATUS)
    (root / "var/lib/flatpak/app/org.mozilla.firefox").mkdir(parents=True)
    arts, _ = run(LinuxPackages, root)
    assert [(a.get("package"), a.get("version"), a.get("source")) for a in arts] == [
        ("x11vnc", "0.9.16-9", "dpkg"), ("vim", "2:9.0.1378-2", "dpkg"), ("org.mozilla.firefox", None, "flatpak")]


def test_screen_sharing_files(tmp_path: Path) -> None:
    root = base_tree(tmp_path / "img")
    write(root, "home/ana/.vnc/passwd", b"\x01\x02\x03\x04\x05\x06\x07\x08")
    write(root, "home/ana/.config/krfbrc", "[Security]\nallowUnattendedAccess=true\n")
    write(root, "etc/xrdp/xrdp.ini", "[Globals]\nport=3390\n[Xorg]\nport=-1\n")
    write(root, "etc/tigervnc/vncserver.users", "# :2=andrew\n:1=ana\n")
    arts, _ = run(LinuxScreenSharing, root)
    got = {(a.get("name"), a.get("value"), a.get("detail")) for a in arts}
    assert ("screen_sharing", "krfb", "KDE desktop sharing (Krfb) settings; allowUnattendedAccess=true") in got
    assert ("screen_sharing", "vnc_password", "a saved VNC password (x11vnc, TigerVNC, TightVNC)") in got
    assert ("remote_desktop", "xrdp", "port 3390; not set to start") in got
    assert ("remote_desktop", "tigervnc", "VNC desktop :1 for ana") in got
    assert len(arts) == 4


def test_hosts_skips_standard_lines(tmp_path: Path) -> None:
    root = base_tree(tmp_path / "img")
    write(root, "etc/hostname", "ana-laptop\n")
    write(root, "etc/hosts", "127.0.0.1\tlocalhost\n127.0.1.1\tana-laptop.home ana-laptop\n"
          "::1     localhost ip6-localhost ip6-loopback\nff02::1 ip6-allnodes\n"
          "0.0.0.0 Tracker.Example.COM # blocked\n10.1.2.3 mail.example.org\n")
    arts, _ = run(HostsFile, root)
    assert [(a.get("hostname"), a.get("address")) for a in arts] == [
        ("tracker.example.com", "0.0.0.0"), ("mail.example.org", "10.1.2.3")]


def test_command_exe() -> None:
    assert command_exe("test -x /usr/sbin/anacron || ( cd / && run-parts --report /etc/cron.daily )") == "run-parts"
    assert command_exe("sh -c 'sleep 5; exec /dev/shm/x -d'") == "/dev/shm/x"
    assert command_exe("sudo -u ana nohup x11vnc -forever >/dev/null 2>&1 &") == "x11vnc"
    assert command_exe("FOO=1 python3 /home/a/.x/spy.py") == "/home/a/.x/spy.py"
    assert command_exe("su ana -c 'DISPLAY=:0 x11vnc -forever'") == "x11vnc"
    assert command_exe('bash -c "/opt/x unterminated') == "/opt/x"  # broken quotes: a rough split


def test_timer_socket_and_rc_local_switch_services_on(tmp_path: Path) -> None:
    root = base_tree(tmp_path / "img")
    unit_dir = root / "etc/systemd/system"
    write(root, "etc/systemd/system/sync-photos.service", "[Service]\nType=oneshot\nExecStart=/usr/bin/rsync -a x y\n")
    write(root, "etc/systemd/system/sync-photos.timer",
          "[Timer]\nOnCalendar=hourly\n[Install]\nWantedBy=timers.target\n")
    (unit_dir / "timers.target.wants").mkdir()
    os.symlink("/etc/systemd/system/sync-photos.timer", unit_dir / "timers.target.wants/sync-photos.timer")
    write(root, "etc/systemd/system/idle.service", "[Service]\nExecStart=/usr/bin/idle\n")
    write(root, "etc/systemd/system/idle.timer", "[Timer]\nOnBootSec=1\n")  # a timer nobody switched on
    write(root, "etc/rc.local", "#!/bin/sh -e\n# rc.local\n/var/tmp/.u/agent &\nexit 0\n", mode=0o755)
    arts, ctx = run(LinuxSystemd, root)
    by = {a.get("name"): a.fields for a in arts}
    assert by["sync-photos.service"]["enabled"] is True
    assert by["sync-photos.service"]["trigger"] == "sync-photos.timer (timers.target.wants)"
    assert by["idle.service"]["enabled"] is False
    rc = by["rc.local:3"]
    assert rc["exe"] == "/var/tmp/.u/agent" and rc["enabled"] is True and rc["trigger"] == "boot (/etc/rc.local)"
    assert rc["mechanism"] == "rc_local" and {"temp_folder", "hidden_folder"} <= set(rc["behaviour"])
    assert len(arts) == 3 and ctx.notes == []


def test_anacrontab_and_kde_scripts(tmp_path: Path) -> None:
    root = base_tree(tmp_path / "img")
    write(root, "etc/anacrontab", "SHELL=/bin/sh\nHOME=/root\n1\t5\tcron.daily\trun-parts --report /etc/cron.daily\n"
          "@monthly\t15\tcron.monthly\trun-parts --report /etc/cron.monthly\nnonsense\n")
    arts, ctx = run(LinuxCron, root)
    assert [(a.get("name"), a.get("trigger"), a.get("exe")) for a in arts] == [
        ("anacrontab:3", "anacron, every 1 days", "run-parts"), ("anacrontab:4", "anacron, @monthly", "run-parts")]
    assert [n.message for n in ctx.notes] == ["anacrontab line 5: not an anacron line (period, delay, name, command)"]
    write(root, "home/ana/.config/autostart-scripts/sync.sh", "#!/bin/sh\n~/.hid/s &\n", mode=0o755)
    arts, _ = run(LinuxXdgAutostart, root)
    assert [(a.get("name"), a.get("exe"), a.get("trigger")) for a in arts] == [
        ("sync.sh", "/home/ana/.config/autostart-scripts/sync.sh", "KDE sign-in script")]


def test_rpm_database(tmp_path: Path) -> None:
    root = base_tree(tmp_path / "img")
    (root / "var/lib/rpm").mkdir(parents=True)
    shutil.copyfile(DATA / "rpmdb.sqlite", root / "var/lib/rpm/rpmdb.sqlite")
    arts, ctx = run(LinuxPackages, root)
    assert [(a.get("package"), a.get("version"), a.get("publisher"), a.get("source")) for a in arts] == [
        ("x11vnc", "0.9.16-9.fc39", "Fedora Project", "rpm"), ("bash", "5.2.26-1.fc39", "Fedora Project", "rpm")]
    assert all(str(a.get("installed")).startswith("20") for a in arts) and ctx.notes == []


def test_rpm_database_with_a_broken_record(tmp_path: Path) -> None:
    root = base_tree(tmp_path / "img")
    db = root / "usr/lib/sysimage/rpm/rpmdb.sqlite"
    db.parent.mkdir(parents=True)
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)")
    conn.execute("INSERT INTO Packages (blob) VALUES (?)", (b"\x00\x00\xff\xff junk",))
    conn.commit()
    conn.close()
    write(root, "var/lib/rpm/rpmdb.sqlite", b"not a database at all")
    arts, ctx = run(LinuxPackages, root)
    assert arts == []
    assert sorted(n.path for n in ctx.notes) == ["/usr/lib/sysimage/rpm/rpmdb.sqlite", "/var/lib/rpm/rpmdb.sqlite"]
