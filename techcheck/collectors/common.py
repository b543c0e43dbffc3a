"""Helpers shared by collectors: where users' home folders are on each system."""

from __future__ import annotations

import plistlib
from dataclasses import dataclass
from typing import Any

from techcheck.errors import TargetError
from techcheck.target.base import Target


@dataclass(frozen=True)
class UserHome:
    user: str
    home: str  # target path


def user_homes(target: Target) -> list[UserHome]:
    """Every user's home folder on the target, from the usual places and (Linux) /etc/passwd."""
    homes: dict[str, UserHome] = {}
    if target.os == "linux":
        try:
            for line in target.read_text("/etc/passwd", limit=4 * 1024 * 1024).splitlines():
                parts = line.split(":")
                home = parts[5] if len(parts) >= 7 else ""
                if (home.startswith("/home/") or home == "/root") and target.is_dir(home):
                    homes.setdefault(home, UserHome(parts[0], home))
        except TargetError:
            pass
        bases = ["/home"]
        if target.is_dir("/root"):
            homes.setdefault("/root", UserHome("root", "/root"))
    else:
        bases = ["/Users"]
    skip = {"public", "default", "default user", "all users", "shared", ".localized"}
    for base in bases:
        try:
            entries = target.list_dir(base)
        except TargetError:
            continue
        for e in entries:
            if e.is_dir and not e.is_symlink and e.name.lower() not in skip and e.path not in homes:
                homes[e.path] = UserHome(e.name, e.path)
    return sorted(homes.values(), key=lambda h: h.home)


def load_plist(data: bytes) -> Any:
    """A property list (XML or binary) from untrusted bytes; None when it is not a valid one.

    plistlib raises many kinds of error on bad input (ExpatError, ValueError, struct errors,
    recursion...), so any failure counts as "not a valid property list".
    """
    try:
        return plistlib.loads(data)
    except Exception:  # noqa: BLE001 - hostile input must never stop a check
        return None
