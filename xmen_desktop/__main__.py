import sys

from xmen_desktop.cli import main

sys.exit(main())
