"""systemd services, system-wide and per user: what they run and whether they are set to start.

A unit file says what runs (ExecStart), as whom (User) and how it is switched on ([Install]
WantedBy). Whether it *is* switched on is told by symlinks in `<target>.wants/` folders; a unit
file that is a link to /dev/null (or empty) is masked: it can never start. No systemd runs during
the scan, so this reads the files the way systemd would at boot.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from techcheck.artifacts import Artifact, Location, make
from techcheck.collectors.base import Collector, Context, list_dir_noted, located, read_text_noted
from techcheck.collectors.common.parsing import UserHome, user_homes
from techcheck.collectors.linux.commandline import command_exe
from techcheck.collectors.linux.startfacts import entry_facts, file_facts
from techcheck.i18n import Message, Words
from techcheck.target.base import Target
from techcheck.textlines import text_lines

# Search order as systemd uses it: the first folder holding a unit name wins (/etc overrides /usr).
SYSTEM_UNIT_DIRS = ("/etc/systemd/system", "/run/systemd/system", "/usr/local/lib/systemd/system",
                    "/usr/lib/systemd/system", "/lib/systemd/system")
GLOBAL_USER_UNIT_DIRS = ("/etc/systemd/user", "/usr/local/lib/systemd/user", "/usr/lib/systemd/user",
                         "/lib/systemd/user")
USER_UNIT_DIR = ".config/systemd/user"
UNIT_LIMIT = 1024 * 1024


@dataclass
class UnitFile:
    """The parts of a unit file that say what runs and how it starts."""

    sections: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    problems: list[Message] = field(default_factory=list)

    def get(self, section: str, key: str) -> list[str]:
        return self.sections.get(section, {}).get(key, [])

    def last(self, section: str, key: str) -> str:
        values = self.get(section, key)
        return values[-1] if values else ""

    @property
    def description(self) -> str:
        return self.last("Unit", "Description")

    @property
    def exec_start(self) -> str:
        """The command systemd runs. An empty ExecStart= resets the list; the last one counts."""
        values = self.get("Service", "ExecStart")
        return values[-1] if values else ""

    @property
    def user(self) -> str:
        return self.last("Service", "User")

    @property
    def wanted_by(self) -> list[str]:
        return [w for v in self.get("Install", "WantedBy") + self.get("Install", "RequiredBy") for w in v.split()]


def parse_unit(text: str) -> UnitFile:
    """Parse systemd's INI-like format: sections, repeated keys, '\\' continuation, # and ; comments."""
    unit = UnitFile()
    section = ""
    pending = ""
    for lineno, raw in enumerate(text_lines(text, lone_cr=True), 1):
        line = pending + raw.strip() if pending else raw.strip()
        pending = ""
        if not line or line[0] in "#;":
            continue
        if line.endswith("\\"):
            pending = line[:-1] + " "
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip()
            unit.sections.setdefault(section, {})
            continue
        key, sep, value = line.partition("=")
        if not sep or not section or not key.strip() or any(c.isspace() for c in key.strip()):
            unit.problems.append(Message.of("note.line", n=lineno, problem=Message.of("note.not_key_value_section")))
            continue
        values = unit.sections[section].setdefault(key.strip(), [])
        value = value.strip()
        if key.strip() in ("ExecStart", "WantedBy", "RequiredBy") and value == "":
            values.clear()  # an empty assignment resets the list, as systemd does
        else:
            values.append(value)
    if pending:
        unit.problems.append(Message.of("note.unit_ends_continued"))
    return unit


def strip_exec_prefix(command: str) -> str:
    """ExecStart may start with special characters (-, @, :, +, !) that change how it runs."""
    return command.lstrip("-@:+!").strip()


def split_unit_name(name: str) -> tuple[str, str, str]:
    """'syncthing@ana.service' -> ('syncthing', 'ana', 'service'); no '@' -> instance ''."""
    stem, _, suffix = name.rpartition(".")
    prefix, at, instance = stem.partition("@")
    return prefix, instance if at else "", suffix


