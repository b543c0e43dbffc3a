"""Login items: apps a user's account opens at sign-in.

Three stores, by macOS version:
- up to macOS 10.12, ~/Library/Preferences/com.apple.loginitems.plist: SessionItems/CustomListItems,
  each with a Name and a classic Alias record (a binary record of tagged fields that holds the path);
- macOS 10.13 to 12, ~/Library/Application Support/com.apple.sharedfilelist/...SessionLoginItems.sfl2,
  an NSKeyedArchiver archive whose root holds `items` (each with a Name and a bookmark), and
  ~/Library/Application Support/com.apple.backgroundtaskmanagementagent/backgrounditems.btm, an
  archive whose items each hold a bookmark (the successor of the Alias record: a table of tagged
  records, one of which lists the path's folder names);
- from macOS 13, the Background Task Management store
  /private/var/db/com.apple.backgroundtaskmanagement/BackgroundItems-v<N>.btm: an NSKeyedArchiver
  property list whose "store" object keeps, per user UUID, a list of ItemRecord objects (name,
  identifier, url, executablePath, type bit flags, disposition bit flags, team id, developer name).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from techcheck.artifacts import Artifact, Location, make
from techcheck.collectors.base import Collector, Context, list_dir_noted, parse_noted
from techcheck.collectors.common.parsing import user_homes
from techcheck.collectors.macos.bookmarks import alias_fields, alias_path, bookmark_components, bookmark_path
from techcheck.collectors.macos.keyedarchive import ArchiveError, unarchive
from techcheck.collectors.macos.launchd import parse_launch_job
from techcheck.collectors.macos.origin import MacOrigins, entry_facts, origins_for
from techcheck.collectors.macos.plists import PlistError, load_plist, plist_bool, plist_str
from techcheck.i18n import Message, Words
from techcheck.target.base import Target

__all__ = ["ArchiveError", "BtmItem", "LoginItem", "MacLoginItems", "alias_fields", "alias_path",
           "bookmark_components", "bookmark_path", "parse_agent_btm", "parse_btm", "parse_legacy_loginitems",
           "parse_reopen_apps", "parse_sfl2", "unarchive"]

LEGACY_PLIST = "Library/Preferences/com.apple.loginitems.plist"
BTM_DIR = "/private/var/db/com.apple.backgroundtaskmanagement"
# macOS 10.13 to 12 kept login items per user in these two keyed archives.
SFL2 = "Library/Application Support/com.apple.sharedfilelist/com.apple.LSSharedFileList.SessionLoginItems.sfl2"
AGENT_BTM = "Library/Application Support/com.apple.backgroundtaskmanagementagent/backgrounditems.btm"
# Apps macOS opens again at sign-in ("Reopen windows when logging back in"): per user and computer.
REOPEN_GLOB = "Library/Preferences/ByHost/com.apple.loginwindow.*.plist"
# The BTM store keys items by user UUID; this one stands for the system (user id 0).
SYSTEM_USER_UUID = "FFFFEEEE-DDDD-CCCC-BBBB-AAAA00000000"


@dataclass(frozen=True)
class LoginItem:
    name: str
    path: str
    hidden: bool


def parse_legacy_loginitems(data: bytes) -> list[LoginItem]:
    """Items in a com.apple.loginitems.plist (XML or binary)."""
    plist = load_plist(data)
    if not isinstance(plist, dict):
        raise PlistError("the login items file must be a dictionary")
    session = plist.get("SessionItems")
    items = session.get("CustomListItems") if isinstance(session, dict) else None
    out: list[LoginItem] = []
    for raw in items if isinstance(items, list) else []:
        if not isinstance(raw, dict):
            continue
        path = ""
        if isinstance(raw.get("Alias"), bytes):
            path = alias_path(raw["Alias"])
        props = raw.get("CustomItemProperties")
        props = props if isinstance(props, dict) else {}
        binding = props.get("com.apple.LSSharedFileList.Binding")
        if not path and isinstance(binding, bytes):
            path = bookmark_path(binding)
        name = plist_str(raw.get("Name")) or posixpath.basename(path)
        hidden = bool(plist_bool(props.get("com.apple.LSSharedFileList.ItemIsHidden")))
        out.append(LoginItem(name, path, hidden))
    return out


# --- NSKeyedArchiver and the Background Task Management store -----------------------------------

@dataclass(frozen=True)
class BtmItem:
    user_uuid: str
    name: str
    identifier: str
    url: str
    executable: str
    type_flags: int
    disposition: int
    team_id: str
    developer: str

    @property
    def mechanism(self) -> str:
        if self.type_flags & 0x10:
            return "launch_daemon"
        if self.type_flags & 0x8:
            return "launch_agent"
        return "login_item"

    @property
    def enabled(self) -> bool:
        return bool(self.disposition & 0x1)

    @property
    def hidden(self) -> bool:
        return bool(self.disposition & 0x4)


def _first(obj: dict[str, Any], *keys: str) -> Any:
    for k in keys:
        if obj.get(k) not in (None, ""):
            return obj[k]
    return None


def parse_btm(data: bytes) -> list[BtmItem]:
    """Items in a BackgroundItems-v*.btm file. Raises PlistError/ArchiveError when undecodable."""
    plist = load_plist(data)
    if isinstance(plist, list):  # some versions wrap the archive with a version record in a list
        plist = next((p for p in plist if isinstance(p, dict) and p.get("$archiver")), None)
    tree = unarchive(plist)
    store = tree.get("store")
    if not isinstance(store, dict):
        raise ArchiveError("no 'store' object in the archive")
    by_user = _first(store, "itemsByUserIdentifier", "itemsByUserID")
    if not isinstance(by_user, dict):
        raise ArchiveError("no items-by-user table in the store")
    items: list[BtmItem] = []
    for uuid, records in by_user.items():
        for rec in records if isinstance(records, list) else []:
            if not isinstance(rec, dict):
                continue
            url = _first(rec, "url", "URL")
            exe = _first(rec, "executablePath", "exePath")
            mark = rec.get("bookmark")
            if not exe and isinstance(mark, bytes):
                exe = bookmark_path(mark)
            kind = rec.get("type")
            disp = rec.get("disposition")
            items.append(BtmItem(
                user_uuid=str(uuid),
                name=str(_first(rec, "name") or ""),
                identifier=str(_first(rec, "identifier") or ""),
                url=str(url or ""),
                executable=str(exe or ""),
                type_flags=kind if isinstance(kind, int) else 0,
                disposition=disp if isinstance(disp, int) else 0,
                team_id=str(_first(rec, "teamIdentifier") or ""),
                developer=str(_first(rec, "developerName") or ""),
            ))
    return items


def parse_sfl2(data: bytes) -> list[LoginItem]:
    """Login items in a SessionLoginItems.sfl2 archive (root: {items: [{Name, Bookmark, ...}]})."""
    tree = unarchive(load_plist(data))
    root = tree.get("root")
    items = root.get("items") if isinstance(root, dict) else None
    if not isinstance(items, list):
        raise ArchiveError("no 'items' list in the archive")
    out = []
    for item in items:
        if not isinstance(item, dict):
            continue
        mark = item.get("Bookmark")
        path = bookmark_path(mark) if isinstance(mark, bytes) else ""
        name = str(item.get("Name") or posixpath.basename(path))
        if name:
            out.append(LoginItem(name, path, False))
    return out


def _bookmarks(value: Any, depth: int = 0) -> Iterator[bytes]:
    """Every bookmark blob under a "bookmark" key, at any depth of a decoded archive."""
    if depth > 32:
        return
    if isinstance(value, dict):
        for key, v in value.items():
            if key.lower() == "bookmark":
                blob = v.get("data") if isinstance(v, dict) else v
                if isinstance(blob, bytes):
                    yield blob
                    continue
            yield from _bookmarks(v, depth + 1)
    elif isinstance(value, list):
        for v in value:
            yield from _bookmarks(v, depth + 1)


def parse_agent_btm(data: bytes) -> list[LoginItem]:
    """Login items in the per-user backgrounditems.btm of macOS 10.13 to 12 (bookmarks in an archive)."""
    tree = unarchive(load_plist(data))
    out = []
    for blob in _bookmarks(tree):
        path = bookmark_path(blob)
        if path:
            out.append(LoginItem(posixpath.basename(path), path, False))
    return out


def parse_reopen_apps(data: bytes) -> list[LoginItem]:
    """TALAppsToRelaunchAtLogin of a ByHost com.apple.loginwindow plist: [{BundleID, Path, Hide}, ...]
    (mac_apt's autostart plugin and HackTricks "macOS Auto Start Locations" read the same key)."""
    plist = load_plist(data)
    if not isinstance(plist, dict):
        raise PlistError("the sign-in window settings must be a dictionary")
    apps = plist.get("TALAppsToRelaunchAtLogin")
    out = []
    for app in apps if isinstance(apps, list) else []:
        if not isinstance(app, dict):
            continue
        path = plist_str(app.get("Path")) or ""
        name = posixpath.splitext(posixpath.basename(path))[0] or plist_str(app.get("BundleID")) or ""
        if name:
            out.append(LoginItem(name, path, bool(plist_bool(app.get("Hide")))))
    return out


def _btm_version(path: str) -> int:
    m = re.search(r"-v(\d+)\.btm$", path, re.IGNORECASE)
    return int(m.group(1)) if m else -1


class MacLoginItems(Collector):
    name = "macos.login_items"
    title = "Apps that open when you sign in (login items, background items)"
    platforms = ("macos",)
    origins: MacOrigins

    def collect(self, target: Target, ctx: Context) -> Iterable[Artifact]:
        self.origins = origins_for(target, ctx)
        for home in user_homes(target):
            yield from self._legacy(target, ctx, home.home, home.user)
            yield from self._sfl2(target, ctx, home.home, home.user)
            yield from self._reopen(target, ctx, home.home, home.user)
        yield from self._btm(target, ctx)

    @staticmethod
    def _program(target: Target, ctx: Context, path: str) -> str:
        """What an item runs: for an item that names a launchd plist (no executablePath), the
        program of that job when the plist is in the copy, else nothing to judge."""
        if not path.lower().endswith(".plist"):
            return path
        job = (parse_noted(target, ctx, path, parse_launch_job, Message.of("note.what.launch_job"))
               if target.is_file(path) else None)
        return job.program if job is not None else ""

    def _facts(self, target: Target, path: str) -> dict[str, object]:
        # No path (a damaged record): where it comes from cannot be told, so no origin is claimed.
        return entry_facts(target, self.origins, exe=path) if path else {}

    def _legacy(self, target: Target, ctx: Context, home: str, user: str) -> Iterable[Artifact]:
        path = f"{home}/{LEGACY_PLIST}"
        if not target.exists(path):
            return
        for item in parse_noted(target, ctx, path, parse_legacy_loginitems, Message.of("note.what.login_items")) or []:
            yield make("autostart", Location(path=path), mechanism="login_item", name=item.name,
                       exe=item.path or None, command=item.path or None, user=user, scope="user",
                       enabled=True, hidden=item.hidden, trigger=Words(Message.of("fact.trigger_logon")), file=path,
                       **self._facts(target, item.path))

    def _sfl2(self, target: Target, ctx: Context, home: str, user: str) -> Iterable[Artifact]:
        for rel, parser in ((SFL2, parse_sfl2), (AGENT_BTM, parse_agent_btm)):
            path = f"{home}/{rel}"
            if not target.exists(path):
                continue
            what = Message.of("note.what.login_items")
            for item in parse_noted(target, ctx, path, parser, what, (PlistError, ArchiveError)) or []:
                yield make("autostart", Location(path=path), mechanism="login_item", name=item.name,
                           exe=item.path or None, command=item.path or None, user=user, scope="user",
                           enabled=True, trigger=Words(Message.of("fact.trigger_logon")), file=path,
                           **self._facts(target, item.path))

    def _reopen(self, target: Target, ctx: Context, home: str, user: str) -> Iterable[Artifact]:
        for path in target.glob(f"{home}/{REOPEN_GLOB}"):
            for item in parse_noted(target, ctx, path, parse_reopen_apps, Message.of("note.what.reopened_apps"),
                                    (PlistError,)) or []:
                yield make("autostart", Location(path=path), mechanism="reopen_at_login", name=item.name,
                           exe=item.path or None, command=item.path or None, user=user, scope="user",
                           enabled=True, hidden=item.hidden, trigger=Words(Message.of("fact.trigger_logon")), file=path,
                           **self._facts(target, item.path))

    def _btm(self, target: Target, ctx: Context) -> Iterable[Artifact]:
        stores = [p for p in list_dir_noted(target, ctx, BTM_DIR) if p.lower().endswith(".btm")]
        if not stores:
            return
        path = max(stores, key=_btm_version)  # the newest format is the one in use
        items = parse_noted(target, ctx, path, parse_btm, Message.of("note.what.btm_store"),
                            (PlistError, ArchiveError), limit=32 * 1024 * 1024)
        for item in items or []:
            exe = item.executable or (bookmark_path(item.url.encode()) if item.url.startswith("file:") else "")
            detail = ", ".join(x for x in (item.developer, item.team_id and f"team {item.team_id}") if x)
            system = item.user_uuid.upper() == SYSTEM_USER_UUID or item.mechanism == "launch_daemon"
            yield make("autostart", Location(path=path), mechanism=item.mechanism,
                       name=item.name or item.identifier, exe=exe or None, command=exe or item.url or None,
                       scope="system" if system else "user",
                       enabled=item.enabled, hidden=item.hidden,
                       trigger=Words(Message.of("fact.trigger_logon")) if item.mechanism == "login_item" else None,
                       description=detail or None, file=path, **self._facts(target, self._program(target, ctx, exe)))
