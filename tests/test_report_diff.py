"""`techcheck diff`: what appeared and disappeared between two reports of the same computer."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from techcheck.artifacts import Location, make
from techcheck.cli import EXIT_UNREADABLE, cli
from techcheck.report.diff import ReportInfo, diff_reports, render_diff_text
from techcheck.report.format import cell_width
from techcheck.report.inventory import artifact_key, build_inventory
from techcheck.report.json_report import render_json
from techcheck.report.model import build_report
from tests.conftest import write
from tests.reportdata import BIDI, LONG, SCRIPT, hostile_scan, save_scan
from tests.test_cli import linux_image


def two_image_scans(tmp_path: Path) -> tuple[Path, Path]:
    """The same disk copy scanned twice; before the second scan a preload library was planted."""
    root = linux_image(tmp_path / "img")
    write(root, "etc/cron.d/placeholder", "# nothing\n")
    before = save_scan(tmp_path, root, "before.json")
    write(root, "etc/ld.so.preload", "/usr/lib/x86_64-linux-gnu/libsneaky.so\n")
    after = save_scan(tmp_path, root, "after.json")
    return before, after


def test_diff_of_two_image_scans_shows_exactly_the_planted_tool(tmp_path: Path) -> None:
    before, after = two_image_scans(tmp_path)
    res = CliRunner().invoke(cli, ["diff", str(before), str(after), "--format", "json"])
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    assert d["schema"] == "techcheck.diff/1" and d["same_computer"] is True
    assert d["old"]["intact"] and d["new"]["intact"]
    assert [f["rule_id"] for f in d["findings"]["appeared"]] == ["linux.preload.ld-so-preload"]
    assert d["findings"]["disappeared"] == []
    assert d["evidence"] == {"appeared": [], "disappeared": []}
    new_items = d["inventory"]["appeared"]
    assert len(new_items) == 1
    assert new_items[0]["kind"] == "autostart"
    assert new_items[0]["fields"]["command"] == "/usr/lib/x86_64-linux-gnu/libsneaky.so"
    assert new_items[0]["location"] == {"path": "/etc/ld.so.preload"}
    assert d["inventory"]["disappeared"] == [] and d["inventory"]["changed"] == []
    assert d["checks"] == []

    res = CliRunner().invoke(cli, ["diff", str(before), str(after), "--lang", "en"])
    assert res.exit_code == 0
    text = res.stdout
    assert "New findings (1)" in text and "A library is forced into every program" in text
    assert "New on the computer (1)" in text and "libsneaky.so" in text
    assert "no longer" not in text.lower()
    assert all(len(line) <= 80 for line in text.splitlines())

    # The other way round, the same things disappear.
    back = json.loads(CliRunner().invoke(cli, ["diff", str(after), str(before), "--format", "json"]).stdout)
    assert [f["rule_id"] for f in back["findings"]["disappeared"]] == ["linux.preload.ld-so-preload"]
    assert len(back["inventory"]["disappeared"]) == 1 and back["inventory"]["appeared"] == []


def test_diff_of_a_report_with_itself_is_empty(tmp_path: Path) -> None:
    before, _ = two_image_scans(tmp_path)
    res = CliRunner().invoke(cli, ["diff", str(before), str(before), "--lang", "es"])
    assert res.exit_code == 0
    assert "No hay diferencias" in res.stdout and "Qué cambió entre dos informes" in res.stdout


def test_diff_warns_when_a_report_was_altered_or_is_from_another_computer(tmp_path: Path) -> None:
    before, after = two_image_scans(tmp_path)
    report = json.loads(after.read_text())
    report["target"]["hostname"] = "someone-else"
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(report))
    res = CliRunner().invoke(cli, ["diff", str(before), str(edited), "--lang", "en"])
    assert res.exit_code == 0
    flat = " ".join(res.stdout.split())
    assert "different computers" in flat
    assert f"the report {edited} does not match its fingerprint" in flat
    (tmp_path / "junk.json").write_text("not json")
    assert CliRunner().invoke(cli, ["diff", str(before), str(tmp_path / "junk.json")]).exit_code == EXIT_UNREADABLE


def model(**kwargs) -> dict:  # type: ignore[no-untyped-def]
    # Through JSON and back, as diff always reads saved reports.
    return json.loads(render_json(build_report(hostile_scan(**kwargs), "en")))


def info(name: str) -> ReportInfo:
    return ReportInfo(name, "2026-01-01T00:00:00+00:00", "ana-laptop", "linux", "image", "/img", True)


def test_diff_inventory_kinds_evidence_and_changes() -> None:
    extension = make("browser_extension", Location(path=f"/home/ana/.config/chromium/Default/Extensions/{SCRIPT}"),
                     browser="chromium", profile="Default", extension_id="abcdefghijklmnop", name=BIDI, user="ana")
    new_cron = make("autostart", Location(path="/etc/cron.d/<script>alert('x')</script>"), mechanism="cron",
                    name="late", command="/usr/bin/late", user="root", enabled=True)
    old = model()
    new = model(extra_artifacts=[extension, new_cron], vim_version="9.1")
    d = diff_reports(old, new, info("old"), info("new"))
    assert d.findings_new == [] and d.findings_gone == []
    assert [(rule, item["fields"]["name"]) for rule, item in d.evidence_new] == [("test.alert.spy", "late")]
    assert d.evidence_gone == []
    assert sorted(i["kind"] for i in d.inventory_new) == ["autostart", "browser_extension"]
    assert d.inventory_gone == []
    assert [(a["fields"]["version"], b["fields"]["version"]) for a, b in d.inventory_changed] == [("9.0", "9.1")]
    text = render_diff_text(d, "en")
    assert all(len(line) <= 80 for line in text.splitlines())
    assert "\u202e" not in text and "\\u202e" in text
    # Gone everything hostile: the text stays within 80 columns and shows no raw control characters.
    empty = model()
    empty["inventory"] = {"kinds": {}, "items": []}
    empty["findings"] = []
    d2 = diff_reports(new, empty, info("new"), info("empty"))
    text2 = render_diff_text(d2, "en")
    assert "Findings no longer seen (3)" in text2 and "No longer on the computer" in text2
    assert all(sum(cell_width(c) for c in line) <= 80 for line in text2.splitlines())
    assert "\x1b" not in text2 and LONG not in text2


def test_inventory_identity_is_stable_and_ignores_state_and_pid() -> None:
    a = make("app", Location(path="/var/lib/dpkg/status"), package="x11vnc", name="x11vnc", version="0.9.16")
    b = make("app", Location(path="/var/lib/dpkg/status"), package="x11vnc", name="x11vnc", version="0.9.17")
    assert artifact_key(a.to_dict()) == artifact_key(b.to_dict())
    p1 = make("process", Location(path="/usr/bin/x11vnc", pid=10), exe="/usr/bin/x11vnc", name="x11vnc")
    p2 = make("process", Location(path="/usr/bin/x11vnc", pid=99), exe="/usr/bin/x11vnc", name="x11vnc")
    assert artifact_key(p1.to_dict()) == artifact_key(p2.to_dict())
    other = make("app", Location(path="/var/lib/dpkg/status"), package="vim", name="vim")
    assert artifact_key(a.to_dict()) != artifact_key(other.to_dict())


def test_inventory_is_capped_and_apps_are_compact() -> None:
    apps = [make("app", Location(path="/var/lib/dpkg/status"), package=f"pkg{i:05d}", name=f"pkg{i:05d}",
                 version="1.0", publisher="Debian", installed="2024-01-01") for i in range(25_000)]
    inv = build_inventory(apps + [make("process", pid=1, name="init")])
    assert inv["kinds"]["app"] == {"count": 25_000, "included": 20_000}
    assert all(item["kind"] == "app" for item in inv["items"])  # processes are not inventory
    assert set(inv["items"][0]["fields"]) == {"name", "package", "version"}


def test_diff_says_when_inventory_lists_were_cut(tmp_path: Path) -> None:
    old, new = model(), model()
    new["inventory"]["kinds"]["app"] = {"count": 30_000, "included": 20_000}
    text = render_diff_text(diff_reports(old, new, info("a"), info("b")), "en")
    assert "cut short" in text and "(app)" in text


def test_diff_reads_reports_saved_elsewhere(tmp_path: Path) -> None:
    before, after = two_image_scans(tmp_path)
    copy = tmp_path / "copy" / "after.json"
    copy.parent.mkdir()
    shutil.copy(after, copy)
    res = CliRunner().invoke(cli, ["diff", str(before), str(copy), "--format", "json"])
    assert res.exit_code == 0 and json.loads(res.stdout)["findings"]["appeared"]


def test_diff_of_crafted_reports_is_escaped_or_refused(tmp_path: Path) -> None:
    before, after = two_image_scans(tmp_path)
    report = json.loads(after.read_text())
    report["target"]["mode"] = "\x1b[2J"
    report["findings"][0]["title"] = "\u202e<b>\x1b[31m"
    report["findings"][0]["rule_id"] = "x\x07"
    report["inventory"]["items"].append({"kind": "\x1b]0;pwned\x07", "fields": {"\x1b[1m": "v"},
                                         "location": {"path": "\x1b[K"}})
    crafted = tmp_path / "crafted.json"
    crafted.write_text(json.dumps(report))
    res = CliRunner().invoke(cli, ["diff", str(before), str(crafted), "--lang", "en"])
    assert res.exit_code == 0, res.output
    assert "\x1b" not in res.stdout and "\x07" not in res.stdout and "\u202e" not in res.stdout
    report["findings"] = "not a list"
    crafted.write_text(json.dumps(report))
    res = CliRunner().invoke(cli, ["diff", str(before), str(crafted), "--lang", "en"])
    assert res.exit_code == EXIT_UNREADABLE and "report.findings: not a list" in res.stderr
