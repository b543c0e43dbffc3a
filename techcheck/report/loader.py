"""Read a saved JSON report, with real validation: the one way verify, diff and the app load a report.

A report file may come from anywhere (a client's USB stick, an email): it can be huge, nested to
break the parser, have the right schema name but the wrong shape, or be an older version.
`load_report` bounds the size before reading, refuses deep nesting, checks every section against
the types in report/schema.py, and brings older reports to the current shape. Anything wrong is a
`ReportError` with a one-line reason naming the place (`findings[2].evidence: not a list`).
"""

from __future__ import annotations

import copy
import json
import os
import stat
import types
import typing
from dataclasses import dataclass
from typing import Any, Literal, cast, get_args, get_origin

from techcheck.actions import SAVE_REPORT, says_to_save
from techcheck.errors import TechcheckError
from techcheck.i18n import Message, as_message
from techcheck.report.format import revive_words
from techcheck.report.schema import EvidenceRecord, Report

MAX_REPORT_BYTES = 64 * 1024 * 1024  # a report with 20,000 apps is a few MB
MAX_NESTING = 64  # a real report nests 7 levels deep
SCHEMA_PREFIX = "techcheck.report/"
# 1: the first reports (no evidence record, inventory or digest) and those before the timeline;
# 2: with the timeline. A version-1 report loads without a timeline (its renderers leave it out).
READABLE_VERSIONS = ("1", "2")


class ReportError(TechcheckError):
    """A file is not a readable techcheck report. `msg` says why in one line, as a message
    (`report_error.*`, shown in any language); str() is its English text."""

    def __init__(self, message: Message | str) -> None:
        self.msg = as_message(message)
        super().__init__(str(self.msg))


@dataclass(frozen=True)
class LoadedReport:
    """A checked report: `report` in the current shape, `raw` exactly as saved (the digest covers it)."""

    data: bytes
    raw: dict[str, Any]
    report: Report


