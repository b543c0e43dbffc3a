"""The hosts-file collector: parsing, and reading it from Linux, macOS and Windows disk copies."""

from __future__ import annotations

from pathlib import Path

from techcheck.collectors.base import Context
from techcheck.collectors.common.hosts import HostsFile, parse_hosts
from techcheck.target import open_image
from tests.conftest import write


def test_parse_hosts() -> None:
    text = "# comment\n127.0.0.1\tlocalhost  ip6-localhost # end\n\n203.0.113.5 Panel.Example.COM.\nbroken\n"
    assert parse_hosts(text) == [("203.0.113.5", "panel.example.com")]


def test_collects_from_each_system(tmp_path: Path) -> None:
    layouts = {
        "linux": ("etc/hosts", ["usr/bin", "home"]),
        "macos": ("private/etc/hosts", ["System", "Library", "Applications"]),
        "windows": ("Windows/System32/drivers/etc/hosts", ["Users"]),
    }
    for os_name, (rel, dirs) in layouts.items():
        root = tmp_path / os_name
        for d in dirs:
            (root / d).mkdir(parents=True)
        write(root, rel, "203.0.113.5 sync.example.net\n")
        target = open_image(str(root), os_name)  # type: ignore[arg-type]
        ctx = Context()
        arts = list(HostsFile().collect(target, ctx))
        assert [(a.get("hostname"), a.get("address")) for a in arts] == [("sync.example.net", "203.0.113.5")]
        assert not ctx.notes
        # Paths are shown as the system's own users see them (C:\... on Windows).
        shown = {"linux": "/etc/hosts", "macos": "/private/etc/hosts",
                 "windows": "C:\\Windows\\System32\\drivers\\etc\\hosts"}[os_name]
        assert arts[0].location.path == shown


def test_unreadable_hosts_file_is_noted(tmp_path: Path) -> None:
    root = tmp_path / "img"
    (root / "Users").mkdir(parents=True)
    (root / "Windows/System32/drivers/etc/hosts").mkdir(parents=True)  # a folder where the file should be
    ctx = Context()
    assert list(HostsFile().collect(open_image(str(root), "windows"), ctx)) == []
    assert ctx.notes and "hosts" in ctx.notes[0].path

