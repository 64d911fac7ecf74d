"""Spending points in the real app (Xvfb): the senior's 「我的积分能换什么」 and 「我要兑换」 with its
question, then staff's 兑换领取 handing it over and taking it back (tests/screens/scenarios_redeem.py)."""

import json

from kiosk.i18n import t
from tests.screens.conftest import rows


def test_a_senior_asks_for_an_item_and_staff_hand_it_over_then_take_it_back(scenario):
    obs, data_dir = scenario("redeem")
    balance = obs["balance"]
    assert 30 <= balance < 40  # the demo's: the towel and the haircut, not the handbook (40)
    assert obs["passbook_extra"] == t("catalogue.show")
    assert obs["offers"] == [["纯棉毛巾", 20], ["理发服务券", 30]]
    assert t("catalogue.short", points=40 - balance) in obs["catalogue"] and t("catalogue.title") in obs["catalogue"]
    assert t("catalogue.confirm_where") in obs["question"] and "纯棉毛巾　20 分" in obs["question"]
    assert obs["news"] == t("catalogue.asked", name="纯棉毛巾", points=20)
    # The towel's 20 points are held: nothing more to ask for, the towel itself 还差 N 分.
    assert obs["buttons_after"] == 0 and t("catalogue.short", points=40 - balance) in obs["after"]
    assert t("points.figure", balance=balance) in obs["after"]  # no points taken yet

    assert any("谢素珍 DM0001" in text for text in obs["listed"])
    assert obs["given"] == t("staff.redemptions.given", name="谢素珍", item="纯棉毛巾", points=20, balance=balance - 20)
    assert obs["taken_back"] == t(
        "staff.redemptions.taken_back", name="谢素珍", item="纯棉毛巾", points=20, balance=balance
    )
    assert obs["handed_after"] == 0

    [(status, entry)] = rows(
        data_dir,
        "SELECT r.status, r.entry FROM redemption_request r JOIN member m ON m.id = r.member_id"
        " WHERE m.member_no = 'DM0001'",
    )
    assert status == "cancelled"
    ledger = rows(
        data_dir,
        "SELECT p.event_id, p.kind, p.amount, p.reverses_id FROM points_entry p JOIN member m ON m.id = p.member_id"
        " WHERE m.member_no = 'DM0001' AND p.kind IN ('redeem', 'correction') AND p.staff_id IS NOT NULL ORDER BY p.id",
    )
    assert [(kind, amount) for _, kind, amount, _ in ledger] == [("redeem", -20), ("correction", 20)]
    assert ledger[0][0] == entry  # the handover's entry, kept as it was
    actions = [
        json.loads(p)["action"]
        for (p,) in rows(data_dir, "SELECT payload FROM outbox WHERE kind = 'redemption' ORDER BY seq")
        if json.loads(p)["member_no"] == "DM0001"
    ]
    assert actions == ["request", "handover", "cancel"]
