"""Big databases without a write-ahead log are read in place (read-only, immutable: nothing
written, no copy in memory); with a log they are still copied so the log can be applied."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from techcheck.target import open_image
from techcheck.target.sqlite import IN_PLACE_FROM


def _big_db(path: Path, wal: bool) -> sqlite3.Connection | None:
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path)
    if wal:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA wal_autocheckpoint=0")
    db.execute("CREATE TABLE urls (id INTEGER PRIMARY KEY, url TEXT)")
    db.executemany("INSERT INTO urls (url) VALUES (?)", ((f"https://site{i}.example/{'x' * 400}",)
                                                         for i in range(IN_PLACE_FROM // 380)))
    db.commit()
    if wal:
        db.execute("INSERT INTO urls (url) VALUES ('https://only-in-the-log.example/')")
        db.commit()
        return db  # kept open by the caller: closing would checkpoint the last row out of the -wal file
    db.close()
    return None


def test_big_database_without_a_log_is_read_in_place(tmp_path: Path) -> None:
    path = tmp_path / "img/home/ana/History"
    _big_db(path, wal=False)
    before = {p.name: (p.stat().st_size, p.stat().st_mtime_ns) for p in path.parent.iterdir()}
    target = open_image(str(tmp_path / "img"), "linux")
    conn = target.sqlite("/home/ana/History")
    try:
        assert conn.reservation is None  # nothing of the read budget: no copy was made
        assert conn.notes == []
        assert conn.execute("SELECT count(*) FROM urls").fetchone()[0] == IN_PLACE_FROM // 380
    finally:
        conn.close()
    after = {p.name: (p.stat().st_size, p.stat().st_mtime_ns) for p in path.parent.iterdir()}
    assert after == before  # no journal, no -shm, nothing changed


def test_big_database_with_a_log_is_copied_and_the_log_applied(tmp_path: Path) -> None:
    path = tmp_path / "img/home/ana/History"
    writer = _big_db(path, wal=True)
    assert (path.parent / "History-wal").stat().st_size > 0
    target = open_image(str(tmp_path / "img"), "linux")
    conn = target.sqlite("/home/ana/History")
    try:
        assert conn.reservation is not None
        assert conn.execute("SELECT count(*) FROM urls WHERE url LIKE '%only-in-the-log%'").fetchone()[0] == 1
    finally:
        conn.close()
    assert writer is not None
    writer.close()
