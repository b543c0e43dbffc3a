"""Writes imported feed products as a validated user rule folder, all or nothing.

Rules are written to a temporary folder beside the output, loaded with the real rule loader and
their samples run; only then is the folder renamed into place. A failure leaves nothing behind.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from techcheck.actions import SAVE_REPORT
from techcheck.artifacts import Artifact
from techcheck.errors import RuleError
from techcheck.feeds.model import Cond, FeedError, FeedProduct, FeedResult, Test, slugify
from techcheck.i18n import LANGUAGES, lookup, text
from techcheck.lint import MAX_TITLE_CHARS
from techcheck.packs import PackInfo, write_pack_info
from techcheck.ruleset import load_rules, parse_rule_file, sample_problems

# Generic texts, one per kind of product (alert, review, rat, visits, watchware): messages
# feed.<kind>.title, .what, .why, .action_1 ... and .normal in the catalogs (techcheck/i18n.py), in every
# language of the program. {name} is the product's name from the feed.
#
# Which of each kind's actions tells the reader to save the report: written as a save_report action,
# so every report adds how to save it (techcheck/actions.py).
_SAVE_ACTION = {"alert": 1, "review": 2, "rat": 1, "visits": 2, "watchware": 2}

_FEED_TAGS = {"assoechap": "feed:assoechap", "assoechap-stix": "feed:assoechap", "lolrmm": "feed:lolrmm"}
_SAMPLE_IP = "203.0.113.7"  # documentation address (RFC 5737): never a real server


@dataclass
class ImportSummary:
    output: Path
    rules: int
    indicators_used: int
    unusable: dict[str, int]
    skipped: dict[str, int] = field(default_factory=dict)  # whole feed entries left out, by reason

    @property
    def unusable_count(self) -> int:
        return sum(self.unusable.values())


def short_name(name: str, room: int) -> str:
    """The product name, shortened to fit a title: without a part in brackets, then cut at a word."""
    if len(name) <= room:
        return name
    name = re.sub(r"\s*\([^)]*\)", "", name).strip() or name
    while len(name) > room and " " in name:
        name = name.rsplit(" ", 1)[0]
    return name[:room]


def _texts(product: FeedProduct) -> dict[str, Any]:
    """The rule's texts in every language of the program, from the catalogs."""
    kind = product.template or product.severity
    out: dict[str, Any] = {}
    for lang in LANGUAGES:
        def words(key: str, lang: str = lang) -> str:
            return text(f"feed.{kind}.{key}", lang, name=product.name)

        title = lookup(f"feed.{kind}.title", lang) or ""
        room = MAX_TITLE_CHARS.get(lang, max(MAX_TITLE_CHARS.values())) - len(title.replace("{name}", ""))
        actions: list[str | dict[str, str]] = [
            {SAVE_REPORT: words(f"action_{i}")} if i == _SAVE_ACTION.get(kind) else words(f"action_{i}")
            for i in range(1, 10) if lookup(f"feed.{kind}.action_{i}", lang)]
        out[lang] = {"title": title.format(name=short_name(product.name, room)), "what": words("what"),
                     "why": words("why"), "actions": actions, "normal": words("normal")}
    return out


def _example(test: Test) -> Any:
    """A value that passes this test."""
    first = test.values[0]
    if test.op == "not-equals":
        return _SAMPLE_IP
    if not isinstance(first, str):
        return first
    if test.op == "path":
        value = first.replace("**", "C:", 1) if first.startswith("**") else first
        return value.replace("**", "x").replace("*", "x").replace("?", "x")
    if test.op == "glob":
        return first.replace("*", "x").replace("?", "x")
    return first


def _artifact_fields(cond: Cond, change_first: str | None = None) -> dict[str, Any]:
    """Fields of an artifact passing `cond`; `change_first` replaces the first test's value (near misses)."""
    fields: dict[str, Any] = {}
    for i, test in enumerate(cond.tests):
        value = change_first if (i == 0 and change_first is not None) else _example(test)
        if test.field == "exe_name":
            fields.setdefault("exe", f"C:\\Program Files\\Example\\{value}")
        elif cond.kind == "web_visit" and test.field == "domain":
            fields["url"] = f"https://{value}/download"
        else:
            fields[test.field] = value
    return fields


def _near_misses(cond: Cond) -> list[str]:
    """Values close to the first test's value that must not match: a look-alike name, another folder."""
    first = _example(cond.tests[0])
    if not isinstance(first, str):
        return []
    out = [f"x{first}", f"{first}x"]
    if "/" in first:
        head, _, tail = first.rpartition("/")
        parent, _, folder = head.rpartition("/")
        out.append(f"{parent}/{folder}-other/{tail}" if parent else f"x{first}")
    out.append("C:/Program Files/Another Tool/tool.exe" if "/" in first else "another-tool")
    return out


def _rule_dict(product: FeedProduct, rule_id: str) -> dict[str, Any]:
    return {
        "id": rule_id,
        "severity": product.severity,
        "category": product.category,
        "platforms": list(product.platforms),
        "tags": [_FEED_TAGS[product.feed], f"product:{product.product_tag or slugify(product.name)}"],
        "text": _texts(product),
        "match": [{"kind": c.kind, **{t.field: t.to_yaml() for t in c.tests}} for c in product.conditions],
        "references": product.references,
    }


