#!/usr/bin/env bash
# Build the single-file techcheck program with PyInstaller into dist/techcheck (dist/techcheck.exe
# on Windows). Run from the repository root, with the project installed in the active Python:
#   python -m pip install -e . pyinstaller && bash scripts/build_app.sh
# The program carries the shipped rules, the report and app templates and the message catalogs.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python}
sep=":"; case "$(uname -s 2>/dev/null || echo Windows)" in MINGW*|MSYS*|CYGWIN*|Windows*) sep=";" ;; esac
"$PY" -m PyInstaller --noconfirm --clean --onefile --name techcheck \
  --distpath dist --workpath build/pyinstaller --specpath build \
  --collect-submodules techcheck --collect-data techcheck \
  --collect-data regipy \
  --add-data "$(pwd)/rules${sep}techcheck/shipped_rules" \
  --log-level WARN \
  packaging/techcheck_main.py
ls -l dist/
