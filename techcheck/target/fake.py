"""An in-memory target for tests: files, processes, sockets and sessions given as data."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field

from techcheck.errors import NotAvailable, TargetError
from techcheck.i18n import Message
from techcheck.target.base import DirEntry, FileStat, ProcessInfo, SessionInfo, SocketInfo, Target


@dataclass
class FakeTarget(Target):
    files: dict[str, bytes] = field(default_factory=dict, kw_only=True)
    unreadable: set[str] = field(default_factory=set, kw_only=True)
    process_list: list[ProcessInfo] | None = field(default=None, kw_only=True)
    socket_list: list[SocketInfo] | None = field(default=None, kw_only=True)
    session_list: list[SessionInfo] | None = field(default=None, kw_only=True)

    def _key(self, path: str) -> str:
        return path.lower() if self.os in ("windows", "macos") else path

    def _norm_files(self) -> dict[str, str]:
        return {self._key(p): p for p in self.files}

    def _dirs(self) -> set[str]:
        dirs = {"/"}
        for p in self.files:
            d = self._key(posixpath.dirname(p))
            while d not in dirs:
                dirs.add(d)
                d = posixpath.dirname(d)
        return dirs

    def stat(self, path: str) -> FileStat | None:
        key = self._key(path)
        norm = self._norm_files()
        if key in norm:
            size = len(self.files[norm[key]])
            return FileStat(path, True, False, False, size, 0o100644, 0, 0.0)
        if key in self._dirs():
            return FileStat(path, False, True, False, 0, 0o040755, 0, 0.0)
        return None

    def list_dir(self, path: str) -> list[DirEntry]:
        key = self._key(path.rstrip("/") or "/")
        if key not in self._dirs():
            raise TargetError(Message.of("target.cannot_list", detail=Message.of("target.folder_not_found")))
        if key in {self._key(u) for u in self.unreadable}:
            raise TargetError(Message.of("target.cannot_list", detail=Message.of("target.fake_permission_denied")))
        names: dict[str, bool] = {}
        prefix = key.rstrip("/") + "/"
        for p in self.files:
            if self._key(p).startswith(prefix):
                rest = p[len(prefix):]
                name, _, tail = rest.partition("/")
                names[name] = names.get(name, False) or bool(tail)
        base = path.rstrip("/") or "/"
        return [
            DirEntry(n, posixpath.join(base, n), not is_dir, is_dir, False)
            for n, is_dir in sorted(names.items())
        ]

    def _read(self, path: str, limit: int) -> bytes:
        key = self._key(path)
        if key in {self._key(u) for u in self.unreadable}:
            raise TargetError(Message.of("target.permission_denied"))
        norm = self._norm_files()
        if key not in norm:
            raise TargetError(Message.of("target.not_found"))
        return self.files[norm[key]][: limit + 1]

    def processes(self) -> list[ProcessInfo]:
        if self.process_list is None:
            raise NotAvailable(Message.of("target.fake_no_processes"))
        return list(self.process_list)

    def sockets(self) -> list[SocketInfo]:
        if self.socket_list is None:
            raise NotAvailable(Message.of("target.fake_no_sockets"))
        return list(self.socket_list)

    def sessions(self) -> list[SessionInfo]:
        if self.session_list is None:
            raise NotAvailable(Message.of("target.fake_no_sessions"))
        return list(self.session_list)
