#!/usr/bin/env python3
"""Mark the actions that say to save the report as `save_report` actions, in place.

usage: scripts/convert_save_actions.py [FOLDER_OR_FILE ...]   (default: the rules/ folder, without
       rules/feeds, which scripts/generate_feed_pack.py writes)

Each action sentence that tells the reader to save the report (techcheck/actions.says_to_save, in
that block's language) becomes `- save_report: <the same sentence>` (inside a flow list:
`{save_report: <sentence>}`), so every report adds the exact way to save it. Only those characters
change: comments, quoting, folding and order stay as written. Each changed file is loaded again with
techcheck's rule loader and must give the same rules, with the action ids where expected; a file
that would not is left unchanged and named. A clinic can run it on its own rule folder.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from techcheck.actions import SAVE_REPORT, says_to_save  # noqa: E402
from techcheck.ruleset import LANGUAGES, Rule, RuleText, parse_rule_file  # noqa: E402


def _rule_nodes(root: yaml.Node) -> list[yaml.MappingNode]:
    if isinstance(root, yaml.SequenceNode):
        return [n for n in root.value if isinstance(n, yaml.MappingNode)]
    return [root] if isinstance(root, yaml.MappingNode) else []


def _child(node: yaml.MappingNode, key: str) -> yaml.Node | None:
    return next((v for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == key), None)


def edits_for(text: str) -> list[tuple[int, int, str]]:
    """(start, end, replacement) for each action scalar that says to save the report."""
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    edits: list[tuple[int, int, str]] = []
    for rule in _rule_nodes(root) if root is not None else []:
        texts = _child(rule, "text")
        if not isinstance(texts, yaml.MappingNode):
            continue
        for lang_node, block in texts.value:
            lang = str(lang_node.value)
            actions = _child(block, "actions") if isinstance(block, yaml.MappingNode) else None
            if lang not in LANGUAGES or not isinstance(actions, yaml.SequenceNode):
                continue
            for item in actions.value:
                if isinstance(item, yaml.ScalarNode) and says_to_save(str(item.value), lang):
                    start, end = item.start_mark.index, item.end_mark.index
                    source = text[start:end]
                    if actions.flow_style:
                        edits.append((start, end, f"{{{SAVE_REPORT}: {source}}}"))
                    else:  # the sentence's next lines go two columns right, under the new key's value
                        source = "\n".join([source.split("\n")[0]] + [f"  {line}" if line.strip() else line
                                                                      for line in source.split("\n")[1:]])
                        edits.append((start, end, f"{SAVE_REPORT}: {source}"))
    return edits


def expected_texts(rule: Rule) -> dict[str, RuleText]:
    """A rule's texts as they should load after the conversion: the same, with the save actions marked.
    (A rule's texts are read from its details when first asked for: `Rule.texts`, not a field.)"""
    out = {}
    for lang, t in rule.texts.items():
        ids = tuple(SAVE_REPORT if says_to_save(a, lang) else t.action_id(i) for i, a in enumerate(t.actions))
        out[lang] = replace(t, action_ids=ids)
    return out


def _comparable(rule: Rule, texts: dict[str, RuleText] | None = None) -> tuple[object, ...]:
    """What must stay the same: the rule's id, verdict, platforms, texts (or the texts given), references, tags."""
    shown = rule.texts if texts is None else texts
    return (rule.id, rule.severity, rule.category, rule.platforms, tuple(sorted(shown.items())), rule.references,
            rule.tags)


def convert(path: Path) -> str:
    """Convert one file; returns 'changed', 'unchanged' or why it was left alone."""
    text = path.read_text(encoding="utf-8")
    before, problems = parse_rule_file(str(path), text)
    if problems:
        return f"left alone: it does not load ({problems[0]})"
    edits = edits_for(text)
    if not edits:
        return "unchanged"
    new = text
    for start, end, replacement in sorted(edits, reverse=True):
        new = new[:start] + replacement + new[end:]
    after, problems = parse_rule_file(str(path), new)
    if problems or [_comparable(r) for r in after] != [_comparable(r, expected_texts(r)) for r in before]:
        return "left alone: the converted file would not load as the same rules" + (f" ({problems[0]})" if problems
                                                                                     else "")
    path.write_text(new, encoding="utf-8")
    return "changed"


def main(argv: list[str]) -> int:
    targets = [Path(a) for a in argv[1:]] or [REPO / "rules"]
    files: list[Path] = []
    for target in targets:
        if target.is_file():
            files.append(target)
        else:
            files.extend(p for p in sorted(target.rglob("*.yaml"))
                         if argv[1:] or "feeds" not in p.relative_to(target).parts)
    counts: dict[str, int] = {}
    for file in files:
        outcome = convert(file)
        counts[outcome.split(":")[0]] = counts.get(outcome.split(":")[0], 0) + 1
        if outcome.startswith("left alone"):
            print(f"{file}: {outcome}", file=sys.stderr)
    print(", ".join(f"{n} {what}" for what, n in sorted(counts.items())))
    return 1 if counts.get("left alone") else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
