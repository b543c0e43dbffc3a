"""`techcheck scan`: the safety note, the target (live system or disk copy), the scan and its report."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

import click

from techcheck.cli_common import (
    EXIT_FINDINGS,
    EXIT_LEFT,
    EXIT_USAGE,
    colour_allowed,
    load_all_rules,
    read_key,
    rules_or_exit,
    style_for,
)
from techcheck.cli_output import checked_output, emit_report, output_format, refuse_overwrite, terminal_size
from techcheck.engine import SEVERITY_ORDER
from techcheck.errors import TechcheckError
from techcheck.report.format import SaveHint
from techcheck.target.base import Target
from techcheck.target.budget import DEFAULT_READ_BUDGET, ReadBudget
from techcheck.texts import LANGUAGES, check_title, detect_language, t

if TYPE_CHECKING:
    from techcheck.report.timeline import Since


@click.command()
@click.option("--root", type=click.Path(), help="Scan a disk copy mounted in this folder.")
@click.option("--os", "os_name", type=click.Choice(["linux", "windows", "macos"]),
              help="The system of the disk copy, when it cannot be told from its layout.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "html"]),
              help="Report format (default: from the --output name's ending .html/.json/.txt, else text).")
@click.option("--output", type=click.Path(dir_okay=False), help="Save the report to this file (owner-only).")
@click.option("--force", is_flag=True, help="Replace the --output file when it already exists.")
@click.option("--key", "key_file", type=click.Path(exists=True, dir_okay=False),
              help="Seal the report with an HMAC made with this secret key file (checked by `verify --key`).")
@click.option("--rules", "rule_dirs", multiple=True, type=click.Path(exists=True),
              help="Extra rule folder or file (repeatable), added to the shipped rules.")
@click.option("--lang", type=click.Choice(LANGUAGES), help="Language of the report (default: from the locale).")
@click.option("--fail-on", type=click.Choice(["alert", "review", "info"]),
              help=f"Exit with status {EXIT_FINDINGS} when a finding at or above this severity exists.")
@click.option("--no-progress", is_flag=True, help="Do not show progress while scanning.")
@click.option("--since", metavar="DATE",
              help="Mark the findings and start-up entries with a time on or after this date (2026-03-01) or "
                   "date and time (2026-03-01T21:00), in the scanned computer's local time unless a zone is "
                   "given (Z, +01:00).")
@click.option("--yes", "-y", is_flag=True, help="Start at once: do not wait for Enter after the safety note.")
@click.option("--read-budget", type=click.IntRange(min=16), default=DEFAULT_READ_BUDGET // (1024 * 1024),
              show_default=True, metavar="MIB",
              help="Most file content (registry hives, database copies) held in memory at once, in MiB.")
def scan(root: str | None, os_name: str | None, fmt: str | None, output: str | None, force: bool,
         key_file: str | None, rule_dirs: tuple[str, ...], lang: str | None, fail_on: str | None,
         no_progress: bool, since: str | None, yes: bool, read_budget: int) -> None:
    """Check this computer (or a disk copy with --root) for signs of monitoring."""
    from techcheck.collectors.base import collectors_for
    from techcheck.report.format import rendered_at, wrap_paragraphs
    from techcheck.report.model import build_report, layout_warnings
    from techcheck.report.text import render_safety_note
    from techcheck.scan import run_scan

    lang = lang or detect_language()
    fmt = output_format(fmt, output, lang, ("text", "json", "html"))
    since_at = parse_since_option(since, lang) if since is not None else None  # before the scan
    key = read_key(key_file, lang) if key_file else None
    ruleset = rules_or_exit(lambda: load_all_rules(rule_dirs), lang)
    target = open_target(root, os_name, lang)
    target.budget = ReadBudget(read_budget * 1024 * 1024)
    if output:
        output = checked_output(output, root, lang)  # before the scan: a bad path costs nothing
        refuse_overwrite(output, force, lang)  # and a long scan must not end on an existing file
    # The safety note comes before the scan, on the terminal, whatever the output format.
    style = style_for(colour_allowed(sys.stderr))
    columns = terminal_size(sys.stderr)[0]
    with rendered_at(columns):
        click.echo(render_safety_note(lang, style), err=True, nl=False)
        for warning in layout_warnings(target, lang):
            click.echo(wrap_paragraphs(warning) + "\n", err=True)
        if not yes and sys.stdin.isatty() and sys.stderr.isatty() and not wait_for_go_ahead(lang):
            click.echo(t("safety_left", lang), err=True)
            sys.exit(EXIT_LEFT)

    show_progress = not no_progress and sys.stderr.isatty()
    local_titles = {c.title: check_title(c.name, c.title, lang) for c in collectors_for(target.os)}

    def progress(title: str, done: int, total: int) -> None:
        if show_progress:
            shown = t("progress_matching", lang) if done == total else local_titles.get(title, title)
            # One line, rewritten in place, one column short of the width so the terminal never wraps it.
            click.echo("\r\x1b[2K" + f"[{done}/{total}] {shown}"[:columns - 1], err=True, nl=False)

    result = run_scan(target, ruleset, progress)
    if show_progress:
        click.echo("\r\x1b[2K", err=True, nl=False)
    model = build_report(result, lang, key, since_at)
    # How this report is saved, for the actions that say to save it: the file it goes to, or the command.
    save = (SaveHint(path=output, how="saved") if output
            else save_hint(root, os_name, lang, rule_dirs, key_file, since))
    emit_report(model, fmt, output, lang, save, force, root)
    if fail_on and any(SEVERITY_ORDER[f.severity] <= SEVERITY_ORDER[fail_on] for f in result.findings):
        sys.exit(EXIT_FINDINGS)


def parse_since_option(value: str, lang: str) -> Since:
    """--since as a moment; a bad value exits 2 saying how to write it (before anything is scanned)."""
    from techcheck.report.timeline import parse_since

    try:
        return parse_since(value)
    except ValueError:
        click.echo(f"techcheck: {t('since_bad', lang, value=value)}", err=True)
        sys.exit(EXIT_USAGE)


def wait_for_go_ahead(lang: str) -> bool:
    """After the safety note on a terminal: True on Enter; False on q, Ctrl-C or end of input."""
    from techcheck.report.format import wrap_paragraphs

    click.echo(wrap_paragraphs(t("safety_prompt", lang)), err=True)
    try:
        while True:
            key = click.getchar()
            if key[:1] in ("\r", "\n"):
                return True
            if key[:1] in ("q", "Q"):
                return False
    except (KeyboardInterrupt, EOFError):
        return False


def open_target(root: str | None, os_name: str | None, lang: str) -> Target:
    """The live system, or the disk copy in `root`; exits explaining what `root` is when it is not one."""
    from techcheck.target import open_image, open_live

    if not root:
        return open_live()
    if os.path.isfile(root):
        explain_image_file(root, lang)
        sys.exit(EXIT_USAGE)
    if not os.path.isdir(root):
        click.echo(t("root_not_folder", lang, root=click.format_filename(root)), err=True)
        sys.exit(EXIT_USAGE)
    try:
        target = open_image(root, os_name)  # type: ignore[arg-type]
    except TechcheckError as exc:
        click.echo(f"techcheck: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    if target.os == "unknown":
        from techcheck.report.model import layout_warnings
        from techcheck.target.layout import image_files_in

        images = image_files_in(root)
        if images:
            explain_image_file(images[0].path, lang, in_folder=True)
        else:
            from techcheck.report.format import wrap_paragraphs

            # Say which folder looks like the top of the copy, when one does; else ask for --os.
            for warning in layout_warnings(target, lang) or [t("unknown_os", lang)]:
                click.echo(wrap_paragraphs(warning), err=True)
        sys.exit(EXIT_USAGE)
    return target


def explain_image_file(path: str, lang: str, in_folder: bool = False) -> None:
    """Say what kind of disk image file this is and how to mount it read-only on each system."""
    from techcheck.report.format import wrap_paragraphs
    from techcheck.report.safe import safe_text
    from techcheck.target.layout import identify_image_file

    kind = identify_image_file(path)
    shown = safe_text(click.format_filename(path), 300)
    if kind is None:
        click.echo(t("image_not_image_file", lang, path=shown), err=True)
        return
    intro = "image_in_folder" if in_folder else "image_file"
    lines = [wrap_paragraphs(t(intro, lang, path=shown, kind=t(f"image_kind_{kind}", lang)))]
    for key in MOUNT_STEPS[kind]:
        lines.append(wrap_paragraphs(t(key, lang), first="  - ", indent="    "))
    lines.append(wrap_paragraphs(t("image_then", lang)))
    click.echo("\n".join(lines), err=True)


# How to mount each kind of image read-only: Linux, macOS, Windows. Sources: losetup(8) (util-linux),
# ewfmount(1) (libewf), guestmount(1) (libguestfs), hdiutil(1) (Apple), Mount-DiskImage (Microsoft
# Learn, Storage module: "-Access ReadOnly"; VHD and VHDX).
MOUNT_STEPS: dict[str, tuple[str, str, str]] = {
    "raw": ("mount_linux_raw", "mount_macos_raw", "mount_windows_other"),
    "e01": ("mount_linux_e01", "mount_macos_other", "mount_windows_other"),
    "vhd": ("mount_linux_vdisk", "mount_macos_other", "mount_windows_vhd"),
    "vhdx": ("mount_linux_vdisk", "mount_macos_other", "mount_windows_vhd"),
    "vmdk": ("mount_linux_vdisk", "mount_macos_other", "mount_windows_other"),
    "qcow2": ("mount_linux_vdisk", "mount_macos_other", "mount_windows_other"),
    "dmg": ("mount_linux_dmg", "mount_macos_dmg", "mount_windows_dmg"),
}


def save_hint(root: str | None, os_name: str | None, lang: str, rule_dirs: tuple[str, ...],
              key_file: str | None, since: str | None = None) -> SaveHint:
    """The exact command that saves this run's report, and the file it will write (an HTML file in
    the current folder, named with today's date)."""
    import datetime as dt
    import shlex
    import subprocess

    name = f"techcheck-report-{dt.date.today().isoformat()}.html"
    args = ["techcheck", "scan"]
    for option, value in (("--root", root), ("--os", os_name), ("--key", key_file), ("--since", since)):
        if value:
            args += [option, value]
    for folder in rule_dirs:
        args += ["--rules", folder]
    args += ["--lang", lang, "--output", name]
    command = subprocess.list2cmdline(args) if sys.platform == "win32" else shlex.join(args)
    return SaveHint(command, os.path.abspath(name))
