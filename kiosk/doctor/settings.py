"""The settings line: the site file loads (kiosk/config.py refuses a real site with the demo's
keys, prefix or simulated devices), is not the demo, and keeps its keys from other users."""

from pathlib import Path
from types import SimpleNamespace

from kiosk import config
from kiosk.doctor import FAIL, OK, WARN, Line, line
from kiosk.i18n import t


def load(path: str | None, data_dir: str | None) -> tuple[SimpleNamespace | None, Line]:
    """The settings (None when they do not load) and the line that says so."""
    try:
        settings = config.load(path, data_dir)
    except config.ConfigError as e:
        return None, line("settings", FAIL, str(e), t("doctor.settings.broken_fix"))
    return settings, check(settings, path)


def check(settings: SimpleNamespace, path: str | None) -> Line:
    if settings.site.demo_data:
        return line("settings", WARN, t("doctor.settings.demo"), t("doctor.settings.demo_fix"))
    if path and Path(path).stat().st_mode & 0o007:  # root:yinling 0640 is the installed file's
        return line(
            "settings", WARN, t("doctor.settings.readable", file=path), t("doctor.settings.readable_fix", file=path)
        )
    s = settings
    return line("settings", OK, t("doctor.settings.ok", site=s.site.name, code=s.site.code, kiosk=s.kiosk.id))
