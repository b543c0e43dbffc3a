"""What the app's pages share: the run's state, the page language, rendering a page, starting and
finishing scan jobs, answers from a form, the results page, and saving files (owner-only)."""

from __future__ import annotations

import json
import os
import secrets
import time
from typing import TYPE_CHECKING, Any, cast

from flask import Response, current_app, g, make_response, redirect, request

from techcheck.app.bundle import make_bundle
from techcheck.app.compare import compare_findings, keyed
from techcheck.app.jobs import ScanJob, ScanRequest
from techcheck.app.store import ANSWERS
from techcheck.app.texts import at, has_app_text, language_names, page_texts
from techcheck.report.format import SaveHint, finding_actions, origin_counts_line
from techcheck.report.html import MAX_STARTUP, MAX_TIMELINE, render_html
from techcheck.report.loader import load_report
from techcheck.report.output import OutputError, write_report_atomically
from techcheck.report.schema import SEVERITIES, Report
from techcheck.texts import LANGUAGES, os_name, t

if TYPE_CHECKING:
    from techcheck.app.web import AppState, Result

MAX_NOTE = 10_000
Answers = dict[str, tuple[str, str]]  # finding key -> (answer, note)


def app_state() -> AppState:
    from techcheck.app.web import STATE_KEY

    return cast("AppState", current_app.extensions[STATE_KEY])


def lang() -> str:
    state = app_state()
    return state.lang.get(g.get("session", ""), state.config.lang)


def page(name: str, status: int = 200, **values: Any) -> Response:
    lg = lang()
    html = current_app.jinja_env.get_template(name).render(
        T=page_texts(lg), lang=lg, languages=LANGUAGES, language_names=language_names(), csrf=g.get("csrf", ""),
        clinic=app_state().config.clinic, **values)
    return make_response(html, status)


def see_other(url: str) -> Response:
    return redirect(url, 303)  # type: ignore[return-value]


def start_job(case_id: int | None) -> Response:
    state = app_state()
    root: str | None = None
    if request.form.get("what") == "copy":
        root = request.form.get("folder", "").strip()
        if not root or not os.path.isdir(root):
            action = f"/clinic/case/{case_id}/scan" if case_id is not None else "/scan"
            return page("choose.html.j2", 400, action=action, folder=root,
                        error=at("bad_folder", lang(), folder=root))
    os_choice = request.form.get("os") or None
    job = ScanJob(ScanRequest(root, os_choice if os_choice in ("linux", "windows", "macos") else None,
                              lang(), state.config.rule_dirs))
    job_id = secrets.token_urlsafe(12)
    with state.lock:
        state.jobs[job_id] = job
        if case_id is not None:
            state.job_case[job_id] = case_id
    job.start()
    return see_other(f"/scan/{job_id}")


def finish_job(job_id: str, job: ScanJob) -> str:
    """The finished job's result, kept (and saved as a visit of its case in clinic mode): its page."""
    from techcheck.app.web import Result

    state = app_state()
    with state.lock:
        existing = next((r for r in state.results.values() if r.id == job_id), None)
        if existing is not None:
            return result_url(existing)
        loaded = load_report(job.report_json.encode("utf-8"))  # checked, as every report the app reads
        result = Result(job_id, job.report_json, loaded.report, loaded.raw)
        case_id = state.job_case.get(job_id)
        if case_id is not None and state.store is not None:
            result.visit_id = save_visit(state, case_id, result)
        state.results[job_id] = result
        return result_url(result)


def result_url(result: Result) -> str:
    return f"/clinic/visit/{result.visit_id}" if result.visit_id is not None else f"/results/{result.id}"


def save_visit(state: AppState, case_id: int, result: Result) -> int:
    """A clinic visit of the case; answers carried over to the findings still there since the last visit."""
    assert state.store is not None
    report = result.report
    visit_id = state.store.add_visit(case_id, now(), identity(report), result.report_json)
    earlier = [v for v in state.store.visits(case_id) if v.id != visit_id]
    if earlier:  # the same identity: the answer given for that thing carries over
        previous = state.store.answers(earlier[-1].id)
        for key, _ in compare_findings(earlier[-1].report, report).same:
            if key in previous:
                state.store.set_answer(visit_id, key, previous[key].answer, previous[key].note)
    return visit_id


