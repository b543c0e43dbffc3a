"""AssoEchap stalkerware-indicators: its ioc.yaml (and watchware.yaml) and its STIX2 bundle.

ioc.yaml is a list of apps: name, names (other brand names), type (stalkerware or watchware),
packages (Android app ids), certificates (Android signing certificates), websites, distribution
(download sites), c2 (ips, domains) and a few more. Most of it is about phones. A computer can
show: the web sites in browser history, downloads and the hosts file, and the c2 addresses as open
network connections. App names are phone app titles: they become computer program names only when
the entry says the product runs on a computer (a `platforms` or `os` list naming windows, macos or
linux); otherwise a Mac app that happens to share a name ("Dash") would be reported.

Stalkerware gives two rules: downloads from its sites, hosts-file entries and c2 connections are
"Needs attention"; visits to its sites are "Worth checking" (a visit alone can be research).
Watchware (visible monitoring, often for parents) is "Worth checking" throughout.

The STIX2 bundle holds `malware` objects (one per app), `indicator` objects with patterns such as
[domain-name:value = 'x'], [app:id = 'x'], [file:hashes.'SHA-256' = 'x'], and `relationship`
objects ("indicator indicates malware") that tie them together.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from techcheck.feeds.model import (
    BLOCK_ADDRESSES,
    Cond,
    FeedError,
    FeedProduct,
    FeedResult,
    Test,
    clean_domain,
    load_feed_yaml,
    read_feed_text,
    reason,
    slugify,
)
from techcheck.yamlsource import LoadedYaml

FEED_URL = "https://github.com/AssoEchap/stalkerware-indicators"
_LIST_KEYS = ("names", "packages", "certificates", "websites", "distribution")
PHONE_ONLY_APPS = reason("rules_import_reason_phone_only")
_PHONE_ONLY = ("packages", "certificates")  # Android app ids and app signing certificates


def _severity(feed_type: str) -> tuple[str, str]:
    """stalkerware is made to spy in secret (alert); watchware is visible monitoring (review)."""
    return ("review", "monitoring") if feed_type.lower() == "watchware" else ("alert", "stalkerware")


def _str_list(value: Any, file: str, line: int | None, entry: str, key: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str | int | float) for v in value):
        raise FeedError(file, f"{key!r} must be a list of text values", line, entry)
    return [str(v).strip() for v in value if str(v).strip()]


def read_ioc_yaml(paths: Iterable[Path]) -> FeedResult:
    products: list[FeedProduct] = []
    files: list[str] = []
    for path in paths:
        file = str(path)
        files.append(file)
        loaded = load_feed_yaml(path)
        if not isinstance(loaded.data, list):
            raise FeedError(file, "expected a list of apps (each with 'name', 'websites', 'c2', ...)",
                            loaded.line(()))
        for i, item in enumerate(loaded.data):
            products.extend(_ioc_entry(item, i, file, loaded))
    result = FeedResult(products, files)
    phone_only = sum(1 for p in products if not p.conditions)
    if phone_only:
        result.skipped[PHONE_ONLY_APPS] = phone_only
    return result


def _ioc_entry(item: Any, i: int, file: str, loaded: LoadedYaml) -> list[FeedProduct]:
    line = loaded.line((i,))
    if not isinstance(item, dict):
        raise FeedError(file, "each app must be a mapping with a 'name'", line, f"entry {i + 1}")
    name = item.get("name")
    if not isinstance(name, str) or not name.strip():
        raise FeedError(file, "missing 'name'", line, f"entry {i + 1}")
    entry = f"entry {i + 1} ({name})"
    lists = {k: _str_list(item.get(k), file, loaded.line((i, k)), entry, k) for k in _LIST_KEYS}
    c2 = item.get("c2") or {}
    if not isinstance(c2, dict):
        raise FeedError(file, "'c2' must be a mapping with 'ips' and 'domains'", loaded.line((i, "c2")), entry)
    c2_ips = _str_list(c2.get("ips"), file, loaded.line((i, "c2", "ips")), entry, "c2.ips")
    c2_domains = _str_list(c2.get("domains"), file, loaded.line((i, "c2", "domains")), entry, "c2.domains")
    severity, category = _severity(str(item.get("type", "stalkerware")))
    product = FeedProduct(name.strip(), "assoechap", severity, category, [FEED_URL],
                          template="alert" if severity == "alert" else "watchware")
    _name_conditions(item, name, lists["names"], product)
    for key in _PHONE_ONLY:
        product.unusable[reason(f"rules_import_reason_android_{key}")] += len(lists[key])
    ios_apps = _str_list(item.get("ios_bundles"), file, None, entry, "ios_bundles")
    product.unusable[reason("rules_import_reason_ios_app_ids")] += len(ios_apps)
    sites = [h for h in (_domain_or_note(raw, c2_ips, product) for raw in [*lists["websites"], *lists["distribution"]])
             if h]
    c2_hosts = [h for h in (_domain_or_note(raw, c2_ips, product) for raw in c2_domains) if h]
    _download_conditions(sorted(set(sites)), sorted(set(c2_hosts)), product)
    ips = sorted({ip for ip in c2_ips if _looks_like_ip(ip)})
    product.unusable[reason("rules_import_reason_unreadable_addresses")] += len(set(c2_ips)) - len(ips)
    if ips:
        product.conditions.append(Cond("connection", (Test("remote_address", "equals", tuple(ips)),)))
        product.used["server addresses"] += len(ips)
    if severity != "alert" or not sites:
        return [product]
    visits = FeedProduct(product.name, "assoechap", "review", category, [FEED_URL], template="visits",
                         slug=f"{slugify(product.name)}-visits", product_tag=slugify(product.name))
    visits.conditions.append(Cond("web_visit", (Test("domain", "domain", tuple(sorted(set(sites)))),
                                                Test("visit_type", "equals", ("history",)))))
    return [product, visits]


def _name_conditions(item: dict[str, Any], name: str, names: list[str], product: FeedProduct) -> None:
    """Brand names as program names, only for a product the feed says runs on a computer."""
    brand_names = sorted({name.strip(), *names}, key=str.lower)
    raw = item.get("platforms", item.get("os")) or []
    systems = sorted({str(v).strip().lower() for v in (raw if isinstance(raw, list) else [raw])}
                     & {"windows", "macos", "linux"})
    if not systems:
        product.unusable[reason("rules_import_reason_phone_app_names")] += len(brand_names)
        return
    product.platforms = tuple(systems)
    product.conditions.append(Cond("app", (Test("name", "equals", tuple(brand_names)),)))
    product.used["program names"] += len(brand_names)


def _domain_or_note(raw: str, ips: list[str], product: FeedProduct) -> str | None:
    host = clean_domain(raw)
    if host:
        product.used["web addresses"] += 1
        return host
    if _looks_like_ip(raw):
        ips.append(raw)
    else:
        product.unusable[reason("rules_import_reason_unreadable_web_addresses")] += 1
    return None


def _download_conditions(sites: list[str], c2_hosts: list[str], product: FeedProduct) -> None:
    """Downloads from the product's sites (any visit, for watchware), and hosts entries for all its names."""
    every = tuple(sorted({*sites, *c2_hosts}))
    if sites:
        visit = [Test("domain", "domain", tuple(sites))]
        if product.severity == "alert":
            visit.append(Test("visit_type", "equals", ("download",)))
        product.conditions.append(Cond("web_visit", tuple(visit)))
    if every:
        product.conditions.append(Cond("hosts_entry", (Test("hostname", "domain", every),
                                                       Test("address", "not-equals", BLOCK_ADDRESSES))))


