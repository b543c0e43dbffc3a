"""Saving a report: the output path is checked before the scan, and the file is written atomically.

A report is checked (`check_output_path`) before any scanning, so a bad path costs nothing; it is
then written to a temporary file in the same folder, flushed to disk and renamed over the final
name (`write_report_atomically`), so a full disk or a crash leaves no partial report. Links, FIFOs
and device files are refused (a FIFO would hang the write; a link could point anywhere), and a
report is never written inside the disk copy being scanned (that would change the evidence).
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile

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


def check_output_path(path: str, scanned_root: str | None = None) -> str:
    """The absolute path to save a report to, or OutputError saying why it cannot be used.

    An existing regular file may be replaced (the caller decides whether to ask first).
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
    if scanned_root is not None:
        real_target = os.path.join(os.path.realpath(folder), os.path.basename(absolute))
        if _inside(real_target, os.path.realpath(scanned_root)):
            raise OutputError(path, "inside_image")
    return absolute


def write_report_atomically(path: str, content: str, scanned_root: str | None = None,
                            replace: bool = True) -> None:
    """Write an owner-only report: temporary file in the same folder, flushed, then renamed.

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
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(content)
            fh.flush()
            os.fsync(fh.fileno())
        if replace:
            os.replace(temp, absolute)
        else:  # never over an existing file, even one made while the scan ran: link fails if it exists
            try:
                os.link(temp, absolute)
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
