"""Reading SQLite databases from the scanned system: the one module every SQLite reader uses.

A database on the scanned system is hostile input. It is read:
- as an in-memory copy of its bytes, with the committed frames of its write-ahead log (the
  "-wal" file beside it) applied, the way SQLite itself would see it; nothing is written
  anywhere and the originals are never opened by SQLite;
- or, when the copy would not fit in the scan's read budget, opened in place read-only and
  immutable (`mode=ro&immutable=1`: no lock, journal or -shm file is ever made), with a note that
  its write-ahead log was not applied;
- with a step budget per query (a progress handler), and a row and byte limit per query;
- refusing views and virtual tables read where techcheck expects tables (a view can yield rows
  forever), with a clear reason.

WAL format: https://www.sqlite.org/fileformat2.html#walformat and https://www.sqlite.org/wal.html
"""

from __future__ import annotations

import sqlite3
import struct
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from techcheck.errors import TargetError
from techcheck.i18n import Message

if TYPE_CHECKING:
    from techcheck.target.base import Target
    from techcheck.target.budget import Reservation

SQLITE_MAGIC = b"SQLite format 3\x00"
WAL_MAGIC = (0x377F0682, 0x377F0683)  # checksums little-endian / big-endian words
WAL_HEADER = 32
WAL_FRAME_HEADER = 24


@dataclass(frozen=True)
class QueryLimits:
    """What one query may cost. Generous for real browser histories and TCC databases."""

    steps: int = 50_000_000  # SQLite virtual-machine instructions
    rows: int = 200_000
    bytes: int = 64 * 1024 * 1024  # text and blob bytes returned
    value_bytes: int = 16 * 1024 * 1024  # one value (SQLite refuses to build a bigger one)


class QueryRefused(sqlite3.DatabaseError):
    """A query went over a limit or touched a view or virtual table; the message says which."""


# --- the write-ahead log ----------------------------------------------------------------------

@dataclass
class WalResult:
    data: bytes | bytearray
    frames: int = 0  # committed frames applied
    problem: str = ""  # why the log (or its tail) could not be applied


def _checksum(data: bytes | memoryview, big_endian: bool, s0: int, s1: int) -> tuple[int, int]:
    words = struct.unpack((">" if big_endian else "<") + f"{len(data) // 4}I", data)
    for i in range(0, len(words), 2):
        s0 = (s0 + words[i] + s1) & 0xFFFFFFFF
        s1 = (s1 + words[i + 1] + s0) & 0xFFFFFFFF
    return s0, s1


def apply_wal(db: bytes, wal: bytes) -> WalResult:
    """The database as SQLite would see it: the committed frames of `wal` written over `db`.

    Frames are valid while their salts match the log header and their running checksum holds;
    only frames up to the last valid commit frame count (what SQLite's recovery does).
    """
    if len(wal) < WAL_HEADER:
        return WalResult(db, problem="the write-ahead log is shorter than its header" if wal else "")
    header = _wal_header(db, wal)
    if isinstance(header, str):
        return WalResult(db, problem=header)
    committed, frames, db_pages = _committed_frames(wal, header)
    if not committed:
        return WalResult(db)
    page_size = header.page_size
    view = memoryview(wal)
    out = bytearray(db)
    out[db_pages * page_size:] = b""
    if len(out) < db_pages * page_size:
        out.extend(bytes(db_pages * page_size - len(out)))
    for pg, at in committed.items():
        if pg <= db_pages:
            out[(pg - 1) * page_size:pg * page_size] = view[at:at + page_size]
    return WalResult(out, frames)


@dataclass(frozen=True)
class _WalHeader:
    big_endian: bool
    page_size: int
    salts: tuple[int, int]
    checksum: tuple[int, int]


def _wal_header(db: bytes, wal: bytes) -> _WalHeader | str:
    """The log header, or what is wrong with it."""
    magic, version, page_size, _seq, salt1, salt2, ck1, ck2 = struct.unpack(">8I", wal[:WAL_HEADER])
    if magic not in WAL_MAGIC:
        return "the write-ahead log has no valid header"
    big = magic & 1 == 1
    if page_size < 512 or page_size > 65536 or page_size & (page_size - 1) or version != 3007000:
        return "the write-ahead log header is damaged"
    s = _checksum(wal[:24], big, 0, 0)
    if s != (ck1, ck2):
        return "the write-ahead log header checksum does not match"
    db_page_size = struct.unpack(">H", db[16:18])[0] if len(db) >= 18 else 0
    if (db_page_size if db_page_size != 1 else 65536) != page_size and len(db) >= 100:
        return "the write-ahead log page size differs from the database's"
    return _WalHeader(big, page_size, (salt1, salt2), s)


