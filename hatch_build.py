"""Wheel build hook: compile the shipped rules (rules/) into techcheck/shipped_rules/rules.compiled.json.

The compiled form is made by the project's own loader from the same YAML (see techcheck/rulepack.py),
so an installed techcheck reads its 171+ rules without parsing YAML. Editable installs skip this and
read the YAML of the checkout.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class CustomBuildHook(BuildHookInterface):  # type: ignore[type-arg]
    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or version == "editable":
            return
        root = Path(self.root)
        sys.path.insert(0, str(root))
        try:
            from techcheck.rulepack import COMPILED_NAME, compile_folder
        finally:
            sys.path.pop(0)
        out = Path(tempfile.mkdtemp(prefix="techcheck-rules-")) / COMPILED_NAME
        compile_folder(root / "rules", out)
        build_data["force_include"][str(out)] = f"techcheck/shipped_rules/{COMPILED_NAME}"
