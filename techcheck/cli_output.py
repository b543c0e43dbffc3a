"""How the techcheck command writes what it made: the output file (checked before any work, written
atomically), its format, and the terminal (summary screen, then the full report through a pager)."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any, NoReturn

import click

from techcheck.cli_common import EXIT_USAGE, colour_allowed, style_for
from techcheck.report.format import SaveHint
from techcheck.report.output import OutputError
from techcheck.texts import t

if TYPE_CHECKING:
    from techcheck.report.schema import Report


def checked_output(output: str, scanned_root: str | None, lang: str) -> str:
    """The output path, checked before any work; exits with a one-line reason when it cannot be used."""
    from techcheck.report.output import check_output_path

    try:
        return check_output_path(output, scanned_root)
    except OutputError as exc:
        output_error_exit(exc, "output_refused", lang)


def output_error_exit(exc: OutputError, key: str, lang: str) -> NoReturn:
    from techcheck.report.safe import safe_text

    reason = t(f"output_{exc.reason}", lang, detail=safe_text(exc.detail, 200))
    click.echo(t(key, lang, path=safe_text(click.format_filename(exc.path), 300), reason=reason), err=True)
    sys.exit(EXIT_USAGE)


def save_report(output: str, content: str, lang: str, scanned_root: str | None = None,
                replace: bool = True) -> None:
    """Write a report atomically (owner-only); exits with a one-line reason when it fails. With
    replace=False an existing file is never replaced, even one made while the scan ran."""
    from techcheck.report.output import write_report_atomically

    try:
        write_report_atomically(output, content, scanned_root, replace=replace)
    except OutputError as exc:
        output_error_exit(exc, "output_failed", lang)
    click.echo(t("saved", lang, path=output), err=True)


def terminal_size(stream: Any) -> tuple[int, int]:
    """(columns, rows) of the terminal behind a stream; 80 x 24 when it is not a terminal."""
    try:
        if stream.isatty():
            size = os.get_terminal_size(stream.fileno())
            if size.columns > 0 and size.lines > 0:
                return size.columns, size.lines
    except (OSError, ValueError, AttributeError):
        pass
    return 80, 24


FORMAT_BY_ENDING = {".html": "html", ".htm": "html", ".json": "json", ".txt": "text", ".text": "text"}


def output_format(fmt: str | None, output: str | None, lang: str, allowed: tuple[str, ...]) -> str:
    """--format when given; else from the --output name's ending; text when printing."""
    if fmt:
        return fmt
    if not output:
        return "text"
    found = FORMAT_BY_ENDING.get(os.path.splitext(output)[1].lower())
    if found not in allowed:
        click.echo(t("format_unknown", lang, name=click.format_filename(os.path.basename(output))), err=True)
        sys.exit(EXIT_USAGE)
    return found


def refuse_overwrite(output: str, force: bool, lang: str) -> None:
    if os.path.lexists(output) and not force:
        click.echo(t("output_already_exists", lang, path=click.format_filename(output)), err=True)
        sys.exit(EXIT_USAGE)


def emit_report(model: Report, fmt: str, output: str | None, lang: str, save: SaveHint | None = None,
                force: bool = False, scanned_root: str | None = None) -> None:
    from techcheck.report.html import render_html
    from techcheck.report.json_report import render_json
    from techcheck.report.text import render_text

    if fmt == "json":
        content = render_json(model)
    elif fmt == "html":
        content = render_html(model, save)
    elif output is None and sys.stdout.isatty():
        show_on_terminal(model, save)
        return
    else:
        content = render_text(model, style_for(False), save=save)
    if output:
        save_report(output, content, lang, scanned_root, replace=force)
    else:
        click.echo(content, nl=False)


def show_on_terminal(model: Report, save: SaveHint | None) -> None:
    """The summary screen first, then the full report through a pager; support is shown last."""
    from techcheck.report.format import rendered_at
    from techcheck.report.summary import closing_lines, render_summary
    from techcheck.report.text import render_text

    columns, rows = terminal_size(sys.stdout)
    style = style_for(colour_allowed(sys.stdout))
    pager = pager_command()
    with rendered_at(columns):
        # The safety note was shown before the scan: the report does not repeat it here.
        full = render_text(model, style, include_safety_note=False, save=save)
        summary = render_summary(model, rows, save, paged=pager is not None, style=style)
        if pager is not None:
            screen = summary + "\n" * max(0, rows - 1 - summary.count("\n"))  # the report starts on page 2
            if page(pager, screen + full):
                click.echo(closing_lines(model, save), nl=False)
                return
        # No pager: the full report, then the summary, so the summary is the screen left in view.
        click.echo(full, nl=False)
        click.echo("\n" + render_summary(model, rows, save, paged=False, style=style), nl=False)


def pager_command() -> list[str] | None:
    """The user's PAGER, else `less -R` where it is installed; None for no pager (PAGER set empty)."""
    import shlex
    import shutil

    chosen = os.environ.get("PAGER")
    if chosen is None:
        return ["less", "-R"] if shutil.which("less") else None
    try:
        parts = shlex.split(chosen)
    except ValueError:
        return None
    return parts or None


def page(command: list[str], text: str) -> bool:
    """Show text through the pager; False when the pager cannot be started (then print instead)."""
    import subprocess

    env = {**os.environ, "LESS": os.environ.get("LESS", "R")}  # colours through less, as git does
    try:
        proc = subprocess.Popen(command, stdin=subprocess.PIPE, env=env)
    except OSError:
        return False
    assert proc.stdin is not None
    try:
        proc.stdin.write(text.encode(sys.stdout.encoding or "utf-8", errors="replace"))
        proc.stdin.close()
    except (BrokenPipeError, OSError):
        pass  # the person closed the pager before the end
    while True:
        try:
            proc.wait()
            return True
        except KeyboardInterrupt:  # Ctrl-C goes to the pager too; wait for it to close the screen
            continue
