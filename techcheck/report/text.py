"""The terminal report: plain text that fits 80 columns and reads well without colour.

Order: the safety note, what was checked, findings by severity, every check's status, notes about
what could not be read, the limits of the check, and the support resources last.
"""

from __future__ import annotations

import datetime as dt
import textwrap
import unicodedata
from collections.abc import Callable
from typing import Any

from techcheck.report.permissions import LABEL
from techcheck.report.safe import safe_text
from techcheck.texts import field_label, kind_label, os_name, t, translate_message, value_label

WIDTH = 80
MAX_EVIDENCE = 8
MAX_NOTES = 30
MAX_NOTES_PER_CHECK = 5  # so one check with hundreds of unreadable files does not drown the rest
Style = Callable[[str, str], str]

# Which fields best describe an artifact of each kind, in order.
SUMMARY_FIELDS: dict[str, tuple[str, ...]] = {
    "process": ("name", "exe", "cmdline", "user", "pid"),
    "app": ("name", "package", "bundle_id", "version", "install_path", "user"),
    "service": ("name", "display_name", "command", "start_type", "user"),
    "autostart": ("mechanism", "name", "command", "user", "enabled"),
    "listener": ("process_name", "protocol", "address", "port", "exe"),
    "connection": ("process_name", "remote_address", "remote_port", "state"),
    "session": ("user", "terminal", "host", "started"),
    "browser_extension": ("name", "extension_id", "browser", "profile", "user", "install_source"),
    "account": ("account_type", "name", "email", "admin", "browser", "profile", "user"),
    "permission": ("service", "app", "site", "status", "last_used", "user"),
    "setting": ("name", "enabled", "value", "detail", "user"),
    "certificate": ("subject", "issuer", "sha256", "store"),
    "profile": ("name", "identifier", "organization", "payload_types", "signed"),
    "file": ("path", "description", "size", "sha256"),
    "ssh_key": ("user", "key_type", "comment", "fingerprint", "options"),
    "web_visit": ("url", "title", "visit_type", "time", "browser", "user"),
    "hosts_entry": ("hostname", "address"),
}


def readable_time(iso_text: str) -> str:
    """An ISO time from the report as people read it: 2026-03-01 14:05 UTC."""
    try:
        return dt.datetime.fromisoformat(iso_text).astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    except (TypeError, ValueError):
        return iso_text


def _plain(text: str, _style: str) -> str:
    return text


def cell_width(ch: str) -> int:
    """Columns a character takes on a terminal: 2 for wide East Asian characters, 0 for combining marks."""
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def _fit(line: str, indent: str) -> list[str]:
    """Split a wrapped line that is still wider than the screen (wide characters count twice)."""
    out: list[str] = []
    current, width = "", 0
    for ch in line:
        w = cell_width(ch)
        if width + w > WIDTH:
            out.append(current)
            current, width = indent, len(indent)
        current += ch
        width += w
    out.append(current)
    return out


def _wrap(text: str, indent: str = "", first: str | None = None) -> list[str]:
    lines: list[str] = []
    for i, para in enumerate(text.split("\n\n")):
        if i:
            lines.append("")
        wrapped = textwrap.wrap(
            para, WIDTH, initial_indent=first if (first is not None and i == 0) else indent,
            subsequent_indent=indent, break_long_words=True, break_on_hyphens=False,
        ) or [indent.rstrip()]
        for line in wrapped:
            lines.extend(_fit(line, indent) if not line.isascii() else [line])
    return lines


def wrap_paragraphs(text: str, indent: str = "", first: str | None = None) -> str:
    """Text wrapped to the report's width, as one string (for messages on the terminal)."""
    return "\n".join(_wrap(text, indent, first))


def _field_value(value: Any, lang: str, name: str = "") -> str:
    label = value_label(name, value, lang)
    if label:
        return label
    if isinstance(value, bool):
        return t("yes" if value else "no", lang)
    if isinstance(value, list):
        return ", ".join(safe_text(v, 200) for v in value)
    return safe_text(value, 300)


