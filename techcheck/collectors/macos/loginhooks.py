"""LoginHook and LogoutHook: a script the sign-in window runs as root for everyone who signs in or out.

Set with `defaults write com.apple.loginwindow LoginHook /path/to/script`, which writes the key into
/Library/Preferences/com.apple.loginwindow.plist, or into root's own preferences
(/private/var/root/Library/Preferences/com.apple.loginwindow.plist) when run with sudo; the sign-in
window passes the user name to the script (Apple, "LoginWindowScripts",
https://developer.apple.com/documentation/devicemanagement/loginwindowscripts; "Customizing Login and
Logout", https://developer.apple.com/library/archive/documentation/MacOSX/Conceptual/BPSystemStartup/
Chapters/CustomLogin.html). KnockKnock reads the same files (Plugins/LogInOutHooks.m).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from techcheck.artifacts import Artifact, Location, make
from techcheck.collectors.base import Collector, Context, parse_noted
from techcheck.collectors.common.parsing import user_homes
from techcheck.collectors.macos.origin import entry_facts, origins_for
from techcheck.collectors.macos.plists import PlistError, load_plist, plist_str
from techcheck.i18n import N_, Message, Words
from techcheck.target.base import Target

LOGINWINDOW = "Library/Preferences/com.apple.loginwindow.plist"
HOOKS = {"LoginHook": ("login_hook", N_("fact.trigger_sign_in")),
         "LogoutHook": ("logout_hook", N_("fact.trigger_sign_out"))}


def parse_hooks(data: bytes) -> dict[str, str]:
    """LoginHook / LogoutHook values of a com.apple.loginwindow plist (XML or binary)."""
    plist: Any = load_plist(data)
    if not isinstance(plist, dict):
        raise PlistError("the sign-in window settings must be a dictionary")
    return {key: value.strip() for key in HOOKS if (value := plist_str(plist.get(key))) and value.strip()}


class MacLoginHooks(Collector):
    name = "macos.login_hooks"
    title = "Scripts run at every sign-in or sign-out (login and logout hooks)"
    platforms = ("macos",)

    def collect(self, target: Target, ctx: Context) -> Iterable[Artifact]:
        files = [(f"/{LOGINWINDOW}", "")] + [(f"{h.home}/{LOGINWINDOW}", h.user) for h in user_homes(target)]
        origins = origins_for(target, ctx)
        for path, user in files:
            if not target.exists(path):
                continue
            hooks = parse_noted(target, ctx, path, parse_hooks, Message.of("note.what.loginwindow_settings"),
                                (PlistError,))
            for key, command in (hooks or {}).items():
                mechanism, trigger = HOOKS[key]
                yield make("autostart", Location(path=path), mechanism=mechanism, name=key,
                           exe=command.split()[0], command=command, user=user or None,
                           scope="user" if user and user != "root" else "system", enabled=True,
                           trigger=Words(Message.of(trigger)), run_as="root", file=path,
                           **entry_facts(target, origins, command, definition=path))
