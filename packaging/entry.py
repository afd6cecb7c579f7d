"""The frozen app's entry point: the same `dmdesk` command pip installs (dmdesk.cli:main)."""

import sys

from dmdesk.cli import main

if __name__ == "__main__":
    sys.exit(main())
