"""Importers for public indicator feeds, from files the user supplies (never fetched)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from pathlib import Path

from techcheck.feeds.assoechap import read_ioc_yaml, read_stix
from techcheck.feeds.lolrmm import read_lolrmm
from techcheck.feeds.model import FeedError, FeedResult
from techcheck.feeds.writer import ImportSummary, write_rules
from techcheck.packs import PackInfo

FORMATS: dict[str, tuple[Callable[[Iterable[Path]], FeedResult], tuple[str, ...]]] = {
    "assoechap-yaml": (read_ioc_yaml, (".yaml", ".yml")),
    "assoechap-stix": (read_stix, (".stix2", ".json", ".stix")),
    "lolrmm": (read_lolrmm, (".yaml", ".yml")),
}

__all__ = ["FORMATS", "FeedError", "ImportSummary", "import_feed"]


def feed_files(inputs: Iterable[str | Path], suffixes: tuple[str, ...]) -> list[Path]:
    """The files to read: given files as they are, and files with a known suffix inside given folders."""
    files: list[Path] = []
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in suffixes))
        elif path.is_file():
            files.append(path)
        else:
            raise FeedError(str(path), "no such file or folder")
    if not files:
        raise FeedError(", ".join(str(i) for i in inputs), f"no feed files found (looked for {', '.join(suffixes)})")
    return files


FEED_OF_FORMAT = {"assoechap-yaml": "assoechap", "assoechap-stix": "assoechap", "lolrmm": "lolrmm"}
PACK_NAMES = {"assoechap": "AssoEchap stalkerware indicators", "lolrmm": "LOLRMM remote-management tools"}
SOURCES = {"assoechap": "https://github.com/AssoEchap/stalkerware-indicators",
           "lolrmm": "https://github.com/magicsword-io/LOLRMM"}


def default_pack(fmt: str, files: list[Path]) -> PackInfo:
    """The manifest of a pack imported by a user from files they supply: dated by the newest file."""
    feed = FEED_OF_FORMAT[fmt]
    newest = max(p.stat().st_mtime for p in files)
    day = datetime.fromtimestamp(newest, tz=timezone.utc).date().isoformat()
    return PackInfo(PACK_NAMES[feed], feed, SOURCES[feed], date=day)


def import_feed(fmt: str, inputs: Iterable[str | Path], output: str | Path, replace: bool = False,
                pack: PackInfo | None = None, id_prefix: str = "import") -> ImportSummary:
    reader, suffixes = FORMATS[fmt]
    files = feed_files(list(inputs), suffixes)
    result = reader(files)
    return write_rules(result, Path(output), replace, pack or default_pack(fmt, files), id_prefix)
