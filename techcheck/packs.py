"""Rule packs: rule folders generated from a feed, each with a `techcheck-pack.json` manifest.

The manifest says where the rules came from (feed, source address, commit, date, license and the
notice the license asks to keep). Reports list the packs a scan used. `rules import --install`
writes a pack into the user's own rule folder (in the user data folder); a user pack for a feed
replaces the shipped pack of the same feed in every later scan (newer facts, same rule ids).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

MANIFEST = "techcheck-pack.json"
USER_RULES_ENV = "TECHCHECK_USER_RULES"  # overrides the user rule folder (tests, clinics with a shared folder)


@dataclass(frozen=True)
class PackInfo:
    name: str  # what people see: "LOLRMM remote-management tools"
    feed: str  # lolrmm, assoechap: one pack per feed is used
    source: str  # where the feed files came from (a web address)
    commit: str = ""  # the feed's commit, when known
    date: str = ""  # the feed's date (ISO 8601), or the day it was imported
    license: str = ""
    notice: str = ""  # attribution the license asks to keep
    folder: str = ""  # where the pack was found (filled in when read)

    def to_dict(self) -> dict[str, str]:
        return {k: v for k, v in asdict(self).items() if v}


def write_pack_info(folder: Path, pack: PackInfo) -> None:
    data = {k: v for k, v in pack.to_dict().items() if k != "folder"}
    (folder / MANIFEST).write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def read_pack_info(folder: Path) -> PackInfo | None:
    """The manifest of a pack folder; None when there is none or it cannot be read."""
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("feed"), str):
        return None
    fields = {k: str(v) for k, v in data.items() if k in PackInfo.__dataclass_fields__ and k != "folder"}
    fields.setdefault("name", fields["feed"])
    fields.setdefault("source", "")
    return PackInfo(**fields, folder=str(folder))


def packs_below(paths: Iterable[str | os.PathLike[str]]) -> list[PackInfo]:
    """Every pack folder at or below these rule folders."""
    found: list[PackInfo] = []
    for p in paths:
        path = Path(p)
        if path.is_file():
            continue
        manifests = [path / MANIFEST] if (path / MANIFEST).is_file() else []
        manifests += sorted(m for m in path.rglob(MANIFEST) if m.parent != path) if path.is_dir() else []
        for manifest in manifests:
            info = read_pack_info(manifest.parent)
            if info is not None:
                found.append(info)
    return found


def user_rules_dir() -> Path:
    """The user's own rule folder: <user data folder>/techcheck/rules (or $TECHCHECK_USER_RULES)."""
    override = os.environ.get(USER_RULES_ENV)
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_data_dir("techcheck", appauthor=False)) / "rules"


def rule_paths(shipped: Path, extra: Sequence[str], user: Path | None = None) -> list[str]:
    """Rule folders for a scan: shipped rules, the user's folder, then extra folders.

    A shipped pack is left out when the user's folder holds a pack of the same feed (a newer
    install): both would carry the same rule ids.
    """
    user = user_rules_dir() if user is None else user
    user_feeds = {p.feed for p in packs_below([user])} if user.is_dir() else set()
    replaced = [Path(p.folder) for p in packs_below([shipped]) if p.feed in user_feeds]
    paths = _expand(shipped, replaced) if replaced else [str(shipped)]
    if user.is_dir():
        paths.append(str(user))
    paths.extend(extra)
    return paths


def _inside(path: Path, folders: list[Path]) -> bool:
    return any(path == f or f in path.parents for f in folders)


def _expand(root: Path, left_out: list[Path]) -> list[str]:
    """The parts of `root` that are not in `left_out`: whole sub-folders where possible, else files."""
    out: list[str] = []
    for child in sorted(root.iterdir()):
        if _inside(child, left_out):
            continue
        if any(child in f.parents for f in left_out):
            out.extend(_expand(child, left_out))
        elif child.is_dir() or child.suffix in (".yaml", ".yml"):
            out.append(str(child))
    return out


def packs_of_sources(sources: Iterable[str]) -> list[PackInfo]:
    """The packs the given rule files belong to (a manifest in the file's folder), each once, by name."""
    folders = sorted({str(Path(s).parent) for s in sources})
    found = [info for f in folders if (info := read_pack_info(Path(f))) is not None]
    return sorted(found, key=lambda p: (p.name, p.folder))
