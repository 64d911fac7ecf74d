"""银龄签到 Yinling Kiosk, run from a checkout: python main.py --help.  Installed, the same program
is `yinling-kiosk` (screens/launch.py)."""

import sys

from screens.launch import main

if __name__ == "__main__":
    sys.exit(main())
