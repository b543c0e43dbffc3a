"""Where a macOS start-up entry comes from: the system, an installed app or package, or unknown.

- "system": a program on the sealed system volume (/System, /usr except /usr/local, /bin, /sbin;
  https://support.apple.com/guide/security/signed-system-volume-security-secd698747c9/web) or in
  /Library/Apple (System Integrity Protection keeps it Apple's); an Apple job label (com.apple.*)
  whose program lies there; a file from one of Apple's own installer packages (com.apple.pkg.*).
- "installed": the program lies inside an app bundle that is present in the copy and not in a
  temporary, hidden or shared folder (origin_name = the app's name); or a helper tool in
  /Library/PrivilegedHelperTools that an installed app names (its SMJobBless list
  SMPrivilegedExecutables, the copy kept in Contents/Library/LaunchServices, or a daemon plist in
  Contents/Library/LaunchDaemons for SMAppService); or a file an installer package
  listed in its receipt (origin_name = the package id); or a file in a Homebrew keg.
- "unknown": anything else. An entry that runs a script through an interpreter takes the origin of
  the script, never of the interpreter (sh, python, osascript are always the system's).
"""

from __future__ import annotations

import posixpath
import re
import shlex
import weakref
from dataclasses import dataclass, field
from datetime import datetime

from techcheck.collectors.base import Context, list_dir_noted, parse_noted, time_noted
from techcheck.collectors.common.filetimes import file_times
from techcheck.collectors.macos.apps import FoundBundle, find_app_bundles, read_bundle
from techcheck.collectors.macos.plists import PlistError
from techcheck.collectors.macos.receipts import (
    INSTALL_HISTORY,
    RECEIPTS_DIR,
    BomError,
    HistoryEntry,
    Receipt,
    bom_paths,
    installed_path,
    parse_install_history,
    parse_receipt_plist,
)
from techcheck.errors import TargetError
from techcheck.facts.behaviour import Behaviour, analyse_command, analyse_script, program_missing, script_kind
from techcheck.facts.origin import INSTALLED, SYSTEM, UNKNOWN_ORIGIN, Origin
from techcheck.i18n import Message
from techcheck.target.base import Target
from techcheck.timeutil import Time, time_fact

RECEIPT = Message.of("time_source.installer_receipt")
HISTORY = Message.of("time_source.install_history")
HISTORY_LATEST = Message.of("time_source.install_history_latest")

SEALED_PREFIXES = ("/system/", "/usr/", "/bin/", "/sbin/", "/library/apple/")
NOT_SEALED = ("/usr/local/",)
APPLE_PROGRAM_PREFIXES = ("/system/", "/usr/libexec/", "/usr/bin/", "/usr/sbin/", "/bin/", "/sbin/",
                          "/library/apple/")
HELPER_TOOLS = "/Library/PrivilegedHelperTools"
# Folders no installer puts an app in: temporary folders, the folder every account can write to.
_ODD_PLACE = re.compile(r"^/(?:private/)?(?:tmp|var/tmp|var/folders)/|^/users/shared/|/\.[^/]+/|/downloads/",
                        re.IGNORECASE)
_HOMEBREW = re.compile(r"^/(opt/homebrew|usr/local)/(Cellar|opt)/([^/]+)/")
_BUNDLE_SUFFIXES = (".app", ".bundle", ".plugin", ".saver", ".mdimporter", ".qlgenerator", ".kext",
                    ".systemextension", ".dsplug", ".appex", ".framework", ".prefpane")


# Periodic scripts macOS itself puts in /private/etc/periodic (on the data volume, so not sealed).
# Listed from a stock macOS 14 and from https://book.hacktricks.wiki/en/macos-hardening/
# macos-auto-start-locations.html ("Periodic"); macOS's periodic comes from FreeBSD's periodic(8).
MACOS_PERIODIC = {
    "daily": {"110.clean-tmps", "130.clean-msgs", "140.clean-rwho", "199.rotate-fax", "310.accounting",
              "400.status-disks", "420.status-network", "430.status-rwho", "999.local"},
    "weekly": {"320.whatis", "340.noid", "999.local"},
    "monthly": {"199.rotate-fax", "200.accounting", "999.local"},
}


def is_stock_periodic(path: str) -> bool:
    parts = path.split("/")
    return (len(parts) == 6 and "/".join(parts[:4]).lower() == "/private/etc/periodic"
            and parts[5] in MACOS_PERIODIC.get(parts[4], set()))


def is_sealed(path: str) -> bool:
    low = path.lower()
    return low.startswith(SEALED_PREFIXES) and not low.startswith(NOT_SEALED)


