"""The app's pages (Flask). Server-rendered from Jinja2 templates with autoescape; the only script
is the Quick exit key. Everything shown comes from the same report model and texts as the CLI."""

from __future__ import annotations

import functools
import json
import os
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from flask import Flask, Response, abort, g, make_response, redirect, request
from jinja2 import PackageLoader

from techcheck.app.bundle import make_bundle
from techcheck.app.compare import compare_findings, keyed
from techcheck.app.guard import COOKIE, Guard
from techcheck.app.jobs import ScanJob, ScanRequest
from techcheck.app.sealing import WrongPassphrase
from techcheck.app.store import ANSWERS, CaseStore, StoreError
from techcheck.app.texts import at, has_app_text, language_names, page_texts
from techcheck.report.format import SaveHint, finding_actions, origin_counts_line
from techcheck.report.html import MAX_STARTUP, MAX_TIMELINE, render_html, report_environment
from techcheck.report.loader import ReportError, load_report
from techcheck.report.output import OutputError, write_report_atomically
from techcheck.report.schema import SEVERITIES, Report
from techcheck.texts import DEFAULT_LANGUAGE, LANGUAGES, check_title, os_name, t

SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Pragma": "no-cache",
    "Content-Security-Policy": ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
                                "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # same-origin, not no-referrer: with no-referrer Chromium sends "Origin: null" on our own form posts.
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}
MAX_FORM_BYTES = 2 * 1024 * 1024
MAX_NOTE = 10_000


@dataclass
class Result:
    """A finished scan shown in the app: its JSON record (as made, and loaded: load_report) and,
    outside clinic mode, the answers."""

    id: str
    report_json: str
    report: dict[str, Any]
    record: dict[str, Any]
    answers: dict[str, tuple[str, str]] = field(default_factory=dict)  # finding key -> (answer, note)
    visit_id: int | None = None


@dataclass
class AppConfig:
    clinic: bool = False
    store_path: Path | None = None
    rule_dirs: tuple[str, ...] = ()
    lang: str = DEFAULT_LANGUAGE
    default_folder: str = field(default_factory=lambda: str(Path.home()))


@dataclass
class AppState:
    config: AppConfig
    guard: Guard
    shutdown: Callable[[], None]
    jobs: dict[str, ScanJob] = field(default_factory=dict)
    job_case: dict[str, int] = field(default_factory=dict)
    results: dict[str, Result] = field(default_factory=dict)
    store: CaseStore | None = None
    lang: dict[str, str] = field(default_factory=dict)  # session -> language
    last_request: float = field(default_factory=time.monotonic)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def stop_everything(self) -> None:
        for job in list(self.jobs.values()):
            job.cancel("quick exit")
        if self.store is not None:
            self.store.close()
            self.store = None


