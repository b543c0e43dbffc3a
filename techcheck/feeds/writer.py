"""Writes imported feed products as a validated user rule folder, all or nothing.

Rules are written to a temporary folder beside the output, loaded with the real rule loader and
their samples run; only then is the folder renamed into place. A failure leaves nothing behind.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from techcheck.artifacts import Artifact
from techcheck.errors import RuleError
from techcheck.feeds.model import Cond, FeedError, FeedProduct, FeedResult, Test, slugify
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

_FEED_TAGS = {"assoechap": "feed:assoechap", "assoechap-stix": "feed:assoechap", "lolrmm": "feed:lolrmm"}
_SAMPLE_IP = "203.0.113.7"  # documentation address (RFC 5737): never a real server


@dataclass
class ImportSummary:
    output: Path
    rules: int
    indicators_used: int
    unusable: dict[str, int]

    @property
    def unusable_count(self) -> int:
        return sum(self.unusable.values())


def _texts(product: FeedProduct) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for lang, block in _TEXTS[product.severity].items():
        out[lang] = {
            k: ([a.format(name=product.name) for a in v] if isinstance(v, list) else v.format(name=product.name))
            for k, v in block.items()
        }
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
            fields["exe"] = f"C:\\Program Files\\Example\\{value}"
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
        "platforms": ["any"],
        "tags": [_FEED_TAGS[product.feed], f"product:{slugify(product.name)}"],
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


def write_rules(result: FeedResult, output: Path, replace: bool = False) -> ImportSummary:
    """Write one rule file per product into `output`, validated, all or nothing."""
    output = output.resolve()
    if output.exists() and not replace and (not output.is_dir() or any(output.iterdir())):
        raise FeedError(str(output), "the output folder already exists and is not empty (use --replace)")
    products = [p for p in result.products if p.conditions]
    if not products:
        raise FeedError(", ".join(result.files), "no indicator in these files can be used on a computer")
    output.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{output.name}.", dir=output.parent))
    try:
        used_ids: set[str] = set()
        for product in products:
            slug = slugify(product.name)
            rule_id = f"import.{product.feed}.{slug}"
            n = 2
            while rule_id in used_ids:
                rule_id = f"import.{product.feed}.{slug}-{n}"
                n += 1
            used_ids.add(rule_id)
            file = staging / f"{rule_id.removeprefix('import.').replace('.', '-')}.yaml"
            data = _with_samples(_rule_dict(product, rule_id), product, str(file))
            file.write_text("# Imported by techcheck from a feed file; generic texts.\n"
                            + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100),
                            encoding="utf-8")
        try:
            ruleset = load_rules([staging])
        except RuleError as exc:
            raise FeedError(str(output), f"the imported rules did not pass the rule check: {exc}") from exc
        bad = sample_problems(ruleset)
        if bad:
            raise FeedError(str(output), "imported rules failed their own samples: " + "; ".join(bad))
        _swap_into_place(staging, output)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    unusable = result.unusable()
    return ImportSummary(output, len(products), result.used_count(),
                         {k: v for k, v in sorted(unusable.items()) if v > 0})


def _swap_into_place(staging: Path, output: Path) -> None:
    old = None
    if output.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{output.name}.old.", dir=output.parent))
        os.rmdir(old)
        os.rename(output, old)
    os.rename(staging, output)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
