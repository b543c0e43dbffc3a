"""macOS computer accounts from the local directory (/private/var/db/dslocal/nodes/Default).

Each user is a binary property list whose values are lists. The creation time is inside
accountPolicyData (itself a property list). Administrators are the members of groups/admin.plist.
"""

from __future__ import annotations

import posixpath
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from techcheck.artifacts import Artifact, Location, make
from techcheck.collectors.base import Collector, Context, list_dir_noted, read_bytes_noted, unix_noted
from techcheck.collectors.common.parsing import plist_or_none
from techcheck.i18n import Message
from techcheck.target.base import Target
from techcheck.timeutil import iso_utc

# accountPolicyData in the account's record (/private/var/db/dslocal/nodes/Default/users/<name>.plist)
CREATED = Message.of("time_source.account_record_created")
PASSWORD_SET = Message.of("time_source.account_record_password_set")
DSLOCAL = "/private/var/db/dslocal/nodes/Default"
LOGINWINDOW = "/Library/Preferences/com.apple.loginwindow.plist"
RECENT_DAYS = 30
NO_LOGIN_SHELLS = ("false", "nologin")


@dataclass(frozen=True)
class MacUser:
    name: str
    uid: int | None
    shell: str
    real_name: str
    has_password: bool
    created: float | None  # seconds since 1970
    password_set: float | None = None  # passwordLastSetTime, seconds since 1970
    is_hidden: bool = False  # IsHidden: kept off the sign-in window and the Users & Groups list


def _first(record: Mapping[str, Any], key: str) -> Any:
    value = record.get(key)
    return value[0] if isinstance(value, list) and value else None


def parse_user_plist(data: bytes) -> MacUser | None:
    record = plist_or_none(data)
    if not isinstance(record, dict) or not isinstance(_first(record, "name"), str):
        return None
    uid_text = _first(record, "uid")
    try:
        uid = int(uid_text) if uid_text is not None else None
    except ValueError:
        uid = None
    created = password_set = None
    policy = _first(record, "accountPolicyData")
    if isinstance(policy, bytes):
        policy_data = plist_or_none(policy)
        if isinstance(policy_data, dict) and isinstance(policy_data.get("creationTime"), (int, float)):
            created = float(policy_data["creationTime"])
        if isinstance(policy_data, dict) and isinstance(policy_data.get("passwordLastSetTime"), (int, float)):
            password_set = float(policy_data["passwordLastSetTime"])
    return MacUser(
        name=_first(record, "name"), uid=uid, shell=str(_first(record, "shell") or ""),
        real_name=str(_first(record, "realname") or ""),
        has_password=bool(record.get("ShadowHashData")), created=created, password_set=password_set,
        is_hidden=str(_first(record, "IsHidden") or "").strip().lower() in ("1", "yes", "true"),
    )


def parse_admin_members(data: bytes) -> set[str]:
    record = plist_or_none(data)
    if not isinstance(record, dict):
        return set()
    members = record.get("users") or record.get("GroupMembership") or []
    return {m for m in members if isinstance(m, str)} if isinstance(members, list) else set()


# Apple's built-in accounts that do not start with "_" (dscl . list /Users on a new Mac).
APPLE_BUILT_IN = frozenset({"root", "daemon", "nobody"})
# The Guest User account Apple creates with id 201; it has no password unless switched on.
GUEST = "Guest"


def is_system_account(user: MacUser) -> bool:
    """Apple's service accounts start with "_" (ids below 500, some above); root, daemon, nobody."""
    return user.name.startswith("_") or user.name in APPLE_BUILT_IN


def is_hidden_account(user: MacUser, hidden_names: frozenset[str] = frozenset()) -> bool:
    """A person-style account kept out of sight: IsHidden, listed in the sign-in window's
    HiddenUsersList, or given an id under 500, which macOS leaves off the sign-in window and the
    Users & Groups list (https://attack.mitre.org/techniques/T1564/002/;
    https://www.macworld.com/article/181025/hidelogin.html for HiddenUsersList)."""
    if is_system_account(user) or user.name == GUEST:
        return False
    low_id = user.uid is not None and 0 < user.uid < 500
    return user.is_hidden or low_id or user.name in hidden_names


def parse_hidden_users(data: bytes) -> frozenset[str]:
    """HiddenUsersList of /Library/Preferences/com.apple.loginwindow.plist."""
    record = plist_or_none(data)
    names = record.get("HiddenUsersList") if isinstance(record, dict) else None
    return frozenset(n for n in names if isinstance(n, str)) if isinstance(names, list) else frozenset()




def recently_created(created: float | None, now: float) -> bool | None:
    if created is None:
        return None
    return 0 <= now - created <= RECENT_DAYS * 86400


class MacAccounts(Collector):
    name = "macos.accounts"
    title = "Computer accounts (who can sign in, who is an administrator)"
    platforms = ("macos",)

    def collect(self, target: Target, ctx: Context) -> Iterable[Artifact]:
        users_dir = posixpath.join(DSLOCAL, "users")
        if not target.is_dir(users_dir):
            if target.mode == "live":  # it is always there on a Mac: only root may open its folder
                ctx.note(target.display_path(users_dir),
                         Message.of("note.accounts_folder_denied"))
            else:
                ctx.note(target.display_path(users_dir), Message.of("note.accounts_folder_missing"))
            return
        # Only an administrator can list this folder on a live Mac; list_dir_noted says so if not.
        user_files = [p for p in list_dir_noted(target, ctx, users_dir) if p.lower().endswith(".plist")]
        admins: set[str] = set()
        admin_path = posixpath.join(DSLOCAL, "groups", "admin.plist")
        if target.exists(admin_path):
            data = read_bytes_noted(target, ctx, admin_path, 4 * 1024 * 1024)
            admins = parse_admin_members(data) if data is not None else admins
        hidden_names: frozenset[str] = frozenset()
        if target.exists(LOGINWINDOW):
            data = read_bytes_noted(target, ctx, LOGINWINDOW, 4 * 1024 * 1024)
            hidden_names = parse_hidden_users(data) if data is not None else hidden_names
        now = time.time()
        for path in user_files:
            data = read_bytes_noted(target, ctx, path, 4 * 1024 * 1024)
            if data is None:
                continue
            user = parse_user_plist(data)
            if user is None:
                ctx.note(target.display_path(path), Message.of("note.account_record_unreadable"))
                continue
            shell_ok = bool(user.shell) and user.shell.rsplit("/", 1)[-1] not in NO_LOGIN_SHELLS
            shown = target.display_path(path)
            times = [t for t in (unix_noted(ctx, shown, user.created, "created", CREATED),
                                 unix_noted(ctx, shown, user.password_set, "changed", PASSWORD_SET)) if t]
            yield make("account", Location(path=target.display_path(path)), account_type="os_user",
                       name=user.name, uid=None if user.uid is None else str(user.uid),
                       admin=user.name in admins, can_login=shell_ok and user.has_password,
                       created=iso_utc(user.created), recently_created=recently_created(user.created, now),
                       system_account=is_system_account(user), hidden=is_hidden_account(user, hidden_names),
                       user=user.name, times=times or None)
