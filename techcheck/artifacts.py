"""Artifact kinds: the one typed field schema shared by collectors, rules and the docs.

Every artifact has a kind, a set of fields from that kind's schema, and a location (where it was
found: a path, a registry key, a process id). `techcheck kinds` prints this schema.
"""

from __future__ import annotations

import ntpath
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlsplit

from techcheck.timeutil import Time

FieldType = Literal["str", "int", "bool", "list", "time", "times"]
_PY_TYPES: dict[str, tuple[type, ...]] = {
    "str": (str,), "int": (int,), "bool": (bool,), "list": (list, tuple), "time": (str,), "times": (list, tuple),
}


@dataclass(frozen=True)
class FieldSpec:
    type: FieldType
    description: str
    derived: bool = False  # computed from other fields; collectors do not set it


@dataclass(frozen=True)
class KindSpec:
    name: str
    description: str
    fields: Mapping[str, FieldSpec]


def _f(type_: FieldType, description: str, derived: bool = False) -> FieldSpec:
    return FieldSpec(type_, description, derived)


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
    }),
    KindSpec("app", "installed software: a package, a programs-list entry, an app bundle or program folder", {
        "name": _f("str", "name as shown to people"),
        "version": _f("str", "version"),
        "publisher": _f("str", "publisher or maintainer"),
        "install_path": _f("str", "where it is installed"),
        "bundle_id": _f("str", "macOS bundle identifier"),
        "package": _f("str", "package name (dpkg/rpm) or Uninstall key name"),
        "source": _f("str", "how it was found: dpkg, rpm, uninstall_key, bundle, folder, ..."),
        "hidden": _f("bool", "hides from the Dock / programs list"),
        "installed": _f("time", "install date (ISO 8601)"),
        "user": _USER,
        **_FACTS,
    }),
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
    }),
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
    }),
    KindSpec("listener", "a program waiting for network connections (live scans only)", {
        "protocol": _f("str", "tcp, udp, tcp6, udp6"),
        "address": _f("str", "local address it listens on"),
        "port": _f("int", "local port"),
        "pid": _f("int", "process id"),
        "process_name": _f("str", "process name"),
        "exe": _EXE, "exe_name": _EXE_NAME,
        "exposed": _f("bool", "reachable from other computers (not only this one)"),
    }),
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
    }),
    KindSpec("session", "someone signed in to this computer right now (live scans only)", {
        "user": _USER,
        "terminal": _f("str", "terminal or display"),
        "host": _f("str", "where they connected from (empty = at the computer)"),
        "remote": _f("bool", "signed in from another computer"),
        "started": _f("time", "when the session started (ISO 8601)"),
        "times": _TIMES,
    }),
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
    }),
    KindSpec("account", "an account: a computer login, or a cloud/browser account signed in", {
        "account_type": _f("str", "os_user, browser_sync, apple_id, microsoft, ..."),
        "name": _f("str", "user name or display name"),
        "email": _f("str", "e-mail address"),
        "uid": _f("str", "user id / SID"),
        "gid": _f("str", "main group id (Linux, macOS)"),
        "admin": _f("bool", "is an administrator"),
        "can_login": _f("bool", "can sign in"),
        "created": _f("time", "when created (ISO 8601)"),
        "recently_created": _f("bool", "created in the 30 days before the scan (when the date is known)"),
        "system_account": _f("bool", "a built-in or service account no person signs in with"),
        "hidden": _f("bool", "kept off the sign-in screen and the Users list (macOS IsHidden, or an id under 500)"),
        "browser": _f("str", "browser, for browser accounts"),
        "profile": _f("str", "browser profile, for browser accounts"),
        "user": _USER,
        "times": _TIMES,
    }),
    KindSpec("permission", "an app or site allowed to use the camera, microphone, location, screen, keyboard ...", {
        "service": _f("str", "camera, microphone, location, screen_recording, accessibility, "
                             "input_monitoring, full_disk_access, notifications, ..."),
        "app": _f("str", "app: bundle id, package name or program path"),
        "site": _f("str", "web site, for browser permissions"),
        "allowed": _f("bool", "permission granted"),
        "status": _f("str", "allow, deny, prompt, ..."),
        "last_used": _f("time", "last used (ISO 8601)"),
        "last_used_until": _f("time", "when that last use ended (ISO 8601)"),
        "source": _f("str", "tcc, consent_store, browser, profile, ..."),
        "modified": _f("time", "when the permission was last changed (ISO 8601)"),
        "app_hidden": _f("bool", "the app holding it hides: from the Dock / programs list, or in a hidden folder"),
        "app_unidentified": _f("bool", "held by a bare program file, not an installed app anyone can name"),
        "user": _USER,
        "times": _TIMES,
    }),
    KindSpec("setting", "a system setting: remote desktop, SSH, screen sharing, location, proxy, DNS ...", {
        "name": _f("str", "remote_desktop, ssh_server, screen_sharing, remote_management, "
                          "location_services, find_my, proxy, dns, remote_assistance, ..."),
        "enabled": _f("bool", "switched on"),
        "value": _f("str", "the setting's value"),
        "detail": _f("str", "more detail (port, options)"),
        "user": _USER,
        "times": _TIMES,
    }),
    KindSpec("certificate", "a trusted root certificate added to the system", {
        "subject": _f("str", "subject"),
        "issuer": _f("str", "issuer"),
        "sha1": _f("str", "SHA-1 fingerprint"),
        "sha256": _f("str", "SHA-256 fingerprint"),
        "store": _f("str", "certificate store"),
        "user": _USER,
        "times": _TIMES,
    }),
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
    }),
    KindSpec("file", "a file known to be left by monitoring or remote-access software", {
        "path": _f("str", "full path"),
        "name": _f("str", "file name, lower-case"),
        "size": _f("int", "size in bytes"),
        "sha256": _f("str", "SHA-256"),
        "description": _f("str", "what the file is"),
        "user": _USER,
        "time": _f("time", "when, for a dated record inside the file such as a logged session (ISO 8601)"),
        "times": _TIMES,
    }),
    KindSpec("program_file", "a program file on disk (.exe, .msi, .dmg, .pkg, .app, ELF, AppImage) in a program "
                             "folder or where downloaded programs are run from", {
        "exe": _f("str", "full path of the program file"), "exe_name": _EXE_NAME,
        "size": _f("int", "size in bytes (an .app bundle: its main program file, when found)"),
        "file_type": _f("str", "exe, msi, dmg, pkg, app, elf, appimage, script"),
        "place": _f("str", "program_folder, downloads, desktop, documents, temp, system_folder (C:\\Windows)"),
        "sha256": _f("str", "SHA-256, only for files a rule with a hash condition points at"),
        "user": _USER,
        "times": _TIMES,
    }),
    KindSpec("ssh_key", "a key that lets someone sign in to this computer over SSH", {
        "user": _USER,
        "key_type": _f("str", "ssh-ed25519, ssh-rsa, ..."),
        "fingerprint": _f("str", "SHA256 fingerprint"),
        "comment": _f("str", "comment (often user@host of whoever made the key)"),
        "options": _f("str", "options before the key (command=, from=)"),
        "times": _TIMES,
    }),
    KindSpec("web_visit", "a web page visited or a file downloaded in a browser", {
        "browser": _f("str", "browser"),
        "profile": _f("str", "browser profile"),
        "url": _f("str", "address"),
        "domain": _f("str", "host name of `url`, lower-case (derived)", derived=True),
        "title": _f("str", "page title or downloaded file"),
        "visit_type": _f("str", "history or download"),
        "time": _f("time", "when (ISO 8601)"),
        "user": _USER,
        "times": _TIMES,
    }),
    KindSpec("hosts_entry", "a line in the hosts file that sends a name to a fixed address", {
        "hostname": _f("str", "host name, lower-case"),
        "address": _f("str", "address it points to"),
    }),
]}


