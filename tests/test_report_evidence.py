"""The evidence record in the JSON report, the report digest, and `techcheck verify`."""

from __future__ import annotations

import getpass
import hashlib
import json
import os
import stat
from pathlib import Path

from click.testing import CliRunner

from techcheck.cli import EXIT_ALTERED, EXIT_UNREADABLE, EXIT_USAGE, cli
from techcheck.report.evidence import canonical_json, verify_report
from techcheck.report.json_report import render_json
from techcheck.report.model import build_report
from techcheck.ruleset import shipped_rules_dir
from techcheck.scanrecord import hash_file
from techcheck.target import FakeTarget, open_image
from tests.conftest import write
from tests.reportdata import hostile_scan, save_scan
from tests.test_cli import linux_image

PRELOAD = b"# comment\n/usr/lib/x86_64-linux-gnu/libsneaky.so\n"


def scan_json(tmp_path: Path, root: Path, name: str, *extra: str) -> tuple[Path, dict]:
    out = save_scan(tmp_path, root, name, *extra)
    return out, json.loads(out.read_text())


def planted_image(tmp_path: Path) -> Path:
    root = linux_image(tmp_path / "img")
    write(root, "etc/os-release", 'NAME="Debian GNU/Linux"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n')
    write(root, "etc/ld.so.preload", PRELOAD)
    return root


def test_evidence_record_says_when_and_on_what(tmp_path: Path) -> None:
    root = planted_image(tmp_path)
    _, report = scan_json(tmp_path, root, "r.json")
    rec = report["evidence_record"]
    assert rec["tool_version"] == report["tool"]["version"]
    assert rec["created"] == report["finished"]
    assert rec["system"] == {"os": "linux", "release": "Debian GNU/Linux 12 (bookworm)"}
    assert rec["hostname"] == "ana-laptop"
    assert rec["run_by"] == getpass.getuser()
    assert rec["mode"] == "image" and rec["root"] == str(root)
    shipped = sorted(p for p in shipped_rules_dir().rglob("*.yaml"))
    assert rec["rules"]["files"] == len(shipped) and rec["rules"]["loaded"] == report["rules"]["count"]
    assert len(rec["rules"]["sha256"]) == 64
    by_path = {f["path"]: f for f in rec["flagged_files"]}
    assert by_path["/etc/ld.so.preload"] == {"path": "/etc/ld.so.preload", "status": "hashed",
                                             "sha256": hashlib.sha256(PRELOAD).hexdigest(), "size": len(PRELOAD)}
    # Exactly the files named as evidence, each once.
    evidence_paths = {e["location"]["path"] for f in report["findings"] for e in f["evidence"]
                      if e["location"].get("path")}
    assert set(by_path) == evidence_paths and len(by_path) == len(rec["flagged_files"])


def test_rules_digest_follows_rule_file_bytes(tmp_path: Path) -> None:
    root = planted_image(tmp_path)
    _, first = scan_json(tmp_path, root, "a.json")
    _, again = scan_json(tmp_path, root, "b.json")
    assert first["evidence_record"]["rules"] == again["evidence_record"]["rules"]
    extra = tmp_path / "extra"
    rule = (shipped_rules_dir() / "linux" / "preload-hooks.yaml").read_text()
    write(extra, "mine.yaml", rule.replace("id: linux.preload.ld-so-preload", "id: clinic.preload"))
    _, more = scan_json(tmp_path, root, "c.json", "--rules", str(extra))
    assert more["evidence_record"]["rules"]["files"] == first["evidence_record"]["rules"]["files"] + 1
    assert more["evidence_record"]["rules"]["sha256"] != first["evidence_record"]["rules"]["sha256"]


def test_flagged_file_hash_is_honest_about_large_unreadable_and_missing(tmp_path: Path) -> None:
    root = planted_image(tmp_path)
    image = open_image(str(root))
    assert hash_file(image, "/etc/ld.so.preload", limit=10).status == "too large"  # type: ignore[union-attr]
    assert hash_file(image, "/etc/gone").status == "not found"  # type: ignore[union-attr]
    assert hash_file(image, "/etc") is None  # folders are not files
    os.mkfifo(root / "etc" / "fifo")
    fifo = hash_file(image, "/etc/fifo")
    assert fifo is not None and fifo.status == "unreadable" and "regular" in fifo.reason
    fake = FakeTarget(mode="fake", os="windows", root=None, files={"/Windows/x.exe": b"MZ"},
                      unreadable={"/Windows/x.exe"})
    locked = hash_file(fake, "C:\\Windows\\x.exe")
    assert locked is not None and locked.status == "unreadable" and locked.path == "C:\\Windows\\x.exe"


def test_digest_covers_everything_but_itself() -> None:
    report = build_report(hostile_scan(), "en")
    data = render_json(report).encode()
    assert verify_report(data).status == "intact"  # hostile names (surrogates, bidi) survive the round trip
    assert report["digest"]["value"] == hashlib.sha256(canonical_json(report)).hexdigest()
    for change in (lambda r: r["findings"][0].update(title="Nothing here"),
                   lambda r: r["evidence_record"]["flagged_files"].clear(),
                   lambda r: r["checks"][1].update(status="ok"),
                   lambda r: r.update(extra="added")):
        edited = json.loads(data)
        change(edited)
        assert verify_report(json.dumps(edited).encode()).status == "altered"
    # Re-indenting or reordering keys is not a change of content.
    assert verify_report(json.dumps(json.loads(data), sort_keys=True).encode()).status == "intact"


