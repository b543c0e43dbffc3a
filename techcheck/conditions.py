"""A rule's match conditions: tests on one artifact field (equals, glob, path, regex, contains,
domain, exists, not) and a condition that holds them. Rule regexes run on RE2."""

from __future__ import annotations

import fnmatch
import functools
import re
from dataclasses import dataclass, field
from typing import Any

import re2

from techcheck.artifacts import Artifact
from techcheck.prefilter import literal_for

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