@dataclass(frozen=True, slots=True)  # slots: a scan can hold hundreds of thousands of these
class Location:
    """Where an artifact was found. At least one part is usually set."""

    path: str = ""
    registry_key: str = ""
    pid: int | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.path:
            out["path"] = self.path
        if self.registry_key:
            out["registry_key"] = self.registry_key
        if self.pid is not None:
            out["pid"] = self.pid
        return out


@dataclass(frozen=True, slots=True)
class Artifact:
    kind: str
    fields: Mapping[str, Any]
    location: Location = field(default_factory=Location)

    def get(self, name: str) -> Any:
        return self.fields.get(name)

    def to_dict(self) -> dict[str, Any]:
        """The artifact as evidence: likely secrets masked, and the masked fields named under "masked"."""
        from techcheck.masking import mask_fields

        plain = {k: ([t.to_dict() for t in v] if k == "times" else v) for k, v in self.fields.items()}
        fields, masked = mask_fields(plain)
        out: dict[str, Any] = {"kind": self.kind, "fields": fields, "location": self.location.to_dict()}
        if masked:
            out["masked"] = masked  # these fields held what looked like a password, token or private address part
        return out

    def sort_key(self) -> tuple[str, ...]:
        loc = self.location
        return (self.kind, loc.path, loc.registry_key, str(loc.pid or ""),
                str(sorted((k, str(v)) for k, v in self.fields.items())))


class ArtifactError(ValueError):
    """An artifact does not follow its kind's schema (a programming error in a collector or sample)."""


def exe_basename(path: str) -> str:
    return ntpath.basename(path.strip().strip('"')).lower() if path else ""


def url_domain(url: str) -> str:
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return host.lower().rstrip(".")


def check_fields(kind: str, fields: Mapping[str, Any]) -> list[str]:
    """Problems with a kind/fields pair, as messages naming the field. Empty when valid."""
    spec = KINDS.get(kind)
    if spec is None:
        return [f"unknown artifact kind {kind!r}"]
    problems = []
    for name, value in fields.items():
        fs = spec.fields.get(name)
        if fs is None:
            problems.append(f"field {name!r} is not in the {kind!r} schema")
        elif fs.derived:
            problems.append(f"field {name!r} is derived; it is computed, not set")
        elif value is not None and not isinstance(value, _PY_TYPES[fs.type]):
            problems.append(f"field {name!r} must be {fs.type}, not {type(value).__name__}")
        elif fs.type == "int" and isinstance(value, bool):
            problems.append(f"field {name!r} must be int, not bool")
        elif fs.type == "times" and not all(isinstance(v, Time) for v in value):  # type: ignore[attr-defined]
            problems.append(f"field {name!r} must be a list of Time values")
    return problems


def make(kind: str, location: Location | None = None, **fields: Any) -> Artifact:
    """Build a checked artifact. None values are dropped; derived fields are filled in."""
    clean = {k: (list(v) if isinstance(v, tuple) else v) for k, v in fields.items() if v is not None}
    problems = check_fields(kind, clean)
    if problems:
        raise ArtifactError("; ".join(problems))
    spec = KINDS[kind]
    if "exe_name" in spec.fields and clean.get("exe"):
        clean["exe_name"] = exe_basename(str(clean["exe"]))
    if "domain" in spec.fields and clean.get("url"):
        clean["domain"] = url_domain(str(clean["url"]))
    return Artifact(kind, clean, location or Location())
