"""Rule files: the YAML format, its schema check, and loading of rule folders.

A rule file holds one rule (a mapping) or a list of rules. Every problem names the file, the line
and the field, and suggests the nearest valid name. All problems are collected before raising.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from techcheck.artifacts import Artifact
from techcheck.conditions import Condition, FieldTest, compile_rule_regex
from techcheck.errors import RuleError, RuleProblem
from techcheck.i18n import LANGUAGES as LANGUAGES  # which rule texts exist (read from the catalogs)
from techcheck.yamlsource import YamlProblem, load_yaml

__all__ = ["CATEGORIES", "LANGUAGES", "OPS", "PLATFORMS", "RULE_KEYS", "SEVERITIES", "TEXT_KEYS", "Condition",
           "FieldTest", "LazyDetails", "Rule", "RuleDetails", "RuleSet", "RuleText", "Samples", "compile_rule_regex",
           "load_rules", "parse_rule_file", "rule_files", "sample_problems", "shipped_rules_dir"]

SEVERITIES = ("alert", "review", "info")
CATEGORIES = (
    "stalkerware", "monitoring", "keylogger", "remote_access", "rat", "persistence",
    "location", "account", "privacy", "network", "system", "indicator",
)
PLATFORMS = ("linux", "windows", "macos", "any")
TEXT_KEYS = ("title", "what", "why", "actions", "normal")
RULE_KEYS = ("id", "severity", "category", "platforms", "text", "match", "samples", "references", "tags")
OPS = ("equals", "glob", "path", "regex", "contains", "domain", "exists", "not")
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,127}$")


def shipped_rules_dir() -> Path:
    """The rules that come with techcheck: inside the installed package, or rules/ in a checkout."""
    here = Path(__file__).resolve().parent
    installed = here / "shipped_rules"
    return installed if installed.is_dir() else here.parent / "rules"


@dataclass(frozen=True)
class RuleText:
    title: str
    what: str
    why: str
    actions: tuple[str, ...]
    normal: str
    # One per action: "" for a plain sentence, else one of ACTION_IDS (what the report adds to it).
    action_ids: tuple[str, ...] = ()

    def action_id(self, index: int) -> str:
        return self.action_ids[index] if index < len(self.action_ids) else ""


class Samples:
    """A rule's own sample artifacts. Those of a compiled rule are built when first asked for: a scan
    never needs them, `rules validate`, lint and the tests do."""

    def __init__(self, positive: tuple[Artifact, ...] = (), negative: tuple[Artifact, ...] = (),
                 build: Callable[[], tuple[tuple[Artifact, ...], tuple[Artifact, ...]]] | None = None) -> None:
        self._built = (positive, negative) if build is None else None
        self._build = build

    def get(self) -> tuple[tuple[Artifact, ...], tuple[Artifact, ...]]:
        if self._built is None:
            assert self._build is not None
            self._built = self._build()
        return self._built


@dataclass(frozen=True, slots=True)
class RuleDetails:
    """What a scan needs only for the rules that matched: the texts, the references, the samples."""

    texts: dict[str, RuleText]
    references: tuple[str, ...]
    samples: Samples


class LazyDetails:
    """A rule's details, or how to make them when first asked for (compiled rules keep the bytes)."""

    __slots__ = ("_details", "_build")

    def __init__(self, details: RuleDetails | None = None, build: Callable[[], RuleDetails] | None = None) -> None:
        self._details = details
        self._build = build

    def get(self) -> RuleDetails:
        if self._details is None:
            assert self._build is not None
            self._details, self._build = self._build(), None
        return self._details


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    severity: str
    category: str
    platforms: tuple[str, ...]
    conditions: tuple[Condition, ...]
    tags: tuple[str, ...]
    source_file: str
    line: int | None
    details: LazyDetails = field(repr=False, compare=False)

    @property
    def texts(self) -> dict[str, RuleText]:
        return self.details.get().texts

    @property
    def references(self) -> tuple[str, ...]:
        return self.details.get().references

    @property
    def samples(self) -> Samples:
        return self.details.get().samples

    def text(self, lang: str = "en") -> RuleText:
        return self.texts.get(lang) or self.texts["en"]

    @property
    def positive_samples(self) -> tuple[Artifact, ...]:
        return self.samples.get()[0]

    @property
    def negative_samples(self) -> tuple[Artifact, ...]:
        return self.samples.get()[1]

    def applies_to(self, os_name: str) -> bool:
        return "any" in self.platforms or os_name in self.platforms or os_name == "unknown"

    def matches(self, artifact: Artifact) -> bool:
        return any(c.matches(artifact) for c in self.conditions)


