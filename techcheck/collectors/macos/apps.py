"""Installed apps, privileged helper tools, kernel extensions and system extensions.

An app is a folder `Name.app` whose `Contents/Info.plist` names it (CFBundleName), identifies it
(CFBundleIdentifier) and may hide it: `LSUIElement` (no Dock icon, no menu bar) and
`LSBackgroundOnly` (no interface at all) — hidden apps are how monitoring tools stay out of sight.
Kernel extensions live in /Library/Extensions/*.kext; system extensions are copied by macOS into
/Library/SystemExtensions/<UUID>/*.systemextension; helper tools that apps install to run as root
live in /Library/PrivilegedHelperTools (a bare program, started by a launchd daemon).
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable
from dataclasses import dataclass

from techcheck.artifacts import Artifact, Location, make
from techcheck.collectors.base import Collector, Context, list_dir_noted
from techcheck.collectors.common.parsing import user_homes
from techcheck.collectors.macos.plists import PlistError, load_plist, plist_bool, plist_str
from techcheck.errors import TargetError
from techcheck.i18n import Message, Words, err_detail
from techcheck.target.base import Target


@dataclass(frozen=True)
class BundleInfo:
    name: str
    bundle_id: str
    version: str
    executable: str
    ui_element: bool
    background_only: bool
    # SMJobBless: labels of the helper tools the app may install in /Library/PrivilegedHelperTools.
    privileged_helpers: tuple[str, ...] = ()
    # LSEnvironment: variables set for the app each time it opens (DYLD_INSERT_LIBRARIES loads code into it).
    environment: tuple[tuple[str, str], ...] = ()

    @property
    def hidden(self) -> bool:
        return self.ui_element or self.background_only


def parse_info_plist(data: bytes) -> BundleInfo:
    """The facts techcheck needs from a bundle's Info.plist. Raises PlistError when unusable."""
    plist = load_plist(data)
    if not isinstance(plist, dict):
        raise PlistError("Info.plist must be a dictionary")
    version = plist_str(plist.get("CFBundleShortVersionString")) or plist_str(plist.get("CFBundleVersion")) or ""
    return BundleInfo(
        name=plist_str(plist.get("CFBundleDisplayName")) or plist_str(plist.get("CFBundleName")) or "",
        bundle_id=plist_str(plist.get("CFBundleIdentifier")) or "",
        version=version,
        executable=plist_str(plist.get("CFBundleExecutable")) or "",
        ui_element=bool(plist_bool(plist.get("LSUIElement"))),
        background_only=bool(plist_bool(plist.get("LSBackgroundOnly"))),
        privileged_helpers=_str_keys(plist.get("SMPrivilegedExecutables")),
        environment=_str_items(plist.get("LSEnvironment")),
    )


def _str_keys(value: object) -> tuple[str, ...]:
    return tuple(k for k in value if isinstance(k, str)) if isinstance(value, dict) else ()


def _str_items(value: object) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, dict):
        return ()
    return tuple((k, v) for k, v in value.items() if isinstance(k, str) and isinstance(v, str))


@dataclass(frozen=True)
class FoundBundle:
    path: str  # the bundle folder
    info: BundleInfo
    user: str


def read_bundle(target: Target, ctx: Context, bundle: str) -> BundleInfo | None:
    plist_path = f"{bundle}/Contents/Info.plist"
    if not target.exists(plist_path):
        return None
    try:
        return parse_info_plist(target.read_bytes(plist_path, 4 * 1024 * 1024))
    except TargetError as exc:
        ctx.note(target.display_path(plist_path), Message.of("note.could_not_read", detail=err_detail(exc)))
    except PlistError as exc:
        ctx.note(target.display_path(plist_path),
                 Message.of("note.app_description_undecodable", detail=err_detail(exc)))
    return None


