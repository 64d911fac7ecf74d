"""The command line, run as an operator runs it: a separate process, exit code, stderr."""

import re
import subprocess

import pytest

from kiosk import config
from tests.kiosk.bad_configs import CASES
from tools.checkout import ROOT, run_kiosk


def run(*args) -> subprocess.CompletedProcess:
    return run_kiosk(*args)


def expected_message(path, data_dir=None) -> str:
    with pytest.raises(config.ConfigError) as e:
        config.load(path, data_dir)
    return str(e.value)


def assert_one_message(result, message):
    assert result.returncode != 0
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    assert result.stderr.splitlines() == [message]
    assert result.stdout == ""


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_config_exits_with_one_message_and_no_traceback(tmp_path, case):
    path = tmp_path / "bad.toml"
    path.write_bytes(case.content)
    message = expected_message(path)
    assert str(path) in message and (case.key is None or case.key in message)
    assert_one_message(run("--config", path), message)
    assert not (ROOT / "bad.toml").exists()


def test_missing_config_file(tmp_path):
    path = tmp_path / "site.toml"
    result = run("--config", path, "--data-dir", tmp_path / "data")
    assert_one_message(result, expected_message(path))
    assert str(path) in result.stderr
    assert not (tmp_path / "data").exists()  # stopped before touching anything


def test_empty_data_dir_argument(tmp_path):
    result = run("--data-dir", "", "cards", "--out", tmp_path / "x.pdf")
    assert_one_message(result, expected_message(None, ""))
    assert "kiosk.data_dir" in result.stderr and "--data-dir" in result.stderr


@pytest.fixture
def site(tmp_path):
    return tmp_path / "data"


def test_cards_for_chosen_members(tmp_path, site):
    out = tmp_path / "cards.pdf"
    result = run("--data-dir", site, "cards", "--out", out, "DM0001", "DM0002", "DM0003")
    assert result.returncode == 0, result.stderr
    assert "3" in result.stdout and str(out) in result.stdout
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Pages:\s+1$", info, re.M)
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    for name, no in (("谢素珍", "DM0001"), ("梁文革", "DM0002"), ("周继承", "DM0003")):
        assert name in text and f"会员号 {no}" in text
    assert (site / "kiosk.db").is_file() and (site / "logs" / "kiosk.log").is_file()


def test_cards_for_every_member(tmp_path, site):
    out = tmp_path / "all.pdf"
    result = run("--data-dir", site, "cards", "--out", out)
    assert result.returncode == 0, result.stderr
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Pages:\s+20$", info, re.M)  # 200 demo members, ten a page


def test_cards_with_an_unknown_member_number(tmp_path, site):
    out = tmp_path / "cards.pdf"
    result = run("--data-dir", site, "cards", "--out", out, "DM0001", "ZZ9999", "DM0404X")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "ZZ9999" in lines[0] and "DM0404X" in lines[0] and "DM0001" not in lines[0]
    assert not out.exists()


def test_cards_needs_out(tmp_path, site):
    result = run("--data-dir", site, "cards")
    assert result.returncode != 0 and "--out" in result.stderr and "Traceback" not in result.stderr
