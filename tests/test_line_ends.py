"""A planted name with U+2028 (or another character str.splitlines() breaks at) reaches the report
whole: line-based parsers split only at the format's own line ends (techcheck/textlines.py).

Each disk copy plants one entry per line-based format, its name or command carrying a Unicode line
break; the real CLI scans it and the JSON report must hold every planted value unbroken."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from techcheck.cli import cli
from techcheck.textlines import text_lines
from tests.conftest import write
from tests.test_cli import linux_image

LS, PS, NEL, VT = "\u2028", "\u2029", "\u0085", "\x0b"
UNIT = "[Unit]\nDescription=x\n[Service]\nExecStart={x}\n[Install]\nWantedBy=multi-user.target\n"
KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBr2aQbW5V9iVsdqB1tVQDPvzbEB0r9pVa4vY4u0bC4R"

# (file in the copy, its text, the planted value that must reach the report whole; "" for none)
LINUX: list[tuple[str, str, str]] = [
    ("etc/cron.d/backup", "*/5 * * * * root /opt/cron{b}job --now\n", "/opt/cron{b}job --now"),
    ("etc/anacrontab", "1\t5\tplanted.daily\t/opt/ana{b}cron\n", "/opt/ana{b}cron"),
    ("var/spool/cron/crontabs/ana", "@reboot /home/ana/.x/user{b}cron\n", "/home/ana/.x/user{b}cron"),
    ("etc/systemd/system/sync.service", UNIT.format(x="/opt/unit{b}runner -d"), "/opt/unit{b}runner -d"),
    ("home/ana/.config/autostart/helper.desktop", "[Desktop Entry]\nType=Application\nName=H\nExec=/opt/xdg{b}tool\n",
     "/opt/xdg{b}tool"),
    ("home/ana/.bashrc", "alias ll='ls -l'\nnohup /opt/shell{b}agent &\n", "/opt/shell{b}agent"),
    ("etc/profile.d/zz.sh", "/opt/profile{b}agent &\n", "/opt/profile{b}agent"),
    ("etc/ld.so.preload", "/usr/local/lib/lib{b}hook.so\n", "/usr/local/lib/lib{b}hook.so"),
    ("home/ana/.ssh/authorized_keys", 'command="/opt/forced{b}cmd" ' + KEY + " ana@phone\n", "/opt/forced{b}cmd"),
    ("etc/ssh/sshd_config", "Include /etc/ssh/sshd_config.d/*.conf\n", ""),
    ("etc/ssh/sshd_config.d/x.conf", "Match User ana\n    ForceCommand /opt/sshd{b}force\n", "/opt/sshd{b}force"),
    ("etc/udev/rules.d/99-usb.rules", 'ACTION=="add", RUN+="/opt/udev{b}run"\n', "/opt/udev{b}run"),
    ("etc/pam.d/common-auth-x", "auth optional pam_exec.so /opt/pam{b}hook\n", "/opt/pam{b}hook"),
    ("etc/modprobe.d/usb.conf", "install usb-storage /opt/mod{b}probe\n", "/opt/mod{b}probe"),
]


def strings(value: Any) -> Iterator[str]:
    """Every text value in a parsed JSON report."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def scan_json(root: Path, *args: str) -> dict[str, Any]:
    res = CliRunner().invoke(cli, ["scan", "--root", str(root), "--format", "json", "--lang", "en", *args])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)  # type: ignore[no-any-return]


def missing(report: dict[str, Any], planted: list[str]) -> list[str]:
    found = list(strings(report))
    return [p for p in planted if not any(p in s for s in found)]


def test_the_splitter_ends_lines_only_at_line_ends() -> None:
    text = f"a{LS}b\r\nc{PS}d\ne{NEL}f{VT}g\x0ch\x1ei\n\nlast"
    assert list(text_lines(text)) == [f"a{LS}b", f"c{PS}d", f"e{NEL}f{VT}g\x0ch\x1ei", "", "last"]
    assert list(text_lines("one\rtwo\r\nthree\n", lone_cr=True)) == ["one", "two", "three"]
    assert list(text_lines("one\rtwo\n")) == ["one\rtwo"]
    assert list(text_lines("")) == [] and list(text_lines("x\n")) == ["x"]


@pytest.mark.parametrize("brk", [LS, PS, NEL])
def test_linux_names_with_a_unicode_line_break_reach_the_report_whole(tmp_path: Path, brk: str) -> None:
    root = linux_image(tmp_path / "img")
    write(root, "etc/os-release", f'NAME="Debian"\nPRETTY_NAME="Planted{brk}Linux 12"\n')
    for path, text, _ in LINUX:
        write(root, path, text.format(b=brk))
    report = scan_json(root)
    assert missing(report, [value.format(b=brk) for _, _, value in LINUX if value]) == []
    assert report["evidence_record"]["system"]["release"] == f"Planted{brk}Linux 12"
    # None of them was cut: no entry is named by the half after the break.
    halves = [value.format(b=brk).split(brk)[1] for _, _, value in LINUX if value]
    entries = [e.get("command") or e.get("name") or "" for p in report["startup"]["places"] for e in p["entries"]]
    assert not [h for h in halves for e in entries if e.strip().startswith(h)]


def test_windows_and_macos_names_with_a_unicode_line_break_reach_the_report_whole(tmp_path: Path) -> None:
    win = tmp_path / "win"
    (win / "Windows/System32/config").mkdir(parents=True)
    (win / "Users/ana").mkdir(parents=True)
    write(win, "Windows/System32/GroupPolicy/Machine/Scripts/scripts.ini",
          f"[Startup]\r\n0CmdLine=C:\\ProgramData\\gp{LS}start.cmd\r\n0Parameters=\r\n")
    write(win, "Windows/System32/GroupPolicy/Machine/Scripts/Startup/x.cmd", "@echo off\r\n")
    write(win, "ProgramData/AnyDesk/connection_trace.txt",
          f"Incoming  2026-11-26, 03:46  User  ex{LS}partner@ad 654321\r\n")
    report = scan_json(win)
    assert missing(report, [f"gp{LS}start.cmd", f"ex{LS}partner@ad 654321"]) == []

    mac = tmp_path / "mac"
    for folder in ("Applications", "System/Library", "Users/ana/Library", "private/var"):
        (mac / folder).mkdir(parents=True)
    write(mac, "Users/ana/.zshrc", f"nohup /Users/ana/.hidden/zsh{LS}agent &\n")
    write(mac, "private/etc/launchd.conf", f"setenv DYLD_INSERT_LIBRARIES /usr/local/lib/dy{LS}ld.dylib\n")
    write(mac, "private/var/at/tabs/ana", f"*/10 * * * * /Users/ana/.hidden/mac{LS}cron\n")
    report = scan_json(mac)
    assert missing(report, [f"/Users/ana/.hidden/zsh{LS}agent", f"/usr/local/lib/dy{LS}ld.dylib",
                            f"/Users/ana/.hidden/mac{LS}cron"]) == []
