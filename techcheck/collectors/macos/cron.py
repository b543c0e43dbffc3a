"""Scheduled jobs on macOS: cron tabs, at jobs and periodic scripts.

- cron: per-user tabs in /private/var/at/tabs/<user> (/usr/lib/cron/tabs is a link to it) and
  /private/etc/crontab (with a user column), parsed like Linux's (crontab(5)).
- at: queued one-off jobs in /private/var/at/jobs; each is a shell script that ends with the command.
- periodic: scripts /usr/sbin/periodic runs daily, weekly and monthly from /private/etc/periodic/*,
  /usr/local/etc/periodic/* and the /private/etc/{daily,weekly,monthly}.local files
  (periodic(8), /etc/defaults/periodic.conf; KnockKnock Plugins/PeriodicScrips.m).
Sources: https://attack.mitre.org/techniques/T1053/003/, https://attack.mitre.org/techniques/T1053/002/.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable

from techcheck.artifacts import Artifact, Location, make
from techcheck.collectors.base import Collector, Context, list_dir_noted, located, read_text_noted
from techcheck.collectors.linux.commandline import command_exe
from techcheck.collectors.linux.cron import CRON_LIMIT, at_job_files, parse_crontab, period_words, trigger_of
from techcheck.collectors.macos.origin import MacOrigins, entry_facts, origins_for
from techcheck.i18n import Message, Words
from techcheck.target.base import Target
from techcheck.textlines import text_lines

TAB_FOLDERS = ("/private/var/at/tabs", "/usr/lib/cron/tabs")
SYSTEM_CRONTAB = "/private/etc/crontab"
AT_JOBS = "/private/var/at/jobs"
PERIODS = ("daily", "weekly", "monthly")
PERIODIC_FOLDERS = ("/private/etc/periodic", "/usr/local/etc/periodic")


def at_job_command(text: str) -> str:
    """The command of an at job file: the last non-empty line that is not a comment or shell set-up.

    at(1) writes the environment (NAME=value; export NAME), a `cd` to the working folder, then the
    commands given to it.
    """
    for line in reversed(list(text_lines(text))):
        s = line.strip()
        if not s or s.startswith("#") or s.startswith(("export ", "cd ", "umask ")) or "=" in s.split(" ")[0]:
            continue
        if s in ("}", "exit", "exit 0"):
            continue
        return s[:2000]
    return ""


class MacCron(Collector):
    name = "macos.cron"
    title = "Scheduled jobs (cron, at and periodic scripts)"
    platforms = ("macos",)

    def collect(self, target: Target, ctx: Context) -> Iterable[Artifact]:
        origins = origins_for(target, ctx)
        seen: set[str] = set()
        for folder in TAB_FOLDERS:
            st = target.stat(folder)
            if st is None or st.is_symlink:  # the usual /usr/lib/cron/tabs -> /private/var/at/tabs
                continue
            for path in list_dir_noted(target, ctx, folder):
                name = posixpath.basename(path)
                if name.startswith(".") or name in seen or not target.is_file(path):
                    continue
                seen.add(name)
                yield from self._tab(target, ctx, origins, path, name)
        if target.exists(SYSTEM_CRONTAB):
            yield from self._tab(target, ctx, origins, SYSTEM_CRONTAB, "")
        yield from self._at_jobs(target, ctx, origins)
        yield from self._periodic(target, ctx, origins)

    def _tab(self, target: Target, ctx: Context, origins: MacOrigins, path: str, owner: str) -> Iterable[Artifact]:
        text = read_text_noted(target, ctx, path, CRON_LIMIT)
        if text is None:
            return
        tab = parse_crontab(text, has_user_column=not owner)
        for problem in tab.problems[:20]:
            ctx.note(path, located(problem, "note.crontab_line", "note.crontab"))
        for job in tab.jobs:
            yield make("autostart", Location(path=path), mechanism="cron", name=f"{owner or 'crontab'}:{job.line}",
                       exe=command_exe(job.command) or None, command=job.command, user=owner or None,
                       scope="user" if owner else "system", run_as=job.user or owner or None, enabled=True,
                       trigger=trigger_of(job.schedule), file=path, personal=bool(owner),
                       **entry_facts(target, origins, job.command, definition=path))

    def _at_jobs(self, target: Target, ctx: Context, origins: MacOrigins) -> Iterable[Artifact]:
        for path, name, text, owner in at_job_files(target, ctx, AT_JOBS):
            command = at_job_command(text)
            if not command:
                continue
            yield make("autostart", Location(path=path), mechanism="at", name=name,
                       exe=command_exe(command) or None, command=command, scope="system", enabled=True,
                       trigger=Words(Message.of("fact.trigger_once_at_a_set_time")), run_as=owner, file=path,
                       **entry_facts(target, origins, command, definition=path))

    def _periodic(self, target: Target, ctx: Context, origins: MacOrigins) -> Iterable[Artifact]:
        scripts = [(p, period) for base in PERIODIC_FOLDERS for period in PERIODS
                   for p in list_dir_noted(target, ctx, f"{base}/{period}")]
        scripts += [(f"/private/etc/{period}.local", period) for period in PERIODS]
        for path, period in scripts:
            if posixpath.basename(path).startswith(".") or not target.is_file(path):
                continue
            yield make("autostart", Location(path=path), mechanism="periodic", name=posixpath.basename(path),
                       exe=path, command=path, scope="system", enabled=True, trigger=period_words(period),
                       run_as="root",
                       file=path, **entry_facts(target, origins, exe=path))
