"""The trial's decisions and what a power cut leaves at each step, on release folders made by hand
(the real venvs are test_update_rollback.py's) and a real kiosk.db-like SQLite file."""

import json
import sqlite3
from contextlib import closing
from datetime import datetime
from pathlib import Path

import pytest

from kiosk.release import __main__ as updater
from kiosk.release import database, install, state, trial
from kiosk.release.bundle import Refused
from kiosk.release.paths import Paths


@pytest.fixture
def paths(tmp_path) -> Paths:
    """A box on 0.1.0 with a kiosk.db of one sign-in; releases 0.1.0 and 0.2.0 built."""
    found = Paths(tmp_path)
    found.data.mkdir(parents=True)
    install.prepare(found)
    for version in ("0.1.0", "0.2.0"):
        (found.releases / version).mkdir()
        (found.releases / version / install.COMPLETE).write_bytes(b"")
    state.point(found.current, found.releases / "0.1.0")
    with closing(sqlite3.connect(found.database)) as db:
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("CREATE TABLE sign_in (id INTEGER PRIMARY KEY, who TEXT)")
        db.execute("INSERT INTO sign_in (who) VALUES ('before the update')")
        db.commit()
    return found


def trial_of_0_2_0(paths: Paths) -> None:
    backup = database.backup(paths.database, paths.backups / "kiosk-before-0.2.0.db")
    trial.begin(paths, "0.2.0", backup)


def sign_ins(paths: Paths) -> list[str]:
    with closing(sqlite3.connect(paths.database)) as db:
        return [who for (who,) in db.execute("SELECT who FROM sign_in ORDER BY id")]


def write_during_trial(paths: Paths) -> None:
    with closing(sqlite3.connect(paths.database)) as db:
        db.execute("ALTER TABLE sign_in ADD COLUMN migrated INTEGER")  # the new release's migration
        db.execute("INSERT INTO sign_in (who) VALUES ('during the trial')")
        db.commit()


def saved(paths: Paths) -> dict:
    return state.load(paths.state)


def test_begin_switches_current_and_previous_and_starts_counting(paths):
    trial_of_0_2_0(paths)
    assert (state.pointed(paths.current), state.pointed(paths.previous)) == ("0.2.0", "0.1.0")
    assert saved(paths)["trial"]["starts"] == 0
    assert trial.boot_check(paths) == "trial of 0.2.0: start 1 of 2"
    assert trial.boot_check(paths) == "trial of 0.2.0: start 2 of 2"


def test_the_third_start_of_an_unconfirmed_trial_rolls_back_with_the_database(paths):
    trial_of_0_2_0(paths)
    write_during_trial(paths)
    trial.boot_check(paths), trial.boot_check(paths)
    assert trial.boot_check(paths).startswith("rolled back 0.2.0 to 0.1.0")
    assert (state.pointed(paths.current), state.pointed(paths.previous)) == ("0.1.0", None)
    assert sign_ins(paths) == ["before the update"]
    (aside,) = paths.data.glob("before-rollback-*")
    with closing(sqlite3.connect(aside / "kiosk.db")) as db:  # the trial's own, kept for staff
        assert db.execute("SELECT count(*) FROM sign_in").fetchone() == (2,)
    assert not (paths.data / "kiosk.db-wal").exists() or (paths.data / "kiosk.db-wal").stat().st_size == 0
    assert sorted(p.name for p in paths.releases.iterdir()) == ["0.1.0"]
    assert list(paths.backups.iterdir()) == []


def test_a_confirmed_trial_ends_keeps_both_releases_and_drops_its_backup(paths):
    trial_of_0_2_0(paths)
    (paths.releases / "0.0.9").mkdir()  # an older release, pruned
    trial.boot_check(paths)
    (paths.confirmed / "0.2.0").touch()  # kiosk/release/healthy.py, as the kiosk does
    assert trial.boot_check(paths) == "confirmed"
    assert "trial" not in saved(paths) and saved(paths)["last"]["event"] == "confirmed"
    assert (state.pointed(paths.current), state.pointed(paths.previous)) == ("0.2.0", "0.1.0")
    assert sorted(p.name for p in paths.releases.iterdir()) == ["0.1.0", "0.2.0"]
    assert list(paths.backups.iterdir()) == []


def test_a_confirmation_of_another_version_does_not_end_the_trial(paths):
    trial_of_0_2_0(paths)
    (paths.confirmed / "0.1.0").touch()
    assert trial.boot_check(paths) == "trial of 0.2.0: start 1 of 2"


