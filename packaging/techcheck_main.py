"""Entry point of the single-file program (PyInstaller): started without arguments — for example
by a double-click — it opens the app; with arguments it is the techcheck command."""

import multiprocessing
import sys

from techcheck.cli import main

if __name__ == "__main__":
    multiprocessing.freeze_support()  # the app's scan runs in a child process of this same program
    if len(sys.argv) == 1:
        sys.argv.append("app")
    main()
