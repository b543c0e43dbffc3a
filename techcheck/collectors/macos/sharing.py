"""Built-in sharing services (Screen Sharing, Remote Management, Remote Login, Remote Apple Events),
Find My Mac, and the Apple Account signed in.

Where the on/off state lives on disk:
- Screen Sharing, Remote Login (SSH) and Remote Apple Events are launchd jobs that ship switched
  off; turning them on in System Settings records `<label> = false` ("not disabled") in launchd's
  system override file /private/var/db/com.apple.xpc.launchd/disabled.plist
  (labels com.apple.screensharing, com.openssh.sshd, com.apple.AEServer).
- Remote Management (Apple Remote Desktop) writes the word "enabled" into
  /Library/Application Support/Apple/Remote Desktop/RemoteManagement.launchd when it is turned on
  (/private/etc/RemoteManagement.launchd before OS X 10.11);
  its options are in /Library/Preferences/com.apple.RemoteManagement.plist.
- The Apple Account: ~/Library/Preferences/MobileMeAccounts.plist lists each signed-in account
  (AccountID = the Apple ID, DisplayName) and its services, FIND_MY_MAC among them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from techcheck.artifacts import Artifact, Location, make
from techcheck.collectors.base import Collector, Context, read_text_noted
from techcheck.collectors.common.parsing import user_homes
from techcheck.collectors.macos.launchd import SYSTEM_OVERRIDES, parse_disabled_overrides
from techcheck.collectors.macos.plists import PlistError, plist_bool, plist_str, read_plist_noted
from techcheck.errors import TargetError
from techcheck.i18n import Message, Words, err_detail
from techcheck.target.base import Target

ARD_LAUNCHD = "/Library/Application Support/Apple/Remote Desktop/RemoteManagement.launchd"
ARD_LAUNCHD_OLD = "/private/etc/RemoteManagement.launchd"  # before OS X 10.11
ARD_PREFS = "/Library/Preferences/com.apple.RemoteManagement.plist"
MOBILEME = "Library/Preferences/MobileMeAccounts.plist"

# setting name -> launchd label whose system override turns it on
SHARING_JOBS: dict[str, str] = {
    "screen_sharing": "com.apple.screensharing",
    "ssh_server": "com.openssh.sshd",
    "remote_apple_events": "com.apple.AEServer",
}


def sharing_from_overrides(overrides: dict[str, bool]) -> dict[str, bool | None]:
    """setting -> True on, False off, None when no switch was ever recorded (the default: off)."""
    out: dict[str, bool | None] = {}
    for setting, label in SHARING_JOBS.items():
        disabled = overrides.get(label)
        out[setting] = None if disabled is None else not disabled
    return out


@dataclass(frozen=True)
class AppleAccount:
    account_id: str
    display_name: str
    logged_in: bool | None
    find_my_mac: bool | None  # None when the account lists no Find My Mac service


def parse_mobileme_accounts(plist: Any) -> list[AppleAccount]:
    if not isinstance(plist, dict) or not isinstance(plist.get("Accounts"), list):
        return []
    out = []
    for acc in plist["Accounts"]:
        if not isinstance(acc, dict):
            continue
        find_my: bool | None = None
        services = acc.get("Services")
        for svc in services if isinstance(services, list) else []:
            if isinstance(svc, dict) and svc.get("Name") == "FIND_MY_MAC":
                find_my = bool(plist_bool(svc.get("Enabled")))
        out.append(AppleAccount(
            account_id=plist_str(acc.get("AccountID")) or "",
            display_name=plist_str(acc.get("DisplayName")) or "",
            logged_in=plist_bool(acc.get("LoggedIn")),
            find_my_mac=find_my,
        ))
    return out


class MacSharing(Collector):
    name = "macos.sharing"
    title = "Sharing and remote access settings, Find My Mac, Apple Account"
    platforms = ("macos",)

    def collect(self, target: Target, ctx: Context) -> Iterable[Artifact]:
        yield from self._launchd_sharing(target, ctx)
        yield from self._remote_management(target, ctx)
        find_my_seen = False
        for home in user_homes(target):
            path = f"{home.home}/{MOBILEME}"
            if not target.exists(path):
                continue
            for acc in parse_mobileme_accounts(read_plist_noted(target, ctx, path)):
                if acc.account_id or acc.display_name:
                    yield make("account", Location(path=path), account_type="apple_id", name=acc.display_name or None,
                               email=acc.account_id if "@" in acc.account_id else None,
                               uid=acc.account_id or None, user=home.user, can_login=acc.logged_in)
                if acc.find_my_mac is not None:
                    find_my_seen = True
                    yield make("setting", Location(path=path), name="find_my", enabled=acc.find_my_mac,
                               value="on" if acc.find_my_mac else "off",
                               detail=Words(Message.of("fact.apple_account", account=acc.account_id)),
                               user=home.user)
        if not find_my_seen:
            ctx.note("Find My Mac", Message.of("note.find_my_unknown", reason=Message.of("note.find_my_nvram")))

    def _launchd_sharing(self, target: Target, ctx: Context) -> Iterable[Artifact]:
        overrides: dict[str, bool] = {}
        if target.exists(SYSTEM_OVERRIDES):
            try:
                overrides = parse_disabled_overrides(target.read_bytes(SYSTEM_OVERRIDES, 4 * 1024 * 1024))
            except (TargetError, PlistError) as exc:
                ctx.note(target.display_path(SYSTEM_OVERRIDES),
                         Message.of("note.launchd_switches_unreadable", detail=err_detail(exc)))
                return
        for setting, state in sharing_from_overrides(overrides).items():
            detail = Words(Message.of("fact.launchd_switch", job=SHARING_JOBS[setting]) if state is not None
                           else Message.of("fact.no_switch"))
            yield make("setting", Location(path=SYSTEM_OVERRIDES), name=setting, enabled=bool(state),
                       value="on" if state else "off", detail=detail)

    def _remote_management(self, target: Target, ctx: Context) -> Iterable[Artifact]:
        enabled = False
        details: list[Message] = []
        where = ARD_LAUNCHD
        for trigger in (ARD_LAUNCHD, ARD_LAUNCHD_OLD):
            if not target.exists(trigger):
                continue
            where = trigger
            text = read_text_noted(target, ctx, trigger, 4096)
            enabled = text is not None and text.strip().lower() == "enabled"
            break
        if target.exists(ARD_PREFS):
            prefs = read_plist_noted(target, ctx, ARD_PREFS)
            if isinstance(prefs, dict):
                if plist_bool(prefs.get("ARD_AllLocalUsers")):
                    details.append(Message.of("fact.ard_all_users"))
                if plist_bool(prefs.get("VNCLegacyConnectionsEnabled")):
                    details.append(Message.of("fact.ard_vnc_password"))
        yield make("setting", Location(path=where), name="remote_management", enabled=enabled,
                   value="on" if enabled else "off", detail=Words(*details) if details else None)
