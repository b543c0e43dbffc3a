"""The JSON report: the report model, written as stable JSON.

Readable indentation, except the inventory items, which are written one per line: a computer can
have thousands of apps. The layout does not matter to the digest (it covers the canonical form).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from typing import Any


def render_json(model: Mapping[str, Any]) -> str:
    # ensure_ascii keeps hostile names (control characters, odd bytes) escaped in the file.
    inventory = model.get("inventory")
    if not isinstance(inventory, dict) or not inventory.get("items"):
        return json.dumps(model, indent=2, ensure_ascii=True, sort_keys=False) + "\n"
    # A random placeholder cannot be guessed by a scanned name, so the swap below is exact.
    marker = f"techcheck-inventory-{secrets.token_hex(16)}"
    body = {**model, "inventory": {**inventory, "items": marker}}
    text = json.dumps(body, indent=2, ensure_ascii=True, sort_keys=False)
    lines = ",\n".join("      " + json.dumps(item, ensure_ascii=True, separators=(", ", ": "))
                       for item in inventory["items"])
    return text.replace(json.dumps(marker), "[\n" + lines + "\n    ]", 1) + "\n"
