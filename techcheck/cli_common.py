"""What the techcheck command's parts share: exit statuses, loading the rules, colours."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

import click

from techcheck.errors import RuleError
from techcheck.ruleset import RuleSet, load_rules, shipped_rules_dir
from techcheck.texts import t

EXIT_OK = 0
EXIT_SCAN_FAILED = 1
EXIT_USAGE = 2
EXIT_FINDINGS = 3
EXIT_ALTERED = 4
EXIT_UNREADABLE = 5
EXIT_LEFT = 6


def load_all_rules(extra: Sequence[str], include_shipped: bool = True) -> RuleSet:
    """The shipped rules, the user's own rule folder (installed packs) and extra folders."""
    from techcheck.packs import rule_paths

    if not include_shipped:
        return load_rules(list(extra))
    return load_rules(rule_paths(shipped_rules_dir(), extra))


def rule_error_exit(exc: RuleError, lang: str) -> NoReturn:
    """The problems of bad rule files, then exit 2. The heading is in `lang`; each problem (file, line,
    field, suggestion) stays in English: it is for the rule's author, like the rule format itself."""
    click.echo(f"techcheck: {t('rules_problems', lang, n=len(exc.problems))}", err=True)
    for p in exc.problems:
        click.echo(f"  {p}", err=True)
    sys.exit(EXIT_USAGE)


def rules_or_exit(load: Callable[[], RuleSet], lang: str) -> RuleSet:
    """The rules `load` reads; on bad rule files, their problems and exit 2."""
    try:
        return load()
    except RuleError as exc:
        rule_error_exit(exc, lang)


def colour_allowed(stream: Any) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org)."""
    return bool(stream.isatty()) and not os.environ.get("NO_COLOR")


def style_for(enabled: bool) -> Any:
    colours = {"alert": "red", "review": "yellow", "info": "cyan", "failed": "red", "skipped": "yellow",
               "partial": "yellow"}

    def style(text: str, kind: str) -> str:
        if not enabled:
            return text
        if kind in ("title", "heading"):
            return click.style(text, bold=True)
        return click.style(text, fg=colours[kind]) if kind in colours else text

    return style


def rule_titles(lang: str) -> dict[str, str]:
    """The shipped rules' titles in this language, by rule id (empty when the rules cannot be read)."""
    try:
        return {r.id: r.text(lang).title for r in load_all_rules([]).rules}
    except RuleError:
        return {}


def read_key(path: str, lang: str) -> bytes:
    try:
        with open(path, "rb") as fh:
            key = fh.read()
    except OSError as exc:
        click.echo(t("key_unreadable", lang, path=path, reason=exc.strerror or exc), err=True)
        sys.exit(EXIT_USAGE)
    if not key.strip():
        click.echo(t("key_unreadable", lang, path=path, reason="empty"), err=True)
        sys.exit(EXIT_USAGE)
    return key
