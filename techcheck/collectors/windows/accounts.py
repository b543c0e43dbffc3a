"""Windows computer accounts, kept light: the user folders under C:\\Users.

The full list (with administrators and creation dates) lives in the registry and the SAM hive;
until the registry interface is available this check lists the profile folders and says so.
"""

from __future__ import annotations

from collections.abc import Iterable

from techcheck.artifacts import Artifact, Location, make
from techcheck.collectors.base import Collector, Context
from techcheck.collectors.common.parsing import user_homes
from techcheck.errors import NotAvailable
from techcheck.target.base import Target

PROFILE_LIST = "HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\ProfileList"


class WindowsAccounts(Collector):
    name = "windows.accounts"
    title = "Computer accounts (user folders)"
    platforms = ("windows",)

    def collect(self, target: Target, ctx: Context) -> Iterable[Artifact]:
        try:
            target.registry()
            reason = "this version does not read the profile list from the registry yet"
        except NotAvailable as exc:
            reason = str(exc)
        ctx.note(PROFILE_LIST, f"accounts were listed from the user folders only ({reason}); "
                               "administrator rights and creation dates are not known")
        for home in user_homes(target):
            yield make("account", Location(path=target.display_path(home.home)), account_type="os_user",
                       name=home.user, user=home.user, system_account=False)
