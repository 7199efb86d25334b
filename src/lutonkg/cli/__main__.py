"""`python -m lutonkg.cli.main`: the same as the `lutonkg` command."""

import sys

from lutonkg.cli.main import main

sys.exit(main())
