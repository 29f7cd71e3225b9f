"""python -m hpl_client: the `hpl` command line, for a checkout that is not installed."""
import sys

from hpl_client.cli import main

sys.exit(main())
