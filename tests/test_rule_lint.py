"""The rule lint: every rule in rules/ passes it, and each check catches the mistake it is for."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from techcheck.cli import EXIT_USAGE, cli
from techcheck.lint import lint_rules, looks_like_reference, reading_grade_function
from techcheck.ruleset import load_rules, parse_rule_file, shipped_rules_dir

RULES = load_rules([shipped_rules_dir()])

GOOD = """\
id: test.lint.demo
severity: review
category: remote_access
platforms: [windows]
text:
  en:
    title: Demo Desk is installed
    what: Demo Desk lets a person see and use this computer from far away.
    why: Whoever set it up can see your screen.
    actions: [Check if you or someone you trust set it up., Save this report and talk with an advocate.]
    normal: Many people use it for tech help from family or work.
  es:
    title: Demo Desk está instalado
    what: Demo Desk deja que una persona vea y use esta computadora desde lejos.
    why: Quien lo instaló puede ver su pantalla.
    actions: [Vea si usted o alguien de confianza lo instaló., Guarde este informe y hable con una persona de apoyo.]
    normal: Mucha gente lo usa para recibir ayuda de su familia o del trabajo.
match:
  - kind: process
    exe_name: demodesk.exe
samples:
  positive: [{kind: process, exe: 'C:\\\\x\\\\demodesk.exe'}]
  negative: [{kind: process, exe: 'C:\\\\x\\\\demodesktop.exe'}]
references: [https://example.org/demodesk]
"""


def codes(text: str) -> list[str]:
    rules, problems = parse_rule_file("t.yaml", text)
    assert not problems, problems
    grade = reading_grade_function()
    assert grade is not None
    return [i.code for i in lint_rules(rules, grade)]


def test_all_rules_pass_the_lint(grade) -> None:  # type: ignore[no-untyped-def]
    issues = lint_rules(RULES.rules, grade)
    assert not issues, "\n".join(str(i) for i in issues)


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
