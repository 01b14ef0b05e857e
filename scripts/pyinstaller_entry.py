"""Entry script for the PyInstaller build (build.spec): runs the same `main` as the kaigo-desktop command."""

import sys

from kaigo_desktop.cli import main

if __name__ == "__main__":
    sys.exit(main())
