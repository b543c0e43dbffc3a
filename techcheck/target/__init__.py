"""Targets: the only way collectors touch the scanned system."""

from techcheck.target.base import (
    DirEntry,
    FileStat,
    OsName,
    ProcessInfo,
    SessionInfo,
    SocketInfo,
    Target,
    decode_text,
)
from techcheck.target.fake import FakeTarget
from techcheck.target.image import ImageTarget, detect_os, open_image
from techcheck.target.live import LiveTarget, open_live

__all__ = [
    "DirEntry", "FileStat", "OsName", "ProcessInfo", "SessionInfo", "SocketInfo", "Target",
    "decode_text", "FakeTarget", "ImageTarget", "detect_os", "open_image", "LiveTarget", "open_live",
]
