"""Browser collectors (Chromium family and Firefox, every system).

profiles.py finds the profiles and holds the helpers the browser collectors share.
"""
