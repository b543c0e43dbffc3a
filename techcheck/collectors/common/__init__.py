"""Collectors shared by every system (processes, network, sessions, hosts) and helpers for everyday formats."""
