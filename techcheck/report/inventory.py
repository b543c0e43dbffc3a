"""The inventory section of the JSON report, and the identity of an artifact between two reports.

The inventory lists what the scan collected of the kinds an advocate compares between visits
(what starts by itself, installed software, accounts, permissions, extensions ...), whether or not
a rule matched it. `techcheck diff` compares two inventories by artifact identity.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, cast

from techcheck.artifacts import Artifact
from techcheck.report.schema import EvidenceItem, Inventory, KindCount

INVENTORY_KINDS = ("autostart", "service", "app", "account", "permission", "browser_extension", "setting",
                   "ssh_key", "profile", "certificate")

# Most items kept per kind; a computer can have thousands of apps, so they keep fewer fields.
MAX_ITEMS = {"app": 20_000}
DEFAULT_MAX_ITEMS = 5_000
APP_FIELDS = ("name", "version", "package", "bundle_id", "source", "install_path", "hidden", "user")

# The fields that say *which* thing an artifact is (not its state): two reports name the same
# thing when kind, location and these fields agree. Versions, enabled flags and dates are state.
IDENTITY_FIELDS: dict[str, tuple[str, ...]] = {
    "process": ("exe", "name", "cmdline", "user"),
    "app": ("name", "package", "bundle_id", "install_path", "source", "user"),
    "service": ("name", "command", "service_dll", "user"),
    "autostart": ("mechanism", "name", "command", "user", "scope"),
    "listener": ("protocol", "address", "port", "exe"),
    "connection": ("protocol", "remote_address", "remote_port", "exe"),
    "session": ("user", "terminal", "host"),
    "browser_extension": ("browser", "profile", "extension_id", "user"),
    "account": ("account_type", "name", "email", "uid", "browser", "profile", "user"),
    "permission": ("service", "app", "site", "source", "user"),
    "setting": ("name", "user"),
    "certificate": ("sha256", "sha1", "subject", "store", "user"),
    "profile": ("identifier", "user"),
    "file": ("path", "sha256"),
    "ssh_key": ("user", "fingerprint", "key_type", "options"),
    "web_visit": ("url", "visit_type", "time", "user"),
    "hosts_entry": ("hostname", "address"),
}


def artifact_key(item: Mapping[str, Any]) -> str:
    """A stable identity for an artifact in report form ({kind, fields, location}).

    The process id is left out: it changes every time a program starts.
    """
    kind = str(item.get("kind", ""))
    fields = item.get("fields") or {}
    loc = item.get("location") or {}
    names = IDENTITY_FIELDS.get(kind) or tuple(sorted(fields))
    parts = [kind, str(loc.get("path", "")), str(loc.get("registry_key", ""))]
    parts += [f"{n}={fields[n]}" for n in names if n in fields]
    return "\x1f".join(parts)


def evidence_item(art: Artifact) -> EvidenceItem:
    """An artifact in report form: {kind, fields, location}."""
    return cast(EvidenceItem, art.to_dict())


def inventory_item(art: Artifact) -> EvidenceItem:
    item = evidence_item(art)
    if art.kind == "app":
        item["fields"] = {k: v for k, v in item["fields"].items() if k in APP_FIELDS}
    if not item["location"]:
        del item["location"]
    return item


def build_inventory(artifacts: Iterable[Artifact]) -> Inventory:
    """Inventory kinds: the count of each, and the items (sorted, capped per kind)."""
    by_kind: dict[str, dict[str, EvidenceItem]] = {k: {} for k in INVENTORY_KINDS}
    for art in artifacts:
        if art.kind in by_kind:
            item = inventory_item(art)
            by_kind[art.kind].setdefault(artifact_key(item), item)
    counts: dict[str, KindCount] = {}
    items: list[EvidenceItem] = []
    for kind, found in by_kind.items():
        cap = MAX_ITEMS.get(kind, DEFAULT_MAX_ITEMS)
        kept = [found[k] for k in sorted(found)][:cap]
        counts[kind] = {"count": len(found), "included": len(kept)}
        items.extend(kept)
    return {"kinds": counts, "items": items}