def _committed_frames(wal: bytes, header: _WalHeader) -> tuple[dict[int, int], int, int]:
    """(page number -> offset of its data in wal) for the frames up to the last valid commit, how
    many frames that is, and the database's size in pages after that commit."""
    page_size, big, s = header.page_size, header.big_endian, header.checksum
    pending: list[tuple[int, int]] = []  # (page number, offset of its data in wal)
    committed: dict[int, int] = {}
    db_pages = 0
    frames = 0
    offset = WAL_HEADER
    view = memoryview(wal)
    while offset + WAL_FRAME_HEADER + page_size <= len(wal):
        pgno, commit, fs1, fs2, fc1, fc2 = struct.unpack(">6I", wal[offset:offset + WAL_FRAME_HEADER])
        if (fs1, fs2) != header.salts or pgno == 0:
            break
        s = _checksum(view[offset:offset + 8], big, *s)
        s = _checksum(view[offset + WAL_FRAME_HEADER:offset + WAL_FRAME_HEADER + page_size], big, *s)
        if s != (fc1, fc2):
            break
        pending.append((pgno, offset + WAL_FRAME_HEADER))
        if commit:
            for pg, at in pending:
                committed[pg] = at
            frames += len(pending)
            pending = []
            db_pages = commit
        offset += WAL_FRAME_HEADER + page_size
    return committed, frames, db_pages


# --- a connection with limits -------------------------------------------------------------------

class LimitedCursor(sqlite3.Cursor):
    """Counts rows and bytes as they are fetched; over a limit raises QueryRefused."""

    def _limited(self) -> Iterator[Any]:
        conn = self.connection
        assert isinstance(conn, LimitedConnection)
        rows = size = 0
        while True:
            try:
                row = super().fetchone()
            except sqlite3.OperationalError as exc:
                raise conn.explain(exc) from exc
            if row is None:
                return
            rows += 1
            size += sum(len(v) for v in row if isinstance(v, str | bytes))
            if rows > conn.limits.rows:
                raise QueryRefused(f"more than {conn.limits.rows} rows; stopped reading (a database built "
                                   "to fill the memory?)")
            if size > conn.limits.bytes:
                raise QueryRefused(f"more than {conn.limits.bytes // (1024 * 1024)} MiB of data in one "
                                   "answer; stopped reading")
            yield row

    def fetchall(self) -> list[Any]:
        return list(self._limited())

    def fetchmany(self, size: int | None = None) -> list[Any]:
        out = []
        it = self._limited()
        for row in it:
            out.append(row)
            if len(out) >= (size or self.arraysize):
                break
        return out

    def fetchone(self) -> Any:
        return next(self._limited(), None)

    def __iter__(self) -> Iterator[Any]:  # type: ignore[override]
        return self._limited()


class LimitedConnection(sqlite3.Connection):
    """A read-only connection whose queries run with a step budget and row/byte limits."""

    limits: QueryLimits = QueryLimits()
    refused_tables: dict[str, str]
    reservation: Reservation | None = None
    notes: list[Message]
    _steps: int = 0
    _denied: str = ""

    def setup(self, limits: QueryLimits) -> None:
        self.limits = limits
        self.refused_tables = {}
        self.notes = []
        self.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, limits.value_bytes)
        self.set_progress_handler(self._progress, 1000)

    def _progress(self) -> int:
        self._steps += 1000
        return 1 if self._steps > self.limits.steps else 0

    def _authorize(self, action: int, arg1: str | None, arg2: str | None, db: str | None,
                   source: str | None) -> int:
        # READ names the table; PRAGMA table_info(...) names it as its argument.
        table = arg1 if action == sqlite3.SQLITE_READ else arg2 if action == sqlite3.SQLITE_PRAGMA else None
        if table and table.lower() in self.refused_tables:
            self._denied = f"'{table}' is {self.refused_tables[table.lower()]}, not a table; not read"
            return sqlite3.SQLITE_DENY
        if action in (sqlite3.SQLITE_READ, sqlite3.SQLITE_SELECT, sqlite3.SQLITE_PRAGMA,
                      sqlite3.SQLITE_FUNCTION, sqlite3.SQLITE_RECURSIVE):
            return sqlite3.SQLITE_OK
        return sqlite3.SQLITE_DENY  # nothing but reading

    def explain(self, exc: sqlite3.Error) -> sqlite3.Error:
        """A clear error for a refusal by the budget or the authorizer."""
        if self._steps > self.limits.steps:
            return QueryRefused(f"reading took more than {self.limits.steps:,} steps; stopped "
                                "(a database built to hang a reader?)")
        if self._denied:
            return QueryRefused(self._denied)
        return exc

    def cursor(self, factory: Any = None) -> Any:
        return super().cursor(factory or LimitedCursor)

    def execute(self, sql: str, parameters: Any = (), /) -> Any:
        self._steps = 0
        self._denied = ""
        try:
            return self.cursor().execute(sql, parameters)
        except sqlite3.Error as exc:
            raise self.explain(exc) from exc

    def close(self) -> None:
        super().close()
        if self.reservation is not None:
            self.reservation.release()
            self.reservation = None


