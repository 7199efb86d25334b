"""Build the graph of the project this file sits in (the same as `lutonkg build` run in this folder)."""

import sys
from pathlib import Path

from lutonkg.cli.main import main

if __name__ == "__main__":
    sys.exit(main(["build", "--project", str(Path(__file__).resolve().parent), *sys.argv[1:]]))
