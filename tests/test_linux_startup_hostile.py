"""Bad input in the new Linux start-up places and the package database: notes, bounded time, no crash."""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from techcheck.collectors.base import Context
from techcheck.collectors.linux.cron import at_commands
from techcheck.collectors.linux.hooks import modprobe_installs, module_names, pam_exec_command, pam_lines, udev_runs
from techcheck.collectors.linux.origin import linux_origins, rpm_header_arrays
from techcheck.collectors.linux.ssh import forced_command, sshd_command_lines
from techcheck.ruleset import load_rules, shipped_rules_dir
from techcheck.scan import run_scan
from techcheck.target import open_image
from tests.conftest import write
from tests.linux_packages import install

TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300)


@settings(max_examples=200, deadline=None)
@given(TEXT)
def test_line_parsers_take_any_text(text: str) -> None:
    udev_runs(text)
    pam_lines(text)
    pam_lines(text, with_service=True)
    module_names(text)
    modprobe_installs(text)
    at_commands(text)
    sshd_command_lines(text)
    forced_command(text)
    pam_exec_command(text)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_rpm_file_list_parser_only_raises_value_error(blob: bytes) -> None:
    with contextlib.suppress(ValueError):
        rpm_header_arrays(blob)


def test_udev_pam_and_modprobe_lines() -> None:
    assert udev_runs('ACTION=="add", RUN{builtin}+="kmod load", RUN+="/bin/x \\"a\\""\n# RUN+="/c"\n') == [
        (1, "/bin/x \\")]
    assert pam_lines("auth [success=1 default=ignore] pam_exec.so quiet /usr/bin/x\n") == [
        (1, "pam_exec.so", "quiet /usr/bin/x")]
    assert pam_exec_command("quiet expose_authtok log=/tmp/l /usr/bin/x --y") == "/usr/bin/x --y"
    assert modprobe_installs("install usb-storage /bin/true\nblacklist x\n") == [(1, "usb-storage", "/bin/true")]


def test_hostile_package_database_gives_notes_in_bounded_time(tmp_path: Path) -> None:
    root = tmp_path / "img"
    write(root, "etc/passwd", "root:x:0:0:root:/root:/bin/bash\n")
    install(root, "cron", {"/usr/lib/systemd/system/cron.service":
                           "[Service]\nExecStart=/usr/sbin/cron -f\n[Install]\nWantedBy=multi-user.target\n"})
    info = root / "var/lib/dpkg/info"
    (info / "huge.list").write_bytes(b"/x\n" * (7 * 1024 * 1024))  # 21 MB: over the per-file limit
    (info / "junk.list").write_bytes(os.urandom(50_000))
    (info / "cron.md5sums").write_bytes(b"\x00\xff not sums at all\n" * 1000)
    os.mkfifo(info / "fifo.list")  # a pipe must never be opened (it would block)
    os.symlink("loop.list", info / "loop.list")
    with (root / "var/lib/dpkg/status").open("a") as f:
        f.write("Package: broken\nStatus: install ok installed\nConffiles:\n /etc/x\n garbage\n\n")
    os.makedirs(root / "etc/systemd/system/multi-user.target.wants", exist_ok=True)
    os.symlink("/usr/lib/systemd/system/cron.service", root / "etc/systemd/system/multi-user.target.wants/cron.service")
    start = time.monotonic()
    ctx = Context()
    origins = linux_origins(open_image(str(root)), ctx)
    result = run_scan(open_image(str(root)), load_rules([shipped_rules_dir()]))
    assert time.monotonic() - start < 10
    paths = {n.path for n in ctx.notes}
    assert {"/var/lib/dpkg/info/huge.list", "/var/lib/dpkg/info/fifo.list", "/var/lib/dpkg/info/loop.list"} <= paths
    assert origins.files.owners.get("/usr/lib/systemd/system/cron.service") == "cron"
    cron = [a for a in result.artifacts if a.get("name") == "cron.service"]
    # The junk .md5sums has no sum for the unit, so it cannot be called changed: it stays installed.
    assert cron and cron[0].get("origin") == "installed"
    # A place too big or not a file makes a check partly done (it says what it could not read), never failed.
    assert all(c.status in ("ok", "partial") for c in result.checks if c.name.startswith("linux."))
