#!/usr/bin/env python3
"""The message catalogs: extract the ids the code uses, update each language, compile, check.

    python scripts/catalogs.py extract      # techcheck/locale/techcheck.pot from the code (Babel; no line numbers)
    python scripts/catalogs.py update       # extract, then bring every catalog in line with it
    python scripts/catalogs.py init pt      # a new language: techcheck/locale/pt/LC_MESSAGES/techcheck.po
    python scripts/catalogs.py compile      # every .po -> its .mo (what techcheck reads)
    python scripts/catalogs.py check        # what tests/test_catalogs.py checks; exit 1 on a problem

For a translator: run `update`, open techcheck/locale/<lang>/LC_MESSAGES/techcheck.po in a PO
editor (Poedit, Weblate, or a text editor). Each message shows its id (msgid), the English above it
(`#. en: ...`) and your words (msgstr). Keep every {name} exactly as it is. Entries marked
`#, fuzzy` were translated from older English: check them, then remove the mark. Then run
`compile` and `check`, and commit the .po and the .mo together.

A message id is "used by the code" when (see techcheck/i18n.py for the id families):
- Babel finds it as the first argument of t(), at(), text(), N_() or Message.of() in techcheck/;
- a template names it (T.id or T["id"]);
- an f-string builds it from a prefix (t(f"status_{s}") uses every status_* id), or it is a string
  constant in techcheck/ (a tuple of ids looped over);
- it labels something the program defines: check.<name> for each collector, kind.<kind> and
  field.<field> for the artifact schema, category.<category> for the rule categories, and
  value.<field>.<value> when that value is a string constant in techcheck/.
English is the source language: its catalog holds the English words, except the check titles
(check.*), whose English is the collector's `title`.
"""

from __future__ import annotations

import ast
import contextlib
import io
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PACKAGE = ROOT / "techcheck"
LOCALE = PACKAGE / "locale"
TEMPLATE = LOCALE / "techcheck.pot"
SOURCE = "en"
KEYWORDS: dict[str, None] = {"t": None, "at": None, "N_": None, "of": None}
DATA_FAMILIES = ("check.", "kind.", "field.", "category.", "value.")
FSTRING_PREFIX = re.compile(r"""\bf["']([a-z][a-z0-9_.]*[_.])\{""")
TEMPLATE_REF = re.compile(r"""\bT\.([a-z][a-z0-9_]*)|\bT\[["']([^"']+)["']\]""")
ID = re.compile(r"[a-z][a-z0-9_]*(\.[a-z0-9_]+)*")
PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")


def shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def po_path(lang: str) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / "techcheck.po"


def languages() -> list[str]:
    return sorted(p.parent.parent.name for p in LOCALE.glob("*/LC_MESSAGES/techcheck.po"))


def read(path: Path) -> Catalog:
    with path.open("rb") as fh:
        return read_po(fh)


HEADER = """\
# techcheck messages ({what}). Translate each msgstr; keep every {{name}} as it is.
# How: scripts/catalogs.py (update, compile, check). Ids and families: techcheck/i18n.py.
#"""


