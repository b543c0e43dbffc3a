"""The Windows registry interface. Backends: offline hive files (regipy) and live winreg."""

from __future__ import annotations

from abc import ABC, abstractmethod


class Registry(ABC):
    """Read-only access to a Windows registry. The Windows collectors build on this."""

    @abstractmethod
    def close(self) -> None:
        """Release any open hive files."""
