"""Artifact kinds: the one typed field schema shared by collectors, rules, the report and the docs.

Each kind's spec holds every fact about it: its fields and their types, which fields say which thing
it is (identity) and which describe it (summary), whether the inventory and "What starts by itself"
list it, and the message keys of its labels. `techcheck kinds` prints this schema; artifacts.make()
checks artifacts against it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from techcheck.i18n import Message
from techcheck.timeutil import TimeKind

FieldType = Literal["str", "int", "bool", "list", "time", "times"]


@dataclass(frozen=True)
class TimelineTime:
    """What a typed time field is on the timeline (report/timeline.py): its kind of time, and where
    it comes from (a time_source.* message) when the collector gave no typed time of that kind."""

    kind: TimeKind
    source: Message


@dataclass(frozen=True)
class FieldSpec:
    """One field. A "time" field says what it is on the timeline (`timeline`), or timeline=False
    when it is not a time of its own there (a permission's last_used_until: the end of the use
    whose start is already there); leaving it out is an error, so a new kind's time is never
    silently missing from the timeline."""

    type: FieldType
    description: str
    derived: bool = False  # computed from other fields; collectors do not set it
    timeline: TimelineTime | Literal[False] | None = None

    def __post_init__(self) -> None:
        if self.type == "time" and self.timeline is None:
            raise ValueError(f"time field {self.description!r}: say its timeline kind "
                             "(timeline=TimelineTime(...)) or timeline=False")
        if self.type != "time" and self.timeline is not None:
            raise ValueError(f"field {self.description!r}: only a time field has a timeline kind")


@dataclass(frozen=True)
class InventorySpec:
    """How a kind appears in the report's inventory (what advocates compare between visits)."""

    position: int  # its place in the inventory section (the JSON keeps this order)
    max_items: int = 5_000  # most items kept; a computer can have thousands of apps
    fields: tuple[str, ...] = ()  # the fields kept in the inventory (empty: all)


@dataclass(frozen=True)
class KindSpec:
    """One artifact kind: its fields, and every per-kind fact the report needs.

    identity: the fields that say *which* thing an artifact is (not its state): two reports name the
    same thing when kind, location and these fields agree (versions, flags and dates are state).
    summary: the fields that best describe it, in the order the report shows them.
    inventory: set when the report's inventory lists every artifact of this kind.
    starts_by_itself: listed in the report's "What starts by itself" section; `startup_fields` are
    the fields its entry there shows (report/startup.py).
    names: the fields that name it in the timeline ("AnyDesk was installed"), the first with a value
    wins; a "path" is shown as its folder and file (report/timewords.artifact_name).
    timeline_words: its timeline sentences name it with the message `timeline_what_<kind>`; without
    it, with `timeline_what_other` (tests/test_kinds.py checks each such message is there).
    Its label is the message `label_key` (texts.kind_label); each field's is `field_label_key(name)`.
    """

    name: str
    description: str
    fields: Mapping[str, FieldSpec]
    identity: tuple[str, ...]
    summary: tuple[str, ...]
    inventory: InventorySpec | None = None
    starts_by_itself: bool = False
    names: tuple[str, ...] = ()
    timeline_words: bool = False
    startup_fields: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for what, names in (("identity", self.identity), ("summary", self.summary), ("names", self.names),
                            ("startup_fields", self.startup_fields),
                            ("inventory", self.inventory.fields if self.inventory else ())):
            unknown = [n for n in names if n not in self.fields]
            if unknown:
                raise ValueError(f"kind {self.name!r}: {what} names fields it does not have: {unknown}")
        if not self.identity or not self.summary:
            raise ValueError(f"kind {self.name!r}: identity and summary fields are required")
        if self.starts_by_itself != bool(self.startup_fields):
            raise ValueError(f"kind {self.name!r}: a kind that starts by itself names its startup_fields (and only it)")

    @property
    def label_key(self) -> str:
        return kind_label_key(self.name)


def kind_label_key(kind: str) -> str:
    """The message key of a kind's label in the report ("kind.autostart")."""
    return f"kind.{kind}"


def field_label_key(name: str) -> str:
    """The message key of a field's label in the report ("field.exe_name"); location parts too."""
    return f"field.{name}"


# Location parts, labelled like fields in the report.
LOCATION_FIELDS = ("path", "registry_key", "pid")


