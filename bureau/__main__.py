"""python -m bureau …: the bureau's commands from a checkout (installed: yinling-bureau)."""

import sys

from bureau.cli import main

sys.exit(main())
