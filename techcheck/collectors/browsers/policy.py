"""Machine-wide browser policies that force add-ons into the browser or send traffic through a proxy.

Policies are how schools and employers manage browsers. Someone with control of the computer can
use the same switches to push a watching add-on that the user cannot remove, or to route all web
traffic through a server they choose. Files are read on every system; on Windows the policies in
the registry are read too (machine-wide and for each user).
"""

from __future__ import annotations

import contextlib
import posixpath
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from techcheck.artifacts import Artifact, Location, make
from techcheck.collectors.base import Collector, Context, read_bytes_noted, read_json_noted
from techcheck.collectors.common.parsing import JsonError, load_json, plist_or_none
from techcheck.collectors.windows.registry import subkeys_noted, values_noted
from techcheck.errors import NotAvailable
from techcheck.i18n import Message, err_detail
from techcheck.target.base import Target
from techcheck.target.registry import RegistryError, RegKey

# Chrome-family managed policy folders on Linux (every *.json inside is read).
LINUX_CHROMIUM_POLICY_DIRS: dict[str, tuple[str, ...]] = {
    "chrome": ("/etc/opt/chrome/policies/managed",),
    "chromium": ("/etc/chromium/policies/managed", "/etc/chromium-browser/policies/managed"),
    "edge": ("/etc/opt/edge/policies/managed",),
    "brave": ("/etc/brave/policies/managed",),
}
# macOS managed preferences (written by device management profiles), per browser bundle id.
MACOS_POLICY_DOMAINS: dict[str, str] = {
    "com.google.Chrome": "chrome",
    "org.chromium.Chromium": "chromium",
    "com.microsoft.Edge": "edge",
    "com.brave.Browser": "brave",
    "org.mozilla.firefox": "firefox",
}
FIREFOX_POLICY_FILES: dict[str, tuple[str, ...]] = {
    "linux": ("/etc/firefox/policies/policies.json", "/usr/lib/firefox/distribution/policies.json",
              "/usr/lib/firefox-esr/distribution/policies.json", "/usr/lib64/firefox/distribution/policies.json",
              "/opt/firefox/distribution/policies.json"),
    "macos": ("/Applications/Firefox.app/Contents/Resources/distribution/policies.json",),
    "windows": ("/Program Files/Mozilla Firefox/distribution/policies.json",
                "/Program Files (x86)/Mozilla Firefox/distribution/policies.json"),
}
# Policy keys under HKLM\\SOFTWARE\\Policies (and each user's Software\\Policies) on Windows.
WINDOWS_POLICY_KEYS: dict[str, str] = {
    "Google\\Chrome": "chrome",
    "Chromium": "chromium",
    "Microsoft\\Edge": "edge",
    "BraveSoftware\\Brave": "brave",
    "Mozilla\\Firefox": "firefox",
}
# Proxy modes that do not send traffic to a server someone chose.
_NO_PROXY_MODES = {"", "direct", "none", "system", "auto_detect", "autodetect"}


@dataclass(frozen=True)
class ForcedExtension:
    extension_id: str
    update_url: str


@dataclass(frozen=True)
class ProxyPolicy:
    mode: str
    detail: str

    @property
    def sends_elsewhere(self) -> bool:
        return self.mode.lower() not in _NO_PROXY_MODES


def chromium_forced_extensions(policy: Mapping[str, Any]) -> list[ForcedExtension]:
    """ExtensionInstallForcelist ("id;update_url") and ExtensionSettings with force_installed."""
    found: dict[str, ForcedExtension] = {}
    forcelist = policy.get("ExtensionInstallForcelist")
    if isinstance(forcelist, dict):  # macOS plists and the registry may give numbered entries
        forcelist = [forcelist[k] for k in sorted(forcelist)]
    for item in forcelist if isinstance(forcelist, list) else []:
        if isinstance(item, str) and item.strip():
            ext_id, _, url = item.strip().partition(";")
            found.setdefault(ext_id.strip(), ForcedExtension(ext_id.strip(), url.strip()))
    settings = policy.get("ExtensionSettings")
    for ext_id, entry in (settings.items() if isinstance(settings, dict) else []):
        if isinstance(entry, dict) and entry.get("installation_mode") == "force_installed" and ext_id != "*":
            found.setdefault(str(ext_id), ForcedExtension(str(ext_id), str(entry.get("update_url") or "")))
    return list(found.values())


