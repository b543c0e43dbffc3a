"""The JSON report: the report model, written as stable, sorted JSON."""

from __future__ import annotations

import json
from typing import Any


def render_json(model: dict[str, Any]) -> str:
    # ensure_ascii keeps hostile names (control characters, odd bytes) escaped in the file.
    return json.dumps(model, indent=2, ensure_ascii=True, sort_keys=False) + "\n"
