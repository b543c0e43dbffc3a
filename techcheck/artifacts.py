"""Artifacts: what collectors find, each of a kind from the schema in techcheck/kinds.py.

Every artifact has a kind, a set of fields from that kind's schema, and a location (where it was
found: a path, a registry key, a process id). `techcheck kinds` prints the schema.
"""

from __future__ import annotations

import ntpath
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from techcheck.kinds import KINDS
from techcheck.timeutil import Time

_PY_TYPES: dict[str, tuple[type, ...]] = {
    "str": (str,), "int": (int,), "bool": (bool,), "list": (list, tuple), "time": (str,), "times": (list, tuple),
}


@dataclass(frozen=True, slots=True)  # slots: a scan can hold hundreds of thousands of these
class Location:
    """Where an artifact was found. At least one part is usually set."""

    path: str = ""
    registry_key: str = ""
    pid: int | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.path:
            out["path"] = self.path
        if self.registry_key:
            out["registry_key"] = self.registry_key
        if self.pid is not None:
            out["pid"] = self.pid
        return out


@dataclass(frozen=True, slots=True)
class Artifact:
    kind: str
    fields: Mapping[str, Any]
    location: Location = field(default_factory=Location)

    def get(self, name: str) -> Any:
        return self.fields.get(name)

    def to_dict(self) -> dict[str, Any]:
        """The artifact as evidence: likely secrets masked, and the masked fields named under "masked"."""
        from techcheck.masking import mask_fields

        plain = {k: ([t.to_dict() for t in v] if k == "times" else v) for k, v in self.fields.items()}
        fields, masked = mask_fields(plain)
        out: dict[str, Any] = {"kind": self.kind, "fields": fields, "location": self.location.to_dict()}
        if masked:
            out["masked"] = masked  # these fields held what looked like a password, token or private address part
        return out

    def sort_key(self) -> tuple[str, ...]:
        loc = self.location
        return (self.kind, loc.path, loc.registry_key, str(loc.pid or ""),
                str(sorted((k, str(v)) for k, v in self.fields.items())))


class ArtifactError(ValueError):
    """An artifact does not follow its kind's schema (a programming error in a collector or sample)."""


def exe_basename(path: str) -> str:
    return ntpath.basename(path.strip().strip('"')).lower() if path else ""


def url_domain(url: str) -> str:
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return host.lower().rstrip(".")


def check_fields(kind: str, fields: Mapping[str, Any]) -> list[str]:
    """Problems with a kind/fields pair, as messages naming the field. Empty when valid."""
    spec = KINDS.get(kind)
    if spec is None:
        return [f"unknown artifact kind {kind!r}"]
    problems = []
    for name, value in fields.items():
        fs = spec.fields.get(name)
        if fs is None:
            problems.append(f"field {name!r} is not in the {kind!r} schema")
        elif fs.derived:
            problems.append(f"field {name!r} is derived; it is computed, not set")
        elif value is not None and not isinstance(value, _PY_TYPES[fs.type]):
            problems.append(f"field {name!r} must be {fs.type}, not {type(value).__name__}")
        elif fs.type == "int" and isinstance(value, bool):
            problems.append(f"field {name!r} must be int, not bool")
        elif fs.type == "times" and not all(isinstance(v, Time) for v in value):  # type: ignore[attr-defined]
            problems.append(f"field {name!r} must be a list of Time values")
    return problems


def make(kind: str, location: Location | None = None, **fields: Any) -> Artifact:
    """Build a checked artifact. None values are dropped; derived fields are filled in."""
    clean = {k: (list(v) if isinstance(v, tuple) else v) for k, v in fields.items() if v is not None}
    problems = check_fields(kind, clean)
    if problems:
        raise ArtifactError("; ".join(problems))
    spec = KINDS[kind]
    if "exe_name" in spec.fields and clean.get("exe"):
        clean["exe_name"] = exe_basename(str(clean["exe"]))
    if "domain" in spec.fields and clean.get("url"):
        clean["domain"] = url_domain(str(clean["url"]))
    return Artifact(kind, clean, location or Location())
