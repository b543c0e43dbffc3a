"""A disk image target: a directory laid out like the scanned system's filesystem."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from techcheck.errors import NotAvailable, TargetError
from techcheck.i18n import Message
from techcheck.target.base import OsName
from techcheck.target.filesystem import FilesystemTarget
from techcheck.target.layout import find_copy_root
from techcheck.target.registry import HiveRegistry, Registry, open_hive_registry


def detect_os(root: str) -> OsName:
    """Tell the operating system of an image from its layout (case-insensitively for Windows).

    The layout is read through the same in-image path resolution as every other read, so a
    planted link such as Windows -> /home/someone is followed inside the image, never on the host.
    """
    probe = FilesystemTarget(mode="image", os="unknown", root=root, case_insensitive=True)
    try:
        names = {e.name.casefold() for e in probe.list_dir("/")}
    except TargetError as exc:
        raise TargetError(f"cannot read the image folder {root!r}: {exc}") from exc

    def has(*path: str) -> bool:
        return probe.exists("/" + "/".join(path))

    if "windows" in names and (has("Windows", "System32") or has("Windows", "explorer.exe") or "users" in names):
        return "windows"
    if "system" in names and ("library" in names or "applications" in names):
        return "macos"
    if "etc" in names and ("usr" in names or "home" in names or "var" in names):
        return "linux"
    if "users" in names and "library" in names:
        return "macos"
    if "etc" in names:
        return "linux"
    return "unknown"


@dataclass
class ImageTarget(FilesystemTarget):
    """Processes, sockets and sessions are not available: those checks are reported as skipped."""

    # What the folder's own layout says (may differ from an --os given by hand), and, when the
    # folder is not the top of a disk copy, the folder that looks like it (and its system).
    layout_os: OsName = "unknown"
    copy_root: str = ""
    copy_root_os: OsName = "unknown"
    _registry: HiveRegistry | None = field(default=None, init=False, repr=False)

    def registry(self) -> Registry:
        """The image's registry from its hive files, read once and shared by the collectors."""
        if self.os != "windows":
            raise NotAvailable(Message.of("target.no_registry"))
        if self._registry is None:
            self._registry = open_hive_registry(self)
        return self._registry

    def release(self) -> None:
        if self._registry is not None:
            self._registry.close()
            self._registry = None

    def hostname(self) -> str:
        if self.os == "linux":
            try:
                return self.read_text("/etc/hostname", limit=4096).strip()
            except TargetError:
                return ""
        return ""


def open_image(root: str, os_name: OsName | None = None) -> ImageTarget:
    root = os.path.abspath(root)
    if not os.path.isdir(root):
        raise TargetError(f"{root!r} is not a folder. Give the folder where the disk copy is mounted.")
    layout = detect_os(root)
    detected = os_name or layout
    found = find_copy_root(root, detect_os) if layout == "unknown" else None
    copy_root, copy_root_os = found if found else ("", layout)
    return ImageTarget(
        mode="image",
        os=detected,
        root=root,
        case_insensitive=detected in ("windows", "macos"),
        layout_os=layout,
        copy_root=copy_root,
        copy_root_os=copy_root_os,
        # A mounted disk keeps its files' own creation times; a folder the files were copied or
        # extracted into has the copying's times, which are no evidence.
        birth_times=os.path.ismount(root),
    )
