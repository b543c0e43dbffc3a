"""The inventory section of the JSON report, and the identity of an artifact between two reports.

The inventory lists what the scan collected of the kinds an advocate compares between visits
(what starts by itself, installed software, accounts, permissions, extensions ...), whether or not
a rule matched it. `techcheck diff` compares two inventories by artifact identity.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, cast

from techcheck.artifacts import Artifact
from techcheck.kinds import KINDS, InventorySpec
from techcheck.report.schema import EvidenceItem, Inventory, KindCount

# Which kinds the inventory lists, in which order, how many items and which fields: KINDS says.
INVENTORY: dict[str, InventorySpec] = {
    spec.name: spec.inventory for spec in sorted(
        (k for k in KINDS.values() if k.inventory), key=lambda k: k.inventory.position if k.inventory else 0)
    if spec.inventory}


def artifact_key(item: Mapping[str, Any]) -> str:
    """A stable identity for an artifact in report form ({kind, fields, location}).

    The process id is left out: it changes every time a program starts.
    """
    kind = str(item.get("kind", ""))
    fields = item.get("fields") or {}
    loc = item.get("location") or {}
    spec = KINDS.get(kind)
    # A kind this version does not know (a report from a newer one): all its fields say which it is.
    names = spec.identity if spec else tuple(sorted(fields))
    parts = [kind, str(loc.get("path", "")), str(loc.get("registry_key", ""))]
    parts += [f"{n}={fields[n]}" for n in names if n in fields]
    return "\x1f".join(parts)


def evidence_item(art: Artifact) -> EvidenceItem:
    """An artifact in report form: {kind, fields, location}."""
    return cast(EvidenceItem, art.to_dict())


def inventory_item(art: Artifact) -> EvidenceItem:
    item = evidence_item(art)
    kept = INVENTORY[art.kind].fields
    if kept:
        item["fields"] = {k: v for k, v in item["fields"].items() if k in kept}
    if not item["location"]:
        del item["location"]
    return item


def build_inventory(artifacts: Iterable[Artifact]) -> Inventory:
    """Inventory kinds: the count of each, and the items (sorted, capped per kind)."""
    by_kind: dict[str, dict[str, EvidenceItem]] = {k: {} for k in INVENTORY}
    for art in artifacts:
        if art.kind in by_kind:
            item = inventory_item(art)
            by_kind[art.kind].setdefault(artifact_key(item), item)
    counts: dict[str, KindCount] = {}
    items: list[EvidenceItem] = []
    for kind, found in by_kind.items():
        kept = [found[k] for k in sorted(found)][:INVENTORY[kind].max_items]
        counts[kind] = {"count": len(found), "included": len(kept)}
        items.extend(kept)
    return {"kinds": counts, "items": items}