def _refuse_views_and_virtual_tables(conn: LimitedConnection) -> None:
    """From here on the connection may only read, and not from views or virtual tables."""
    rows = conn.execute("SELECT type, name, sql FROM sqlite_master").fetchall()
    conn.set_authorizer(conn._authorize)
    for kind, name, sql in rows:
        if not isinstance(name, str):
            continue
        if kind == "view":
            conn.refused_tables[name.lower()] = "a view (a stored query)"
        elif kind == "table" and isinstance(sql, str) and sql.lstrip().upper().startswith("CREATE VIRTUAL"):
            conn.refused_tables[name.lower()] = "a virtual table"


IN_PLACE_FROM = 32 * 1024 * 1024


def _new_connection(database: str, uri: bool, limits: QueryLimits) -> LimitedConnection:
    conn = sqlite3.connect(database, uri=uri, factory=LimitedConnection, check_same_thread=False)
    assert isinstance(conn, LimitedConnection)
    conn.setup(limits)
    return conn


def _from_bytes(data: bytes | bytearray, limits: QueryLimits) -> LimitedConnection:
    if data[18:20] == b"\x02\x02":
        # A WAL-mode database cannot be opened from memory; our copy (with its log applied) is
        # marked as a rollback-journal database.
        data = bytearray(data) if isinstance(data, bytes) else data
        data[18:20] = b"\x01\x01"
    conn = _new_connection(":memory:", False, limits)
    try:
        conn.deserialize(data)
        _refuse_views_and_virtual_tables(conn)
    except (sqlite3.DatabaseError, MemoryError) as exc:
        conn.close()
        raise TargetError(Message.of("target.sqlite_unreadable", detail=str(exc))) from exc
    return conn


def _in_place(target: Target, path: str, limits: QueryLimits) -> LimitedConnection:
    host = target.host_path(path)
    if host is None:
        raise TargetError(Message.of("target.sqlite_too_big"))
    uri = "file:" + urllib.parse.quote(host) + "?mode=ro&immutable=1"
    conn = _new_connection(uri, True, limits)
    try:
        _refuse_views_and_virtual_tables(conn)
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise TargetError(Message.of("target.sqlite_unreadable", detail=str(exc))) from exc
    return conn


def open_database(target: Target, path: str, limits: QueryLimits | None = None) -> LimitedConnection:
    """Open a database of the scanned system for reading (see the module doc).

    Raises TargetError when it cannot be read. `conn.notes` says what the reader should know:
    whether its write-ahead log was applied. Closing the connection releases its share of the
    scan's read budget.
    """
    limits = limits or QueryLimits()
    st = target.stat_follow(path)
    if st is None or not st.is_file:
        raise TargetError(Message.of("target.not_found") if st is None else Message.of("target.not_regular"))
    header = target.read_prefix(path, 100)
    if not header.startswith(SQLITE_MAGIC):
        raise TargetError(Message.of("target.not_sqlite") if header else Message.of("target.not_sqlite_empty"))
    wal_path = path + "-wal"
    wal_stat = target.stat_follow(wal_path)
    wal_size = wal_stat.size if wal_stat is not None and wal_stat.is_file else 0
    # A big database with no write-ahead log reads the same in place (read-only, immutable: nothing
    # is written) as from a copy, without holding twice its size in memory. Small ones are still
    # copied: a copy is one read, safer while a running browser writes to the file.
    if not wal_size and st.size >= IN_PLACE_FROM and target.host_path(path) is not None:
        return _in_place(target, path, limits)
    # The bytes, our copy with the log applied, and SQLite's own copy: about twice the size.
    need = 2 * (st.size + wal_size)
    reservation = target.budget.try_reserve(need)
    if reservation is None:
        conn = _in_place(target, path, limits)
        if wal_size:
            conn.notes.append(Message.of("target.wal_not_applied_in_place"))
        return conn
    try:
        data: bytes | bytearray = target.read_bytes(path, st.size + 1)
        note: Message | None = None
        if wal_size:
            data, note = _with_wal(target, wal_path, wal_size, data)
        conn = _from_bytes(data, limits)
        del data
    except BaseException:
        reservation.release()
        raise
    reservation.resize(conn_size(conn))
    conn.reservation = reservation
    if note is not None:
        conn.notes.append(note)
    return conn


def _with_wal(target: Target, wal_path: str, wal_size: int,
              data: bytes | bytearray) -> tuple[bytes | bytearray, Message | None]:
    """The database bytes with its write-ahead log applied, and a note when the log could not be."""
    note: Message | None = None
    try:
        wal = apply_wal(bytes(data), target.read_bytes(wal_path, wal_size + 1))
    except TargetError as exc:
        wal, note = WalResult(data), Message.of("target.wal_unreadable", detail=exc.msg)
    if wal.problem:
        note = Message.of("target.wal_unusable", detail=str(wal.problem))
    return wal.data, note


def conn_size(conn: sqlite3.Connection) -> int:
    """Bytes SQLite holds for an in-memory database."""
    try:
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        size = conn.execute("PRAGMA page_size").fetchone()[0]
        return int(pages) * int(size)
    except (sqlite3.Error, TypeError):
        return 0
