"""The rule lint: every rule in rules/ passes it, and each check catches the mistake it is for."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from techcheck.cli import EXIT_USAGE, cli
from techcheck.i18n import LANGUAGES
from techcheck.lint import errors, lint_rules, looks_like_reference, reading_grade_function
from techcheck.ruleset import parse_rule_file
from tests.shipped import shipped_lint, shipped_rules

RULES = shipped_rules()

GOOD_EN = """\
  en:
    title: Demo Desk is installed
    what: Demo Desk lets a person see and use this computer from far away.
    why: Whoever set it up can see your screen.
    actions: [Check if you or someone you trust set it up., {save_report: Save this report and talk with an advocate.}]
    normal: Many people use it for tech help from family or work.
"""
GOOD_TEMPLATE = """\
id: test.lint.demo
severity: review
category: remote_access
platforms: [windows]
text:
EN_TEXTS
  es:
    title: Demo Desk está instalado
    what: Demo Desk deja que una persona vea y use esta computadora desde lejos.
    why: Quien lo instaló puede ver su pantalla.
    actions: [Vea si usted o alguien de confianza lo instaló.,
              {save_report: Guarde este informe y hable con una persona de apoyo.}]
    normal: Mucha gente lo usa para recibir ayuda de su familia o del trabajo.
match:
  - kind: process
    exe_name: demodesk.exe
samples:
  positive: [{kind: process, exe: 'C:\\\\x\\\\demodesk.exe'}]
  negative: [{kind: process, exe: 'C:\\\\x\\\\demodesktop.exe'}]