def _f(type_: FieldType, description: str, derived: bool = False) -> FieldSpec:
    return FieldSpec(type_, description, derived)


def _time(description: str, kind: TimeKind | None, source: str = "") -> FieldSpec:
    """A typed time field: on the timeline as `kind` from `source` (a time_source.* id); kind None:
    not a time of its own on the timeline."""
    return FieldSpec("time", description, timeline=TimelineTime(kind, Message.of(source)) if kind else False)


_USER = _f("str", "the account this belongs to (empty when system-wide)")
_EXE = _f("str", "full path of the program that runs")
_EXE_NAME = _f("str", "file name of `exe`, lower-case (derived)", derived=True)
# Facts about where an entry came from and what it runs (techcheck/facts/), on every platform.
_FACTS: dict[str, FieldSpec] = {
    "origin": _f("str", "system (part of the operating system), installed (from a package or app), "
                        "changed (a packaged file whose checksum no longer matches) or unknown"),
    "origin_name": _f("str", "the package or app it came from (installed, changed)"),
    "interpreter": _f("str", "interpreter it runs through: sh, bash, python, powershell, cmd, wscript, "
                             "mshta, rundll32, osascript ... (empty when none)"),
    "runs": _f("str", "what the interpreter is told to run: script or library path (empty for inline code)"),
    "behaviour": _f("list", "behaviour tags: download_exec, encoded_code, inline_code, hidden_window, "
                            "script_from_web, temp_folder, hidden_folder, downloads_folder, user_folder, "
                            "system_name_elsewhere, missing_program"),
    "personal": _f("bool", "the file belongs to a person (.bashrc, crontab, ~/.config/autostart): "
                           "judged by what it runs, not by its origin"),
    "times": _f("times", "times the system keeps about it: list of {time (ISO 8601), kind (installed, "
                         "created, changed, last_used, connected), source}"),
    "signer": _f("str", "who signed the program file, as the signature inside it states (Authenticode on "
                        "Windows); a name, not checked against trusted roots"),
}

_TIMES = _FACTS["times"]  # also on kinds without the other facts: permissions, accounts, files, visits ...

