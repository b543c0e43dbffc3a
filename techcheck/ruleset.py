"""Rule files: the YAML format, its schema check, and loading of rule folders.

A rule file holds one rule (a mapping) or a list of rules. Every problem names the file, the line
and the field, and suggests the nearest valid name. All problems are collected before raising.
"""

from __future__ import annotations

import contextlib
import difflib
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

from techcheck.actions import ACTION_IDS
from techcheck.artifacts import KINDS, Artifact, FieldSpec, Location, check_fields, make
from techcheck.errors import RuleError, RuleProblem
from techcheck.i18n import LANGUAGES
from techcheck.prefilter import literal_for
from techcheck.yamlsource import LoadedYaml, YamlProblem, load_yaml

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


# --- validation ---------------------------------------------------------------------------------

class _Checker:
    """Collects problems for one file while converting its YAML into Rule objects."""

    def __init__(self, file: str, loaded: LoadedYaml) -> None:
        self.file = file
        self.loaded = loaded
        self.problems: list[RuleProblem] = []

    def problem(self, path: tuple[str | int, ...], message: str) -> None:
        field_name = _path_text(path)
        self.problems.append(RuleProblem(self.file, self.loaded.line(path), field_name, message))

    def unknown_key(self, path: tuple[str | int, ...], key: str, valid: Iterable[str]) -> None:
        hint = difflib.get_close_matches(key, list(valid), n=1, cutoff=0.6)
        suffix = f" (did you mean {hint[0]!r}?)" if hint else f" (valid: {', '.join(valid)})"
        self.problem((*path, key), f"unknown field {key!r}{suffix}")

    def rule(self, data: Any, path: tuple[str | int, ...]) -> Rule | None:
        if not isinstance(data, dict):
            self.problem(path, "a rule must be a mapping of fields")
            return None
        before = len(self.problems)
        for key in data:
            if key not in RULE_KEYS:
                self.unknown_key(path, str(key), RULE_KEYS)
        for key in ("id", "severity", "category", "platforms", "text", "match"):
            if key not in data:
                self.problem(path, f"missing required field {key!r}")
        rule_id = data.get("id")
        if rule_id is not None and (not isinstance(rule_id, str) or not ID_PATTERN.match(rule_id)):
            self.problem((*path, "id"), "id must be lower-case letters, digits, '.', '_' or '-'")
        severity = data.get("severity")
        if severity is not None and severity not in SEVERITIES:
            self._bad_choice((*path, "severity"), severity, SEVERITIES)
        category = data.get("category")
        if category is not None and category not in CATEGORIES:
            self._bad_choice((*path, "category"), category, CATEGORIES)
        platforms = self._str_list(data.get("platforms"), (*path, "platforms"))
        for i, p in enumerate(platforms):
            if p not in PLATFORMS:
                self._bad_choice((*path, "platforms", i), p, PLATFORMS)
        texts = self._texts(data.get("text"), (*path, "text"), severity)
        conditions = self._conditions(data.get("match"), (*path, "match"))
        positives, negatives = self._samples(data.get("samples"), (*path, "samples"))
        references = self._str_list(data.get("references", []), (*path, "references"))
        tags = self._str_list(data.get("tags", []), (*path, "tags"))
        if len(self.problems) > before:
            return None
        details = RuleDetails(texts, tuple(references), Samples(build=_sample_builder(positives, negatives)))
        return Rule(
            id=str(rule_id), severity=str(severity), category=str(category), platforms=tuple(platforms),
            conditions=tuple(conditions), tags=tuple(tags), source_file=self.file, line=self.loaded.line(path),
            details=LazyDetails(details),
        )

    def _bad_choice(self, path: tuple[str | int, ...], value: Any, choices: Iterable[str]) -> None:
        hint = difflib.get_close_matches(str(value), list(choices), n=1, cutoff=0.6)
        suffix = f" (did you mean {hint[0]!r}?)" if hint else ""
        self.problem(path, f"{value!r} is not one of: {', '.join(choices)}{suffix}")

    def _str_list(self, value: Any, path: tuple[str | int, ...]) -> list[str]:
        if value is None:
            return []
        if isinstance(value, str):
            return [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.problem(path, "must be a list of text values")
            return []
        return value

    def _texts(self, value: Any, path: tuple[str | int, ...], severity: Any) -> dict[str, RuleText]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.problem(path, f"must map a language ({', '.join(LANGUAGES)}) to the rule's texts")
            return {}
        texts = {}
        for lang, block in value.items():
            lpath = (*path, str(lang))
            if lang not in LANGUAGES:
                self.unknown_key(path, str(lang), LANGUAGES)
                continue
            if not isinstance(block, dict):
                self.problem(lpath, "must be a mapping with title, what, why, actions, normal")
                continue
            for key in block:
                if key not in TEXT_KEYS:
                    self.unknown_key(lpath, str(key), TEXT_KEYS)
            required = TEXT_KEYS if severity != "alert" else TEXT_KEYS[:4]
            for key in required:
                if not block.get(key):
                    self.problem(lpath, f"missing required text {key!r}")
            for key in ("title", "what", "why", "normal"):
                if key in block and not isinstance(block[key], str):
                    self.problem((*lpath, key), "must be text")
            actions, action_ids = self._actions(block.get("actions", []), (*lpath, "actions"))
            texts[lang] = RuleText(
                title=str(block.get("title", "")).strip(), what=_clean(block.get("what")),
                why=_clean(block.get("why")), actions=actions, normal=_clean(block.get("normal")),
                action_ids=action_ids,
            )
        if "en" not in value:
            self.problem(path, "missing required language 'en'")
        return texts

    def _actions(self, value: Any, path: tuple[str | int, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The actions and, for each, its action id: a sentence, or `save_report: sentence`."""
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list):
            self.problem(path, "must be a list of text values")
            return (), ()
        texts: list[str] = []
        ids: list[str] = []
        for i, item in enumerate(items):
            if isinstance(item, str):
                texts.append(_clean(item))
                ids.append("")
            elif isinstance(item, dict) and len(item) == 1 and isinstance(next(iter(item.values())), str):
                action_id, text = next(iter(item.items()))
                if action_id not in ACTION_IDS:
                    hint = difflib.get_close_matches(str(action_id), list(ACTION_IDS), n=1, cutoff=0.6)
                    self.problem((*path, i), f"unknown action {action_id!r} (known: {', '.join(ACTION_IDS)}"
                                 + (f"; did you mean {hint[0]!r}?)" if hint else ")"))
                    continue
                texts.append(_clean(text))
                ids.append(str(action_id))
            else:
                self.problem((*path, i), "must be a sentence, or one action and its sentence "
                             "(save_report: Save this report.)")
        return tuple(texts), tuple(ids)

    def _conditions(self, value: Any, path: tuple[str | int, ...]) -> list[Condition]:
        if value is None:
            return []
        if not isinstance(value, list) or not value:
            self.problem(path, "must be a non-empty list of conditions, each with a 'kind'")
            return []
        out = []
        for i, cond in enumerate(value):
            c = self._condition(cond, (*path, i))
            if c is not None:
                out.append(c)
        return out

    def _condition(self, cond: Any, path: tuple[str | int, ...]) -> Condition | None:
        if not isinstance(cond, dict):
            self.problem(path, "a condition must be a mapping with 'kind' and field tests")
            return None
        kind = cond.get("kind")
        if kind not in KINDS:
            if kind is None:
                self.problem(path, "missing required field 'kind'")
            else:
                self._bad_choice((*path, "kind"), kind, KINDS)
            return None
        before = len(self.problems)
        tests = self._field_tests({k: v for k, v in cond.items() if k not in ("kind", "not")}, path, kind)
        exclude: list[tuple[str, FieldTest]] = []
        if "not" in cond:
            if isinstance(cond["not"], dict) and cond["not"]:
                exclude = self._field_tests(cond["not"], (*path, "not"), kind)
            else:
                self.problem((*path, "not"), "must map fields to the tests that make an exception")
        if not tests:
            if len(self.problems) == before:  # (bad field tests were reported above)
                self.problem(path, "a condition needs at least one field test besides 'kind' and 'not'")
            return None
        return Condition(kind, tuple(tests), tuple(exclude))

    def _field_tests(self, raw: dict[Any, Any], path: tuple[str | int, ...], kind: str) -> list[tuple[str, FieldTest]]:
        spec = KINDS[kind]
        tests = []
        for name, value in raw.items():
            if name not in spec.fields:
                self.unknown_key(path, str(name), [*spec.fields, "not"])
                continue
            t = self._field_test(value, (*path, name), spec.fields[name])
            if t is not None:
                tests.append((str(name), t))
        return tests

    def _field_test(self, raw: Any, path: tuple[str | int, ...], spec: FieldSpec) -> FieldTest | None:
        if not isinstance(raw, dict):
            values = raw if isinstance(raw, list) else [raw]
            if not values or not all(isinstance(v, str | int | bool) for v in values):
                self.problem(path, "must be a value, a list of values, or a test such as {glob: ...}")
                return None
            if not self._values_fit(values, spec, path, "equals"):
                return None
            return FieldTest("equals", tuple(values))
        if len(raw) != 1:
            self.problem(path, f"a field test has exactly one of: {', '.join(OPS)}")
            return None
        op, arg = next(iter(raw.items()))
        if op not in OPS:
            self.unknown_key(path, str(op), OPS)
            return None
        if op == "not":
            inner = self._field_test(arg, (*path, "not"), spec)
            return FieldTest("not", (), (), (inner,)) if inner else None
        if op == "exists":
            if not isinstance(arg, bool):
                self.problem((*path, op), "exists takes true or false")
                return None
            return FieldTest("exists", (arg,))
        values = arg if isinstance(arg, list) else [arg]
        if not values or not all(isinstance(v, str | int | bool) for v in values):
            self.problem((*path, op), "must be a value or a list of values")
            return None
        if not self._values_fit(values, spec, (*path, op), op):
            return None
        compiled: list[Any] = []
        if op == "regex":
            for v in values:
                try:
                    compiled.append(compile_rule_regex(str(v)))
                except ValueError as exc:
                    hint = " (lookahead and lookbehind are not supported: use a 'not:' test)" \
                        if "(?" in str(v) and ("?=" in str(v) or "?!" in str(v) or "?<" in str(v)) else ""
                    self.problem((*path, op), f"regular expression {v!r} cannot be used: {exc}{hint}")
                    return None
        elif op == "domain":
            values = [str(v).lower().strip(".") for v in values]
        return FieldTest(op, tuple(values), tuple(compiled))

    def _values_fit(self, values: list[Any], spec: FieldSpec, path: tuple[str | int, ...], op: str) -> bool:
        """Each value has the field's type in the artifact schema (a "5900" never equals port 5900)."""
        if spec.type not in _TYPE_WORDS:
            self.problem(path, f"this field holds {spec.type}; only 'exists' can test it")
            return False
        if op != "equals" and spec.type not in TEXT_FIELD_TYPES:
            self.problem(path, f"{op} works on text fields; this field is {_TYPE_WORDS[spec.type]}: "
                               "give the value itself")
            return False
        wanted = spec.type if op == "equals" else "str"
        for v in values:
            fits = isinstance(v, bool) if wanted == "bool" else (
                isinstance(v, int) and not isinstance(v, bool) if wanted == "int" else isinstance(v, str))
            if not fits:
                self.problem(path, f"{v!r} is {_value_words(v)}, but this field is {_TYPE_WORDS[wanted]}")
                return False
        return True

    def _samples(self, value: Any, path: tuple[str | int, ...]) -> tuple[list[_SampleSpec], list[_SampleSpec]]:
        if value is None:
            return [], []
        if not isinstance(value, dict):
            self.problem(path, "must be a mapping with 'positive' and 'negative' lists")
            return [], []
        for key in value:
            if key not in ("positive", "negative"):
                self.unknown_key(path, str(key), ("positive", "negative"))
        result: dict[str, list[_SampleSpec]] = {"positive": [], "negative": []}
        for which in ("positive", "negative"):
            items = value.get(which, [])
            if not isinstance(items, list):
                self.problem((*path, which), "must be a list of sample artifacts")
                continue
            for i, item in enumerate(items):
                art = self._sample(item, (*path, which, i))
                if art is not None:
                    result[which].append(art)
        return result["positive"], result["negative"]

    def _sample(self, item: Any, path: tuple[str | int, ...]) -> _SampleSpec | None:
        """A sample's kind and fields, checked against the schema now (errors carry file, line and
        field); the artifact itself is made when first asked for (a scan never needs it)."""
        if not isinstance(item, dict) or "kind" not in item:
            self.problem(path, "a sample is a mapping with 'kind' and its fields")
            return None
        fields = {k: v for k, v in item.items() if k not in ("kind", "location")}
        kind = item["kind"]
        if kind not in KINDS:
            self._bad_choice((*path, "kind"), kind, KINDS)
            return None
        bad = check_fields(kind, fields)
        if bad:
            for msg in bad:
                name = msg.split("'")[1] if "'" in msg else ""
                if name and name not in KINDS[kind].fields:
                    self.unknown_key(path, name, KINDS[kind].fields)
                else:
                    self.problem((*path, name) if name else path, msg)
            return None
        loc = item.get("location") or {}
        if not isinstance(loc, dict):
            self.problem((*path, "location"), "must be a mapping with 'path' and/or 'registry_key'")
            return None
        return kind, fields, loc


_SampleSpec = tuple[str, dict[str, Any], Any]  # kind, fields (checked), location mapping


def _sample_artifact(spec: _SampleSpec) -> Artifact:
    kind, fields, loc = spec
    location = Location(path=str(loc.get("path", "")), registry_key=str(loc.get("registry_key", "")))
    return make(kind, location, **fields)


def _sample_builder(positives: list[_SampleSpec], negatives: list[_SampleSpec]) \
        -> Callable[[], tuple[tuple[Artifact, ...], tuple[Artifact, ...]]]:
    return lambda: (tuple(map(_sample_artifact, positives)), tuple(map(_sample_artifact, negatives)))


# What the artifact schema's field types are called in error messages; text ops need text fields.
TEXT_FIELD_TYPES = ("str", "list", "time")
_TYPE_WORDS = {"str": "text", "list": "a list of text values", "time": "a time (ISO 8601 text)",
               "int": "a number (write it without quotes)", "bool": "true or false (without quotes)"}


def _value_words(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    return "a number" if isinstance(value, int) else "text"


def _clean(value: Any) -> str:
    """Fold YAML block text into single spaces so wrapping is the report's job."""
    if not isinstance(value, str):
        return ""
    if "\n" not in value and "  " not in value and "\t" not in value and "\r" not in value:
        return value.strip()  # already one line (most texts): nothing to fold
    paragraphs = [" ".join(p.split()) for p in value.strip().split("\n\n")]
    return "\n\n".join(p for p in paragraphs if p)


def _path_text(path: tuple[str | int, ...]) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else p)
    return out


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
    checker = _Checker(file, loaded)
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