def app_folders(target: Target) -> list[tuple[str, str]]:
    """(folder, user) pairs where apps are installed."""
    folders = [("/Applications", "")]
    folders += [(f"{h.home}/Applications", h.user) for h in user_homes(target)]
    return folders


def find_app_bundles(target: Target, ctx: Context) -> list[FoundBundle]:
    """Apps in the app folders and one folder down (such as /Applications/Utilities)."""
    found: list[FoundBundle] = []
    for folder, user in app_folders(target):
        for entry in list_dir_noted(target, ctx, folder):
            if entry.lower().endswith(".app"):
                candidates = [entry]
            elif target.is_dir(entry):
                candidates = [p for p in list_dir_noted(target, ctx, entry) if p.lower().endswith(".app")]
            else:
                candidates = []
            for bundle in candidates:
                info = read_bundle(target, ctx, bundle)
                if info is not None:
                    found.append(FoundBundle(bundle, info, user))
    return found


def _bundle_artifact(b: FoundBundle, source: str, facts: dict[str, object] | None = None) -> Artifact:
    name = b.info.name or posixpath.splitext(posixpath.basename(b.path))[0]
    return make("app", Location(path=b.path), name=name, version=b.info.version or None,
                install_path=b.path, bundle_id=b.info.bundle_id or None, source=source,
                hidden=b.info.hidden, user=b.user or None, **(facts or {}))


def inserted_libraries_of(b: FoundBundle) -> list[str]:
    """DYLD_INSERT_LIBRARIES from the app's LSEnvironment: code loaded into it each time it opens."""
    value = dict(b.info.environment).get("DYLD_INSERT_LIBRARIES", "")
    return [p.strip() for p in value.split(":") if p.strip()]


class MacApps(Collector):
    name = "macos.apps"
    title = "Installed apps, helper tools and extensions"
    platforms = ("macos",)

    def collect(self, target: Target, ctx: Context) -> Iterable[Artifact]:
        from techcheck.collectors.macos.origin import bundle_times, entry_facts, origins_for  # origin reads apps.py

        origins = origins_for(target, ctx)
        for bundle in origins.apps:
            times = bundle_times(target, origins, bundle.path, bundle.info.name, bundle.info.bundle_id)
            yield _bundle_artifact(bundle, "bundle", {"times": times or None})
            for lib in inserted_libraries_of(bundle):
                app_exe = f"{bundle.path}/Contents/MacOS/{bundle.info.executable}"
                yield make("autostart", Location(path=f"{bundle.path}/Contents/Info.plist"), mechanism="dyld_insert",
                           name=bundle.info.name or posixpath.basename(bundle.path), exe=lib,
                           command=f"DYLD_INSERT_LIBRARIES={lib} {app_exe}", user=bundle.user or None,
                           scope="user" if bundle.user else "system", enabled=True,
                           trigger=Words(Message.of("fact.trigger_app_opens")),
                           file=f"{bundle.path}/Contents/Info.plist",
                           **entry_facts(target, origins, exe=lib, definition=f"{bundle.path}/Contents/Info.plist"))
        for path in list_dir_noted(target, ctx, "/Library/PrivilegedHelperTools"):
            if target.is_file(path):
                yield make("app", Location(path=path), name=posixpath.basename(path), install_path=path,
                           source="privileged_helper", **entry_facts(target, origins, exe=path))
        for path in list_dir_noted(target, ctx, "/Library/Extensions"):
            if path.lower().endswith(".kext"):
                info = read_bundle(target, ctx, path)
                if info is not None:
                    yield _bundle_artifact(FoundBundle(path, info, ""), "kernel_extension",
                                           entry_facts(target, origins, exe=path, own_bundle=path))
        for path in target.glob("/Library/SystemExtensions/*/*.systemextension"):
            info = read_bundle(target, ctx, path)
            if info is not None:
                yield _bundle_artifact(FoundBundle(path, info, ""), "system_extension",
                                       entry_facts(target, origins, exe=path, own_bundle=path))
