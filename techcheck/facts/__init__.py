"""Cross-platform facts that collectors attach to artifacts (origin, behaviour)."""
