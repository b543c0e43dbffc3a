"""`techcheck verify` and `techcheck diff`: reading saved reports (and the app's evidence bundles) back."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

import click

from techcheck.cli_common import EXIT_ALTERED, EXIT_UNREADABLE, EXIT_USAGE, read_key, rule_titles
from techcheck.cli_output import checked_output, output_format, refuse_overwrite, save_report
from techcheck.i18n import Message
from techcheck.texts import LANGUAGES, detect_language, t

if TYPE_CHECKING:
    from techcheck.report.loader import LoadedReport


def read_report_file(path: str, lang: str) -> LoadedReport:
    """A saved JSON report (or an HTML report's embedded record), checked; exits with EXIT_UNREADABLE
    and a one-line reason when it is not one."""
    from techcheck.report.evidence import looks_like_html, read_html_report
    from techcheck.report.loader import ReportError, load_report, read_limited

    try:
        data = read_limited(path)
        if looks_like_html(data):  # an HTML report: its embedded evidence record
            record = read_html_report(data).record
            if record is None:
                raise ReportError(Message.of("report_error.html_without_record"))
            data = record
        return load_report(data)
    except ReportError as exc:
        click.echo(t("report_unreadable", lang, path=path, reason=exc.msg), err=True)
        sys.exit(EXIT_UNREADABLE)


@click.command()
@click.argument("report", type=click.Path(dir_okay=False))
@click.option("--key", "key_file", type=click.Path(exists=True, dir_okay=False),
              help="The secret key file the report was sealed with (scan --key).")
@click.option("--lang", type=click.Choice(LANGUAGES), help="Language of the messages (default: from the locale).")
def verify(report: str, key_file: str | None, lang: str | None) -> None:
    """Check that a saved JSON or HTML report has not changed since it was made.

    Exit 0 when intact; 4 when changed (or, with --key, not sealed with a key); 5 when it is not a
    readable techcheck report; 2 when the report was sealed with a key and --key is missing.
    """
    from techcheck.report.evidence import looks_like_html, verify_html_report, verify_report

    lang = lang or detect_language()
    key = read_key(key_file, lang) if key_file else None
    if report.lower().endswith(".zip"):
        verify_bundle_file(report, key, lang)
        return
    from techcheck.report.loader import ReportError, read_limited

    try:
        raw = read_limited(report)
    except ReportError as exc:
        click.echo(t("report_unreadable", lang, path=report, reason=exc.msg), err=True)
        sys.exit(EXIT_UNREADABLE)
    if looks_like_html(raw):
        result = verify_html_report(raw, key)
    else:
        result = verify_report(read_report_file(report, lang), key)
    if result.status == "intact":
        click.echo(t("verify_intact", lang, algorithm=result.algorithm))
        if result.algorithm == "sha256":
            click.echo(t("verify_limits", lang))
    elif result.status == "altered":
        click.echo(t("verify_page_differs", lang) if result.detail else t("verify_altered", lang))
        sys.exit(EXIT_ALTERED)
    elif result.status == "not_keyed":
        click.echo(t("verify_not_keyed", lang))
        sys.exit(EXIT_ALTERED)
    elif result.status == "needs_key":
        click.echo(t("verify_needs_key", lang), err=True)
        sys.exit(EXIT_USAGE)
    else:
        click.echo(t("verify_unreadable", lang, detail=result.detail or ""), err=True)
        sys.exit(EXIT_UNREADABLE)


def verify_bundle_file(path: str, key: bytes | None, lang: str) -> None:
    """Check an evidence bundle (zip) from the app: every file against its manifest, every report against its digest."""
    from techcheck.app.bundle import MAX_BUNDLE_BYTES, verify_bundle

    try:
        if os.path.getsize(path) > MAX_BUNDLE_BYTES:
            raise OSError(0, "larger than a techcheck bundle can be")
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        click.echo(t("report_unreadable", lang, path=path, reason=exc.strerror or exc), err=True)
        sys.exit(EXIT_UNREADABLE)
    check = verify_bundle(data, key)
    if check.ok:
        click.echo(t("bundle_intact", lang, files=check.files, reports=check.reports))
        if "sha256" in check.algorithms or not check.algorithms:
            click.echo(t("verify_limits", lang))
        return
    click.echo(t("bundle_altered", lang))
    for problem in check.problems:
        click.echo(f"  {problem}")
    readable = not any(p.startswith(("not a readable zip", "manifest.json is")) for p in check.problems)
    sys.exit(EXIT_ALTERED if readable else EXIT_UNREADABLE)


@click.command()
@click.argument("old", type=click.Path(dir_okay=False))
@click.argument("new", type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]),
              help="Output format (default: from the --output name's ending .json/.txt, else text).")
@click.option("--output", type=click.Path(dir_okay=False), help="Save the comparison to this file (owner-only).")
@click.option("--force", is_flag=True, help="Replace the --output file when it already exists.")
@click.option("--lang", type=click.Choice(LANGUAGES), help="Language of the output (default: from the locale).")
def diff(old: str, new: str, fmt: str | None, output: str | None, force: bool, lang: str | None) -> None:
    """Compare two JSON reports of the same computer: what appeared and what disappeared."""
    import json

    from techcheck.report.diff import diff_reports, render_diff_text, report_info

    lang = lang or detect_language()
    fmt = output_format(fmt, output, lang, ("text", "json"))
    if output:
        output = checked_output(output, None, lang)
        refuse_overwrite(output, force, lang)
    old_loaded, new_loaded = read_report_file(old, lang), read_report_file(new, lang)
    result = diff_reports(old_loaded.report, new_loaded.report, report_info(old, old_loaded),
                          report_info(new, new_loaded))
    if fmt == "json":
        content = json.dumps(result.to_dict(), indent=2, ensure_ascii=True) + "\n"
    else:
        content = render_diff_text(result, lang, rule_titles(lang))
    if output:
        save_report(output, content, lang, replace=force)
    else:
        click.echo(content, nl=False)
