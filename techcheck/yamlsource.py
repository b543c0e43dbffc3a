"""Safe YAML loading that remembers the line of every value and rejects duplicate keys."""

from __future__ import annotations

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


_STR_TAG = "tag:yaml.org,2002:str"
_MERGE_TAGS = ("tag:yaml.org,2002:merge", "tag:yaml.org,2002:value")
# First characters of the plain scalars an implicit resolver might turn into something else than
# text (true/false/yes/no/on/off, null and ~, numbers, .inf/.nan, <<, =, and the empty scalar).
_RESOLVER_STARTS = frozenset(k for k in yaml.resolver.Resolver.yaml_implicit_resolvers if k)
_IN_PROGRESS = object()


class _CheckedLoader(_SafeLoader):  # type: ignore[misc, valid-type]
    """The safe loader that refuses duplicate keys and keys that are not plain words.

    Values are built by `build` (one pass over the node tree) rather than by PyYAML's general
    constructor; the result is the same for the safe types. A node met twice is an alias: the first
    one makes the loader check the whole tree for alias bombs and self-reference (check_aliases)
    before anything is expanded.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._tags: dict[str, str] = {}
        self._merges = False  # a merge key (<<) or value key (=) was resolved somewhere in the file

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        """PyYAML's resolver with a shortcut: a plain scalar whose first character no implicit
        resolver looks at is text, and each other plain value is resolved once per file."""
        if kind is yaml.ScalarNode and not self.yaml_path_resolvers:
            if not implicit[0] or (value and value[0] not in _RESOLVER_STARTS):
                return _STR_TAG
            tag = self._tags.get(value)
            if tag is None:
                tag = self._tags[value] = super().resolve(kind, value, implicit)
                self._merges = self._merges or tag in _MERGE_TAGS
            return tag
        return str(super().resolve(kind, value, implicit))

    def build(self, root: yaml.Node, text: str) -> Any:  # noqa: C901 - two hot closures, measured by perf (scripts/)
        memo: dict[int, Any] = {}
        checked = False
        scalar_node, sequence_node = yaml.ScalarNode, yaml.SequenceNode
        construct_scalar = self.construct_object
        # Merge and value keys come from plain scalars (<< and =, seen by the resolver) or from
        # explicit tags (a "!" in the text): only then are a mapping's keys looked at for them.
        merges = self._merges or "!" in text

        def value_of(node: yaml.Node) -> Any:
            nonlocal checked
            key = id(node)
            if key in memo:  # an alias: check the tree once, before anything is expanded
                if not checked:
                    check_aliases(root)
                    checked = True
                return memo[key]
            kind = type(node)
            if kind is scalar_node:
                value = node.value if node.tag == _STR_TAG else construct_scalar(node, deep=True)
                memo[key] = value
                return value
            memo[key] = _IN_PROGRESS
            if kind is sequence_node:
                if node.tag != _SEQ_TAG:
                    raise YamlProblem(node.start_mark.line + 1, f"unsupported tag {node.tag!r}")
                value = [value_of(child) for child in node.value]
            else:
                value = mapping(node)
            memo[key] = value
            return value

        def mapping(node: yaml.Node) -> dict[Any, Any]:
            nonlocal checked
            if node.tag != _MAP_TAG:
                raise YamlProblem(node.start_mark.line + 1, f"unsupported tag {node.tag!r}")
            if merges and any(k.tag in _MERGE_TAGS for k, _ in node.value):
                if not checked:  # merging copies what aliases point at: check the tree as written first
                    check_aliases(root)
                    checked = True
                self.flatten_mapping(node)  # merge keys (<<: *base) as PyYAML does them
            out: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                key = value_of(key_node)
                if not isinstance(key, str | int | bool | float):
                    raise YamlProblem(key_node.start_mark.line + 1, "a key must be a plain word")
                if key in out:
                    raise YamlProblem(key_node.start_mark.line + 1, f"duplicate key {key!r}")
                out[key] = value_of(value_node)
            return out

        try:
            return value_of(root)
        finally:  # the two functions refer to each other: break the cycle so the tree goes at once
            memo.clear()
            value_of = mapping = None  # type: ignore[assignment]


def load_yaml(text: str) -> LoadedYaml:
    """Parse one YAML document with safe types only. Raises YamlProblem with a line number."""
    loader = _CheckedLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return LoadedYaml(None)
        return LoadedYaml(loader.build(node, text), node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise YamlProblem(mark.line + 1 if mark else None, str(exc.problem or exc)) from exc
    except yaml.YAMLError as exc:
        raise YamlProblem(None, str(exc)) from exc
    except RecursionError as exc:
        raise YamlProblem(None, "nested too deeply") from exc
    finally:
        loader.dispose()