KINDS: dict[str, KindSpec] = {k.name: k for k in [
    KindSpec("process", "a running program (live scans only)", {
        "pid": _f("int", "process id"),
        "name": _f("str", "process name"),
        "exe": _EXE, "exe_name": _EXE_NAME,
        "cmdline": _f("str", "full command line"),
        "user": _USER,
        "ppid": _f("int", "parent process id"),
        "parent_name": _f("str", "name of the parent process"),
        **_FACTS,
    },
        identity=("exe", "name", "cmdline", "user"),
        names=("name", "exe_name", "user"),
        summary=("name", "exe", "cmdline", "user", "pid")),
    KindSpec("app", "installed software: a package, a programs-list entry, an app bundle or program folder", {
        "name": _f("str", "name as shown to people"),
        "version": _f("str", "version"),
        "publisher": _f("str", "publisher or maintainer"),
        "install_path": _f("str", "where it is installed"),
        "bundle_id": _f("str", "macOS bundle identifier"),
        "package": _f("str", "package name (dpkg/rpm) or Uninstall key name"),
        "source": _f("str", "how it was found: dpkg, rpm, uninstall_key, bundle, folder, ..."),
        "hidden": _f("bool", "hides from the Dock / programs list"),
        "installed": _time("install date (ISO 8601)", "installed", "time_source.install_date"),
        "user": _USER,
        **_FACTS,
    },
        identity=("name", "package", "bundle_id", "install_path", "source", "user"),
        names=("name", "package", "bundle_id", "user"), timeline_words=True,
        summary=("name", "package", "bundle_id", "version", "install_path", "installed", "user"),
        inventory=InventorySpec(3, max_items=20_000, fields=(  # thousands of apps: fewer fields each
            "name", "version", "package", "bundle_id", "source", "install_path", "hidden", "user"))),
    KindSpec("service", "a background service registered with the system (Windows services)", {
        "name": _f("str", "service (key) name"),
        "display_name": _f("str", "display name"),
        "exe": _EXE, "exe_name": _EXE_NAME,
        "command": _f("str", "full command line / image path"),
        "start_type": _f("str", "boot, system, automatic, manual, disabled"),
        "enabled": _f("bool", "starts by itself"),
        "user": _f("str", "account the service runs as"),
        "service_dll": _f("str", "ServiceDll for shared-host services"),
        "description": _f("str", "description"),
        **_FACTS,
    },
        identity=("name", "command", "service_dll", "user"),
        names=("name", "display_name", "exe_name", "user"), timeline_words=True,
        startup_fields=("name", "command", "exe", "user", "enabled", "origin", "origin_name", "interpreter", "runs",
                        "behaviour", "personal"),
        summary=("name", "display_name", "command", "start_type", "user"),
        inventory=InventorySpec(2),
        starts_by_itself=True),
    KindSpec("autostart", "something set to start by itself (Run keys, tasks, launchd, systemd, XDG, cron, ...)", {
        "mechanism": _f("str", "run_key, startup_folder, scheduled_task, winlogon, ifeo, appinit, "
                               "silent_process_exit, appcert, lsa_package, print_monitor, netsh_helper, "
                               "boot_execute, active_setup, cmd_autorun, logon_script, screensaver, "
                               "ts_initial_program, policy_script, powershell_profile, com_override, "
                               "wmi_subscription, shell_extension, "
                               "launch_agent, launch_daemon, login_item, systemd, xdg_autostart, "
                               "cron, shell_startup, ld_preload; macOS also login_hook, logout_hook, "
                               "reopen_at_login, startup_item, launchd_conf, emond_rule, periodic, at, "
                               "dyld_insert, authorization_plugin, directory_services_plugin, "
                               "screensaver, spotlight_importer, quicklook_plugin"),
        "name": _f("str", "entry name: value name, task path, label, unit or file name"),
        "exe": _EXE, "exe_name": _EXE_NAME,
        "command": _f("str", "full command that runs"),
        "user": _USER,
        "scope": _f("str", "system or user"),
        "enabled": _f("bool", "whether it is switched on"),
        "hidden": _f("bool", "marked hidden (for example a hidden scheduled task)"),
        "trigger": _f("str", "when it runs: logon, boot, schedule, ..."),
        "run_as": _f("str", "account it runs as"),
        "description": _f("str", "description from the entry"),
        "author": _f("str", "who registered it, as the entry itself says (a scheduled task's Author)"),
        "file": _f("str", "file that defines the entry (plist, unit, desktop file), when there is one"),
        **_FACTS,
    },
        identity=("mechanism", "name", "command", "user", "scope"),
        names=("name", "exe_name", "user"), timeline_words=True,
        startup_fields=("name", "command", "exe", "user", "run_as", "enabled", "trigger", "origin", "origin_name",
                        "interpreter", "runs", "behaviour", "personal"),
        summary=("mechanism", "name", "command", "user", "enabled"),
        inventory=InventorySpec(1),
        starts_by_itself=True),
    KindSpec("listener", "a program waiting for network connections (live scans only)", {
        "protocol": _f("str", "tcp, udp, tcp6, udp6"),
        "address": _f("str", "local address it listens on"),
        "port": _f("int", "local port"),
        "pid": _f("int", "process id"),
        "process_name": _f("str", "process name"),
        "exe": _EXE, "exe_name": _EXE_NAME,
        "exposed": _f("bool", "reachable from other computers (not only this one)"),
    },
        identity=("protocol", "address", "port", "exe"),
        names=("exe_name",),
        summary=("process_name", "protocol", "address", "port", "exe")),
    KindSpec("connection", "an open network connection to another computer (live scans only)", {
        "protocol": _f("str", "tcp or tcp6"),
        "local_address": _f("str", "local address"),
        "local_port": _f("int", "local port"),
        "remote_address": _f("str", "remote address"),
        "remote_port": _f("int", "remote port"),
        "state": _f("str", "connection state"),
        "pid": _f("int", "process id"),
        "process_name": _f("str", "process name"),
        "exe": _EXE, "exe_name": _EXE_NAME,
    },
        identity=("protocol", "remote_address", "remote_port", "exe"),
        names=("exe_name",),
        summary=("process_name", "remote_address", "remote_port", "state")),
    KindSpec("session", "someone signed in to this computer right now (live scans only)", {
        "user": _USER,
        "terminal": _f("str", "terminal or display"),
        "host": _f("str", "where they connected from (empty = at the computer)"),
        "remote": _f("bool", "signed in from another computer"),
        "started": _time("when the session started (ISO 8601)", "connected", "time_source.sign_in_session_start"),
        "times": _TIMES,
    },
        identity=("user", "terminal", "host"),
        names=("user",),
        summary=("user", "terminal", "host", "started")),
    KindSpec("browser_extension", "an add-on installed in a web browser", {
        "browser": _f("str", "chrome, edge, brave, chromium, firefox"),
        "profile": _f("str", "browser profile folder"),
        "extension_id": _f("str", "extension id"),
        "name": _f("str", "name"),
        "version": _f("str", "version"),
        "enabled": _f("bool", "switched on"),
        "install_source": _f("str", "store, external_store, sideloaded, policy, component, default, ..."),
        "permissions": _f("list", "permissions it asked for"),
        "all_sites": _f("bool", "can read and change every web site you visit"),
        "user": _USER,
        "times": _TIMES,
    },
        identity=("browser", "profile", "extension_id", "user"),
        names=("name", "extension_id", "user"), timeline_words=True,
        summary=("name", "extension_id", "browser", "profile", "user", "install_source"),
        inventory=InventorySpec(6)),
    KindSpec("account", "an account: a computer login, or a cloud/browser account signed in", {
        "account_type": _f("str", "os_user, browser_sync, apple_id, microsoft, ..."),
        "name": _f("str", "user name or display name"),
        "email": _f("str", "e-mail address"),
        "uid": _f("str", "user id / SID"),
        "gid": _f("str", "main group id (Linux, macOS)"),
        "admin": _f("bool", "is an administrator"),
        "can_login": _f("bool", "can sign in"),
        "created": _time("when created (ISO 8601)", "created", "time_source.account_created"),
        "recently_created": _f("bool", "created in the 30 days before the scan (when the date is known)"),
        "system_account": _f("bool", "a built-in or service account no person signs in with"),
        "hidden": _f("bool", "kept off the sign-in screen and the Users list (macOS IsHidden, or an id under 500)"),
        "browser": _f("str", "browser, for browser accounts"),
        "profile": _f("str", "browser profile, for browser accounts"),
        "user": _USER,
        "times": _TIMES,
    },
        identity=("account_type", "name", "email", "uid", "browser", "profile", "user"),
        names=("name", "user"), timeline_words=True,
        summary=("account_type", "name", "email", "admin", "browser", "profile", "user"),
        inventory=InventorySpec(4)),
    KindSpec("permission", "an app or site allowed to use the camera, microphone, location, screen, keyboard ...", {
        "service": _f("str", "camera, microphone, location, screen_recording, accessibility, "
                             "input_monitoring, full_disk_access, notifications, ..."),
        "app": _f("str", "app: bundle id, package name or program path"),
        "site": _f("str", "web site, for browser permissions"),
        "allowed": _f("bool", "permission granted"),
        "status": _f("str", "allow, deny, prompt, ..."),
        "last_used": _time("last used (ISO 8601)", "last_used", "time_source.permission_used"),
        "last_used_until": _time("when that last use ended (ISO 8601)", None),
        "source": _f("str", "tcc, consent_store, browser, profile, ..."),
        "modified": _time("when the permission was last changed (ISO 8601)", "changed",
                          "time_source.permission_changed"),
        "app_hidden": _f("bool", "the app holding it hides: from the Dock / programs list, or in a hidden folder"),
        "app_unidentified": _f("bool", "held by a bare program file, not an installed app anyone can name"),
        "user": _USER,
        "times": _TIMES,
    },
        identity=("service", "app", "site", "source", "user"),
        names=("app", "site", "user"), timeline_words=True,
        summary=("service", "app", "site", "status", "last_used", "user"),
        inventory=InventorySpec(5)),
    KindSpec("setting", "a system setting: remote desktop, SSH, screen sharing, location, proxy, DNS ...", {
        "name": _f("str", "remote_desktop, ssh_server, screen_sharing, remote_management, "
                          "location_services, find_my, proxy, dns, remote_assistance, ..."),
        "enabled": _f("bool", "switched on"),
        "value": _f("str", "the setting's value"),
        "detail": _f("str", "more detail (port, options)"),
        "user": _USER,
        "times": _TIMES,
    },
        identity=("name", "user"),
        names=("name", "user"), timeline_words=True,
        summary=("name", "enabled", "value", "detail", "user"),
        inventory=InventorySpec(7)),
    KindSpec("certificate", "a trusted root certificate added to the system", {
        "subject": _f("str", "subject"),
        "issuer": _f("str", "issuer"),
        "sha1": _f("str", "SHA-1 fingerprint"),
        "sha256": _f("str", "SHA-256 fingerprint"),
        "store": _f("str", "certificate store"),
        "user": _USER,
        "times": _TIMES,
    },
        identity=("sha256", "sha1", "subject", "store", "user"),
        names=("subject", "user"),
        summary=("subject", "issuer", "sha256", "store"),
        inventory=InventorySpec(10)),
    KindSpec("profile", "a device-management or configuration profile", {
        "identifier": _f("str", "profile identifier"),
        "name": _f("str", "display name"),
        "organization": _f("str", "organization"),
        "payload_types": _f("list", "payload types inside"),
        "signed": _f("bool", "signed"),
        "signer": _f("str", "who signed it"),
        "removal_disallowed": _f("bool", "cannot be removed by the user"),
        "installed": _f("bool", "installed on the system (false: a profile file saved on disk, not yet installed)"),
        "user": _USER,
        "times": _TIMES,
    },
        identity=("identifier", "user"),
        names=("name", "identifier", "user"),
        summary=("name", "identifier", "organization", "payload_types", "signed"),
        inventory=InventorySpec(9)),
    KindSpec("file", "a file known to be left by monitoring or remote-access software", {
        "path": _f("str", "full path"),
        "name": _f("str", "file name, lower-case"),
        "size": _f("int", "size in bytes"),
        "sha256": _f("str", "SHA-256"),
        "description": _f("str", "what the file is"),
        "user": _USER,
        # a dated record inside the file: a logged session
        "time": _time("when, for a dated record inside the file such as a logged session (ISO 8601)", "connected",
                      "time_source.connection_log"),
        "times": _TIMES,
    },
        identity=("path", "sha256"),
        names=("path", "name", "user"), timeline_words=True,
        summary=("path", "description", "size", "sha256")),
    KindSpec("program_file", "a program file on disk (.exe, .msi, .dmg, .pkg, .app, ELF, AppImage) in a program "
                             "folder or where downloaded programs are run from", {
        "exe": _f("str", "full path of the program file"), "exe_name": _EXE_NAME,
        "size": _f("int", "size in bytes (an .app bundle: its main program file, when found)"),
        "file_type": _f("str", "exe, msi, dmg, pkg, app, elf, appimage, script"),
        "place": _f("str", "program_folder, downloads, desktop, documents, temp, system_folder (C:\\Windows)"),
        "sha256": _f("str", "SHA-256, only for files a rule with a hash condition points at"),
        "user": _USER,
        "times": _TIMES,
    },
        identity=("exe", "exe_name", "file_type", "place", "sha256", "size", "user"),
        names=("exe_name", "user"),
        summary=("exe", "file_type", "place", "size", "sha256", "user")),
    KindSpec("ssh_key", "a key that lets someone sign in to this computer over SSH", {
        "user": _USER,
        "key_type": _f("str", "ssh-ed25519, ssh-rsa, ..."),
        "fingerprint": _f("str", "SHA256 fingerprint"),
        "comment": _f("str", "comment (often user@host of whoever made the key)"),
        "options": _f("str", "options before the key (command=, from=)"),
        "times": _TIMES,
    },
        identity=("user", "fingerprint", "key_type", "options"),
        names=("user",),
        summary=("user", "key_type", "comment", "fingerprint", "options"),
        inventory=InventorySpec(8)),
    KindSpec("web_visit", "a web page visited or a file downloaded in a browser", {
        "browser": _f("str", "browser"),
        "profile": _f("str", "browser profile"),
        "url": _f("str", "address"),
        "domain": _f("str", "host name of `url`, lower-case (derived)", derived=True),
        "title": _f("str", "page title or downloaded file"),
        "visit_type": _f("str", "history or download"),
        "time": _time("when (ISO 8601)", "last_used", "time_source.browser_history"),
        "user": _USER,
        "times": _TIMES,
    },
        identity=("url", "visit_type", "time", "user"),
        names=("domain", "user"), timeline_words=True,
        summary=("url", "title", "visit_type", "time", "browser", "user")),
    KindSpec("hosts_entry", "a line in the hosts file that sends a name to a fixed address", {
        "hostname": _f("str", "host name, lower-case"),
        "address": _f("str", "address it points to"),
    },
        identity=("hostname", "address"),
        names=(),
        summary=("hostname", "address")),
]}
