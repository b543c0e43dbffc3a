"""The "What starts by itself on this computer" section: every start-up entry and background
service that is not part of the operating system, grouped by place (mechanism), with its origin.

Like Autoruns with Windows' own entries hidden: an advocate goes through it with the client. Entries
whose origin was not worked out (a collector that does not say yet) are listed too, as "not checked".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from techcheck.artifacts import Artifact
from techcheck.kinds import KINDS
from techcheck.report.schema import StartupSection
from techcheck.texts import t, value_label

STARTUP_KINDS = frozenset(k.name for k in KINDS.values() if k.starts_by_itself)
MAX_ENTRIES = 5_000
# Most doubtful first, so the entries to look at are at the top of each place.
ORIGIN_ORDER = {"unknown": 0, "changed": 1, "": 2, "installed": 3, "system": 4}


def place_of(art: Artifact) -> str:
    """The place an entry starts from: its mechanism; a Windows service's place is "service"."""
    return str(art.get("mechanism") or art.kind)


def shown_entries(artifacts: Iterable[Artifact]) -> list[Artifact]:
    """The start-up entries the section lists: not part of the operating system."""
    return [a for a in artifacts if a.kind in STARTUP_KINDS and a.get("origin") != "system"]


def startup_entry(art: Artifact, lang: str) -> dict[str, Any]:
    shown = art.to_dict()["fields"]  # as evidence: likely secrets masked (techcheck/masking.py)
    entry = {k: shown.get(k) for k in KINDS[art.kind].startup_fields if shown.get(k) not in (None, "", [])}
    origin = str(art.get("origin") or "")
    entry["origin"] = origin
    entry["origin_label"] = origin_label(origin, str(art.get("origin_name") or ""), lang)
    if art.get("behaviour"):
        entry["behaviour_labels"] = [behaviour_label(b, lang) for b in art.get("behaviour")]
    entry["where"] = art.location.path or art.location.registry_key
    return entry


def origin_label(origin: str, name: str, lang: str) -> str:
    label = value_label("origin", origin, lang) if origin else t("startup_origin_unchecked", lang)
    return f"{label}: {name}" if name and origin in ("installed", "changed") else str(label)


def behaviour_label(tag: str, lang: str) -> str:
    return value_label("behaviour", tag, lang) or tag.replace("_", " ")


def build_startup(artifacts: Iterable[Artifact], lang: str, marks: Mapping[int, bool | None] | None = None,
                  ) -> StartupSection:
    """The section's model (JSON key `startup`): texts, counts by origin, and places with entries.

    marks (scan --since, by id() of the artifact): True/False whether an entry has a time on or after
    that moment (the entry's `after_since`); None or missing: it has no known time."""
    shown = shown_entries(artifacts)
    shown.sort(key=lambda a: (place_of(a), ORIGIN_ORDER.get(str(a.get("origin") or ""), 2),
                              str(a.get("name") or ""), a.location.path, a.location.registry_key))
    kept = shown[:MAX_ENTRIES]
    places: dict[str, list[dict[str, Any]]] = {}
    for art in kept:
        entry = startup_entry(art, lang)
        mark = marks.get(id(art)) if marks is not None else None
        if mark is not None:
            entry["after_since"] = mark
        places.setdefault(place_of(art), []).append(entry)
    counts: dict[str, int] = {}
    for art in shown:
        key = str(art.get("origin") or "unchecked")
        counts[key] = counts.get(key, 0) + 1
    return {
        "title": t("startup_title", lang),
        "intro": t("startup_intro", lang),
        "how_to_tell": t("startup_how", lang),
        "count": len(shown),
        "included": len(kept),
        "by_origin": dict(sorted(counts.items())),
        "places": [
            {"place": place, "label": _capital(value_label("mechanism", place, lang) or place.replace("_", " ")),
             "entries": entries}
            for place, entries in places.items()
        ],
    }


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]
