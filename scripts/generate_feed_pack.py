#!/usr/bin/env python3
"""Regenerate the shipped rule packs in rules/feeds/ from the pinned feed copies, with techcheck's own importer.

usage: scripts/generate_feed_pack.py [FEEDS_DIR]   (default: the shared/feeds folder beside the repository)

- rules/feeds/lolrmm/     from LOLRMM's yaml/ folder (Apache-2.0: its LICENSE and the commit are kept in the pack)
- rules/feeds/assoechap/  from AssoEchap's ioc.yaml and watchware.yaml (CC BY 4.0: attribution in the pack)

Which LOLRMM tools become rules, and how, is decided by the hand-made table
techcheck/feeds/lolrmm_roles.yaml (server / agent / monitoring / rat are kept; viewer / client / other are
left out). Every generated file says it is generated; edit the importer or the table, then run this again.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from techcheck.feeds import import_feed  # noqa: E402
from techcheck.packs import PackInfo  # noqa: E402

LOLRMM = PackInfo(
    name="LOLRMM remote-management tools", feed="lolrmm", source="https://github.com/magicsword-io/LOLRMM",
    commit="3c75cf091b10bf7e8ecd576055c44d172b35ff21", date="2026-08-21", license="Apache-2.0",
    notice="Derived from LOLRMM (https://lolrmm.io, magicsword-io/LOLRMM), licensed under the Apache License 2.0 "
           "(LICENSE in this folder). Changed by techcheck: indicators turned into rules with generic texts.")
ASSOECHAP = PackInfo(
    name="AssoEchap stalkerware indicators", feed="assoechap",
    source="https://github.com/AssoEchap/stalkerware-indicators",
    commit="a04c5c1958bff93fec3b1b56edbb412b209f2a38", date="2026-06-21", license="CC-BY-4.0",
    notice="Echap / stalkerware-indicators contributors, https://github.com/AssoEchap/stalkerware-indicators, "
           "CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/). Changed by techcheck: the parts a computer "
           "can show (web sites, hosts-file names, server addresses) turned into rules.")


def shared_feeds() -> Path:
    for base in (REPO.parent, REPO.parent.parent):
        if (base / "shared" / "feeds").is_dir():
            return base / "shared" / "feeds"
    raise SystemExit("no shared/feeds folder beside the repository; give FEEDS_DIR")


def main(argv: list[str]) -> int:
    feeds = Path(argv[1]) if len(argv) > 1 else shared_feeds()
    readme = (feeds / "README.md").read_text(encoding="utf-8")
    for pack in (LOLRMM, ASSOECHAP):
        if pack.commit not in readme:
            raise SystemExit(f"{feeds}/README.md does not name commit {pack.commit} of {pack.source}; "
                             "update the pinned commit here with the new copy's provenance")
    out = REPO / "rules" / "feeds"
    lolrmm = import_feed("lolrmm", [feeds / "lolrmm" / "yaml"], out / "lolrmm", replace=True, pack=LOLRMM,
                         id_prefix="feed")
    shutil.copyfile(feeds / "lolrmm" / "LICENSE", out / "lolrmm" / "LICENSE")
    ioc = [feeds / "assoechap" / "ioc.yaml", feeds / "assoechap" / "watchware.yaml"]
    assoechap = import_feed("assoechap-yaml", ioc, out / "assoechap", replace=True, pack=ASSOECHAP, id_prefix="feed")
    for name, summary in (("lolrmm", lolrmm), ("assoechap", assoechap)):
        print(f"{name}: {summary.rules} rules, {summary.indicators_used} indicators used, "
              f"{summary.unusable_count} not usable, left out: {dict(summary.skipped)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
