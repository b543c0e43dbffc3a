"""load_report: the one checked way to read a saved report (verify, diff), and hostile report files."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from techcheck.cli import EXIT_UNREADABLE, cli
from techcheck.report.json_report import render_json
from techcheck.report.loader import MAX_REPORT_BYTES, ReportError, load_report
from techcheck.report.model import build_report
from tests.reportdata import hostile_scan
from tests.test_report_diff import two_image_scans


def one_line_refusal(args: list[str]) -> str:
    res = CliRunner().invoke(cli, args)
    assert res.exit_code == EXIT_UNREADABLE, res.output
    assert res.exception is None or isinstance(res.exception, SystemExit)
    assert res.stdout == "" and res.stderr.count("\n") == 1, res.stderr
    return res.stderr


def test_a_fresh_report_loads_and_every_section_is_checked() -> None:
    data = render_json(build_report(hostile_scan(), "es")).encode()
    loaded = load_report(data)
    assert loaded.raw == json.loads(data) and loaded.report["language"] == "es"
    broken = json.loads(data)
    broken["findings"][0]["evidence"][0]["fields"] = ["not", "an", "object"]
    with pytest.raises(ReportError, match=r"^report\.findings\[0\]\.evidence\[0\]\.fields: not an object$"):
        load_report(json.dumps(broken).encode())
    broken = json.loads(data)
    broken["summary"]["alert"] = True
    with pytest.raises(ReportError, match=r"report\.summary\.alert: not a whole number"):
        load_report(json.dumps(broken).encode())
    broken = json.loads(data)
    broken["findings"][0]["severity"] = "panic"
    with pytest.raises(ReportError, match=r"report\.findings\[0\]\.severity: 'panic' is not one of alert"):
        load_report(json.dumps(broken).encode())
    del broken["checks"]
    with pytest.raises(ReportError, match=r"^report: checks is missing$"):
        load_report(json.dumps(broken).encode())


def test_a_report_of_the_first_version_still_loads_and_compares(tmp_path: Path) -> None:
    """The first reports (same schema name) had no evidence record, inventory or digest."""
    before, after = two_image_scans(tmp_path)
    old = json.loads(before.read_text())
    for section in ("evidence_record", "inventory", "digest"):
        del old[section]
    first = tmp_path / "first.json"
    first.write_text(json.dumps(old))
    loaded = load_report(first)
    assert loaded.report["inventory"] == {"kinds": {}, "items": []}
    assert loaded.report["evidence_record"]["system"]["os"] == "linux"
    res = CliRunner().invoke(cli, ["diff", str(first), str(after), "--format", "json"])
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    assert [f["rule_id"] for f in d["findings"]["appeared"]] == ["linux.preload.ld-so-preload"]
    assert d["old"]["intact"] is False  # no digest: cannot be shown intact, and the text says so
    assert "has no digest" in one_line_refusal(["verify", str(first)])


def test_a_report_from_before_action_ids_gets_them_so_it_says_how_to_save(tmp_path: Path) -> None:
    from techcheck.report.evidence import seal, verify_report
    from techcheck.report.format import SaveHint, finding_actions

    _, after = two_image_scans(tmp_path)
    old = json.loads(after.read_text())
    for finding in old["findings"]:
        del finding["action_ids"]
    seal(old)  # as sealed by a techcheck from before action ids
    data = json.dumps(old).encode()
    loaded = load_report(data)
    assert "action_ids" not in loaded.raw["findings"][0]  # the raw record stays as it was saved
    [finding] = [f for f in loaded.report["findings"] if f["rule_id"] == "linux.preload.ld-so-preload"]
    saying = [i for i, a in enumerate(finding["actions"]) if "save this report" in a]
    assert saying and finding["action_ids"] == ["save_report" if i in saying else "" for i in
                                                 range(len(finding["actions"]))]
    shown = finding_actions(finding, "en", SaveHint(path="/cases/r.html", how="saved"))
    assert shown[saying[0]].endswith("It is already saved as /cases/r.html, and only your account can open that file.")
    assert verify_report(data).status == "intact"  # its digest covers the report as saved, not the upgrade


def test_newer_schema_is_refused_with_its_name() -> None:
    with pytest.raises(ReportError, match="techcheck.report/9"):
        load_report(b'{"schema": "techcheck.report/9"}')


@pytest.mark.parametrize("command", ["verify", "diff"])
def test_deep_nesting_is_a_one_line_refusal(tmp_path: Path, command: str) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text('{"schema": "techcheck.report/1", "x": ' + "[" * 990 + "]" * 990 + "}")
    args = [command, str(deep)] + ([str(deep)] if command == "diff" else [])
    assert "nested too deeply" in one_line_refusal(args)
    deeper = tmp_path / "deeper.json"
    deeper.write_text("[" * 100_000 + "]" * 100_000)  # past Python's own recursion limit
    args = [command, str(deeper)] + ([str(deeper)] if command == "diff" else [])
    assert "nested too deeply" in one_line_refusal(args)


@pytest.mark.parametrize("command", ["verify", "diff"])
def test_a_huge_file_is_refused_before_reading(tmp_path: Path, command: str) -> None:
    huge = tmp_path / "huge.json"
    with huge.open("wb") as fh:
        fh.truncate(1024 * 1024 * 1024)  # 1 GB, sparse: takes no disk space
    start = time.monotonic()
    args = [command, str(huge)] + ([str(huge)] if command == "diff" else [])
    assert f"at most {MAX_REPORT_BYTES} bytes" in one_line_refusal(args)
    assert time.monotonic() - start < 2


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes on this system")
def test_a_pipe_is_refused_without_waiting(tmp_path: Path) -> None:
    fifo = tmp_path / "report.json"
    os.mkfifo(fifo)
    assert "not a regular file" in one_line_refusal(["verify", str(fifo)])


def test_verify_and_diff_say_why_in_the_chosen_language(tmp_path: Path) -> None:
    """The reason a report cannot be read is a message (ReportError.msg, Verification.detail): in Spanish
    verify and diff say it in Spanish; the English stays what it was."""
    data = json.loads(render_json(build_report(hostile_scan(), "es")))
    good = tmp_path / "good.json"
    good.write_text(json.dumps(data), encoding="utf-8")
    del data["digest"]
    nodigest = tmp_path / "nodigest.json"
    nodigest.write_text(json.dumps(data), encoding="utf-8")
    del data["checks"]
    nochecks = tmp_path / "nochecks.json"
    nochecks.write_text(json.dumps(data), encoding="utf-8")
    broken = json.loads(good.read_text(encoding="utf-8"))
    broken["summary"]["alert"] = "many"
    badtype = tmp_path / "badtype.json"
    badtype.write_text(json.dumps(broken), encoding="utf-8")
    page = tmp_path / "page.html"
    page.write_text("<!doctype html><title>techcheck</title><p>no record here</p>", encoding="utf-8")

    english = one_line_refusal(["verify", str(nodigest), "--lang", "en"])
    assert "the report has no digest" in english
    spanish = one_line_refusal(["verify", str(nodigest), "--lang", "es"])
    assert "el informe no tiene huella (digest)" in spanish and "the report has no digest" not in spanish
    assert "report: checks is missing" in one_line_refusal(["verify", str(nochecks), "--lang", "en"])
    spanish = one_line_refusal(["verify", str(nochecks), "--lang", "es"])
    assert "report: falta checks" in spanish and "is missing" not in spanish
    spanish = one_line_refusal(["diff", str(good), str(nochecks), "--lang", "es"])
    assert "report: falta checks" in spanish and "is missing" not in spanish
    spanish = one_line_refusal(["diff", str(badtype), str(good), "--lang", "es"])
    assert "no es un número entero" in spanish and "whole number" not in spanish, spanish
    spanish = one_line_refusal(["diff", str(page), str(good), "--lang", "es"])
    assert "una página HTML sin registro de evidencia de techcheck" in spanish, spanish
    spanish = one_line_refusal(["verify", str(tmp_path / "missing.json"), "--lang", "es"])
    assert spanish.strip()  # the system's own reason (an OS error) is shown as it is
    with pytest.raises(ReportError) as caught:
        load_report(nochecks.read_bytes())
    assert str(caught.value) == "report: checks is missing"
    assert caught.value.msg.text("es") == "report: falta checks"
