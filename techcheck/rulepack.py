"""Rule folders stored compiled: the checked rules of each YAML file as JSON, beside the YAML.

The shipped rules are compiled when the wheel is built (hatch_build.py), and rule packs when
`rules import --install` installs them. At load, each YAML file's bytes are hashed: when the
compiled entry names the same SHA-256, its rules are built straight from the JSON (no YAML
parsing, no re-checking); otherwise — a changed, added or hand-edited file — the YAML is read and
checked as usual. So the compiled form can never stand for rules other than its YAML's, and a
file nobody compiled still loads. JSON holds only data: reading it runs no code.

Nothing is cached at scan time: a scan never writes a compiled form (it would be a trace on the
scanned computer, and a place for someone with access to it to hide a rule).
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from techcheck.artifacts import Location, make
from techcheck.ruleset import Condition, FieldTest, Rule, RuleText, Samples, compile_rule_regex

COMPILED_NAME = "rules.compiled.json"
FORMAT = "techcheck.compiled-rules/1"


# --- writing -------------------------------------------------------------------------------------

def _test_data(test: FieldTest) -> dict[str, Any]:
    out: dict[str, Any] = {"op": test.op, "values": list(test.values)}
    if test.inner:
        out["inner"] = [_test_data(t) for t in test.inner]
    return out


def _sample_data(art: Any) -> dict[str, Any]:
    fields = {k: v for k, v in art.fields.items() if k not in _derived(art.kind)}
    loc = {k: v for k, v in (("path", art.location.path), ("registry_key", art.location.registry_key)) if v}
    return {"kind": art.kind, "fields": fields, "location": loc}


def _derived(kind: str) -> set[str]:
    from techcheck.artifacts import KINDS

    return {n for n, f in KINDS[kind].fields.items() if f.derived}


def rule_data(rule: Rule, folder: Path) -> dict[str, Any]:
    return {
        "id": rule.id, "severity": rule.severity, "category": rule.category, "platforms": list(rule.platforms),
        "texts": {lang: {"title": t.title, "what": t.what, "why": t.why, "actions": list(t.actions),
                         "normal": t.normal} for lang, t in rule.texts.items()},
        "conditions": [{"kind": c.kind, "tests": [[n, _test_data(t)] for n, t in c.tests],
                        "exclude": [[n, _test_data(t)] for n, t in c.exclude]} for c in rule.conditions],
        "positive": [_sample_data(a) for a in rule.positive_samples],
        "negative": [_sample_data(a) for a in rule.negative_samples],
        "references": list(rule.references), "tags": list(rule.tags), "line": rule.line,
    }


def compile_folder(folder: Path, out: Path | None = None) -> int:
    """Check every YAML rule file below `folder` and write their compiled form (folder/COMPILED_NAME,
    or `out`). Raises RuleError, writing nothing, when any file has a problem. Returns the rule count."""
    from techcheck.ruleset import load_rules

    folder = folder.resolve()
    ruleset = load_rules([folder])
    by_file: dict[str, list[dict[str, Any]]] = {}
    for rule in ruleset.rules:
        by_file.setdefault(rule.source_file, []).append(rule_data(rule, folder))
    files = []
    for source in ruleset.sources:
        path = Path(source)
        files.append({"file": path.relative_to(folder).as_posix(),
                      "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
                      "rules": by_file.get(source, [])})
    target = out or folder / COMPILED_NAME
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_text(json.dumps({"format": FORMAT, "files": files}, ensure_ascii=True, separators=(",", ":")),
                   encoding="utf-8")
    os.replace(tmp, target)
    return len(ruleset.rules)


# --- reading -------------------------------------------------------------------------------------

class CompiledRules:
    """The compiled entries of one folder, by file path relative to it."""

    def __init__(self, folder: Path, entries: dict[str, dict[str, Any]]) -> None:
        self.folder = folder
        self.entries = entries

    @classmethod
    def read(cls, folder: Path, compiled: Path | None = None) -> CompiledRules | None:
        path = compiled or folder / COMPILED_NAME
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError, RecursionError):
            return None  # no compiled form (or a damaged one): the YAML is read instead
        if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("files"), list):
            return None
        entries = {str(f.get("file")): f for f in data["files"] if isinstance(f, dict)}
        return cls(folder, entries)

    def rules_for(self, path: Path, data: bytes) -> list[Rule] | None:
        """The compiled rules of this YAML file when its bytes are the ones compiled; else None."""
        try:
            entry = self.entries.get(path.relative_to(self.folder).as_posix())
        except ValueError:
            return None
        if not entry or entry.get("sha256") != hashlib.sha256(data).hexdigest():
            return None
        try:
            return [_rule(r, str(path)) for r in entry.get("rules", [])]
        except (KeyError, TypeError, ValueError, AttributeError):
            return None  # not what this program writes: read the YAML instead


class CompiledForms:
    """Finds the compiled form that covers a rule file: in its folder or a folder above it (the
    shipped rules have one for all of rules/, an installed pack one in its own folder)."""

    LEVELS = 4

    def __init__(self) -> None:
        self._by_folder: dict[Path, CompiledRules | None] = {}

    def nearest(self, file: Path) -> CompiledRules | None:
        for folder in list(file.parents)[: self.LEVELS]:
            if folder not in self._by_folder:
                self._by_folder[folder] = CompiledRules.read(folder) if (folder / COMPILED_NAME).is_file() else None
            if self._by_folder[folder] is not None:
                return self._by_folder[folder]
        return None


def _test(data: dict[str, Any]) -> FieldTest:
    op, values = str(data["op"]), tuple(data["values"])
    compiled: tuple[Any, ...] = ()
    if op == "regex":
        compiled = tuple(compile_rule_regex(str(v)) for v in values)
    return FieldTest(op, values, compiled, tuple(_test(t) for t in data.get("inner", [])))


def _artifact(data: dict[str, Any]) -> Any:
    loc = data.get("location") or {}
    where = Location(path=str(loc.get("path", "")), registry_key=str(loc.get("registry_key", "")))
    return make(str(data["kind"]), where, **data["fields"])


def _rule(data: dict[str, Any], source: str) -> Rule:
    return Rule(
        id=str(data["id"]), severity=str(data["severity"]), category=str(data["category"]),
        platforms=tuple(data["platforms"]),
        texts={lang: RuleText(tx["title"], tx["what"], tx["why"], tuple(tx["actions"]), tx["normal"])
               for lang, tx in data["texts"].items()},
        conditions=tuple(Condition(str(c["kind"]), tuple((str(n), _test(t)) for n, t in c["tests"]),
                                   tuple((str(n), _test(t)) for n, t in c["exclude"])) for c in data["conditions"]),
        samples=Samples(build=lambda: (tuple(_artifact(a) for a in data["positive"]),
                                       tuple(_artifact(a) for a in data["negative"]))),
        references=tuple(data["references"]), tags=tuple(data["tags"]), source_file=source, line=data.get("line"),
    )
