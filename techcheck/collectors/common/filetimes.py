"""The times a file system keeps about a file, as typed Time values, for every check that reports a
file (start-up entries, units, plists, tasks, scripts, program files, authorized_keys, app folders).

created: the file's birth time, when the scanned system's own file system keeps it (a live scan, or a
mounted disk: see Target.birth_time). changed: its modification time, which copying, editing or an
installer also sets; never an install time.
"""

from __future__ import annotations

from techcheck.collectors.base import Context, unix_noted
from techcheck.i18n import Message
from techcheck.target.base import Target
from techcheck.timeutil import FILE_CREATED, FILE_MODIFIED, Time


def file_times(target: Target, ctx: Context, path: str, created_source: Message = FILE_CREATED,
               changes: bool = True) -> list[Time]:
    """The file's creation time ("created") and modification time ("changed"), those that are known
    and plausible. A link is described by itself, not by what it points to. `created_source` names
    the file when it is not the artifact's own (`created_source`: time_source.home_folder_created);
    changes=False leaves out the modification time (a home folder's changes with every file saved
    in it, and say nothing about the account)."""
    st = target.stat(path) if path.startswith("/") else None
    if st is None:
        return []
    shown = target.display_path(path)
    born = target.birth_time(path)
    created = unix_noted(ctx, shown, born, "created", created_source) if born else None
    # A modification time of 0 is "not kept" (test and in-memory targets), not a 1970 fact.
    changed = unix_noted(ctx, shown, st.mtime, "changed", FILE_MODIFIED) if changes and st.mtime > 0 else None
    found = [created] if created else []
    if changed is not None and not (created and abs((changed.when - created.when).total_seconds()) < 1):
        found.append(changed)
    return found
