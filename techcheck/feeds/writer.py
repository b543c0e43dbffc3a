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

from techcheck.artifacts import Artifact
from techcheck.errors import RuleError
from techcheck.feeds.model import Cond, FeedError, FeedProduct, FeedResult, Test, slugify
from techcheck.lint import MAX_TITLE_CHARS
from techcheck.packs import PackInfo, write_pack_info
from techcheck.ruleset import load_rules, parse_rule_file, sample_problems

# Generic texts, one per kind of product. {name} is the product's name from the feed.
_TEXTS: dict[str, dict[str, dict[str, Any]]] = {
    "alert": {
        "en": {
            "title": "Signs of {name}",
            "what": "{name} is sold to watch a phone or computer in secret. This computer has signs that are "
                    "linked to it in a public list. A sign can be a program, a web site this computer opened, "
                    "or a network setting.",
            "why": "Tools like this can show another person what you type, your messages, photos and where you "
                   "go. A web site alone can also mean that you looked it up yourself.",
            "actions": [
                "Save this report. It is a record of what was found.",
                "Think about whether anyone else has used this computer or knows your passwords.",
                "Talk with an advocate before you change anything. Removing it can warn the person who put it "
                "there.",
            ],
            "normal": "Some people visit these web sites to learn about them. That is safe and normal.",
        },
        "es": {
            "title": "Señales de {name}",
            "what": "{name} se vende para vigilar un teléfono o una computadora en secreto. Esta computadora "
                    "tiene señales ligadas a este producto en una lista pública. Una señal puede ser un "
                    "programa, un sitio web que se abrió aquí o un ajuste de la red.",
            "why": "Estas herramientas pueden mostrar a otra persona lo que usted escribe, sus mensajes, sus "
                   "fotos y dónde está. Un sitio web solo también puede significar que usted lo buscó.",
            "actions": [
                "Guarde este informe. Es un registro de lo que se encontró.",
                "Piense si otra persona ha usado esta computadora o conoce sus contraseñas.",
                "Hable con una persona de apoyo antes de cambiar algo. Quitarlo puede avisar a quien lo puso.",
            ],
            "normal": "Algunas personas visitan estos sitios para informarse. Eso es normal y seguro.",
        },
    },
    "review": {
        "en": {
            "title": "{name} may be on this computer",
            "what": "{name} is named in a public list of tools that let a person watch or control a computer "
                    "from another place. This computer has signs of it.",
            "why": "Whoever set it up may be able to see your screen, open your files, or see what you do.",
            "actions": [
                "Check if you or someone you trust set it up, such as work, school or a family helper.",
                "If you do not know who set it up, save this report.",
                "Talk with an advocate before you remove it. Removing it can warn the person who set it up.",
            ],
            "normal": "Many people use tools like this for tech help, work or family care. It is normal when "
                      "you know who set it up and why.",
        },
        "es": {
            "title": "{name} puede estar en esta computadora",
            "what": "{name} aparece en una lista pública de herramientas que dejan a una persona ver o manejar "
                    "una computadora desde otro lugar. Esta computadora tiene señales de esta herramienta.",
            "why": "Quien la instaló puede ver su pantalla, abrir sus archivos o ver lo que usted hace.",
            "actions": [
                "Vea si usted o alguien de confianza la instaló, por ejemplo el trabajo, la escuela o un "
                "familiar que le ayuda.",
                "Si no sabe quién la instaló, guarde este informe.",
                "Hable con una persona de apoyo antes de quitarla. Quitarla puede avisar a quien la instaló.",
            ],
            "normal": "Mucha gente usa estas herramientas para recibir ayuda técnica, para el trabajo o para "
                      "cuidar a la familia. Es normal si usted sabe quién la instaló y por qué.",
        },
    },
}

