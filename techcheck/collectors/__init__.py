"""Collectors, grouped by platform (linux, macos, windows), browsers and common; one module per artifact family.

Found by all_collectors() in base.py, which walks only this package tree.
"""
