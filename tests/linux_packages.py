"""Build the dpkg database of a Linux disk copy in a test: status stanzas, info/<pkg>.list and
<pkg>.md5sums written the way dpkg writes them, for files the test puts in the copy."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from tests.conftest import write


def install(root: Path, package: str, files: dict[str, str | bytes], priority: str = "optional",
            conffiles: tuple[str, ...] = (), mode: int = 0o755) -> None:
    """Put `files` (path -> content) in the copy as owned by `package`; conffiles' sums go in status."""
    sums, conf = [], []
    for path, content in files.items():
        data = content.encode() if isinstance(content, str) else content
        write(root, path.lstrip("/"), data, mode=mode)
        digest = hashlib.md5(data).hexdigest()
        if path in conffiles:
            conf.append(f" {path} {digest}")
        else:
            sums.append(f"{digest}  {path.lstrip('/')}")
    folders = sorted({str(Path(p).parent) for p in files} | {"/."})
    info = root / "var/lib/dpkg/info"
    info.mkdir(parents=True, exist_ok=True)
    (info / f"{package}.list").write_text("\n".join(folders + list(files)) + "\n")
    (info / f"{package}.md5sums").write_text("\n".join(sums) + "\n")
    stanza = f"Package: {package}\nStatus: install ok installed\nPriority: {priority}\nVersion: 1.0-1\n"
    if conf:
        stanza += "Conffiles:\n" + "\n".join(conf) + "\n"
    status = root / "var/lib/dpkg/status"
    status.parent.mkdir(parents=True, exist_ok=True)
    with status.open("a") as out:
        out.write(stanza + "Description: test package\n\n")


def link(root: Path, target: str, at: str) -> None:
    path = root / at.lstrip("/")
    path.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(target, path)