def test_a_trial_not_confirmed_in_time_is_rolled_back_at_the_next_start(paths):
    trial_of_0_2_0(paths)
    late = saved(paths)
    late["trial"]["clock"]["at"] -= trial.DEADLINE_S + 1
    state.save(paths.state, late)
    assert "not confirmed within 15 minutes" in trial.boot_check(paths)
    assert state.pointed(paths.current) == "0.1.0"


def test_time_before_a_reboot_does_not_count_towards_the_deadline(paths):
    # Switched in the evening, power cut overnight: the morning's start is a start, not overdue.
    trial_of_0_2_0(paths)
    before = saved(paths)
    before["trial"]["clock"] = {"boot": "another boot", "at": 0.0}
    state.save(paths.state, before)
    assert trial.boot_check(paths) == "trial of 0.2.0: start 1 of 2"
    assert saved(paths)["trial"]["clock"]["boot"] != "another boot"


def test_a_rollback_cut_short_by_a_power_cut_is_finished_at_the_next_start(paths):
    trial_of_0_2_0(paths)
    write_during_trial(paths)
    trial.request_rollback(paths, "asked for by an operator")
    state.point(paths.current, paths.releases / "0.1.0")  # the cut: current switched, nothing else
    assert trial.boot_check(paths).startswith("rolled back 0.2.0")
    assert (state.pointed(paths.current), state.pointed(paths.previous)) == ("0.1.0", None)
    assert sign_ins(paths) == ["before the update"]


def test_a_rollback_cut_after_its_restore_restores_again_and_loses_nothing(paths):
    trial_of_0_2_0(paths)
    write_during_trial(paths)
    trial.request_rollback(paths, "asked for by an operator")
    backup = Path(saved(paths)["trial"]["backup"])
    database.restore(backup, paths.database, datetime(2027, 1, 1))  # then the cut
    trial.boot_check(paths)
    assert sign_ins(paths) == ["before the update"]
    assert "trial" not in saved(paths)


def test_an_install_cut_before_its_switch_is_undone(paths):
    # The state says trial, but the cut came before current was switched (previous may have been).
    trial_of_0_2_0(paths)
    state.point(paths.current, paths.releases / "0.1.0")
    assert trial.boot_check(paths) == "abandoned"
    assert (state.pointed(paths.current), state.pointed(paths.previous)) == ("0.1.0", None)
    assert sign_ins(paths) == ["before the update"]


def test_the_state_file_is_replaced_whole(paths):
    trial_of_0_2_0(paths)
    assert json.loads(paths.state.read_text())["trial"]["version"] == "0.2.0"
    assert not paths.state.with_name("state.json.part").exists()
    assert paths.current.is_symlink() and not paths.current.with_name("current.new").exists()


def test_no_install_while_a_trial_is_undecided(paths, tmp_path):
    trial_of_0_2_0(paths)
    with pytest.raises(Refused, match="trial of 0.2.0 is not over"):
        install.install(paths, tmp_path / "any.bundle")


def test_rollback_asked_for_without_a_trial_does_nothing(paths):
    assert trial.request_rollback(paths, "why") is False
    assert trial.boot_check(paths) == "no trial"


def test_confirm_ends_a_confirmed_trial_and_hands_an_overdue_one_to_the_next_start(paths, monkeypatch, capsys):
    monkeypatch.setenv("YINLING_ROOT", str(paths.root))
    trial_of_0_2_0(paths)
    assert updater.main(["confirm", "--no-restart"]) == 0
    assert capsys.readouterr().out.strip() == "nothing to confirm"
    late = saved(paths)
    late["trial"]["clock"]["at"] -= trial.DEADLINE_S + 1
    state.save(paths.state, late)
    assert updater.main(["confirm", "--no-restart"]) == 0
    assert "rolled back at the kiosk's restart" in capsys.readouterr().out
    assert state.pointed(paths.current) == "0.2.0"  # the kiosk may still run: the rollback waits for its start
    assert trial.boot_check(paths).startswith("rolled back 0.2.0 to 0.1.0: not confirmed in time")


def test_an_operator_rolls_back_a_trial_at_the_next_start(paths, monkeypatch):
    monkeypatch.setenv("YINLING_ROOT", str(paths.root))
    trial_of_0_2_0(paths)
    assert updater.main(["rollback", "--no-restart"]) == 0
    assert trial.boot_check(paths).endswith("asked for by an operator")
    assert updater.main(["rollback", "--no-restart"]) == 1  # no trial any more
