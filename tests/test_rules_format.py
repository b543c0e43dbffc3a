"""Rule files: schema errors name file, line and field; duplicates are rejected; samples run."""

from __future__ import annotations

from pathlib import Path

import pytest

from techcheck.artifacts import make
from techcheck.errors import RuleError
from techcheck.ruleset import load_rules, parse_rule_file, sample_problems

GOOD = """\
id: test.demo
severity: review
category: remote_access
platforms: [linux]
text:
  en:
    title: Demo
    what: It is a demo.
    why: It matters.
    actions: [Talk to an advocate.]
    normal: Often.
match:
  - kind: app
    package: demo-vnc
samples:
  positive:
    - kind: app
      package: Demo-VNC
  negative:
    - kind: app
      package: vim
"""


def problems(text: str) -> list[str]:
    _, probs = parse_rule_file("r.yaml", text)
    return [str(p) for p in probs]


def test_good_rule_parses_and_samples_pass(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(GOOD)
    rs = load_rules([tmp_path])
    assert [r.id for r in rs.rules] == ["test.demo"]
    assert sample_problems(rs) == []


def test_misspelled_field_names_file_line_field_and_suggests() -> None:
    text = GOOD.replace("severity: review", "severty: review")
    msgs = problems(text)
    assert "r.yaml:2: severty: unknown field 'severty' (did you mean 'severity'?)" in msgs


def test_misspelled_artifact_field_in_match_has_line_and_suggestion() -> None:
    text = GOOD.replace("    package: demo-vnc", "    pakage: demo-vnc")
    msgs = problems(text)
    assert any(m.startswith("r.yaml:14: match[0].pakage:") and "did you mean 'package'" in m for m in msgs), msgs


def test_bad_severity_and_kind() -> None:
    text = GOOD.replace("severity: review", "severity: alrt").replace("  - kind: app\n    package: demo",
                                                                        "  - kind: ap\n    package: demo")
    msgs = problems(text)
    assert any("r.yaml:2: severity:" in m and "did you mean 'alert'" in m for m in msgs), msgs
    assert any("match[0].kind" in m and "did you mean 'app'" in m for m in msgs), msgs


def test_duplicate_yaml_key_rejected_with_line() -> None:
    text = GOOD.replace("category: remote_access\n", "category: remote_access\ncategory: rat\n")
    assert problems(text) == ["r.yaml:4: not valid YAML: duplicate key 'category'"]


def test_bad_regex_reported() -> None:
    text = GOOD.replace("package: demo-vnc", "package: {regex: '(unclosed'}")
    assert any("match[0].package.regex" in m and "cannot be used" in m for m in problems(text))


def test_unsafe_yaml_tag_rejected() -> None:
    msgs = problems("!!python/object/apply:os.system ['true']\n")
    assert len(msgs) == 1 and "not valid YAML" in msgs[0]


def test_duplicate_rule_ids_across_files(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(GOOD)
    (tmp_path / "b.yaml").write_text(GOOD)
    with pytest.raises(RuleError) as exc:
        load_rules([tmp_path])
    assert "duplicate rule id 'test.demo'" in str(exc.value)
    assert "b.yaml:1" in str(exc.value)


def test_all_problems_collected(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(GOOD.replace("severity: review", "severity: x"))
    (tmp_path / "b.yaml").write_text(GOOD.replace("id: test.demo", "id: Bad Id"))
    with pytest.raises(RuleError) as exc:
        load_rules([tmp_path])
    assert len(exc.value.problems) == 2


def test_failing_sample_is_reported(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(GOOD.replace("package: vim", "package: demo-vnc"))
    bad = sample_problems(load_rules([tmp_path]))
    assert len(bad) == 1 and "negative sample matches" in bad[0]


def test_sample_with_unknown_field_is_a_rule_error() -> None:
    text = GOOD.replace("      package: vim", "      packge: vim")
    assert any("samples.negative[0].packge" in m for m in problems(text))


@pytest.mark.parametrize(("op", "value", "field_value", "expected"), [
    ("glob", "*vnc*", "/usr/bin/x11vnc -forever", True),
    ("glob", "*vnc*", "/usr/bin/vim", False),
    ("path", "**/tmp/*", "/home/ana/tmp/x.sh", True),
    ("path", "/tmp/*", "/tmp/a/b.sh", False),
    ("path", "**/AppData/Local/Temp/**", r"C:\Users\Ana\appdata\local\temp\x\y.exe", True),
    ("regex", "^ssh-", "ssh-ed25519", True),
    ("contains", "Hidden", "powershell -windowstyle hidden", True),
    ("domain", "mspy.com", "www.MSPY.com", True),
    ("domain", "mspy.com", "notmspy.com", False),
])
def test_field_ops(op: str, value: str, field_value: str, expected: bool) -> None:
    cond = f"kind: autostart\n    command: {{{op}: '{value}'}}"
    text = GOOD.replace("kind: app\n    package: demo-vnc", cond).split("samples:")[0]
    rules, probs = parse_rule_file("r.yaml", text)
    assert probs == []
    art = make("autostart", command=field_value)
    assert rules[0].matches(art) is expected


def test_not_and_exists_ops() -> None:
    text = GOOD.split("samples:")[0].replace(
        "    package: demo-vnc", "    package: {exists: true}\n    publisher: {not: {equals: Debian}}")
    rules, probs = parse_rule_file("r.yaml", text)
    assert probs == []
    assert rules[0].matches(make("app", package="x", publisher="Someone"))
    assert not rules[0].matches(make("app", package="x", publisher="debian"))
    assert not rules[0].matches(make("app", name="x"))
