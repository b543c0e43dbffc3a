"""Scanning Linux disk copies through the real CLI: planted persistence is found, a known-good
system raises no alert, and bad input becomes notes while the scan goes on."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from techcheck.cli import cli
from techcheck.ruleset import load_rules, shipped_rules_dir
from techcheck.scan import run_scan
from techcheck.target.fake import FakeTarget
from tests.conftest import write
from tests.test_linux_collectors import ORDINARY_BASHRC, PASSWD, _ed25519_line

ORDINARY_DPKG = "".join(
    f"Package: {name}\nStatus: install ok installed\nPriority: optional\nVersion: {version}\n"
    f"Description: {name}\n\n"
    for name, version in [
        ("bash", "5.2.15-2+b2"), ("coreutils", "9.1-1"), ("cron", "3.0pl1-162"), ("openssh-client", "1:9.2p1-2"),
        ("firefox-esr", "115.5.0esr-1~deb12u1"), ("libreoffice-core", "4:7.4.7-1"), ("syncthing", "1.19.2~ds1-1"),
        ("solaar", "1.1.8+dfsg-1"), ("docker.io", "20.10.24+dfsg1-1"), ("gnome-remote-desktop", "43.3-1"),
        ("tigervnc-viewer", "1.12.0+dfsg-8"), ("tmux", "3.3a-3"),
    ])


def scan_json(root: Path) -> dict[str, Any]:
    res = CliRunner().invoke(cli, ["scan", "--root", str(root), "--format", "json", "--lang", "en"])
    assert res.exit_code == 0, res.output
    report: dict[str, Any] = json.loads(res.stdout)
    return report


def findings_by_rule(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    # By rule id, merged rules too (one finding per problem: they are its reasons, with their evidence).
    from techcheck.report.inventory import artifact_key

    out = {f["rule_id"]: f for f in report["findings"]}
    for f in report["findings"]:
        for other in f.get("also", []):
            keys = set(other["evidence"])
            out.setdefault(other["rule_id"], {**f, "severity": other["severity"], "evidence": []})
            out[other["rule_id"]]["evidence"] += [e for e in f["evidence"] if artifact_key(e) in keys]
    return out


def base(root: Path) -> Path:
    write(root, "etc/passwd", PASSWD)
    write(root, "etc/hostname", "ana-laptop\n")
    for d in ("home/ana", "root", "usr/bin", "var/lib/dpkg"):
        (root / d).mkdir(parents=True, exist_ok=True)
    return root


def test_planted_persistence_is_found(tmp_path: Path) -> None:
    root = base(tmp_path / "img")
    write(root, "etc/systemd/system/sysupd.service",
          "[Unit]\nDescription=System update helper\n[Service]\nExecStart=/opt/.sysupd/sysupd --daemon\n"
          "[Install]\nWantedBy=multi-user.target\n")
    (root / "etc/systemd/system/multi-user.target.wants").mkdir()
    os.symlink("/etc/systemd/system/sysupd.service", root / "etc/systemd/system/multi-user.target.wants/sysupd.service")
    write(root, "home/ana/.config/autostart/update-notifier.desktop",
          "[Desktop Entry]\nType=Application\nName=Update Notifier\nExec=/home/ana/.cache/.x/notifier\n"
          "NoDisplay=true\nX-GNOME-Autostart-enabled=true\n")
    write(root, "var/spool/cron/crontabs/root", "@reboot /dev/shm/kworker >/dev/null 2>&1\n")
    write(root, "etc/ld.so.preload", "/usr/lib/x86_64-linux-gnu/libprocesshider.so\n")
    key_line, fp = _ed25519_line("him@his-laptop")
    write(root, "home/ana/.ssh/authorized_keys", key_line + "\n")
    write(root, "var/lib/dpkg/status", ORDINARY_DPKG + "Package: x11vnc\nStatus: install ok installed\n"
          "Version: 0.9.16-9\n\n")

    report = scan_json(root)
    by = findings_by_rule(report)
    hidden = {e["fields"]["name"] for e in by["linux.autostart.hidden-folder"]["evidence"]}
    assert hidden == {"sysupd.service", "update-notifier.desktop"}
    temp = by["linux.autostart.temp-folder"]["evidence"]
    assert [(e["fields"]["trigger"], e["fields"]["exe"], e["location"]["path"]) for e in temp] == [
        ("boot", "/dev/shm/kworker", "/var/spool/cron/crontabs/root")]
    assert by["linux.preload.ld-so-preload"]["evidence"][0]["fields"]["name"].endswith("libprocesshider.so")
    key = by["linux.ssh.authorized-key"]
    assert key["severity"] == "review" and key["evidence"][0]["fields"]["fingerprint"] == fp
    assert "sign in" in key["what"]
    vnc = by["linux.remote.x11vnc"]
    assert vnc["severity"] == "review" and vnc["evidence"][0]["fields"]["package"] == "x11vnc"
    # A program named like a kernel thread, in a temporary folder, started at boot: it poses as a system one.
    alerts = [(f["rule_id"], [e["fields"]["exe"] for e in f["evidence"]]) for f in report["findings"]
              if f["severity"] == "alert"]
    assert alerts == [("common.startup.posing-as-system", ["/dev/shm/kworker"])]
    checks = {c["name"]: c for c in report["checks"]}
    for live_only in ("system.processes", "system.network", "system.sessions"):
        assert checks[live_only]["status"] == "skipped" and "disk copy" in checks[live_only]["reason"]
    for name in ("linux.systemd", "linux.xdg_autostart", "linux.cron", "linux.ssh_keys", "linux.packages"):
        assert checks[name]["status"] == "ok" and checks[name]["artifact_count"] > 0


def known_good_tree(root: Path, copy: Any) -> Path:
    base(root)
    for unit in ("cron.service", "docker.service", "syncthing@.service"):
        copy(f"linux/systemd/system/{unit}", root / "usr/lib/systemd/system" / unit)
    copy("linux/systemd/user/syncthing.service", root / "usr/lib/systemd/user/syncthing.service")
    wants = root / "etc/systemd/system/multi-user.target.wants"
    wants.mkdir(parents=True)
    for unit in ("cron.service", "docker.service"):
        os.symlink(f"/lib/systemd/system/{unit}", wants / unit)
    os.symlink("usr/lib", root / "lib")  # merged /usr, as on Debian 12
    user_wants = root / "home/ana/.config/systemd/user/default.target.wants"
    user_wants.mkdir(parents=True)
    os.symlink("/usr/lib/systemd/user/syncthing.service", user_wants / "syncthing.service")
    copy("linux/autostart/solaar.desktop", root / "etc/xdg/autostart/solaar.desktop")
    copy("linux/autostart/syncthing-start.desktop", root / "home/ana/.config/autostart/syncthing-start.desktop")
    copy("linux/etc/crontab", root / "etc/crontab")
    write(root, "etc/cron.daily/dpkg", "#!/bin/sh\n")
    write(root, "var/lib/dpkg/status", ORDINARY_DPKG)
    write(root, "home/ana/.bashrc", ORDINARY_BASHRC)
    write(root, "etc/hosts", "127.0.0.1 localhost\n127.0.1.1 ana-laptop\n::1 localhost ip6-localhost ip6-loopback\n")
    return root


def test_known_good_system_raises_no_alert(tmp_path: Path, copy_realdata) -> None:  # type: ignore[no-untyped-def]
    root = known_good_tree(tmp_path / "img", lambda rel, dest: copy_realdata(rel, Path(dest).relative_to(tmp_path)))
    report = scan_json(root)
    assert [f["rule_id"] for f in report["findings"] if f["severity"] != "info"] == []
    checks = {c["name"]: c for c in report["checks"]}
    # cron, docker, the syncthing@ template (no instance on), syncthing for ana and the shared one
    assert checks["linux.systemd"]["artifact_count"] == 5
    assert checks["linux.cron"]["artifact_count"] == 5
    assert all(c["notes"] == [] for c in report["checks"]), [c["notes"] for c in report["checks"]]


def test_bad_input_becomes_notes_and_the_scan_goes_on(tmp_path: Path) -> None:
    root = base(tmp_path / "img")
    write(root, "etc/systemd/system/broken.service", "[Service\nExecStart=/usr/bin/true\nthis is not a unit\n")
    write(root, "etc/systemd/system/good.service", "[Service]\nExecStart=/usr/bin/x11vnc -forever\n")
    write(root, "etc/xdg/autostart/junk.desktop", bytes(range(256)) * 4)
    write(root, "etc/crontab", "garbage here\n* * *\n\x00\x01\x02\n0 3 * * * root /usr/bin/backup\n")
    loop = root / "home/ana/.config/autostart"
    loop.mkdir(parents=True)
    os.symlink("b.desktop", loop / "a.desktop")
    os.symlink("a.desktop", loop / "b.desktop")
    write(root, "home/ana/.config/autostart/ok.desktop", "[Desktop Entry]\nExec=/usr/bin/solaar\n")

    report = scan_json(root)
    checks = {c["name"]: c for c in report["checks"]}
    assert all(c["status"] in ("ok", "skipped") for c in report["checks"])
    systemd_notes = {n["path"]: n["message"] for n in checks["linux.systemd"]["notes"]}
    assert "not a 'Key=value' line" in systemd_notes["/etc/systemd/system/broken.service"]
    xdg = checks["linux.xdg_autostart"]
    xdg_paths = [n["path"] for n in xdg["notes"]]
    assert "/etc/xdg/autostart/junk.desktop" in xdg_paths
    assert {"/home/ana/.config/autostart/a.desktop", "/home/ana/.config/autostart/b.desktop"} <= set(xdg_paths)
    assert any("link" in n["message"] for n in xdg["notes"])
    cron_notes = [n["message"] for n in checks["linux.cron"]["notes"]]
    assert len(cron_notes) == 3 and all("not a cron line" in m for m in cron_notes)
    # The good entries next to the broken ones are still found and matched.
    assert checks["linux.cron"]["artifact_count"] == 1 and xdg["artifact_count"] == 1
    assert "linux.remote.x11vnc" in findings_by_rule(report)


def test_unreadable_files_become_notes() -> None:
    # Tests run as root, so "unreadable" is simulated with the in-memory target.
    files = {
        "/etc/passwd": PASSWD.encode(),
        "/home/ana/.bashrc": b"x\n",
        "/home/ana/.ssh/authorized_keys": b"x\n",
        "/etc/crontab": b"@reboot root /usr/bin/true\n",
        "/etc/xdg/autostart/a.desktop": b"[Desktop Entry]\nExec=a\n",
        "/etc/systemd/system/a.service": b"[Service]\nExecStart=/a\n",
        "/var/lib/dpkg/status": b"Package: a\nStatus: install ok installed\n",
        "/etc/xdg/autostart/b.desktop": b"[Desktop Entry]\nExec=b\n",
    }
    unreadable = {"/home/ana/.bashrc", "/home/ana/.ssh/authorized_keys", "/etc/crontab",
                  "/etc/xdg/autostart/a.desktop", "/etc/systemd/system/a.service", "/var/lib/dpkg/status"}
    target = FakeTarget(mode="fake", os="linux", root=None, files=files, unreadable=unreadable)
    result = run_scan(target, load_rules([shipped_rules_dir()]))
    noted = {n.path for c in result.checks for n in c.notes if "permission denied" in n.message}
    assert noted == unreadable
    assert all(c.status != "failed" for c in result.checks)
    # b.desktop, next to the unreadable a.desktop, is still read.
    assert any(a.get("name") == "b.desktop" for a in result.artifacts)
