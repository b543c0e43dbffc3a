"""The lines of a text file, split only where the file's format ends a line.

`str.splitlines()` also splits at U+2028 and U+2029 (line and paragraph separators), U+0085, vertical
tab, form feed and \\x1c-\\x1e. To cron, a shell, sshd or a unit file those are ordinary characters
inside a line: a planted name such as "update\\u2028helper" would be cut in two before it reached
the report, its second half read as a line of its own. The formats techcheck reads line by line end
their lines with \\n or \\r\\n (systemd unit files, and Firefox's preference files, with a lone \\r too);
nothing else ends a line here. `blank_fields` splits a line into fields the same way: at spaces
and tabs only.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

_ANY_EOL = re.compile(r"\r\n|\r|\n")
_BLANKS = re.compile(r"[ \t]+")


def text_lines(text: str, lone_cr: bool = False) -> Iterator[str]:
    """The lines of `text`, one at a time (no list of them all), without their line ends.

    Lines end at \\n and \\r\\n only; with `lone_cr`, at a lone \\r as well. Like str.splitlines(),
    a final line end does not start another (empty) line.
    """
    if lone_cr:
        start = 0
        for match in _ANY_EOL.finditer(text):
            yield text[start:match.start()]
            start = match.end()
        if start < len(text):
            yield text[start:]
        return
    start, size = 0, len(text)
    while start < size:
        end = text.find("\n", start)
        end = size if end < 0 else end
        line = text[start:end]
        yield line[:-1] if line.endswith("\r") else line
        start = end + 1


def blank_fields(line: str, maxsplit: int = 0) -> list[str]:
    """The fields of a line separated by spaces and tabs, as cron, PAM and ld.so.preload separate
    them (str.split() would also split at U+2028, U+0085 and the other Unicode spaces)."""
    line = line.strip(" \t")
    return _BLANKS.split(line, maxsplit) if line else []
