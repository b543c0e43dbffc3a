"""The terminal report: plain text that fits 80 columns and reads well without colour.

Order: the safety note, what was checked, findings by severity, every check's status, notes about
what could not be read, the limits of the check, and the support resources last.
"""

from __future__ import annotations

from collections.abc import Callable

from techcheck.report.format import (
    SaveHint,
    computer_lines,
    evidence_lines,
    finding_actions,
    note_groups,
    origin_counts_line,
    pack_line,
    readable_time,
    width,
    wrap,
)
from techcheck.report.safe import safe_text
from techcheck.report.schema import SEVERITIES, FindingInfo, Report, StartupSection
from techcheck.texts import os_name, t

MAX_EVIDENCE = 8
MAX_NOTES = 30
MAX_NOTES_PER_CHECK = 5  # so one check with hundreds of unreadable files does not drown the rest
Style = Callable[[str, str], str]


def _plain(text: str, _style: str) -> str:
    return text


def render_safety_note(lang: str, style: Style = _plain) -> str:
    """The safety note alone, wrapped to 80 columns: shown before a scan starts."""
    return "\n".join([style(t("safety_title", lang), "heading"), *wrap(t("safety_body", lang)), ""]) + "\n"


def render_text(model: Report, style: Style = _plain, include_safety_note: bool = True,
                save: SaveHint | None = None) -> str:
    """The text report. include_safety_note=False when the note was already shown before the scan;
    `save`: how this report is saved (the exact command for this run, or the file it was saved to),
    said at each action that tells the reader to save it and in the closing section."""
    lang = model["language"]
    since = model.get("since")
    mark = since["mark"] if since else ""
    out = _title_lines(model, style, include_safety_note)
    out += _scanned_lines(model, lang, style)
    if since:  # what --since marks, and that what has no time cannot be judged
        out.append("")
        out.extend(wrap(style(since["line"], "heading")))
    out += _findings_lines(model, lang, style, mark, save)
    if "timeline" in model:
        out += render_timeline(model, lang, style)
    if "startup" in model:
        out += render_startup(model["startup"], lang, style, mark)
    out += _checks_lines(model, lang, style)
    out += _closing_lines(model, lang, style, save)
    return "\n".join(out) + "\n"


def _heading(text: str, style: Style, kind: str = "heading") -> list[str]:
    return ["", style(text, kind), style("-" * min(len(text), width()), kind)]


def _title_lines(model: Report, style: Style, include_safety_note: bool) -> list[str]:
    """The title, when and with what the report was made, and the safety note."""
    lang = model["language"]
    out = [style(t("report_title", lang), "title")]
    local = model.get("local_time")
    made = readable_time(model["finished"], local["finished"] if local else None, local["zone"] if local else "")
    out.extend(wrap(f"{t('report_made', lang)}: {made} · {t('made_with', lang, version=model['tool']['version'])}"))
    out.append("=" * width())
    if include_safety_note:
        out.append(style(model["safety_note"]["title"], "heading"))
        out.extend(wrap(model["safety_note"]["body"]))
        out.append("=" * width())
    return out


def _scanned_lines(model: Report, lang: str, style: Style) -> list[str]:
    """What was checked (rules, rule packs, the computer), warnings, advice for partial checks, the counts."""
    target = model["target"]
    out = _heading(t("scanned", lang), style)
    mode = t(f"mode_{target['mode']}", lang)
    desc = t("scanned_line", lang, what=mode[:1].upper() + mode[1:], os=os_name(target["os"]),
             n=model["rules"]["count"])
    if target["mode"] == "image":
        desc += " " + t("scanned_folder", lang, folder=safe_text(target["root"]))
    out.extend(wrap(desc))
    for pack in model["rules"].get("packs", []):
        out.extend(wrap(pack_line(pack, lang), indent="  "))
    out.extend(computer_lines(model))
    advice = model["access"]["advice"] if "access" in model else []
    for warning in model["warnings"]:
        out.append("")
        out.extend(wrap(style(safe_text(warning, 2000), "alert")))
    for line in advice:  # partly done checks: how to let the check read every place
        out.append("")
        out.extend(wrap(style(line, "partial")))
    if model["warnings"] or advice:
        out.append("")
    out.extend(wrap(t("findings_summary", lang, **model["summary"])))
    return out


