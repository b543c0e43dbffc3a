#!/usr/bin/env python3
"""The size habits of issue 19: functions over 60 lines and modules over 400 lines in techcheck/.

    scripts/code_shape.py [--function-lines N] [--module-lines N] [PATH ...]

A function's length is from its `def` (decorators left out) to its last line, blank lines and
comments included; a nested function counts inside its parent and on its own. A module's length is
its number of lines. Exit 0 when nothing is over, 1 otherwise (the list is printed, longest first).
Complexity (ruff C901) is checked by ruff itself (pyproject.toml).
"""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent


def long_functions(path: Path, limit: int) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            lines = (node.end_lineno or node.lineno) - node.lineno + 1
            if lines > limit:
                out.append((lines, f"{path.relative_to(HERE)}:{node.lineno} {node.name}"))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--function-lines", type=int, default=60)
    parser.add_argument("--module-lines", type=int, default=400)
    parser.add_argument("paths", nargs="*", default=[str(HERE / "techcheck")])
    args = parser.parse_args()
    files = sorted(f for p in args.paths for f in ([Path(p)] if p.endswith(".py") else Path(p).rglob("*.py")))
    functions = sorted((x for f in files for x in long_functions(f.resolve(), args.function_lines)), reverse=True)
    modules = sorted(((n, str(f.resolve().relative_to(HERE))) for f in files
                      if (n := len(f.read_text(encoding="utf-8").splitlines())) > args.module_lines), reverse=True)
    print(f"functions over {args.function_lines} lines: {len(functions)}")
    for n, where in functions:
        print(f"  {n:5} {where}")
    print(f"modules over {args.module_lines} lines: {len(modules)}")
    for n, where in modules:
        print(f"  {n:5} {where}")
    return 1 if functions or modules else 0


if __name__ == "__main__":
    sys.exit(main())
