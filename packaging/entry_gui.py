"""PyInstaller entry of ``xmen-desktop`` (the GUI); the same as the ``gui-scripts`` entry."""

import sys

from xmen_desktop.app import main

sys.exit(main())
