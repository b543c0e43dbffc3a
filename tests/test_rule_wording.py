"""Plain words for every rule in rules/: US grade 8 or below, and dual-use rules say when it is normal.

This runs over ALL rule folders, including the ones other engineers add (docs/rules.md says so). The
reading level is measured once per rule, by the lint run in tests/shipped.py.
"""

from __future__ import annotations

import pytest

from techcheck.i18n import LANGUAGES
from techcheck.lint import DUAL_USE_CATEGORIES, MAX_GRADE
from tests.shipped import issues_of, shipped_rules

RULES = shipped_rules().rules


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_english_reads_at_grade_8_or_below(rule) -> None:  # type: ignore[no-untyped-def]
    # measured once for every rule, by the lint in tests/shipped.py
    assert issues_of(rule, "reading-level") == []


@pytest.mark.parametrize("rule", [r for r in RULES if r.severity == "review" and r.category in DUAL_USE_CATEGORIES],
                         ids=lambda r: r.id)
def test_dual_use_rules_say_when_it_is_normal(rule) -> None:  # type: ignore[no-untyped-def]
    for lang in LANGUAGES:
        assert rule.text(lang).normal.strip(), f"{rule.id}: {lang} text.normal is empty"


def test_measure_is_not_trivially_low(grade) -> None:  # type: ignore[no-untyped-def]
    """The grade function really separates plain from dense text (so the checks above can fail)."""
    plain = "This program lets a person see your screen. Ask an advocate for help."
    dense = ("Administrative instrumentation facilitates unattended interactive supervision of "
             "heterogeneous organizational computational infrastructure.")
    assert grade(plain) <= MAX_GRADE < grade(dense)
