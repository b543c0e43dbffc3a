"""cron: jobs that run on a schedule or at boot (@reboot), system-wide and per user.

/etc/crontab and /etc/cron.d/* have a user column; per-user crontabs (/var/spool/cron/crontabs/<user>
on Debian, /var/spool/cron/<user> on Fedora) do not. Scripts in /etc/cron.hourly, .daily, .weekly,
.monthly run through run-parts and are listed too.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from techcheck.artifacts import Artifact, Location, make
from techcheck.collectors.base import Collector, Context, list_dir_noted, located, read_text_noted
from techcheck.collectors.common.parsing import user_homes
from techcheck.collectors.linux.commandline import command_exe
from techcheck.collectors.linux.startfacts import entry_facts, file_facts
from techcheck.i18n import N_, Message, Words
from techcheck.target.base import Target
from techcheck.textlines import blank_fields, text_lines

SYSTEM_CRONTAB = "/etc/crontab"
CRON_D = "/etc/cron.d"
USER_SPOOLS = ("/var/spool/cron/crontabs", "/var/spool/cron")
PERIODIC = ("hourly", "daily", "weekly", "monthly")
SPECIALS = {"@reboot": "boot", "@yearly": "yearly", "@annually": "yearly", "@monthly": "monthly",
            "@weekly": "weekly", "@daily": "daily", "@midnight": "daily", "@hourly": "hourly"}
# When a job runs, in words (the trigger field): each special schedule and each cron.<period> folder.
PERIOD_WORDS = {"boot": N_("fact.trigger_boot"), "yearly": N_("fact.trigger_yearly"),
                "monthly": N_("fact.trigger_monthly"), "weekly": N_("fact.trigger_weekly"),
                "daily": N_("fact.trigger_daily"), "hourly": N_("fact.trigger_hourly")}
_ENV = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$")
_ATOM = r"(?:\*|\d+|[A-Za-z]{3})"  # a number, '*', or a month/day name such as 'jan' or 'mon'
_FIELD = re.compile(rf"^{_ATOM}(?:[-~/,]{_ATOM})*$")
# run-parts (and so cron.d on Debian) only runs names made of these characters.
_RUN_PARTS_NAME = re.compile(r"^[A-Za-z0-9_-]+$")
CRON_LIMIT = 4 * 1024 * 1024


@dataclass(frozen=True)
class CronJob:
    line: int
    schedule: str  # "17 * * * *" or "@reboot"
    user: str  # from the user column; empty in per-user crontabs
    command: str


@dataclass
class Crontab:
    jobs: list[CronJob] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    problems: list[Message] = field(default_factory=list)


def parse_crontab(text: str, has_user_column: bool) -> Crontab:
    """Parse a crontab: comments, NAME=value lines, five time fields or an @special, [user], command."""
    tab = Crontab()
    for lineno, raw in enumerate(text_lines(text), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        env = _ENV.match(line)  # a job line starts with a digit, '*' or '@', never NAME=
        if env:
            tab.env[env.group(1)] = env.group(2).strip().strip("'\"")
            continue
        words = blank_fields(line, 6 if not line.startswith("@") else 2)
        if line.startswith("@"):
            schedule = words[0].lower()
            if schedule not in SPECIALS:
                tab.problems.append(Message.of("note.line", n=lineno, problem=Message.of("note.cron_unknown_schedule",
                                                                                   schedule=repr(words[0][:40]))))
                continue
            rest = words[1:]
        else:
            fields = words[:5]
            if len(fields) < 5 or not all(_FIELD.match(f) for f in fields):
                tab.problems.append(Message.of("note.line", n=lineno, problem=Message.of("note.not_cron_line")))
                continue
            schedule = " ".join(fields)
            rest = words[5:]
        if has_user_column:
            if not rest:
                tab.problems.append(Message.of("note.line", n=lineno, problem=Message.of("note.cron_no_user_command")))
                continue
            parts = blank_fields(" ".join(rest), 1)
            user, command = parts[0], parts[1] if len(parts) > 1 else ""
        else:
            user, command = "", " ".join(rest)
        if not command.strip():
            tab.problems.append(Message.of("note.line", n=lineno, problem=Message.of("note.cron_no_command")))
            continue
        tab.jobs.append(CronJob(lineno, schedule, user, command.strip()))
    return tab


ANACRONTAB = "/etc/anacrontab"
_ANACRON_PERIOD = re.compile(r"^(\d+|@daily|@weekly|@monthly|@yearly|@annually)$")


def parse_anacrontab(text: str) -> Crontab:
    """anacrontab lines: 'period delay job-id command' (period in days or @monthly ...), NAME=value."""
    tab = Crontab()
    for lineno, raw in enumerate(text_lines(text), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        env = _ENV.match(line)
        if env:
            tab.env[env.group(1)] = env.group(2).strip().strip("'\"")
            continue
        words = blank_fields(line, 3)
        if len(words) < 4 or not _ANACRON_PERIOD.match(words[0]) or not words[1].isdigit():
            tab.problems.append(Message.of("note.line", n=lineno, problem=Message.of("note.not_anacron_line")))
            continue
        period = f"every {words[0]} days" if words[0].isdigit() else words[0]
        tab.jobs.append(CronJob(lineno, period, "root", words[3]))
    return tab


AT_SPOOLS = ("/var/spool/cron/atjobs", "/var/spool/at")
_AT_MARKER = re.compile(r"^marcinDELIMITER[0-9a-f]+$|<< *'?marcinDELIMITER")


def at_commands(text: str) -> str:
    """The commands of an at job file: what follows at's own set-up (environment lines, then
    `cd <folder> || { ...; exit 1; }`), without the here-document markers."""
    lines = [ln.strip() for ln in text_lines(text)]
    start = 0
    for i, ln in enumerate(lines):
        if ln.startswith("cd ") and "||" in ln:
            start = i + 1
            if ln.endswith("{"):
                start = next((j + 1 for j in range(i + 1, len(lines)) if lines[j] == "}"), start)
            break
    body = [ln for ln in lines[start:] if ln and not ln.startswith("#") and not _AT_MARKER.search(ln)]
    return "; ".join(body)[:2000]


def at_job_files(target: Target, ctx: Context, spool: str) -> Iterator[tuple[str, str, str, str | None]]:
    """The job files in an `at` spool folder (Linux and macOS): (path, name, text, owner's uid); at
    runs each job as the file's owner. A file that cannot be read is noted and gives empty text."""
    for path in list_dir_noted(target, ctx, spool):
        name = posixpath.basename(path)
        if name.startswith(".") or not target.is_file(path):
            continue
        text = read_text_noted(target, ctx, path, CRON_LIMIT) or ""
        st = target.stat(path)
        yield path, name, text, (str(st.uid) if st and st.uid is not None else None)


def at_jobs(target: Target, ctx: Context) -> Iterable[Artifact]:
    """Jobs queued with `at` to run once at a set time (each a shell script in at's spool)."""
    for spool in AT_SPOOLS:
        for path, name, text, owner in at_job_files(target, ctx, spool):
            command = at_commands(text)
            yield make("autostart", Location(path=path), mechanism="at", name=name, command=command or None,
                       exe=command_exe(command) or None, user="", scope="system", enabled=True,
                       trigger=Words(Message.of("fact.trigger_once_at_a_set_time")), run_as=owner,
                       **entry_facts(target, ctx, command, path))


def trigger_of(schedule: str) -> Words:
    """When a cron line runs, in words: "boot", "daily" ..., or "schedule */5 * * * *"."""
    special = SPECIALS.get(schedule)
    return period_words(special) if special else Words(Message.of("fact.trigger_schedule", schedule=schedule))


def period_words(period: str) -> Words:
    return Words(Message.of(PERIOD_WORDS[period]))


class LinuxCron(Collector):
    name = "linux.cron"
    title = "Scheduled jobs (cron)"
    platforms = ("linux",)

    def collect(self, target: Target, ctx: Context) -> Iterable[Artifact]:
        files: list[tuple[str, bool, str]] = []  # (path, has user column, owner)
        if target.exists(SYSTEM_CRONTAB):
            files.append((SYSTEM_CRONTAB, True, ""))
        files += [(p, True, "") for p in list_dir_noted(target, ctx, CRON_D) if not target.is_dir(p)]
        for spool in USER_SPOOLS:
            files += [(p, False, posixpath.basename(p)) for p in list_dir_noted(target, ctx, spool)
                      if not target.is_dir(p)]
        for path, has_user, owner in files:
            yield from self._crontab(target, ctx, path, has_user, owner)
        if target.exists(ANACRONTAB):
            text = read_text_noted(target, ctx, ANACRONTAB, CRON_LIMIT)
            ana = parse_anacrontab(text or "")
            for problem in ana.problems[:20]:
                ctx.note(ANACRONTAB, located(problem, "note.anacrontab_line", "note.anacrontab"))
            for job in ana.jobs:
                yield make("autostart", Location(path=ANACRONTAB), mechanism="cron", name=f"anacrontab:{job.line}",
                           exe=command_exe(job.command) or None, command=job.command, user="", scope="system",
                           run_as="root", enabled=True,
                           trigger=Words(Message.of("fact.trigger_anacron", schedule=job.schedule)),
                           **entry_facts(target, ctx, job.command, ANACRONTAB))
        for period in PERIODIC:
            folder = f"/etc/cron.{period}"
            for path in list_dir_noted(target, ctx, folder):
                name = posixpath.basename(path)
                if name.startswith(".") or not target.is_file(path):
                    continue
                yield make("autostart", Location(path=path), mechanism="cron", name=name, exe=path,
                           command=path, user="", scope="system", run_as="root",
                           enabled=bool(_RUN_PARTS_NAME.match(name)), trigger=period_words(period),
                           **file_facts(target, ctx, path))
        yield from at_jobs(target, ctx)

    def _crontab(self, target: Target, ctx: Context, path: str, has_user: bool, owner: str) -> Iterable[Artifact]:
        homes = {h.user: h.home for h in user_homes(target)} if owner else {}
        name = posixpath.basename(path)
        if path.startswith(CRON_D + "/") and name.startswith("."):
            return  # e.g. Debian's .placeholder: cron never reads hidden names
        text = read_text_noted(target, ctx, path, CRON_LIMIT)
        if text is None:
            return
        tab = parse_crontab(text, has_user)
        for problem in tab.problems[:20]:
            ctx.note(path, located(problem, "note.crontab_line", "note.crontab"))
        if len(tab.problems) > 20:
            ctx.note(path, Message.of("note.crontab_more", n=len(tab.problems) - 20))
        # cron.d files whose names run-parts would skip are never read by Debian's cron.
        enabled = not path.startswith(CRON_D + "/") or bool(_RUN_PARTS_NAME.match(name))
        for job in tab.jobs:
            run_as = job.user or owner
            yield make("autostart", Location(path=path), mechanism="cron", name=f"{name}:{job.line}",
                       exe=command_exe(job.command) or None, command=job.command, user=owner,
                       scope="user" if owner else "system", run_as=run_as, enabled=enabled,
                       trigger=trigger_of(job.schedule), **entry_facts(target, ctx, job.command, path,
                                                                       personal=bool(owner), home=homes.get(owner, "")))