def expand_specifiers(value: str, unit_name: str) -> str:
    """Resolve the unit-name specifiers (%i %I %n %N %p %P and %%); others stay as written."""
    prefix, instance, suffix = split_unit_name(unit_name)
    table = {"i": instance, "I": instance, "n": unit_name, "N": unit_name.rpartition(".")[0],
             "p": prefix, "P": prefix, "%": "%"}
    out = []
    i = 0
    while i < len(value):
        if value[i] == "%" and i + 1 < len(value) and value[i + 1] in table:
            out.append(table[value[i + 1]])
            i += 2
        else:
            out.append(value[i])
            i += 1
    return "".join(out)


@dataclass
class UnitState:
    """Where unit files are and which of them are switched on, for one set of unit folders."""

    files: dict[str, str] = field(default_factory=dict)  # unit name -> path of its file
    masked: set[str] = field(default_factory=set)
    enabled: dict[str, list[str]] = field(default_factory=dict)  # unit (or instance) -> wants folders
    triggers: dict[str, str] = field(default_factory=dict)  # timer or path unit -> the unit its Unit= names


def is_masked_entry(target: Target, path: str) -> bool:
    """A link to /dev/null, or an empty file: systemd will never start this unit."""
    st = target.stat(path)
    if st is None:
        return False
    followed = target.stat_follow(path)
    if st.is_symlink:
        # In a disk copy /dev/null does not exist; on the live system it is not a regular file.
        return followed is None or not followed.is_file or followed.size == 0
    return st.is_file and st.size == 0


def scan_unit_dirs(target: Target, ctx: Context, dirs: Iterable[str]) -> UnitState:
    state = UnitState()
    for d in dirs:
        for entry_path in list_dir_noted(target, ctx, d):
            name = posixpath.basename(entry_path)
            if name.endswith((".wants", ".requires")) and target.is_dir(entry_path):
                for link in list_dir_noted(target, ctx, entry_path):
                    state.enabled.setdefault(posixpath.basename(link), []).append(entry_path)
                continue
            if not name.endswith((".service", ".timer", ".socket", ".path")) or name in state.files:
                continue
            if is_masked_entry(target, entry_path):
                state.masked.add(name)  # the vendor file further down the search is still listed
            elif name.endswith(".service"):
                state.files[name] = entry_path
            elif name.endswith((".timer", ".path")) and name not in state.triggers:
                state.triggers[name] = triggered_unit(target, ctx, entry_path, name)
    return state


def triggered_unit(target: Target, ctx: Context, path: str, name: str) -> str:
    """The unit a timer or path unit starts: its Unit= setting, else the service of the same name."""
    text = read_text_noted(target, ctx, path, UNIT_LIMIT) or ""
    unit = parse_unit(text)
    named = unit.last("Timer", "Unit") or unit.last("Path", "Unit")
    return named or name.rpartition(".")[0] + ".service"


def unit_enabled(state: UnitState, name: str) -> bool:
    return bool(switched_on_by(state, name))


def switched_on_by(state: UnitState, name: str) -> list[str]:
    """What starts this service: its own enable link, or a timer or socket of the same name that
    is switched on (a timer starts its service on schedule even when the service has no link)."""
    if name in state.masked:
        return []
    stem = name.rpartition(".")[0]
    prefix, instance, _ = split_unit_name(name)
    candidates = [name, f"{stem}.timer", f"{stem}.socket"]
    candidates += [t for t, unit in state.triggers.items() if unit == name and t not in candidates]
    if "@" in name and not instance:
        candidates.append(f"{prefix}.socket")  # a socket with Accept=yes starts foo@.service per connection
    return [c for c in candidates if c in state.enabled and c not in state.masked]


