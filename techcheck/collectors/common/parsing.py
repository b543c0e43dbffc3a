"""Helpers shared by collectors: where users' home folders are on each system."""

from __future__ import annotations

import json
import plistlib
from dataclasses import dataclass
from typing import Any

from techcheck.errors import TargetError
from techcheck.target.base import Target
from techcheck.textlines import text_lines


@dataclass(frozen=True)
class UserHome:
    user: str
    home: str  # target path


@dataclass(frozen=True)
class PasswdEntry:
    name: str
    uid: int
    gid: int
    gecos: str
    home: str
    shell: str


def parse_passwd(text: str) -> list[PasswdEntry]:
    """Entries of /etc/passwd; comments, NIS lines and lines with a broken user id are left out."""
    entries = []
    for line in text_lines(text):
        parts = line.split(":")
        if len(parts) < 7 or not parts[0] or line.startswith(("#", "+", "-")):
            continue
        try:
            uid, gid = int(parts[2]), int(parts[3])
        except ValueError:
            continue
        entries.append(PasswdEntry(parts[0], uid, gid, parts[4], parts[5], parts[6].strip()))
    return entries


def user_homes(target: Target) -> list[UserHome]:
    """Every user's home folder on the target, from the usual places and (Linux) /etc/passwd."""
    homes: dict[str, UserHome] = {}
    if target.os == "linux":
        homes.update(_passwd_homes(target))
        bases = ["/home"]
        if target.is_dir("/root"):
            homes.setdefault("/root", UserHome("root", "/root"))
    else:
        bases = ["/Users"]
        # root's home on macOS: its LoginHook, shell files and agents count like anyone's.
        if target.is_dir("/private/var/root"):
            homes.setdefault("/private/var/root", UserHome("root", "/private/var/root"))
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


def _passwd_homes(target: Target) -> dict[str, UserHome]:
    """Homes under /home (and /root) named in /etc/passwd that exist; the first account for each."""
    homes: dict[str, UserHome] = {}
    try:
        for entry in parse_passwd(target.read_text("/etc/passwd", limit=4 * 1024 * 1024)):
            home = entry.home
            if (home.startswith("/home/") or home == "/root") and target.is_dir(home):
                homes.setdefault(home, UserHome(entry.name, home))
    except TargetError:
        pass
    return homes


def as_dict(value: Any) -> dict[str, Any]:
    """A decoded JSON (or property list) object, or {} when the value is anything else."""
    return value if isinstance(value, dict) else {}


class JsonError(ValueError):
    """Text that is not valid JSON (or is nested too deeply to decode)."""


def load_json(text: str) -> Any:
    """Decode JSON from untrusted text; JsonError when it is not valid JSON.

    json.loads raises RecursionError, not ValueError, on deeply nested input such as "[[[[...";
    a hostile file must become a note, not a crash.
    """
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise JsonError(str(exc) or type(exc).__name__) from exc


class PlistError(ValueError):
    """A property list could not be decoded."""


def load_plist(data: bytes) -> Any:
    """Decode an XML or binary property list from untrusted bytes; PlistError when it is not one.

    Tolerates the quirks real files have: a byte-order mark or blank lines before `<?xml`
    (which plistlib rejects), and old DTD headers (plistlib ignores the DTD anyway).
    """
    if data.startswith(b"bplist"):
        fmt, what = plistlib.FMT_BINARY, "binary"
        text = data
    else:
        fmt, what = plistlib.FMT_XML, "XML"
        text = (data[3:] if data.startswith(b"\xef\xbb\xbf") else data).lstrip(b" \t\r\n")
        if not text.startswith((b"<?xml", b"<!DOCTYPE", b"<plist")):
            raise PlistError("not a property list (neither XML nor binary)")
    try:
        return plistlib.loads(text, fmt=fmt)
    except Exception as exc:  # noqa: BLE001 - plistlib raises many kinds of error on hostile input
        raise PlistError(f"broken {what} property list: {exc or type(exc).__name__}") from exc


def plist_or_none(data: bytes) -> Any:
    """A property list, or None when the bytes are not a valid one."""
    try:
        return load_plist(data)
    except PlistError:
        return None
