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

import functools
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from techcheck.artifacts import Location, make
from techcheck.prefilter import LITERAL_OPS
from techcheck.ruleset import Condition, FieldTest, LazyDetails, Rule, RuleDetails, RuleText, Samples

COMPILED_NAME = "rules.compiled.json"
FORMAT = "techcheck.compiled-rules/3"  # 3: action ids beside the actions

# The file, in three parts, one per line:
#   1. {"format": FORMAT, "sha256": <of everything after this line>}: a file changed in any way
#      after it was written (damaged, cut short, edited) is not used at all;
#   2. {"files": [{"file", "sha256" (of the YAML file), "rules": [...]}]}: what matching needs of each
#      rule (id, severity, category, platforms, conditions with the prefilter literal of each
#      pattern, tags, line) and where its details are;
#   3. one line per rule with its details (texts, references, samples), read only for a rule that
#      is reported, linted or tested: a scan of 50,000 rules decodes the few that matched.


# --- writing -------------------------------------------------------------------------------------

def _test_data(test: FieldTest) -> dict[str, Any]:
    out: dict[str, Any] = {"op": test.op, "values": list(test.values)}
    if test.op in LITERAL_OPS:
        out["literals"] = list(test.literals())
    if test.inner:
        out["inner"] = [_test_data(t) for t in test.inner]
    return out


def _sample_data(art: Any) -> dict[str, Any]:
    fields = {k: v for k, v in art.fields.items() if k not in _derived(art.kind)}
    loc = {k: v for k, v in (("path", art.location.path), ("registry_key", art.location.registry_key)) if v}
    return {"kind": art.kind, "fields": fields, "location": loc}


def _derived(kind: str) -> set[str]:
    from techcheck.kinds import KINDS

    return {n for n, f in KINDS[kind].fields.items() if f.derived}


def rule_data(rule: Rule) -> dict[str, Any]:
    """What matching needs of a rule (part 2 of the file)."""
    return {
        "id": rule.id, "severity": rule.severity, "category": rule.category, "platforms": list(rule.platforms),
        "conditions": [{"kind": c.kind, "tests": [[n, _test_data(t)] for n, t in c.tests],
                        "exclude": [[n, _test_data(t)] for n, t in c.exclude]} for c in rule.conditions],
        "tags": list(rule.tags), "line": rule.line,
    }


def details_data(rule: Rule) -> dict[str, Any]:
    """A rule's texts, references and samples (part 3 of the file)."""
    return {
        "texts": {lang: {"title": tx.title, "what": tx.what, "why": tx.why, "actions": list(tx.actions),
                         "action_ids": list(tx.action_ids), "normal": tx.normal}
                  for lang, tx in rule.texts.items()},
        "references": list(rule.references),
        "positive": [_sample_data(a) for a in rule.positive_samples],
        "negative": [_sample_data(a) for a in rule.negative_samples],
    }


def _json(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=True, separators=(",", ":")).encode("ascii")


def compile_folder(folder: Path, out: Path | None = None) -> int:
    """Check every YAML rule file below `folder` and write their compiled form (folder/COMPILED_NAME,
    or `out`). Raises RuleError, writing nothing, when any file has a problem. Returns the rule count."""
    from techcheck.ruleset import load_rules

    folder = folder.resolve()
    ruleset = load_rules([folder])
    details: list[bytes] = []
    offset = 0
    by_file: dict[str, list[dict[str, Any]]] = {}
    for rule in ruleset.rules:
        line = _json(details_data(rule)) + b"\n"
        entry = rule_data(rule)
        entry["details"] = [offset, len(line) - 1]
        details.append(line)
        offset += len(line)
        by_file.setdefault(rule.source_file, []).append(entry)
    files = []
    for source in ruleset.sources:
        path = Path(source)
        files.append({"file": path.relative_to(folder).as_posix(), "sha256": ruleset.source_sha256[source],
                      "rules": by_file.get(source, [])})
    body = _json({"files": files}) + b"\n" + b"".join(details)
    head = _json({"format": FORMAT, "sha256": hashlib.sha256(body).hexdigest()}) + b"\n"
    target = out or folder / COMPILED_NAME
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_bytes(head + body)
    os.replace(tmp, target)
    return len(ruleset.rules)


