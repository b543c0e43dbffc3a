"""Every shipped rule loads, and its own positive samples match and negative samples do not.

The samples are checked once, by the lint run in tests/shipped.py; each rule's test reads its result.
"""

from __future__ import annotations

import pytest

from techcheck.i18n import LANGUAGES
from tests.shipped import issues_of, shipped_rules

RULES = shipped_rules()


def test_shipped_rules_load() -> None:
    assert RULES.rules, "no shipped rules found"


@pytest.mark.parametrize("rule", RULES.rules, ids=lambda r: r.id)
def test_rule_samples(rule) -> None:  # type: ignore[no-untyped-def]
    assert issues_of(rule, "samples", "sample-fails") == []


@pytest.mark.parametrize("rule", RULES.rules, ids=lambda r: r.id)
def test_rule_has_references_and_every_language(rule) -> None:  # type: ignore[no-untyped-def]
    assert rule.references, f"{rule.id}: needs references"
    assert set(rule.texts) == set(LANGUAGES), f"{rule.id}: needs texts in {', '.join(LANGUAGES)}"
