"""Windows computer accounts: the ProfileList key (each account's SID and folder) and the user
folders under C:\\Users, so a SID in a report has a name beside it.

Administrators and creation dates live in the SAM hive, which this check does not read; it says so.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from techcheck.artifacts import Artifact, Location, make
from techcheck.collectors.base import Collector, Context
from techcheck.collectors.common.filetimes import file_times
from techcheck.collectors.common.parsing import user_homes
from techcheck.collectors.windows.registry import PROFILE_LIST, sid_users
from techcheck.collectors.windows.startfacts import with_key_times
from techcheck.errors import NotAvailable
from techcheck.i18n import Message, err_detail
from techcheck.target.base import Target

USER_FOLDER_CREATED = Message.of("time_source.user_folder_created")


class WindowsAccounts(Collector):
    name = "windows.accounts"
    title = "Computer accounts (user folders)"
    platforms = ("windows",)

    def collect(self, target: Target, ctx: Context) -> Iterable[Artifact]:
        return with_key_times(target, ctx, self._entries(target, ctx))

    def _entries(self, target: Target, ctx: Context) -> Iterator[Artifact]:
        sids: dict[str, str] = {}  # user folder name (lower case) -> SID, from the ProfileList
        try:
            sids = {user.casefold(): sid.upper() for sid, user in sid_users(target.registry(), ctx).items()
                    if sid.lower().startswith("s-1-5-21-")}  # people's accounts, not SYSTEM and services
            note = (Message.of("note.accounts_from_profile_list") if sids
                    else Message.of("note.accounts_from_folders", why=Message.of("note.no_profile_list")))
        except NotAvailable as exc:
            note = Message.of("note.accounts_from_folders", why=err_detail(exc))
        ctx.note(PROFILE_LIST, note)
        seen: set[str] = set()
        for home in user_homes(target):
            seen.add(home.user.casefold())
            # The user folder is made at the account's first sign-in: its creation time, where the
            # file system keeps it, is when the account was first used on this computer.
            yield make("account", Location(path=target.display_path(home.home)), account_type="os_user",
                       name=home.user, user=home.user, system_account=False,
                       uid=sids.get(home.user.casefold()),
                       times=file_times(target, ctx, home.home, USER_FOLDER_CREATED, changes=False) or None)
        for user, sid in sorted(sids.items()):
            if user not in seen:  # in the ProfileList, but its folder is missing from this copy
                yield make("account", Location(registry_key=f"{PROFILE_LIST}\\{sid}"), account_type="os_user",
                           name=user, user=user, system_account=False, uid=sid)
