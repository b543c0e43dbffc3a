"""Saving a report: the output path is checked before the scan, and the file is written atomically.

A report is checked (`check_output_path`) before any scanning, so a bad path costs nothing; it is
then written to a temporary file in the same folder, flushed to disk and renamed over the final
name (`write_report_atomically`), so a full disk or a crash leaves no partial report. Links, FIFOs
and device files are refused (a FIFO would hang the write; a link could point anywhere), and a
report is never written inside the disk copy being scanned (that would change the evidence).
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Sequence

from techcheck.errors import TechcheckError

# Why an output path was refused; the CLI words each reason in the user's language.
REASONS = ("link", "not_regular", "no_folder", "not_writable", "inside_image", "write_failed", "exists")


class OutputError(TechcheckError):
    """The report cannot be saved there. `reason` is one of REASONS; `detail` the system's words."""

    def __init__(self, path: str, reason: str, detail: str = "") -> None:
        self.path = path
        self.reason = reason
        self.detail = detail
        super().__init__(f"{path}: {reason}" + (f" ({detail})" if detail else ""))


def _inside(path: str, folder: str) -> bool:
    try:
        return os.path.commonpath([path, folder]) == folder
    except ValueError:  # different drives on Windows
        return False


Roots = str | Sequence[str] | None  # the disk copies a report must not be written into


def _roots(scanned_root: Roots) -> list[str]:
    if scanned_root is None:
        return []
    return [scanned_root] if isinstance(scanned_root, str) else [r for r in scanned_root if r]


def check_output_path(path: str, scanned_root: Roots = None) -> str:
    """The absolute path to save a report to, or OutputError saying why it cannot be used.

    `scanned_root`: the disk copy (or copies: a case's visits) the report is about; nothing is
    written inside one. An existing regular file may be replaced (the caller decides whether to ask).
    """
    absolute = os.path.abspath(path)
    folder = os.path.dirname(absolute)
    try:
        st = os.lstat(absolute)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise OutputError(path, "not_writable", exc.strerror or str(exc)) from exc
    if st is not None and stat.S_ISLNK(st.st_mode):
        raise OutputError(path, "link")
    if st is not None and not stat.S_ISREG(st.st_mode):
        raise OutputError(path, "not_regular")
    if not os.path.isdir(folder):
        raise OutputError(path, "no_folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(path, "not_writable")
    real_target = os.path.join(os.path.realpath(folder), os.path.basename(absolute))
    if any(_inside(real_target, os.path.realpath(root)) for root in _roots(scanned_root)):
        raise OutputError(path, "inside_image")
    return absolute


def write_report_atomically(path: str, content: str | bytes, scanned_root: Roots = None,
                            replace: bool = True) -> str:
    """Write an owner-only report (text, or bytes such as a zip): temporary file in the same folder,
    flushed, then renamed. Returns the absolute path written.

    The path is checked again just before (it may have changed during the scan). On any failure
    the temporary file is removed and nothing is left at `path`; OutputError says why.
    """
    absolute = check_output_path(path, scanned_root)
    folder, name = os.path.split(absolute)
    try:
        fd, temp = tempfile.mkstemp(prefix=f".{name}.", suffix=".part", dir=folder)  # mode 0600
    except OSError as exc:
        raise OutputError(path, "write_failed", exc.strerror or str(exc)) from exc
    try:
        with contextlib.suppress(AttributeError, OSError):  # Windows: inherits the folder's permissions
            os.fchmod(fd, 0o600)
        data = content.encode("utf-8") if isinstance(content, str) else content
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if replace:
            os.replace(temp, absolute)
        else:  # never over an existing file, even one made while the scan ran: link fails if it exists
            try:
                _link_new(temp, absolute)
            finally:
                with contextlib.suppress(OSError):
                    os.unlink(temp)
    except FileExistsError as exc:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise OutputError(path, "exists", exc.strerror or str(exc)) from exc
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise OutputError(path, "write_failed", exc.strerror or str(exc)) from exc
    return absolute


def _link_new(temp: str, absolute: str) -> None:
    """Put the finished file at `absolute`, which must not exist. A hard link does it in one step;
    where the file system has none (a FAT or exFAT USB stick), the name is first taken with an
    exclusive create, then the finished file is renamed over that empty placeholder."""
    try:
        os.link(temp, absolute)
        return
    except FileExistsError:
        raise
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EXDEV, errno.EMLINK, errno.ENOSYS):
            raise
    fd = os.open(absolute, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    os.close(fd)
    os.replace(temp, absolute)
