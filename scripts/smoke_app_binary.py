"""Smoke test of the single-file program built by scripts/build_app.sh (run by .ci/run).

1. The built program scans a test disk copy; its JSON report equals the one the Python package
   makes of the same copy, apart from times, the digest and the program's own path.
2. Started as the app (`app --no-browser`), it prints its address and serves the safety page.
Prints the program's size and start time.
"""

from __future__ import annotations

import http.client
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.conftest import write  # noqa: E402
from tests.test_cli import linux_image  # noqa: E402

VARYING = {"started", "finished", "created", "digest"}


def rule_name(path: str) -> str:
    """A rule file's name below its rule folder: where the rules are installed differs."""
    for marker in ("/shipped_rules/", "/rules/"):
        if marker in path.replace("\\", "/"):
            return path.replace("\\", "/").rsplit(marker, 1)[1]
    return path


def without_times(value: Any) -> Any:
    if isinstance(value, dict) and isinstance(value.get("sources"), list):
        value = {**value, "sources": sorted(rule_name(str(s)) for s in value["sources"])}
    if isinstance(value, dict):
        return {k: without_times(v) for k, v in value.items() if k not in VARYING}
    if isinstance(value, list):
        return [without_times(v) for v in value]
    return value


def scan_json(command: list[str], root: Path) -> dict[str, Any]:
    out = subprocess.run([*command, "scan", "--root", str(root), "--format", "json", "--lang", "en",
                          "--no-progress"], capture_output=True, text=True, timeout=300, check=True)
    return json.loads(out.stdout)  # type: ignore[no-any-return]


def main() -> int:
    binary = REPO / "dist" / ("techcheck.exe" if sys.platform == "win32" else "techcheck")
    if not binary.is_file():
        print(f"no program at {binary}: run scripts/build_app.sh first", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        root = linux_image(Path(tmp) / "img")
        write(root, "etc/ld.so.preload", "/usr/lib/x86_64-linux-gnu/libsneaky.so\n")
        frozen = scan_json([str(binary)], root)
        python = scan_json([sys.executable, "-m", "techcheck"], root)
    if without_times(frozen) != without_times(python):
        a, b = json.dumps(without_times(frozen), indent=1), json.dumps(without_times(python), indent=1)
        print("the program's report differs from the Python package's:", file=sys.stderr)
        import difflib

        sys.stderr.writelines(list(difflib.unified_diff(b.splitlines(True), a.splitlines(True)))[:60])
        return 1
    print(f"same JSON report from the program and the package ({len(frozen['findings'])} findings)")
    start = time.monotonic()
    app = subprocess.Popen([str(binary), "app", "--no-browser"], stdout=subprocess.PIPE, text=True)
    try:
        assert app.stdout is not None
        url = app.stdout.readline().strip()
        port = int(url.split(":")[2].split("/")[0])
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", "/" + url.split("/", 3)[3], headers={"Host": f"127.0.0.1:{port}"})
        first = conn.getresponse()
        first.read()
        cookie = (first.getheader("Set-Cookie") or "").split(";")[0]
        conn.request("GET", "/start", headers={"Host": f"127.0.0.1:{port}", "Cookie": cookie})
        page = conn.getresponse().read().decode()
        elapsed = time.monotonic() - start
        if "Before you start" not in page and "Antes de empezar" not in page:
            print("the app did not serve its safety page", file=sys.stderr)
            return 1
    finally:
        app.terminate()
        app.wait(10)
    print(f"program: {binary.stat().st_size / 1e6:.1f} MB; app answered its first page {elapsed:.2f} s after start")
    return 0


if __name__ == "__main__":
    sys.exit(main())
