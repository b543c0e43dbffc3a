"""Other Linux start-up places: SysV init scripts, folders of scripts run at sign-in, network change or
session start, udev rules that run programs, PAM modules that run programs, and kernel modules set to
load. Each entry carries its origin and behaviour facts (startfacts.py); verdicts are in rules.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Iterator

from techcheck.artifacts import Artifact, Location, make
from techcheck.collectors.base import Collector, Context, list_dir_noted, read_text_noted
from techcheck.collectors.linux.commandline import command_exe
from techcheck.collectors.linux.startfacts import entry_facts, file_facts
from techcheck.i18n import N_, Message, Words
from techcheck.target.base import Target
from techcheck.textlines import blank_fields, text_lines

TEXT_LIMIT = 1024 * 1024

# --- SysV init ---------------------------------------------------------------------------------
INIT_D = "/etc/init.d"
RC_DIRS = tuple(f"/etc/rc{level}.d" for level in "0123456S")
_INIT_SKIP = {"README", "skeleton", ".depend.boot", ".depend.start", ".depend.stop", "rc", "rcS", "functions"}


def sysv_links(target: Target, ctx: Context) -> dict[str, list[str]]:
    """init script name -> run levels where an S?? link starts it (Debian's update-rc.d links)."""
    started: dict[str, list[str]] = {}
    for folder in RC_DIRS:
        for path in list_dir_noted(target, ctx, folder):
            name = posixpath.basename(path)
            match = re.match(r"^S\d\d(.+)$", name)
            if match:
                started.setdefault(match.group(1), []).append(folder[len("/etc/rc"):-2])
    return started


class LinuxSysvInit(Collector):
    name = "linux.sysv_init"
    title = "Start-up scripts of the older kind (/etc/init.d, rc.d links)"
    platforms = ("linux",)

    def collect(self, target: Target, ctx: Context) -> Iterable[Artifact]:
        started = sysv_links(target, ctx)
        for path in list_dir_noted(target, ctx, INIT_D):
            name = posixpath.basename(path)
            if name in _INIT_SKIP or name.startswith(".") or not target.is_file(path):
                continue
            levels = started.get(name, [])
            yield make("autostart", Location(path=path), mechanism="sysv_init", name=name, exe=path, command=path,
                       user="", scope="system", run_as="root", enabled=bool(levels),
                       trigger=Words(Message.of("fact.trigger_boot_run_levels", levels=", ".join(levels)) if levels
                                     else Message.of("fact.trigger_no_start_link")),
                       **file_facts(target, ctx, path))


# --- folders whose every file runs ---------------------------------------------------------------
# (folder, mechanism, when it runs). Sources: update-motd(5); NetworkManager-dispatcher(8);
# Xsession(5) and xinit(1); gdm's PostLogin/PreSession/Init scripts (GNOME admin guide).
SCRIPT_FOLDERS = (
    ("/etc/update-motd.d", "motd", N_("fact.trigger_motd")),
    ("/etc/NetworkManager/dispatcher.d", "nm_dispatcher", N_("fact.trigger_network_changes")),
    ("/etc/NetworkManager/dispatcher.d/pre-up.d", "nm_dispatcher", N_("fact.trigger_network_connects")),
    ("/etc/NetworkManager/dispatcher.d/pre-down.d", "nm_dispatcher", N_("fact.trigger_network_disconnects")),
    ("/etc/NetworkManager/dispatcher.d/no-wait.d", "nm_dispatcher", N_("fact.trigger_network_changes")),
    ("/usr/lib/NetworkManager/dispatcher.d", "nm_dispatcher", N_("fact.trigger_network_changes")),
    ("/etc/X11/Xsession.d", "session_script", N_("fact.trigger_xsession")),
    ("/etc/X11/xinit/xinitrc.d", "session_script", N_("fact.trigger_xinit")),
    ("/etc/gdm3/PostLogin", "session_script", N_("fact.trigger_gdm_sign_in")),
    ("/etc/gdm3/PreSession", "session_script", N_("fact.trigger_gdm_sign_in")),
    ("/etc/gdm3/PostSession", "session_script", N_("fact.trigger_gdm_sign_out")),
    ("/etc/gdm3/Init", "session_script", N_("fact.trigger_gdm_login_screen")),
    ("/etc/gdm/PostLogin", "session_script", N_("fact.trigger_gdm_sign_in")),
    ("/etc/gdm/PreSession", "session_script", N_("fact.trigger_gdm_sign_in")),
    ("/etc/gdm/Init", "session_script", N_("fact.trigger_gdm_login_screen")),
    ("/etc/xdg/plasma-workspace/env", "session_script", N_("fact.trigger_kde_sign_in")),
)
SESSION_FILES = (("/etc/X11/Xsession", N_("fact.trigger_xsession")),
                 ("/etc/X11/xinit/xinitrc", N_("fact.trigger_desktop_start")))
LIGHTDM_CONFS = ("/etc/lightdm/lightdm.conf", "/etc/lightdm/lightdm.conf.d")
_LIGHTDM_KEYS = ("session-setup-script", "session-cleanup-script", "display-setup-script",
                 "greeter-setup-script", "session-wrapper")


class LinuxScriptFolders(Collector):
    name = "linux.script_folders"
    title = "Scripts run at sign-in, at network changes and when the desktop starts"
    platforms = ("linux",)

    def collect(self, target: Target, ctx: Context) -> Iterable[Artifact]:
        for folder, mechanism, trigger in SCRIPT_FOLDERS:
            for path in list_dir_noted(target, ctx, folder):
                name = posixpath.basename(path)
                if name.startswith(".") or name.endswith(("~", ".dpkg-old", ".dpkg-dist")) or not target.is_file(path):
                    continue
                st = target.stat_follow(path)
                # update-motd.d and the dispatcher run only executable files; Xsession.d sources all.
                runs = mechanism == "session_script" or bool(st and st.mode & 0o111)
                yield make("autostart", Location(path=path), mechanism=mechanism, name=name, exe=path,
                           command=path, user="", scope="system", enabled=runs,
                           trigger=Words(Message.of(trigger if runs else "fact.trigger_not_executable")),
                           **file_facts(target, ctx, path))
        for path, trigger in SESSION_FILES:
            if target.is_file(path):
                yield make("autostart", Location(path=path), mechanism="session_script",
                           name=posixpath.basename(path), exe=path, command=path, user="", scope="system",
                           enabled=True, trigger=Words(Message.of(trigger)), **file_facts(target, ctx, path))
        yield from self._lightdm(target, ctx)

    @staticmethod
    def _lightdm(target: Target, ctx: Context) -> Iterator[Artifact]:
        files = [LIGHTDM_CONFS[0]] + [p for p in list_dir_noted(target, ctx, LIGHTDM_CONFS[1]) if p.endswith(".conf")]
        for path in files:
            if not target.is_file(path):
                continue
            for lineno, raw in enumerate(text_lines(read_text_noted(target, ctx, path, TEXT_LIMIT) or ""), 1):
                key, sep, value = raw.strip().partition("=")
                if sep and key.strip() in _LIGHTDM_KEYS and value.strip():
                    command = value.strip()
                    yield make("autostart", Location(path=path), mechanism="session_script",
                               name=f"{posixpath.basename(path)}:{lineno} {key.strip()}", command=command,
                               exe=command_exe(command) or None, user="", scope="system", enabled=True,
                               trigger=Words(Message.of("fact.trigger_lightdm")),
                               **entry_facts(target, ctx, command, path))


# --- udev ----------------------------------------------------------------------------------------
UDEV_DIRS = ("/etc/udev/rules.d", "/run/udev/rules.d", "/usr/local/lib/udev/rules.d", "/usr/lib/udev/rules.d",
             "/lib/udev/rules.d")
UDEV_PROGRAM_DIRS = ("/usr/lib/udev", "/lib/udev")
_UDEV_RUN = re.compile(r'\bRUN(?:\{(program|builtin)\})?\s*\+?=\s*"([^"]*)"')


def udev_runs(text: str) -> list[tuple[int, str]]:
    """(line, command) of every RUN+= / RUN= / RUN{program}+= in a rules file (builtins left out)."""
    out: list[tuple[int, str]] = []
    lines = list(text_lines(text.replace("\\\n", " ")))
    for lineno, line in enumerate(lines, 1):
        if line.lstrip().startswith("#"):
            continue
        for kind, command in _UDEV_RUN.findall(line):
            if kind != "builtin" and command.strip():
                out.append((lineno, command.strip()))
    return out


class LinuxUdev(Collector):
    name = "linux.udev"
    title = "Programs run when a device is plugged in (udev rules)"
    platforms = ("linux",)

    def collect(self, target: Target, ctx: Context) -> Iterable[Artifact]:
        seen: set[str] = set()
        for folder in UDEV_DIRS:
            for path in list_dir_noted(target, ctx, folder):
                name = posixpath.basename(path)
                if not name.endswith(".rules") or name in seen:
                    continue  # a file of the same name earlier in the list replaces this one
                seen.add(name)
                st = target.stat(path)
                if st is not None and st.is_symlink and target.stat_follow(path) is None:
                    continue  # a link to /dev/null switches a packaged rules file off
                for lineno, command in udev_runs(read_text_noted(target, ctx, path, TEXT_LIMIT) or ""):
                    program = command_exe(command)
                    if program and "/" not in program:
                        program = next((posixpath.join(d, program) for d in UDEV_PROGRAM_DIRS
                                        if target.exists(posixpath.join(d, program))), program)
                    yield make("autostart", Location(path=path), mechanism="udev_rule", name=f"{name}:{lineno}",
                               command=command, exe=program or None, user="", scope="system", run_as="root",
                               enabled=True, trigger=Words(Message.of("fact.trigger_device_changes")),
                               **entry_facts(target, ctx, command, path, program=program))


# --- PAM -----------------------------------------------------------------------------------------
PAM_D = "/etc/pam.d"
PAM_CONF = "/etc/pam.conf"
PAM_MODULE_DIRS = ("/lib/security/", "/lib64/security/", "/usr/lib/security/", "/usr/lib64/security/",
                   "/lib/x86_64-linux-gnu/security/", "/usr/lib/x86_64-linux-gnu/security/",
                   "/lib/aarch64-linux-gnu/security/", "/usr/lib/aarch64-linux-gnu/security/",
                   "/lib/i386-linux-gnu/security/", "/usr/lib/i386-linux-gnu/security/")
_PAM_TYPES = ("auth", "account", "password", "session", "-auth", "-account", "-password", "-session")


def pam_lines(text: str, with_service: bool = False) -> list[tuple[int, str, str]]:
    """(line, module, arguments) of each module line; [control] brackets are kept whole."""
    out: list[tuple[int, str, str]] = []
    for lineno, raw in enumerate(text_lines(text), 1):
        line = raw.split("#", 1)[0].strip()
        words = blank_fields(line)
        if with_service and words:
            words = words[1:]
        if len(words) < 3 or words[0] not in _PAM_TYPES:
            continue
        rest = " ".join(words[1:])
        if rest.startswith("["):
            control_end = rest.find("]")
            rest = rest[control_end + 1:].strip() if control_end >= 0 else ""
        else:
            rest = blank_fields(rest, 1)[1] if len(blank_fields(rest, 1)) > 1 else ""
        module, _, args = rest.partition(" ")
        if module:
            out.append((lineno, module, args.strip()))
    return out


def pam_exec_command(args: str) -> str:
    """The program pam_exec runs: its arguments after the options (words before the first path)."""
    words = blank_fields(args)
    for i, word in enumerate(words):
        if not word.startswith(("debug", "expose_authtok", "seteuid", "quiet", "stdout", "log=", "type=")):
            return " ".join(words[i:])
    return ""


class LinuxPam(Collector):
    name = "linux.pam"
    title = "Sign-in modules that run programs (PAM)"
    platforms = ("linux",)

    def collect(self, target: Target, ctx: Context) -> Iterable[Artifact]:
        files = [(p, False) for p in list_dir_noted(target, ctx, PAM_D) if target.is_file(p)]
        if target.is_file(PAM_CONF):
            files.append((PAM_CONF, True))
        for path, with_service in files:
            text = read_text_noted(target, ctx, path, TEXT_LIMIT) or ""
            for lineno, module, args in pam_lines(text, with_service):
                base = posixpath.basename(module)
                name = f"{posixpath.basename(path)}:{lineno}"
                if base == "pam_exec.so":
                    command = pam_exec_command(args)
                    yield make("autostart", Location(path=path), mechanism="pam_exec", name=name, command=command,
                               exe=command_exe(command) or None, user="", scope="system", run_as="root",
                               enabled=True, trigger=Words(Message.of("fact.trigger_pam_sign_in")), description=module,
                               **entry_facts(target, ctx, command, path))
                elif module.startswith("/") and not module.startswith(PAM_MODULE_DIRS):
                    yield make("autostart", Location(path=path), mechanism="pam_module", name=name, command=module,
                               exe=module, user="", scope="system", run_as="root", enabled=True,
                               trigger=Words(Message.of("fact.trigger_pam_sign_in")),
                               **entry_facts(target, ctx, "", path, program=module))


# --- kernel modules --------------------------------------------------------------------------------
MODULES_FILE = "/etc/modules"
MODULES_LOAD_DIRS = ("/etc/modules-load.d", "/run/modules-load.d", "/usr/local/lib/modules-load.d",
                     "/usr/lib/modules-load.d", "/lib/modules-load.d")
MODPROBE_DIRS = ("/etc/modprobe.d", "/run/modprobe.d", "/usr/lib/modprobe.d", "/lib/modprobe.d")


def module_names(text: str) -> list[tuple[int, str]]:
    """Module names listed one a line ('#' and ';' start comments), with their arguments."""
    out = []
    for lineno, raw in enumerate(text_lines(text), 1):
        line = raw.split("#", 1)[0].strip()
        if line and not line.startswith(";"):
            out.append((lineno, line))
    return out


def modprobe_installs(text: str) -> list[tuple[int, str, str]]:
    """'install <module> <command>' lines: modprobe runs the command instead of loading the module."""
    out = []
    for lineno, raw in enumerate(text_lines(text.replace("\\\n", " ")), 1):
        words = raw.split("#", 1)[0].split(None, 2)
        if len(words) == 3 and words[0] == "install":
            out.append((lineno, words[1], words[2].strip()))
    return out


class LinuxKernelModules(Collector):
    name = "linux.kernel_modules"
    title = "Kernel modules set to load at start, and commands run in their place"
    platforms = ("linux",)

    def collect(self, target: Target, ctx: Context) -> Iterable[Artifact]:
        files = [MODULES_FILE] if target.is_file(MODULES_FILE) else []
        seen: set[str] = set()
        for folder in MODULES_LOAD_DIRS:
            for path in list_dir_noted(target, ctx, folder):
                if path.endswith(".conf") and posixpath.basename(path) not in seen:
                    seen.add(posixpath.basename(path))
                    files.append(path)
        for path in files:
            for lineno, module in module_names(read_text_noted(target, ctx, path, TEXT_LIMIT) or ""):
                yield make("autostart", Location(path=path), mechanism="kernel_module",
                           name=f"{module.split()[0]}", command=module, user="", scope="system", run_as="root",
                           enabled=True, trigger=Words(Message.of("fact.trigger_boot")),
                           description=f"{posixpath.basename(path)}:{lineno}",
                           **entry_facts(target, ctx, "", path))
        for folder in MODPROBE_DIRS:
            for path in list_dir_noted(target, ctx, folder):
                if not path.endswith(".conf"):
                    continue
                for lineno, module, command in modprobe_installs(read_text_noted(target, ctx, path, TEXT_LIMIT) or ""):
                    yield make("autostart", Location(path=path), mechanism="modprobe_install",
                               name=f"{posixpath.basename(path)}:{lineno} {module}", command=command,
                               exe=command_exe(command) or None, user="", scope="system", run_as="root",
                               enabled=True, trigger=Words(Message.of("fact.trigger_module_loaded", module=module)),
                               **entry_facts(target, ctx, command, path))
