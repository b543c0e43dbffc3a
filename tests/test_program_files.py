"""The program-file walk: which files it records, its bounds (noted), links, app bundles, and hashes on demand."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from techcheck.cli import cli, load_all_rules
from techcheck.collectors.common import program_files
from techcheck.collectors.common.program_files import ProgramFiles
from techcheck.ruleset import load_rules
from techcheck.scan import run_check, run_scan
from techcheck.target import open_image
from tests.conftest import write


def put(root: Path, rel: str, data: bytes = b"MZ", mode: int = 0o644) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    path.chmod(mode)
    return path


def collect(root: Path, os_name: str):  # type: ignore[no-untyped-def]
    return run_check(ProgramFiles, open_image(str(root), os_name))  # type: ignore[arg-type]


def test_windows_program_files_deep_in_program_folders_and_download_places(tmp_path: Path) -> None:
    put(tmp_path, "Program Files (x86)/Vendor/Agent/7.1/bin/agent-x.exe")
    put(tmp_path, "ProgramData/Tool/Setup.MSI")
    put(tmp_path, "Users/ana/Desktop/AnyDesk.exe")
    put(tmp_path, "Users/ana/AppData/Local/Temp/x/run.exe")
    put(tmp_path, "Users/ana/Documents/letter.docx")
    put(tmp_path, "Users/ana/AppData/Local/Google/Chrome/User Data/Default/Cache/f_0001.exe")  # cache: not walked
    put(tmp_path, "Windows/dwrcs/DWRCS.EXE")  # C:\\Windows is looked at one folder down,
    put(tmp_path, "Windows/System32/svchost.exe")  # leaving out Windows' own folders
    put(tmp_path, "Windows/dwrcs/sub/deeper.exe")
    result, arts = collect(tmp_path, "windows")
    got = {a.get("exe"): (a.get("file_type"), a.get("place"), a.get("user"), a.get("size")) for a in arts}
    assert got == {
        "C:\\Program Files (x86)\\Vendor\\Agent\\7.1\\bin\\agent-x.exe": ("exe", "program_folder", None, 2),
        "C:\\ProgramData\\Tool\\Setup.MSI": ("msi", "program_folder", None, 2),
        "C:\\Users\\ana\\Desktop\\AnyDesk.exe": ("exe", "desktop", "ana", 2),
        "C:\\Users\\ana\\AppData\\Local\\Temp\\x\\run.exe": ("exe", "temp", "ana", 2),
        "C:\\Windows\\dwrcs\\DWRCS.EXE": ("exe", "system_folder", None, 2),
    }
    assert result.status == "ok" and not any("sha256" in a.fields for a in arts)


def test_bounds_are_noted_not_silent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    deep = "/".join(f"d{i}" for i in range(program_files.MAX_DEPTH + 2))
    put(tmp_path, f"Program Files/{deep}/hidden.exe")
    for i in range(30):
        put(tmp_path, f"Users/ana/Downloads/f{i:02d}.txt", b"x")
    monkeypatch.setattr(program_files, "MAX_ENTRIES", 20)
    result, arts = collect(tmp_path, "windows")
    notes = {n.path: n.message for n in result.notes}
    assert "levels down were not looked into" in notes["C:\\Program Files"]
    assert "stopped after 20 files and folders" in notes["C:\\Users\\ana\\Downloads"]
    assert arts == []


def test_temporary_folders_are_looked_at_near_the_top_and_the_bounds_are_noted(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A full /tmp (hundreds of thousands of unpacked files) is looked at 4 folders down and 10,000
    entries in, breadth first: a program dropped near the top is found, the bounds are noted, and a
    portable AnyDesk deep in Downloads is still found (download places keep the wide bounds)."""
    elf = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8
    put(tmp_path, "etc/passwd", b"ana:x:1000:1000::/home/ana:/bin/bash\n")
    put(tmp_path, "tmp/.x/agent", elf, 0o755)
    put(tmp_path, "tmp/a/b/c/d/e/deep-agent", elf, 0o755)  # 5 folders down: past the temp bound
    put(tmp_path, "home/ana/Downloads/a/b/c/d/e/AnyDesk.exe")
    for i in range(30):
        put(tmp_path, f"tmp/unpacked/f{i:02d}.txt", b"x")
    monkeypatch.setattr(program_files, "TEMP_ENTRIES", 25)
    result, arts = collect(tmp_path, "linux")
    assert sorted(a.get("exe") for a in arts) == ["/home/ana/Downloads/a/b/c/d/e/AnyDesk.exe", "/tmp/.x/agent"]
    notes = [(n.path, n.message) for n in result.notes]
    assert ("/tmp", "stopped after 25 files and folders; program files further on were not looked at") in notes
    monkeypatch.setattr(program_files, "TEMP_ENTRIES", 10_000)
    result, arts = collect(tmp_path, "linux")
    assert ("/tmp", "1 folders more than 4 levels down were not looked into") in \
        [(n.path, n.message) for n in result.notes]


