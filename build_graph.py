"""Build the Luton governance knowledge graph (same as `lutonkg build`)."""

import sys

from lutonkg.cli import main

if __name__ == "__main__":
    sys.exit(main(["build", *sys.argv[1:]]))
