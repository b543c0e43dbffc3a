"""Every shipped rule loads, and its own positive samples match and negative samples do not."""

from __future__ import annotations

import pytest

from techcheck.i18n import LANGUAGES
from techcheck.ruleset import load_rules, shipped_rules_dir

RULES = load_rules([shipped_rules_dir()])


def test_shipped_rules_load() -> None:
    assert RULES.rules, "no shipped rules found"


@pytest.mark.parametrize("rule", RULES.rules, ids=lambda r: r.id)
def test_rule_samples(rule) -> None:  # type: ignore[no-untyped-def]
    assert rule.positive_samples, f"{rule.id}: needs at least one positive sample"
    assert rule.negative_samples, f"{rule.id}: needs at least one negative sample"
    for art in rule.positive_samples:
        assert rule.matches(art), f"{rule.id}: positive sample does not match: {art.fields}"
    for art in rule.negative_samples:
        assert not rule.matches(art), f"{rule.id}: negative sample matches: {art.fields}"


@pytest.mark.parametrize("rule", RULES.rules, ids=lambda r: r.id)
def test_rule_has_references_and_every_language(rule) -> None:  # type: ignore[no-untyped-def]
    assert rule.references, f"{rule.id}: needs references"
    assert set(rule.texts) == set(LANGUAGES), f"{rule.id}: needs texts in {', '.join(LANGUAGES)}"
