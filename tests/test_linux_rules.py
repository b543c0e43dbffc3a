"""The Linux rules: safe advice, and when each is normal.

(Every shipped rule's samples and reading level are checked once, in test_shipped_rules.py and
test_rule_wording.py.)
"""

from __future__ import annotations

import pytest

from techcheck.i18n import LANGUAGES
from techcheck.ruleset import load_rules, shipped_rules_dir

LINUX_RULES = load_rules([shipped_rules_dir() / "linux"]).rules


def test_linux_rules_exist() -> None:
    assert len(LINUX_RULES) >= 20


@pytest.mark.parametrize("rule", LINUX_RULES, ids=lambda r: r.id)
def test_safe_advice(rule) -> None:  # type: ignore[no-untyped-def]
    for lang in LANGUAGES:
        t = rule.text(lang)
        assert t.normal or rule.severity == "alert", f"{rule.id}: review/info rules say when it is normal"
        joined = " ".join(t.actions).lower()
        assert "uninstall it now" not in joined and "delete it now" not in joined
    assert all(ref.startswith("https://") for ref in rule.references)
