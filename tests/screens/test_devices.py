"""The demo's simulated reader and scanner in the running app: the real drivers over ptys."""

import pytest

from kiosk.i18n import t


@pytest.fixture(scope="module")
def cards(tmp_path_factory):
    from tests.screens.conftest import run_harness

    obs, _ = run_harness("id_cards", tmp_path_factory.mktemp("id_cards"))
    assert obs["finished"]
    return obs


@pytest.mark.parametrize(
    "card, member",
    [
        ("resident", "DM0001"),
        ("hmt", "DM0010"),
        ("foreign2017", "DM0011"),
        ("foreign2023", "DM0012"),
        ("rare", "DM0007"),
    ],
)
def test_each_id_card_type_signs_in_from_the_reader(cards, card, member):
    assert cards["cards"][card]["kind"] == "ok"
    assert cards["cards"][card]["word"] == t("result.ok")
    assert cards["signins"][member] == "idcard"


def test_the_rare_name_reaches_the_screen_masked(cards):
    assert cards["cards"]["rare"]["name"] == "王*祥"


def test_an_unregistered_id_card_asks_for_staff(cards):
    assert cards["cards"]["unknown"]["word"] == "未登记，请找工作人员"


def test_a_qr_card_scanned_over_serial_signs_in(cards):
    assert cards["cards"]["qr_serial"]["kind"] == "ok"
    assert cards["signins"]["DM0002"] == "qr"


@pytest.fixture(scope="module")
def unplugged(tmp_path_factory):
    from tests.screens.conftest import run_harness

    obs, _ = run_harness("unplug", tmp_path_factory.mktemp("unplug"))
    assert obs["finished"]
    return obs


def test_unplug_and_replug_while_running(unplugged):
    obs = unplugged
    assert "身份证读卡器" in obs["before"] and "正常" in obs["before"]
    assert "扫码器" in obs["qr_line"] and "正常" in obs["qr_line"]
    assert "未连接" in obs["unplugged"]
    assert "正常" in obs["replugged"]
    assert obs["kind"] == "ok"  # and the reader reads again
    reader = [f for f in obs["device_facts"] if f["device"] == "idcard"]  # not the data disk's
    assert [f["state"] for f in reader] == ["ok", "absent", "ok"]
    assert reader[-1]["disconnects"] == 1


def test_the_home_prompt_asks_only_for_what_can_be_read(unplugged):
    assert unplugged["prompts"] == [
        t("home.prompt"),  # both working
        "读卡器暂时不能用，请扫会员卡或找工作人员",  # reader pulled
        "请找工作人员签到",  # the scanner too
        t("home.prompt_idcard"),  # the reader back, the scanner still out
        t("home.prompt"),  # both back
    ]
