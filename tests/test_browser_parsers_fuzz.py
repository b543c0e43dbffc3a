"""Parsers of browser and account files take any input without crashing (bad input is normal)."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from techcheck.collectors.browsers.accounts import chromium_accounts, firefox_account, local_state_accounts
from techcheck.collectors.browsers.chromium import manifest_permissions, parse_extensions, parse_site_permissions
from techcheck.collectors.browsers.firefox import parse_extensions_json, parse_prefs_js, proxy_from_prefs
from techcheck.collectors.browsers.policy import (
    chromium_forced_extensions,
    chromium_proxy,
    firefox_forced_extensions,
    firefox_proxy,
)
from techcheck.collectors.browsers.profiles import parse_profiles_ini, reaches_all_sites
from techcheck.collectors.common.parsing import parse_passwd
from techcheck.collectors.linux.accounts import parse_group, parse_shadow, parse_sudoers
from techcheck.collectors.macos.accounts import parse_admin_members, parse_user_plist

# Any JSON value, nested a few levels, with keys the parsers look for mixed in.
KEYS = st.sampled_from(["content_scripts", "matches", "host_permissions", "origins", "defaultLocale",
                        "extensions", "settings", "manifest", "location", "state", "disable_reasons", "profile",
                        "content_settings", "exceptions", "geolocation", "media_stream_mic", "setting", "addons",
                        "id", "userPermissions", "account_info", "email", "google", "services", "username",
                        "ExtensionInstallForcelist", "ExtensionSettings", "ProxySettings", "Proxy", "Mode",
                        "accountData", "info_cache", "user_name", "Default",
                        "permissions", "active_permissions", "installation_mode"]) | st.text(max_size=8)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(KEYS, children, max_size=5),
    max_leaves=30,
)


@settings(max_examples=150, deadline=None)
@given(JSON, JSON)
def test_json_parsers_never_crash(data: Any, other: Any) -> None:
    as_dict = data if isinstance(data, dict) else {"extensions": {"settings": {"x": data}}}
    other_dict = other if isinstance(other, dict) else {}
    for ext in parse_extensions(as_dict, other_dict):
        assert all(isinstance(p, str) for p in ext.permissions)
        reaches_all_sites(ext.permissions)
    parse_site_permissions(as_dict)
    parse_extensions_json(as_dict)
    parse_extensions_json({"addons": [as_dict, other]})
    manifest_permissions(as_dict, other_dict)
    chromium_accounts(as_dict)
    local_state_accounts(as_dict, "Default")
    firefox_account(as_dict, other_dict)
    chromium_forced_extensions(as_dict)
    chromium_proxy(as_dict)
    firefox_forced_extensions(as_dict)
    firefox_proxy(as_dict)
    proxy_from_prefs(as_dict)
    json.dumps(as_dict)  # the input stays untouched JSON


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=400))
def test_text_parsers_never_crash(text: str) -> None:
    parse_prefs_js(text)
    parse_profiles_ini(text)
    parse_passwd(text)
    parse_shadow(text)
    parse_group(text)
    parse_sudoers(text)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=300))
def test_plist_parsers_never_crash(data: bytes) -> None:
    parse_user_plist(data)
    parse_admin_members(data)
    parse_user_plist(b"bplist00" + data)
    parse_user_plist(b"<?xml" + data)
    parse_admin_members(b"<?xml version='1.0'?><plist><dict><key>users</key>" + data)
