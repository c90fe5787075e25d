"""Sync knowledge files into the index: `python ingest.py [PATHS...] [--json] [--prune]`."""

import sys

from assistant.cli import ingest, ingest_parser
from assistant.config import Settings

if __name__ == "__main__":
    sys.exit(ingest(ingest_parser().parse_args(), Settings()))
