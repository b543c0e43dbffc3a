"""Counts over a rule set: by category, severity and platform, and the product counts of issue 7.

A product is counted once however many rules cover it: its key is the rule's `product:<name>` tag,
or the rule id when it has none. Groups:
- remote-access tools: products in category remote_access, plus tunnels (category network) that
  carry a product tag;
- monitoring, keylogger and stalkerware products: categories monitoring, keylogger, stalkerware;
- remote-access trojan families: category rat;
- built-in sharing: rules tagged `builtin` (system features such as remote desktop, SSH or screen
  sharing), or any remote_access/location/account rule that matches a `setting`;
- location and account sharing checks: categories location and account, not built-in (signed-in and
  mixed browser accounts, Apple Account, new or admin computer accounts; no desktop location-sharing
  product had sourced install facts).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from techcheck.ruleset import Rule

# The product groups; each one's label is the message rules_group_<key> (`rules list --summary`).
GROUPS = ("remote_access_tools", "monitoring_products", "rat_families", "builtin_sharing", "location_account_sharing")


def product_key(rule: Rule) -> str:
    for tag in rule.tags:
        if tag.startswith("product:"):
            return tag
    return f"rule:{rule.id}"


def is_builtin(rule: Rule) -> bool:
    return "builtin" in rule.tags or (
        rule.category in ("remote_access", "location", "account")
        and any(c.kind == "setting" for c in rule.conditions)
    )


def group_of(rule: Rule) -> str | None:
    if is_builtin(rule):
        return "builtin_sharing"
    if rule.category == "remote_access" or (rule.category == "network" and product_key(rule).startswith("product:")):
        return "remote_access_tools"
    if rule.category in ("monitoring", "keylogger", "stalkerware"):
        return "monitoring_products"
    if rule.category == "rat":
        return "rat_families"
    if rule.category in ("location", "account"):
        return "location_account_sharing"
    return None


SYSTEMS = ("windows", "macos", "linux")


@dataclass
class CatalogSummary:
    rules: int = 0
    by_category: Counter[str] = field(default_factory=Counter)
    by_severity: Counter[str] = field(default_factory=Counter)
    by_platform: Counter[str] = field(default_factory=Counter)
    products: dict[str, set[str]] = field(default_factory=lambda: {g: set() for g in GROUPS})
    # per system (windows, macos, linux): the products of each group a scan of that system can find
    by_system: dict[str, dict[str, set[str]]] = field(
        default_factory=lambda: {o: {g: set() for g in GROUPS} for o in SYSTEMS})

    def product_counts(self) -> dict[str, int]:
        return {g: len(keys) for g, keys in self.products.items()}

    def system_counts(self) -> dict[str, dict[str, int]]:
        return {o: {g: len(keys) for g, keys in groups.items()} for o, groups in self.by_system.items()}


def summarize(rules: Iterable[Rule]) -> CatalogSummary:
    s = CatalogSummary()
    for rule in rules:
        s.rules += 1
        s.by_category[rule.category] += 1
        s.by_severity[rule.severity] += 1
        for platform in rule.platforms:
            s.by_platform[platform] += 1
        group = group_of(rule)
        if group:
            s.products[group].add(product_key(rule))
            for system in SYSTEMS:
                if rule.applies_to(system):
                    s.by_system[system][group].add(product_key(rule))
    return s
