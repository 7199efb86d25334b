"""`python -m lutonkg.cli`: the same as the `lutonkg` command."""

import sys

try:
    from lutonkg.cli.main import run
except KeyboardInterrupt:  # Ctrl-C while Python is still importing the command line
    print("lutonkg: interrupted", file=sys.stderr)
    sys.exit(130)

run()
