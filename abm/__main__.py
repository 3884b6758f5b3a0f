"""`python -m abm` is the same as the `powerstack` command."""

import sys

from abm.cli import main

sys.exit(main())
