"""Who may apply for what, at the edges (kiosk.enrolment.eligibility): the age on the term's first
day from the ID card's birth date, both bounds included; members only; a QR card for an
age-limited course."""

from datetime import date

import pytest

from kiosk.enrolment import eligibility
from kiosk.enrolment.eligibility import Applicant, age_on, age_refusal
from kiosk.identity.credentials import Credential

DAY = date(2025, 9, 1)


@pytest.mark.parametrize(
    ("birth", "age"),
    [
        (date(1965, 9, 1), 60),  # the 60th birthday is the term's first day: 60 that day
        (date(1965, 9, 2), 59),  # the day after: still 59
        (date(1965, 8, 31), 60),
        (date(1960, 2, 29), 65),
    ],
)
def test_age_on_the_terms_first_day(birth, age):
    assert age_on(birth, DAY) == age


def test_born_on_29_february_is_a_year_older_on_1_march_of_a_common_year():
    assert age_on(date(1964, 2, 29), date(2025, 2, 28)) == 60
    assert age_on(date(1964, 2, 29), date(2025, 3, 1)) == 61


def test_min_age_reached_on_the_first_day_is_in_and_the_day_after_is_out():
    assert age_refusal(60, None, date(1965, 9, 1), DAY) == ""
    assert age_refusal(60, None, date(1965, 9, 2), DAY) == eligibility.TOO_YOUNG


def test_max_age_holds_until_the_next_birthday():
    # 75 on the first day (76 tomorrow): in; 76 on the first day: out.
    assert age_refusal(None, 75, date(1949, 9, 2), DAY) == ""
    assert age_refusal(None, 75, date(1949, 9, 1), DAY) == eligibility.TOO_OLD
    assert age_refusal(60, 75, date(1950, 1, 1), DAY) == ""


def test_no_range_needs_no_birth_date_and_a_range_without_one_asks_for_the_id_card():
    assert age_refusal(None, None, None, DAY) == ""
    assert age_refusal(60, None, None, DAY) == eligibility.NEEDS_ID_CARD
    assert age_refusal(None, 80, None, DAY) == eligibility.NEEDS_ID_CARD


def test_older_first_counts_the_age_on_the_first_day_from_an_id_card_only():
    assert eligibility.older(60, date(1965, 9, 1), DAY)  # 60 on the term's first day: older
    assert not eligibility.older(60, date(1965, 9, 2), DAY)  # 60 the day after: not
    assert eligibility.older(61, date(1964, 2, 29), date(2025, 3, 1))  # born on 29 February: 61 on 1 March
    assert not eligibility.older(61, date(1964, 2, 29), date(2025, 2, 28))
    assert not eligibility.older(60, None, DAY)  # a QR card shows no age
    assert not eligibility.older(None, date(1930, 1, 1), DAY)  # no older-first group


def test_members_only_refuses_a_member_of_another_site_first():
    common = {"age_min": None, "age_max": None, "birth": None, "first_day": DAY}
    assert eligibility.refusal(members_only=True, member_site="B", here_site="A", **common) == eligibility.MEMBERS_ONLY
    assert eligibility.refusal(members_only=True, member_site="A", here_site="A", **common) == ""
    assert eligibility.refusal(members_only=False, member_site="B", here_site="A", **common) == ""


def test_the_birth_date_is_taken_from_an_id_card_only_and_never_shown_in_the_repr():
    card = Credential(method="idcard", id_number="120103195506018241", birth_date=date(1955, 6, 1))
    applicant = Applicant.of("XC0001", card)
    assert applicant.birth_date == date(1955, 6, 1)
    assert "1955" not in repr(applicant)
    qr = Credential(method="qr", text="YL1-XC0001-1-X", birth_date=date(1955, 6, 1))
    assert Applicant.of("XC0001", qr).birth_date is None