def odd_place(path: str) -> bool:
    return bool(_ODD_PLACE.search(path))


def outer_bundle(path: str, suffixes: tuple[str, ...] = (".app",)) -> str:
    """The outermost folder of `path` whose name ends with one of suffixes, or ''."""
    parts = path.split("/")
    for i, part in enumerate(parts):
        if part.lower().endswith(suffixes) and i > 0:
            return "/".join(parts[:i + 1])
    return ""


@dataclass
class MacOrigins:
    """What is installed on one target, read once: apps, their helper lists, and receipts."""

    target: Target
    ctx: Context
    apps: list[FoundBundle] = field(default_factory=list)
    receipt_files: dict[str, str] = field(default_factory=dict)  # lower-case path -> package id
    receipts: list[Receipt] = field(default_factory=list)
    installed_on: dict[str, datetime] = field(default_factory=dict)  # package id -> install time (UTC)
    history: list[HistoryEntry] = field(default_factory=list)  # InstallHistory.plist
    package_names: dict[str, str] = field(default_factory=dict)  # package id -> "App (installer package id)"
    _bundles: dict[str, Origin] = field(default_factory=dict)
    _history_index: dict[str, list[datetime]] | None = None

    @classmethod
    def read(cls, target: Target, ctx: Context) -> MacOrigins:
        found = cls(target, ctx, find_app_bundles(target, ctx))
        found._read_receipts()
        if target.exists(INSTALL_HISTORY):
            found.history = parse_noted(target, ctx, INSTALL_HISTORY, parse_install_history,
                                        Message.of("note.what.install_history"), (PlistError,),
                                        limit=32 * 1024 * 1024) or []
        return found

    def _read_receipts(self) -> None:
        for path in list_dir_noted(self.target, self.ctx, RECEIPTS_DIR):
            if not path.lower().endswith(".plist"):
                continue
            receipt = parse_noted(self.target, self.ctx, path, parse_receipt_plist,
                                  Message.of("note.what.installer_receipt"),
                                  (PlistError,), limit=4 * 1024 * 1024)
            if receipt is None:
                continue
            self.receipts.append(receipt)
            # plistlib gives naive datetimes in UTC; an implausible date is left out with a note.
            fact = time_noted(self.ctx, self.target.display_path(path), receipt.installed, "installed", RECEIPT)
            if fact is not None:
                self.installed_on[receipt.package_id] = fact.when
            bom = path[:-len(".plist")] + ".bom"
            if not self.target.exists(bom):
                continue
            listed = parse_noted(self.target, self.ctx, bom, bom_paths, Message.of("note.what.receipt_file_list"),
                                 (BomError,), limit=64 * 1024 * 1024)
            for rel in listed or []:
                self.receipt_files.setdefault(installed_path(receipt.prefix, rel).lower(), receipt.package_id)
            self._name_package(receipt.package_id, listed or [])

    def history_dates(self) -> dict[str, list[datetime]]:
        """InstallHistory.plist's plausible install times by lower-case app name and package id (built once)."""
        if self._history_index is None:
            self._history_index = {}
            for entry in self.history:
                fact = time_fact(entry.installed, "installed", HISTORY)
                if fact is None:
                    continue
                for key in {entry.name.lower(), *(p.lower() for p in entry.packages)} - {""}:
                    self._history_index.setdefault(key, []).append(fact.when)
        return self._history_index

    def _name_package(self, package_id: str, listed: list[str]) -> None:
        """People know the app, not the package id: name a package after the app it installed."""
        tops = [p for p in (installed_path("/", rel) for rel in listed)
                if p.lower().endswith(".app") and ".app/" not in p.lower()]
        for bundle in tops[:3]:  # the app a package installs is near the top of its list
            info = read_bundle(self.target, self.ctx, bundle)
            name = (info.name if info else "") or ""
            if name:
                self.package_names[package_id] = f"{name} (installer package {package_id})"
                return

    def _from_receipt(self, path: str) -> Origin | None:
        package = self.receipt_files.get(posixpath.normpath(path).lower()) if path.startswith("/") else None
        if package is None:
            return None
        value = SYSTEM if package.lower().startswith("com.apple.pkg.") else INSTALLED
        return Origin(value, self.package_names.get(package, package))

    def package_of(self, origin_name: str) -> str:
        """The package id behind an origin name ("App (installer package id)" or the id itself)."""
        m = re.search(r"\(installer package ([^)]+)\)$", origin_name)
        return m.group(1) if m else origin_name

    def _from_bundle(self, path: str, own_bundle: str = "") -> Origin | None:
        """Inside an app (or another bundle with a description, such as Google's updater bundle)
        that is present in the copy, outside odd places, and is not the entry's own bundle: a plug-in,
        kernel extension or screen saver does not vouch for itself."""
        bundle = outer_bundle(path, _BUNDLE_SUFFIXES)
        if not bundle or odd_place(bundle) or bundle.lower() == own_bundle.lower():
            return None
        key = bundle.lower()
        if key not in self._bundles:
            info = read_bundle(self.target, self.ctx, bundle)
            name = (info.name if info else "") or posixpath.splitext(posixpath.basename(bundle))[0]
            self._bundles[key] = Origin(INSTALLED, name) if info is not None else UNKNOWN_ORIGIN
        found = self._bundles[key]
        return found if found.value == INSTALLED else None

    def _from_helper_tools(self, path: str) -> Origin | None:
        if posixpath.dirname(path).lower() != HELPER_TOOLS.lower():
            return None
        tool = posixpath.basename(path)
        low = tool.lower()
        for app in self.apps:
            named = {h.lower() for h in app.info.privileged_helpers}
            copies = [f"{app.path}/Contents/Library/LaunchServices/{tool}",
                      f"{app.path}/Contents/Library/LaunchDaemons/{tool}.plist"]
            if low in named or any(self.target.exists(c) for c in copies):
                return Origin(INSTALLED, app.info.name or posixpath.basename(app.path))
        return None

    def _from_homebrew(self, path: str) -> Origin | None:
        """A file in a Homebrew keg (<prefix>/Cellar/<formula>/<version>/, or the <prefix>/opt/<formula>
        link to it) that Homebrew installed: the keg holds the INSTALL_RECEIPT.json Homebrew writes
        (https://docs.brew.sh/Formula-Cookbook, "keg" and "opt prefix")."""
        m = _HOMEBREW.match(path)
        if not m:
            return None
        prefix, formula = m.group(1), m.group(3)
        if self.target.glob(f"/{prefix}/Cellar/{formula}/*/INSTALL_RECEIPT.json"):
            return Origin(INSTALLED, f"Homebrew {formula}")
        return None

    def _from_system_extension(self, path: str) -> Origin | None:
        """macOS copies an app's Contents/Library/SystemExtensions/X.systemextension to
        /Library/SystemExtensions/<UUID>/X.systemextension when the app activates it."""
        parts = path.split("/")
        if len(parts) < 5 or "/".join(parts[:3]).lower() != "/library/systemextensions":
            return None
        name = parts[4]
        for app in self.apps:
            if self.target.exists(f"{app.path}/Contents/Library/SystemExtensions/{name}"):
                return Origin(INSTALLED, app.info.name or posixpath.basename(app.path))
        return None

    def of_path(self, path: str, own_bundle: str = "") -> Origin:
        """The origin of one file (a program, script, library or plug-in bundle).

        own_bundle: the bundle that is itself the entry (a plug-in), which cannot explain itself.
        """
        if not path or not path.startswith("/"):
            return UNKNOWN_ORIGIN
        if is_sealed(path) or is_stock_periodic(path):
            return Origin(SYSTEM, "macOS")
        found = self._from_receipt(path) or self._from_bundle(path, own_bundle)
        for look in (self._from_helper_tools, self._from_system_extension, self._from_homebrew):
            found = found or look(path)
        if found is not None:
            return found
        bundle = outer_bundle(path, _BUNDLE_SUFFIXES)  # a plug-in bundle listed by a receipt
        if bundle and bundle != path:
            found = self._from_receipt(bundle)
            if found is not None:
                return found
        return UNKNOWN_ORIGIN

    def of_job(self, label: str, program: str, job_file: str) -> Origin:
        """The origin of a launchd job: Apple's label with Apple's program, else its program's."""
        if job_file.lower().startswith(("/system/", "/library/apple/")):
            return Origin(SYSTEM, "macOS")
        if label.lower().startswith("com.apple.") and program.lower().startswith(APPLE_PROGRAM_PREFIXES):
            return Origin(SYSTEM, "macOS")
        return self.of_path(program)


