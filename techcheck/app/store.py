"""The clinic case store: one SQLite file in the user's data folder, owner-only.

Cases (a client code, not a real name by default, and the advocate's name), visits (each scan with
its date, the computer's identity and the JSON evidence record), answers and notes per finding,
and the clinic's own local support resources. With a passphrase every stored value is sealed
(sealing.py): client codes, names, notes, answers, reports and dates alike. Only row numbers,
the schema version, the scrypt salt and a sealed check value are stored in the clear.

Deleting a case removes its rows with secure_delete on, then VACUUM and a WAL checkpoint with
truncate, so the deleted contents do not linger in free pages or the write-ahead log.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from techcheck.app.sealing import CHECK_VALUE, Sealer, WrongPassphrase, derive_key, new_salt
from techcheck.report.loader import ReportError, load_report
from techcheck.report.schema import Report

SCHEMA_VERSION = 3
ANSWERS = ("yes", "no", "unsure", "")

# Each migration takes the store from version N-1 to N. Version 1 had cases, visits and answers;
# version 2 added the computer's identity to visits and the clinic's local resources; version 3
# keys answers by the finding's identity (app/compare.py), not by its rule or all its evidence
# (no table changes: the answers are re-keyed, which needs the opened store: DATA_MIGRATIONS).
MIGRATIONS: dict[int, tuple[str, ...]] = {
    1: (
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value BLOB NOT NULL)",
        "CREATE TABLE cases (id INTEGER PRIMARY KEY, client_code BLOB NOT NULL, advocate BLOB NOT NULL,"
        " created BLOB NOT NULL)",
        "CREATE TABLE visits (id INTEGER PRIMARY KEY, case_id INTEGER NOT NULL REFERENCES cases(id)"
        " ON DELETE CASCADE, created BLOB NOT NULL, report BLOB NOT NULL)",
        "CREATE TABLE answers (visit_id INTEGER NOT NULL REFERENCES visits(id) ON DELETE CASCADE,"
        " finding_key TEXT NOT NULL, answer BLOB NOT NULL, note BLOB NOT NULL,"
        " PRIMARY KEY (visit_id, finding_key))",
    ),
    2: (
        "ALTER TABLE visits ADD COLUMN identity BLOB",
        "CREATE TABLE resources (id INTEGER PRIMARY KEY, text BLOB NOT NULL)",
    ),
    3: (),
}
DATA_MIGRATIONS = (3,)  # run once the store is unlocked (they read sealed reports)


class StoreError(Exception):
    """The case store cannot be opened or is not a techcheck case store."""


@dataclass(frozen=True)
class Case:
    id: int
    client_code: str
    advocate: str
    created: str


@dataclass(frozen=True)
class Visit:
    id: int
    case_id: int
    created: str
    identity: str
    report: Report  # checked and in the current shape (report/loader.load_report)
    record: dict[str, Any]  # exactly as saved: what its digest covers (bundles carry this)


@dataclass(frozen=True)
class Answer:
    answer: str  # yes / no / unsure / "" (not answered)
    note: str


def create_private_file(path: Path) -> None:
    """Create an empty file readable only by its owner, inside an owner-only folder."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with contextlib.suppress(OSError):
        path.parent.chmod(0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    os.close(fd)


class CaseStore:
    """Open (creating when missing) the case store at `path`; `passphrase` seals a new store."""

    def __init__(self, path: Path, passphrase: str | None = None) -> None:
        self.path = path
        new = not path.exists()
        if new:
            create_private_file(path)
        elif path.is_symlink() or not path.is_file():
            raise StoreError(f"{path} is not a regular file")
        # Journal and WAL files are created beside the store: owner-only too.
        old_umask = os.umask(0o077)
        try:
            self.db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        finally:
            os.umask(old_umask)
        self.db.execute("PRAGMA foreign_keys = ON")
        self.db.execute("PRAGMA secure_delete = ON")
        self.db.execute("PRAGMA journal_mode = WAL")
        try:
            if new:
                self._create(passphrase)
            self._migrate(until=min(DATA_MIGRATIONS) - 1)  # table changes: no passphrase needed
            self.sealer = self._unlock(passphrase)
            self._migrate()  # the rest re-read sealed contents
        except BaseException:
            self.db.close()
            raise

    # --- opening ----------------------------------------------------------------------------------
    def _create(self, passphrase: str | None) -> None:
        with self._transaction():
            for statement in MIGRATIONS[1]:
                self.db.execute(statement)
            self._set_meta("schema_version", b"1")
            if passphrase:
                salt = new_salt()
                sealer = Sealer(derive_key(passphrase, salt))
                self._set_meta("kdf", b"scrypt")
                self._set_meta("salt", salt)
                self._set_meta("check", sealer.seal(CHECK_VALUE, b"check"))
            else:
                self._set_meta("kdf", b"none")

    def _migrate(self, until: int = SCHEMA_VERSION) -> None:
        try:
            version = int(self._meta("schema_version"))
        except (sqlite3.DatabaseError, ValueError, KeyError) as exc:
            raise StoreError(f"{self.path} is not a techcheck case store") from exc
        if version > SCHEMA_VERSION:
            raise StoreError(f"{self.path} was made by a newer techcheck (store version {version})")
        while version < until:
            version += 1
            with self._transaction():
                for statement in MIGRATIONS[version]:
                    self.db.execute(statement)
                if version == 3:
                    self._answers_by_identity()
                self._set_meta("schema_version", str(version).encode())

    def _answers_by_identity(self) -> None:
        """Version 3: answers keyed by each finding's identity. An answer kept under an older key
        (the hash of all the finding's evidence, or its rule id) moves to the finding it was given
        for, in that visit's own report; one that names no finding there stays as it is."""
        from techcheck.app.compare import finding_keys, legacy_keys

        for (visit_id,) in self.db.execute("SELECT id FROM visits").fetchall():
            try:
                visit = self.visit(visit_id)
            except StoreError:
                continue  # an unreadable report: its answers stay as they are
            if visit is None:
                continue
            findings = visit.report["findings"]
            moves: dict[str, str] = {}
            for key, finding in zip(finding_keys(findings), findings, strict=True):
                for old in legacy_keys(finding):
                    moves.setdefault(old, key)
            kept = {r[0] for r in self.db.execute("SELECT finding_key FROM answers WHERE visit_id = ?", (visit_id,))}
            for old, key in moves.items():
                if old in kept and key not in kept and old != key:
                    self.db.execute("UPDATE answers SET finding_key = ? WHERE visit_id = ? AND finding_key = ?",
                                    (key, visit_id, old))
                    kept = (kept - {old}) | {key}

    def _unlock(self, passphrase: str | None) -> Sealer:
        if self._meta("kdf") == b"none":
            return Sealer()
        if not passphrase:
            raise WrongPassphrase("this case store is protected by a passphrase")
        sealer = Sealer(derive_key(passphrase, bytes(self._meta("salt"))))
        if sealer.open(self._meta("check"), b"check") != CHECK_VALUE:
            raise WrongPassphrase("the passphrase does not open this case store")
        return sealer

    @property
    def encrypted(self) -> bool:
        return self.sealer.encrypted

    @property
    def schema_version(self) -> int:
        return int(self._meta("schema_version"))

    def close(self) -> None:
        self.db.close()

    # --- cases ------------------------------------------------------------------------------------
    def add_case(self, client_code: str, advocate: str, created: str) -> int:
        s = self.sealer
        with self._transaction():
            cur = self.db.execute("INSERT INTO cases (client_code, advocate, created) VALUES (?, ?, ?)",
                                  (s.seal_text(client_code, "case"), s.seal_text(advocate, "case"),
                                   s.seal_text(created, "case")))
        return int(cur.lastrowid or 0)

    def cases(self) -> list[Case]:
        rows = self.db.execute("SELECT id, client_code, advocate, created FROM cases ORDER BY id").fetchall()
        return [self._case(row) for row in rows]

    def case(self, case_id: int) -> Case | None:
        row = self.db.execute("SELECT id, client_code, advocate, created FROM cases WHERE id = ?",
                              (case_id,)).fetchone()
        return self._case(row) if row else None

    def _case(self, row: tuple[Any, ...]) -> Case:
        s = self.sealer
        return Case(row[0], s.open_text(row[1], "case"), s.open_text(row[2], "case"), s.open_text(row[3], "case"))

    def delete_case(self, case_id: int) -> None:
        """Remove a case and everything in it, so that it cannot be read back from the file."""
        with self._transaction():
            visit_ids = [r[0] for r in self.db.execute("SELECT id FROM visits WHERE case_id = ?", (case_id,))]
            for visit_id in visit_ids:
                self.db.execute("DELETE FROM answers WHERE visit_id = ?", (visit_id,))
            self.db.execute("DELETE FROM visits WHERE case_id = ?", (case_id,))
            self.db.execute("DELETE FROM cases WHERE id = ?", (case_id,))
        self.db.execute("VACUUM")
        self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    # --- visits -----------------------------------------------------------------------------------
    def add_visit(self, case_id: int, created: str, identity: str, report_json: str) -> int:
        """Keep a visit: its JSON report exactly as the scan made it (checked first: ReportError)."""
        load_report(report_json.encode("utf-8"))
        s = self.sealer
        body = report_json
        with self._transaction():
            cur = self.db.execute(
                "INSERT INTO visits (case_id, created, identity, report) VALUES (?, ?, ?, ?)",
                (case_id, s.seal_text(created, "visit"), s.seal_text(identity, "visit"), s.seal_text(body, "report")))
        return int(cur.lastrowid or 0)

    def visits(self, case_id: int) -> list[Visit]:
        rows = self.db.execute("SELECT id, case_id, created, identity, report FROM visits WHERE case_id = ?"
                               " ORDER BY id", (case_id,)).fetchall()
        return [self._visit(row) for row in rows]

    def visit(self, visit_id: int) -> Visit | None:
        row = self.db.execute("SELECT id, case_id, created, identity, report FROM visits WHERE id = ?",
                              (visit_id,)).fetchone()
        return self._visit(row) if row else None

    def _visit(self, row: tuple[Any, ...]) -> Visit:
        s = self.sealer
        identity = s.open_text(row[3], "visit") if row[3] is not None else ""
        try:  # checked, and an older report brought to the current shape
            loaded = load_report(s.open_text(row[4], "report").encode("utf-8"))
        except ReportError as exc:
            raise StoreError(f"visit {row[0]}: its report cannot be read ({exc})") from exc
        return Visit(row[0], row[1], s.open_text(row[2], "visit"), identity, loaded.report, loaded.raw)

    # --- answers ----------------------------------------------------------------------------------
    def set_answer(self, visit_id: int, finding_key: str, answer: str, note: str) -> None:
        if answer not in ANSWERS:
            raise ValueError(f"answer must be one of {ANSWERS}")
        s = self.sealer
        with self._transaction():
            self.db.execute(
                "INSERT INTO answers (visit_id, finding_key, answer, note) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (visit_id, finding_key) DO UPDATE SET answer = excluded.answer, note = excluded.note",
                (visit_id, finding_key, s.seal_text(answer, "answer"), s.seal_text(note, "answer")))

    def answers(self, visit_id: int) -> dict[str, Answer]:
        s = self.sealer
        rows = self.db.execute("SELECT finding_key, answer, note FROM answers WHERE visit_id = ?", (visit_id,))
        return {r[0]: Answer(s.open_text(r[1], "answer"), s.open_text(r[2], "answer")) for r in rows}

    # --- the clinic's own resources -------------------------------------------------------------------
    def add_resource(self, text: str) -> int:
        with self._transaction():
            cur = self.db.execute("INSERT INTO resources (text) VALUES (?)", (self.sealer.seal_text(text, "resource"),))
        return int(cur.lastrowid or 0)

    def resources(self) -> list[tuple[int, str]]:
        rows = self.db.execute("SELECT id, text FROM resources ORDER BY id").fetchall()
        return [(r[0], self.sealer.open_text(r[1], "resource")) for r in rows]

    def delete_resource(self, resource_id: int) -> None:
        with self._transaction():
            self.db.execute("DELETE FROM resources WHERE id = ?", (resource_id,))

    # --- helpers ----------------------------------------------------------------------------------
    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def _meta(self, key: str) -> bytes:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        if row is None:
            raise KeyError(key)
        value = row[0]
        return value if isinstance(value, bytes) else str(value).encode()

    def _set_meta(self, key: str, value: bytes) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))


def default_store_path() -> Path:
    """cases.sqlite in the user's data folder (platformdirs), e.g. ~/.local/share/techcheck."""
    from platformdirs import user_data_path

    return user_data_path("techcheck", appauthor=False) / "cases.sqlite"
