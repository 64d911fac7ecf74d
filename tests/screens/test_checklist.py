"""The checklist of docs/senior-ui.md §2 over the real widget trees of every senior screen, in
each of its states and in large type: T-1..T-3, L-1..L-3, L-5 (T-4 and T-5 are in test_theme.py;
F-1, F-5 and I-1..I-3 in test_service.py and test_app.py; F-4 in tests/kiosk/checkin/test_signin.py
and test_app.py)."""

import pytest

from kiosk import config
from screens import theme
from tests.screens.conftest import run_harness

MM = config.load().display.px_per_mm
KEY_FIGURE_IDS = {"word", "name", "figure", "clock", "prompt", "balance", "who"}
SCREENS = [
    "home",
    "points_prompt",
    "points",
    "activities_anonymous",
    "activities",
    "courses",
    "settings",
    "result",
    "choice",
    "points_large",
    "activities_large",
    "courses_large",
    "result_large",
    "idle_prompt",
    "attract",
    "night",
]
THEME_TEXT_COLOURS = {tuple(round(c, 3) for c in theme.rgba(fg)) for fg, _ in theme.PAIRS}


@pytest.fixture(scope="module")
def trees(tmp_path_factory) -> dict:
    obs, _ = run_harness("checklist_all", tmp_path_factory.mktemp("checklist"))
    assert obs["finished"]
    return obs


@pytest.mark.parametrize("screen", SCREENS)
def test_t1_every_text_is_at_least_10_mm(trees, screen):
    labels = trees[screen]["labels"]
    assert labels, "the walk found the screen's labels"
    small = [(lab["text"], lab["font_size"]) for lab in labels if lab["font_size"] < 10 * MM]
    assert not small


@pytest.mark.parametrize("screen", SCREENS)
def test_t2_key_figures_are_at_least_20_mm(trees, screen):
    figures = [lab for lab in trees[screen]["labels"] if lab["id"] in KEY_FIGURE_IDS]
    assert all(lab["font_size"] >= 20 * MM for lab in figures), figures


@pytest.mark.parametrize("screen", ["points", "result", "choice", "home"])
def test_t2_each_senior_screen_has_a_key_figure(trees, screen):
    assert {lab["id"] for lab in trees[screen]["labels"]} & KEY_FIGURE_IDS


@pytest.mark.parametrize("screen", SCREENS)
def test_t3_line_spacing_and_at_most_40_characters_a_line(trees, screen):
    for lab in trees[screen]["labels"]:
        assert lab["line_height"] == theme.LINE_HEIGHT  # 1.448 em with the SC font (test_theme)
        longest = max(len(line) for line in lab["text"].splitlines())
        assert min(longest, lab["width"] / lab["font_size"]) <= 40, lab


@pytest.mark.parametrize("screen", SCREENS)
def test_t4_every_text_is_in_a_theme_colour_whose_contrast_is_tested(trees, screen):
    for lab in trees[screen]["labels"]:
        assert tuple(round(c, 3) for c in lab["color"]) in THEME_TEXT_COLOURS, lab


def test_large_type_is_larger(trees):
    def size(screen, label_id):
        return next(lab["font_size"] for lab in trees[screen]["labels"] if lab["id"] == label_id)

    assert size("points_large", "balance") > size("points", "balance")
    assert size("result_large", "word") > size("result", "word")


@pytest.mark.parametrize("screen", SCREENS)
def test_l1_l2_buttons_are_at_least_20_mm_and_5_mm_apart(trees, screen):
    buttons = trees[screen]["buttons"]
    assert all(min(b["size"]) >= 20 * MM for b in buttons), buttons
    for i, a in enumerate(buttons):
        for b in buttons[i + 1 :]:
            gap = max(
                b["box"][0] - a["box"][2],
                a["box"][0] - b["box"][2],
                b["box"][1] - a["box"][3],
                a["box"][1] - b["box"][3],
            )
            assert gap >= 5 * MM, (a, b)


@pytest.mark.parametrize("screen", SCREENS)
def test_l3_no_scrolling_and_at_most_6_targets(trees, screen):
    assert "ScrollView" not in trees[screen]["classes"]
    assert len(trees[screen]["buttons"]) <= 6


def test_home_offers_the_four_services_and_the_staff_entry(trees):
    words = {b["text"] for b in trees["home"]["buttons"]}
    assert words == {"我的积分", "近期活动", "我的课程", "大字与声音", "工作人员"}


def test_screens_waiting_for_a_card_offer_only_the_way_home(trees):
    assert [b["text"] for b in trees["points_prompt"]["buttons"]] == ["返回首页"]


def test_result_has_a_home_button(trees):
    assert [b["text"] for b in trees["result"]["buttons"]] == ["返回首页"]


def test_choice_offers_big_buttons_and_a_way_back(trees):
    assert len(trees["choice"]["buttons"]) == 3  # two options and 「返回」


def test_l5_the_idle_prompt_button_is_at_the_bottom_centre(trees):
    x, y, w, h = trees["idle_prompt_box"]
    (button,) = trees["idle_prompt"]["buttons"]
    left, bottom, right, top = button["box"]
    assert abs((left + right) / 2 - (x + w / 2)) <= 1  # centred
    assert bottom - y <= h / 3  # in the bottom third
    assert min(button["size"]) >= 20 * MM


def test_attract_and_night_screens_have_no_targets(trees):
    # A touch anywhere wakes them; there is nothing small to aim at.
    assert trees["attract"]["buttons"] == [] and trees["night"]["buttons"] == []
