"""A first scan a frightened person can get through (issue 14): the wait at the safety note, what a
wrong --root or --os gets, disk image files. Every test runs the real CLI (a pty where it matters)."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from techcheck.cli import EXIT_ALTERED, EXIT_LEFT, EXIT_UNREADABLE, EXIT_USAGE, cli
from tests.conftest import needs_tool, write
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
    qemu_img, mkfs = needs_tool("qemu-img", "qemu-utils"), needs_tool("mkfs.ext4", "e2fsprogs")
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


# --- 14. tests independent of the machine: a missing tool skips (fails under CI), never crashes ----

def test_a_missing_tool_skips_with_its_reason_and_fails_under_ci(monkeypatch: pytest.MonkeyPatch,
                                                                 tmp_path: Path) -> None:
    from tests.winsupport import hivex_plant

    monkeypatch.setenv("PATH", str(tmp_path))  # no hivexsh, no qemu-img here
    monkeypatch.setattr(os.path, "exists", lambda p: False)
    monkeypatch.setenv("CI", "false")
    with pytest.raises(pytest.skip.Exception, match="libhivex-bin"):
        hivex_plant(tmp_path / "SOFTWARE", r"Microsoft\\X", [("A", "dword:0x1")])
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true"):
        needs_tool("qemu-img", "qemu-utils")


# --- 8. the format from the file name; never overwrite without --force ---------------------------

@pytest.mark.parametrize(("name", "starts"), [("r.html", "<!DOCTYPE html>"), ("r.json", "{"),
                                              ("r.txt", "techcheck: tech-safety checkup")])
def test_format_from_the_output_name(tmp_path: Path, name: str, starts: str) -> None:
    out = tmp_path / name
    res = CliRunner().invoke(cli, ["scan", "--root", str(linux_image(tmp_path / "img")), "--output", str(out),
                                   "--lang", "en"])
    assert res.exit_code == 0, res.output
    assert out.read_text(encoding="utf-8").lstrip().startswith(starts)


def test_unknown_ending_and_existing_file_are_refused_before_the_scan(tmp_path: Path) -> None:
    root = str(linux_image(tmp_path / "img"))
    res = CliRunner().invoke(cli, ["scan", "--root", root, "--output", str(tmp_path / "r.pdf"), "--lang", "en"])
    assert res.exit_code == EXIT_USAGE and ".html, .json or .txt" in " ".join(res.stderr.split())
    assert "safety note" not in res.stderr and not (tmp_path / "r.pdf").exists()
    old = write(tmp_path, "old.json", "keep me")
    res = CliRunner().invoke(cli, ["scan", "--root", root, "--output", str(old), "--lang", "en"])
    assert res.exit_code == EXIT_USAGE and "already exists" in res.stderr and "--force" in res.stderr
    assert old.read_text() == "keep me" and "safety note" not in res.stderr  # refused before scanning
    res = CliRunner().invoke(cli, ["scan", "--root", root, "--output", str(old), "--force"])
    assert res.exit_code == 0 and json.loads(old.read_text())["schema"].startswith("techcheck.report/")
    res = CliRunner().invoke(cli, ["diff", str(old), str(old), "--output", str(old)])
    assert res.exit_code == EXIT_USAGE and "already exists" in res.stderr
    res = CliRunner().invoke(cli, ["diff", str(old), str(old), "--output", str(tmp_path / "d.json")])
    assert res.exit_code == 0 and json.loads((tmp_path / "d.json").read_text())["schema"].startswith("techcheck.diff")


# --- 3. how to save, exactly, and what a scan leaves behind ----------------------------------------

def test_the_report_gives_the_exact_command_that_saves_it_and_it_works(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    import shlex

    root = linux_image(tmp_path / "img")
    monkeypatch.chdir(tmp_path)
    res = CliRunner().invoke(cli, ["scan", "--root", str(root), "--lang", "en"])
    shown = " ".join(res.stdout.split())
    command = shown.split("To save this report, run: ", 1)[1].split(" It will be written to ", 1)[0]
    where = shown.split(" It will be written to ", 1)[1].split(", and only your account", 1)[0]
    assert command.startswith(f"techcheck scan --root {root} --lang en --output techcheck-report-")
    assert where.replace(" ", "") == str(tmp_path / command.rsplit(" ", 1)[1])  # a long path may wrap
    assert "the commands typed in this window (kept in the shell's history" in shown
    args = shlex.split(command)
    res = CliRunner().invoke(cli, args[1:])  # the command as printed (without the program name)
    assert res.exit_code == 0 and Path(where.replace(" ", "")).read_text().startswith("<!DOCTYPE html>")
    spanish = " ".join(CliRunner().invoke(cli, ["scan", "--root", str(root), "--lang", "es"]).stdout.split())
    assert "Para guardar este informe, use: techcheck scan" in spanish and "historial de PowerShell" in spanish


PRELOAD_SAVE_EN = "Write down the library name shown below, or save this report."
PRELOAD_SAVE_ES = "Anote el nombre de la biblioteca que aparece abajo, o guarde este informe."


def _action(text: str, sentence: str) -> str:
    """The whole action that starts with `sentence` in a wrapped text report, on one line."""
    flat = " ".join(text.split())
    return flat.split(sentence, 1)[1].split(" - ", 1)[0]


def test_each_action_that_says_to_save_says_how_for_this_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import shlex

    root = linux_image(tmp_path / "img")
    write(root, "etc/ld.so.preload", "/usr/lib/libsneaky.so\n")
    monkeypatch.chdir(tmp_path)
    # On the terminal (or a pipe): the exact command for this run, and the file it writes.
    res = CliRunner().invoke(cli, ["scan", "--root", str(root), "--lang", "en"])
    how = _action(res.stdout, PRELOAD_SAVE_EN)
    assert how.startswith(" To save it as ") and "(only your account can open it), run: techcheck scan" in how
    where = how.split(" To save it as ", 1)[1].split(" (only your account", 1)[0].replace(" ", "")
    command = how.split("run: ", 1)[1].strip()
    assert command.startswith(f"techcheck scan --root {root} --lang en --output techcheck-report-")
    assert where == str(tmp_path / command.rsplit(" ", 1)[1]) and os.path.isabs(where)
    assert CliRunner().invoke(cli, shlex.split(command)[1:]).exit_code == 0  # the command works as printed
    assert Path(where).read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    # In Spanish, the same, in Spanish.
    res = CliRunner().invoke(cli, ["scan", "--root", str(root), "--lang", "es"])
    how = _action(res.stdout, PRELOAD_SAVE_ES)
    assert how.startswith(" Para guardarlo como ") and "(solo su cuenta podrá abrirlo), use: techcheck scan" in how
    assert "--lang es --output techcheck-report-" in how
    # Saved with --output: each such action says where it is (text and HTML), not how to save it again.
    for name, lang, sentence, said in (("r.txt", "en", PRELOAD_SAVE_EN, "It is already saved as"),
                                       ("r.html", "es", PRELOAD_SAVE_ES, "Ya está guardado como")):
        assert CliRunner().invoke(cli, ["scan", "--root", str(root), "--lang", lang, "--output", name]).exit_code == 0
        saved = (tmp_path / name).read_text(encoding="utf-8")
        if name.endswith(".html"):
            import html as html_lib

            items = [html_lib.unescape(li.split("</li>")[0]) for li in saved.split("<li>")[1:]]
            [action] = [i for i in items if i.startswith(sentence)]
            assert action == f"{sentence} {said} {tmp_path / name}, y solo su cuenta puede abrir ese archivo."
        else:
            assert _action(saved, sentence).replace(" ", "").startswith(f"{said}{tmp_path / name},".replace(" ", ""))
            assert "run: techcheck scan" not in " ".join(saved.split())
    # HTML printed (not saved by techcheck): the command for this run.
    page = CliRunner().invoke(cli, ["scan", "--root", str(root), "--lang", "en", "--format", "html"]).stdout
    assert f"run: techcheck scan --root {root} --lang en --output techcheck-report-" in page
    # The JSON keeps the rule's sentence and marks the action, for every renderer (and the app) to complete.
    report = json.loads(CliRunner().invoke(cli, ["scan", "--root", str(root), "--format", "json"]).stdout)
    [finding] = [f for f in report["findings"] if f["rule_id"] == "linux.preload.ld-so-preload"]
    index = finding["actions"].index(PRELOAD_SAVE_EN)
    assert finding["action_ids"][index] == "save_report" and finding["action_ids"].count("save_report") == 1


# --- 2. summary first, the full report through a pager, at the terminal's width --------------------

def test_summary_first_then_the_full_report_through_the_pager(tmp_path: Path) -> None:
    root = linux_image(tmp_path / "img")
    write(root, "etc/ld.so.preload", "/usr/lib/libsneaky.so\n")
    term = Terminal(["scan", "--root", str(root), "--lang", "en"], {**env(), "PAGER": "cat"}, cols=100)
    term.wait_for("Ctrl-C")
    term.press("\r", until="short version")
    assert term.finish() == 0
    text = term.text.replace("\r\n", "\n")
    summary = text[text.index("techcheck: the short version"):]
    first_screen = summary.split("\n")[:23]
    assert any("Worth checking (1):" in line for line in first_screen)
    assert any("A library is forced into every program" in line for line in first_screen)
    assert any("To save this report, run:" in line for line in first_screen)
    assert any("800-799-SAFE" in line for line in first_screen) and any("Press Space" in line for line in first_screen)
    assert summary.index("short version") < summary.index("Every check and its result")  # then the full report
    lines = summary.split("\n")
    assert max(len(line) for line in lines) <= 100 and any(len(line) > 80 for line in lines)  # the terminal's width
    # The progress line was cleared before the summary.
    before = text[:text.index("techcheck: the short version")]
    assert "\x1b[2K" in before, before[-300:]  # the progress line was there, and was cleared


def test_real_less_shows_the_summary_and_q_closes_it_leaving_support_on_screen(tmp_path: Path) -> None:
    needs_tool("less", "less")
    environment = {k: v for k, v in env().items() if k not in ("PAGER", "LESS")}
    term = Terminal(["scan", "--root", str(linux_image(tmp_path / "img")), "--lang", "en"], environment)
    term.wait_for("Ctrl-C")
    term.press("\r", until="Press Space")
    for _ in range(30):  # q until the pager closes: the closing lines say it a second time
        if term.text.count("support is listed") >= 2 or term.proc.poll() is not None:
            break
        term.send("q")
        term.read_for(1.0)
    assert term.finish() == 0
    after = term.text[term.text.rindex("Press Space"):]
    assert "National Domestic Violence Hotline" in after  # the closing lines, after the pager closed


def test_never_paged_when_piped(tmp_path: Path) -> None:
    marker = tmp_path / "paged"
    pager = write(tmp_path, "pager.sh", f"#!/bin/sh\ntouch {marker}\ncat\n", mode=0o755)
    proc = subprocess.run([sys.executable, "-m", "techcheck", "scan", "--root", str(linux_image(tmp_path / "img")),
                           "--lang", "en"], capture_output=True, text=True, timeout=60,
                          env={**env(), "PAGER": str(pager)}, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0 and not marker.exists()
    assert "short version" not in proc.stdout and "Every check and its result" in proc.stdout
    assert all(len(line) <= 80 for line in proc.stdout.splitlines())  # 80 when the width is unknown


# --- 6 and 7. a check whose places could not all be read is "partly done" ----------------------

def run_as_ordinary_user(args: list[str], on_a_mac: bool = False) -> subprocess.CompletedProcess[str]:
    """techcheck as an account without administrator rights (here: nobody, through setpriv).
    on_a_mac: the checking computer says it is a Mac (sys.platform faked as "darwin")."""
    fake = "import techcheck.report.evidence as e; e.sys = type('S', (), {'platform': 'darwin'}); " if on_a_mac else ""
    command = [sys.executable, "-c", f"{fake}import sys; from techcheck.cli import main; sys.argv[0] = 'techcheck'; "
               "main()", *args]
    if os.geteuid() == 0:
        command = [needs_tool("setpriv", "util-linux"), "--reuid=65534", "--regid=65534", "--clear-groups",
                   *command]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, cwd="/",
                          env={**env(), "HOME": "/nonexistent", "PYTHONPATH": str(Path(__file__).parent.parent),
                               "TECHCHECK_USER_RULES": "/nonexistent/rules"},  # not the test's root-only folder
                          stdin=subprocess.DEVNULL)


def test_unreadable_places_make_a_check_partial_and_the_report_says_run_as_administrator() -> None:
    import tempfile

    base = Path(tempfile.mkdtemp(prefix="techcheck-partial-"))
    try:
        base.chmod(0o755)
        root = linux_image(base / "img")
        write(root, "home/ana/.ssh/authorized_keys", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExample ana@phone\n")
        (root / "home/ana/.ssh/authorized_keys").chmod(0o600)
        (root / "home/ana/.ssh").chmod(0o700)
        for folder in (base / "img", root / "etc", root / "home", root / "home/ana", root / "usr", root / "var"):
            folder.chmod(0o755)
        if os.geteuid() == 0:
            for path in (root / "home/ana/.ssh", root / "home/ana/.ssh/authorized_keys"):
                os.chown(path, 0, 0)  # root's, as on a real disk: an ordinary account cannot read it
        proc = run_as_ordinary_user(["scan", "--root", str(root), "--format", "json", "--lang", "en"])
        assert proc.returncode == 0, proc.stderr
        report = json.loads(proc.stdout)
        checks = {c["name"]: c for c in report["checks"]}
        ssh = checks["linux.ssh_keys"]
        assert ssh["status"] == "partial", ssh
        assert ssh["unreadable"] and any(".ssh" in u["path"] for u in ssh["unreadable"])
        assert "could not be read" in ssh["reason"]
        assert report["access"]["administrator"] is False and "linux.ssh_keys" in report["access"]["partial_checks"]
        assert any("sudo" in a and "Run as administrator" in a for a in report["access"]["advice"])
        text = run_as_ordinary_user(["scan", "--root", str(root), "--lang", "es"]).stdout
        flat = " ".join(text.split())
        assert "[hecho en parte]" in flat and "Ejecutar como administrador" in flat
        # near the top: before the list of checks
        assert flat.index("Ejecutar como administrador") < flat.index("Todas las revisiones y su resultado")
        # The same copy read by an administrator: every place read, the check done.
        if os.geteuid() == 0:
            res = CliRunner().invoke(cli, ["scan", "--root", str(root), "--format", "json"])
            again = {c["name"]: c for c in json.loads(res.stdout)["checks"]}
            assert again["linux.ssh_keys"]["status"] == "ok" and json.loads(res.stdout)["access"]["advice"] == []
    finally:
        shutil.rmtree(base, ignore_errors=True)


def test_a_file_too_big_to_read_makes_the_check_partial_but_information_does_not(tmp_path: Path) -> None:
    root = linux_image(tmp_path / "img")
    with open(root / "etc/group", "wb") as fh:
        fh.truncate(40 * 1024 * 1024)  # sparse: larger than any read limit, no disk used
    report = json.loads(CliRunner().invoke(cli, ["scan", "--root", str(root), "--format", "json"]).stdout)
    checks = {c["name"]: c for c in report["checks"]}
    accounts = checks["linux.accounts"]
    assert accounts["status"] == "partial" and any("/etc/group" in u["path"] for u in accounts["unreadable"])
    # A note that is only information (here: Windows accounts listed from folders) leaves a check done.
    win = windows_tree(tmp_path / "win")
    report = json.loads(CliRunner().invoke(cli, ["scan", "--root", str(win), "--format", "json"]).stdout)
    accounts = {c["name"]: c for c in report["checks"]}["windows.accounts"]
    assert accounts["notes"] and accounts["status"] == "ok"


def test_on_a_mac_partial_checks_name_full_disk_access() -> None:
    import tempfile

    base = Path(tempfile.mkdtemp(prefix="techcheck-fda-"))
    try:
        root = base / "mac"
        for folder in ("Applications", "System/Library", "Users/ana/Library", "private/var"):
            (root / folder).mkdir(parents=True)
        tcc = write(root, "Library/Application Support/com.apple.TCC/TCC.db", b"SQLite format 3\x00", mode=0o600)
        for folder in [base, *[p for p in root.rglob("*") if p.is_dir()], root]:
            folder.chmod(0o755)
        if os.geteuid() == 0:
            os.chown(tcc, 0, 0)  # protected: an app without Full Disk Access cannot read it
        proc = run_as_ordinary_user(["scan", "--root", str(root), "--format", "json", "--lang", "en"], on_a_mac=True)
        assert proc.returncode == 0, proc.stderr
        report = json.loads(proc.stdout)
        assert {c["name"]: c["status"] for c in report["checks"]}["macos.privacy"] == "partial"
        assert any("Full Disk Access" in a and "Privacy & Security" in a for a in report["access"]["advice"])
        proc = run_as_ordinary_user(["scan", "--root", str(root), "--format", "json", "--lang", "en"])
        assert not any("Full Disk Access" in a for a in json.loads(proc.stdout)["access"]["advice"])  # not a Mac
    finally:
        shutil.rmtree(base, ignore_errors=True)


# --- 9. an HTML report carries its evidence record; verify checks it and the page -----------------

def test_verify_an_html_report_and_what_its_page_shows(tmp_path: Path) -> None:
    root = linux_image(tmp_path / "img")
    write(root, "etc/ld.so.preload", "/usr/lib/</script><script>alert(1)</script>.so\n")  # a hostile name
    key = write(tmp_path, "clinic.key", "a secret only the clinic has\n")
    page = tmp_path / "r.html"
    assert CliRunner().invoke(cli, ["scan", "--root", str(root), "--output", str(page), "--key", str(key),
                                    "--lang", "en"]).exit_code == 0
    html = page.read_text(encoding="utf-8")
    assert html.count('<script type="application/json" id="techcheck-record">') == 1
    assert "<script>alert" not in html  # shown escaped on the page; inside the record it is base64
    assert "alert(1)" not in html.split('id="techcheck-record">', 1)[1].split("</script>", 1)[0]
    assert "techcheck verify on this file checks" in " ".join(html.split())
    res = CliRunner().invoke(cli, ["verify", str(page), "--key", str(key), "--lang", "en"])
    assert res.exit_code == 0 and "intact" in res.stdout and "hmac-sha256" in res.stdout
    assert CliRunner().invoke(cli, ["verify", str(page)]).exit_code == EXIT_USAGE  # sealed: needs the key
    # Change only what the page shows: the record still matches its seal, the page does not.
    shown = "A library is forced into every program"
    assert f"<h3>{shown}</h3>" in html
    edited = write(tmp_path, "edited.html", html.replace(f"<h3>{shown}</h3>", "<h3>Nothing to see</h3>"))
    res = CliRunner().invoke(cli, ["verify", str(edited), "--key", str(key), "--lang", "en"])
    assert res.exit_code == EXIT_ALTERED and "findings shown on the page" in res.stdout
    # Change the record: its seal no longer matches.
    block = html.split('id="techcheck-record">', 1)[1].split("</script>", 1)[0]
    inner = base64.b64decode(json.loads(block)).decode().replace('"severity":"review"', '"severity":"info"', 1)
    changed = json.dumps(base64.b64encode(inner.encode()).decode())
    record = write(tmp_path, "record.html", html.replace(block, changed))
    res = CliRunner().invoke(cli, ["verify", str(record), "--key", str(key), "--lang", "en"])
    assert res.exit_code == EXIT_ALTERED and "fingerprint does not match" in res.stdout
    # An HTML page without a record, and diff reading the record of an HTML report.
    plain = write(tmp_path, "plain.html", "<!DOCTYPE html><html><body>hello</body></html>")
    assert CliRunner().invoke(cli, ["verify", str(plain)]).exit_code == EXIT_UNREADABLE
    res = CliRunner().invoke(cli, ["diff", str(page), str(page), "--format", "json"])
    assert res.exit_code == 0 and json.loads(res.stdout)["same_computer"] is True


# --- 4. one problem, one finding; a finding is known by its artifact ---------------------------------

TASK = """<?xml version="1.0" encoding="UTF-8"?>
<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">
  <RegistrationInfo><URI>\\Updater</URI></RegistrationInfo>
  <Triggers><LogonTrigger><Enabled>true</Enabled></LogonTrigger></Triggers>
  <Principals><Principal id="Author"><UserId>ana</UserId></Principal></Principals>
  <Settings><Enabled>true</Enabled><Hidden>true</Hidden></Settings>
  <Actions Context="Author"><Exec><Command>C:\\Users\\ana\\AppData\\Roaming\\svchost.exe</Command></Exec></Actions>