def answers_from_form(report: Report) -> Answers:
    out: Answers = {}
    for key in keyed(report):
        answer = request.form.get(f"answer-{key}", "")
        note = request.form.get(f"note-{key}", "")[:MAX_NOTE]
        if f"answer-{key}" in request.form or f"note-{key}" in request.form:
            out[key] = (answer if answer in ANSWERS else "", note)
    return out


def results_page(report: Report, answers: Answers, base: str, message: str, **extra: Any) -> Response:
    lg = lang()
    state = app_state()
    # Each finding with its key (its identity) and its actions as shown: a "save this report" action
    # says how, here: the Save button at the end of the page and the folder it saves to.
    save = SaveHint(path=state.config.default_folder, how="app", button=at("save_html", lg),
                    section=at("save_title", lg))
    findings = [dict(f, key=key, shown_actions=finding_actions(f, lg, save)) for key, f in keyed(report).items()]
    groups = {sev: [f for f in findings if f["severity"] == sev] for sev in SEVERITIES}
    resources = state.store.resources() if state.store is not None else []
    return page("results.html.j2", r=report, groups=groups, severities=SEVERITIES, answers=answers,
                base=base, message=at(message, lg) if has_app_text(message) else "",
                labels={s: t(f"severity_{s}", lg) for s in SEVERITIES},
                statuses={s: t(f"status_{s}", lg) for s in ("ok", "skipped", "failed", "partial")},
                os_label=os_name(str(report.get("target", {}).get("os", ""))),
                folder=state.config.default_folder, local_resources=resources,
                startup_counts=origin_counts_line(report["startup"], lg) if "startup" in report else "",
                max_startup=MAX_STARTUP, max_timeline=MAX_TIMELINE, **extra)


def save_page(record: dict[str, Any], report: Report, answers: Answers, back: str) -> Response:
    """Save the report (HTML) or the evidence bundle (zip) in the folder the form names."""
    folder = request.form.get("folder", "").strip()
    stamp = time.strftime("%Y%m%d-%H%M%S")
    bundle = request.form.get("kind", "html") == "bundle"
    name = f"techcheck-{stamp}.zip" if bundle else f"techcheck-{stamp}.html"
    saved = SaveHint(path=os.path.abspath(os.path.join(folder, name)) if folder else name, how="saved")
    if bundle:
        data = make_bundle(bundle_files(record, report, answers, saved), now())
    else:
        data = render_html(report, saved, record).encode("utf-8")
    return saved_page(folder, name, data, [report], back)


def saved_page(folder: str, name: str, data: bytes, reports: list[Report], back: str) -> Response:
    """Write a new owner-only file through report/output.py (atomic; never over a file, a link, a FIFO
    or a device, never inside a disk copy the reports are about) and say where, or why not."""
    roots = [str(r.get("target", {}).get("root") or "") for r in reports if r.get("target", {}).get("mode") == "image"]
    try:
        if not folder:
            raise OutputError(name, "no_folder")
        path = write_report_atomically(os.path.join(folder, name), data, roots, replace=False)
        note, ok = at("saved_to", lang(), path=path), True
    except OutputError as exc:
        note, ok = at("save_failed", lang(), reason=t(f"output_{exc.reason}", lang(), detail=exc.detail)), False
    return page("saved.html.j2", 200 if ok else 400, note=note, ok=ok, back=back)


def identity(report: Report) -> str:
    target = report.get("target", {})
    parts = [os_name(str(target.get("os", ""))), str(target.get("hostname", "") or "")]
    if target.get("mode") == "image":
        parts.append(str(target.get("root", "")))
    return " · ".join(p for p in parts if p)


def bundle_files(record: dict[str, Any], report: Report, answers: Answers,
                 saved: SaveHint) -> dict[str, bytes]:
    """The files of an evidence bundle: the record exactly as made (its digest covers it), the
    report page, and the answers by finding key (each finding's identity: app/compare.py)."""
    listed = []
    for key, f in keyed(report).items():
        answer, note = answers.get(key, ("", ""))
        listed.append({"finding_key": key, "identity": f.get("identity", ""), "rule_id": f.get("rule_id"),
                       "title": f.get("title"), "answer": answer, "note": note})
    answers_doc = {"schema": "techcheck.answers/1", "question": "Did you, or someone you trust, set this up?",
                   "findings": listed}
    return {
        "report.json": (json.dumps(record, indent=2, ensure_ascii=True) + "\n").encode("utf-8"),
        "report.html": render_html(report, saved, record).encode("utf-8"),
        "answers.json": (json.dumps(answers_doc, indent=2, ensure_ascii=True) + "\n").encode("utf-8"),
    }


def now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