def write(path: Path, catalog: Catalog) -> None:
    what = "template" if path.suffix == ".pot" else f"language: {path.parent.parent.name}"
    catalog.header_comment = HEADER.format(what=what)
    out = io.BytesIO()
    # No source locations (#: file:line): they change with every edit of the code, so every branch that
    # touched any file would collide on the template. Where an id is used: `check` names it.
    write_po(out, catalog, width=0, sort_output=True, ignore_obsolete=True, no_location=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(out.getvalue())


def compiled(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


@dataclass
class Usage:
    ids: dict[str, list[str]]  # id -> where the code uses it (file:line, or what defines it)
    english: dict[str, str]  # id -> its English words


def _python_files() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py"))


def _constants(files: Iterable[Path]) -> set[str]:
    found: set[str] = set()
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                found.add(node.value)
    return found


def used_ids() -> Usage:
    """Every message id the code uses, where, and its English."""
    from techcheck.collectors.base import all_collectors
    from techcheck.kinds import KINDS
    from techcheck.ruleset import CATEGORIES

    english_catalog = {str(m.id): str(m.string) for m in read(po_path(SOURCE)) if m.id}
    ids: dict[str, list[str]] = {}

    def use(mid: str, where: str) -> None:
        ids.setdefault(mid, []).append(where)

    def app_or_plain(key: str) -> str:  # the app's pages see app.<key> as <key>, over a report text
        return f"app.{key}" if f"app.{key}" in english_catalog else key

    with contextlib.redirect_stderr(io.StringIO()):  # its notes on f-strings: the prefixes below handle them
        found = list(extract_from_dir(str(PACKAGE), method_map=[("**.py", "python")], keywords=KEYWORDS,
                                      comment_tags=()))
    for filename, lineno, message, _comments, _context in found:
        if isinstance(message, str) and ID.fullmatch(message):
            use(app_or_plain(message) if filename.startswith("app") else message, f"techcheck/{filename}:{lineno}")
    sources: list[str] = []
    for path in sorted(PACKAGE.rglob("*.j2")):
        sources.append(path.read_text(encoding="utf-8"))
        for n, line in enumerate(sources[-1].splitlines(), 1):
            for m in TEMPLATE_REF.finditer(line):
                use(app_or_plain(m.group(1) or m.group(2)), f"{path.relative_to(ROOT)}:{n}")
    files = _python_files()
    constants = _constants(files)
    prefixes = {m.group(1) for p in files for m in FSTRING_PREFIX.finditer(p.read_text(encoding="utf-8"))}
    prefixes = {p for p in prefixes if not p.startswith(DATA_FAMILIES)}
    app_code = "\n".join([*sources, *(p.read_text(encoding="utf-8") for p in files if "app" in p.parts)])
    for mid in english_catalog:
        if mid.startswith(DATA_FAMILIES):
            continue
        if mid.startswith("app.") and re.search(rf"\b{re.escape(mid[4:])}\b", app_code):
            use(mid, "named in techcheck/app/")
        if mid in constants:
            use(mid, "a string constant in techcheck/")
        elif any(mid.startswith(p) for p in prefixes):
            use(mid, "built from a prefix in an f-string")
    english = dict(english_catalog)
    for c in all_collectors():
        use(f"check.{c.name}", f"the collector {c.__module__}.{c.__name__}")
        english[f"check.{c.name}"] = c.title
    for kind, spec in KINDS.items():
        use(f"kind.{kind}", "techcheck/kinds.py KINDS")
        for name in spec.fields:
            use(f"field.{name}", f"a field of {kind} (techcheck/kinds.py)")
    for name in ("path", "registry_key", "pid"):
        use(f"field.{name}", "an evidence location (techcheck/artifacts.py Location)")
    for category in CATEGORIES:
        use(f"category.{category}", "techcheck/ruleset.py CATEGORIES")
    for mid in english_catalog:
        if mid.startswith("value.") and mid.split(".", 2)[2] in constants:
            use(mid, "a field value written in techcheck/")
    return Usage(ids, english)


def in_catalog(lang: str, mid: str) -> bool:
    """Whether a language's catalog should hold an id (English check titles live in the collectors)."""
    return not (lang == SOURCE and mid.startswith("check."))


def _english_of(message: Message) -> str:
    comments = [c[3:] if c.startswith("en:") else c for c in message.auto_comments]
    return " ".join(" ".join(comments).split())


def extract() -> Usage:
    usage = used_ids()
    template = Catalog(domain="techcheck", project="techcheck", version="0.1", fuzzy=False,
                       creation_date=read(po_path(SOURCE)).creation_date)
    for mid in sorted(usage.ids):
        words = usage.english.get(mid, "")
        flags = ["python-brace-format"] if PLACEHOLDER.search(words) else []
        template.add(mid, "", auto_comments=[f"en: {words}"], flags=flags)
    write(TEMPLATE, template)
    return usage


def update(langs: list[str] | None = None) -> None:
    usage = extract()
    template = read(TEMPLATE)
    for lang in langs or languages():
        path = po_path(lang)
        catalog = read(path)
        old = {str(m.id): m for m in catalog if m.id}
        for mid in list(old):
            if mid not in usage.ids or not in_catalog(lang, mid):
                del catalog[mid]
        for entry in template:
            mid = str(entry.id)
            if not mid or not in_catalog(lang, mid):
                continue
            before = old.get(mid)
            if lang == SOURCE:
                if before is None:
                    catalog.add(mid, "", flags=entry.flags)
                continue
            if before is None:
                catalog.add(mid, "", auto_comments=entry.auto_comments, flags=entry.flags)
                continue
            if _english_of(before) and _english_of(before) != _english_of(entry):  # not when it had no English yet
                before.flags.add("fuzzy")
            before.auto_comments = list(entry.auto_comments)
            before.locations = []
        write(path, catalog)


LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(_[A-Z]{2})?")


def init(lang: str) -> None:
    """A new language's catalog, every message empty. The code names a folder and is what `--lang` takes:
    an ISO 639 code (`pt`, `pt_BR`). Babel gives dates their month names by it; a code Babel does not know
    (a language the Unicode CLDR lacks, or `qaa`-`qtz`, reserved for local use) gets English dates."""
    from babel.core import Locale, UnknownLocaleError

    if not LANGUAGE_CODE.fullmatch(lang):
        raise SystemExit(f"{lang!r} is not a language code: two or three small letters (ISO 639), "
                         "then _ and a country in capitals if needed (pt, pt_BR)")
    if po_path(lang).exists():
        raise SystemExit(f"{po_path(lang)} exists already")
    try:
        locale: Locale | None = Locale.parse(lang)
    except (ValueError, UnknownLocaleError):
        locale = None
        print(f"warning: Babel does not know the language code {lang!r}: dates in its reports will read as in "
              "English (3 March 2026). If the language has an ISO 639 code Babel knows, use that one.",
              file=sys.stderr)
    usage = extract()
    catalog = Catalog(locale=locale, domain="techcheck", project="techcheck", version="0.1", fuzzy=False)
    for entry in read(TEMPLATE):
        if entry.id and in_catalog(lang, str(entry.id)):
            catalog.add(entry.id, "", auto_comments=entry.auto_comments, flags=entry.flags)
    write(po_path(lang), catalog)
    print(f"wrote {shown(po_path(lang))} ({len(usage.ids)} messages to translate)")


def compile_all() -> None:
    for lang in languages():
        po_path(lang).with_suffix(".mo").write_bytes(compiled(read(po_path(lang))))


def problems() -> list[str]:
    """Everything wrong with the catalogs, one line each (empty when all is well)."""
    usage = used_ids()
    out: list[str] = []
    english = usage.english
    for lang in languages():
        catalog = read(po_path(lang))
        have = {str(m.id): m for m in catalog if m.id}
        for mid in sorted(usage.ids):
            if not in_catalog(lang, mid):
                continue
            entry = have.get(mid)
            if entry is None or not entry.string:
                todo = f"write its English in {shown(po_path(lang))}" if lang == SOURCE else "no translation"
                out.append(f"{lang}: {mid}: {todo} (used at {usage.ids[mid][0]})")
                continue
            if entry.fuzzy:
                out.append(f"{lang}: {mid}: marked fuzzy (translated from older English)")
            if lang != SOURCE and _english_of(entry) != " ".join(english.get(mid, "").split()):
                out.append(f"{lang}: {mid}: translated from other English than today's (run update)")
            want = set(PLACEHOLDER.findall(english.get(mid, "")))
            if set(PLACEHOLDER.findall(str(entry.string))) != want:
                out.append(f"{lang}: {mid}: placeholders {sorted(PLACEHOLDER.findall(str(entry.string)))} "
                           f"differ from the English {sorted(want)}")
        for mid in sorted(set(have) - set(usage.ids)):
            out.append(f"{lang}: {mid}: no code uses this message")
        for mid in sorted(m for m in have if not in_catalog(lang, m)):
            out.append(f"{lang}: {mid}: belongs in the code (the collector's title), not the English catalog")
        mo = po_path(lang).with_suffix(".mo")
        if not mo.exists() or mo.read_bytes() != compiled(catalog):
            out.append(f"{lang}: {shown(mo)} is not the compiled form of its .po (run compile)")
    return out


def main(argv: list[str]) -> int:
    command = argv[0] if argv else ""
    if command == "extract":
        usage = extract()
        print(f"wrote {TEMPLATE.relative_to(ROOT)}: {len(usage.ids)} messages")
    elif command == "update":
        update()
        print("updated: " + ", ".join(languages()) + "; now translate what is new or fuzzy, then compile")
    elif command == "init" and len(argv) == 2:
        init(argv[1])
    elif command == "compile":
        compile_all()
        print("compiled: " + ", ".join(languages()))
    elif command == "check":
        found = problems()
        print("\n".join(found) or "catalogs: all messages translated, none unused, compiled forms up to date")
        return 1 if found else 0
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
