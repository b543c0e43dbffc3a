"""A first scan a frightened person can get through (issue 14): the wait at the safety note, what a
wrong --root or --os gets, disk image files. Every test runs the real CLI (a pty where it matters)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from techcheck.cli import EXIT_LEFT, EXIT_USAGE, cli
from tests.conftest import write
from tests.terminal import Terminal
from tests.test_cli import linux_image


def env() -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "LANG", "LC_ALL", "LANGUAGE", "PAGER")}
    return {**base, "LANG": "C.UTF-8", "PAGER": "cat"}


def windows_tree(root: Path) -> Path:
    (root / "Windows/System32/config").mkdir(parents=True)
    (root / "Users/ana").mkdir(parents=True)
    return root


# --- 1. the safety note waits on a terminal ----------------------------------------------------

@pytest.mark.parametrize("key", ["q", "\x03"])
def test_q_or_ctrl_c_at_the_safety_note_leaves_with_nothing_scanned(tmp_path: Path, key: str) -> None:
    term = Terminal(["scan", "--root", str(linux_image(tmp_path / "img")), "--lang", "en"], env())
    term.wait_for("Ctrl-C")
    term.press(key, until="Nothing was checked")
    assert term.finish() == EXIT_LEFT
    assert "What was checked" not in term.text and "[1/" not in term.text  # no progress, no report


def test_enter_at_the_safety_note_starts_the_check(tmp_path: Path) -> None:
    term = Terminal(["scan", "--root", str(linux_image(tmp_path / "img")), "--lang", "es"], env())
    term.wait_for("Ctrl-C")
    assert "Qué se revisó" not in term.text  # it waits: nothing is scanned before Enter
    term.press("\r", until="Qué se revisó")
    assert term.finish() == 0


def test_yes_skips_the_wait_on_a_terminal(tmp_path: Path) -> None:
    term = Terminal(["scan", "--root", str(linux_image(tmp_path / "img")), "--yes", "--lang", "en"], env())
    assert term.finish() == 0
    assert "safety note" in term.text and "Ctrl-C" not in term.text and "What was checked" in term.text


def test_no_wait_without_a_terminal(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "techcheck", "scan", "--root", str(linux_image(tmp_path / "img")),
                           "--lang", "en"], capture_output=True, text=True, timeout=60, env=env(),
                          stdin=subprocess.DEVNULL)
    assert proc.returncode == 0
    assert "safety note" in proc.stderr and "Ctrl-C" not in proc.stderr
    assert "What was checked" in proc.stdout


# --- 5. --os disagrees with the layout; a folder that is not the top of a disk copy -----------

def test_os_that_disagrees_with_the_layout_is_warned_on_the_terminal_and_in_the_report(tmp_path: Path) -> None:
    root = windows_tree(tmp_path / "win")
    out = tmp_path / "r.json"
    res = CliRunner().invoke(cli, ["scan", "--root", str(root), "--os", "macos", "--lang", "en",
                                   "--format", "json", "--output", str(out)])
    assert res.exit_code == 0
    assert "you said this disk copy is macOS, but its folders look like Windows" in res.stderr
    assert "--os windows" in res.stderr
    report = json.loads(out.read_text())
    assert any("look like Windows" in w for w in report["warnings"])
    res = CliRunner().invoke(cli, ["scan", "--root", str(root), "--os", "macos", "--lang", "es"])
    assert "parecen de Windows" in res.stdout  # the text report says it too, near the top
    assert res.stdout.index("parecen de Windows") < res.stdout.index("Resumen")


def test_a_subfolder_of_a_disk_copy_names_the_folder_that_looks_like_its_root(tmp_path: Path) -> None:
    root = windows_tree(tmp_path / "win")
    res = CliRunner().invoke(cli, ["scan", "--root", str(root / "Users"), "--lang", "en"])
    assert res.exit_code == EXIT_USAGE
    assert "The folder that does is" in " ".join(res.stderr.split()) and str(root) in " ".join(res.stderr.split())
    assert "(Windows)" in res.stderr
    # With --os the scan runs, and the report says which folder looks like the root.
    res = CliRunner().invoke(cli, ["scan", "--root", str(root / "Users"), "--os", "windows", "--lang", "en",
                                   "--format", "json"])
    assert res.exit_code == 0
    assert any(str(root) in w for w in json.loads(res.stdout)["warnings"])


def test_a_folder_holding_the_copy_one_level_down_names_it(tmp_path: Path) -> None:
    windows_tree(tmp_path / "mnt" / "C")
    res = CliRunner().invoke(cli, ["scan", "--root", str(tmp_path / "mnt"), "--lang", "en"])
    assert res.exit_code == EXIT_USAGE
    assert str(tmp_path / "mnt" / "C") in " ".join(res.stderr.split())


def test_a_folder_of_this_computer_says_to_scan_without_root(tmp_path: Path) -> None:
    (tmp_path / "Documents").mkdir()
    if Path("/etc").is_dir() and Path("/usr").is_dir():  # the checking computer's own root looks like Linux
        res = CliRunner().invoke(cli, ["scan", "--root", str(tmp_path / "Documents"), "--lang", "en"])
        assert res.exit_code == EXIT_USAGE
        assert "part of this computer's own disk" in res.stderr and "without --root" in res.stderr


# --- 13. a disk image file instead of a folder --------------------------------------------------

def raw_mbr(path: Path) -> Path:
    data = bytearray(4096)
    data[510:512] = b"\x55\xaa"
    path.write_bytes(bytes(data))
    return path


def vhd_fixed(path: Path) -> Path:
    path.write_bytes(bytes(4096) + b"conectix" + bytes(504))  # a fixed VHD: the footer is at the end
    return path


def dmg(path: Path) -> Path:
    path.write_bytes(bytes(4096) + b"koly" + bytes(508))  # the UDIF trailer is the last 512 bytes
    return path


HEADERS = {
    "evidence.bin": (b"EVF\x09\x0d\x0a\xff\x00" + bytes(100), "Expert Witness (EnCase, E01)", "ewfmount"),
    "disk.bin": (b"vhdxfile" + bytes(100), "Windows virtual disk (VHDX)", "Mount-DiskImage"),
    "vm.bin": (b"KDMV" + bytes(100), "VMware virtual disk (VMDK)", "guestmount --ro"),
}


@pytest.mark.parametrize("name", sorted(HEADERS))
def test_image_file_by_its_bytes_says_what_it_is_and_how_to_mount_it_read_only(tmp_path: Path, name: str) -> None:
    data, kind, command = HEADERS[name]
    path = tmp_path / name  # a name without the usual extension: told from the bytes
    path.write_bytes(data)
    res = CliRunner().invoke(cli, ["scan", "--root", str(path), "--lang", "en"])
    assert res.exit_code == EXIT_USAGE
    shown = " ".join(res.stderr.split())
    assert "is a disk image file" in shown and kind in shown and command in shown
    assert "Linux:" in shown and "macOS:" in shown and "Windows:" in shown and "read-only" in shown
    assert "could not tell which operating system" not in shown
    assert "safety note" not in res.stderr  # nothing is scanned, so no note and no wait


@pytest.mark.parametrize(("make", "name", "words"), [
    (raw_mbr, "laptop.dd", ["raw disk image", "losetup --find --show --read-only", "hdiutil attach -readonly"]),
    (vhd_fixed, "copy.vhd", ["Windows virtual disk (VHD)", "-Access ReadOnly"]),
    (dmg, "mac.dmg", ["macOS disk image (DMG)", "hdiutil attach -readonly FILE"]),
])
def test_a_folder_holding_an_image_file_names_it(tmp_path: Path, make, name: str, words: list[str]) -> None:
    (tmp_path / "case").mkdir()
    make(tmp_path / "case" / name)
    res = CliRunner().invoke(cli, ["scan", "--root", str(tmp_path / "case"), "--lang", "en"])
    assert res.exit_code == EXIT_USAGE
    shown = " ".join(res.stderr.split())
    assert "this folder holds a disk image file" in shown and name in shown
    for word in words:
        assert word in shown


def test_real_image_files_made_by_qemu_img_and_mkfs(tmp_path: Path) -> None:
    qemu_img, mkfs = shutil.which("qemu-img"), shutil.which("mkfs.ext4") or "/usr/sbin/mkfs.ext4"
    if not qemu_img or not os.path.exists(mkfs):
        if os.environ.get("CI") == "true":
            pytest.fail("qemu-img (Debian qemu-utils) and mkfs.ext4 are needed under CI (.ci/apt-packages)")
        pytest.skip("qemu-img (Debian qemu-utils) or mkfs.ext4 is not installed")
    raw = tmp_path / "ext4.bin"
    subprocess.run(["truncate", "-s", "4M", str(raw)], check=True)
    subprocess.run([mkfs, "-q", "-F", str(raw)], check=True, capture_output=True)
    expected = {"vpc": "(VHD)", "vhdx": "(VHDX)", "vmdk": "(VMDK)", "qcow2": "(qcow2)"}
    for fmt, kind in expected.items():
        out = tmp_path / f"disk-{fmt}.bin"  # no telling extension: the real header decides
        subprocess.run([qemu_img, "convert", "-q", "-O", fmt, str(raw), str(out)], check=True)
        res = CliRunner().invoke(cli, ["scan", "--root", str(out), "--lang", "es"])
        shown = " ".join(res.stderr.split())
        assert res.exit_code == EXIT_USAGE and kind in shown and "solo lectura" in shown, (fmt, shown)


def test_a_file_that_is_no_disk_image_is_called_a_file(tmp_path: Path) -> None:
    path = write(tmp_path, "notes.txt", "hello\n")
    res = CliRunner().invoke(cli, ["scan", "--root", str(path), "--lang", "en"])
    assert res.exit_code == EXIT_USAGE and "is a file, not a folder" in res.stderr
