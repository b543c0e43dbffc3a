"""The techcheck command. Only this module and the report layer produce output.

Exit status: 0 = done (scan completed, report intact, reports compared); 1 = the scan could not run;
2 = usage or rule error; 3 = findings at or above the --fail-on severity; 4 = `verify`: the report
was changed after it was made; 5 = `verify`/`diff`: a file is not a readable techcheck report;
6 = the person left at the safety note (q or Ctrl-C): nothing was scanned.
"""

from __future__ import annotations

import click

from techcheck import __version__
from techcheck.cli_common import (
    EXIT_ALTERED,
    EXIT_FINDINGS,
    EXIT_LEFT,
    EXIT_OK,
    EXIT_SCAN_FAILED,
    EXIT_UNREADABLE,
    EXIT_USAGE,
    load_all_rules,
)
from techcheck.cli_reports import diff, verify
from techcheck.cli_rules import rules
from techcheck.cli_scan import scan
from techcheck.kinds import KINDS
from techcheck.texts import LANGUAGES, detect_language

__all__ = ["EXIT_ALTERED", "EXIT_FINDINGS", "EXIT_LEFT", "EXIT_OK", "EXIT_SCAN_FAILED", "EXIT_UNREADABLE",
           "EXIT_USAGE", "cli", "load_all_rules", "main"]


@click.group()
@click.version_option(__version__, prog_name="techcheck")
def cli() -> None:
    """techcheck: a local tech-safety checkup. It only looks; it never changes anything."""

for command in (scan, verify, diff, rules):
    cli.add_command(command)


@cli.command("app")
@click.option("--clinic", is_flag=True, help="Clinic mode: case records (cases, visits, answers, notes) in one file.")
@click.option("--store", "store_path", type=click.Path(dir_okay=False),
              help="The case file for clinic mode (default: cases.sqlite in your data folder).")
@click.option("--no-browser", is_flag=True, help="Print the page's address instead of opening the browser.")
@click.option("--rules", "rule_dirs", multiple=True, type=click.Path(exists=True),
              help="Extra rule folder or file (repeatable), added to the shipped rules.")
@click.option("--lang", type=click.Choice(LANGUAGES), help="Language of the pages (default: from the locale).")
def app_command(clinic: bool, store_path: str | None, no_browser: bool, rule_dirs: tuple[str, ...],
                lang: str | None) -> None:
    """Open techcheck as a page in your web browser, served on this computer only."""
    from pathlib import Path

    from techcheck.app.server import run_app
    from techcheck.app.web import AppConfig

    config = AppConfig(clinic=clinic, store_path=Path(store_path) if store_path else None,
                       rule_dirs=rule_dirs, lang=lang or detect_language())
    run_app(config, open_browser=not no_browser, echo=click.echo)


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
