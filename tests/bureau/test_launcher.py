"""The tests' server launcher (tests/bureau/launcher.py): a forked `python -m bureau` runs in its
own folder with its own environment, and its exit status and output come back."""

from tests.bureau.conftest import bureau_env


def test_a_forked_command_runs_in_its_folder_and_its_status_and_output_come_back(launcher, tmp_path):
    log = tmp_path / "site.log"
    # A relative store path: made in the child's folder, not the launcher's.
    done = launcher.start(["--db", "here.db", "site", "add", "DEMO-009", "示范中心"], tmp_path, bureau_env(), log)

    assert done.wait(60) == 0
    assert (tmp_path / "here.db").is_file()

    listed = launcher.start(["--db", "here.db", "site", "list"], tmp_path, bureau_env(), log)
    assert listed.wait(60) == 0 and "DEMO-009" in log.read_text(encoding="utf-8")


def test_a_failing_command_gives_its_exit_status_and_its_message(launcher, tmp_path):
    log = tmp_path / "fail.log"
    env = {**bureau_env(), "YINLING_BUREAU_DB": str(tmp_path / "no-such-folder" / "b.db")}

    failed = launcher.start(["site", "list"], tmp_path, env, log)

    assert failed.wait(60) == 2
    assert "python -m bureau:" in log.read_text(encoding="utf-8")


def test_a_server_stopped_by_sigterm_reports_it(server):
    server.process.terminate()

    assert server.process.wait(30) in (0, -15)  # uvicorn exits by re-raising the signal it caught
    assert server.process.poll() == server.process.returncode
