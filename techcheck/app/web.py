"""The app's pages (Flask): the state of a run of the app, and the Flask application with its guard.

Server-rendered from Jinja2 templates with autoescape; the only script is the Quick exit key.
Everything shown comes from the same report model and texts as the CLI. The pages themselves:
app/scan_pages.py (scan, results, saving, quick exit) and app/clinic_pages.py (clinic mode), with
the helpers they share in app/pages.py.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask, Response, g, make_response, redirect, request
from jinja2 import PackageLoader

from techcheck.app.guard import COOKIE, Guard
from techcheck.app.jobs import ScanJob
from techcheck.app.store import CaseStore, StoreError
from techcheck.app.texts import at
from techcheck.report.html import report_environment
from techcheck.report.schema import Report
from techcheck.texts import DEFAULT_LANGUAGE, check_title

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
STATE_KEY = "techcheck_state"  # where create_app keeps the AppState (app.extensions)


@dataclass
class Result:
    """A finished scan shown in the app: its JSON record and, outside clinic mode, the answers."""

    id: str
    report_json: str
    report: Report  # loaded with load_report: checked, in the current shape
    record: dict[str, Any]  # exactly as made (what its digest covers)
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
    from techcheck.app.clinic_pages import clinic_pages
    from techcheck.app.scan_pages import scan_pages

    app = Flask(__name__, static_folder="static", static_url_path="/static")
    app.config["MAX_CONTENT_LENGTH"] = MAX_FORM_BYTES
    app.jinja_env = report_environment(state.config.lang, PackageLoader("techcheck.app", "templates"))  # type: ignore[assignment]
    app.extensions[STATE_KEY] = state
    app.extensions["techcheck_check_title"] = check_title
    app.before_request(lambda: guard_request(state))
    app.after_request(security_headers)
    app.register_blueprint(scan_pages)
    app.register_blueprint(clinic_pages)
    app.register_error_handler(StoreError, store_problem)
    return app


def store_problem(exc: StoreError) -> Response:
    """A stored visit whose report cannot be read (load_report refused it): a plain page, not a crash."""
    from techcheck.app.pages import page

    return page("saved.html.j2", 500, note=str(exc), ok=False, back="/clinic")


def guard_request(state: AppState) -> Response | None:
    """Every request: the Host, then the session cookie (set once from the start link's token), then,
    for anything that changes state, the Origin and the form's CSRF token."""
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


def security_headers(resp: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        resp.headers[name] = value
    return resp
