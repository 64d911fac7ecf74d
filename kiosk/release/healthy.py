"""The kiosk's own word that its release works (docs/update.md): once it has applied its
migrations (kiosk/boot.py, before the window), drawn the home screen and opened its devices, it
leaves an empty file named after its version in <data_dir>/updates/confirmed/, which the updater
(root) reads to end the release's trial.  A checkout's data folder has no updates/: nothing to do."""

import logging
from pathlib import Path

from kiosk import VERSION

log = logging.getLogger(__name__)


def mark(data_dir: Path, version: str = VERSION) -> Path | None:
    """Mark `version` healthy: the file made, or None where no updater manages this kiosk."""
    folder = data_dir / "updates" / "confirmed"
    if not folder.is_dir():
        return None
    target = folder / version
    try:
        target.touch()
    except OSError as e:  # the trial then ends in a rollback: say why in the log
        log.error("could not mark release %s healthy in %s: %s", version, folder, e)
        return None
    log.info("release %s marked healthy", version)
    return target
