"""launchd jobs: the LaunchAgents and LaunchDaemons folders, and launchd's own on/off switches.

A job is a property list that tells launchd what to run and when. Agents run inside a user's
session, daemons run for the whole computer. `launchctl enable/disable` does not edit the job file:
it records an override in /private/var/db/com.apple.xpc.launchd/disabled*.plist, which wins over
the job's own `Disabled` key (launchd.plist(5), launchctl(1)).
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from techcheck.artifacts import Artifact, Location, make
from techcheck.collectors.base import Collector, Context, list_dir_noted, parse_noted
from techcheck.collectors.common.parsing import user_homes
from techcheck.collectors.macos.origin import MacOrigins, entry_facts, origins_for
from techcheck.collectors.macos.plists import PlistError, load_plist, plist_bool, plist_str
from techcheck.i18n import Message, Words
from techcheck.target.base import Target

OVERRIDES_DIR = "/private/var/db/com.apple.xpc.launchd"
SYSTEM_OVERRIDES = OVERRIDES_DIR + "/disabled.plist"


@dataclass(frozen=True)
class LaunchJob:
    label: str
    program: str  # what runs: Program, else the first ProgramArguments entry
    arguments: tuple[str, ...]
    run_at_load: bool
    keep_alive: bool
    disabled: bool
    interval: bool  # StartInterval / StartCalendarInterval
    run_as: str
    inserted_libraries: tuple[str, ...] = ()  # DYLD_INSERT_LIBRARIES in EnvironmentVariables

    @property
    def argv(self) -> tuple[str, ...]:
        args = list(self.arguments)
        if self.program and (not args or args[0] != self.program):
            args.insert(0, self.program)
        return tuple(args)

    @property
    def command(self) -> str:
        return " ".join(self.argv)

    @property
    def trigger(self) -> Words:
        """When the job runs, in words (the trigger field)."""
        if self.run_at_load and self.keep_alive:
            return Words(Message.of("fact.trigger_load_kept_running"))
        if self.run_at_load:
            return Words(Message.of("fact.trigger_load"))
        if self.keep_alive:
            return Words(Message.of("fact.trigger_kept_running"))
        if self.interval:
            return Words(Message.of("fact.trigger_on_a_schedule"))
        return Words(Message.of("fact.trigger_on_demand"))


def parse_launch_job(data: bytes) -> LaunchJob:
    """A launchd job from its property list (XML or binary). Raises PlistError when unusable."""
    plist = load_plist(data)
    if not isinstance(plist, dict):
        raise PlistError("a launchd job must be a dictionary")
    label = plist_str(plist.get("Label")) or ""
    raw_args = plist.get("ProgramArguments")
    args = tuple(str(a) for a in raw_args) if isinstance(raw_args, list) else ()
    program = plist_str(plist.get("Program")) or (args[0] if args else "")
    keep_alive = plist.get("KeepAlive")
    # KeepAlive may be a bool or a dictionary of conditions (PathState, SuccessfulExit, ...): a
    # non-empty dictionary still means launchd restarts the job when the conditions hold.
    keep = bool(keep_alive) if isinstance(keep_alive, dict) else bool(plist_bool(keep_alive))
    return LaunchJob(
        label=label,
        program=program,
        arguments=args,
        run_at_load=bool(plist_bool(plist.get("RunAtLoad"))),
        keep_alive=keep,
        disabled=bool(plist_bool(plist.get("Disabled"))),
        interval="StartInterval" in plist or "StartCalendarInterval" in plist,
        run_as=plist_str(plist.get("UserName")) or "",
        inserted_libraries=inserted_libraries(plist.get("EnvironmentVariables")),
    )


def inserted_libraries(environment: object) -> tuple[str, ...]:
    """Libraries named by DYLD_INSERT_LIBRARIES (colon-separated) in an environment dictionary.

    dyld loads them into the program before its own code runs (dyld(1)); almost no ordinary
    program is started that way, which is why code-injection tools use it.
    """
    if not isinstance(environment, dict):
        return ()
    value = environment.get("DYLD_INSERT_LIBRARIES")
    return tuple(p.strip() for p in value.split(":") if p.strip()) if isinstance(value, str) else ()


def parse_disabled_overrides(data: bytes) -> dict[str, bool]:
    """launchd's override file: label -> True when switched off, False when switched on."""
    plist = load_plist(data)
    if not isinstance(plist, dict):
        raise PlistError("the override file must be a dictionary")
    out: dict[str, bool] = {}
    for label, value in plist.items():
        flag = plist_bool(value)
        if isinstance(label, str) and flag is not None:
            out[label] = flag
    return out


