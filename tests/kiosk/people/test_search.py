"""Finding a senior by pinyin initials, member number or phone digits; filling in initials."""

import pytest

from kiosk.people import search
from kiosk.store.models import Member


def test_initials_of_names():
    assert search.initials("王建华") == "wjh"
    assert search.initials("欧阳修") == "oyx"
    assert search.initials("王·建华") == "wjh"  # characters without pinyin are left out
    assert search.initials("John") == ""


@pytest.fixture
def people(world):
    def member(no, name, phone="", **fields):
        return world.member(no, name, phone_last4=phone, initials=search.initials(name), **fields)

    return {
        "wjh": member("DM0002", "王建华", "1234"),
        "wj": member("DM0003", "王娟", "5678"),
        "wjh2": member("DM0001", "吴金花", "9012"),
        "wjhs": member("DM0010", "王建华声", "0000"),
        "gone": member("DM0004", "王建辉", "1234", active=False),
        "phone": member("DM1234", "李明", "4321"),
        "li": member("DM0020", "李建", "1234"),
        "sh": member("SH0001", "单田芳", "1111"),
    }


def found(query, limit=20):
    return [(h.member.member_no, h.matched_by) for h in search.find(query, limit)]


def test_letters_find_initials_exact_first_then_by_full_pinyin(people):
    # 王建华 (wáng) before 吴金花 (wú): the order of a list of names, not of member numbers.
    assert found("wjh") == [("DM0002", "initials"), ("DM0001", "initials"), ("DM0010", "initials")]
    assert found("WJ") == [
        ("DM0003", "initials"),
        ("DM0002", "initials"),
        ("DM0010", "initials"),
        ("DM0001", "initials"),
    ]
    assert found("wJhS") == [("DM0010", "initials")]
    assert found("dtf") == [("SH0001", "initials")]


def test_four_digits_find_the_phone_then_member_numbers_ending_in_them(people):
    assert found("1234") == [("DM0002", "phone"), ("DM0020", "phone"), ("DM1234", "member_no")]
    assert found("4321") == [("DM1234", "phone")]


def test_a_member_matched_by_phone_and_number_is_listed_once(world, people):
    world.member("DM5555", "赵五", phone_last4="5555", initials="zw")
    assert found("5555") == [("DM5555", "phone")]


def test_other_digits_find_member_numbers_ending_in_them(people):
    assert found("1") == [("DM0001", "member_no"), ("SH0001", "member_no")]
    assert found("20") == [("DM0020", "member_no")]
    assert found("00001") == []


def test_letters_and_digits_find_member_numbers_starting_with_them(people):
    assert found("dm000") == [("DM0001", "member_no"), ("DM0002", "member_no"), ("DM0003", "member_no")]
    assert found("DM0010") == [("DM0010", "member_no")]
    assert found("dm001") == [("DM0010", "member_no")]
    assert found("sh0") == [("SH0001", "member_no")]
    assert found("DM1") == [("DM1234", "member_no")]


def test_an_exact_member_number_comes_before_longer_ones(world, people):
    world.member("DM00", "钱六", initials="ql")
    assert found("DM00")[:2] == [("DM00", "member_no"), ("DM0001", "member_no")]


def test_inactive_members_are_never_found(people):
    everything = found("w", 100) + found("1234", 100) + found("DM0", 100)
    assert everything and "DM0004" not in [no for no, _ in everything]


@pytest.mark.parametrize("query", ["", "   ", "王", "wj h", "DM-0001", "12*", "%", "w?", "[a]"])
def test_anything_else_finds_nobody(people, query):
    assert search.find(query) == []


def test_limit(people):
    assert len(search.find("DM0", limit=3)) == 3
    assert len(search.find("1234", limit=2)) == 2


def test_searches_read_through_the_indexes(people, database):
    statements = []
    database.connection().set_trace_callback(statements.append)
    try:
        for query in ("wj", "1234", "DM00"):
            assert search.find(query)
    finally:
        database.connection().set_trace_callback(None)
    plans = [" | ".join(step for *_, step in database.execute_sql("EXPLAIN QUERY PLAN " + sql)) for sql in statements]
    assert len(plans) == 4, statements
    assert "SEARCH member USING INDEX member_initials (initials>? AND initials<?)" in plans[0]
    assert "SEARCH member USING INDEX member_phone_last4 (phone_last4=?)" in plans[1]
    # A number's end is not in the index's order: the index alone is scanned, not the table.
    assert "SCAN member USING COVERING INDEX member_member_no" in plans[2]
    assert "SEARCH member USING INTEGER PRIMARY KEY" in plans[2]
    assert "SEARCH member USING INDEX member_member_no (member_no>? AND member_no<?)" in plans[3]
    for plan in plans:
        scans = [step for step in plan.split(" | ") if step.startswith("SCAN")]
        assert all("COVERING INDEX" in step for step in scans), plan


# -- filling in initials ----------------------------------------------------------------------------

NAMES = [
    "王建华",
    "欧阳修",
    "尉迟恭",
    "单田芳",
    "曾国藩",
    "解缙",
    "万俟卣",
    "长孙无忌",
    "朴槿惠",
    "仇英",
    "乐嘉",
    "区志",
    "查良镛",
    "王·建华",
    "阿依古丽·买买提",
    "黑龙江",
    "银行家",
    "重庆",
    "曾重阳",
    "䶮",
    "𠮷野家",
    "John",
    "李2明",
    "覃长乐",
    "朝阳",
    "长江",
]


def test_fill_initials_sets_them_as_initials_does(world):
    for n, name in enumerate(NAMES):
        world.member(f"DM{n:04d}", name)
    world.member("DM9000", "王建华", initials="xyz")  # already set: kept
    filled = search.fill_initials()
    got = {m.name: m.initials for m in Member.select().where(Member.member_no != "DM9000")}
    assert got == {name: search.initials(name) for name in NAMES}
    assert filled == sum(1 for name in NAMES if search.initials(name))
    assert Member.get(Member.member_no == "DM9000").initials == "xyz"
    assert search.fill_initials() == 0  # nothing left to do
    assert found("oyx") == [("DM0001", "initials")]


def test_fill_initials_writes_once(world, database):
    for n in range(300):
        world.member(f"DM{n:04d}", "王建华" if n % 2 else "李明")
    statements = []
    database.connection().set_trace_callback(statements.append)
    try:
        assert search.fill_initials() == 300
    finally:
        database.connection().set_trace_callback(None)
    assert sum(s.startswith("BEGIN") for s in statements) == 1
    assert Member.select().where(Member.initials == "").count() == 0
    assert Member.select().where(Member.initials == "lm").count() == 150


def test_fill_initials_with_no_members(world):
    assert search.fill_initials() == 0