def system_unit_state(target: Target, ctx: Context | None = None) -> UnitState:
    """Which system services exist and which are switched on (for other collectors, e.g. SSH)."""
    return scan_unit_dirs(target, ctx or Context(), SYSTEM_UNIT_DIRS)


def _instances(state: UnitState, template: str) -> list[str]:
    prefix, _, suffix = split_unit_name(template)
    return sorted(n for n in state.enabled if n.startswith(prefix + "@") and n.endswith("." + suffix)
                  and n != template)


def unit_artifacts(target: Target, ctx: Context, state: UnitState, scope: str,
                   owner: UserHome | None) -> Iterator[Artifact]:
    for name, path in sorted(state.files.items()):
        text = read_text_noted(target, ctx, path, UNIT_LIMIT)
        if text is None:
            continue
        unit = parse_unit(text)
        for problem in unit.problems[:5]:  # a junk file would otherwise give a note per line
            ctx.note(path, located(problem, "note.unit_file_line", "note.unit_file"))
        _, instance, _ = split_unit_name(name)
        is_template = "@" in name and not instance  # "syncthing@.service"
        names = _instances(state, name) if is_template else []
        for unit_name in names or [name]:
            enabled = unit_enabled(state, unit_name)
            command = expand_specifiers(strip_exec_prefix(unit.exec_start), unit_name)
            default_user = owner.user if owner else ("root" if scope == "system" else "")
            # User=%i of a template with no instance stays unknown (""), not root.
            run_as = expand_specifiers(unit.user, unit_name) if unit.user else default_user
            starters = switched_on_by(state, unit_name)
            # dict.fromkeys: /lib and /usr/lib are often the same folder (merged /usr), listed twice.
            how = list(dict.fromkeys(posixpath.basename(w) if s == unit_name else f"{s} ({posixpath.basename(w)})"
                                     for s in starters for w in state.enabled[s]))
            facts = entry_facts(target, ctx, command, path, personal=owner is not None,
                                home=owner.home if owner else "")
            yield make(
                "autostart", Location(path=path), mechanism="systemd", name=unit_name,
                exe=command_exe(command) or None, command=command or None,
                user=owner.user if owner else "", scope=scope, enabled=enabled, run_as=run_as,
                trigger=Words(Message.of("fact.trigger_masked")) if unit_name in state.masked else (
                    ", ".join(how)
                    or (Words(Message.of("fact.trigger_wanted_by", units=" ".join(unit.wanted_by)))
                        if unit.wanted_by else None)),
                description=expand_specifiers(unit.description, unit_name) or None, **facts,
            )
        yield from unit_preloads(target, ctx, unit, name, path, owner)


def unit_preloads(target: Target, ctx: Context, unit: UnitFile, name: str, path: str,
                  owner: UserHome | None) -> Iterator[Artifact]:
    """Environment=LD_PRELOAD=... in a unit forces a library into the service's programs."""
    for value in unit.get("Service", "Environment"):
        for word in value.split():
            key, _, libs = word.strip("'\"").partition("=")
            if key != "LD_PRELOAD":
                continue
            for lib in libs.replace(":", " ").split():
                yield make("autostart", Location(path=path), mechanism="ld_preload", name=lib, exe=lib, command=lib,
                           user=owner.user if owner else "", scope="user" if owner else "system", enabled=True,
                           trigger=Words(Message.of("fact.trigger_programs_of", unit=name)),
                           **file_facts(target, ctx, lib))


RC_LOCAL = "/etc/rc.local"
RC_FILES = (RC_LOCAL, "/etc/rc.common")  # rc.common: older systems and some embedded ones source it at boot


def rc_local_commands(text: str) -> list[tuple[int, str]]:
    """Command lines of /etc/rc.local (not comments, not the closing 'exit 0')."""
    out = []
    for lineno, raw in enumerate(text_lines(text, lone_cr=True), 1):
        line = raw.strip()
        if line and not line.startswith("#") and line not in ("exit 0", "exit"):
            out.append((lineno, line))
    return out


