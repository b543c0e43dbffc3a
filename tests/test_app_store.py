"""The clinic case store: owner-only, sealed with a passphrase, migrated, really deleted."""

from __future__ import annotations

import json
import sqlite3
import stat
from pathlib import Path

import pytest

from techcheck.app.sealing import WrongPassphrase
from techcheck.app.store import SCHEMA_VERSION, CaseStore, StoreError
from techcheck.report.json_report import render_json
from techcheck.report.model import build_report
from tests.reportdata import hostile_scan


def report_json(title: str = "Secret title 7781") -> str:
    """A real JSON report (loaded back with load_report when read), its first finding retitled."""
    report = json.loads(render_json(build_report(hostile_scan(), "en")))
    report["findings"][0]["title"] = title
    return json.dumps(report)


REPORT = report_json()


def test_store_is_owner_only_in_an_owner_only_folder(tmp_path: Path) -> None:
    path = tmp_path / "data" / "cases.sqlite"
    store = CaseStore(path)
    store.add_case("C-1", "Sam", "2026-12-01")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    for extra in path.parent.iterdir():  # journal and WAL files too
        assert stat.S_IMODE(extra.stat().st_mode) & 0o077 == 0, extra
    store.close()


def test_passphrase_seals_everything_and_a_wrong_one_opens_and_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "cases.sqlite"
    store = CaseStore(path, "correct horse battery")
    case_id = store.add_case("C-SECRET-9", "Advocate Name", "2026-12-01T10:00:00Z")
    visit_id = store.add_visit(case_id, "2026-12-01T10:05:00Z", "Linux · ana-laptop", REPORT)
    store.set_answer(visit_id, "k1", "no", "my private note")
    store.add_resource("Local shelter 555-0100")
    store.close()
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    for secret in (b"C-SECRET-9", b"Advocate Name", b"my private note", b"Secret title 7781", b"555-0100",
                   b"ana-laptop", b"2026-12-01"):
        assert secret not in raw, secret
    before = path.read_bytes()
    with pytest.raises(WrongPassphrase):
        CaseStore(path, "wrong")
    with pytest.raises(WrongPassphrase):
        CaseStore(path, None)
    assert path.read_bytes() == before
    again = CaseStore(path, "correct horse battery")
    assert [c.client_code for c in again.cases()] == ["C-SECRET-9"]
    assert again.answers(visit_id)["k1"].note == "my private note"
    assert again.visit(visit_id).record == json.loads(REPORT)  # type: ignore[union-attr]
    assert again.resources()[0][1] == "Local shelter 555-0100"
    again.close()


def test_version_one_store_is_migrated(tmp_path: Path) -> None:
    from techcheck.app.store import MIGRATIONS

    path = tmp_path / "old.sqlite"
    db = sqlite3.connect(path)
    for statement in MIGRATIONS[1]:
        db.execute(statement)
    db.execute("INSERT INTO meta VALUES ('schema_version', '1'), ('kdf', 'none')")
    db.execute("INSERT INTO cases (client_code, advocate, created) VALUES (?, ?, ?)", (b"C-OLD", b"Sam", b"2025"))
    db.execute("INSERT INTO visits (case_id, created, report) VALUES (1, ?, ?)", (b"2025", REPORT.encode()))
    db.commit()
    db.close()
    store = CaseStore(path)
    assert store.schema_version == SCHEMA_VERSION == 3
    assert [c.client_code for c in store.cases()] == ["C-OLD"]
    assert store.visits(1)[0].identity == ""  # the column version 2 added
    store.add_resource("works after migration")
    store.close()


def test_a_newer_or_foreign_file_is_refused(tmp_path: Path) -> None:
    foreign = tmp_path / "foreign.sqlite"
    db = sqlite3.connect(foreign)
    db.execute("CREATE TABLE t (x)")
    db.commit()
    db.close()
    with pytest.raises(StoreError):
        CaseStore(foreign)
    newer = tmp_path / "newer.sqlite"
    CaseStore(newer).close()
    db = sqlite3.connect(newer)
    db.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    db.commit()
    db.close()
    with pytest.raises(StoreError, match="newer"):
        CaseStore(newer)


def test_deleting_a_case_leaves_nothing_readable_in_the_file(tmp_path: Path) -> None:
    path = tmp_path / "cases.sqlite"
    store = CaseStore(path)  # no passphrase: the contents are plain, so deletion must really erase
    keep = store.add_case("C-KEEP", "Sam", "2026")
    gone = store.add_case("C-GONE-4242", "Sam", "2026")
    visit = store.add_visit(gone, "2026", "host-gone-4242", report_json("finding-gone-4242"))
    store.set_answer(visit, "k", "yes", "note-gone-4242")
    store.delete_case(gone)
    assert [c.id for c in store.cases()] == [keep]
    store.close()
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.is_file())
    for secret in (b"C-GONE-4242", b"host-gone-4242", b"finding-gone-4242", b"note-gone-4242"):
        assert secret not in raw, secret
    assert b"C-KEEP" in raw
