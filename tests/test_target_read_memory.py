"""Reading a small file with a large limit must not reserve the whole limit in memory."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest

from techcheck.errors import TargetError
from techcheck.target import open_image
from tests.conftest import write


def test_small_file_with_huge_limit_reads_without_reserving_the_limit(tmp_path: Path) -> None:
    root = tmp_path / "img"
    write(root, "etc/hostname", "ana-laptop\n")
    write(root, "var/big", b"x" * (3 * 1024 * 1024 + 5))
    target = open_image(str(root))
    tracemalloc.start()
    try:
        assert target.read_bytes("/etc/hostname", limit=512 * 1024 * 1024) == b"ana-laptop\n"
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1024 * 1024, f"reading 11 bytes reserved {peak} bytes"
    assert len(target.read_bytes("/var/big")) == 3 * 1024 * 1024 + 5  # read whole, in chunks
    with pytest.raises(TargetError, match="larger than"):
        target.read_bytes("/var/big", limit=1024 * 1024)


def test_files_that_report_size_zero_are_still_read() -> None:
    # /proc files say their size is 0; the live target must still read them fully.
    from techcheck.target import open_live

    live = open_live()
    if live.os != "linux":
        pytest.skip("needs /proc (Linux)")
    assert b"Name:" in live.read_bytes("/proc/self/status")
