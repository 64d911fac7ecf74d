"""The kiosk's mark that its release works: only where an updater manages the box."""

from kiosk.release import healthy


def test_a_checkout_without_an_updater_marks_nothing(tmp_path):
    assert healthy.mark(tmp_path, "0.2.0") is None
    assert not (tmp_path / "updates").exists()


def test_a_box_gets_an_empty_file_named_after_the_version(tmp_path):
    (tmp_path / "updates/confirmed").mkdir(parents=True)
    assert healthy.mark(tmp_path, "0.2.0") == tmp_path / "updates/confirmed/0.2.0"
    assert (tmp_path / "updates/confirmed/0.2.0").read_bytes() == b""


def test_a_mark_that_cannot_be_written_is_logged_not_raised(tmp_path, caplog):
    (tmp_path / "updates").mkdir()
    (tmp_path / "updates/confirmed").mkdir()
    (tmp_path / "updates/confirmed/0.2.0").mkdir()  # in the way: touch() of a folder's name fails
    (tmp_path / "updates/confirmed/0.2.0/x").touch()
    assert healthy.mark(tmp_path, "0.2.0/x/y") is None
    assert "could not mark release" in caplog.text
