"""The first screen after a scan on a terminal: what was checked, how many findings of each kind,
each finding's title, how to save the report, how to read the rest, and where to get support.

It fits one screen (rows x the terminal's width): the list of titles is cut with a count when the
screen is full. The full text report follows it (through a pager: see cli_output.page).
"""

from __future__ import annotations

from collections.abc import Callable

from techcheck.report.format import SaveHint, readable_time
from techcheck.report.format import wrap as _wrap
from techcheck.report.safe import safe_text
from techcheck.report.schema import Report
from techcheck.texts import os_name, t

Style = Callable[[str, str], str]
SEVERITIES = ("alert", "review", "info")

__all__ = ["SaveHint", "closing_lines", "finding_titles", "render_summary"]


def _plain(text: str, _kind: str) -> str:
    return text


def render_summary(model: Report, rows: int = 24, save: SaveHint | None = None, paged: bool = True,
                   style: Style = _plain) -> str:
    """The summary screen: at most rows - 1 lines (the pager keeps one for its prompt)."""
    lang = model["language"]
    target = model["target"]
    top = [style(t("summary_title", lang), "title")]
    local = model.get("local_time")
    what = t(f"mode_{target['mode']}", lang)
    computer = model.get("computer")
    name = safe_text((computer["name"] if computer else "") or target["hostname"] or "", 100)
    when = readable_time(model["finished"], local["finished"] if local else None, local["zone"] if local else "")
    top += _wrap(t("summary_checked", lang, what=what[:1].upper() + what[1:], os=os_name(target["os"]),
                   name=name or t("unknown_value", lang), when=when))
    for warning in model["warnings"]:
        top += _wrap(style(safe_text(warning, 600), "alert"))
    advice = model["access"]["advice"] if "access" in model else []
    for line in advice[:2]:  # the Mac's steps are in the full report
        top += _wrap(style(line, "partial"))
    top += [""] + _wrap(t("findings_summary", lang, **model["summary"]))
    if "since" in model:  # scan --since: what is marked, and what cannot be judged
        top += _wrap(style(safe_text(model["since"]["line"], 600), "heading"))

    bottom = [""]
    if not model["findings"]:
        bottom += _wrap(t("summary_nothing", lang))
    if save is not None and save.how == "run":
        bottom += _wrap(t("save_how", lang, command=save.command))
        bottom += _wrap(t("save_where", lang, path=safe_text(save.path, 300)), indent="  ", first="  ")
    bottom += _wrap(t("summary_support", lang))
    if paged:
        bottom += _wrap(style(t("summary_keys", lang), "heading"))

    room = max(0, rows - 1 - len(top) - len(bottom))
    return "\n".join(top + finding_titles(model, room, style) + bottom) + "\n"


def finding_titles(model: Report, room: int, style: Style = _plain) -> list[str]:
    """Each finding's title under its severity, in at most `room` lines (cut with a count)."""
    lang = model["language"]
    blocks: list[list[str]] = []  # one per finding; a severity's first finding carries its heading
    for sev in SEVERITIES:
        group = [f for f in model["findings"] if f["severity"] == sev]
        for i, f in enumerate(group):
            head = [style(f"{t('severity_' + sev, lang)} ({len(group)}):", sev)] if i == 0 else []
            title = safe_text(f["title"], 200)
            if "since" in model and f.get("after_since"):
                title = f"[{model['since']['mark']}] {title}"
            blocks.append(head + _wrap(title, indent="    ", first="  - "))
    lines: list[str] = []
    for shown, block in enumerate(blocks):
        left = len(blocks) - shown
        reserve = 1 if left > 1 else 0  # room for "and N more" unless this is the last one
        if len(lines) + len(block) + reserve > room:
            return lines + _wrap(t("summary_more", lang, n=left)) if room > len(lines) else lines
        lines += block
    return lines


def closing_lines(model: Report, save: SaveHint | None) -> str:
    """After the pager closes: how to save, and where support is (the last thing on the screen)."""
    lang = model["language"]
    out: list[str] = [""]
    if save is not None and save.how == "run":
        out += _wrap(t("save_how", lang, command=save.command))
        out += _wrap(t("save_where", lang, path=safe_text(save.path, 300)), indent="  ", first="  ")
    out += _wrap(t("summary_support", lang))
    return "\n".join(out) + "\n"
