"""Plug-ins that macOS loads by itself into its own programs.

- authorization plug-ins, /Library/Security/SecurityAgentPlugins/*.bundle: run inside the sign-in
  process and can see the password typed (Apple TN2228 "Running At Login";
  https://attack.mitre.org/techniques/T1547/002/);
- directory-services plug-ins, /Library/DirectoryServices/PlugIns/*.dsplug: loaded by the account
  directory service;
- screen savers, /Library/Screen Savers and ~/Library/Screen Savers (*.saver);
- Spotlight importers, /Library/Spotlight and ~/Library/Spotlight (*.mdimporter): loaded by mdworker
  for every file of their type;
- Quick Look generators, /Library/QuickLook and ~/Library/QuickLook (*.qlgenerator).
KnockKnock lists the same folders (Plugins/AuthorizationPlugins.m, DirectoryServicesPlugins.m,
SpotlightImporters.m, QuicklookPlugins.m). Apple's own copies live on the sealed system volume
(/System/Library/...), which nobody else can change, so only the other folders are read.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable
from dataclasses import dataclass

from techcheck.artifacts import Artifact, Location, make
from techcheck.collectors.base import Collector, Context, list_dir_noted
from techcheck.collectors.common.parsing import user_homes
from techcheck.collectors.macos.apps import read_bundle
from techcheck.collectors.macos.origin import entry_facts, origins_for
from techcheck.i18n import N_, Message, Words
from techcheck.target.base import Target


@dataclass(frozen=True)
class PluginPlace:
    mechanism: str
    folder: str  # under / or under each home
    suffix: str
    per_user: bool
    trigger: str  # message id: when it runs, in words


PLACES = (
    PluginPlace("authorization_plugin", "Library/Security/SecurityAgentPlugins", ".bundle", False,
                N_("fact.trigger_sign_in")),
    PluginPlace("directory_services_plugin", "Library/DirectoryServices/PlugIns", ".dsplug", False,
                N_("fact.trigger_boot")),
    PluginPlace("screensaver", "Library/Screen Savers", ".saver", True, N_("fact.trigger_mac_screen_saver")),
    PluginPlace("spotlight_importer", "Library/Spotlight", ".mdimporter", True, N_("fact.trigger_files_indexed")),
    PluginPlace("quicklook_plugin", "Library/QuickLook", ".qlgenerator", True, N_("fact.trigger_files_previewed")),
)


def plugin_folders(target: Target) -> list[tuple[PluginPlace, str, str]]:
    out = []
    for place in PLACES:
        out.append((place, f"/{place.folder}", ""))
        if place.per_user:
            out += [(place, f"{h.home}/{place.folder}", h.user) for h in user_homes(target)]
    return out


class MacPlugins(Collector):
    name = "macos.plugins"
    title = "Plug-ins macOS loads by itself (sign-in, Spotlight, Quick Look, screen savers)"
    platforms = ("macos",)

    def collect(self, target: Target, ctx: Context) -> Iterable[Artifact]:
        origins = origins_for(target, ctx)
        for place, folder, user in plugin_folders(target):
            for bundle in list_dir_noted(target, ctx, folder):
                if not bundle.lower().endswith(place.suffix):
                    continue
                info = read_bundle(target, ctx, bundle)
                exe = f"{bundle}/Contents/MacOS/{info.executable}" if info and info.executable else bundle
                name = (info.name if info else "") or posixpath.splitext(posixpath.basename(bundle))[0]
                facts = entry_facts(target, origins, exe=exe, own_bundle=bundle)
                yield make("autostart", Location(path=bundle), mechanism=place.mechanism, name=name,
                           exe=exe, command=exe, user=user or None, scope="user" if user else "system",
                           enabled=True, trigger=Words(Message.of(place.trigger)),
                           description=info.bundle_id if info else None,
                           file=f"{bundle}/Contents/Info.plist" if info else None, **facts)
