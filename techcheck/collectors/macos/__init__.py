"""macOS collectors, one module per artifact family; plists.py is their shared helper."""
