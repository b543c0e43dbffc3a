"""Linux collectors, one module per artifact family; commandline.py is their shared helper."""