@dataclass
class RuleSet:
    rules: list[Rule] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    source_sha256: dict[str, str] = field(default_factory=dict)  # of the bytes parsed, for the evidence record

    def by_id(self, rule_id: str) -> Rule:
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)


# --- loading ------------------------------------------------------------------------------------

def rule_files(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Path]:
    for p in paths:
        path = Path(p)
        if path.is_dir():
            yield from sorted(q for q in path.rglob("*") if q.suffix in (".yaml", ".yml") and q.is_file())
        else:
            yield path


def parse_rule_file(file: str, text: str) -> tuple[list[Rule], list[RuleProblem]]:
    try:
        loaded = load_yaml(text)
    except YamlProblem as exc:
        return [], [RuleProblem(file, exc.line, "", f"not valid YAML: {exc.message}")]
    from techcheck.rulecheck import RuleChecker

    checker = RuleChecker(file, loaded)
    data = loaded.data
    rules: list[Rule] = []
    if data is None:
        checker.problem((), "the file is empty")
    elif isinstance(data, list):
        for i, item in enumerate(data):
            r = checker.rule(item, (i,))
            if r:
                rules.append(r)
    else:
        r = checker.rule(data, ())
        if r:
            rules.append(r)
    return rules, checker.problems


@functools.lru_cache(maxsize=4096)
def _parse_cached(file: str, text: str) -> tuple[tuple[Rule, ...], tuple[RuleProblem, ...]]:
    """parse_rule_file, once per file content in a process (rules are immutable; tests and the app load
    the same shipped files many times)."""
    rules, problems = parse_rule_file(file, text)
    return tuple(rules), tuple(problems)


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Python's cycle collector held off while many small objects are built that all stay alive (rules,
    their tests and texts, the YAML nodes of a file): each collection would walk every object made so far,
    for nothing, and took a third of the time of loading 10,000 rules. Restored afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def load_rules(paths: Iterable[str | os.PathLike[str]]) -> RuleSet:
    """Load and check every rule file below the given folders/files. Raises RuleError with all problems.

    A folder with a compiled form (rulepack.py) gives the rules of each unchanged file from it.
    """
    with gc_paused():
        return _load_rules(paths)


def _load_rules(paths: Iterable[str | os.PathLike[str]]) -> RuleSet:
    from techcheck.rulepack import CompiledForms

    problems: list[RuleProblem] = []
    ruleset = RuleSet()
    seen: dict[str, Rule] = {}
    compiled_forms = CompiledForms()
    for given in paths:
        for path in rule_files([given]):
            name = str(path)
            try:
                data = path.read_bytes()
                text = data.decode("utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                problems.append(RuleProblem(name, None, "", f"cannot read rule file: {exc}"))
                continue
            digest = hashlib.sha256(data).hexdigest()
            resolved = path.resolve()
            compiled = compiled_forms.nearest(resolved)
            rules = compiled.rules_for(resolved, digest, name) if compiled else None
            if rules is None:
                parsed, file_problems = _parse_cached(name, text)
                rules = list(parsed)
                problems.extend(file_problems)
            ruleset.sources.append(name)
            ruleset.source_sha256[name] = digest
            for rule in rules:
                if rule.id in seen:
                    other = seen[rule.id]
                    where = f"{other.source_file}:{other.line}"
                    problems.append(RuleProblem(name, rule.line, "id",
                                                f"duplicate rule id {rule.id!r} (also in {where})"))
                    continue
                seen[rule.id] = rule
                ruleset.rules.append(rule)
    if problems:
        raise RuleError(problems)
    return ruleset


def sample_problems(ruleset: RuleSet) -> list[str]:
    """Each rule's own samples: positives must match it, negatives must not."""
    out = []
    for rule in ruleset.rules:
        for art in rule.positive_samples:
            if not rule.matches(art):
                out.append(f"{rule.source_file}:{rule.line}: {rule.id}: positive sample does not match: {art.fields}")
        for art in rule.negative_samples:
            if rule.matches(art):
                out.append(f"{rule.source_file}:{rule.line}: {rule.id}: negative sample matches: {art.fields}")
    return out