@dataclass(frozen=True)
class Overrides:
    system: Mapping[str, bool]  # the system domain (daemons)
    user: Mapping[str, bool]  # all per-user domains merged (agents); launchd keys these by uid


def read_overrides(target: Target, ctx: Context) -> Overrides:
    """Every launchd override file on the target; broken ones become notes."""
    system: dict[str, bool] = {}
    user: dict[str, bool] = {}
    for path in list_dir_noted(target, ctx, OVERRIDES_DIR):
        name = posixpath.basename(path)
        if not (name.startswith("disabled") and name.endswith(".plist")):
            continue
        parsed = parse_noted(target, ctx, path, parse_disabled_overrides, Message.of("note.what.launchd_switches"))
        if parsed is not None:
            (system if name == "disabled.plist" else user).update(parsed)
    return Overrides(system, user)


@dataclass(frozen=True)
class JobFolder:
    path: str
    mechanism: str  # launch_agent | launch_daemon
    scope: str  # system | user | apple
    user: str = ""


def job_folders(target: Target) -> list[JobFolder]:
    folders = [
        JobFolder("/Library/LaunchAgents", "launch_agent", "system"),
        JobFolder("/Library/LaunchDaemons", "launch_daemon", "system"),
        # Apple's own jobs: reported as context so an advocate can see them, never flagged.
        JobFolder("/System/Library/LaunchAgents", "launch_agent", "apple"),
        JobFolder("/System/Library/LaunchDaemons", "launch_daemon", "apple"),
        # Since macOS 11 some Apple jobs (such as MRT) live here, protected like /System.
        JobFolder("/Library/Apple/System/Library/LaunchAgents", "launch_agent", "apple"),
        JobFolder("/Library/Apple/System/Library/LaunchDaemons", "launch_daemon", "apple"),
    ]
    for home in user_homes(target):
        folders.append(JobFolder(f"{home.home}/Library/LaunchAgents", "launch_agent", "user", home.user))
    return folders


def job_artifact(job: LaunchJob, path: str, folder: JobFolder, overrides: Overrides,
                 facts: Mapping[str, object] | None = None) -> Artifact:
    domain = overrides.system if folder.mechanism == "launch_daemon" else overrides.user
    disabled = domain.get(job.label, job.disabled) if job.label else job.disabled
    return make(
        "autostart", Location(path=path),
        mechanism=folder.mechanism,
        name=job.label or posixpath.basename(path),
        exe=job.program or None,
        command=job.command or None,
        user=folder.user or None,
        scope=folder.scope,
        enabled=not disabled,
        trigger=job.trigger,
        run_as=job.run_as or None,
        file=path,
        **(facts or {}),
    )


def inserted_library_artifacts(target: Target, origins: MacOrigins, job: LaunchJob, path: str,
                               folder: JobFolder) -> Iterable[Artifact]:
    for lib in job.inserted_libraries:
        yield make("autostart", Location(path=path), mechanism="dyld_insert",
                   name=job.label or posixpath.basename(path), exe=lib,
                   command=f"DYLD_INSERT_LIBRARIES={lib} {job.command}".strip(), user=folder.user or None,
                   scope=folder.scope, enabled=True,
                   trigger=Words(Message.of("fact.trigger_each_time_starts", program=job.program) if job.program
                                 else Message.of("fact.trigger_each_time_job_starts")),
                   file=path, **entry_facts(target, origins, exe=lib, definition=path))


class MacLaunchd(Collector):
    name = "macos.launchd"
    title = "Programs set to start by themselves (launch agents and daemons)"
    platforms = ("macos",)

    def collect(self, target: Target, ctx: Context) -> Iterable[Artifact]:
        overrides = read_overrides(target, ctx)
        origins = origins_for(target, ctx)
        for folder in job_folders(target):
            for path in list_dir_noted(target, ctx, folder.path):
                if not path.lower().endswith(".plist"):
                    continue
                job = parse_noted(target, ctx, path, parse_launch_job, Message.of("note.what.launch_job"))
                if job is None:
                    continue
                facts = entry_facts(target, origins, argv=job.argv, label=job.label, job_file=path)
                yield job_artifact(job, path, folder, overrides, facts)
                yield from inserted_library_artifacts(target, origins, job, path, folder)

