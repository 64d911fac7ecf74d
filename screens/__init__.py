"""The Kivy UI: one .py and one .kv per screen, shared widgets and the theme.

Kivy reads its environment when it is first imported, so it is set here, before any module of
this package can import Kivy (docs/senior-ui.md §4.1):
- KIVY_NO_ARGS: the kiosk's own command line is not Kivy's;
- KIVY_NO_CONFIG: Kivy neither reads nor writes ~/.kivy/config.ini; screens.app sets the
  configuration in code, from the kiosk's settings;
- KIVY_LOG_MODE=PYTHON with no file or console log: Kivy's records go to the kiosk's log,
  warnings and errors only.
"""

import os

os.environ["KIVY_NO_ARGS"] = "1"
os.environ["KIVY_NO_CONFIG"] = "1"
os.environ["KIVY_LOG_MODE"] = "PYTHON"
os.environ["KIVY_NO_FILELOG"] = "1"
os.environ["KIVY_NO_CONSOLELOG"] = "1"
os.environ["KCFG_KIVY_LOG_LEVEL"] = "warning"
