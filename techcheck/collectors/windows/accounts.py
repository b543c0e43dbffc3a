"""Windows computer accounts: the ProfileList key (each account's SID and folder) and the user
folders under C:\\Users, so a SID in a report has a name beside it.

Administrators and creation dates live in the SAM hive, which this check does not read; it says so.
"""

from __future__ import annotations

from collections.abc import Iterable

from techcheck.artifacts import Artifact, Location, make
from techcheck.collectors.base import Collector, Context
from techcheck.collectors.common.parsing import user_homes
from techcheck.collectors.windows.registry import PROFILE_LIST, sid_users
from techcheck.errors import NotAvailable
from techcheck.target.base import Target


class WindowsAccounts(Collector):
    name = "windows.accounts"
    title = "Computer accounts (user folders)"
    platforms = ("windows",)

    def collect(self, target: Target, ctx: Context) -> Iterable[Artifact]:
        sids: dict[str, str] = {}  # user folder name (lower case) -> SID, from the ProfileList
        try:
            sids = {user.casefold(): sid.upper() for sid, user in sid_users(target.registry(), ctx).items()
                    if sid.lower().startswith("s-1-5-21-")}  # people's accounts, not SYSTEM and services
            source = ("the ProfileList and the user folders" if sids
                      else "the user folders only (the ProfileList key was not found)")
        except NotAvailable as exc:
            source = f"the user folders only ({exc})"
        ctx.note(PROFILE_LIST, f"accounts were listed from {source}; administrator rights and creation "
                               "dates are not known (they are in the SAM hive, which is not read)")
        seen: set[str] = set()
        for home in user_homes(target):
            seen.add(home.user.casefold())
            yield make("account", Location(path=target.display_path(home.home)), account_type="os_user",
                       name=home.user, user=home.user, system_account=False,
                       uid=sids.get(home.user.casefold()))
        for user, sid in sorted(sids.items()):
            if user not in seen:  # in the ProfileList, but its folder is missing from this copy
                yield make("account", Location(registry_key=f"{PROFILE_LIST}\\{sid}"), account_type="os_user",
                           name=user, user=user, system_account=False, uid=sid)
