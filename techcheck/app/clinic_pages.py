"""The app's clinic pages: the case store (unlock), cases, visits with answers, comparing a visit
with the one before, exporting a case, and the clinic's own local resources."""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, abort, request

from techcheck.app.compare import compare_findings
from techcheck.app.pages import (
    Answers,
    answers_from_form,
    app_state,
    bundle_files,
    lang,
    now,
    page,
    results_page,
    save_page,
    saved_page,
    see_other,
    start_job,
)
from techcheck.app.sealing import WrongPassphrase
from techcheck.app.store import CaseStore, StoreError
from techcheck.app.texts import at
from techcheck.report.format import SaveHint
from techcheck.report.schema import SEVERITIES, Report
from techcheck.texts import t

clinic_pages = Blueprint("clinic", __name__)


def _store_path() -> Path:
    from techcheck.app.store import default_store_path

    return app_state().config.store_path or default_store_path()


def clinic_page(view: Callable[..., Response]) -> Callable[..., Response]:
    """A clinic page: the open case store is passed in; a locked store shows the unlock page."""

    @functools.wraps(view)
    def wrapped(**kwargs: Any) -> Response:
        state = app_state()
        if not state.config.clinic:
            abort(404)
        if state.store is None:
            return page("unlock.html.j2", error="", new=not _store_path().exists())
        return view(state.store, **kwargs)

    return wrapped


def _answers(store: CaseStore, visit_id: int) -> Answers:
    return {k: (a.answer, a.note) for k, a in store.answers(visit_id).items()}


def _message() -> str:
    return at(request.args.get("msg", ""), lang()) if request.args.get("msg") else ""


@clinic_pages.get("/clinic")
@clinic_page
def clinic(store: CaseStore) -> Response:
    return page("cases.html.j2", cases=store.cases(), resources=store.resources(), encrypted=store.encrypted,
                message=_message())


@clinic_pages.post("/clinic/unlock")
def unlock() -> Response:
    state = app_state()
    if not state.config.clinic:
        abort(404)
    passphrase = request.form.get("passphrase", "")
    try:
        state.store = CaseStore(_store_path(), passphrase or None)
    except WrongPassphrase:
        return page("unlock.html.j2", 403, error=at("clinic_wrong_passphrase", lang()), new=False)
    except (StoreError, OSError) as exc:
        return page("unlock.html.j2", 400, error=str(exc), new=False)
    return see_other("/clinic")


@clinic_pages.post("/clinic/cases")
@clinic_page
def add_case(store: CaseStore) -> Response:
    code = request.form.get("client_code", "").strip()[:100]
    advocate = request.form.get("advocate", "").strip()[:100]
    if not code:
        return see_other("/clinic")
    return see_other(f"/clinic/case/{store.add_case(code, advocate, now())}")


@clinic_pages.get("/clinic/case/<int:case_id>")
@clinic_page
def case(store: CaseStore, case_id: int) -> Response:
    found = store.case(case_id) or abort(404)
    return page("case.html.j2", case=found, visits=store.visits(case_id), folder=app_state().config.default_folder,
                message=_message())


@clinic_pages.post("/clinic/case/<int:case_id>/scan")
@clinic_page
def case_scan(store: CaseStore, case_id: int) -> Response:
    store.case(case_id) or abort(404)
    if request.form.get("what") is None:
        return page("choose.html.j2", action=f"/clinic/case/{case_id}/scan",
                    folder=app_state().config.default_folder, error="")
    return start_job(case_id)


@clinic_pages.get("/clinic/visit/<int:visit_id>")
@clinic_page
def visit(store: CaseStore, visit_id: int) -> Response:
    found = store.visit(visit_id) or abort(404)
    number = [v.id for v in store.visits(found.case_id)].index(visit_id) + 1
    return results_page(found.report, _answers(store, visit_id), f"/clinic/visit/{visit_id}",
                        request.args.get("msg", ""), case_id=found.case_id, visit_number=number,
                        has_previous=number > 1)


def _store_answers(store: CaseStore, visit_id: int, report: Report) -> None:
    for key, (answer, note) in answers_from_form(report).items():
        store.set_answer(visit_id, key, answer, note)


@clinic_pages.post("/clinic/visit/<int:visit_id>/answers")
@clinic_page
def visit_answers(store: CaseStore, visit_id: int) -> Response:
    found = store.visit(visit_id) or abort(404)
    _store_answers(store, visit_id, found.report)
    return see_other(f"/clinic/visit/{visit_id}?msg=answers_saved#answers")


@clinic_pages.post("/clinic/visit/<int:visit_id>/save")
@clinic_page
def visit_save(store: CaseStore, visit_id: int) -> Response:
    found = store.visit(visit_id) or abort(404)
    _store_answers(store, visit_id, found.report)
    return save_page(found.record, found.report, _answers(store, visit_id), f"/clinic/visit/{visit_id}")


@clinic_pages.get("/clinic/visit/<int:visit_id>/compare")
@clinic_page
def compare(store: CaseStore, visit_id: int) -> Response:
    found = store.visit(visit_id) or abort(404)
    visits = store.visits(found.case_id)
    index = [v.id for v in visits].index(visit_id)
    if index == 0:
        abort(404)
    comparison = compare_findings(visits[index - 1].report, found.report)
    return page("compare.html.j2", comparison=comparison, old_n=index, new_n=index + 1,
                answers=_answers(store, visit_id),
                labels={s: t(f"severity_{s}", lang()) for s in SEVERITIES}, visit_id=visit_id, case_id=found.case_id)


@clinic_pages.post("/clinic/case/<int:case_id>/export")
@clinic_page
def export(store: CaseStore, case_id: int) -> Response:
    from techcheck.app.bundle import make_bundle

    store.case(case_id) or abort(404)
    folder = request.form.get("folder", "").strip()
    name = f"techcheck-case-{case_id}-{time.strftime('%Y%m%d-%H%M%S')}.zip"
    saved = SaveHint(path=os.path.abspath(os.path.join(folder, name)) if folder else name, how="saved")
    files: dict[str, bytes] = {}
    visits = store.visits(case_id)
    for n, v in enumerate(visits, start=1):
        for file, data in bundle_files(v.record, v.report, _answers(store, v.id), saved).items():
            files[f"visit-{n}/{file}"] = data
    return saved_page(folder, name, make_bundle(files, now()), [v.report for v in visits], f"/clinic/case/{case_id}")


@clinic_pages.post("/clinic/case/<int:case_id>/delete")
@clinic_page
def delete_case(store: CaseStore, case_id: int) -> Response:
    found = store.case(case_id) or abort(404)
    if request.form.get("confirm", "") != found.client_code:
        return see_other(f"/clinic/case/{case_id}?msg=clinic_delete_mismatch")
    store.delete_case(case_id)
    return see_other("/clinic?msg=clinic_deleted")


@clinic_pages.post("/clinic/resources")
@clinic_page
def add_resource(store: CaseStore) -> Response:
    text = request.form.get("text", "").strip()[:500]
    if text:
        store.add_resource(text)
    return see_other("/clinic#resources")


@clinic_pages.post("/clinic/resources/<int:resource_id>/delete")
@clinic_page
def delete_resource(store: CaseStore, resource_id: int) -> Response:
    store.delete_resource(resource_id)
    return see_other("/clinic#resources")
