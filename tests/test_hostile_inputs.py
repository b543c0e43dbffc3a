"""Hostile inputs planted by someone who expects the computer to be checked (issue 13).

Each test builds the hostile input and asserts what techcheck does with it, within a time limit.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from pathlib import Path

import pytest
from click.testing import CliRunner

from techcheck.artifacts import Artifact, Location, make
from techcheck.cli import cli
from techcheck.collectors.base import Collector, Context
from techcheck.engine import Matcher
from techcheck.feeds import FeedError, import_feed
from techcheck.report.html import render_html
from techcheck.report.model import build_report
from techcheck.report.text import render_text
from techcheck.ruleset import parse_rule_file
from techcheck.scan import run_check
from techcheck.target import FakeTarget, detect_os, open_image
from techcheck.target.base import Target
from tests.reportdata import hostile_scan

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