def _looks_like_ip(value: str) -> bool:
    v = value.strip()
    if re.fullmatch(r"\d{1,3}(\.\d{1,3}){3}", v):
        return all(int(p) <= 255 for p in v.split("."))
    return ":" in v and bool(re.fullmatch(r"[0-9a-fA-F:]+", v))


# --- STIX2 ----------------------------------------------------------------------------------------

_PATTERN = re.compile(r"^\s*\[\s*([a-z0-9-]+):([A-Za-z0-9_.'\-]+)\s*=\s*'((?:[^'\\]|\\.)*)'\s*\]\s*$")


def parse_stix_pattern(pattern: str) -> tuple[str, str, str] | None:
    """(object type, property path, value) of a simple STIX comparison, or None if it is not one."""
    m = _PATTERN.match(pattern)
    if not m:
        return None
    return m.group(1), m.group(2).replace("'", "").lower(), m.group(3).replace("\\'", "'")


def read_stix(paths: Iterable[Path]) -> FeedResult:
    products: dict[str, FeedProduct] = {}
    files: list[str] = []
    for path in paths:
        file = str(path)
        files.append(file)
        try:
            bundle = json.loads(read_feed_text(path))
        except json.JSONDecodeError as exc:
            raise FeedError(file, f"not valid JSON: {exc.msg}", exc.lineno) from exc
        except RecursionError as exc:  # "[[[[..." nested past what the decoder can follow
            raise FeedError(file, "not valid JSON: nested too deeply") from exc
        if not isinstance(bundle, dict) or not isinstance(bundle.get("objects"), list):
            raise FeedError(file, "expected a STIX bundle: an object with an 'objects' list")
        _stix_bundle(bundle["objects"], file, products)
    return FeedResult([p for p in products.values() if p.conditions or p.unusable], files)


