"""Where a start-up entry, service or program came from: the values of the `origin` field.

  system     part of the operating system
  installed  from an installed package or app (`origin_name` names it)
  changed    a packaged file whose checksum no longer matches (`origin_name` names the package)
  unknown    no package or app owns it: someone, or some program, put it there

For an entry that runs an interpreter (sh, python, powershell, rundll32 ...), the origin is that of
what the interpreter is told to run (the script, the library), never that of the interpreter.
Inline code has no origin: "unknown". Each platform finds origins in its own helper module
(collectors/linux/origin.py, collectors/windows/origin.py, collectors/macos/origin.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

OriginValue = Literal["system", "installed", "changed", "unknown"]
SYSTEM: OriginValue = "system"
INSTALLED: OriginValue = "installed"
CHANGED: OriginValue = "changed"
UNKNOWN: OriginValue = "unknown"
ORIGINS: tuple[OriginValue, ...] = (SYSTEM, INSTALLED, CHANGED, UNKNOWN)
# Worst first: an entry is as doubtful as the most doubtful file it is made of.
_RANK = {UNKNOWN: 0, CHANGED: 1, INSTALLED: 2, SYSTEM: 3}


@dataclass(frozen=True)
class Origin:
    value: OriginValue
    name: str = ""  # the package or app, for installed and changed

    def fields(self) -> dict[str, str]:
        """As artifact fields (origin, origin_name)."""
        return {"origin": self.value, "origin_name": self.name}


UNKNOWN_ORIGIN = Origin(UNKNOWN)


def worst(*origins: Origin | None) -> Origin:
    """The most doubtful of several origins (a packaged unit that runs an unknown script is unknown)."""
    present = [o for o in origins if o is not None]
    if not present:
        return UNKNOWN_ORIGIN
    return min(present, key=lambda o: _RANK[o.value])
