"""The draw itself (bureau/enrolment/lottery.py), without a store: its determinism, what one
applicant more or less may change, priority groups, the published files, and the worked example of
docs/enrolment.md.

What must hold when one applicant X of course C is removed (the keyed sort's promise):
  - every other course's placings are exactly as they were;
  - in C, the others keep their relative order; those ranked before X keep their rank and their
    result; those after X move up by exactly one place;
  - so at most one result changes: when X had won and someone waited, the first waiting wins.
"""

import hashlib
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from bureau.enrolment import lottery
from bureau.enrolment.lottery import Entry

COURSES = st.sampled_from(["c-calligraphy", "c-choir", "c-taiji", "c-yoga"])
MEMBERS = st.from_regex(r"XC[0-9]{4}", fullmatch=True)
ENTRIES = st.lists(
    st.builds(Entry, COURSES, MEMBERS, st.integers(0, 1)), max_size=60, unique_by=lambda e: (e.course, e.member_no)
)
PLACES = st.dictionaries(st.sampled_from(["c-calligraphy", "c-choir", "c-taiji"]), st.integers(0, 20))
SEEDS = st.text("0123456789 ", min_size=1, max_size=20).filter(lambda t: any(c.isdigit() for c in t))


def seeded(entries: list[Entry], numbers: str) -> str:
    return lottery.seed(lottery.applicants_hash(entries), numbers)


@settings(max_examples=200, deadline=None)
@given(ENTRIES, PLACES, SEEDS, st.randoms())
def test_the_same_inputs_in_any_order_give_the_same_order(entries, places, numbers, rnd):
    seed = seeded(entries, numbers)
    first = lottery.draw(entries, places, seed)
    shuffled = list(entries)
    rnd.shuffle(shuffled)
    assert lottery.applicants_hash(shuffled) == lottery.applicants_hash(entries)
    assert lottery.draw(shuffled, dict(reversed(list(places.items()))), seed) == first
    assert lottery.order_hash(lottery.draw(entries, places, seed)) == lottery.order_hash(first)
    # Every applicant placed once; in each course ranks 1..n, winners the first min(places, n).
    assert sorted((p.course, p.member_no) for p in first) == sorted((e.course, e.member_no) for e in entries)
    for course in {e.course for e in entries}:
        mine = [p for p in first if p.course == course]
        assert [p.rank for p in mine] == list(range(1, len(mine) + 1))
        cut = places.get(course, len(mine))
        assert [p.won for p in mine] == [p.rank <= cut for p in mine]
        assert [p.waitlist_position for p in mine if not p.won] == list(range(1, len(mine) - min(cut, len(mine)) + 1))
        assert [p.group for p in mine] == sorted(p.group for p in mine)  # group 0 before group 1


@settings(max_examples=200, deadline=None)
@given(ENTRIES.filter(bool), PLACES, SEEDS, st.data())
def test_removing_one_applicant_changes_only_their_place_and_those_after_it(entries, places, numbers, data):
    seed = seeded(entries, numbers)  # the same seed for both runs: only the list differs
    gone = data.draw(st.sampled_from(entries))
    before = {(p.course, p.member_no): p for p in lottery.draw(entries, places, seed)}
    after = {(p.course, p.member_no): p for p in lottery.draw([e for e in entries if e != gone], places, seed)}
    x = before.pop((gone.course, gone.member_no))
    assert after.keys() == before.keys()
    changed = []
    for key, was in before.items():
        now = after[key]
        if was.course != gone.course or was.rank < x.rank:
            assert now == was
        else:
            assert now.rank == was.rank - 1
            if now.won != was.won:
                changed.append(key)
    assert len(changed) <= 1
    if changed:  # X had won, and the first who waited took the place
        assert x.won and before[changed[0]].waitlist_position == 1 and after[changed[0]].won


