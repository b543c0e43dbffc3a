"""Linux computer accounts: who can sign in, who is an administrator (/etc/passwd, shadow, group,
sudoers).

Linux does not record when an account was made. The home folder's dates are a weak hint that
is easy to change, so `created` is left empty rather than guessed; the home folder's own creation
time (where the file system keeps it: live scans, mounted disks) is given in `times`, named as the
home folder's, for people's accounts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from collections.abc import Set as AbstractSet

from techcheck.artifacts import Artifact, Location, make
from techcheck.collectors.base import Collector, Context, list_dir_noted, read_text_noted, time_noted
from techcheck.collectors.common.filetimes import file_times
from techcheck.collectors.common.parsing import PasswdEntry, parse_passwd
from techcheck.i18n import Message
from techcheck.target.base import Target
from techcheck.textlines import text_lines

PASSWD, SHADOW, GROUP = "/etc/passwd", "/etc/shadow", "/etc/group"
SUDOERS, SUDOERS_DIR = "/etc/sudoers", "/etc/sudoers.d"
ADMIN_GROUPS = ("sudo", "wheel", "admin")
NO_LOGIN_SHELLS = ("nologin", "false", "sync", "shutdown", "halt")
FIRST_PERSON_UID = 1000  # Debian, Ubuntu, Fedora and Arch give people ids from 1000 up


def parse_shadow(text: str) -> dict[str, str]:
    """user -> password field ("!..." or "*" = locked, "" = no password at all)."""
    return {p[0]: p[1] for p in (line.split(":") for line in text_lines(text)) if len(p) >= 2 and p[0]}


PASSWORD_CHANGED = Message.of("time_source.shadow_password_changed")
HOME_FOLDER_CREATED = Message.of("time_source.home_folder_created")


def shadow_changed_days(text: str) -> dict[str, int]:
    """user -> the day (since 1970-01-01) the password was last set (shadow(5) field 3; useradd sets it
    when the account is made). 0 ("change it at the next sign-in") and empty fields are left out."""
    found: dict[str, int] = {}
    for parts in (line.split(":") for line in text_lines(text)):
        if len(parts) >= 3 and parts[0] and parts[2].strip().isdigit() and int(parts[2]) > 0:
            found[parts[0]] = int(parts[2])
    return found


def parse_group(text: str) -> dict[str, tuple[int | None, set[str]]]:
    groups: dict[str, tuple[int | None, set[str]]] = {}
    for line in text_lines(text):
        parts = line.split(":")
        if len(parts) < 4 or not parts[0]:
            continue
        gid = int(parts[2]) if parts[2].isdigit() else None
        groups[parts[0]] = (gid, {m.strip() for m in parts[3].split(",") if m.strip()})
    return groups


_SUDOERS_KEYWORDS = ("Defaults", "User_Alias", "Runas_Alias", "Host_Alias", "Cmnd_Alias", "Cmd_Alias")


def parse_sudoers(text: str) -> tuple[set[str], set[str]]:
    """Users and groups (%name) given rules in a sudoers file: they can act as administrator."""
    users: set[str] = set()
    groups: set[str] = set()
    for raw in text_lines(text):
        line = raw.split("#", 1)[0].strip() if not raw.lstrip().startswith("#include") else ""
        if not line or line.startswith(_SUDOERS_KEYWORDS) or line.startswith("@") or "=" not in line:
            continue
        for who in line.split(None, 1)[0].split(","):
            who = who.strip()
            if who.startswith("%") and len(who) > 1:
                groups.add(who[1:])
            elif who and who.replace("_", "").replace("-", "").replace(".", "").isalnum():
                users.add(who)
    return users, groups


def can_login(entry: PasswdEntry, password_field: str | None) -> bool:
    """A usable shell and a password that is not locked. Unknown password (shadow unreadable):
    decided by the shell alone."""
    if not entry.shell or entry.shell.rsplit("/", 1)[-1] in NO_LOGIN_SHELLS:
        return False
    if password_field is None:
        return True
    return not password_field.startswith(("!", "*"))


def is_admin(entry: PasswdEntry, groups: dict[str, tuple[int | None, set[str]]],
             sudo_users: AbstractSet[str] = frozenset(), sudo_groups: AbstractSet[str] = frozenset()) -> bool:
    if entry.uid == 0 or entry.name in sudo_users:
        return True
    for name in (*ADMIN_GROUPS, *sorted(sudo_groups)):
        gid, members = groups.get(name, (None, set()))
        if entry.name in members or (gid is not None and gid == entry.gid):
            return True
    return False


def is_system_account(entry: PasswdEntry) -> bool:
    """Service accounts: ids below 1000 (except root) and "nobody"."""
    return (entry.uid != 0 and entry.uid < FIRST_PERSON_UID) or entry.name == "nobody" or entry.uid == 65534


def _day(days: int | None) -> dt.datetime | None:
    try:
        return dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc) + dt.timedelta(days=days) if days else None
    except OverflowError:
        return None


class LinuxAccounts(Collector):
    name = "linux.accounts"
    title = "Computer accounts (who can sign in, who is an administrator)"
    platforms = ("linux",)

    @staticmethod
    def _sudoers(target: Target, ctx: Context) -> tuple[set[str], set[str]]:
        """Rules in /etc/sudoers and /etc/sudoers.d (only an administrator can read them on a live system)."""
        users: set[str] = set()
        groups: set[str] = set()
        files = [SUDOERS] if target.exists(SUDOERS) else []
        files += [p for p in list_dir_noted(target, ctx, SUDOERS_DIR) if "." not in p.rsplit("/", 1)[-1]
                  and not p.endswith("~")]  # sudo skips names with a dot or ending in ~
        for path in files:
            text = read_text_noted(target, ctx, path)
            if text is not None:
                more_users, more_groups = parse_sudoers(text)
                users |= more_users
                groups |= more_groups
        return users, groups

    def collect(self, target: Target, ctx: Context) -> Iterable[Artifact]:
        passwd = read_text_noted(target, ctx, PASSWD)
        if passwd is None:
            return
        shadow: dict[str, str] | None = None
        changed_days: dict[str, int] = {}
        if target.exists(SHADOW):
            # A live scan without administrator rights cannot read it: sign-in is then judged by shell.
            shadow_text = read_text_noted(target, ctx, SHADOW)
            shadow = parse_shadow(shadow_text) if shadow_text is not None else None
            changed_days = shadow_changed_days(shadow_text or "")
        group_text = read_text_noted(target, ctx, GROUP) if target.exists(GROUP) else None
        groups = parse_group(group_text or "")
        sudo_users, sudo_groups = self._sudoers(target, ctx)
        for entry in parse_passwd(passwd):
            password = shadow.get(entry.name) if shadow is not None else None
            if shadow is not None and password is None:
                password = "*"  # no shadow line: no password to sign in with
            system = is_system_account(entry)
            home_times = (file_times(target, ctx, entry.home, HOME_FOLDER_CREATED, changes=False)
                          if not system and entry.home else [])
            day = changed_days.get(entry.name) if not system else None
            password_set = time_noted(ctx, SHADOW, _day(day), "changed", PASSWORD_CHANGED, "day") if day else None
            if password_set is not None:
                home_times.append(password_set)
            yield make("account", Location(path=PASSWD), account_type="os_user", name=entry.name,
                       uid=str(entry.uid), gid=str(entry.gid), admin=is_admin(entry, groups, sudo_users, sudo_groups),
                       can_login=can_login(entry, password), system_account=system,
                       user=entry.name, times=home_times or None)
