"""Safe YAML loading that remembers the line of every value and rejects duplicate keys."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

Path = tuple[str | int, ...]
_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"


@dataclass
class LoadedYaml:
    """A parsed document, and its node tree for finding the line of any value when one is needed.

    Lines are looked up in the node tree only on demand (an error to report, a rule's own line),
    so loading thousands of rules costs what constructing them costs, not a second walk.
    """

    data: Any
    root: yaml.Node | None = None
    lines: dict[Path, int] = field(default_factory=dict)  # explicit lines (documents built in code)

    def line(self, path: Path) -> int | None:
        """Line of `path`, or of its nearest parent that has one."""
        if path in self.lines:
            return self.lines[path]
        if self.root is None:
            while path and path not in self.lines:
                path = path[:-1]
            return self.lines.get(path)
        node: yaml.Node = self.root
        line = node.start_mark.line + 1
        for step in path:
            if isinstance(node, yaml.MappingNode):
                pair = next(((k, v) for k, v in node.value if isinstance(k, yaml.ScalarNode)
                             and k.value == str(step)), None)
                if pair is None:
                    return line
                line, node = pair[0].start_mark.line + 1, pair[1]
            elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and 0 <= step < len(node.value):
                node = node.value[step]
                line = node.start_mark.line + 1
            else:
                return line
        return line


class YamlProblem(Exception):
    def __init__(self, line: int | None, message: str) -> None:
        self.line = line
        self.message = message
        super().__init__(message)


# The C (libyaml) loader when present: same safe types and marks, several times faster on big
# indicator files (the pure-Python scanner was the slowest part of loading 20,000 indicators).
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


# Aliases are allowed (shipped rules share parts with anchors) but limited, so a small "billion
# laughs" file cannot expand into billions of values. Counted on the composed node tree before any
# value is built: an alias is a second edge to a node already there, and each node's expanded size
# is computed once (memoized), so the check itself stays linear in the file's size.
MAX_ALIASES = 1000
MAX_ALIAS_EXPANSION = 100_000  # values that aliases add to the document, counted as expanded


def check_aliases(root: yaml.Node, max_aliases: int = MAX_ALIASES, max_expansion: int = MAX_ALIAS_EXPANSION) -> None:
    """Raise YamlProblem (with a line) for unsupported tags, a value that contains itself, or aliases
    that would expand past the limits."""
    sizes: dict[int, int] = {}  # node -> values it stands for, once expanded
    in_progress: set[int] = set()
    edges = 0
    # Iterative post-order walk: a deep document cannot exhaust Python's stack.
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            in_progress.discard(key)
            sizes[key] = 1 + sum(sizes[id(c)] for c in _children(node))
            continue
        if key in sizes:
            continue
        if key in in_progress:
            raise YamlProblem(node.start_mark.line + 1, "a value refers to itself; refused")
        if isinstance(node, yaml.MappingNode | yaml.SequenceNode) and node.tag not in (_MAP_TAG, _SEQ_TAG):
            raise YamlProblem(node.start_mark.line + 1, f"unsupported tag {node.tag!r}")
        in_progress.add(key)
        stack.append((node, True))
        children = _children(node)
        edges += len(children)
        stack.extend((c, False) for c in reversed(children) if id(c) not in sizes)
    # In a tree every node but the root has one edge in; each edge more is an alias.
    aliases = edges - (len(sizes) - 1)
    expansion = sizes[id(root)] - len(sizes)
    if aliases > max_aliases or expansion > max_expansion:
        what = (f"more than {max_aliases} aliases" if aliases > max_aliases
                else f"aliases expand to more than {max_expansion} values")
        raise YamlProblem(_line_past_limit(root, sizes, max_aliases, max_expansion),
                          f"{what}; refused (a file built to exhaust memory?)")


def _line_past_limit(root: yaml.Node, sizes: dict[int, int], max_aliases: int, max_expansion: int) -> int | None:
    """The line, in document order, at which aliases pass the limits: that of the collection holding
    the alias (the composer keeps no position for an alias itself, only for its anchor)."""
    seen: set[int] = set()
    aliases = expansion = 0
    stack: list[tuple[yaml.Node, yaml.Node]] = [(root, root)]
    while stack:
        node, parent = stack.pop()
        if id(node) in seen:
            aliases += 1
            expansion += sizes[id(node)]
            if aliases > max_aliases or expansion > max_expansion:
                return parent.start_mark.line + 1
            continue
        seen.add(id(node))
        stack.extend((child, node) for child in reversed(_children(node)))
    return root.start_mark.line + 1


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


class _CheckedLoader(_SafeLoader):  # type: ignore[misc, valid-type]
    """The safe loader that refuses duplicate keys and keys that are not plain words."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        self.flatten_mapping(node)
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, str | int | bool | float):
                raise YamlProblem(key_node.start_mark.line + 1, "a key must be a plain word")
            if key in out:
                raise YamlProblem(key_node.start_mark.line + 1, f"duplicate key {key!r}")
            out[key] = self.construct_object(value_node, deep=deep)
        return out


# An alias (*name) or a tag (!tag) can only start after a line start, a space or a flow indicator.
# A text with neither token needs no walk of its node tree (most rule files: thousands of rules).
_ALIAS_OR_TAG = re.compile(r"(?:^|[\s\[\]{},])[*!]", re.MULTILINE)


def load_yaml(text: str) -> LoadedYaml:
    """Parse one YAML document with safe types only. Raises YamlProblem with a line number."""
    loader = _CheckedLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return LoadedYaml(None)
        if _ALIAS_OR_TAG.search(text):
            check_aliases(node)
        return LoadedYaml(loader.construct_document(node), node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise YamlProblem(mark.line + 1 if mark else None, str(exc.problem or exc)) from exc
    except yaml.YAMLError as exc:
        raise YamlProblem(None, str(exc)) from exc
    except RecursionError as exc:
        raise YamlProblem(None, "nested too deeply") from exc
    finally:
        loader.dispose()
