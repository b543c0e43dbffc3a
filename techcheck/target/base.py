"""The Target interface: the only way collectors touch the scanned system.

Paths are always written POSIX-style and absolute, relative to the scanned system's root:
"/etc/crontab", "/Users/ana/Library/LaunchAgents", "/Windows/System32/config/SOFTWARE".
"""

from __future__ import annotations

import fnmatch
import posixpath
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from techcheck.errors import NotAvailable, TargetError
from techcheck.i18n import Message, as_message
from techcheck.target.budget import ReadBudget

if TYPE_CHECKING:
    from techcheck.target.registry import Registry
    from techcheck.target.sqlite import LimitedConnection, QueryLimits

OsName = Literal["linux", "windows", "macos", "unknown"]
Mode = Literal["live", "image", "fake"]

# Reading more than this from one file is refused with a note: scanned systems contain huge files.
DEFAULT_READ_LIMIT = 16 * 1024 * 1024


@dataclass(frozen=True)
class FileStat:
    path: str
    is_file: bool
    is_dir: bool
    is_symlink: bool
    size: int
    mode: int
    uid: int | None
    mtime: float


@dataclass(frozen=True)
class DirEntry:
    name: str
    path: str
    is_file: bool
    is_dir: bool
    is_symlink: bool


@dataclass(frozen=True)
class ProcessInfo:
    pid: int
    name: str
    exe: str
    cmdline: tuple[str, ...]
    user: str
    ppid: int | None
    parent_name: str = ""


@dataclass(frozen=True)
class SocketInfo:
    protocol: str  # "tcp" | "udp" | "tcp6" | "udp6"
    local_address: str
    local_port: int
    remote_address: str
    remote_port: int
    state: str  # "LISTEN", "ESTABLISHED", "NONE" (udp) ...
    pid: int | None


@dataclass(frozen=True)
class SessionInfo:
    user: str
    terminal: str
    host: str
    started: float | None


@dataclass(frozen=True)
class ReadProblem:
    """Why a file could not be read; collectors turn it into a note in the report."""

    path: str
    msg: Message

    def __init__(self, path: str, msg: Message | str) -> None:
        object.__setattr__(self, "path", path)
        object.__setattr__(self, "msg", as_message(msg))

    @property
    def message(self) -> str:
        return str(self.msg)