def chromium_proxy(policy: Mapping[str, Any]) -> ProxyPolicy | None:
    """ProxySettings (a dictionary) or the older ProxyMode / ProxyServer / ProxyPacUrl policies."""
    settings = policy.get("ProxySettings")
    source = settings if isinstance(settings, dict) else policy
    mode = source.get("ProxyMode")
    server, pac = source.get("ProxyServer"), source.get("ProxyPacUrl")
    if not isinstance(mode, str):
        if isinstance(server, str) and server:
            mode = "fixed_servers"
        elif isinstance(pac, str) and pac:
            mode = "pac_script"
        else:
            return None
    detail = ", ".join(str(v) for v in (server, pac) if isinstance(v, str) and v)
    return ProxyPolicy(mode, detail)


def firefox_forced_extensions(policies: Mapping[str, Any]) -> list[ForcedExtension]:
    """Extensions.Install (addresses of add-on files) and ExtensionSettings force_installed."""
    found: dict[str, ForcedExtension] = {}
    extensions = policies.get("Extensions")
    installs = extensions.get("Install") if isinstance(extensions, dict) else None
    for url in installs if isinstance(installs, list) else []:
        if isinstance(url, str) and url:
            # The add-on id is only known once installed; the file name stands in for it.
            found.setdefault(url, ForcedExtension(posixpath.basename(url.replace("\\", "/")), url))
    settings = policies.get("ExtensionSettings")
    for ext_id, entry in (settings.items() if isinstance(settings, dict) else []):
        if isinstance(entry, dict) and entry.get("installation_mode") == "force_installed" and ext_id != "*":
            found.setdefault(str(ext_id), ForcedExtension(str(ext_id), str(entry.get("install_url") or "")))
    return list(found.values())


def firefox_proxy(policies: Mapping[str, Any]) -> ProxyPolicy | None:
    proxy = policies.get("Proxy")
    if not isinstance(proxy, dict):
        return None
    mode = str(proxy.get("Mode") or "")
    detail = ", ".join(str(proxy[k]) for k in ("HTTPProxy", "SSLProxy", "SOCKSProxy", "AutoConfigURL")
                       if isinstance(proxy.get(k), str) and proxy[k])
    if not mode and detail:
        mode = "manual"
    return ProxyPolicy(mode, detail) if mode else None


@dataclass(frozen=True)
class PolicySource:
    browser: str
    path: str
    policy: Mapping[str, Any]
    user: str = ""  # set for per-user managed preferences on macOS and per-user registry policies
    in_registry: bool = False  # path is a registry key, not a file


