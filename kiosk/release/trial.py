"""The trial of a new release, and its end: confirmed by the kiosk itself, or rolled back.

A failed start is found without anything of the new release having to work:
- the kiosk unit runs `yinling-update boot-check` before each start (ExecStartPre=+); it counts the
  starts of an unconfirmed trial, and the one after the MAX_STARTS-th rolls back instead, so a release
  that crashes, or hangs before READY=1 / stops its watchdog pings (systemd kills and restarts it
  under Restart=always), ends in the previous release after its second failed start;
- a trial not confirmed within DEADLINE_S of the kiosk running since its switch (counted on the
  boot's own clock, CLOCK_BOOTTIME, so neither a power cut overnight nor a wrong wall clock counts)
  is rolled back at the next boot-check or `confirm`.

A rollback first records that it is under way, so a power cut half-way through is finished at the
next boot-check: current -> the release before, previous -> the one before that, kiosk.db restored
from the backup taken just before the switch (the kiosk stopped: boot-check runs before it starts)."""

import logging
import shutil
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kiosk.release import database, state
from kiosk.release.paths import Paths

log = logging.getLogger("yinling-update")
MAX_STARTS = 2
DEADLINE_S = 15 * 60
BOOT_ID = Path("/proc/sys/kernel/random/boot_id")


def begin(paths: Paths, version: str, backup: Path | None) -> None:
    """Switch to the release folder `version` (built, complete): a trial when there is a release
    to go back to, else (the box's first) simply the current one."""
    was = state.pointed(paths.current)
    saved = state.load(paths.state)
    _clear_confirmations(paths)
    if was is None:
        state.point(paths.current, paths.releases / version)
        saved["last"] = _event("installed", version)
        state.save(paths.state, saved)
        return
    saved["trial"] = {
        "version": version,
        "from": was,
        "previous": state.pointed(paths.previous),  # what `previous` goes back to on a rollback
        "backup": str(backup) if backup else None,
        "starts": 0,
        "clock": _clock(),
    }
    state.save(paths.state, saved)  # first: a cut before the switch below is undone by settle()
    state.point(paths.previous, paths.releases / was)
    state.point(paths.current, paths.releases / version)
    log.info("switched to %s (trial; %s is the previous release)", version, was)


def settle(paths: Paths) -> str | None:
    """End the trial where it is decided (under the lock): a rollback cut short is finished, an
    install cut short before its switch is undone, a version the kiosk confirmed ends its trial.
    What happened, or None."""
    saved = state.load(paths.state)
    trial = saved.get("trial")
    if not trial:
        return None
    if trial.get("rolling_back"):
        return rollback(paths, trial["rolling_back"])
    if state.pointed(paths.current) != trial["version"]:
        state.point(paths.previous, paths.releases / trial["previous"] if trial["previous"] else None)
        del saved["trial"]
        saved["last"] = _event("abandoned", trial["version"], reason="the install was cut short before its switch")
        state.save(paths.state, saved)
        prune(paths)
        return "abandoned"
    if (paths.confirmed / trial["version"]).exists():
        del saved["trial"]
        saved["last"] = _event("confirmed", trial["version"])
        state.save(paths.state, saved)
        log.info("%s confirmed itself: the trial is over", trial["version"])
        prune(paths)
        return "confirmed"
    return None


def boot_check(paths: Paths) -> str:
    """Before each start of the kiosk: count it, or roll back a trial that has failed."""
    with state.locked(paths.lock):
        outcome = settle(paths)
        saved = state.load(paths.state)
        trial = saved.get("trial")
        if not trial:
            return outcome or "no trial"
        if trial["starts"] >= MAX_STARTS:
            return rollback(paths, f"started {trial['starts']} times without confirming itself")
        if overdue(trial):
            return rollback(paths, f"not confirmed within {DEADLINE_S // 60} minutes")
        trial["starts"] += 1
        if trial["clock"]["boot"] != _clock()["boot"]:  # a new boot: the deadline counts from now
            trial["clock"] = _clock()
        state.save(paths.state, saved)
        return f"trial of {trial['version']}: start {trial['starts']} of {MAX_STARTS}"


def overdue(trial: dict[str, Any]) -> bool:
    now = _clock()
    return now["boot"] == trial["clock"]["boot"] and now["at"] - trial["clock"]["at"] > DEADLINE_S


def request_rollback(paths: Paths, reason: str) -> bool:
    """Mark the trial for rollback, which the next boot-check does with the kiosk stopped; whether
    there was a trial to roll back."""
    saved = state.load(paths.state)
    if not saved.get("trial"):
        return False
    saved["trial"]["rolling_back"] = reason
    state.save(paths.state, saved)
    return True


def rollback(paths: Paths, reason: str) -> str:
    """Back to the release before the trial, with kiosk.db as it was before the switch (the kiosk
    must not be running).  Every step may be done again after a power cut."""
    saved = state.load(paths.state)
    trial = saved["trial"]
    if trial.get("rolling_back") != reason:
        trial["rolling_back"] = reason
        state.save(paths.state, saved)
    log.warning("rolling back %s to %s: %s", trial["version"], trial["from"], reason)
    state.point(paths.current, paths.releases / trial["from"])
    state.point(paths.previous, paths.releases / trial["previous"] if trial["previous"] else None)
    aside = None
    backup = Path(trial["backup"]) if trial["backup"] else None
    if backup and backup.exists():
        aside = database.restore(backup, paths.database, datetime.now())
        backup.unlink()
        log.warning("kiosk.db restored as it was before %s; the trial's database is in %s", trial["version"], aside)
    del saved["trial"]
    saved["last"] = _event("rolled back", trial["version"], to=trial["from"], reason=reason, kept=str(aside or ""))
    state.save(paths.state, saved)
    _clear_confirmations(paths)
    prune(paths)
    return f"rolled back {trial['version']} to {trial['from']}: {reason}"


def prune(paths: Paths) -> list[str]:
    """Remove every release folder but current's and previous's (and the trial's), and every
    backup no trial needs: what was removed."""
    saved = state.load(paths.state)
    trial = saved.get("trial") or {}
    keep = {state.pointed(paths.current), state.pointed(paths.previous), trial.get("version")}
    gone = []
    for folder in sorted(paths.releases.iterdir()) if paths.releases.is_dir() else []:
        if folder.name not in keep:
            shutil.rmtree(folder)
            gone.append(folder.name)
    for backup in sorted(paths.backups.glob("*")) if paths.backups.is_dir() else []:
        if str(backup) != trial.get("backup"):
            backup.unlink()
    if gone:
        log.info("old releases removed: %s", ", ".join(gone))
    return gone


def _clear_confirmations(paths: Paths) -> None:
    for mark in paths.confirmed.glob("*") if paths.confirmed.is_dir() else []:
        mark.unlink()


def _clock() -> dict[str, Any]:
    return {"boot": BOOT_ID.read_text().strip(), "at": time.clock_gettime(time.CLOCK_BOOTTIME)}


def _event(event: str, version: str, **details: str) -> dict[str, str]:
    return {"event": event, "version": version, "at": datetime.now(UTC).isoformat(timespec="seconds"), **details}
