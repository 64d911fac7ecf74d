"""Free space on the disk that holds kiosk.db: measured at start and every storage.check_every_s
(kiosk/upkeep.py), told to staff and to the bureau while there is still room, before writes fail."""

import shutil
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

from kiosk.i18n import t

MB = 1 << 20
FULL_BELOW = MB  # less than this and a sign-in cannot commit (WAL frames, a checkpoint)


@dataclass(frozen=True)
class Space:
    free: int  # bytes free for this process's user
    low_below: int  # bytes: storage.low_free_mb

    @property
    def state(self) -> str:
        """ "ok", "low" (below storage.low_free_mb) or "full"."""
        if self.free < FULL_BELOW:
            return "full"
        return "low" if self.free < self.low_below else "ok"

    def describe(self) -> str:
        """For staff and the bureau: how much is free, against the threshold."""
        return t("storage.free", free=self.free // MB, low=self.low_below // MB)


def measure(settings: SimpleNamespace) -> Space:
    return Space(shutil.disk_usage(Path(settings.kiosk.data_dir)).free, settings.storage.low_free_mb * MB)