def _with_samples(data: dict[str, Any], product: FeedProduct, file: str) -> dict[str, Any]:
    rules, problems = parse_rule_file(file, yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    if problems or not rules:
        raise FeedError(file, "could not build a valid rule: " + "; ".join(str(p) for p in problems), None,
                        product.name)
    rule = rules[0]
    cond = product.conditions[0]
    positive = {"kind": cond.kind, **_artifact_fields(cond)}
    negative = None
    for candidate in _near_misses(cond):
        fields = {"kind": cond.kind, **_artifact_fields(cond, candidate)}
        if not rule.matches(Artifact(cond.kind, _derived(fields))):
            negative = fields
            break
    if negative is None:
        raise FeedError(file, "could not find a near-miss sample that the rule does not match", None, product.name)
    data["samples"] = {"positive": [positive], "negative": [negative]}
    return data


def _derived(fields: dict[str, Any]) -> dict[str, Any]:
    from techcheck.artifacts import make

    kind = fields["kind"]
    return dict(make(kind, None, **{k: v for k, v in fields.items() if k != "kind"}).fields)


def write_rules(result: FeedResult, output: Path, replace: bool = False, pack: PackInfo | None = None,
                id_prefix: str = "import") -> ImportSummary:
    """Write one rule file per product into `output`, with its pack manifest; validated, all or nothing."""
    output = check_import_folder(output, replace)
    products = [p for p in result.products if p.conditions]
    if not products:
        raise FeedError(", ".join(result.files), "no indicator in these files can be used on a computer")
    output.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{output.name}.", dir=output.parent))
    try:
        _write_products(products, staging, id_prefix, pack)
        try:
            ruleset = load_rules([staging])
        except RuleError as exc:
            raise FeedError(str(output), f"the imported rules did not pass the rule check: {exc}") from exc
        bad = sample_problems(ruleset)
        if bad:
            raise FeedError(str(output), "imported rules failed their own samples: " + "; ".join(bad))
        if pack is not None:
            write_pack_info(staging, pack)
        (staging / IMPORT_MARKER).write_text(MARKER_TEXT, encoding="utf-8")
        _swap_into_place(staging, output)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    unusable = result.unusable()
    return ImportSummary(output, len(products), result.used_count(),
                         {k: v for k, v in sorted(unusable.items()) if v > 0},
                         dict(sorted(result.skipped.items())))


def _write_products(products: list[FeedProduct], folder: Path, id_prefix: str, pack: PackInfo | None) -> None:
    header = "# Generated by techcheck's feed importer from {source}; do not edit by hand.\n".format(
        source=f"{pack.source} at {pack.commit}" if pack and pack.commit else "a feed file")
    header += "# Texts are generic; see techcheck-pack.json in this folder for the source and license.\n"
    used_ids: set[str] = set()
    for product in products:
        slug = product.slug or slugify(product.name)
        rule_id = f"{id_prefix}.{product.feed}.{slug}"
        n = 2
        while rule_id in used_ids:
            rule_id = f"{id_prefix}.{product.feed}.{slug}-{n}"
            n += 1
        used_ids.add(rule_id)
        file = folder / f"{rule_id.split('.', 1)[1].replace('.', '-')}.yaml"
        data = _with_samples(_rule_dict(product, rule_id), product, str(file))
        file.write_text(header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100),
                        encoding="utf-8")


# Written into every folder `rules import` makes: --replace only ever replaces such a folder.
IMPORT_MARKER = ".techcheck-import"
MARKER_TEXT = "This folder was written by `techcheck rules import`; --replace may replace it.\n"


def check_import_folder(output: Path, replace: bool) -> Path:
    """The folder to write imported rules to; FeedError when it may not be written or replaced.

    Links are never followed (a link, even a broken one, is refused), and an existing folder that
    has files is replaced only with --replace and only when techcheck wrote it (its marker file).
    """
    output = Path(os.path.abspath(output))  # abspath, not resolve: a link stays a link
    if output.is_symlink():
        raise FeedError(str(output), "this is a link to another place; give the folder itself (links are "
                                     "not followed, so nothing elsewhere is replaced)")
    if not output.exists():
        return output
    if not output.is_dir():
        raise FeedError(str(output), "this is a file, not a folder")
    if not any(output.iterdir()):
        return output
    if not replace:
        raise FeedError(str(output), "the output folder already exists and is not empty (use --replace)")
    marker = output / IMPORT_MARKER
    if marker.is_symlink() or not marker.is_file():
        raise FeedError(str(output), "this folder was not written by `techcheck rules import`, so --replace "
                                     "will not delete it; choose a new or empty folder")
    return output


def _swap_into_place(staging: Path, output: Path) -> None:
    old = None
    if output.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{output.name}.old.", dir=output.parent))
        os.rmdir(old)
        os.rename(output, old)
    os.rename(staging, output)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
