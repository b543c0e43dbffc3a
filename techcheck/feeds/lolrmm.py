"""LOLRMM: one YAML file per remote-management tool.

Fields used: Name, Category, Details (Website, PEMetadata with Filename / OriginalFileName,
InstallationPaths), Artifacts (Disk, EventLog with ServiceName, Registry with Path, Network with
Domains and Ports). PEMetadata is a mapping in older files and a list in newer ones; Network items
use Domains/Ports lists or Domain/Port values. Both shapes are read.

What a computer can show: the program file names (running programs, services, start-up entries,
listening programs), install folders, service names (from the event log facts and the
Services registry key), Uninstall key names, downloads from the tool's web sites, and hosts-file
entries. Registry paths other than services and Uninstall keys, and log files, are not collected
by techcheck: they are counted as not usable.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path, PureWindowsPath
from typing import Any

from techcheck.feeds.model import (
    Cond,
    FeedError,
    FeedProduct,
    FeedResult,
    Test,
    clean_domain,
    domain_conditions,
    load_feed_yaml,
)

FEED_URL = "https://lolrmm.io/"
_GENERIC_PORTS = {80, 443}
# Shared hosting and big-platform names: a tool listing "*.googleapis.com" must not flag every visit.
_SHARED_DOMAINS = {
    "amazonaws.com", "cloudfront.net", "googleapis.com", "google.com", "microsoft.com", "azure.com",
    "windows.net", "github.com", "githubusercontent.com", "akamaihd.net", "akamai.net", "cloudflare.com",
    "firebaseio.com", "azureedge.net", "apple.com", "icloud.com", "live.com", "office.com",
}
_SERVICE_KEY = re.compile(r"\\(?:CurrentControlSet|ControlSet\d+)\\Services\\([^\\*]+)$", re.IGNORECASE)
_UNINSTALL_KEY = re.compile(r"\\Uninstall\\([^\\*]+)$", re.IGNORECASE)
_PLACEHOLDER = re.compile(r"<[^>]*>|\([^)]*random[^)]*\)|\{[^}]*\}", re.IGNORECASE)


def read_lolrmm(paths: Iterable[Path]) -> FeedResult:
    products: list[FeedProduct] = []
    files: list[str] = []
    for path in paths:
        file = str(path)
        files.append(file)
        loaded = load_feed_yaml(path)
        data = loaded.data
        if not isinstance(data, dict) or not isinstance(data.get("Name"), str) or not data["Name"].strip():
            raise FeedError(file, "expected a LOLRMM tool: a mapping with 'Name', 'Details' and 'Artifacts'",
                            loaded.line(()))
        for key in ("Details", "Artifacts", "ForensicArtifacts"):
            if data.get(key) is not None and not isinstance(data[key], dict):
                raise FeedError(file, f"{key!r} must be a mapping", loaded.line((key,)), data["Name"])
        products.append(_tool(data, file))
    return FeedResult(products, files)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _texts(value: Any) -> list[str]:
    return [str(v).strip() for v in _as_list(value) if isinstance(v, str | int) and str(v).strip()]


def _tool(data: dict[str, Any], file: str) -> FeedProduct:
    name = data["Name"].strip()
    details = data.get("Details") or {}
    artifacts = data.get("Artifacts") or data.get("ForensicArtifacts") or {}  # both names occur
    product = FeedProduct(name, "lolrmm", "review", "remote_access", [FEED_URL])
    website = details.get("Website")
    if isinstance(website, str) and website.startswith("http"):
        product.references.append(website.strip())

    exe_names: set[str] = set()
    exe_globs: set[str] = set()
    for meta in _as_list(details.get("PEMetadata")):
        if isinstance(meta, dict):
            for key in ("Filename", "OriginalFileName"):
                for v in _texts(meta.get(key)):
                    _add_exe(v, exe_names, exe_globs)
    paths: set[str] = set()
    for raw in _texts(details.get("InstallationPaths")):
        if "/" in raw or "\\" in raw:
            paths.update(path_patterns(raw))
        else:
            _add_exe(raw, exe_names, exe_globs)
    services: set[str] = set()
    packages: set[str] = set()
    for ev in _as_list(artifacts.get("EventLog")):
        if isinstance(ev, dict):
            services.update(s for s in _texts(ev.get("ServiceName")) if "*" not in s)
    for reg in _as_list(artifacts.get("Registry")):
        key = str(reg.get("Path", "")).strip() if isinstance(reg, dict) else ""
        if (m := _SERVICE_KEY.search(key)) and not _PLACEHOLDER.search(m.group(1)):
            services.add(m.group(1).strip())
        elif (m := _UNINSTALL_KEY.search(key)) and not _PLACEHOLDER.search(m.group(1)):
            packages.add(m.group(1).strip())
        elif key:
            product.unusable["registry keys"] += 1
    product.unusable["log and data files"] += len(_as_list(artifacts.get("Disk")))
    domains, ports = _network(artifacts.get("Network"), product)

    exe_tests = [Test("exe_name", "equals", tuple(sorted(exe_names)))] if exe_names else []
    exe_tests += [Test("exe_name", "glob", tuple(sorted(exe_globs)))] if exe_globs else []
    for test in exe_tests:
        for kind in ("process", "service", "autostart"):
            product.conditions.append(Cond(kind, (test,)))
    product.used["program file names"] += len(exe_names) + len(exe_globs)
    if services:
        product.conditions.append(Cond("service", (Test("name", "equals", tuple(sorted(services))),)))
        product.used["service names"] += len(services)
    if packages:
        product.conditions.append(Cond("app", (Test("package", "equals", tuple(sorted(packages))),)))
        product.used["programs-list entries"] += len(packages)
    if paths:
        values = tuple(sorted(paths))
        product.conditions.append(Cond("app", (Test("install_path", "path", values),)))
        for kind in ("process", "service", "autostart"):
            product.conditions.append(Cond(kind, (Test("exe", "path", values),)))
        product.used["install folders"] += len(paths)
    usable_ports = sorted(p for p in ports if p not in _GENERIC_PORTS)
    if usable_ports and exe_names:
        # Never a port alone: many programs can use the same port.
        product.conditions.append(Cond("listener", (Test("port", "equals", tuple(usable_ports)),
                                                    Test("exe_name", "equals", tuple(sorted(exe_names))))))
        product.used["listening ports (with the program name)"] += len(usable_ports)
    else:
        product.unusable["ports without a program name"] += len(usable_ports)
    product.conditions.extend(domain_conditions(sorted(domains), visit_type="download"))
    product.used["web addresses"] += len(domains)
    if not product.conditions:
        raise FeedError(file, "no indicator a computer can show (no file names, folders, services or web "
                              "addresses)", None, name)
    return product


def _add_exe(raw: str, names: set[str], globs: set[str]) -> None:
    base = PureWindowsPath(raw.strip().strip('"')).name.lower()
    if not base or base in ("*", "*.exe"):
        return
    (globs if any(c in base for c in "*?[") else names).add(base)


def path_patterns(raw: str) -> list[str]:
    """techcheck path globs for a LOLRMM install path: the folder itself and everything below it."""
    p = raw.strip().strip('"').replace("\\", "/")
    p = _PLACEHOLDER.sub("*", p)
    p = re.sub(r"%[A-Za-z_()]+%", "**", p)
    p = re.sub(r"^[A-Za-z]:", "**", p)
    p = re.sub(r"^~", "**", p)
    if p.startswith("/"):
        p = "**" + p
    p = re.sub(r"/+", "/", p)
    p = p.rstrip("/")
    while p.endswith("/*") or p.endswith("/**"):
        p = p.rsplit("/", 1)[0]
    if not p or p in ("**", "*") or p.count("/") < 2:
        return []  # too broad to say anything
    last = p.rsplit("/", 1)[1]
    is_file = "." in last and not last.lower().endswith(".app") and "*" not in last.split(".")[-1]
    return [p] if is_file else [p, p + "/**"]


def _network(items: Any, product: FeedProduct) -> tuple[set[str], set[int]]:
    domains: set[str] = set()
    ports: set[int] = set()
    for item in _as_list(items):
        if not isinstance(item, dict):
            continue
        for raw in _texts(item.get("Domains")) + _texts(item.get("Domain")):
            host = clean_domain(raw)
            if host and host not in _SHARED_DOMAINS:
                domains.add(host)
            else:
                product.unusable["web addresses too general or unreadable"] += 1
        for raw in _texts(item.get("Ports")) + _texts(item.get("Port")):
            if raw.isdigit() and 0 < int(raw) < 65536:
                ports.add(int(raw))
    return domains, ports
