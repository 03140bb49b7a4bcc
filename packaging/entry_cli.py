"""PyInstaller entry of ``xmen`` (the command line); the same as the ``scripts`` entry."""

import sys

from xmen_desktop.cli import main

sys.exit(main())