def _findings_lines(model: Report, lang: str, style: Style, mark: str, save: SaveHint | None) -> list[str]:
    """The findings, by severity, each group with what it means."""
    out: list[str] = []
    if not model["findings"]:
        out.append("")
        out.extend(wrap(t("no_findings", lang)))
    for severity in SEVERITIES:
        group = [f for f in model["findings"] if f["severity"] == severity]
        if not group:
            continue
        out += _heading(f"{t('severity_' + severity, lang)} ({len(group)})", style, severity)
        out.extend(wrap(t(f"severity_{severity}_help", lang)))
        for f in group:
            out.extend(finding_lines(f, lang, style, mark, save))
    return out


def _checks_lines(model: Report, lang: str, style: Style) -> list[str]:
    """Every check and its status, then the notes about what could not be read."""
    out = _heading(t("checks_title", lang), style)
    for c in model["checks"]:
        status = t(f"status_{c['status']}", lang)
        line = f"[{status}] {c['title']}"
        if c["reason"]:
            line += f": {safe_text(c['reason'], 300)}"
        out.extend(wrap(style(line, c["status"]), indent="      ", first="  "))
    out.extend(render_notes(model, lang))
    return out


def _closing_lines(model: Report, lang: str, style: Style, save: SaveHint | None) -> list[str]:
    """The limits of the check, how to save the report, traces it leaves, and the support resources."""
    out = ["", *wrap(model["limits"])]
    out += _heading(t("save_title", lang), style)
    if save is not None and save.how == "run":
        out.extend(wrap(t("save_how", lang, command=save.command)))
        out.extend(wrap(t("save_where", lang, path=safe_text(save.path, 300)), indent="  ", first="  "))
    elif save is not None:
        out.extend(wrap(save.sentence(lang)))
    out.extend(wrap(t("traces_body", lang)))
    rule = "=" * width()
    out += ["", rule, style(model["support"]["title"], "heading")]
    out.extend(wrap(model["support"]["body"]))
    for res in model["support"]["resources"]:
        out.extend(wrap(res, indent="    ", first="  - "))
    out.append(rule)
    return out


def finding_lines(f: FindingInfo, lang: str, style: Style = _plain, mark: str = "",
                  save: SaveHint | None = None) -> list[str]:
    """One finding: its title and texts, the other rules that matched (reasons), and its evidence.
    mark: the --since label, shown before the title of a finding with a time on or after it.
    save: how this report is saved, said at each action that tells the reader to save it."""
    out = [""]
    title = f"[{mark}] {f['title']}" if mark and f.get("after_since") else f["title"]
    out.extend(wrap(style(title, f["severity"]), first="  * ", indent="    "))
    if "first_seen" in f:
        out.extend(wrap(f["first_seen"]["text"], indent="    ", first="    "))
    for key in ("what", "why"):
        out.extend(wrap(f[key], indent="    ", first=f"    {t(key, lang)}: "))
    if f["actions"]:
        out.append(f"    {t('actions', lang)}:")
        for action in finding_actions(f, lang, save):
            out.extend(wrap(action, indent="        ", first="      - "))
    if f["normal"]:
        out.extend(wrap(f["normal"], indent="    ", first=f"    {t('normal', lang)}: "))
    for other in f.get("also", []):  # the other rules that matched: reasons, not more alarms
        out.extend(wrap(f"{t('also_matched', lang)}: {safe_text(other['title'], 200)} "
                        f"({t('severity_' + other['severity'], lang)})", indent="      ", first="    + "))
    rule_ids = ", ".join(f.get("rule_ids") or [f["rule_id"]])
    out.extend(wrap(f"{t('evidence', lang)} [{rule_ids}]:", indent="      ", first="    "))
    for item in f["evidence"][:MAX_EVIDENCE]:
        out.extend(evidence_lines(item, lang))
    extra = len(f["evidence"]) - MAX_EVIDENCE
    if extra > 0:
        out.append(f"      ({t('more_in_json', lang, n=extra)})")
    return out


