"""How the UI meets Kivy before any window exists (no display needed)."""

import subprocess
import sys

from kiosk import config
from tools.checkout import ROOT


def test_importing_the_app_opens_no_window_so_configure_comes_first():
    # Kivy reads Config when kivy.core.window is imported (docs/senior-ui.md §4.1).  HOME is not
    # writable: Kivy must not try to keep a config of its own there.
    probe = (
        "import sys, os, screens.app\n"
        "assert 'kivy.core.window' not in sys.modules\n"
        "assert os.environ['KIVY_NO_ARGS'] == '1' and os.environ['KIVY_NO_CONFIG'] == '1'\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "HOME": "/nonexistent"},
    )
    assert done.returncode == 0, done.stderr


def test_demo_mode_is_a_normal_window_of_the_configured_size():
    from kivy.config import Config

    from screens.app import configure

    settings = config.load()
    settings.kiosk.kiosk_mode = False
    configure(settings)
    assert Config.get("graphics", "fullscreen") == "0"
    assert Config.get("graphics", "borderless") == "0"
    assert (Config.getint("graphics", "width"), Config.getint("graphics", "height")) == (
        settings.display.width,
        settings.display.height,
    )
    assert Config.get("kivy", "exit_on_escape") == "1"


def test_one_input_provider_so_a_tap_is_one_event():
    # K-3: probesysfs would add the touch panel a second time next to X's pointer.
    from kivy.config import Config

    from screens.app import configure

    configure(config.load())
    assert dict(Config.items("input")) == {"mouse": "mouse,disable_multitouch"}


def test_kiosk_mode_loads_none_of_kivys_debugging_modules():
    # keybinding (F11 rotates, F12 saves a screenshot), inspector (Ctrl+E), monitor ...
    from kivy.config import Config

    from screens.app import configure

    for name in ("keybinding", "inspector", "monitor"):
        Config.set("modules", name, "")
    settings = config.load()
    settings.kiosk.kiosk_mode = True
    configure(settings)
    assert Config.items("modules") == []
