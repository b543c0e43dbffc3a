"""NSKeyedArchiver property lists (the Background Task Management store, shared file lists) as plain values."""

from __future__ import annotations

import plistlib
from typing import Any


class ArchiveError(ValueError):
    """An NSKeyedArchiver property list could not be decoded."""


def unarchive(plist: Any, max_depth: int = 64) -> Any:
    """Turn an NSKeyedArchiver plist into plain Python values.

    Objects become dicts with a "$class" name; NSArray/NSSet become lists, NSDictionary a dict,
    NSURL its address, NSUUID its text. Cycles and very deep nesting are cut (value None).
    """
    if not isinstance(plist, dict) or plist.get("$archiver") != "NSKeyedArchiver":
        raise ArchiveError("not an NSKeyedArchiver archive")
    objects = plist.get("$objects")
    top = plist.get("$top")
    if not isinstance(objects, list) or not isinstance(top, dict):
        raise ArchiveError("archive has no $objects or $top")
    archive = _Archive(objects, max_depth)
    return {k: archive.resolve(v, 0, frozenset()) for k, v in top.items()}


class _Archive:
    def __init__(self, objects: list[Any], max_depth: int) -> None:
        self.objects = objects
        self.max_depth = max_depth

    def class_name(self, obj: dict[str, Any]) -> str:
        ref = obj.get("$class")
        if isinstance(ref, plistlib.UID) and ref.data < len(self.objects):
            cls = self.objects[ref.data]
            if isinstance(cls, dict):
                return str(cls.get("$classname", ""))
        return ""

    def resolve(self, value: Any, depth: int, seen: frozenset[int]) -> Any:
        if isinstance(value, plistlib.UID):
            idx = value.data
            if idx >= len(self.objects) or idx in seen or depth > self.max_depth:
                return None
            return self.decode(self.objects[idx], depth + 1, seen | {idx})
        if isinstance(value, list):
            return [self.resolve(v, depth + 1, seen) for v in value]
        return value

    def decode(self, obj: Any, depth: int, seen: frozenset[int]) -> Any:
        if obj == "$null":
            return None
        if not isinstance(obj, dict):
            return obj
        name = self.class_name(obj)
        if "NS.objects" in obj:
            if "NS.keys" in obj:
                keys = self.resolve(obj["NS.keys"], depth, seen) or []
                vals = self.resolve(obj["NS.objects"], depth, seen) or []
                return {str(k): v for k, v in zip(keys, vals, strict=False)}
            return self.resolve(obj["NS.objects"], depth, seen)
        if name == "NSURL" or "NS.relative" in obj:
            rel = self.resolve(obj.get("NS.relative"), depth, seen)
            base = self.resolve(obj.get("NS.base"), depth, seen)
            return f"{base or ''}{rel or ''}"
        return self.decode_value(obj, name, depth, seen)

    def decode_value(self, obj: dict[str, Any], name: str, depth: int, seen: frozenset[int]) -> Any:
        """UUIDs, strings and data objects; any other object as a dict with its "$class"."""
        if "NS.uuidbytes" in obj and isinstance(obj["NS.uuidbytes"], bytes):
            b = obj["NS.uuidbytes"].hex().upper()
            return f"{b[:8]}-{b[8:12]}-{b[12:16]}-{b[16:20]}-{b[20:]}"
        for key in ("NS.string", "NS.data"):
            if key in obj:
                return self.resolve(obj[key], depth, seen)
        out = {k: self.resolve(v, depth, seen) for k, v in obj.items() if k != "$class"}
        out["$class"] = name
        return out
