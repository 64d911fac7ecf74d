"""The senior-ui checklist over the real widget trees of home, result and choice (T-1, T-2, L-1..L-3)."""
import pytest

from kiosk import config
from tests.ui.conftest import run_harness

MM = config.load().display.px_per_mm
KEY_FIGURE_IDS = {"word", "name", "figure", "clock", "prompt"}
SCREENS = ["home", "result", "choice"]


@pytest.fixture(scope="module")
def trees(tmp_path_factory) -> dict:
    obs, _ = run_harness("checklist", tmp_path_factory.mktemp("checklist"))
    assert obs["finished"]
    return obs


@pytest.mark.parametrize("screen", SCREENS)
def test_every_text_is_at_least_10_mm(trees, screen):
    labels = trees[screen]["labels"]
    assert labels, "the walk found the screen's labels"
    small = [(lab["text"], lab["font_size"]) for lab in labels if lab["font_size"] < 10 * MM]
    assert not small


@pytest.mark.parametrize("screen", SCREENS)
def test_key_figures_are_at_least_20_mm(trees, screen):
    figures = [lab for lab in trees[screen]["labels"] if lab["id"] in KEY_FIGURE_IDS]
    assert figures
    assert all(lab["font_size"] >= 20 * MM for lab in figures), figures


def test_result_shows_word_name_and_balance_as_key_figures(trees):
    ids = {lab["id"] for lab in trees["result"]["labels"]}
    assert {"word", "name", "figure"} <= ids


@pytest.mark.parametrize("screen", SCREENS)
def test_buttons_are_at_least_20_mm_and_5_mm_apart(trees, screen):
    buttons = trees[screen]["buttons"]
    assert all(min(b["size"]) >= 20 * MM for b in buttons), buttons
    for i, a in enumerate(buttons):
        for b in buttons[i + 1:]:
            gap = max(b["box"][0] - a["box"][2], a["box"][0] - b["box"][2],
                      b["box"][1] - a["box"][3], a["box"][1] - b["box"][3])
            assert gap >= 5 * MM


@pytest.mark.parametrize("screen", SCREENS)
def test_no_scrolling_and_few_targets(trees, screen):
    assert "ScrollView" not in trees[screen]["classes"]
    assert len(trees[screen]["buttons"]) <= 6


def test_result_has_a_home_button(trees):
    assert len(trees["result"]["buttons"]) == 1


def test_choice_offers_big_buttons_and_a_way_back(trees):
    buttons = trees["choice"]["buttons"]
    assert len(buttons) == 3            # two options and 「返回」
