"""Targets backed by a real filesystem: a disk image directory, or the live system's own root."""

from __future__ import annotations

import os
import posixpath
import stat as statmod
from dataclasses import dataclass, field
from typing import BinaryIO

from techcheck.errors import TargetError
from techcheck.i18n import Message
from techcheck.target.base import DirEntry, FileStat, Target, os_detail, too_large
from techcheck.target.birthtime import birth_time

MAX_SYMLINK_HOPS = 40


@dataclass
class FilesystemTarget(Target):
    """Reads files below `root`.

    For an image, symlinks are resolved *inside* the image: an absolute link such as
    /etc/localtime -> /usr/share/zoneinfo/UTC points into the image, never to the scanning
    computer's own files. Windows and macOS images are matched case-insensitively.
    """

    case_insensitive: bool = field(default=False, kw_only=True)
    # The files' creation (birth) times are the scanned system's own: a live scan, or a disk copy
    # whose folder is a mounted file system (an extracted or copied tree has the copying's times).
    birth_times: bool = field(default=False, kw_only=True)
    _dir_cache: dict[str, dict[str, str]] = field(default_factory=dict, init=False, repr=False)

    # --- path resolution -------------------------------------------------------------------
    def _host(self, path: str) -> str:
        assert self.root is not None
        rel = path.lstrip("/")
        return os.path.join(self.root, rel) if rel else self.root

    def _real_name(self, parent_host: str, name: str) -> str | None:
        """The on-disk spelling of `name` in a directory, found case-insensitively."""
        names = self._dir_cache.get(parent_host)
        if names is None:
            try:
                listing = os.listdir(parent_host)
            except OSError:
                listing = []
            names = {}
            for entry in sorted(listing):
                names.setdefault(entry.casefold(), entry)
            self._dir_cache[parent_host] = names
        return names.get(name.casefold())

    def _resolve(self, path: str, follow_last: bool) -> str:
        """Map a target path to a host path, resolving symlinks inside the root."""
        parts = [p for p in path.split("/") if p not in ("", ".")]
        resolved: list[str] = []
        hops = 0
        while parts:
            part = parts.pop(0)
            if part == "..":
                if resolved:
                    resolved.pop()
                continue
            parent_host = self._host("/" + "/".join(resolved))
            candidate = os.path.join(parent_host, part)
            if self.case_insensitive and not os.path.lexists(candidate):
                real = self._real_name(parent_host, part)
                if real is not None:
                    part = real
                    candidate = os.path.join(parent_host, part)
            is_last = not parts
            if os.path.islink(candidate) and (follow_last or not is_last):
                hops += 1
                if hops > MAX_SYMLINK_HOPS:
                    raise TargetError(Message.of("target.link_loop"))
                try:
                    link = os.readlink(candidate)
                except OSError as exc:
                    raise TargetError(Message.of("target.cannot_read_link", detail=os_detail(exc))) from exc
                link_parts = [p for p in link.replace("\\", "/").split("/") if p]
                if link.startswith("/"):
                    resolved = []
                parts = link_parts + parts
                continue
            resolved.append(part)
        return self._host("/" + "/".join(resolved))

    # --- Target API ------------------------------------------------------------------------
    def stat(self, path: str) -> FileStat | None:
        return self._stat(path, follow=False)

    def stat_follow(self, path: str) -> FileStat | None:
        return self._stat(path, follow=True)

    def _stat(self, path: str, follow: bool) -> FileStat | None:
        try:
            host = self._resolve(path, follow_last=follow)
            st = os.lstat(host)
        except (OSError, TargetError, ValueError):
            return None
        return FileStat(
            path=path,
            is_file=statmod.S_ISREG(st.st_mode),
            is_dir=statmod.S_ISDIR(st.st_mode),
            is_symlink=statmod.S_ISLNK(st.st_mode),
            size=st.st_size,
            mode=st.st_mode,
            uid=st.st_uid,
            mtime=st.st_mtime,
        )

    def birth_time(self, path: str) -> float | None:
        if not self.birth_times:
            return None
        try:
            host = self._resolve(path, follow_last=False)
        except (TargetError, ValueError):
            return None
        return birth_time(host)

    def read_link(self, path: str) -> str | None:
        try:
            host = self._resolve(path, follow_last=False)
            return os.readlink(host) if os.path.islink(host) else None
        except (OSError, TargetError, ValueError):
            return None

    def list_dir(self, path: str) -> list[DirEntry]:
        try:
            host = self._resolve(path, follow_last=True)
            with os.scandir(host) as it:
                raw = list(it)
        except OSError as exc:
            raise TargetError(Message.of("target.cannot_list", detail=os_detail(exc))) from exc
        except ValueError as exc:  # embedded NUL and the like
            raise TargetError(Message.of("target.cannot_list", detail=str(exc))) from exc
        entries = []
        for e in sorted(raw, key=lambda d: d.name):
            try:
                is_link = e.is_symlink()
                is_dir = e.is_dir(follow_symlinks=False)
                is_file = e.is_file(follow_symlinks=False)
            except OSError:
                is_link = is_dir = is_file = False
            if is_link:
                # Where a link points is judged inside the target (never on the host).
                target_stat = self._stat(posixpath.join(path, e.name), follow=True)
                if target_stat is not None:
                    is_dir, is_file = target_stat.is_dir, target_stat.is_file
            entries.append(DirEntry(e.name, posixpath.join(path, e.name), is_file, is_dir, is_link))
        return entries

    def host_path(self, path: str) -> str | None:
        try:
            return self._resolve(path, follow_last=True)
        except (TargetError, ValueError):
            return None

    def _read(self, path: str, limit: int) -> bytes:
        return self._open_and_read(path, limit, whole=True)

    def read_prefix(self, path: str, size: int) -> bytes:
        return self._open_and_read(path, size, whole=False)

    def _open_and_read(self, path: str, limit: int, whole: bool) -> bytes:
        """Read at most limit+1 bytes (whole) or the first `limit` bytes of a regular file."""
        host = self._resolve(path, follow_last=True)
        try:
            st = os.stat(host)
            if not statmod.S_ISREG(st.st_mode):
                raise TargetError(Message.of("target.not_regular"))
            if whole and st.st_size > limit:
                # Refused before reading: a huge (or sparse multi-GiB) file must cost nothing.
                raise too_large(limit)
            # O_NONBLOCK so a FIFO planted in an image can never hang the scan.
            fd = os.open(host, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
            with os.fdopen(fd, "rb") as fh:
                if not whole:
                    return fh.read(limit)
                return _read_up_to(fh, limit + 1, st.st_size)
        except FileNotFoundError as exc:
            raise TargetError(Message.of("target.not_found")) from exc
        except PermissionError as exc:
            raise TargetError(Message.of("target.permission_denied")) from exc
        except IsADirectoryError as exc:
            raise TargetError(Message.of("target.is_folder")) from exc
        except OSError as exc:
            raise TargetError(Message.of("target.cannot_read", detail=os_detail(exc))) from exc


    def read_head(self, path: str, size: int) -> bytes:
        host = self._resolve(path, follow_last=True)
        try:
            if not statmod.S_ISREG(os.stat(host).st_mode):
                raise TargetError(Message.of("target.not_regular"))
            fd = os.open(host, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
            with os.fdopen(fd, "rb") as fh:
                return fh.read(size)
        except OSError as exc:
            raise TargetError(Message.of("target.cannot_read", detail=os_detail(exc))) from exc


def _read_up_to(fh: BinaryIO, want: int, size_hint: int) -> bytes:
    """Read at most `want` bytes without allocating `want` bytes up front.

    `fh.read(n)` reserves n bytes before reading, so a generous limit (hundreds of MiB for a
    package database) cost that much memory for every small file. Read what the file holds
    (its size, or growing chunks for /proc-like files that report size 0) until end or `want`.
    """
    chunks: list[bytes] = []
    got = 0
    step = min(want, size_hint + 1) if size_hint > 0 else min(want, 64 * 1024)
    while got < want:
        chunk = fh.read(min(step, want - got))
        if not chunk:
            break
        chunks.append(chunk)
        got += len(chunk)
        step = min(max(step * 2, 64 * 1024), 4 * 1024 * 1024)  # the EOF check costs only 64 KiB
    return b"".join(chunks)
