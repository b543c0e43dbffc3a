"""One error base per layer. Only the CLI maps these to exit codes."""

from __future__ import annotations

from techcheck.i18n import Message, as_message


class TechcheckError(Exception):
    """Base of every error techcheck raises on purpose."""


class TargetError(TechcheckError):
    """A file or system fact could not be read from the scanned system. `msg` says why, as a message
    (techcheck/i18n.py); str() is its English text."""

    def __init__(self, message: Message | str = "") -> None:
        self.msg = as_message(message)
        super().__init__(str(self.msg))


class NotAvailable(TargetError):
    """The target cannot provide this at all (for example processes in a disk image)."""


class RuleError(TechcheckError):
    """One or more rule files are invalid. Carries every problem found, each with file, line and field."""

    def __init__(self, problems: list[RuleProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class RuleProblem:
    """One problem in a rule file: where it is and what is wrong."""

    def __init__(self, file: str, line: int | None, field: str, message: str) -> None:
        self.file = file
        self.line = line
        self.field = field
        self.message = message

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"

    def __repr__(self) -> str:
        return f"RuleProblem({self!s})"
