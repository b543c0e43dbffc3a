"""Collectors, one module per artifact family and platform. Found automatically by all_collectors()."""
