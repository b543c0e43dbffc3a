"""The extra real hives in tests/data/windows/registry are unchanged (SHA-256 sums listed beside them)."""

from __future__ import annotations

import hashlib

from tests.winsupport import MORE, MORE_HIVES


def test_extra_hives_are_present_and_unchanged() -> None:
    sums = dict(reversed(line.split()) for line in (MORE / "SHA256SUMS").read_text().splitlines() if line.strip())
    assert set(sums) == set(MORE_HIVES.values())
    for name, digest in sums.items():
        assert hashlib.sha256((MORE / name).read_bytes()).hexdigest() == digest, name