@dataclass
class Target(ABC):
    """A scanned system. Subclasses: LiveTarget, ImageTarget, FakeTarget."""

    mode: Mode
    os: OsName
    root: str | None
    read_limit: int = field(default=DEFAULT_READ_LIMIT, kw_only=True)
    budget: ReadBudget = field(default_factory=ReadBudget, kw_only=True)  # held at once, whole scan
    # Folders that could not be opened while looking for files (glob, exists): the scan gives each
    # check a note for those it met, so a refused folder is never a silent "nothing there".
    _refused: dict[str, Message] = field(default_factory=dict, init=False, repr=False, compare=False)
    _folder_refusal: dict[str, Message | None] = field(default_factory=dict, init=False, repr=False,
                                                       compare=False)

    # --- files -----------------------------------------------------------------------------
    @abstractmethod
    def stat(self, path: str) -> FileStat | None:
        """Stat without following a final symlink; None when the path does not exist."""

    def read_link(self, path: str) -> str | None:
        """The text of a symbolic link (not followed), or None when the path is not a readable link."""
        return None

    def birth_time(self, path: str) -> float | None:
        """When the file (not followed when a link) was created on the scanned system, in Unix seconds;
        None when not known: the file system keeps none, or the files are a copy (a copy's creation
        times are the copying's, not the scanned system's)."""
        return None

    @abstractmethod
    def list_dir(self, path: str) -> list[DirEntry]:
        """Entries of a directory, sorted by name. Raises TargetError when it cannot be listed."""

    @abstractmethod
    def _read(self, path: str, limit: int) -> bytes:
        """Read at most limit+1 bytes of a regular file (following symlinks inside the target)."""

    def read_bytes(self, path: str, limit: int | None = None) -> bytes:
        """Whole content of a file. Raises TargetError when missing, unreadable or over the limit."""
        limit = self.read_limit if limit is None else limit
        data = self._read(path, limit)
        if len(data) > limit:
            raise too_large(limit)
        return data

    def read_head(self, path: str, size: int) -> bytes:
        """The first `size` bytes of a file, however large it is (to tell file types apart)."""
        return self._read(path, size)[:size]

    def read_text(self, path: str, limit: int | None = None) -> str:
        """Text of a file: UTF-8 (with or without BOM) or UTF-16 with BOM; undecodable bytes replaced."""
        return decode_text(self.read_bytes(path, limit))

    def exists(self, path: str) -> bool:
        if self.stat(path) is not None:
            return True
        self._refused_above(path)
        return False

    def take_refused(self) -> dict[str, Message]:
        """The folders refused since the last call (path -> why), for the check that met them."""
        refused, self._refused = self._refused, {}
        return refused

    def _refuse(self, folder: str, why: Message) -> None:
        self._refused.setdefault(folder, why)

    def _refused_above(self, path: str) -> None:
        """A missing path: when the nearest folder above it that exists cannot be opened, the path may
        be there all the same; that folder is recorded as refused (each folder is tried once)."""
        parent = posixpath.dirname(path)
        while parent not in ("/", ""):
            if parent in self._folder_refusal or self.stat(parent) is not None:
                break
            parent = posixpath.dirname(parent)
        else:
            return
        if parent not in self._folder_refusal:
            why: Message | None = None
            if self.is_dir(parent):
                try:
                    self.list_dir(parent)
                except TargetError as exc:
                    why = exc.msg
            self._folder_refusal[parent] = why
        refusal = self._folder_refusal[parent]
        if refusal is not None:
            self._refuse(parent, refusal)

    def is_file(self, path: str) -> bool:
        st = self.stat_follow(path)
        return st is not None and st.is_file

    def is_dir(self, path: str) -> bool:
        st = self.stat_follow(path)
        return st is not None and st.is_dir

    def stat_follow(self, path: str) -> FileStat | None:
        """Stat following symlinks (inside the target). Default: same as stat."""
        return self.stat(path)

    def display_path(self, path: str) -> str:
        """How a path is shown to people: C:\\... for Windows, as-is elsewhere."""
        if self.os == "windows":
            return "C:" + path.replace("/", "\\")
        return path

    def glob(self, pattern: str) -> list[str]:
        """Expand a POSIX-style pattern one path component at a time (no '**').

        Matching is case-insensitive on Windows and macOS targets, as those systems do.
        A directory that cannot be listed is passed over and recorded as refused (take_refused):
        the check that asked gets a note.
        """
        parts = [p for p in pattern.split("/") if p]
        found = ["/"]
        fold = self.os in ("windows", "macos")
        for part in parts:
            next_found: list[str] = []
            has_magic = any(c in part for c in "*?[")
            for base in found:
                if not has_magic:
                    candidate = posixpath.join(base, part)
                    if self.exists(candidate):
                        next_found.append(candidate)
                    continue
                try:
                    entries = self.list_dir(base)
                except TargetError as exc:
                    self._refuse(base, exc.msg)
                    continue
                pat = part.lower() if fold else part
                for entry in entries:
                    name = entry.name.lower() if fold else entry.name
                    if fnmatch.fnmatchcase(name, pat):
                        next_found.append(posixpath.join(base, entry.name))
            found = next_found
        return sorted(found)

    def walk(self, path: str, max_depth: int = 8, max_entries: int = 200_000) -> Iterator[DirEntry]:
        """Walk a tree without following directory symlinks (so symlink loops end)."""
        stack: list[tuple[str, int]] = [(path, 0)]
        seen = 0
        while stack:
            current, depth = stack.pop()
            try:
                entries = self.list_dir(current)
            except TargetError:
                continue
            for entry in entries:
                seen += 1
                if seen > max_entries:
                    return
                yield entry
                if entry.is_dir and not entry.is_symlink and depth + 1 < max_depth:
                    stack.append((entry.path, depth + 1))

    def read_prefix(self, path: str, size: int) -> bytes:
        """The first `size` bytes of a regular file, however big it is (to check a signature)."""
        return self._read(path, size)[:size]

    def host_path(self, path: str) -> str | None:
        """Where the file is on the scanning computer (links resolved inside the target), if anywhere."""
        return None

    def sqlite(self, path: str, limits: QueryLimits | None = None) -> LimitedConnection:
        """Open a SQLite database read-only with limits; see techcheck.target.sqlite.

        Nothing is ever written on the scanned system. `conn.notes` lists what the reader should
        tell (for example that the database's write-ahead log could not be applied).
        """
        from techcheck.target.sqlite import open_database

        return open_database(self, path, limits)

    def release(self) -> None:  # noqa: B027 - optional hook
        """Let go of what was held for the scan (registry hives); called when the checks are done."""

    # --- live-only facts -------------------------------------------------------------------
    def processes(self) -> list[ProcessInfo]:
        raise NotAvailable(Message.of("target.image_no_processes"))

    def sockets(self) -> list[SocketInfo]:
        raise NotAvailable(Message.of("target.image_no_sockets"))

    def sessions(self) -> list[SessionInfo]:
        raise NotAvailable(Message.of("target.image_no_sessions"))

    def registry(self) -> Registry:
        raise NotAvailable(Message.of("target.no_registry"))

    def hostname(self) -> str:
        return ""


def os_detail(exc: BaseException) -> Message:
    """An OS error's reason: the common ones as messages, any other as it is."""
    text = str(getattr(exc, "strerror", None) or exc)
    known = {"Permission denied": "target.os_permission_denied", "No such file or directory": "target.os_no_such_file"}
    return Message.of(known[text]) if text in known else as_message(text)


def too_large(limit: int) -> TargetError:
    """The error for a file over the read limit (raised before reading when the size is known)."""
    size = f"{limit // (1024 * 1024)} MiB" if limit >= 1024 * 1024 else f"{limit // 1024} KiB"
    return TargetError(Message.of("target.too_large", size=size))


def decode_text(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    return data.decode("utf-8", errors="replace")