_CACHE: dict[int, tuple[weakref.ref[Target], MacOrigins]] = {}


def origins_for(target: Target, ctx: Context) -> MacOrigins:
    """The origin index of a target, built once per target and shared by the collectors."""
    key = id(target)
    cached = _CACHE.get(key)
    if cached is not None and cached[0]() is target:
        return cached[1]
    found = MacOrigins.read(target, ctx)
    _CACHE.clear()  # one scan at a time; never keep an old target's index alive
    _CACHE[key] = (weakref.ref(target), found)
    return found


def entry_facts(target: Target, origins: MacOrigins, command: str = "", exe: str = "", label: str = "",
                job_file: str = "", argv: tuple[str, ...] = (), own_bundle: str = "",
                definition: str = "") -> dict[str, object]:
    """origin, origin_name, interpreter, runs, behaviour and times fields for one start-up entry.

    argv: the exact argument list when the entry has one (launchd), so paths with spaces stay whole.
    own_bundle: the entry's own bundle (plug-ins, extensions), which does not count as an installed app.
    definition: the file that defines the entry (its modification time is a "changed" time).
    """
    found = behaviour_of(shlex.join(argv) if argv else command or _quoted(exe))
    program = exe or (argv[0] if argv else command.split()[0] if command else "")
    tags = list(found.tags)
    if command and exe and not found.interpreter:  # the program found past wrappers (nohup, env)
        tags += [t for t in behaviour_of(_quoted(exe)).tags if t not in tags]
    if found.interpreter:
        origin = origins.of_path(found.runs) if found.runs else UNKNOWN_ORIGIN
    elif label or job_file:
        origin = origins.of_job(label, program, job_file)
    else:
        origin = origins.of_path(program, own_bundle)
    if _poses_as_apple(label, job_file, program):
        tags.append("system_name_elsewhere")
    checked = found.runs or program
    if program_missing(checked, target.exists, target.is_dir):
        tags.append("missing_program")
    tags += script_tags(target, checked)
    return {"origin": origin.value, "origin_name": origin.name or None,
            "interpreter": found.interpreter or None, "runs": found.runs or None,
            "behaviour": list(dict.fromkeys(tags)),
            "times": entry_times(target, origins, definition or job_file or checked, origin) or None}


