"""Rare characters everywhere (docs/senior-ui.md T-7): each demo name with a character the main
font lacks, on every kind of screen of the real app, drawn by fonts that have each character."""

RARE = "\U0002a6a5"  # 龚𪚥's second character: in HanaMinB, not in Noto Sans CJK


def test_every_label_on_every_screen_draws_each_character_with_a_font_that_has_it(scenario):
    obs, _ = scenario("rare_names")
    assert "龚𪚥" in obs["names"]
    kinds = {s["kind"] for s in obs["screens"]}
    assert kinds == {
        "result",
        "points",
        "activities",
        "courses",
        "staff_today",
        "staff_members",
        "staff_member",
        "staff_newcomers",
        "staff_audit",
    }
    tofu = [
        (s["kind"], label["text"], label["missing"])
        for s in obs["screens"]
        for label in s["labels"]
        if label["missing"]
    ]
    assert tofu == []


def test_staff_pages_show_the_whole_rare_name(scenario):
    obs, _ = scenario("rare_names")
    for kind in ("staff_members", "staff_member", "staff_newcomers"):
        labels = [label for s in obs["screens"] if s["kind"] == kind for label in s["labels"]]
        holding = [label for label in labels if RARE in label["drawn"]]
        assert holding, f"{kind}: no label shows {obs['names']}"
    bold = [label for s in obs["screens"] for label in s["labels"] if label["bold"] and RARE in label["drawn"]]
    assert bold, "the member page's title is bold: the fallback draws there too"
