"""`python -m dmdesk.cli`: the same as the `dmdesk` command."""

from dmdesk.cli import main

raise SystemExit(main())
