"""Actions in rule texts that the report completes for the reader.

A rule's `actions` are sentences. One kind needs more than a sentence: "Save this report" is no
help to a frightened reader who does not know how. Such an action is written with its id,

    actions:
      - save_report: If you do not know who set it up, save this report.

and every renderer adds the exact way to save *this* report after the sentence: the command for
this run and the file it writes (terminal and HTML), the file it was saved to, or the app's Save
button and the folder it saves to (report/format.finding_actions). The sentence stays the rule
author's, in each language. `techcheck rules lint` rejects a sentence that says to save the
report without the id (`says_to_save`); reports saved before the ids existed get them when
loaded (report/loader.upgrade).
"""

from __future__ import annotations

import re

SAVE_REPORT = "save_report"
ACTION_IDS = (SAVE_REPORT,)

# A sentence that tells the reader to save the report, per language of the rule texts.
_SAVE_WORDS = {
    "en": re.compile(r"\bsav(e|ing) (this|the) report\b", re.IGNORECASE),
    "es": re.compile(r"\bguard(e|ar|a|ando) (este|el) informe\b", re.IGNORECASE),
}


def says_to_save(text: str, lang: str) -> bool:
    """Whether a rule text tells the reader to save the report (in `lang`; False for other languages)."""
    pattern = _SAVE_WORDS.get(lang)
    return bool(pattern and pattern.search(text))