def read_limited(source: str | os.PathLike[str], limit: int = MAX_REPORT_BYTES) -> bytes:
    """A report file's bytes; refuses folders, pipes and devices (reading one could hang) and big files."""
    try:
        fd = os.open(source, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise ReportError(exc.strerror or str(exc)) from exc
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise ReportError(Message.of("report_error.not_a_file"))
        if st.st_size > limit:
            raise ReportError(Message.of("report_error.too_large_size", size=st.st_size, limit=limit))
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise ReportError(Message.of("report_error.too_large", limit=limit))
    return data


def load_report(source: str | os.PathLike[str] | bytes, limit: int = MAX_REPORT_BYTES) -> LoadedReport:
    """Read and check a saved JSON report (a path, or its bytes). Raises ReportError saying why not."""
    data = source if isinstance(source, bytes) else read_limited(source, limit)
    if len(data) > limit:
        raise ReportError(Message.of("report_error.too_large", limit=limit))
    raw = parse_json(data)
    schema = raw.get("schema")
    if not isinstance(schema, str) or not schema.startswith(SCHEMA_PREFIX):
        raise ReportError(Message.of("report_error.no_schema"))
    if schema[len(SCHEMA_PREFIX):] not in READABLE_VERSIONS:
        raise ReportError(Message.of("report_error.unknown_schema", schema=repr(schema)))
    report = upgrade(raw)
    check_type(report, Report, "report")
    return LoadedReport(data, raw, revive_words(cast(Report, report)))


def parse_json(data: bytes) -> dict[str, Any]:
    try:
        value = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ReportError(Message.of("report_error.not_json", detail=str(exc))) from exc
    except RecursionError as exc:
        raise ReportError(Message.of("report_error.too_deep", limit=MAX_NESTING)) from exc
    if nesting(value) > MAX_NESTING:
        raise ReportError(Message.of("report_error.too_deep", limit=MAX_NESTING))
    if not isinstance(value, dict):
        raise ReportError(Message.of("report_error.no_schema"))
    return value


def nesting(value: Any) -> int:
    """How deeply lists and objects nest, without recursion (stops counting past MAX_NESTING)."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if not isinstance(item, (dict, list)):
            continue
        deepest = max(deepest, depth)
        if deepest > MAX_NESTING:
            break
        stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


def upgrade(raw: dict[str, Any]) -> dict[str, Any]:
    """The report in the current shape: the first reports had no evidence record, inventory or warnings."""
    report = copy.copy(raw)
    found = raw.get("target")
    target: dict[str, Any] = found if isinstance(found, dict) else {}
    if "evidence_record" not in report:
        record: EvidenceRecord = {
            "created": str(raw.get("finished", "")), "tool_version": "",
            "rules": {"loaded": 0, "files": 0, "sha256": ""},
            "system": {"os": str(target.get("os", "")), "release": ""}, "hostname": str(target.get("hostname", "")),
            "run_by": "", "mode": str(target.get("mode", "")), "root": target.get("root"), "flagged_files": [],
        }
        report["evidence_record"] = record
    report.setdefault("inventory", {"kinds": {}, "items": []})
    report.setdefault("warnings", [])
    findings = raw.get("findings")
    if isinstance(findings, list) and any(isinstance(f, dict) and "action_ids" not in f for f in findings):
        lang = str(raw.get("language", "en"))
        report["findings"] = [_with_action_ids(f, lang) for f in findings]
    return report


def _with_action_ids(finding: Any, lang: str) -> Any:
    """Reports from before action ids: a sentence that says to save the report gets `save_report`,
    so it is shown with how to save, as in a report made now (see techcheck/actions.py)."""
    if not isinstance(finding, dict) or "action_ids" in finding:
        return finding
    actions = finding.get("actions")
    if not isinstance(actions, list) or not all(isinstance(a, str) for a in actions):
        return finding  # not a list of sentences: check_type says what is wrong
    return {**finding, "action_ids": [SAVE_REPORT if says_to_save(a, lang) else "" for a in actions]}


# --- checking a value against the TypedDicts of report/schema.py -------------------------------

def check_type(value: Any, expected: Any, where: str) -> None:
    """Raise ReportError when `value` (parsed JSON) does not have the type `expected`."""
    origin = get_origin(expected)
    if expected is Any:
        return
    if origin is not None:
        _check_generic(value, expected, origin, where)
    elif typing.is_typeddict(expected):
        _check_typeddict(value, expected, where)
    elif expected is int:
        if not isinstance(value, int) or isinstance(value, bool):
            raise ReportError(Message.of("report_error.not_type", where=where, type=_type_name(int)))
    elif expected is type(None):
        if value is not None:
            raise ReportError(Message.of("report_error.not_type", where=where, type=_type_name(type(None))))
    elif not isinstance(value, expected):
        raise ReportError(Message.of("report_error.not_type", where=where, type=_type_name(expected)))


def _check_generic(value: Any, expected: Any, origin: Any, where: str) -> None:
    """Literal[...], unions, list[...] and dict[...]."""
    args = get_args(expected)
    if origin is Literal:
        if value not in args:
            raise ReportError(Message.of("report_error.not_one_of", where=where, value=_shown(value),
                                         values=", ".join(map(str, args))))
    elif origin in (typing.Union, types.UnionType):
        if not any(_fits(value, option, where) for option in args):
            raise ReportError(Message.of("report_error.not_type", where=where, type=_type_name(expected)))
    elif origin is list:
        if not isinstance(value, list):
            raise ReportError(Message.of("report_error.not_type", where=where, type=Message.of("report_type.list")))
        for i, item in enumerate(value):
            check_type(item, args[0], f"{where}[{i}]")
    else:  # dict[str, ...]: the only other generic the schema uses
        if not isinstance(value, dict):
            raise ReportError(Message.of("report_error.not_type", where=where, type=Message.of("report_type.object")))
        for key, item in value.items():
            check_type(item, args[1], f"{where}.{key}")


def _check_typeddict(value: Any, expected: Any, where: str) -> None:
    if not isinstance(value, dict):
        raise ReportError(Message.of("report_error.not_type", where=where, type=Message.of("report_type.object")))
    hints = typing.get_type_hints(expected)
    for key in sorted(expected.__required_keys__):
        if key not in value:
            raise ReportError(Message.of("report_error.missing", where=where, key=key))
    for key, hint in hints.items():
        if key in value:
            check_type(value[key], hint, f"{where}.{key}")


def _fits(value: Any, expected: Any, where: str) -> bool:
    try:
        check_type(value, expected, where)
    except ReportError:
        return False
    return True


_TYPE_NAMES = {str: "report_type.text", int: "report_type.whole_number", bool: "report_type.true_or_false",
               type(None): "report_type.null"}


def _type_name(expected: Any) -> Message:
    """What a value should have been, in words ("text or null"); a schema's own type by its name."""
    if get_origin(expected) in (typing.Union, types.UnionType):
        first, *rest = get_args(expected)
        name = _type_name(first)
        for option in rest:
            name = Message.of("report_type.or", first=name, second=_type_name(option))
        return name
    if expected in _TYPE_NAMES:
        return Message.of(_TYPE_NAMES[expected])
    return as_message(getattr(expected, "__name__", str(expected)))


def _shown(value: Any) -> str:
    return repr(value)[:60]

