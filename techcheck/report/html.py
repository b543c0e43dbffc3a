"""The HTML report: one self-contained file, readable offline and printable.

Inline CSS only, no scripts, and a Content-Security-Policy that forbids loading anything, so
opening the file never contacts the network. Scanned names are hostile input: Jinja2 escapes every
value (autoescape), and every value first goes through `safe_text`, which shows control and
bidi-override characters as visible escapes and caps the length.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jinja2 import BaseLoader, ChoiceLoader, Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from techcheck.i18n import texts_for
from techcheck.report.evidence import html_record_block
from techcheck.report.format import (
    SaveHint,
    computer_lines,
    field_value,
    finding_actions,
    note_groups,
    origin_counts_line,
    pack_line,
    readable_time,
    shown_fields,
)
from techcheck.report.safe import safe_text
from techcheck.report.schema import SEVERITIES, Report
from techcheck.texts import (
    category_label,
    field_label,
    kind_label,
    os_name,
    t,
)

MAX_EVIDENCE = 50
MAX_STARTUP = 500  # entries shown per place; the JSON report lists them all
MAX_TIMELINE = 500  # timeline entries shown; the JSON report lists them all
MAX_NOTES = 200
MAX_NOTES_PER_CHECK = 50
MAX_VALUE = 400  # characters of one scanned value shown; the JSON report keeps it whole
MAX_TEXT = 1000


def _finalize(value: Any) -> Any:
    # Runs on the result of every {{ ... }}: numbers pass, everything else becomes safe text.
    if value is None:
        return ""
    if isinstance(value, Markup):  # made by this module only: the encoded evidence record
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    return safe_text(value, MAX_TEXT)


def _paragraphs(text: str) -> list[str]:
    return [p for p in str(text).split("\n\n") if p.strip()]


def report_environment(lang: str, extra_loader: BaseLoader | None = None) -> Environment:
    """The Jinja2 environment of the report: autoescape, safe text and the report's filters.

    The app renders its pages with the same environment (its own templates first).
    """
    loader: BaseLoader = PackageLoader("techcheck.report", "templates")
    if extra_loader is not None:
        loader = ChoiceLoader([extra_loader, loader])
    env = Environment(
        loader=loader,
        autoescape=True,
        finalize=_finalize,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["paragraphs"] = _paragraphs

    def value_filter(value: Any, name: str = "", local_times: dict[str, str] | None = None) -> str:
        local = (local_times or {}).get(name)
        return field_value(value, lang, name, limit=MAX_VALUE, list_limit=MAX_VALUE, local=local)

    env.filters["field_value"] = value_filter
    env.filters["shown_fields"] = shown_fields
    env.filters["field_label"] = lambda name: field_label(str(name), lang)
    env.filters["kind_label"] = lambda kind: kind_label(str(kind), lang)
    env.filters["category_label"] = lambda category: category_label(str(category), lang)
    return env


def render_html(model: Report, save: SaveHint | None = None, sealed: Mapping[str, Any] | None = None) -> str:
    """The HTML report. `save`: how this report is saved (the command for this run, or the file it is
    written to), said at each action that tells the reader to save the report. `sealed`: the
    report exactly as saved, to embed when `model` is an older report brought to the current shape
    (report/loader.py); its digest covers the saved form."""
    lang = model["language"]
    texts = texts_for(lang)
    record = model["evidence_record"]
    target = model["target"]
    groups = {sev: [f for f in model["findings"] if f["severity"] == sev] for sev in SEVERITIES}
    mode_label = t(f"mode_{target['mode']}", lang)
    scanned_line = t("scanned_line", lang, what=mode_label[:1].upper() + mode_label[1:], os=os_name(target["os"]),
                     n=model["rules"]["count"])
    if target["mode"] == "image":
        scanned_line += " " + t("scanned_folder", lang, folder=safe_text(target["root"]))
    pack_lines = [pack_line(p, lang) for p in model["rules"].get("packs", [])]
    file_hashes = {fh["path"]: fh["sha256"] for fh in record["flagged_files"] if fh.get("sha256")}
    template = report_environment(lang).get_template("report.html.j2")
    return template.render(
        r=model,
        rec=record,
        pack_lines=pack_lines,
        lang=lang,
        T=texts,
        severities=SEVERITIES,
        groups=groups,
        labels={s: t(f"severity_{s}", lang) for s in SEVERITIES},
        helps={s: t(f"severity_{s}_help", lang) for s in SEVERITIES},
        statuses={s: t(f"status_{s}", lang) for s in ("ok", "partial", "skipped", "failed")},
        access_advice=model["access"]["advice"] if "access" in model else [],
        file_statuses={"hashed": t("file_hashed", lang), "too large": t("file_too_large", lang),
                       "unreadable": t("file_unreadable", lang), "not found": t("file_not_found", lang)},
        note_groups=note_groups(model["checks"], lang, MAX_NOTES_PER_CHECK, MAX_NOTES),
        notes_total=sum(len(c["notes"]) for c in model["checks"]),
        inventory=model["inventory"]["kinds"],
        file_hashes=file_hashes,
        scanned_line=scanned_line,
        made=readable_time(model["finished"], model["local_time"]["finished"] if "local_time" in model else None,
                           model["local_time"]["zone"] if "local_time" in model else ""),
        computer_lines=computer_lines(model),
        warnings=[safe_text(w, 2000) for w in model["warnings"]],
        mode_label=mode_label,
        os_label=os_name(record["system"]["os"]),
        rules_line=t("rules_line", lang, n=record["rules"]["loaded"], files=record["rules"]["files"]),
        max_evidence=MAX_EVIDENCE,
        # base64 in a data block (see evidence.py); the report as saved when it was brought up to date
        record_json=Markup(html_record_block(model if sealed is None else sealed)),
        max_startup=MAX_STARTUP,
        max_timeline=MAX_TIMELINE,
        startup_counts=origin_counts_line(model["startup"], lang) if "startup" in model else "",
        more=lambda n: t("more_in_json", lang, n=n),
        actions=lambda f: finding_actions(f, lang, save),
    )