def evidence_lines(item: dict[str, Any], lang: str = "en") -> list[str]:
    fields = item["fields"]
    order = SUMMARY_FIELDS.get(item["kind"], ())
    present = [n for n in fields if fields[n] not in ("", None, [])]  # empty fields say nothing
    names = [n for n in order if n in present] or sorted(present)[:5]
    parts = [f"{field_label(n, lang)}: {_field_value(fields[n], lang, n)}" for n in names]
    loc = item.get("location", {})
    where = loc.get("path") or loc.get("registry_key") or (
        f"{field_label('pid', lang)} {loc['pid']}" if "pid" in loc else "")
    lines = _wrap(kind_label(item["kind"], lang), indent="        ", first="      - ")
    lines += _wrap("; ".join(parts), indent="        ", first="        ")
    if item.get("can"):
        lines += _wrap(f"{LABEL.get(lang, LABEL['en'])}: " + "; ".join(item["can"]), indent="        ",
                       first="        ")
    if where:
        lines += _wrap(f"{t('found_at', lang)}: {safe_text(where, 500)}", indent="        ", first="        ")
    return lines


def render_safety_note(lang: str, style: Style = _plain) -> str:
    """The safety note alone, wrapped to 80 columns: shown before a scan starts."""
    return "\n".join([style(t("safety_title", lang), "heading"), *_wrap(t("safety_body", lang)), ""]) + "\n"


def pack_line(pack: dict[str, Any], lang: str) -> str:
    """One rule pack the scan used: its name, source, version and date (scanned-side text is never in it)."""
    version = pack.get("commit", "")[:12] or "-"
    return t("rule_pack_line", lang, name=safe_text(pack.get("name", "")), source=safe_text(pack.get("source", "")),
             version=safe_text(version), date=safe_text(pack.get("date", "") or "-"))


def render_text(model: dict[str, Any], style: Style = _plain, include_safety_note: bool = True) -> str:
    """The text report. include_safety_note=False when the note was already shown before the scan."""
    lang = model["language"]
    out: list[str] = []
    rule = "=" * WIDTH

    def heading(text: str, kind: str = "heading") -> None:
        out.extend(["", style(text, kind), style("-" * min(len(text), WIDTH), kind)])

    out.append(style(t("report_title", lang), "title"))
    out.append(f"{t('report_made', lang)}: {readable_time(model['finished'])} · "
               f"{t('made_with', lang, version=model['tool']['version'])}")
    out.append(rule)
    if include_safety_note:
        out.append(style(model["safety_note"]["title"], "heading"))
        out.extend(_wrap(model["safety_note"]["body"]))
        out.append(rule)

    target = model["target"]
    heading(t("scanned", lang))
    mode = t(f"mode_{target['mode']}", lang)
    desc = t("scanned_line", lang, what=mode[:1].upper() + mode[1:], os=os_name(target["os"]),
             n=model["rules"]["count"])
    if target["mode"] == "image":
        desc += " " + t("scanned_folder", lang, folder=safe_text(target["root"]))
    out.extend(_wrap(desc))
    for pack in model["rules"].get("packs", []):
        out.extend(_wrap(pack_line(pack, lang), indent="  "))
    for warning in model.get("warnings", []):
        out.append("")
        out.extend(_wrap(style(safe_text(warning, 2000), "alert")))
    if model.get("warnings"):
        out.append("")
    out.extend(_wrap(t("findings_summary", lang, **model["summary"])))

    if not model["findings"]:
        out.append("")
        out.extend(_wrap(t("no_findings", lang)))
    for severity in ("alert", "review", "info"):
        group = [f for f in model["findings"] if f["severity"] == severity]
        if not group:
            continue
        heading(f"{t('severity_' + severity, lang)} ({len(group)})", severity)
        out.extend(_wrap(t(f"severity_{severity}_help", lang)))
        for f in group:
            out.append("")
            out.extend(_wrap(style(f["title"], severity), first="  * ", indent="    "))
            for key in ("what", "why"):
                out.extend(_wrap(f[key], indent="    ", first=f"    {t(key, lang)}: "))
            if f["actions"]:
                out.append(f"    {t('actions', lang)}:")
                for action in f["actions"]:
                    out.extend(_wrap(action, indent="        ", first="      - "))
            if f["normal"]:
                out.extend(_wrap(f["normal"], indent="    ", first=f"    {t('normal', lang)}: "))
            out.extend(_wrap(f"{t('evidence', lang)} [{f['rule_id']}]:", indent="      ", first="    "))
            for item in f["evidence"][:MAX_EVIDENCE]:
                out.extend(evidence_lines(item, lang))
            extra = len(f["evidence"]) - MAX_EVIDENCE
            if extra > 0:
                out.append(f"      ({t('more_in_json', lang, n=extra)})")

    if "startup" in model:
        out.extend(render_startup(model["startup"], lang, style))

    heading(t("checks_title", lang))
    for c in model["checks"]:
        status = t(f"status_{c['status']}", lang)
        line = f"[{status}] {c['title']}"
        if c["reason"]:
            line += f": {safe_text(c['reason'], 300)}"
        out.extend(_wrap(style(line, c["status"]), indent="      ", first="  "))
    out.extend(render_notes(model, lang))
    out.append("")
    out.extend(_wrap(model["limits"]))

    out.append("")
    out.append(rule)
    out.append(style(model["support"]["title"], "heading"))
    out.extend(_wrap(model["support"]["body"]))
    for res in model["support"]["resources"]:
        out.extend(_wrap(res, indent="    ", first="  - "))
    out.append(rule)
    return "\n".join(out) + "\n"


