"""`python -m kaigo_desktop` runs the same entry point as the `kaigo-desktop` command."""

import sys

from kaigo_desktop.cli import main

sys.exit(main())