references: [https://example.org/demodesk]
"""
# Texts in every language the catalogs offer: a language other than these two (a new catalog) gets
# the English words under its code, so the sample stays free of issues.
GOOD = GOOD_TEMPLATE.replace("EN_TEXTS\n", GOOD_EN + "".join(GOOD_EN.replace("  en:", f"  {lang}:", 1)
                                                           for lang in LANGUAGES if lang not in ("en", "es")))


def codes(text: str) -> list[str]:
    rules, problems = parse_rule_file("t.yaml", text)
    assert not problems, problems
    grade = reading_grade_function()
    assert grade is not None
    return [i.code for i in lint_rules(rules, grade)]


def test_all_rules_pass_the_lint() -> None:
    """No errors. Warnings (a rule without a newer language's texts, shown in English there) may land."""
    issues = errors(i for found in shipped_lint().values() for i in found)  # the lint run once (tests/shipped.py)
    assert not issues, "\n".join(str(i) for i in issues)
    assert len(shipped_lint()) == len({(r.id, r.source_file) for r in RULES.rules})


def test_every_shipped_rule_has_english_and_spanish_texts() -> None:
    """Spanish is complete: a missing es text is only a lint warning (so a new language can land
    before its rule texts), but no shipped rule may lack one."""
    lacking = [r.id for r in RULES.rules if not {"en", "es"} <= set(r.texts)]
    assert lacking == []


def test_a_missing_language_is_a_warning_that_lets_the_rule_land(tmp_path) -> None:  # type: ignore[no-untyped-def]
    without_es = GOOD[:GOOD.index("  es:")] + GOOD[GOOD.index("match:"):]
    rules, problems = parse_rule_file("t.yaml", without_es)
    assert not problems, problems
    found = [i for i in lint_rules(rules) if i.code == "language"]
    assert [(i.warning, "'es'" in i.message) for i in found] == [(True, True)]
    assert "(a es report shows this rule in English)" in str(found[0]) and "warning [language]" in str(found[0])
    path = tmp_path / "no_es.yaml"
    path.write_text(without_es)
    res = CliRunner().invoke(cli, ["rules", "lint", str(path), "--lang", "en"])
    assert res.exit_code == 0, res.output
    assert "no_es.yaml:1: test.lint.demo: warning [language] missing the 'es' texts" in res.stderr
    assert "1 rules: no lint problems; 1 warnings above" in res.stdout


def test_good_rule_has_no_issues() -> None:
    assert codes(GOOD) == []


@pytest.mark.parametrize("old, new, code", [
    ("    normal: Many people use it for tech help from family or work.\n",
     "    normal: Many people use it for tech help from family or work. It is not spyware.\n", "dual-use-wording"),
    ("Save this report and talk with an advocate.", "Uninstall it now.", "unsafe-advice"),
    ("Save this report and talk with an advocate.", "Delete the program.", "unsafe-advice"),
    ("Guarde este informe y hable con una persona de apoyo.", "Desinstálelo ahora mismo de inmediato.",
     "unsafe-advice"),
    ("    exe_name: demodesk.exe\n", "    port: 7070\n", "port-alone"),
    ("[https://example.org/demodesk]", "[see docs]", "references"),
    ("title: Demo Desk is installed", "title: " + "A very long title " * 5, "title"),
    ("demodesktop.exe'}]", "demodesk.exe'}]", "sample-fails"),
    ("    what: Demo Desk lets a person see and use this computer from far away.",
     "    what: Demo Desk constitutes a comprehensive administrative instrumentality facilitating "
     "unattended interactive supervision of heterogeneous organizational infrastructure.", "reading-level"),
])
def test_each_check_catches_its_mistake(old: str, new: str, code: str) -> None:
    assert old in GOOD, old
    bad = GOOD.replace(old, new)
    if code == "port-alone":
        bad = bad.replace("kind: process\n    port", "kind: listener\n    port")
        bad = bad.replace("samples:", "samples_unused:").split("samples_unused:")[0]
        bad += "references: [https://example.org/demodesk]\n"
    assert code in codes(bad)


@pytest.mark.parametrize("old, new, field", [
    # A bare "save this report": the reader would not learn how.
    ("{save_report: Save this report and talk with an advocate.}", "Save this report and talk with an advocate.",
     "text.en.actions[1]"),
    ("{save_report: Guarde este informe y hable con una persona de apoyo.}",
     "Guarde este informe y espere.", "text.es.actions[1]"),
    ("    why: Whoever set it up can see your screen.",
     "    why: Whoever set it up can see your screen. Save the report.", "text.en.why"),
    # The languages must agree: here the Spanish lost its save action (and its sentence).
    ("{save_report: Guarde este informe y hable con una persona de apoyo.}", "Hable con una persona de apoyo.",
     "how many save_report actions"),
])
def test_saying_to_save_without_how_is_a_lint_error(tmp_path, old: str, new: str, field: str) -> None:  # type: ignore[no-untyped-def]
    assert old in GOOD, old
    bad = tmp_path / "bare.yaml"
    bad.write_text(GOOD.replace(old, new))
    res = CliRunner().invoke(cli, ["rules", "lint", str(bad)])
    assert res.exit_code == EXIT_USAGE
    assert "[save-how]" in res.stderr and field in res.stderr and "bare.yaml:1" in res.stderr
    if "actions[" in field:  # the message says how to write it
        assert "- save_report: " in res.stderr


def test_an_unknown_action_id_is_a_rule_error_with_file_line_and_field(tmp_path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "typo.yaml"
    bad.write_text(GOOD.replace("{save_report: Save this", "{save_reprot: Save this"))
    res = CliRunner().invoke(cli, ["rules", "validate", str(bad)])
    assert res.exit_code == EXIT_USAGE
    assert "typo.yaml:10" in res.stderr and "text.en.actions[1]" in res.stderr
    assert "unknown action 'save_reprot'" in res.stderr and "did you mean 'save_report'" in res.stderr
    bad.write_text(GOOD.replace("{save_report: Save this report and talk with an advocate.}", "{a: 1, b: 2}"))
    res = CliRunner().invoke(cli, ["rules", "validate", str(bad)])
    assert res.exit_code == EXIT_USAGE and "text.en.actions[1]" in res.stderr


def test_every_shipped_rule_that_says_to_save_marks_it() -> None:
    from techcheck.actions import SAVE_REPORT, says_to_save

    marked = 0
    for rule in RULES.rules:
        for lang, text in rule.texts.items():
            for i, action in enumerate(text.actions):
                assert not says_to_save(action, lang) or text.action_id(i) == SAVE_REPORT, (rule.id, action)
                marked += text.action_id(i) == SAVE_REPORT
    assert marked > 1400  # en and es of the ~716 rules (hand-made and feed packs) that say to save


def test_safe_advice_is_not_flagged() -> None:
    for action in ("Do not delete it now. Removing it can warn the person who set it up.",
                   "Talk with an advocate before you remove it.",
                   "Reset your email password from a safe device."):
        text = GOOD.replace("Save this report and talk with an advocate.", action)
        assert "unsafe-advice" not in codes(text), action


def test_alert_rules_may_say_spyware() -> None:
    text = GOOD.replace("severity: review", "severity: alert").replace(
        "from far away.", "from far away. It is spyware.")
    assert "dual-use-wording" not in codes(text)


def test_reference_shapes() -> None:
    assert looks_like_reference("https://github.com/SigmaHQ/sigma/blob/master/rules/x.yml")
    assert looks_like_reference("Kaspersky, The State of Stalkerware 2023")
    assert not looks_like_reference("vendor docs")
    assert not looks_like_reference("http://nodot")


def test_cli_lint(tmp_path) -> None:  # type: ignore[no-untyped-def]
    good = tmp_path / "good.yaml"
    good.write_text(GOOD)
    res = CliRunner().invoke(cli, ["rules", "lint", str(good)])
    assert res.exit_code == 0, res.output
    bad = tmp_path / "bad.yaml"
    bad.write_text(GOOD.replace("Save this report and talk with an advocate.", "Uninstall it right away."))
    res = CliRunner().invoke(cli, ["rules", "lint", str(bad)])
    assert res.exit_code == EXIT_USAGE
    assert "[unsafe-advice]" in res.stderr and "bad.yaml:1" in res.stderr


def test_port_heuristic_tag_allows_a_port_alone() -> None:
    bad = GOOD.replace("    exe_name: demodesk.exe\n", "    port: 7070\n")
    bad = bad.replace("kind: process\n    port", "kind: listener\n    port")
    bad = bad.replace("samples:", "samples_unused:").split("samples_unused:")[0]
    bad += "references: [https://example.org/demodesk]\n"
    assert "port-alone" in codes(bad)
    assert "port-alone" not in codes(bad + "tags: [port-heuristic]\n")
