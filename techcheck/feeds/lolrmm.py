"""LOLRMM: one YAML file per remote-management tool.

Fields used: Name, Category, Details (Website, PEMetadata with Filename / OriginalFileName,
InstallationPaths), Artifacts (Disk, EventLog with ServiceName, Registry with Path, Network with
Domains and Ports). PEMetadata is a mapping in older files and a list in newer ones; Network items
use Domains/Ports lists or Domain/Port values. Both shapes are read.

What a computer can show: the program file names (running programs, services, start-up entries,
listening programs, program files on disk), install folders, service names (from the event log
facts and the Services registry key), Uninstall key names, downloads from the tool's web sites, and
hosts-file entries. Registry paths other than services and Uninstall keys, and log files, are not
collected by techcheck: they are counted as not usable. Install paths are translated by
`lolrmm_paths`. A tool with nothing usable is skipped and counted; only a malformed file is an error.

The feed does not say which side of a connection a tool sits on. `lolrmm_roles.yaml` (hand-made,
beside this module) says it per tool: an agent or server lets someone into this computer and
becomes a "Worth checking" rule; a viewer or client (a VNC viewer, an SSH or file-transfer client)
only reaches out to other computers and is left out, as are tools a hand-made shipped rule covers.
A tool the table does not know (a newer feed) is treated as an agent.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from techcheck.feeds.lolrmm_paths import PathFact, name_fact, translate
from techcheck.feeds.model import (
    Cond,
    FeedError,
    FeedProduct,
    FeedResult,
    Test,
    clean_domain,
    domain_conditions,
    load_feed_yaml,
    reason,
    slugify,
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
_PROGRAM_KINDS = ("process", "service", "autostart", "program_file")
_OS_NAMES = {"windows": "windows", "mac": "macos", "macos": "macos", "linux": "linux"}
ROLES_FILE = Path(__file__).with_name("lolrmm_roles.yaml")
LEFT_OUT_ROLES = {
    "viewer": reason("rules_import_reason_role_viewer"),
    "client": reason("rules_import_reason_role_client"),
    "other": reason("rules_import_reason_role_other"),
}
# role -> (severity, category, texts) for the tools that become rules
_KEPT_ROLES = {
    "agent": ("review", "remote_access", "review"),
    "server": ("review", "remote_access", "review"),
    "monitoring": ("review", "monitoring", "review"),
    "rat": ("alert", "rat", "rat"),
}
NO_INDICATOR = reason("rules_import_reason_no_indicator")


@dataclass(frozen=True)
class RoleTable:
    roles: dict[str, str]  # tool name (lower-case) -> role
    products: dict[str, str]  # tool name (lower-case) -> product tag of a shipped hand-made rule
    viewer_programs: frozenset[str] = frozenset()  # viewer program files of tools that also have an agent


@cache
def role_table(path: Path = ROLES_FILE) -> RoleTable:
    """The hand-made table beside this module: each tool's role and its hand-made product, if any."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    products = {str(k).strip().lower(): str(v) for k, v in (data.pop("product", None) or {}).items()}
    viewers = frozenset(str(v).strip().lower() for v in data.pop("viewer_programs", None) or [])
    roles = {str(name).strip().lower(): str(role) for role, names in data.items() for name in names or []}
    return RoleTable(roles, products, viewers)


def read_lolrmm(paths: Iterable[Path], table: RoleTable | None = None) -> FeedResult:
    """Tools from LOLRMM files. `table` (roles and products) defaults to the shipped table."""
    table = table or role_table()
    result = FeedResult([], [])
    for path in paths:
        file = str(path)
        result.files.append(file)
        loaded = load_feed_yaml(path)
        data = loaded.data
        if not isinstance(data, dict) or not isinstance(data.get("Name"), str) or not data["Name"].strip():
            raise FeedError(file, "expected a LOLRMM tool: a mapping with 'Name', 'Details' and 'Artifacts'",
                            loaded.line(()))
        for key in ("Details", "Artifacts", "ForensicArtifacts"):
            if data.get(key) is not None and not isinstance(data[key], dict):
                raise FeedError(file, f"{key!r} must be a mapping", loaded.line((key,)), data["Name"])
        key = data["Name"].strip().lower()
        role = table.roles.get(key, "agent")
        if role in LEFT_OUT_ROLES:
            result.skipped[LEFT_OUT_ROLES[role]] += 1
            continue
        product = _tool(data, table.viewer_programs)
        product.severity, product.category, product.template = _KEPT_ROLES.get(role, _KEPT_ROLES["agent"])
        product.slug = slugify(path.stem)
        product.product_tag = table.products.get(key, "")
        if not product.conditions:
            result.skipped[NO_INDICATOR] += 1
        result.products.append(product)
    return result


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _texts(value: Any) -> list[str]:
    return [str(v).strip() for v in _as_list(value) if isinstance(v, str | int) and str(v).strip()]


@dataclass
class _Facts:
    """What one tool's indicators say, before they become conditions."""

    names: set[str] = field(default_factory=set)
    name_globs: set[str] = field(default_factory=set)
    file_paths: dict[str, str] = field(default_factory=dict)  # pattern -> file name
    folders: set[str] = field(default_factory=set)
    systems: set[str] = field(default_factory=set)
    viewers: frozenset[str] = frozenset()

    def add(self, fact: PathFact, product: FeedProduct) -> None:
        if fact.file_name and any(fnmatchcase(fact.file_name, v) for v in self.viewers):
            product.unusable[reason("rules_import_reason_viewer_programs")] += 1
        elif fact.problem:
            product.unusable[fact.problem] += 1
        elif fact.folder:
            self.folders.add(fact.folder)
        elif fact.file_path:
            self.file_paths[fact.file_path] = fact.file_name
        elif any(c in fact.file_name for c in "*?["):
            self.name_globs.add(fact.file_name)
        else:
            self.names.add(fact.file_name)


