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
    data: Any
    lines: dict[Path, int] = field(default_factory=dict)

    def line(self, path: Path) -> int | None:
        """Line of `path`, or of its nearest parent that has one."""
        while True:
            if path in self.lines:
                return self.lines[path]
            if not path:
                return None
            path = path[:-1]


class YamlProblem(Exception):
    def __init__(self, line: int | None, message: str) -> None:
        self.line = line
        self.message = message
        super().__init__(message)


# The C (libyaml) loader when present: same safe types and marks, several times faster on big
# indicator files (the pure-Python scanner was the slowest part of loading 20,000 indicators).
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


# Aliases are allowed (shipped rules share parts with anchors) but limited, so a small "billion
# laughs" file cannot expand into billions of values. Counted from the parser's events before any
# document is built, so the C loader is covered too.
MAX_ALIASES = 1000
MAX_ALIAS_EXPANSION = 100_000  # values that aliases add to the document, counted as expanded


def check_aliases(text: str, max_aliases: int = MAX_ALIASES, max_expansion: int = MAX_ALIAS_EXPANSION) -> None:
    """Raise YamlProblem (with the line of the alias) when aliases would expand past the limits."""
    sizes: dict[str, int] = {}  # anchor -> values it stands for, once expanded
    open_nodes: list[tuple[str | None, int]] = []  # (anchor, values counted when it started)
    total = aliases = from_aliases = 0
    for event in yaml.parse(text, Loader=_SafeLoader):
        if isinstance(event, yaml.AliasEvent):
            aliases += 1
            size = sizes.get(event.anchor or "", 1)
            total += size
            from_aliases += size
            if aliases > max_aliases or from_aliases > max_expansion:
                what = (f"more than {max_aliases} aliases" if aliases > max_aliases
                        else f"aliases expand to more than {max_expansion} values")
                raise YamlProblem(event.start_mark.line + 1 if event.start_mark else None,
                                  f"{what}; refused (a file built to exhaust memory?)")
        elif isinstance(event, yaml.ScalarEvent):
            total += 1
            if event.anchor:
                sizes[event.anchor] = 1
        elif isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent):
            total += 1
            open_nodes.append((event.anchor, total))
        elif isinstance(event, yaml.SequenceEndEvent | yaml.MappingEndEvent) and open_nodes:
            anchor, started = open_nodes.pop()
            if anchor:
                sizes[anchor] = total - started + 1


def load_yaml(text: str) -> LoadedYaml:
    """Parse one YAML document with safe types only. Raises YamlProblem with a line number."""
    try:
        check_aliases(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise YamlProblem(mark.line + 1 if mark else None, str(exc.problem or exc)) from exc
    except yaml.YAMLError as exc:
        raise YamlProblem(None, str(exc)) from exc
    loader = _SafeLoader(text)
    try:
        node = loader.get_single_node()
        result = LoadedYaml(None)
        if node is not None:
            result.data = _convert(loader, node, (), result.lines)
        return result
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise YamlProblem(mark.line + 1 if mark else None, str(exc.problem or exc)) from exc
    except yaml.YAMLError as exc:
        raise YamlProblem(None, str(exc)) from exc
    finally:
        loader.dispose()


def _convert(loader: yaml.SafeLoader, node: yaml.Node, path: Path, lines: dict[Path, int]) -> Any:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode | yaml.SequenceNode) and node.tag not in (_MAP_TAG, _SEQ_TAG):
        raise YamlProblem(node.start_mark.line + 1, f"unsupported tag {node.tag!r}")
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, str | int | bool | float):
                raise YamlProblem(key_node.start_mark.line + 1, "a key must be a plain word")
            if key in out:
                raise YamlProblem(key_node.start_mark.line + 1, f"duplicate key {key!r}")
            out[key] = _convert(loader, value_node, (*path, str(key)), lines)
            lines[(*path, str(key))] = key_node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_convert(loader, item, (*path, i), lines) for i, item in enumerate(node.value)]
    return loader.construct_object(node, deep=True)
