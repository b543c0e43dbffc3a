"""Accounts signed in to web browsers (Chrome-family and Firefox), and users whose profiles use
several different accounts.

A browser signed in to someone else's account can send them this computer's history, saved
passwords and open tabs. The check lists each signed-in account once per profile, and adds one
"browser_sync_mixed" record when one user's profiles are signed in to two or more accounts.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from techcheck.artifacts import Artifact, Location, make
from techcheck.collectors.base import Collector, Context, read_json_noted, read_text_noted
from techcheck.collectors.browsers.firefox import parse_prefs_js
from techcheck.collectors.browsers.profiles import BrowserProfile, find_profiles
from techcheck.collectors.common.parsing import user_homes
from techcheck.target.base import Target


@dataclass(frozen=True)
class SignedInAccount:
    email: str
    name: str


def chromium_accounts(prefs: Mapping[str, Any]) -> list[SignedInAccount]:
    """Accounts signed in to a Chrome-family profile (Preferences account_info, or the older
    google.services.username)."""
    found: dict[str, SignedInAccount] = {}
    info = prefs.get("account_info")
    for entry in info if isinstance(info, list) else []:
        if isinstance(entry, dict) and isinstance(entry.get("email"), str) and entry["email"]:
            name = entry.get("full_name")
            account = SignedInAccount(entry["email"], name if isinstance(name, str) else "")
            found.setdefault(account.email.lower(), account)
    services = prefs.get("google", {}).get("services", {}) if isinstance(prefs.get("google"), dict) else {}
    username = services.get("username") if isinstance(services, dict) else None
    if isinstance(username, str) and username and username.lower() not in found:
        found[username.lower()] = SignedInAccount(username, "")
    return list(found.values())


def local_state_accounts(local_state: Mapping[str, Any], profile_name: str) -> list[SignedInAccount]:
    """The account Chrome's "Local State" lists for a profile folder (profile.info_cache.<folder>)."""
    profile = local_state.get("profile")
    cache = profile.get("info_cache") if isinstance(profile, dict) else None
    entry = cache.get(profile_name) if isinstance(cache, dict) else None
    if not isinstance(entry, dict) or not isinstance(entry.get("user_name"), str) or "@" not in entry["user_name"]:
        return []
    name = entry.get("gaia_name")
    return [SignedInAccount(entry["user_name"], name if isinstance(name, str) else "")]


def firefox_account(signed_in: Mapping[str, Any] | None, prefs: Mapping[str, Any]) -> SignedInAccount | None:
    """The Firefox account of a profile: signedInUser.json, else the sync user name in prefs.js."""
    data = signed_in.get("accountData") if signed_in else None
    if isinstance(data, dict) and isinstance(data.get("email"), str) and data["email"]:
        name = data.get("displayName")
        return SignedInAccount(data["email"], name if isinstance(name, str) else "")
    username = prefs.get("services.sync.username")
    if isinstance(username, str) and username:
        return SignedInAccount(username, "")
    return None


class BrowserAccounts(Collector):
    name = "browsers.accounts"
    title = "Accounts signed in to web browsers"
    platforms = ("windows", "macos", "linux")

    def collect(self, target: Target, ctx: Context) -> Iterable[Artifact]:
        per_user: dict[str, dict[str, set[str]]] = {}  # user -> email -> browsers
        self._local_states: dict[str, Mapping[str, Any]] = {}
        for profile in find_profiles(target, ctx, user_homes(target)):
            for account, where in self._accounts(target, ctx, profile):
                per_user.setdefault(profile.user, {}).setdefault(account.email.lower(), set()).add(profile.browser)
                yield make("account", Location(path=target.display_path(where)), account_type="browser_sync",
                           email=account.email, name=account.name or None, browser=profile.browser,
                           profile=profile.name, user=profile.user)
        for user, emails in sorted(per_user.items()):
            if len(emails) >= 2:
                browsers = sorted({b for found_in in emails.values() for b in found_in})
                yield make("account", Location(), account_type="browser_sync_mixed",
                           name=", ".join(sorted(emails)), browser=", ".join(browsers), user=user)

    def _local_state(self, target: Target, ctx: Context, root: str) -> Mapping[str, Any]:
        """The browser's "Local State" file beside the profiles, read once per browser folder."""
        if root not in self._local_states:
            path = posixpath.join(root, "Local State")
            data = read_json_noted(target, ctx, path) if target.exists(path) else None
            self._local_states[root] = data if isinstance(data, dict) else {}
        return self._local_states[root]

    def _accounts(self, target: Target, ctx: Context, profile: BrowserProfile) -> list[tuple[SignedInAccount, str]]:
        if profile.family == "chromium":
            path = posixpath.join(profile.path, "Preferences")
            prefs = read_json_noted(target, ctx, path) if target.exists(path) else None
            found = [(a, path) for a in chromium_accounts(prefs if isinstance(prefs, dict) else {})]
            if not found:
                # Older profiles, or a Preferences file that could not be read: Local State may know.
                root = posixpath.dirname(profile.path)
                found = [(a, posixpath.join(root, "Local State"))
                         for a in local_state_accounts(self._local_state(target, ctx, root), profile.name)]
            return found
        signed_path = posixpath.join(profile.path, "signedInUser.json")
        signed = read_json_noted(target, ctx, signed_path) if target.exists(signed_path) else None
        prefs_path = posixpath.join(profile.path, "prefs.js")
        prefs_text = read_text_noted(target, ctx, prefs_path) if target.exists(prefs_path) else None
        account = firefox_account(signed if isinstance(signed, dict) else None, parse_prefs_js(prefs_text or ""))
        if account is None:
            return []
        return [(account, signed_path if isinstance(signed, dict) and target.is_file(signed_path) else prefs_path)]