class BrowserPolicies(Collector):
    name = "browsers.policy"
    title = "Browser policies that force add-ons or a proxy"
    platforms = ("windows", "macos", "linux")

    def collect(self, target: Target, ctx: Context) -> Iterable[Artifact]:
        for source in self._sources(target, ctx):
            yield from self._artifacts(target, source)
        if target.os == "windows":
            for source in self._windows_registry(target, ctx):
                yield from self._artifacts(target, source)

    def _sources(self, target: Target, ctx: Context) -> Iterator[PolicySource]:
        if target.os == "linux":
            yield from self._linux_chromium(target, ctx)
        if target.os == "macos":
            yield from self._macos_managed(target, ctx)
        yield from self._firefox_files(target, ctx)

    def _linux_chromium(self, target: Target, ctx: Context) -> Iterator[PolicySource]:
        for browser, folders in LINUX_CHROMIUM_POLICY_DIRS.items():
            for folder in folders:
                for path in target.glob(posixpath.join(folder, "*.json")):
                    data = read_json_noted(target, ctx, path, limit=4 * 1024 * 1024)
                    if isinstance(data, dict):
                        yield PolicySource(browser, path, data)

    def _firefox_files(self, target: Target, ctx: Context) -> Iterator[PolicySource]:
        for path in FIREFOX_POLICY_FILES.get(target.os, ()):
            if target.exists(path):
                data = read_json_noted(target, ctx, path, limit=4 * 1024 * 1024)
                policies = data.get("policies") if isinstance(data, dict) else None
                if isinstance(policies, dict):
                    yield PolicySource("firefox", path, policies)
                elif data is not None:
                    ctx.note(target.display_path(path), Message.of("note.no_policies_section"))

    def _macos_managed(self, target: Target, ctx: Context) -> Iterator[PolicySource]:
        base = "/Library/Managed Preferences"
        candidates = [(posixpath.join(base, f"{domain}.plist"), "") for domain in MACOS_POLICY_DOMAINS]
        for user_dir in target.glob(posixpath.join(base, "*")):
            if target.is_dir(user_dir):
                user = posixpath.basename(user_dir)
                candidates += [(posixpath.join(user_dir, f"{domain}.plist"), user) for domain in MACOS_POLICY_DOMAINS]
        for path, user in candidates:
            if not target.exists(path):
                continue
            raw = read_bytes_noted(target, ctx, path, 4 * 1024 * 1024)
            if raw is None:
                continue
            data = plist_or_none(raw)
            if data is None:
                ctx.note(target.display_path(path), Message.of("note.not_plist"))
            elif isinstance(data, dict):
                domain = posixpath.basename(path)[: -len(".plist")]
                browser = next(b for d, b in MACOS_POLICY_DOMAINS.items() if d.lower() == domain.lower())
                policy = data.get("policies", data) if browser == "firefox" else data
                if isinstance(policy, dict):
                    yield PolicySource(browser, path, policy, user)

    @staticmethod
    def _artifacts(target: Target, source: PolicySource) -> Iterator[Artifact]:
        where = (Location(registry_key=source.path) if source.in_registry
                 else Location(path=target.display_path(source.path)))
        if source.browser == "firefox":
            forced, proxy = firefox_forced_extensions(source.policy), firefox_proxy(source.policy)
        else:
            forced, proxy = chromium_forced_extensions(source.policy), chromium_proxy(source.policy)
        for ext in forced:
            # Known-add-on rules match the id here too, even when no profile has installed it yet.
            yield make("browser_extension", where, browser=source.browser, extension_id=ext.extension_id,
                       install_source="policy", enabled=True, user=source.user,
                       profile="(every profile, by policy)")
        if proxy is not None:
            yield make("setting", where, name="browser_policy_proxy", enabled=proxy.sends_elsewhere,
                       value=proxy.mode, detail=f"{source.browser}: {proxy.detail}".rstrip(": "), user=source.user)

    @staticmethod
    def _windows_registry(target: Target, ctx: Context) -> Iterator[PolicySource]:
        """HKLM\\SOFTWARE\\Policies\\<vendor>\\<browser>, and the same under each user's hive."""
        try:
            reg = target.registry()
        except NotAvailable as exc:
            ctx.note("HKLM\\SOFTWARE\\Policies", Message.of("note.registry_policies_skipped", detail=err_detail(exc)))
            return
        roots = [("HKLM\\SOFTWARE\\Policies", "")]
        roots += [(f"{hive}\\Software\\Policies", reg.user_of(hive)) for hive in reg.user_hives()]
        for root, user in roots:
            for rel, browser in WINDOWS_POLICY_KEYS.items():
                try:
                    key = reg.open_key(f"{root}\\{rel}")
                    policy = registry_policy(key, ctx) if key is not None else None
                except RegistryError as exc:
                    ctx.note(f"{root}\\{rel}", err_detail(exc))
                    continue
                if policy:
                    yield PolicySource(browser, f"{root}\\{rel}", policy, user, in_registry=True)


def registry_policy(key: RegKey, ctx: Context, depth: int = 0) -> dict[str, Any]:
    """A policy key as the mapping the JSON policy files give: values by name, subkeys nested.

    Lists are stored as numbered values ("1", "2", ...) and dictionaries such as ProxySettings or
    ExtensionSettings as JSON text; both are turned back into what the browser reads.
    """
    policy: dict[str, Any] = {}
    for value in values_noted(key, ctx):
        data: Any = value.text() if value.type in ("REG_SZ", "REG_EXPAND_SZ") else value.data
        if isinstance(data, str) and data.lstrip().startswith("{"):
            with contextlib.suppress(JsonError):  # not JSON after all: keep the text
                data = load_json(data)
        policy[value.name] = data
    if depth < 4:
        for sub in subkeys_noted(key, ctx):
            policy[sub.name] = registry_policy(sub, ctx, depth + 1)
    if policy and all(k.isdigit() for k in policy):
        return {"_list": [policy[k] for k in sorted(policy, key=int)]}
    return {k: (v["_list"] if isinstance(v, dict) and set(v) == {"_list"} else v) for k, v in policy.items()}
