"""The schema check of one rule file: every rule's fields, texts, conditions and samples.

Every problem names the file, the line and the field, and suggests the nearest valid name; all
problems are collected (techcheck/ruleset.py parses the YAML and raises them together).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable
from typing import Any

from techcheck.actions import ACTION_IDS
from techcheck.artifacts import Artifact, Location, check_fields, make
from techcheck.errors import RuleProblem
from techcheck.i18n import LANGUAGES
from techcheck.kinds import KINDS, FieldSpec
from techcheck.ruleset import (
    CATEGORIES,
    ID_PATTERN,
    OPS,
    PLATFORMS,
    RULE_KEYS,
    SEVERITIES,
    TEXT_KEYS,
    Condition,
    FieldTest,
    LazyDetails,
    Rule,
    RuleDetails,
    RuleText,
    Samples,
    compile_rule_regex,
)
from techcheck.yamlsource import LoadedYaml


class RuleChecker:
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
        rule_id, severity, category, platforms = self._header(data, path)
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

    def _header(self, data: dict[Any, Any], path: tuple[str | int, ...]) -> tuple[Any, Any, Any, list[str]]:
        """The rule's keys, id, severity, category and platforms checked; their values."""
        for key in data:
            if key not in RULE_KEYS:
                self.unknown_key(path, str(key), RULE_KEYS)
        for key in ("id", "severity", "category", "platforms", "text", "match"):
            if key not in data:
                self.problem(path, f"missing required field {key!r}")
        rule_id = data.get("id")
        if rule_id is not None and (not isinstance(rule_id, str) or not ID_PATTERN.match(rule_id)):
            self.problem((*path, "id"), "id must be lower-case letters, digits, '.', '_' or '-'")
        for key, choices in (("severity", SEVERITIES), ("category", CATEGORIES)):
            if data.get(key) is not None and data[key] not in choices:
                self._bad_choice((*path, key), data[key], choices)
        platforms = self._str_list(data.get("platforms"), (*path, "platforms"))
        for i, p in enumerate(platforms):
            if p not in PLATFORMS:
                self._bad_choice((*path, "platforms", i), p, PLATFORMS)
        return rule_id, data.get("severity"), data.get("category"), platforms

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
            if lang not in LANGUAGES:
                self.unknown_key(path, str(lang), LANGUAGES)
                continue
            text = self._text_block(block, (*path, str(lang)), severity)
            if text is not None:
                texts[lang] = text
        if "en" not in value:
            self.problem(path, "missing required language 'en'")
        return texts

    def _text_block(self, block: Any, lpath: tuple[str | int, ...], severity: Any) -> RuleText | None:
        if not isinstance(block, dict):
            self.problem(lpath, "must be a mapping with title, what, why, actions, normal")
            return None
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
        return RuleText(
            title=str(block.get("title", "")).strip(), what=_clean(block.get("what")),
            why=_clean(block.get("why")), actions=actions, normal=_clean(block.get("normal")),
            action_ids=action_ids,
        )

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
                    self._unknown_action((*path, i), str(action_id))
                    continue
                texts.append(_clean(text))
                ids.append(str(action_id))
            else:
                self.problem((*path, i), "must be a sentence, or one action and its sentence "
                             "(save_report: Save this report.)")
        return tuple(texts), tuple(ids)

    def _unknown_action(self, path: tuple[str | int, ...], action_id: str) -> None:
        hint = difflib.get_close_matches(action_id, list(ACTION_IDS), n=1, cutoff=0.6)
        self.problem(path, f"unknown action {action_id!r} (known: {', '.join(ACTION_IDS)}"
                     + (f"; did you mean {hint[0]!r}?)" if hint else ")"))

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
        return self._op_test(op, arg, path, spec)

    def _op_test(self, op: str, arg: Any, path: tuple[str | int, ...], spec: FieldSpec) -> FieldTest | None:
        """One {op: values} test (op already known to be one of OPS)."""
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
            found = self._regexes(values, (*path, op))
            if found is None:
                return None
            compiled = found
        elif op == "domain":
            values = [str(v).lower().strip(".") for v in values]
        return FieldTest(op, tuple(values), tuple(compiled))

    def _regexes(self, values: list[Any], path: tuple[str | int, ...]) -> list[Any] | None:
        compiled = []
        for v in values:
            try:
                compiled.append(compile_rule_regex(str(v)))
            except ValueError as exc:
                hint = " (lookahead and lookbehind are not supported: use a 'not:' test)" \
                    if "(?" in str(v) and ("?=" in str(v) or "?!" in str(v) or "?<" in str(v)) else ""
                self.problem(path, f"regular expression {v!r} cannot be used: {exc}{hint}")
                return None
        return compiled

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