def entry_times(target: Target, origins: MacOrigins, definition: str, origin: Origin) -> list[Time]:
    """The definition file's creation ("created", where kept) and modification ("changed") times, and
    the install time of the package the entry comes from, from its receipt ("installed")."""
    times = file_times(target, origins.ctx, definition)
    installed = origins.installed_on.get(origins.package_of(origin.name)) if origin.name else None
    if installed is not None:
        times.append(Time(installed, "installed", RECEIPT))
    return times


def bundle_times(target: Target, origins: MacOrigins, bundle: str, name: str, bundle_id: str) -> list[Time]:
    """An app's times: its folder's creation and modification times, the install time of the
    installer package that put it there (its receipt), and its installs in InstallHistory.plist
    (the first is "installed"; a later one, an update or a new install, is "changed")."""
    times = file_times(target, origins.ctx, bundle)
    package = origins.receipt_files.get(bundle.lower()) or origins.receipt_files.get(
        f"{bundle}/Contents/Info.plist".lower(), "")
    installed = origins.installed_on.get(package) if package else None
    if installed is not None:
        times.append(Time(installed, "installed", RECEIPT))
    keys = {n.lower() for n in (name, posixpath.splitext(posixpath.basename(bundle))[0], package, bundle_id) if n}
    dates = sorted({when for key in keys for when in origins.history_dates().get(key, [])})
    if dates:
        times.append(Time(dates[0], "installed", HISTORY))
    if len(dates) > 1 and dates[-1] != dates[0]:
        times.append(Time(dates[-1], "changed", HISTORY_LATEST))
    return times


SCRIPT_LIMIT = 64 * 1024


def script_tags(target: Target, path: str) -> list[str]:
    """What a script file does (download and run, encoded code), read from the start of its text;
    [] for compiled programs and files that cannot be read (other checks note those)."""
    if not path.startswith("/") or not target.is_file(path):
        return []
    try:
        head = target.read_prefix(path, SCRIPT_LIMIT)
    except TargetError:
        return []
    if b"\x00" in head[:1024]:
        return []  # a compiled program
    text = head.decode("utf-8", errors="replace")
    kind = script_kind(path, text.split("\n", 1)[0])
    return list(analyse_script(text, kind).tags) if kind else []


def _poses_as_apple(label: str, job_file: str, program: str) -> bool:
    """An Apple-style name (com.apple.*) on a job outside Apple's folders that runs a non-Apple program."""
    apple_name = label.lower().startswith("com.apple.") or posixpath.basename(job_file).lower().startswith("com.apple.")
    if not apple_name or job_file.lower().startswith(("/system/", "/library/apple/")):
        return False
    return not program.lower().startswith(APPLE_PROGRAM_PREFIXES)


def _quoted(path: str) -> str:
    return shlex.quote(path) if path else ""


def behaviour_of(command: str) -> Behaviour:
    return analyse_command(command, "macos") if command else Behaviour()
