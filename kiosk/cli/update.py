"""python main.py update FILE: hand a release bundle (from a USB stick, say) to the box's updater by
copying it into <data_dir>/updates/incoming/, which the yinling-update.path unit watches; the
updater (root) checks its signature and installs it (docs/update.md).  The copy lands under a
temporary name and is renamed when whole, so the updater never reads half a file.

Exit codes: 0 handed over, 1 not (no updater on this box, not a bundle, the copy failed)."""

import argparse
import os
import shutil
import sys
from pathlib import Path
from types import SimpleNamespace

from kiosk.i18n import t

NAMES = ("update",)


def add(sub) -> None:
    p = sub.add_parser("update", help="hand a release bundle to the box's updater (yinling-update)")
    p.add_argument("file", metavar="FILE", type=Path, help="e.g. /media/usb/yinling-kiosk_0.2.0_amd64.bundle")


def run(args: argparse.Namespace, settings: SimpleNamespace) -> int:
    incoming = Path(settings.kiosk.data_dir) / "updates" / "incoming"
    source: Path = args.file
    if not incoming.is_dir():
        print(t("update.no_updater", folder=incoming), file=sys.stderr)
        return 1
    if not (source.is_file() and source.name.endswith(".bundle")):
        print(t("update.not_bundle", file=source), file=sys.stderr)
        return 1
    part = incoming / f".{source.name}.part"  # not *.bundle: the .path unit waits for the rename
    try:
        shutil.copyfile(source, part)
        with part.open("rb+") as f:
            os.fsync(f.fileno())
        part.rename(incoming / source.name)
    except OSError as e:
        part.unlink(missing_ok=True)
        print(t("update.copy_failed", error=e), file=sys.stderr)
        return 1
    print(t("update.handed", file=source.name))
    return 0
