"""The console's charts (bureau/console/svg.py) parsed as XML: bars, points, labels, accessibility."""

import xml.etree.ElementTree as ET

from bureau.console import svg

NS = {"s": "http://www.w3.org/2000/svg"}


def parse(markup) -> ET.Element:
    return ET.fromstring(str(markup))


def texts(root: ET.Element, cls: str) -> list[str]:
    return [t.text or "" for t in root.iterfind(f".//s:text[@class='{cls}']", NS)]


def test_bars_with_their_values_ticks_and_a_legend():
    chart = parse(
        svg.bar_chart(
            "c1",
            "各站点活跃长者",
            "近 30 天签到过的人数",
            ["和平里<中心>", "安定门教学点", "金融街"],
            [svg.Series("活跃长者", [3, 2, 0]), svg.Series("登记长者", [4, 2, 3])],
        )
    )
    assert chart.get("role") == "img" and chart.get("aria-labelledby") == "c1-t c1-d"
    assert chart.find("s:title", NS).text == "各站点活跃长者"
    assert chart.find("s:desc", NS).text == "近 30 天签到过的人数"
    bars = chart.findall(".//s:rect[@class='bar']", NS)
    assert [b.get("data-series") for b in bars] == ["活跃长者", "登记长者"] * 3
    assert texts(chart, "category") == ["和平里<中心>", "安定门教学点", "金融街"]  # escaped, read back whole
    assert texts(chart, "value") == ["3", "4", "2", "2", "0", "3"]
    assert texts(chart, "legend-item") == ["活跃长者", "登记长者"]
    assert texts(chart, "tick") == ["0", "1", "2", "3", "4"]
    widths = [float(b.get("width")) for b in bars]
    assert widths[1] == max(widths) and widths[4] == 0  # 4 is the longest bar, 0 none at all
    assert "Bureau CJK" in chart.get("font-family")


def test_bar_labels_and_a_fixed_axis_end():
    chart = parse(
        svg.bar_chart("c2", "报满率", "课程", ["太极拳"], [svg.Series("报满率 %", [80], ["80%（16/20）"])], top=100)
    )
    assert texts(chart, "value") == ["80%（16/20）"]
    assert texts(chart, "tick")[-1] == "100"


def test_lines_a_point_each_week_and_labelled_months():
    weeks = [f"第{i + 1}周" for i in range(52)]
    chart = parse(
        svg.line_chart(
            "c3",
            "每周签到人次",
            "近一年与上一年同期",
            weeks,
            {0: "2025年12月", 4: "1月"},
            [svg.Series("近一年", list(range(52))), svg.Series("上一年同期", [10] * 52)],
        )
    )
    series = chart.findall(".//s:g[@class='series']", NS)
    assert [g.get("data-series") for g in series] == ["近一年", "上一年同期"]
    for g in series:
        assert len(g.findall("s:circle[@class='point']", NS)) == 52
        assert len(g.find("s:polyline", NS).get("points").split()) == 52
    assert texts(chart, "xtick") == ["2025年12月", "1月"]
    assert texts(chart, "tick") == ["0", "20", "40", "60"]
    assert series[0].find("s:circle/s:title", NS).text == "第1周 · 近一年：0"


def test_ticks_are_round_numbers():
    assert svg.ticks(0) == [0, 1]
    assert svg.ticks(3) == [0, 1, 2, 3]
    assert svg.ticks(87) == [0, 20, 40, 60, 80, 100]
    assert svg.ticks(1234) == [0, 500, 1000, 1500]