@settings(max_examples=100, deadline=None)
@given(ENTRIES.filter(bool), SEEDS)
def test_the_order_within_a_group_is_by_the_keyed_hash(entries, numbers):
    seed = seeded(entries, numbers)
    for p in lottery.draw(entries, {}, seed):
        assert p.won
    placings = lottery.draw(entries, {}, seed)
    for course in {e.course for e in entries}:
        mine = [p for p in placings if p.course == course]
        keys = [(p.group, hashlib.sha256(f"{seed}:{course}:{p.member_no}".encode()).hexdigest()) for p in mine]
        assert keys == sorted(keys)


def test_returning_students_draw_first_and_their_group_is_stated():
    entries = [Entry("c1", f"XC{n:04d}", 1) for n in range(10)] + [Entry("c1", "XC9001", 0), Entry("c1", "XC9002", 0)]
    placings = lottery.draw(entries, {"c1": 3}, seeded(entries, "1 2 3"))
    assert {p.member_no for p in placings[:2]} == {"XC9001", "XC9002"}
    assert [p.group for p in placings] == [0, 0] + [1] * 10
    assert [p.won for p in placings] == [True] * 3 + [False] * 9


def test_a_course_with_no_limit_or_enough_places_has_everyone_win():
    entries = [Entry("c1", "XC0001"), Entry("c1", "XC0002"), Entry("c2", "XC0001")]
    placings = lottery.draw(entries, {"c2": 5}, "0" * 64)
    assert all(p.won and p.waitlist_position is None for p in placings)
    assert lottery.draw(entries, {"c1": 0}, "0" * 64)[0].won is False  # 0 places: no one


def test_the_public_numbers_are_their_digit_groups():
    assert lottery.numbers(" 07, 23；11 \n35-02 ") == "07 23 11 35 02"
    for empty in ("", "  ", "一二三"):
        try:
            lottery.numbers(empty)
        except lottery.DrawError:
            continue
        raise AssertionError(f"{empty!r} taken as numbers")


def test_the_published_files_read_back_to_the_same_draw():
    rnd = random.Random(7)
    entries = [Entry(f"c{rnd.randrange(5)}", f"XC{n:04d}", rnd.randrange(2)) for n in range(200)]
    places = {"c0": 3, "c1": 0, "c2": 10, "c3": None, "c4": 100}
    text = lottery.applicants_csv(entries)
    assert text.startswith("course,member_no,group\n")
    assert lottery.read_applicants(text) == sorted(entries)
    read = lottery.read_places(lottery.places_csv(places))
    assert read == {"c0": 3, "c1": 0, "c2": 10, "c4": 100}  # c3: no limit
    seed = seeded(entries, "8 8 8")
    assert lottery.draw(lottery.read_applicants(text), read, seed) == lottery.draw(entries, read, seed)


def test_the_worked_example_of_the_docs():
    """docs/enrolment.md 摇号 例: its figures, so a re-implementation can check itself against them."""
    entries = [
        Entry("calligraphy", "XC0001", 1),
        Entry("calligraphy", "XC0002", 0),
        Entry("calligraphy", "XC0003", 1),
        Entry("calligraphy", "XC0004", 1),
        Entry("choir", "XC0001", 1),
    ]
    text = lottery.applicants_text(entries)
    assert text == (
        "calligraphy,XC0001,1\ncalligraphy,XC0002,0\ncalligraphy,XC0003,1\ncalligraphy,XC0004,1\nchoir,XC0001,1\n"
    )
    hashed = lottery.applicants_hash(entries)
    assert hashed == "57d04e14c52da3789498993e00f52a4b39392e5b2893c531aca68f45008ef1a7"
    seed = lottery.seed(hashed, "07, 23, 11")
    assert seed == "7e0ba5ebbd8bf3f00533422207e6a64f0e23abdf34d5256d7ed14bb1299f947f"
    placings = lottery.draw(entries, {"calligraphy": 2}, seed)
    assert [(p.course, p.member_no, p.rank, p.won, p.waitlist_position) for p in placings] == [
        ("calligraphy", "XC0002", 1, True, None),  # group 0: last term's student of 书法 first
        ("calligraphy", "XC0003", 2, True, None),
        ("calligraphy", "XC0004", 3, False, 1),
        ("calligraphy", "XC0001", 4, False, 2),
        ("choir", "XC0001", 1, True, None),  # no limit given: everyone wins
    ]