</Task>
"""

EXTRA_RULE = """id: clinic.task.updater
severity: alert
category: rat
platforms: [windows]
text:
  en: {title: A task the clinic flags, what: A test rule., why: It is a test.,
       actions: [Talk to an advocate.]}
  es: {title: Una tarea que la clínica marca, what: Una regla de prueba., why: Es una prueba.,
       actions: [Hable con una persona de apoyo.]}
match:
  - kind: autostart
    name: \\Updater
samples:
  positive: [{kind: autostart, name: \\Updater}]
  negative: [{kind: autostart, name: \\Other}]
references: [https://example.org/clinic-rules]
"""


def test_one_task_named_svchost_in_a_user_folder_is_one_finding_with_every_reason(tmp_path: Path) -> None:
    root = windows_tree(tmp_path / "win")
    write(root, "Windows/System32/Tasks/Updater", TASK)
    report = json.loads(CliRunner().invoke(cli, ["scan", "--root", str(root), "--format", "json",
                                                 "--lang", "en"]).stdout)
    about_task = [f for f in report["findings"] if any(e["fields"].get("name") == "\\Updater" for e in f["evidence"])]
    assert len(about_task) == 1, [f["rule_id"] for f in about_task]  # was three alarms for one task
    finding = about_task[0]
    assert finding["severity"] == "alert"
    assert {"windows.masquerade.system-name-wrong-folder", "windows.autostart.from-odd-folder"} <= set(
        finding["rule_ids"])  # the JSON keeps every rule id
    assert {a["rule_id"] for a in finding["also"]} == set(finding["rule_ids"]) - {finding["rule_id"]}
    assert finding["identity"].startswith("autostart")
    text = " ".join(CliRunner().invoke(cli, ["scan", "--root", str(root), "--lang", "en"]).stdout.split())
    assert text.count("Also a reason:") == len(finding["also"])
    assert "Needs attention: 1." in text


def test_diff_keys_findings_on_their_artifact_not_their_rule(tmp_path: Path) -> None:
    root = windows_tree(tmp_path / "win")
    write(root, "Windows/System32/Tasks/Updater", TASK)
    rules = write(tmp_path / "clinic", "task.yaml", EXTRA_RULE).parent
    before, after = tmp_path / "before.json", tmp_path / "after.json"
    assert CliRunner().invoke(cli, ["scan", "--root", str(root), "--output", str(before)]).exit_code == 0
    # A new rule now leads the same task's finding: the same finding, not one gone and one new.
    assert CliRunner().invoke(cli, ["scan", "--root", str(root), "--rules", str(rules),
                                    "--output", str(after)]).exit_code == 0
    leads = [f["rule_id"] for f in json.loads(after.read_text())["findings"]]
    assert "clinic.task.updater" in leads or any(
        "clinic.task.updater" in f["rule_ids"] for f in json.loads(after.read_text())["findings"])
    result = json.loads(CliRunner().invoke(cli, ["diff", str(before), str(after), "--format", "json"]).stdout)
    assert result["findings"] == {"appeared": [], "disappeared": []}
