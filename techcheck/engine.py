"""The rule engine: matches artifacts against rules through an index.

Each condition is filed under one exact value it requires (kind, field, value) when it has one, or
else under the literal pieces its glob, path, regex or contains test requires (prefilter.py: one
Aho-Corasick automaton per kind and field). Matching an artifact costs a few dictionary look-ups,
one pass of each automaton over its fields, and the few conditions with neither (tried on every
artifact of their kind). Cost grows with artifacts, not with rules x artifacts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import ahocorasick

from techcheck.artifacts import Artifact, make
from techcheck.prefilter import LITERAL_OPS, search_texts
from techcheck.ruleset import Condition, Rule, gc_paused


@dataclass(frozen=True)
class Finding:
    """One problem: the strongest matching rule, its artifacts, and the other rules that matched
    the same artifacts (`also`, each with the artifacts it matched): reasons, not extra alarms."""

    rule: Rule
    artifacts: tuple[Artifact, ...]
    also: tuple[tuple[Rule, tuple[Artifact, ...]], ...] = ()

    @property
    def severity(self) -> str:
        return self.rule.severity

    @property
    def rule_ids(self) -> list[str]:
        return [self.rule.id, *(r.id for r, _ in self.also)]

    @property
    def matched(self) -> tuple[tuple[Rule, tuple[Artifact, ...]], ...]:
        """Every rule that matched, with the artifacts it matched: the lead's, then the reasons."""
        return ((self.rule, self.artifacts), *self.also)


SEVERITY_ORDER = {"alert": 0, "review": 1, "info": 2}

_Entry = tuple[Rule, Condition]
_LiteralKey = tuple[str, str, str]  # kind, field, "path" (\\ read as /) or "text"


