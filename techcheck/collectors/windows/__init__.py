"""Windows collectors, one module per artifact family; registry.py holds the registry check and its helpers."""
