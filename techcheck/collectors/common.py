"""Helpers shared by collectors: where users' home folders are on each system."""

from __future__ import annotations

from dataclasses import dataclass

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