# --- reading -------------------------------------------------------------------------------------

class CompiledRules:
    """The compiled entries of one folder, by file path relative to it, and the file's bytes (where
    the details of each rule are read from when first asked for)."""

    def __init__(self, folder: Path, entries: dict[str, dict[str, Any]], blob: bytes = b"", base: int = 0) -> None:
        self.folder = folder
        self.entries = entries
        self.blob = blob
        self.base = base  # where part 3 starts in blob

    @classmethod
    def read(cls, folder: Path, compiled: Path | None = None) -> CompiledRules | None:
        path = compiled or folder / COMPILED_NAME
        try:
            blob = path.read_bytes()
            first = blob.index(b"\n")
            second = blob.index(b"\n", first + 1)
            head = json.loads(blob[:first])
            if not isinstance(head, dict) or head.get("format") != FORMAT \
                    or hashlib.sha256(memoryview(blob)[first + 1:]).hexdigest() != head.get("sha256"):
                return None  # another program version's form, or changed since it was written
            data = json.loads(blob[first + 1:second])
        except (OSError, UnicodeDecodeError, ValueError, RecursionError):
            return None  # no compiled form (or a damaged one): the YAML is read instead
        if not isinstance(data, dict) or not isinstance(data.get("files"), list):
            return None
        entries = {str(f.get("file")): f for f in data["files"] if isinstance(f, dict)}
        return cls(folder, entries, blob, second + 1)

    def rules_for(self, path: Path, sha256: str, source: str) -> list[Rule] | None:
        """The compiled rules of this YAML file when its bytes (their SHA-256) are the ones compiled;
        else None. `source` is the file's name as the loader was given it."""
        try:
            entry = self.entries.get(path.relative_to(self.folder).as_posix())
        except ValueError:
            return None
        if not entry or entry.get("sha256") != sha256:
            return None
        try:
            return [self._rule(r, source) for r in entry.get("rules", [])]
        except (KeyError, TypeError, ValueError, AttributeError):
            return None  # not what this program writes: read the YAML instead

    def _rule(self, data: dict[str, Any], source: str) -> Rule:
        start, length = data["details"]
        start = self.base + int(start)
        end = start + int(length)
        if not self.base <= start <= end <= len(self.blob):
            raise ValueError("details outside the file")
        return Rule(
            id=str(data["id"]), severity=str(data["severity"]), category=str(data["category"]),
            platforms=tuple(data["platforms"]),
            conditions=tuple(Condition(str(c["kind"]), tuple((str(n), _test(t)) for n, t in c["tests"]),
                                       tuple((str(n), _test(t)) for n, t in c["exclude"]))
                             for c in data["conditions"]),
            tags=tuple(data["tags"]), source_file=source, line=data.get("line"),
            details=LazyDetails(build=functools.partial(_details, self.blob, start, end)),
        )


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
    values = tuple(data["values"])
    literals = data.get("literals")
    if literals is not None and (len(literals) != len(values) or not all(isinstance(x, str) for x in literals)):
        raise ValueError("literals do not fit the values")
    inner = tuple(_test(t) for t in data["inner"]) if "inner" in data else ()
    return FieldTest(str(data["op"]), values, (), inner, tuple(literals) if literals is not None else None)


def _artifact(data: dict[str, Any]) -> Any:
    loc = data.get("location") or {}
    where = Location(path=str(loc.get("path", "")), registry_key=str(loc.get("registry_key", "")))
    return make(str(data["kind"]), where, **data["fields"])


def _details(blob: bytes, start: int, end: int) -> RuleDetails:
    """One rule's details from part 3 (checked with the whole file when it was read)."""
    data = json.loads(blob[start:end])
    positive, negative = data["positive"], data["negative"]
    return RuleDetails(
        texts={lang: RuleText(tx["title"], tx["what"], tx["why"], tuple(tx["actions"]), tx["normal"],
                              tuple(str(a) for a in tx["action_ids"]))
               for lang, tx in data["texts"].items()},
        references=tuple(data["references"]),
        samples=Samples(build=lambda: (tuple(map(_artifact, positive)), tuple(map(_artifact, negative)))),
    )