def _index_value(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


@dataclass
class Matcher:
    exact: dict[tuple[str, str, Any], list[_Entry]] = field(default_factory=lambda: defaultdict(list))
    domains: dict[tuple[str, str, str], list[_Entry]] = field(default_factory=lambda: defaultdict(list))
    scan: dict[str, list[_Entry]] = field(default_factory=lambda: defaultdict(list))
    exact_fields: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    domain_fields: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    by_literal: dict[_LiteralKey, dict[str, list[_Entry]]] = field(default_factory=lambda: defaultdict(dict))
    automata: dict[str, list[tuple[str, str, Any]]] = field(default_factory=lambda: defaultdict(list))

    @classmethod
    def build(cls, rules: Iterable[Rule]) -> Matcher:
        m = cls()
        with gc_paused():  # everything made here stays alive: collections would walk it for nothing
            for rule in rules:
                for cond in rule.conditions:
                    m._add(rule, cond)
            m._build_automata()
        return m

    def _build_automata(self) -> None:
        for (kind, name, norm), literals in self.by_literal.items():
            automaton = ahocorasick.Automaton()
            for literal, entries in literals.items():
                automaton.add_word(literal, entries)
            automaton.make_automaton()
            self.automata[kind].append((name, norm, automaton))

    def _add(self, rule: Rule, cond: Condition) -> None:
        # Prefer an exact test on a text or number field (booleans say too little to index), then a
        # domain test, then a literal every value of a text test must contain; else scan the kind.
        if not (self._add_exact(rule, cond) or self._add_domain(rule, cond) or self._add_literal(rule, cond)):
            self.scan[cond.kind].append((rule, cond))

    def _add_exact(self, rule: Rule, cond: Condition) -> bool:
        for name, test in cond.tests:
            if test.op == "equals" and not any(isinstance(v, bool) for v in test.values):
                for v in test.values:
                    self.exact[(cond.kind, name, _index_value(v))].append((rule, cond))
                self.exact_fields[cond.kind].add(name)
                return True
        return False

    def _add_domain(self, rule: Rule, cond: Condition) -> bool:
        for name, test in cond.tests:
            if test.op == "domain":
                for v in test.values:
                    self.domains[(cond.kind, name, v)].append((rule, cond))
                self.domain_fields[cond.kind].add(name)
                return True
        return False

    def _add_literal(self, rule: Rule, cond: Condition) -> bool:
        for name, test in cond.tests:
            if test.op in LITERAL_OPS:
                literals = test.literals()
                if literals and all(literals):  # every value needs a literal, or the test cannot be filed
                    table = self.by_literal[(cond.kind, name, "path" if test.op == "path" else "text")]
                    for literal in set(literals):
                        table.setdefault(literal, []).append((rule, cond))
                    return True
        return False

    def candidates(self, art: Artifact) -> list[_Entry]:
        found: list[_Entry] = []
        self._exact_candidates(art, found)
        self._domain_candidates(art, found)
        self._literal_candidates(art, found)
        found.extend(self.scan.get(art.kind, ()))
        return found

    def _exact_candidates(self, art: Artifact, found: list[_Entry]) -> None:
        for name in self.exact_fields.get(art.kind, ()):
            value = art.get(name)
            for v in value if isinstance(value, list) else [value]:
                if v is not None:
                    found.extend(self.exact.get((art.kind, name, _index_value(v)), ()))

    def _domain_candidates(self, art: Artifact, found: list[_Entry]) -> None:
        for name in self.domain_fields.get(art.kind, ()):
            value = art.get(name)
            if isinstance(value, str) and value:
                labels = value.lower().rstrip(".").split(".")
                for i in range(len(labels)):
                    found.extend(self.domains.get((art.kind, name, ".".join(labels[i:])), ()))

    def _literal_candidates(self, art: Artifact, found: list[_Entry]) -> None:
        for name, norm, automaton in self.automata.get(art.kind, ()):
            value = art.get(name)
            for v in value if isinstance(value, list) else [value]:
                if v is None:
                    continue
                for text in search_texts(norm, v):
                    for _end, entries in automaton.iter(text):
                        found.extend(entries)

    def match(self, artifacts: Iterable[Artifact]) -> list[Finding]:
        hits: dict[str, tuple[Rule, dict[int, Artifact]]] = {}
        for art in artifacts:
            tried: set[int] = set()
            for rule, cond in self.candidates(art):
                if id(cond) in tried:  # a condition can be found through several literals
                    continue
                tried.add(id(cond))
                if cond.matches(art):
                    entry = hits.setdefault(rule.id, (rule, {}))
                    entry[1].setdefault(id(art), art)
        findings = [
            Finding(rule, tuple(sorted(arts.values(), key=Artifact.sort_key)))
            for rule, arts in hits.values()
        ]
        findings.sort(key=lambda f: (SEVERITY_ORDER[f.severity], f.rule.category, f.rule.id))
        return findings


def hash_targets(rules: Iterable[Rule]) -> Callable[[str, Mapping[str, Any]], bool] | None:
    """Whether an artifact is one a hash condition points at: its other tests (name, folder) all pass.

    A hash condition with nothing else to go on points at no file: files are never hashed for it.
    """
    conds = [c for r in rules for c in r.conditions
             if any(name == "sha256" for name, _ in c.tests) and any(name != "sha256" for name, _ in c.tests)]
    if not conds:
        return None

    def wanted(kind: str, fields: Mapping[str, Any]) -> bool:
        art = make(kind, None, **{k: v for k, v in fields.items() if k != "exe_name"})
        return any(c.kind == kind and all(t.test_value(art.get(n)) for n, t in c.tests if n != "sha256")
                   for c in conds)

    return wanted


def _is_feed_rule(rule: Rule) -> bool:
    return any(tag.startswith("feed:") for tag in rule.tags)


def merge_same_product(findings: list[Finding]) -> list[Finding]:
    """A product found by a hand-made rule is reported once: a feed-pack rule for the same product (same
    `product:` tag and severity) adds its evidence to the hand-made finding instead of a second finding."""
    hand: dict[tuple[str, str], int] = {}
    for i, f in enumerate(findings):
        if not _is_feed_rule(f.rule):
            for tag in f.rule.tags:
                if tag.startswith("product:"):
                    hand.setdefault((tag, f.severity), i)
    if not hand:
        return findings
    merged = list(findings)
    dropped: set[int] = set()
    for i, f in enumerate(findings):
        if not _is_feed_rule(f.rule):
            continue
        for tag in f.rule.tags:
            target = hand.get((tag, f.severity))
            if tag.startswith("product:") and target is not None:
                base = merged[target]
                arts = {id(a): a for a in (*base.artifacts, *f.artifacts)}
                merged[target] = Finding(base.rule, tuple(sorted(arts.values(), key=Artifact.sort_key)))
                dropped.add(i)
                break
    return [f for i, f in enumerate(merged) if i not in dropped]


def _strength(f: Finding) -> tuple[int, bool, int, str]:
    # The finding that leads: higher severity; then one about what a thing is (a product, an
    # account) before one about where it starts from (persistence); then the narrower one.
    return (SEVERITY_ORDER[f.severity], f.rule.category == "persistence", len(f.artifacts), f.rule.id)


def merge_findings(findings: list[Finding]) -> list[Finding]:
    """One problem, one finding: each artifact stays in the strongest finding that matched it, and
    the other rules that matched it become that finding's reasons (`also`). A scheduled task
    flagged as a trojan's task, a system name in the wrong folder and an odd place is one finding;
    a weaker rule keeps only the artifacts no stronger one took (and goes when none are left)."""
    kept: list[Finding] = []
    owner: dict[tuple[str, ...], int] = {}  # artifact -> index of the finding that holds it
    for f in sorted(findings, key=_strength):
        taken: dict[int, list[Artifact]] = {}
        free: list[Artifact] = []
        for art in f.artifacts:
            index = owner.get(art.sort_key())
            if index is None:
                free.append(art)
            else:
                taken.setdefault(index, []).append(art)
        for index, arts in taken.items():
            lead = kept[index]
            kept[index] = Finding(lead.rule, lead.artifacts, (*lead.also, (f.rule, tuple(arts))))
        if free:
            for art in free:
                owner[art.sort_key()] = len(kept)
            kept.append(Finding(f.rule, tuple(free)))
    kept.sort(key=lambda f: (SEVERITY_ORDER[f.severity], f.rule.category, f.rule.id))
    return kept
