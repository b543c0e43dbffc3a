"""The app's pages for one scan: start, choose what to check, progress, results, answers, saving,
quick exit and finish. Results outside clinic mode are kept in memory only."""

from __future__ import annotations

import threading

from flask import Blueprint, Response, abort, g, request

from techcheck.app.pages import (
    answers_from_form,
    app_state,
    finish_job,
    lang,
    page,
    results_page,
    save_page,
    see_other,
    start_job,
)
from techcheck.app.texts import at
from techcheck.report.loader import ReportError
from techcheck.texts import LANGUAGES

scan_pages = Blueprint("scan", __name__)


@scan_pages.get("/start")
def start() -> Response:
    chosen = request.args.get("lang")
    if chosen in LANGUAGES:
        app_state().lang[g.session] = chosen
    return page("start.html.j2", traces=at("traces", lang()).split("\n"))


@scan_pages.get("/choose")
def choose() -> Response:
    return page("choose.html.j2", action="/scan", folder=app_state().config.default_folder, error="")


@scan_pages.post("/scan")
def start_scan() -> Response:
    return start_job(None)


@scan_pages.get("/scan/<job_id>")
def progress(job_id: str) -> Response:
    job = app_state().jobs.get(job_id) or abort(404)
    if job.state == "done":
        try:
            return see_other(finish_job(job_id, job))
        except ReportError as exc:  # the check's own record does not load: say so, keep nothing
            job.state, job.error = "failed", str(exc)
    return page("progress.html.j2", job=job, job_id=job_id)


@scan_pages.post("/scan/<job_id>/cancel")
def cancel(job_id: str) -> Response:
    job = app_state().jobs.get(job_id) or abort(404)
    job.cancel()
    return see_other(f"/scan/{job_id}")


@scan_pages.get("/results/<result_id>")
def results(result_id: str) -> Response:
    result = app_state().results.get(result_id) or abort(404)
    return results_page(result.report, result.answers, f"/results/{result_id}", request.args.get("msg", ""))


@scan_pages.post("/results/<result_id>/answers")
def save_answers(result_id: str) -> Response:
    result = app_state().results.get(result_id) or abort(404)
    result.answers.update(answers_from_form(result.report))
    return see_other(f"/results/{result_id}?msg=answers_saved#answers")


@scan_pages.post("/results/<result_id>/save")
def save_files(result_id: str) -> Response:
    result = app_state().results.get(result_id) or abort(404)
    result.answers.update(answers_from_form(result.report))
    return save_page(result.record, result.report, result.answers, f"/results/{result_id}")


@scan_pages.post("/exit")
def quick_exit() -> Response:
    return _stop()


@scan_pages.post("/finish")
def finish() -> Response:
    return _stop()


def _stop() -> Response:
    """Quick exit and Finish: stop every scan, close the case store, and end the app."""
    state = app_state()
    state.stop_everything()
    threading.Timer(0.3, state.shutdown).start()
    return page("bye.html.j2")
