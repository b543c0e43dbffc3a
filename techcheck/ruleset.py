"""Rule files: the YAML format, its schema check, and loading of rule folders.

A rule file holds one rule (a mapping) or a list of rules. Every problem names the file, the line
and the field, and suggests the nearest valid name. All problems are collected before raising.
"""

from __future__ import annotations

import contextlib
import fnmatch
import functools
import gc
import hashlib
import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import re2

from techcheck.artifacts import Artifact
from techcheck.errors import RuleError, RuleProblem
from techcheck.i18n import LANGUAGES as LANGUAGES  # which rule texts exist (read from the catalogs)
from techcheck.prefilter import literal_for
from techcheck.yamlsource import YamlProblem, load_yaml

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


# --- field conditions -------------------------------------------------------------------------

# Rule regexes run on RE2, whose matching time grows linearly with the text: a pattern such as
# ^(a+)+$ cannot hang a scan on a planted 33-character command line. Python's `re` is used only
# for techcheck's own fixed patterns.
_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.case_sensitive = False
_RE2_OPTIONS.log_errors = False  # a bad pattern becomes a rule error, not a line on stderr
_RE2_OPTIONS.dot_nl = True


def compile_rule_regex(pattern: str) -> Any:
    """A case-insensitive RE2 pattern. Raises ValueError when RE2 cannot take it (lookaround, backrefs)."""
    try:
        return re2.compile(pattern, _RE2_OPTIONS)
    except re2.error as exc:
        detail = exc.args[0].decode("utf-8", "replace") if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        raise ValueError(detail) from exc


def _utf8_safe(text: str) -> str:
    """RE2 works on UTF-8: undecodable bytes of a scanned name (lone surrogates) become U+FFFD."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


@functools.lru_cache(maxsize=8192)  # feed packs repeat each folder pattern for several artifact kinds
def _path_regex(pattern: str) -> Any:
    """Path glob: '*' stays inside one folder, '**' crosses folders; '\\' and '/' are the same."""
    pattern = pattern.replace("\\", "/")
    out = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return compile_rule_regex("^" + "".join(out) + "$")


@dataclass(frozen=True, slots=True)
class FieldTest:
    """One test on one field: op and its values (any value may match)."""

    op: str
    values: tuple[Any, ...]
    compiled: tuple[Any, ...] = ()
    inner: tuple[FieldTest, ...] = ()  # for op "not": all inner tests must hold for "not" to fail
    # The prefilter literal of each value of a glob, path, regex or contains test (prefilter.py),
    # worked out when the engine first asks; a compiled rule folder stores them.
    literal_pieces: tuple[str, ...] | None = field(default=None, compare=False)

    def patterns(self) -> tuple[Any, ...]:
        """The compiled patterns of a path or regex test, compiled on first use: most are never
        tried, thanks to the literal prefilter. Path globs always compile (every character but the
        wildcards is escaped); a regex from a YAML file was compiled when it was checked, and one
        from a compiled rule folder was checked when the folder was compiled."""
        if not self.compiled and self.op == "path":
            object.__setattr__(self, "compiled", tuple(_path_regex(str(v)) for v in self.values))
        elif not self.compiled and self.op == "regex":
            object.__setattr__(self, "compiled", tuple(compile_rule_regex(str(v)) for v in self.values))
        return self.compiled

    def literals(self) -> tuple[str, ...]:
        """The literal each value's matches must contain ("" for a value without one)."""
        if self.literal_pieces is None:
            object.__setattr__(self, "literal_pieces", tuple(literal_for(self.op, v) for v in self.values))
        assert self.literal_pieces is not None
        return self.literal_pieces

    def test_value(self, value: Any) -> bool:
        if self.op == "exists":
            return (value not in (None, "", [])) == bool(self.values[0])
        if self.op == "not":
            return not all(t.test_value(value) for t in self.inner)
        if value is None:
            return False
        if isinstance(value, list):
            return any(self._test_scalar(v) for v in value)
        return self._test_scalar(value)

    def _test_scalar(self, value: Any) -> bool:
        if self.op == "equals":
            if isinstance(value, str):
                low = value.lower()
                return any(isinstance(v, str) and v.lower() == low for v in self.values)
            return any(v == value and type(v) is type(value) for v in self.values)
        text = str(value)
        if self.op == "contains":
            low = text.lower()
            return any(str(v).lower() in low for v in self.values)
        if self.op == "glob":
            low = text.lower()
            return any(fnmatch.fnmatchcase(low, str(v).lower()) for v in self.values)
        if self.op in ("path", "regex"):
            candidate = _utf8_safe(text.replace("\\", "/") if self.op == "path" else text)
            return any(rx.search(candidate) for rx in self.patterns())
        if self.op == "domain":
            low = text.lower().rstrip(".")
            return any(low == v or low.endswith("." + v) for v in self.values)
        return False


@dataclass(frozen=True, slots=True)
class Condition:
    """Matches artifacts of one kind whose fields pass every test."""

    kind: str
    tests: tuple[tuple[str, FieldTest], ...]
    # `not: {field: test, ...}`: the artifact must not pass all of these (an exception to the rule).
    exclude: tuple[tuple[str, FieldTest], ...] = ()

    def matches(self, artifact: Artifact) -> bool:
        if artifact.kind != self.kind:
            return False
        if not all(test.test_value(artifact.get(name)) for name, test in self.tests):
            return False
        return not (self.exclude and all(test.test_value(artifact.get(name)) for name, test in self.exclude))


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