def create_app(state: AppState) -> Flask:
    app = Flask(__name__, static_folder="static", static_url_path="/static")
    app.config["MAX_CONTENT_LENGTH"] = MAX_FORM_BYTES
    env = report_environment(state.config.lang, PackageLoader("techcheck.app", "templates"))

    def lang() -> str:
        return state.lang.get(g.get("session", ""), state.config.lang)

    def page(name: str, status: int = 200, **values: Any) -> Response:
        lg = lang()
        html = env.get_template(name).render(T=page_texts(lg), lang=lg, languages=LANGUAGES,
                                             language_names=language_names(), csrf=g.get("csrf", ""),
                                             clinic=state.config.clinic, **values)
        return make_response(html, status)

    @app.before_request
    def guard_request() -> Response | None:
        state.last_request = time.monotonic()
        if not state.guard.host_ok(request.headers.get("Host")):
            return make_response(at("refused"), 403)
        session = request.cookies.get(COOKIE)
        if request.path == "/" and state.guard.token_ok(request.args.get("token")):
            kept = session if session and state.guard.session_ok(session) else state.guard.new_session()
            resp = make_response(redirect("/start", 303))
            resp.set_cookie(COOKIE, kept, httponly=True, samesite="Strict", path="/")
            return resp
        if not state.guard.session_ok(session):
            return make_response(at("refused"), 403)
        g.session, g.csrf = session, state.guard.csrf_for(str(session))
        changes_state = request.method not in ("GET", "HEAD")
        if changes_state and not (state.guard.origin_ok(request.headers.get("Origin"))
                                  and state.guard.csrf_ok(session, request.form.get("csrf"))):
            return make_response(at("refused"), 403)
        return None

    @app.after_request
    def headers(resp: Response) -> Response:
        for name, value in SECURITY_HEADERS.items():
            resp.headers[name] = value
        return resp

    # --- start -------------------------------------------------------------------------------------
    @app.get("/start")
    def start() -> Response:
        chosen = request.args.get("lang")
        if chosen in LANGUAGES:
            state.lang[g.session] = chosen
        return page("start.html.j2", traces=at("traces", lang()).split("\n"))

    @app.get("/choose")
    def choose() -> Response:
        return page("choose.html.j2", action="/scan", folder=state.config.default_folder, error="")

    @app.post("/scan")
    def start_scan() -> Response:
        return _start_job(None)

    def _start_job(case_id: int | None) -> Response:
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
        return redirect(f"/scan/{job_id}", 303)  # type: ignore[return-value]

    @app.get("/scan/<job_id>")
    def progress(job_id: str) -> Response:
        job = state.jobs.get(job_id) or abort(404)
        if job.state == "done":
            try:
                return redirect(_finish_job(job_id, job), 303)  # type: ignore[return-value]
            except ReportError as exc:  # the check's own record does not load: say so, keep nothing
                job.state, job.error = "failed", str(exc)
        return page("progress.html.j2", job=job, job_id=job_id)

    @app.post("/scan/<job_id>/cancel")
    def cancel(job_id: str) -> Response:
        job = state.jobs.get(job_id) or abort(404)
        job.cancel()
        return redirect(f"/scan/{job_id}", 303)  # type: ignore[return-value]

    def _finish_job(job_id: str, job: ScanJob) -> str:
        with state.lock:
            existing = next((r for r in state.results.values() if r.id == job_id), None)
            if existing is not None:
                return _result_url(existing)
            loaded = load_report(job.report_json.encode("utf-8"))
            result = Result(job_id, job.report_json, dict(loaded.report), loaded.raw)
            case_id = state.job_case.get(job_id)
            if case_id is not None and state.store is not None:
                result.visit_id = _save_visit(case_id, result)
            state.results[job_id] = result
            return _result_url(result)

    def _result_url(result: Result) -> str:
        return f"/clinic/visit/{result.visit_id}" if result.visit_id is not None else f"/results/{result.id}"

    # --- results (outside clinic mode, kept in memory only) ------------------------------------------------
    @app.get("/results/<result_id>")
    def results(result_id: str) -> Response:
        result = state.results.get(result_id) or abort(404)
        return _results_page(result.report, result.answers, f"/results/{result_id}",
                             request.args.get("msg", ""))

    @app.post("/results/<result_id>/answers")
    def save_answers(result_id: str) -> Response:
        result = state.results.get(result_id) or abort(404)
        result.answers.update(_answers_from_form(result.report))
        return redirect(f"/results/{result_id}?msg=answers_saved#answers", 303)  # type: ignore[return-value]

    @app.post("/results/<result_id>/save")
    def save_files(result_id: str) -> Response:
        result = state.results.get(result_id) or abort(404)
        result.answers.update(_answers_from_form(result.report))
        return _save(result.record, result.report, result.answers, f"/results/{result_id}")

    def _answers_from_form(report: dict[str, Any]) -> dict[str, tuple[str, str]]:
        out: dict[str, tuple[str, str]] = {}
        for key in keyed(report):
            answer = request.form.get(f"answer-{key}", "")
            note = request.form.get(f"note-{key}", "")[:MAX_NOTE]
            if f"answer-{key}" in request.form or f"note-{key}" in request.form:
                out[key] = (answer if answer in ANSWERS else "", note)
        return out

    def _results_page(report: dict[str, Any], answers: dict[str, tuple[str, str]], base: str,
                      message: str, **extra: Any) -> Response:
        lg = lang()
        # Each finding with its key (its identity) and its actions as shown: a "save this report"
        # action says how, here: the Save button at the end of the page and the folder it saves to.
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

    def _save(record: dict[str, Any], report: dict[str, Any], answers: dict[str, tuple[str, str]],
              back: str) -> Response:
        folder = request.form.get("folder", "").strip()
        kind = request.form.get("kind", "html")
        stamp = time.strftime("%Y%m%d-%H%M%S")
        name = f"techcheck-{stamp}.zip" if kind == "bundle" else f"techcheck-{stamp}.html"
        path = os.path.abspath(os.path.join(folder, name)) if folder else name
        saved = SaveHint(path=path, how="saved")
        if kind == "bundle":
            data = make_bundle(_bundle_files(record, report, answers, saved), _now())
        else:
            data = render_html(cast(Report, report), saved, record).encode("utf-8")
        return _saved_page(folder, name, data, [report], back)

    def _saved_page(folder: str, name: str, data: bytes, reports: list[dict[str, Any]], back: str) -> Response:
        """Write a new owner-only file through report/output.py (atomic; never over a file, a link,
        a FIFO or a device, never inside a disk copy the reports are about) and say where, or why not."""
        roots = [str(r.get("target", {}).get("root") or "") for r in reports
                 if r.get("target", {}).get("mode") == "image"]
        try:
            if not folder:
                raise OutputError(name, "no_folder")
            path = write_report_atomically(os.path.join(folder, name), data, roots, replace=False)
            note, ok = at("saved_to", lang(), path=path), True
        except OutputError as exc:
            reason = t(f"output_{exc.reason}", lang(), detail=exc.detail)
            note, ok = at("save_failed", lang(), reason=reason), False
        return page("saved.html.j2", 200 if ok else 400, note=note, ok=ok, back=back)

    # --- quick exit and finish ---------------------------------------------------------------------------
    @app.post("/exit")
    def quick_exit() -> Response:
        state.stop_everything()
        threading.Timer(0.3, state.shutdown).start()
        return page("bye.html.j2")

    @app.post("/finish")
    def finish() -> Response:
        state.stop_everything()
        threading.Timer(0.3, state.shutdown).start()
        return page("bye.html.j2")

    # --- clinic mode ---------------------------------------------------------------------------------
    def store_or_unlock() -> CaseStore | Response:
        if not state.config.clinic:
            abort(404)
        if state.store is None:
            return page("unlock.html.j2", error="", new=not _store_path().exists())
        return state.store

    def clinic_page(view: Callable[..., Response]) -> Callable[..., Response]:
        """A clinic page: the open case store is passed in; a locked store shows the unlock page."""

        @functools.wraps(view)
        def wrapped(**kwargs: Any) -> Response:
            store = store_or_unlock()
            return store if isinstance(store, Response) else view(store, **kwargs)

        return wrapped

    def _store_path() -> Path:
        from techcheck.app.store import default_store_path

        return state.config.store_path or default_store_path()

    @app.get("/clinic")
    @clinic_page
    def clinic(store: CaseStore) -> Response:
        return page("cases.html.j2", cases=store.cases(), resources=store.resources(), encrypted=store.encrypted,
                    message=at(request.args.get("msg", ""), lang()) if request.args.get("msg") else "")

    @app.post("/clinic/unlock")
    def unlock() -> Response:
        if not state.config.clinic:
            abort(404)
        passphrase = request.form.get("passphrase", "")
        try:
            state.store = CaseStore(_store_path(), passphrase or None)
        except WrongPassphrase:
            return page("unlock.html.j2", 403, error=at("clinic_wrong_passphrase", lang()), new=False)
        except (StoreError, OSError) as exc:
            return page("unlock.html.j2", 400, error=str(exc), new=False)
        return redirect("/clinic", 303)  # type: ignore[return-value]

    @app.post("/clinic/cases")
    @clinic_page
    def add_case(store: CaseStore) -> Response:
        code = request.form.get("client_code", "").strip()[:100]
        advocate = request.form.get("advocate", "").strip()[:100]
        if not code:
            return redirect("/clinic", 303)  # type: ignore[return-value]
        case_id = store.add_case(code, advocate, _now())
        return redirect(f"/clinic/case/{case_id}", 303)  # type: ignore[return-value]

    @app.get("/clinic/case/<int:case_id>")
    @clinic_page
    def case(store: CaseStore, case_id: int) -> Response:
        found = store.case(case_id) or abort(404)
        return page("case.html.j2", case=found, visits=store.visits(case_id), folder=state.config.default_folder,
                    message=at(request.args.get("msg", ""), lang()) if request.args.get("msg") else "")

    @app.post("/clinic/case/<int:case_id>/scan")
    @clinic_page
    def case_scan(store: CaseStore, case_id: int) -> Response:
        store.case(case_id) or abort(404)
        if request.form.get("what") is None:
            return page("choose.html.j2", action=f"/clinic/case/{case_id}/scan", folder=state.config.default_folder,
                        error="")
        return _start_job(case_id)

    def _save_visit(case_id: int, result: Result) -> int:
        assert state.store is not None
        report = result.report
        identity = _identity(report)
        visit_id = state.store.add_visit(case_id, _now(), identity, result.report_json)
        earlier = [v for v in state.store.visits(case_id) if v.id != visit_id]
        if earlier:  # answers carried over to the findings still there (the same identity)
            previous = state.store.answers(earlier[-1].id)
            for key, _ in compare_findings(earlier[-1].report, report).same:
                if key in previous:
                    state.store.set_answer(visit_id, key, previous[key].answer, previous[key].note)
        return visit_id

    @app.get("/clinic/visit/<int:visit_id>")
    @clinic_page
    def visit(store: CaseStore, visit_id: int) -> Response:
        found = store.visit(visit_id) or abort(404)
        answers = {k: (a.answer, a.note) for k, a in store.answers(visit_id).items()}
        visits = store.visits(found.case_id)
        number = [v.id for v in visits].index(visit_id) + 1
        return _results_page(found.report, answers, f"/clinic/visit/{visit_id}", request.args.get("msg", ""),
                             case_id=found.case_id, visit_number=number, has_previous=number > 1)

    @app.post("/clinic/visit/<int:visit_id>/answers")
    @clinic_page
    def visit_answers(store: CaseStore, visit_id: int) -> Response:
        found = store.visit(visit_id) or abort(404)
        for key, (answer, note) in _answers_from_form(found.report).items():
            store.set_answer(visit_id, key, answer, note)
        return redirect(f"/clinic/visit/{visit_id}?msg=answers_saved#answers", 303)  # type: ignore[return-value]

    @app.post("/clinic/visit/<int:visit_id>/save")
    @clinic_page
    def visit_save(store: CaseStore, visit_id: int) -> Response:
        found = store.visit(visit_id) or abort(404)
        for key, (answer, note) in _answers_from_form(found.report).items():
            store.set_answer(visit_id, key, answer, note)
        answers = {k: (a.answer, a.note) for k, a in store.answers(visit_id).items()}
        return _save(found.record, found.report, answers, f"/clinic/visit/{visit_id}")

    @app.get("/clinic/visit/<int:visit_id>/compare")
    @clinic_page
    def compare(store: CaseStore, visit_id: int) -> Response:
        found = store.visit(visit_id) or abort(404)
        visits = store.visits(found.case_id)
        index = [v.id for v in visits].index(visit_id)
        if index == 0:
            abort(404)
        before = visits[index - 1]
        answers = {k: (a.answer, a.note) for k, a in store.answers(visit_id).items()}
        comparison = compare_findings(before.report, found.report)
        return page("compare.html.j2", comparison=comparison, old_n=index, new_n=index + 1, answers=answers,
                    labels={s: t(f"severity_{s}", lang()) for s in SEVERITIES},
                    visit_id=visit_id, case_id=found.case_id)

    @app.post("/clinic/case/<int:case_id>/export")
    @clinic_page
    def export(store: CaseStore, case_id: int) -> Response:
        store.case(case_id) or abort(404)
        folder = request.form.get("folder", "").strip()
        name = f"techcheck-case-{case_id}-{time.strftime('%Y%m%d-%H%M%S')}.zip"
        saved = SaveHint(path=os.path.abspath(os.path.join(folder, name)) if folder else name, how="saved")
        files: dict[str, bytes] = {}
        visits = store.visits(case_id)
        for n, v in enumerate(visits, start=1):
            answers = {k: (a.answer, a.note) for k, a in store.answers(v.id).items()}
            for file, data in _bundle_files(v.record, v.report, answers, saved).items():
                files[f"visit-{n}/{file}"] = data
        return _saved_page(folder, name, make_bundle(files, _now()), [v.report for v in visits],
                           f"/clinic/case/{case_id}")

    @app.post("/clinic/case/<int:case_id>/delete")
    @clinic_page
    def delete_case(store: CaseStore, case_id: int) -> Response:
        found = store.case(case_id) or abort(404)
        if request.form.get("confirm", "") != found.client_code:
            return redirect(f"/clinic/case/{case_id}?msg=clinic_delete_mismatch", 303)  # type: ignore[return-value]
        store.delete_case(case_id)
        return redirect("/clinic?msg=clinic_deleted", 303)  # type: ignore[return-value]

    @app.post("/clinic/resources")
    @clinic_page
    def add_resource(store: CaseStore) -> Response:
        text = request.form.get("text", "").strip()[:500]
        if text:
            store.add_resource(text)
        return redirect("/clinic#resources", 303)  # type: ignore[return-value]

    @app.post("/clinic/resources/<int:resource_id>/delete")
    @clinic_page
    def delete_resource(store: CaseStore, resource_id: int) -> Response:
        store.delete_resource(resource_id)
        return redirect("/clinic#resources", 303)  # type: ignore[return-value]

    @app.errorhandler(StoreError)
    def store_problem(exc: StoreError) -> Response:  # a stored visit whose report cannot be read
        return page("saved.html.j2", 500, note=str(exc), ok=False, back="/clinic")

    app.jinja_env = env  # type: ignore[assignment]
    app.extensions["techcheck_check_title"] = check_title
    return app


def _identity(report: dict[str, Any]) -> str:
    target = report.get("target", {})
    parts = [os_name(str(target.get("os", ""))), str(target.get("hostname", "") or "")]
    if target.get("mode") == "image":
        parts.append(str(target.get("root", "")))
    return " · ".join(p for p in parts if p)


def _bundle_files(record: dict[str, Any], report: dict[str, Any], answers: dict[str, tuple[str, str]],
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
        "report.html": render_html(cast(Report, report), saved, record).encode("utf-8"),
        "answers.json": (json.dumps(answers_doc, indent=2, ensure_ascii=True) + "\n").encode("utf-8"),
    }


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