def _tool(data: dict[str, Any], viewers: frozenset[str] = frozenset()) -> FeedProduct:
    name = data["Name"].strip()
    details = data.get("Details") or {}
    artifacts = data.get("Artifacts") or data.get("ForensicArtifacts") or {}  # both names occur
    product = FeedProduct(name, "lolrmm", "review", "remote_access", [FEED_URL])
    website = details.get("Website")
    if isinstance(website, str) and website.startswith("http"):
        product.references.append(website.strip())
    facts = _Facts(systems={_OS_NAMES[o.lower()] for o in _texts(details.get("SupportedOS"))
                            if o.lower() in _OS_NAMES}, viewers=viewers)
    for meta in _as_list(details.get("PEMetadata")):
        if isinstance(meta, dict):
            for key in ("Filename", "OriginalFileName"):
                for v in _texts(meta.get(key)):
                    facts.add(name_fact(v), product)
    for raw in _texts(details.get("InstallationPaths")):
        facts.add(translate(raw) if "/" in raw or "\\" in raw else name_fact(raw), product)
        facts.systems.update(_systems_of(raw))
    _program_conditions(facts, product)
    _registry_conditions(artifacts, product)
    product.unusable[reason("rules_import_reason_log_files")] += len(_as_list(artifacts.get("Disk")))
    domains, ports = _network(artifacts.get("Network"), product)
    usable_ports = sorted(p for p in ports if p not in _GENERIC_PORTS)
    if usable_ports and facts.names:
        # Never a port alone: many programs can use the same port.
        product.conditions.append(Cond("listener", (Test("port", "equals", tuple(usable_ports)),
                                                    Test("exe_name", "equals", tuple(sorted(facts.names))))))
        product.used["listening ports (with the program name)"] += len(usable_ports)
    else:
        product.unusable[reason("rules_import_reason_ports")] += len(usable_ports)
    product.conditions.extend(domain_conditions(sorted(domains), visit_type="download"))
    product.used["web addresses"] += len(domains)
    product.platforms = tuple(sorted(facts.systems)) or ("any",)
    return product


def _systems_of(raw: str) -> set[str]:
    """The systems an install path belongs to, from its shape."""
    low = raw.lower()
    if re.match(r"^[a-z]:|^%|.*\\", low) or low.endswith((".exe", ".msi")):
        return {"windows"}
    if "/applications/" in low or low.startswith(("/applications", "~/library")) or ".app" in low:
        return {"macos"}
    if low.startswith(("/usr", "/opt", "/etc", "/var", "/home", "~/.")):
        return {"linux"}
    return set()


def _program_conditions(facts: _Facts, product: FeedProduct) -> None:
    tests: list[tuple[Test, ...]] = []
    if facts.names:
        tests.append((Test("exe_name", "equals", tuple(sorted(facts.names))),))
    if facts.name_globs:
        tests.append((Test("exe_name", "glob", tuple(sorted(facts.name_globs))),))
    if facts.file_paths:  # indexed by the exact name, then the folder is checked
        tests.append((Test("exe", "path", tuple(sorted(facts.file_paths))),
                      Test("exe_name", "equals", tuple(sorted(set(facts.file_paths.values()))))))
    if facts.folders:
        below = tuple(sorted(f + "/**" for f in facts.folders))
        folder_test: tuple[Test, ...] = (Test("exe", "path", below),)
        if facts.viewers:  # a tool's folder can hold its viewer too: that part is not a way in
            folder_test += (Test("exe_name", "not-equals", tuple(sorted(facts.viewers))),)
        tests.append(folder_test)
        product.conditions.append(Cond("app", (Test("install_path", "path",
                                                    tuple(sorted({*facts.folders, *below}))),)))
    for test in tests:
        for kind in _PROGRAM_KINDS:
            product.conditions.append(Cond(kind, test))
    product.used["program file names"] += len(facts.names) + len(facts.name_globs)
    product.used["program files in their folder"] += len(facts.file_paths)
    product.used["install folders"] += len(facts.folders)


def _registry_conditions(artifacts: dict[str, Any], product: FeedProduct) -> None:
    services: set[str] = set()
    packages: set[str] = set()
    for ev in _as_list(artifacts.get("EventLog")):
        if isinstance(ev, dict):
            services.update(s for s in _texts(ev.get("ServiceName")) if "*" not in s and "<" not in s)
    for reg in _as_list(artifacts.get("Registry")):
        key = str(reg.get("Path", "")).strip() if isinstance(reg, dict) else ""
        if (m := _SERVICE_KEY.search(key)) and not _PLACEHOLDER.search(m.group(1)):
            services.add(m.group(1).strip())
        elif (m := _UNINSTALL_KEY.search(key)) and not _PLACEHOLDER.search(m.group(1)):
            packages.add(m.group(1).strip())
        elif key:
            product.unusable[reason("rules_import_reason_registry_keys")] += 1
    if services:
        product.conditions.append(Cond("service", (Test("name", "equals", tuple(sorted(services))),)))
        product.used["service names"] += len(services)
    if packages:
        product.conditions.append(Cond("app", (Test("package", "equals", tuple(sorted(packages))),)))
        product.used["programs-list entries"] += len(packages)


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
                product.unusable[reason("rules_import_reason_web_addresses")] += 1
        for raw in _texts(item.get("Ports")) + _texts(item.get("Port")):
            if raw.isdigit() and 0 < int(raw) < 65536:
                ports.add(int(raw))
    return domains, ports
