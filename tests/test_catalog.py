"""rules list --summary: counts by category, severity, platform, and products per group."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from techcheck.catalog import summarize
from techcheck.cli import cli
from techcheck.ruleset import load_rules, parse_rule_file, shipped_rules_dir

TEMPLATE = """\
id: {id}
severity: {severity}
category: {category}
platforms: [{platform}]
tags: [{tags}]
text:
  en: {{title: T, what: W., why: Y., actions: [A.], normal: N.}}
  es: {{title: T, what: W., why: Y., actions: [A.], normal: N.}}
match:
  - kind: {kind}
    name: x
references: [https://example.org/x]
"""


def rule(rule_id: str, category: str, tags: str = "", severity: str = "review", platform: str = "windows",
         kind: str = "app") -> str:
    return TEMPLATE.format(id=rule_id, category=category, tags=tags, severity=severity, platform=platform,
                           kind=kind)


def test_products_are_counted_once_per_group() -> None:
    text = "\n".join(f"- {line}" if i == 0 else f"  {line}" for block in [
        rule("a.tv.win", "remote_access", "product:teamviewer"),
        rule("a.tv.mac", "remote_access", "product:teamviewer", platform="macos"),
        rule("a.ngrok", "network", "product:ngrok"),
        rule("a.proxy", "network"),  # a network setting without a product tag is not a remote-access tool
        rule("a.spy", "stalkerware", "product:spy", severity="alert"),
        rule("a.keys", "keylogger", severity="alert"),
        rule("a.rat", "rat", "product:quasar", severity="alert"),
        rule("a.rdp", "remote_access", kind="setting"),
        rule("a.ssh", "remote_access", "builtin, product:ssh"),
        rule("a.loc", "location", "product:life"),
    ] for i, line in enumerate(block.splitlines()))
    rules, problems = parse_rule_file("r.yaml", text)
    assert not problems
    s = summarize(rules)
    assert s.rules == 10
    assert s.product_counts() == {
        "remote_access_tools": 2, "monitoring_products": 2, "rat_families": 1,
        "builtin_sharing": 2, "location_account_sharing": 1,
    }
    assert s.by_severity == {"review": 7, "alert": 3}
    assert s.by_platform["macos"] == 1 and s.by_category["remote_access"] == 4


def test_cli_summary_reports_the_issue_counts(tmp_path: Path) -> None:
    res = CliRunner().invoke(cli, ["rules", "list", "--summary"])
    assert res.exit_code == 0, res.output
    assert "remote-access tools:" in res.output and "by severity:" in res.output
    counts = summarize(load_rules([shipped_rules_dir()]).rules).product_counts()
    assert f"remote-access tools: {counts['remote_access_tools']}" in res.output
    systems = summarize(load_rules([shipped_rules_dir()]).rules).system_counts()
    assert f"  windows: remote-access tools {systems['windows']['remote_access_tools']}," in res.output
    # The shipped packs: most LOLRMM tools are for Windows; fewer have Mac or Linux install facts.
    assert systems["windows"]["remote_access_tools"] > systems["macos"]["remote_access_tools"] > 50


def test_shipped_catalog_sizes() -> None:
    """The catalog sizes issue 7 asks for (only sourced defaults are shipped)."""
    counts = summarize(load_rules([shipped_rules_dir()]).rules).product_counts()
    assert counts["remote_access_tools"] >= 50
    assert counts["monitoring_products"] >= 25
    assert counts["rat_families"] >= 10


def test_rules_commands_speak_the_chosen_language(tmp_path: Path) -> None:
    """`rules list --summary --lang es` has none of the English fixed words; the rule-file values
    (categories, severities, platforms, as the rule files write them) stay as they are."""
    from techcheck.i18n import text

    english = CliRunner().invoke(cli, ["rules", "list", "--summary", "--lang", "en"])
    spanish = CliRunner().invoke(cli, ["rules", "list", "--summary", "--lang", "es"])
    assert english.exit_code == 0 and spanish.exit_code == 0, spanish.output
    fixed = [text(mid, "en", counts="").rstrip(": ") for mid in (
        "rules_by_category", "rules_by_severity", "rules_by_platform", "rules_products", "rules_products_by_system",
        "rules_group_remote_access_tools", "rules_group_monitoring_products", "rules_group_rat_families",
        "rules_group_builtin_sharing", "rules_group_location_account_sharing")]
    for words in fixed:
        assert words in english.output
        assert words not in spanish.output, words
    assert " rules\n" in english.output and " rules\n" not in spanish.output
    assert "herramientas de acceso remoto:" in spanish.output and "por gravedad: alert " in spanish.output
    # The same counts in both languages: only the words differ.
    digits = [[w for w in out.split() if w.strip(",:").isdigit()] for out in (english.output, spanish.output)]
    assert digits[0] == digits[1]

    # A rule list shows each rule's title in the chosen language.
    rule_file = tmp_path / "r.yaml"
    rule_file.write_text(rule("x.one", "monitoring", platform="linux").replace("es: {title: T,", "es: {title: Título,"),
                    encoding="utf-8")
    listed = CliRunner().invoke(cli, ["rules", "list", "--rules", str(tmp_path), "--lang", "es"])
    assert listed.exit_code == 0 and "x.one\treview\tmonitoring\tlinux\tTítulo" in listed.output, listed.output
    checked = CliRunner().invoke(cli, ["rules", "validate", str(rule_file), "--lang", "es"])
    assert checked.exit_code == 0 and checked.output == text("rules_valid", "es", rules=1, files=1) + "\n"


def test_rule_file_problems_keep_their_english_detail_under_a_translated_heading(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x.bad\nseverity: loud\n", encoding="utf-8")
    res = CliRunner().invoke(cli, ["rules", "validate", str(bad), "--lang", "es"])
    assert res.exit_code == 2
    heading, *problems = res.stderr.splitlines()
    assert heading.startswith("techcheck: ") and "problema(s) en los archivos de reglas:" in heading
    assert problems and all("bad.yaml" in p for p in problems)  # file, line and field, for the rule's author