def render_notes(model: Report, lang: str) -> list[str]:
    """Notes grouped under their check, a few per check and MAX_NOTES in all, each cut with a count."""
    groups = note_groups(model["checks"], lang, MAX_NOTES_PER_CHECK, MAX_NOTES)
    if not groups:
        return []
    title = f"{t('notes_title', lang)} ({t('notes_count', lang, n=sum(g.count for g in groups))})"
    out = ["", title, "-" * min(len(title), width()), *wrap(t("notes_help", lang))]
    for g in groups:
        out.append("")
        out.extend(wrap(f"{g.title}: {g.count}", indent="    ", first="  "))
        for path, message in g.notes:
            out.extend(wrap(f"{safe_text(path, 300)}: {safe_text(message, 300)}", indent="      ", first="    - "))
        if g.more:
            out.extend(wrap(f"({t('notes_more', lang, n=g.more)})", indent="      ", first="    "))
    return out


MAX_STARTUP_PER_PLACE = 25
MAX_TIMELINE = 100


def render_timeline(model: Report, lang: str, style: Style = _plain) -> list[str]:
    """The timeline: the findings' times in order, in plain words, with the caution about times."""
    title = t("timeline_title", lang)
    out = ["", style(title, "heading"), style("-" * min(len(title), width()), "heading")]
    info = model.get("timeline_info")
    entries = model.get("timeline", [])
    out.extend(wrap(t("timeline_intro", lang)))
    if info and info["zone"]:
        key = "timeline_zone" if info["zone_source"] == "scanned" else "timeline_zone_checking"
        out.extend(wrap(t(key, lang, zone=safe_text(info.get("zone_label") or info["zone"], 120))))
    out.extend(wrap(t("timeline_caution", lang)))
    out.append("")
    if not entries:
        out.extend(wrap(t("timeline_none", lang)))
    mark = model["since"]["mark"] if "since" in model else ""
    for e in entries[:MAX_TIMELINE]:
        line = f"{e.get('when', e['time'])} — {safe_text(e.get('text', e['kind']), 400)}"
        if mark and e.get("after_since"):
            line = f"[{mark}] {line}"
        out.extend(wrap(line, first="  ", indent="      "))
        if e.get("detail"):
            out.extend(wrap(safe_text(e["detail"], 500), first="      ", indent="      "))
    if len(entries) > MAX_TIMELINE:
        out.append(f"  ({t('more_in_json', lang, n=len(entries) - MAX_TIMELINE)})")
    if info and info["undated"] and entries:
        titles = "; ".join(safe_text(x, 200) for x in info["undated"])
        out.extend(["", *wrap(t("timeline_undated", lang, titles=titles))])
    if info and info["left_out"]:
        out.extend(["", *wrap(t("timeline_left_out", lang, n=len(info["left_out"])))])
        for item in info["left_out"][:MAX_TIMELINE]:
            out.extend(wrap(safe_text(item["text"], 400), first="    - ", indent="      "))
    return out


def render_startup(section: StartupSection, lang: str, style: Style = _plain, mark: str = "") -> list[str]:
    """The "What starts by itself" section: places, each entry with its origin and what it runs."""
    title = section["title"]
    out = ["", style(title, "heading"), style("-" * min(len(title), width()), "heading")]
    out.extend(wrap(section["intro"]))
    out.extend(wrap(section["how_to_tell"]))
    if not section["places"]:
        out.extend(["", *wrap(t("startup_none", lang))])
        return out
    out.extend(wrap(origin_counts_line(section, lang)))
    for place in section["places"]:
        entries = place["entries"]
        out.extend(["", *wrap(f"{safe_text(place['label'], 100)} ({len(entries)})", first="  ", indent="    ")])
        for e in entries[:MAX_STARTUP_PER_PLACE]:
            line = f"{safe_text(e.get('name', ''), 200)} — {safe_text(e['origin_label'], 200)}"
            if mark and e.get("after_since"):
                line = f"[{mark}] {line}"
            if e.get("behaviour_labels"):
                line += f" [{safe_text(', '.join(e['behaviour_labels']), 300)}]"
            if e.get("enabled") is False:
                line += f" ({t('status_off', lang)})"
            out.extend(wrap(line, first="    - ", indent="        "))
            detail = safe_text(e.get("command") or e.get("exe") or "", 300)
            where = safe_text(e.get("where") or "", 300)
            if where and where != detail:
                detail = f"{detail} ({t('found_at', lang)}: {where})" if detail else where
            if detail:
                out.extend(wrap(detail, indent="        ", first="        "))
        extra = len(entries) - MAX_STARTUP_PER_PLACE
        if extra > 0:
            out.extend(wrap(t("startup_more", lang, n=extra), first="    ", indent="    "))
    return out
