"""The Linux rules: readable English (US grade 8 or below), both languages, references, samples.

(Every shipped rule's own samples also run in test_shipped_rules.py.)
"""

from __future__ import annotations

import pytest

from techcheck.i18n import LANGUAGES
from techcheck.ruleset import load_rules, shipped_rules_dir
from tests.readability import grade

LINUX_RULES = load_rules([shipped_rules_dir() / "linux"]).rules


def test_linux_rules_exist() -> None:
    assert len(LINUX_RULES) >= 20


@pytest.mark.parametrize("rule", LINUX_RULES, ids=lambda r: r.id)
def test_english_is_plain(rule) -> None:  # type: ignore[no-untyped-def]
    t = rule.text("en")
    level = grade(" ".join([t.what, t.why, *t.actions, t.normal]))
    assert level <= 8.0, f"{rule.id}: grade {level} is above 8"


@pytest.mark.parametrize("rule", LINUX_RULES, ids=lambda r: r.id)
def test_safe_advice(rule) -> None:  # type: ignore[no-untyped-def]
    for lang in LANGUAGES:
        t = rule.text(lang)
        assert t.normal or rule.severity == "alert", f"{rule.id}: review/info rules say when it is normal"
        joined = " ".join(t.actions).lower()
        assert "uninstall it now" not in joined and "delete it now" not in joined
    assert all(ref.startswith("https://") for ref in rule.references)
