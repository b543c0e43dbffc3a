"""The techcheck app: a page served on this computer only (127.0.0.1), for people who do not use a
terminal, with clinic case records. It calls the same scan, report model and texts as the CLI.

Modules: server.py (start, stop, the local-only guard), web.py (pages), jobs.py (a scan in a child
process that can be cancelled), store.py (the clinic case store), sealing.py (passphrase
encryption), bundle.py (the evidence bundle), texts.py (the app's fixed texts).
"""