def test_links_are_not_followed_and_loops_end(tmp_path: Path) -> None:
    put(tmp_path, "Users/ana/Downloads/a/tool.exe")
    os.symlink("..", tmp_path / "Users/ana/Downloads/a/loop")
    os.symlink("/usr/bin", tmp_path / "Users/ana/Downloads/outside")
    _result, arts = collect(tmp_path, "windows")
    assert [a.get("exe") for a in arts] == ["C:\\Users\\ana\\Downloads\\a\\tool.exe"]


def test_linux_elf_and_appimage_only_when_marked_runnable(tmp_path: Path) -> None:
    elf = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8
    appimage = b"\x7fELF\x02\x01\x01\x00AI\x02" + b"\x00" * 5
    put(tmp_path, "etc/passwd", b"ana:x:1000:1000::/home/ana:/bin/bash\n")
    put(tmp_path, "opt/tool/bin/tool-agent", elf, 0o755)
    put(tmp_path, "home/ana/Downloads/Remote.AppImage", appimage, 0o755)
    put(tmp_path, "home/ana/Downloads/notes", b"#!/bin/sh\necho hi\n", 0o755)  # a script, not a program file
    put(tmp_path, "home/ana/Downloads/copy-of-elf", elf, 0o644)  # not runnable
    _result, arts = collect(tmp_path, "linux")
    got = {a.get("exe"): a.get("file_type") for a in arts}
    assert got == {"/opt/tool/bin/tool-agent": "elf", "/home/ana/Downloads/Remote.AppImage": "appimage"}


def test_mac_app_bundles_are_one_program_and_not_walked_inside(tmp_path: Path) -> None:
    put(tmp_path, "Applications/AnyDesk.app/Contents/MacOS/AnyDesk", b"\xcf\xfa\xed\xfe" + b"\x00" * 60, 0o755)
    put(tmp_path, "Applications/AnyDesk.app/Contents/Resources/helper.exe")
    put(tmp_path, "Users/ana/Downloads/AnyDesk.dmg")
    _result, arts = collect(tmp_path, "macos")
    got = {a.get("exe"): (a.get("exe_name"), a.get("file_type"), a.get("size")) for a in arts}
    assert got == {"/Applications/AnyDesk.app": ("anydesk.app", "app", 64),
                   "/Users/ana/Downloads/AnyDesk.dmg": ("anydesk.dmg", "dmg", 2)}


def test_sha256_only_for_files_a_hash_rule_points_at(tmp_path: Path) -> None:
    body = b"MZ a known build"
    digest = hashlib.sha256(body).hexdigest()
    put(tmp_path, "Users/ana/Downloads/helper.exe", body)
    put(tmp_path, "Users/ana/Downloads/other.exe", body)
    rules = write(tmp_path, "rules/hash.yaml", f"""\
id: test.hash.helper
severity: review
category: remote_access
platforms: [windows]
text:
  en: {{title: A helper, what: x, why: x, actions: [x], normal: x}}
  es: {{title: Un ayudante, what: x, why: x, actions: [x], normal: x}}
match:
  - kind: program_file
    exe_name: helper.exe
    sha256: {digest}
references: [https://example.org/facts]
""")
    result = run_scan(open_image(str(tmp_path), "windows"), load_rules([rules]))
    files = {a.get("exe_name"): a.get("sha256") for a in result.artifacts if a.kind == "program_file"}
    assert files == {"helper.exe": digest, "other.exe": None}
    assert [f.rule.id for f in result.findings] == ["test.hash.helper"]


def test_install_puts_a_newer_feed_in_the_user_rule_folder_and_scans_use_it(tmp_path: Path) -> None:
    feed = write(tmp_path, "feed/yaml/newtool.yaml", "Name: NewTool\nDetails:\n  InstallationPaths:\n"
                                                      "    - C:\\Program Files\\NewTool\\*\n")
    res = CliRunner().invoke(cli, ["rules", "import", "--format", "lolrmm", "--install", str(feed.parent)])
    assert res.exit_code == 0, res.output
    user = Path(os.environ["TECHCHECK_USER_RULES"]) / "lolrmm"
    assert (user / "techcheck-pack.json").is_file() and "Every later scan uses them." in res.output
    ruleset = load_all_rules([])
    ids = {r.id for r in ruleset.rules}
    assert "import.lolrmm.newtool" in ids and not any(i.startswith("feed.lolrmm.") for i in ids)
    assert any(i.startswith("feed.assoechap.") for i in ids)  # the other shipped pack stays
    put(tmp_path, "img/Program Files/NewTool/newtool.exe")
    out = CliRunner().invoke(cli, ["scan", "--root", str(tmp_path / "img"), "--os", "windows", "--yes",
                                   "--format", "json"])
    report = json.loads(out.stdout)
    assert [f["rule_id"] for f in report["findings"]] == ["import.lolrmm.newtool"]
    packs = {p["feed"]: p for p in report["rules"]["packs"]}
    assert packs["lolrmm"]["source"] == "https://github.com/magicsword-io/LOLRMM" and "commit" not in packs["lolrmm"]
    assert packs["assoechap"]["commit"] == "a04c5c1958bff93fec3b1b56edbb412b209f2a38"