def test_verify_command_exit_codes(tmp_path: Path) -> None:
    out, report = scan_json(tmp_path, planted_image(tmp_path), "r.json")
    res = CliRunner().invoke(cli, ["verify", str(out), "--lang", "en"])
    assert res.exit_code == 0 and "intact" in res.stdout and "cannot show changes" in res.stdout
    report["findings"][0]["severity"] = "info"
    altered = tmp_path / "altered.json"
    altered.write_text(json.dumps(report, indent=2))
    res = CliRunner().invoke(cli, ["verify", str(altered), "--lang", "en"])
    assert res.exit_code == EXIT_ALTERED and "CHANGED" in res.stdout
    res = CliRunner().invoke(cli, ["verify", str(altered), "--lang", "es"])
    assert res.exit_code == EXIT_ALTERED and "CAMBIÓ" in res.stdout
    for name, content in (("broken.json", b'{"schema": "techcheck.report/1", '), ("other.json", b'{"a": 1}'),
                          ("binary.json", b"\xff\xfe\x00"), ("nodigest.json", b'{"schema": "techcheck.report/1"}')):
        (tmp_path / name).write_bytes(content)
        res = CliRunner().invoke(cli, ["verify", str(tmp_path / name), "--lang", "en"])
        assert res.exit_code == EXIT_UNREADABLE, (name, res.output)
    res = CliRunner().invoke(cli, ["verify", str(tmp_path / "missing.json")])
    assert res.exit_code == EXIT_UNREADABLE


def test_hmac_key_seals_against_recomputed_digests(tmp_path: Path) -> None:
    key = tmp_path / "clinic.key"
    key.write_bytes(os.urandom(32))
    other_key = tmp_path / "other.key"
    other_key.write_bytes(os.urandom(32))
    out, report = scan_json(tmp_path, planted_image(tmp_path), "r.json", "--key", str(key))
    assert report["digest"]["algorithm"] == "hmac-sha256"
    runner = CliRunner()
    assert runner.invoke(cli, ["verify", str(out), "--key", str(key)]).exit_code == 0
    assert runner.invoke(cli, ["verify", str(out), "--key", str(other_key)]).exit_code == EXIT_ALTERED
    assert runner.invoke(cli, ["verify", str(out)]).exit_code == EXIT_USAGE
    # Someone edits the report and makes a fresh plain digest: without the key it looks intact
    # (the documented limit); with the key it is caught.
    report["findings"] = []
    report["digest"] = {"algorithm": "sha256", "value": hashlib.sha256(canonical_json(report)).hexdigest()}
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps(report))
    assert runner.invoke(cli, ["verify", str(forged)]).exit_code == 0
    res = runner.invoke(cli, ["verify", str(forged), "--key", str(key), "--lang", "en"])
    assert res.exit_code == EXIT_ALTERED and "NOT sealed with a key" in res.stdout


def test_saved_files_are_owner_only_and_nothing_is_written_unless_asked(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    root = planted_image(tmp_path)
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)
    runner = CliRunner()
    for fmt in ("text", "json", "html"):
        res = runner.invoke(cli, ["scan", "--root", str(root), "--format", fmt, "--no-progress"])
        assert res.exit_code == 0 and res.stdout
    assert list(work.iterdir()) == [], "a scan without --output wrote files"
    saved = []
    for fmt in ("text", "json", "html"):
        out = tmp_path / f"saved.{fmt}"
        assert runner.invoke(cli, ["scan", "--root", str(root), "--format", fmt, "--output", str(out)]).exit_code == 0
        saved.append(out)
    res = runner.invoke(cli, ["diff", str(saved[1]), str(saved[1]), "--output", str(tmp_path / "diff.txt")])
    assert res.exit_code == 0
    saved.append(tmp_path / "diff.txt")
    for path in saved:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert list(work.iterdir()) == []


def test_json_report_round_trips_with_one_inventory_item_per_line() -> None:
    report = build_report(hostile_scan(), "en")
    text = render_json(report)
    assert json.loads(text) == json.loads(json.dumps(report))
    items = report["inventory"]["items"]
    assert len(items) >= 9
    lines = {line.strip().rstrip(",") for line in text.splitlines()}
    for item in items:
        assert json.dumps(item, ensure_ascii=True, separators=(", ", ": ")) in lines
    assert not any(ord(c) > 127 for c in text)  # hostile names stay escaped


def test_building_a_report_reads_nothing_from_the_scanned_system(tmp_path: Path) -> None:
    """Everything the report says about the system was read during the scan: with the disk copy
    gone and the rule files changed afterwards, the report is the same."""
    from techcheck.cli import load_all_rules
    from techcheck.scan import run_scan

    root = planted_image(tmp_path)
    extra = tmp_path / "extra"
    rule = (shipped_rules_dir() / "linux" / "preload-hooks.yaml").read_text()
    write(extra, "mine.yaml", rule.replace("id: linux.preload.ld-so-preload", "id: clinic.preload"))
    result = run_scan(open_image(str(root)), load_all_rules([str(extra)]))
    before = build_report(result, "en")
    assert before["evidence_record"]["hostname"] == "ana-laptop" and before["evidence_record"]["flagged_files"]
    (extra / "mine.yaml").write_text(rule.replace("id: linux.preload.ld-so-preload", "id: clinic.changed"))
    for path in sorted(root.rglob("*"), reverse=True):
        path.unlink() if path.is_file() or path.is_symlink() else path.rmdir()
    assert build_report(result, "en") == before
    # The rules digest is of the bytes that were parsed, not of the file as it is now.
    parsed = hashlib.sha256(rule.replace("id: linux.preload.ld-so-preload", "id: clinic.preload").encode())
    assert parsed.hexdigest() in result.rule_file_sha256
