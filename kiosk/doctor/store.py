"""The data's lines: kiosk.db sound (quick_check reads every page: seconds for a big file, so
staff run it on a thread), the last backup recent, room left on the data disk."""

from datetime import datetime
from pathlib import Path
from types import SimpleNamespace

from kiosk.doctor import FAIL, OK, WARN, Line, line
from kiosk.i18n import t
from kiosk.store import backups, integrity, space
from kiosk.upkeep import STALE

MB = 1 << 20


def database(settings: SimpleNamespace) -> Line:
    path = backups.database_path(settings)
    if not path.exists():
        return line("database", WARN, t("doctor.database.missing", file=path), t("doctor.database.missing_fix"))
    problem = integrity.problem(path, "quick_check")
    if not problem:
        size = round(path.stat().st_size / MB, 1)
        return line("database", OK, t("doctor.database.ok", file=path, size=size))
    found = backups.newest_good(settings)
    if found is None:
        fix = t("doctor.database.no_backup_fix")
    else:
        command = f"yinling-kiosk --data-dir {settings.kiosk.data_dir} restore {found.path}"
        fix = t("doctor.database.restore_fix", taken=f"{found.taken:%Y-%m-%d %H:%M}", command=command)
    return line("database", FAIL, t("doctor.database.damaged", file=path, reason=problem), fix)


def backup(settings: SimpleNamespace, now: datetime) -> Line:
    """The newest backup in backup.folder (kiosk/upkeep.py makes one a night), and one in the
    second folder (a USB stick) when one is set."""
    fix = t("doctor.backup.fix", at=settings.backup.at)
    folders = backups.folders(settings)
    newest = backups.listed(folders[0])
    if not newest:
        return line("backup", FAIL, t("doctor.backup.none", folder=folders[0]), fix)
    taken = f"{newest[0].taken:%Y-%m-%d %H:%M}"
    if now - newest[0].taken > STALE:
        return line("backup", FAIL, t("doctor.backup.old", taken=taken, days=(now - newest[0].taken).days), fix)
    for second in folders[1:]:
        copies = backups.listed(Path(second))
        if not copies or now - copies[0].taken > STALE:
            return line("backup", WARN, t("doctor.backup.second_missing", folder=second), t("doctor.backup.second_fix"))
    return line("backup", OK, t("doctor.backup.ok", taken=taken))


def free_space(settings: SimpleNamespace) -> Line:
    try:
        found = space.measure(settings)
    except OSError as e:
        said = t("doctor.space.unreadable", folder=settings.kiosk.data_dir, error=e.strerror or e)
        return line("space", FAIL, said, t("doctor.space.unreadable_fix"))
    if found.state == "ok":
        return line("space", OK, t("doctor.space.ok", free=found.describe()))
    return line("space", FAIL, t(f"doctor.space.{found.state}", free=found.describe()), t("doctor.space.fix"))