_TEXTS["rat"] = {
    "en": {
        "title": "Signs of {name}",
        "what": "{name} is a tool for taking over a computer in secret. It is named in a public list of "
                "remote control tools, and this computer has signs of it.",
        "why": "Whoever controls it may see your screen and files, record what you type, and use the computer "
               "from another place without you knowing.",
        "actions": [
            "Save this report. It is a record of what was found.",
            "Use a phone or computer that you trust to change your most important passwords.",
            "Talk with an advocate before you change anything. Removing it can warn the person who put it there.",
        ],
        "normal": "It is not normal on a home computer. A computer expert may have it only to study it.",
    },
    "es": {
        "title": "Señales de {name}",
        "what": "{name} es una herramienta para tomar el control de una computadora en secreto. Aparece en una "
                "lista pública de herramientas de control remoto, y esta computadora tiene señales de ella.",
        "why": "Quien la controla puede ver su pantalla y sus archivos, guardar lo que usted escribe y usar la "
               "computadora desde otro lugar sin que usted lo sepa.",
        "actions": [
            "Guarde este informe. Es un registro de lo que se encontró.",
            "Use un teléfono o una computadora de confianza para cambiar sus contraseñas más importantes.",
            "Hable con una persona de apoyo antes de cambiar algo. Quitarla puede avisar a quien la puso.",
        ],
        "normal": "No es normal en una computadora de casa. Una persona experta puede tenerla solo para estudiarla.",
    },
}
_TEXTS["visits"] = {
    "en": {
        "title": "A browser visited the site of {name}",
        "what": "The browser history on this computer shows visits to a web site of {name}. {name} is sold to "
                "watch a phone or computer in secret. The site is named in a public list.",
        "why": "A visit alone does not mean that it is installed. Someone may have bought it here, or set up an "
               "account to read what it collects.",
        "actions": [
            "Think about who uses this computer and whether you visited the site yourself.",
            "Save this report. It is a record of what was found.",
            "If you think someone is watching your phone, talk with an advocate about how to check it safely.",
        ],
        "normal": "It is normal if you or someone you trust looked the site up, for example to learn about it.",
    },
    "es": {
        "title": "Un navegador visitó el sitio de {name}",
        "what": "El historial del navegador de esta computadora muestra visitas a un sitio web de {name}. "
                "{name} se vende para vigilar un teléfono o una computadora en secreto. El sitio aparece en una "
                "lista pública.",
        "why": "Una visita sola no quiere decir que esté instalado. Alguien pudo comprarlo aquí o crear una "
               "cuenta para leer lo que recoge.",
        "actions": [
            "Piense en quién usa esta computadora y si usted visitó el sitio.",
            "Guarde este informe. Es un registro de lo que se encontró.",
            "Si cree que alguien vigila su teléfono, hable con una persona de apoyo sobre cómo revisarlo sin riesgo.",
        ],
        "normal": "Es normal si usted o alguien de confianza buscó el sitio, por ejemplo para informarse.",
    },
}
_TEXTS["watchware"] = {
    "en": {
        "title": "Signs of {name}",
        "what": "{name} is a monitoring app, often sold to parents. It is named in a public list. This computer "
                "has signs of it, such as a download from its web site.",
        "why": "Apps like this can show another person where a phone is, its messages or what it is used for.",
        "actions": [
            "Check if you or someone you trust set it up, and on which phone or computer.",
            "If you do not know who set it up, save this report.",
            "Talk with an advocate before you remove it. Removing it can warn the person who set it up.",
        ],
        "normal": "Many families use apps like this for children. It is normal when everyone knows about it.",
    },
    "es": {
        "title": "Señales de {name}",
        "what": "{name} es una aplicación de control, muchas veces vendida a padres y madres. Aparece en una "
                "lista pública. Esta computadora tiene señales de ella, como una descarga desde su sitio web.",
        "why": "Estas aplicaciones pueden mostrar a otra persona dónde está un teléfono, sus mensajes o para qué "
               "se usa.",
        "actions": [
            "Vea si usted o alguien de confianza la instaló, y en qué teléfono o computadora.",
            "Si no sabe quién la instaló, guarde este informe.",
            "Hable con una persona de apoyo antes de quitarla. Quitarla puede avisar a quien la instaló.",
        ],
        "normal": "Muchas familias usan estas aplicaciones para sus hijos. Es normal si todas las personas lo saben.",
    },
}

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
    out: dict[str, Any] = {}
    for lang, block in _TEXTS[product.template or product.severity].items():
        room = MAX_TITLE_CHARS[lang] - len(block["title"].replace("{name}", ""))
        title = block["title"].format(name=short_name(product.name, room))
        out[lang] = {
            k: ([a.format(name=product.name) for a in v] if isinstance(v, list) else v.format(name=product.name))
            for k, v in block.items() if k != "title"
        }
        out[lang] = {"title": title, **out[lang]}
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