def _stix_bundle(objects: list[Any], file: str, products: dict[str, FeedProduct]) -> None:
    malware, indicators, links = _stix_objects(objects, file, products)
    unattributed = FeedProduct("Unnamed stalkerware", "assoechap-stix", "alert", "stalkerware", [FEED_URL])
    collected: dict[int, dict[str, set[str]]] = {}
    for oid, (pattern, _where) in indicators.items():
        targets = [malware[t] for t in sorted(links.get(oid, ())) if t in malware] or [unattributed]
        for product in targets:
            _stix_indicator(pattern, product, collected.setdefault(id(product), {}))
    if collected.get(id(unattributed)) or unattributed.unusable:
        products.setdefault("\0unattributed", unattributed)
    for product in {id(p): p for p in [*malware.values(), unattributed]}.values():
        _stix_conditions(product, collected.get(id(product), {}), products)


def _stix_objects(objects: list[Any], file: str, products: dict[str, FeedProduct]) -> tuple[
        dict[str, FeedProduct], dict[str, tuple[str, str]], dict[str, set[str]]]:
    """The bundle's malware (as products, by object id), indicators (pattern, where) and
    "indicates" links (indicator id -> malware ids)."""
    malware: dict[str, FeedProduct] = {}
    indicators: dict[str, tuple[str, str]] = {}
    links: dict[str, set[str]] = {}
    for i, obj in enumerate(objects):
        if not isinstance(obj, dict) or not isinstance(obj.get("type"), str) or not isinstance(obj.get("id"), str):
            raise FeedError(file, "each object needs a 'type' and an 'id'", None, f"object {i + 1}")
        kind, oid = obj["type"], obj["id"]
        if kind == "malware":
            malware[oid] = _stix_malware(obj, file, f"object {i + 1} ({oid})", products)
        elif kind == "indicator":
            pattern = obj.get("pattern")
            if not isinstance(pattern, str):
                raise FeedError(file, "an indicator needs a text 'pattern'", None, f"object {i + 1} ({oid})")
            indicators[oid] = (pattern, f"object {i + 1} ({oid})")
        elif kind == "relationship" and obj.get("relationship_type") == "indicates":
            src, dst = obj.get("source_ref"), obj.get("target_ref")
            if isinstance(src, str) and isinstance(dst, str):
                links.setdefault(src, set()).add(dst)
    return malware, indicators, links


def _stix_malware(obj: dict[str, Any], file: str, where: str, products: dict[str, FeedProduct]) -> FeedProduct:
    name = obj.get("name")
    if not isinstance(name, str) or not name.strip():
        raise FeedError(file, "a malware object needs a 'name'", None, where)
    key = name.strip().lower()
    if key not in products:
        severity, category = _severity("watchware" if "watchware" in str(obj.get("description", "")).lower()
                                       else "stalkerware")
        products[key] = FeedProduct(name.strip(), "assoechap-stix", severity, category, [FEED_URL],
                                    template="alert" if severity == "alert" else "watchware")
    return products[key]


def _stix_conditions(product: FeedProduct, values: dict[str, set[str]], products: dict[str, FeedProduct]) -> None:
    """One product's conditions from its indicators' values (and a "visits" product for its domains)."""
    domains = sorted(values.get("domain", ()))
    _download_conditions(domains, [], product)
    if domains and product.severity == "alert":
        visits = FeedProduct(product.name, "assoechap-stix", "review", product.category, [FEED_URL],
                             template="visits", slug=f"{slugify(product.name)}-visits",
                             product_tag=slugify(product.name))
        visits.conditions.append(Cond("web_visit", (Test("domain", "domain", tuple(domains)),
                                                    Test("visit_type", "equals", ("history",)))))
        products.setdefault(f"\0visits:{product.name.lower()}", visits)
    for bucket, kind, field in (("ip", "connection", "remote_address"), ("sha256", "file", "sha256"),
                                ("url", "web_visit", "url")):
        if values.get(bucket):
            product.conditions.append(Cond(kind, (Test(field, "equals", tuple(sorted(values[bucket]))),)))


def _stix_indicator(pattern: str, product: FeedProduct, values: dict[str, set[str]]) -> None:
    parsed = parse_stix_pattern(pattern)
    if parsed is None:
        product.unusable[reason("rules_import_reason_unreadable_patterns")] += 1
        return
    obj, prop, value = parsed
    if obj == "domain-name" and prop == "value" and clean_domain(value):
        bucket, label = "domain", "web addresses"
        value = clean_domain(value) or value
    elif obj in ("ipv4-addr", "ipv6-addr") and prop == "value" and _looks_like_ip(value):
        bucket, label = "ip", "server addresses"
    elif obj == "file" and prop in ("hashes.sha-256", "hashes.sha256") and re.fullmatch(r"[0-9a-fA-F]{64}", value):
        bucket, label = "sha256", "file fingerprints"
        value = value.lower()
    elif obj == "url" and prop == "value":
        bucket, label = "url", "web addresses"
    elif obj == "app":
        product.unusable[reason("rules_import_reason_android_app_ids")] += 1
        return
    else:
        product.unusable[reason("rules_import_reason_stix_patterns", what=f"{obj}:{prop}")] += 1
        return
    if value not in values.setdefault(bucket, set()):
        values[bucket].add(value)
        product.used[label] += 1
