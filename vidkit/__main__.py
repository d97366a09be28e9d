"""``python -m vidkit`` runs the command line (also under ``accelerate launch -m vidkit``)."""

import sys

from vidkit.cli import main

sys.exit(main())
