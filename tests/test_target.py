"""The target layer: image paths stay inside the image, bad files give errors, not crashes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from techcheck.errors import NotAvailable, TargetError
from techcheck.target import FakeTarget, detect_os, open_image
from tests.conftest import needs_tool, write


def linux_image(tmp_path: Path) -> Path:
    for d in ("etc", "usr", "home/ana", "var"):
        (tmp_path / d).mkdir(parents=True, exist_ok=True)
    return tmp_path


def test_detect_os_from_layout(tmp_path: Path) -> None:
    lin = linux_image(tmp_path / "lin")
    assert detect_os(str(lin)) == "linux"
    (tmp_path / "win/WINDOWS/System32").mkdir(parents=True)
    (tmp_path / "win/Users").mkdir()
    assert detect_os(str(tmp_path / "win")) == "windows"
    for d in ("mac/System/Library", "mac/Library", "mac/Applications", "mac/Users"):
        (tmp_path / d).mkdir(parents=True)
    assert detect_os(str(tmp_path / "mac")) == "macos"
    (tmp_path / "empty").mkdir()
    assert detect_os(str(tmp_path / "empty")) == "unknown"


def test_absolute_symlink_stays_inside_image(tmp_path: Path) -> None:
    root = linux_image(tmp_path / "img")
    write(root, "etc/real-passwd", "ana:x:1000:1000::/home/ana:/bin/bash\n")
    os.symlink("/etc/real-passwd", root / "etc/passwd")
    os.symlink("/etc/hostname", root / "etc/escape")  # would be the host's file if followed naively
    os.symlink("../../../../../../etc/hostname", root / "etc/escape2")
    t = open_image(str(root))
    assert t.read_text("/etc/passwd").startswith("ana:")
    with pytest.raises(TargetError):
        t.read_text("/etc/escape")
    with pytest.raises(TargetError):
        t.read_text("/etc/escape2")


def test_symlink_loop_is_an_error_not_a_hang(tmp_path: Path) -> None:
    root = linux_image(tmp_path / "img")
    os.symlink("/etc/b", root / "etc/a")
    os.symlink("/etc/a", root / "etc/b")
    os.symlink(".", root / "etc/self")
    t = open_image(str(root))
    with pytest.raises(TargetError, match="loop"):
        t.read_text("/etc/a")
    assert list(t.walk("/etc", max_depth=50))  # the "self" link is not followed while walking


def test_fifo_and_directory_are_refused(tmp_path: Path) -> None:
    root = linux_image(tmp_path / "img")
    os.mkfifo(root / "etc/fifo")
    t = open_image(str(root))
    with pytest.raises(TargetError, match="not a regular file"):
        t.read_bytes("/etc/fifo")
    with pytest.raises(TargetError):
        t.read_bytes("/etc")


def test_huge_file_refused_over_limit(tmp_path: Path) -> None:
    root = linux_image(tmp_path / "img")
    write(root, "etc/big", b"x" * 5000)
    t = open_image(str(root))
    with pytest.raises(TargetError, match="larger than"):
        t.read_bytes("/etc/big", limit=4096)
    assert len(t.read_bytes("/etc/big", limit=5000)) == 5000


def test_unreadable_file_gives_permission_error(tmp_path: Path) -> None:
    """A real file the scanning account may not read, on a real disk copy. As root every file is
    readable, so the read is made by an ordinary account (nobody, through setpriv) in a child process."""
    import shutil
    import subprocess
    import sys
    import tempfile

    base = Path(tempfile.mkdtemp(prefix="techcheck-perm-"))  # not under pytest's root-only folder
    try:
        base.chmod(0o755)
        root = linux_image(base / "img")
        for folder in (base / "img", root / "etc"):
            folder.chmod(0o755)
        write(root, "etc/secret", "x", mode=0o000)
        write(root, "etc/open", "y", mode=0o644)
        code = ("import sys; from techcheck.target import open_image; from techcheck.errors import TargetError\n"
                "t = open_image(sys.argv[1])\nprint(t.read_text('/etc/open'))\n"
                "try:\n    t.read_text('/etc/secret')\nexcept TargetError as exc:\n    print(exc)\n")
        command = [sys.executable, "-c", code, str(root)]
        if os.geteuid() == 0:
            command = [needs_tool("setpriv", "util-linux"), "--reuid=65534", "--regid=65534", "--clear-groups",
                       *command]
        proc = subprocess.run(command, capture_output=True, text=True, timeout=60, cwd="/",
                              env={**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)})
        assert proc.returncode == 0, proc.stderr
        lines = proc.stdout.splitlines()
        assert lines[0] == "y" and "permission denied" in lines[1], proc.stdout
    finally:
        shutil.rmtree(base, ignore_errors=True)


def test_windows_image_is_case_insensitive(tmp_path: Path) -> None:
    root = tmp_path / "win"
    write(root, "WINDOWS/system32/config/SOFTWARE", b"regf")
    (root / "Users").mkdir()
    t = open_image(str(root))
    assert t.os == "windows"
    assert t.read_bytes("/Windows/System32/Config/software") == b"regf"
    assert t.glob("/windows/*/config/soft*") == ["/windows/system32/config/SOFTWARE"]
    assert t.display_path("/Windows/System32") == "C:\\Windows\\System32"


def test_text_decoding_utf16_bom() -> None:
    t = FakeTarget(mode="fake", os="windows", root=None, files={"/a": "\ufeffhéllo".encode("utf-16-le")})
    assert t.read_text("/a") == "héllo"


def test_image_has_no_processes(tmp_path: Path) -> None:
    t = open_image(str(linux_image(tmp_path / "img")))
    with pytest.raises(NotAvailable):
        t.processes()


def test_hostile_names_listed(tmp_path: Path) -> None:
    root = linux_image(tmp_path / "img")
    weird = "evil\x1b[31m\nname"
    write(root, f"etc/{weird}", "x")
    os.makedirs(os.fsencode(root / "etc") + b"/bad\xffbytes", exist_ok=True)
    t = open_image(str(root))
    names = [e.name for e in t.list_dir("/etc")]
    assert weird in names
    assert any(n.startswith("bad") for n in names)


def test_sqlite_read_only_copy(tmp_path: Path) -> None:
    import sqlite3

    root = linux_image(tmp_path / "img")
    db = root / "var/x.db"
    conn = sqlite3.connect(db)
    conn.execute("create table t(a)")
    conn.execute("insert into t values (1)")
    conn.commit()
    conn.close()
    before = sorted(os.listdir(root / "var"))
    t = open_image(str(root))
    assert t.sqlite("/var/x.db").execute("select a from t").fetchall() == [(1,)]
    assert sorted(os.listdir(root / "var")) == before  # no journal or lock file left behind
    write(root, "var/bad.db", b"not a database at all" * 100)
    with pytest.raises(TargetError, match="SQLite"):
        t.sqlite("/var/bad.db")
