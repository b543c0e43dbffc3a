"""One read budget for the whole scan: how many bytes of file content may be held at once.

Big holdings (registry hives, database copies) reserve their size while they are in use and
release it afterwards. A reservation that does not fit is refused, and the reader notes that the
file was not read (or reads it another way, as databases opened in place do).
"""

from __future__ import annotations

from dataclasses import dataclass

from techcheck.errors import TargetError
from techcheck.i18n import Message

DEFAULT_READ_BUDGET = 512 * 1024 * 1024


def mib(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MiB"


class BudgetExceeded(TargetError):
    """Reading this file now would go over the scan's read budget."""


@dataclass
class ReadBudget:
    limit: int = DEFAULT_READ_BUDGET
    held: int = 0
    peak: int = 0

    def try_reserve(self, size: int) -> Reservation | None:
        """A reservation of `size` bytes, or None when it does not fit now."""
        if size > self.limit - self.held:
            return None
        self.held += size
        self.peak = max(self.peak, self.held)
        return Reservation(self, size)

    def reserve(self, size: int) -> Reservation:
        """A reservation of `size` bytes; BudgetExceeded (with a plain reason) when it does not fit."""
        found = self.try_reserve(size)
        if found is not None:
            return found
        if size > self.limit:
            raise BudgetExceeded(Message.of("target.over_budget", size=mib(size), budget=mib(self.limit)))
        raise BudgetExceeded(Message.of("target.budget_in_use", budget=mib(self.limit), held=mib(self.held),
                                         size=mib(size)))


@dataclass
class Reservation:
    budget: ReadBudget
    size: int
    released: bool = False

    def resize(self, size: int) -> None:
        if not self.released:
            self.budget.held += size - self.size
            self.size = size

    def release(self) -> None:
        if not self.released:
            self.budget.held -= self.size
            self.released = True