def render_notes(model: dict[str, Any], lang: str) -> list[str]:
    """Notes grouped under their check, a few per check and MAX_NOTES in all, each cut with a count."""
    checks = [c for c in model["checks"] if c["notes"]]
    if not checks:
        return []
    total = sum(len(c["notes"]) for c in checks)
    title = f"{t('notes_title', lang)} ({t('notes_count', lang, n=total)})"
    out = ["", title, "-" * min(len(title), WIDTH), *_wrap(t("notes_help", lang))]
    shown_total = 0
    for c in checks:
        room = max(0, min(MAX_NOTES_PER_CHECK, MAX_NOTES - shown_total))
        out.append("")
        out.extend(_wrap(f"{c['title']}: {len(c['notes'])}", indent="    ", first="  "))
        for n in c["notes"][:room]:
            message = translate_message(n["message"], lang)
            out.extend(_wrap(f"{safe_text(n['path'], 300)}: {safe_text(message, 300)}",
                             indent="      ", first="    - "))
        shown_total += min(room, len(c["notes"]))
        if len(c["notes"]) > room:
            out.extend(_wrap(f"({t('notes_more', lang, n=len(c['notes']) - room)})", indent="      ",
                             first="    "))
    return out


MAX_STARTUP_PER_PLACE = 25


def origin_counts_line(section: dict[str, Any], lang: str) -> str:
    parts = [f"{value_label('origin', o, lang) or t('startup_origin_unchecked', lang)}: {n}"
             for o, n in section["by_origin"].items()]
    return t("startup_counts", lang, n=section["count"], origins="; ".join(parts) or "-")


def render_startup(section: dict[str, Any], lang: str, style: Style = _plain) -> list[str]:
    """The "What starts by itself" section: places, each entry with its origin and what it runs."""
    title = section["title"]
    out = ["", style(title, "heading"), style("-" * min(len(title), WIDTH), "heading")]
    out.extend(_wrap(section["intro"]))
    out.extend(_wrap(section["how_to_tell"]))
    if not section["places"]:
        out.extend(["", *_wrap(t("startup_none", lang))])
        return out
    out.extend(_wrap(origin_counts_line(section, lang)))
    for place in section["places"]:
        entries = place["entries"]
        out.extend(["", *_wrap(f"{safe_text(place['label'], 100)} ({len(entries)})", first="  ", indent="    ")])
        for e in entries[:MAX_STARTUP_PER_PLACE]:
            line = f"{safe_text(e.get('name', ''), 200)} — {safe_text(e['origin_label'], 200)}"
            if e.get("behaviour_labels"):
                line += f" [{safe_text(', '.join(e['behaviour_labels']), 300)}]"
            if e.get("enabled") is False:
                line += f" ({t('status_off', lang)})"
            out.extend(_wrap(line, first="    - ", indent="        "))
            detail = safe_text(e.get("command") or e.get("exe") or "", 300)
            where = safe_text(e.get("where") or "", 300)
            if where and where != detail:
                detail = f"{detail} ({t('found_at', lang)}: {where})" if detail else where
            if detail:
                out.extend(_wrap(detail, indent="        ", first="        "))
        extra = len(entries) - MAX_STARTUP_PER_PLACE
        if extra > 0:
            out.extend(_wrap(t("startup_more", lang, n=extra), first="    ", indent="    "))
    return out