def rc_local_artifacts(target: Target, ctx: Context) -> Iterator[Artifact]:
    """systemd runs an executable /etc/rc.local at boot through rc-local.service (rc.common alike)."""
    for rc_file in RC_FILES:
        st = target.stat_follow(rc_file)
        if st is None or not st.is_file:
            continue
        text = read_text_noted(target, ctx, rc_file, UNIT_LIMIT)
        executable = bool(st.mode & 0o111) or rc_file != RC_LOCAL
        stem = posixpath.basename(rc_file)
        for lineno, line in rc_local_commands(text or ""):
            yield make("autostart", Location(path=rc_file), mechanism="rc_local", name=f"{stem}:{lineno}",
                       exe=command_exe(line) or None, command=line[:1000], user="", scope="system", run_as="root",
                       enabled=executable,
                       trigger=Words(Message.of("fact.trigger_boot_from", file=rc_file) if executable
                                     else Message.of("fact.trigger_not_executable")),
                       **entry_facts(target, ctx, line, rc_file))


GENERATOR_DIRS = {
    "system": ("/etc/systemd/system-generators", "/run/systemd/system-generators",
               "/usr/local/lib/systemd/system-generators", "/usr/lib/systemd/system-generators",
               "/lib/systemd/system-generators"),
    "user": ("/etc/systemd/user-generators", "/usr/local/lib/systemd/user-generators",
             "/usr/lib/systemd/user-generators", "/lib/systemd/user-generators"),
}


def generator_artifacts(target: Target, ctx: Context) -> Iterator[Artifact]:
    """Generators: programs systemd runs very early at every boot (and reload) to write units."""
    for scope, dirs in GENERATOR_DIRS.items():
        seen: set[str] = set()
        for folder in dirs:
            for path in list_dir_noted(target, ctx, folder):
                name = posixpath.basename(path)
                if name in seen or not target.is_file(path):
                    continue  # the first folder wins, as for units (and merged /usr lists it twice)
                seen.add(name)
                yield make("autostart", Location(path=path), mechanism="systemd_generator", name=name, exe=path,
                           command=path, user="", scope=scope, run_as="root" if scope == "system" else None,
                           enabled=True, trigger=Words(Message.of("fact.trigger_boot_before_services")),
                           **file_facts(target, ctx, path))


def template_of(name: str) -> str:
    """'syncthing@ana.service' -> 'syncthing@.service'; other names unchanged."""
    prefix, instance, suffix = split_unit_name(name)
    return f"{prefix}@.{suffix}" if instance else name


class LinuxSystemd(Collector):
    name = "linux.systemd"
    title = "Background services (systemd)"
    platforms = ("linux",)

    def collect(self, target: Target, ctx: Context) -> Iterable[Artifact]:
        system = scan_unit_dirs(target, ctx, SYSTEM_UNIT_DIRS)
        yield from unit_artifacts(target, ctx, system, "system", None)
        yield from rc_local_artifacts(target, ctx)
        yield from generator_artifacts(target, ctx)
        shared = scan_unit_dirs(target, ctx, GLOBAL_USER_UNIT_DIRS)
        for home in user_homes(target):
            own = scan_unit_dirs(target, ctx, [posixpath.join(home.home, USER_UNIT_DIR)])
            # "systemctl --user enable x" links a shared unit file from the user's own folder.
            files = dict(own.files)
            for link in own.enabled:
                for candidate in (link, template_of(link)):
                    if candidate in shared.files and candidate not in files:
                        files[candidate] = shared.files[candidate]
            if files:
                merged = UnitState(files=files, masked=own.masked, enabled={**shared.enabled, **own.enabled},
                                   triggers={**shared.triggers, **own.triggers})
                yield from unit_artifacts(target, ctx, merged, "user", home)
        # Units shipped for every user, switched on for all by links in the shared folders.
        yield from unit_artifacts(target, ctx, shared, "user", None)
