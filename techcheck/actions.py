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

from techcheck import wordlists

SAVE_REPORT = "save_report"
ACTION_IDS = (SAVE_REPORT,)


def says_to_save(text: str, lang: str) -> bool:
    """Whether a rule text tells the reader to save the report, by the language's words for it
    (wordlists.SAVE_REPORT in its catalog; False for a language whose catalog has none)."""
    pattern = wordlists.pattern(wordlists.SAVE_REPORT, lang)
    return bool(pattern and pattern.search(wordlists.fold(text)))
