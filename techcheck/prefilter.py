"""Literal prefilter for rule conditions that have no exact value (globs, paths, regexes, contains).

Each such test is filed under the longest literal piece that any text it matches must contain
(for example "/anydesk/anydesk.exe" for the path glob "**/AnyDesk/AnyDesk.exe"). One Aho-Corasick
automaton per (kind, field) finds, in one pass over an artifact's field, every literal it contains,
so the cost per artifact depends on the few conditions whose literals occur, not on the number of
rules. A test without a usable literal (for example the regex "^.{3}$") stays on the plain list,
tried on every artifact of its kind.

The prefilter must never drop a real match: literals are plain ASCII only, texts are searched both
lower-cased and case-folded (RE2's case-insensitive matching folds "ſ" to "s" and the Kelvin sign to
"k"; str.casefold does too), and anything the extractor is unsure of yields no literal.
"""

from __future__ import annotations

import re
from typing import Any

try:  # Python 3.11+: the regex parser lives in re._parser (sre_parse is deprecated)
    from re import _constants as sre_constants  # type: ignore[attr-defined]
    from re import _parser as sre_parse  # type: ignore[attr-defined]
except ImportError:  # Python 3.10
    import sre_constants
    import sre_parse

LITERAL_OPS = ("glob", "path", "regex", "contains")  # the tests a literal can stand for
MIN_LITERAL = 3  # shorter pieces ("exe", ".sh") would make most artifacts candidates anyway
_GLOB_SPECIAL = re.compile(r"[*?\[\]]")


def _best(pieces: list[str]) -> str:
    usable = [p for p in pieces if len(p) >= MIN_LITERAL and p.isascii()]
    return max(usable, key=len).casefold() if usable else ""


def glob_literal(pattern: str) -> str:
    """fnmatch pattern: the longest run without *, ? or [...]."""
    return _best(_GLOB_SPECIAL.split(pattern))


def path_literal(pattern: str) -> str:
    """Path glob (see ruleset._path_regex): '*', '**' and '?' are the only wildcards; \\ equals /."""
    return _best(re.split(r"[*?]", pattern.replace("\\", "/")))


def contains_literal(value: str) -> str:
    return value.casefold() if len(value) >= MIN_LITERAL and value.isascii() else ""


def regex_literal(pattern: str) -> str:
    """The longest run of plain characters in the regex's top-level sequence; "" when unsure.

    Anything but a plain literal (a class, a group, a repeat, an alternation, an anchor) ends a run.
    A top-level alternation means no single piece is required: no literal.
    """
    try:
        parsed: Any = sre_parse.parse(pattern)
    except (sre_constants.error, re.error, RecursionError, OverflowError, ValueError):
        return ""
    pieces: list[str] = []
    current: list[str] = []
    for op, arg in parsed:
        if op is sre_constants.LITERAL and isinstance(arg, int) and arg < 128:
            current.append(chr(arg))
            continue
        if op is sre_constants.BRANCH:
            return ""
        pieces.append("".join(current))
        current = []
    pieces.append("".join(current))
    return _best(pieces)


def literal_for(op: str, value: Any) -> str:
    text = str(value)
    if op == "glob":
        return glob_literal(text)
    if op == "path":
        return path_literal(text)
    if op == "regex":
        return regex_literal(text)
    if op == "contains":
        return contains_literal(text)
    return ""


def search_texts(op: str, value: Any) -> list[str]:
    """The forms of an artifact's value that literals are searched in (see the module's note)."""
    text = str(value)
    if op == "path":
        text = text.replace("\\", "/")
    low, folded = text.lower(), text.casefold()
    return [low] if low == folded else [low, folded]
