"""A pytest plugin that saves the report of every scan the tests make (used by scripts/compare_reports.py).

Loaded only on request: scripts/compare_reports.py puts it on the path as `techcheck_capture` and sets
TECHCHECK_CAPTURE=<folder>. Each time a ScanResult is made (by run_scan, the CLI or a test), it is
turned into the JSON report in English and Spanish, the text report in English and the HTML report
in Spanish, and saved under the test's name. Every rule match on collected artifacts is saved too.
The compare script strips times and temporary folders and compares two such folders.
"""

from __future__ import annotations

import os
import re
import traceback
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

_counts: Counter[str] = Counter()


def _test_name() -> str:
    current = os.environ.get("PYTEST_CURRENT_TEST", "outside-a-test").rsplit(" ", 1)[0]
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", current)[:180]


def _renderings(result: Any) -> dict[str, str]:
    from techcheck.report.html import render_html
    from techcheck.report.json_report import render_json
    from techcheck.report.model import build_report
    from techcheck.report.text import render_text

    try:
        from techcheck.i18n import LANGUAGES
    except ImportError:  # a base revision from before the catalogs
        LANGUAGES = ("en", "es")  # noqa: N806

    out: dict[str, str] = {}
    for lang in LANGUAGES:
        model = build_report(result, lang)
        out[f"json-{lang}"] = render_json(model)
        out[f"text-{lang}"] = render_text(model)
        if lang != "en":
            out[f"html-{lang}"] = render_html(model)
    return out


def _save(folder: Path, result: Any) -> None:
    if getattr(result.target, "mode", "") == "live":
        return  # a live scan sees this machine as it is now: not comparable between two runs
    name = _test_name()
    _counts[name] += 1
    stem = folder / f"{name}__{_counts[name]}"
    try:
        renderings = _renderings(result)
    except Exception:  # noqa: BLE001 - a report that cannot be built is itself a result to compare
        renderings = {"error": traceback.format_exc(limit=0)}
    for kind, text in renderings.items():
        stem.with_name(f"{stem.name}.{kind}").write_text(text, encoding="utf-8", errors="surrogateescape")


def pytest_configure(config: pytest.Config) -> None:
    folder = os.environ.get("TECHCHECK_CAPTURE")
    if not folder:
        return
    from techcheck import scan

    target_folder = Path(folder)
    target_folder.mkdir(parents=True, exist_ok=True)
    original_init = scan.ScanResult.__init__

    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        _save(target_folder, self)

    scan.ScanResult.__init__ = init  # type: ignore[method-assign]
    _capture_matches(target_folder)


def _capture_matches(folder: Path) -> None:
    """Every rule match the tests make (known-good trees, collector tests): artifacts in, findings out."""
    import json

    from techcheck import engine

    original_match = engine.Matcher.match

    def match(self: Any, artifacts: Any) -> Any:
        artifacts = list(artifacts)
        findings = original_match(self, artifacts)
        if any(a.location.path or a.location.registry_key for a in artifacts):  # not rule samples alone
            record = {"artifacts": [a.to_dict() for a in artifacts],
                      "findings": [[f.rule.id, [a.to_dict() for a in f.artifacts]] for f in findings]}
            with (folder / f"{_test_name()}.matches").open("a", encoding="utf-8") as fh:
                fh.write(json.dumps(record, ensure_ascii=True, sort_keys=True, default=str) + "\n")
        return findings

    engine.Matcher.match = match  # type: ignore[method-assign]
