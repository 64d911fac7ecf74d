"""QR member-card tokens: signed, versioned, free of personal data, and not forgeable."""

import re

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from kiosk.identity import tokens

KEY = bytes.fromhex("64656d6f2d636172642d6b65792d6e6f742d666f722d70726f64756374696f6e2121")
OTHER_KEY = bytes.fromhex("00" * 32)
TOKEN = tokens.make("DM0001", 1, KEY)
QR_ALPHANUMERIC = set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")

member_numbers = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=2, max_size=20)
issues = st.integers(min_value=1, max_value=999999)


def reason(text: str, key: bytes = KEY) -> str:
    with pytest.raises(tokens.TokenError) as e:
        tokens.read(text, key)
    return e.value.reason


def test_round_trip_and_shape():
    assert re.fullmatch(r"YL1-DM0001-1-[A-Z2-7]{16}", TOKEN)
    assert set(TOKEN) <= QR_ALPHANUMERIC
    assert tokens.read(TOKEN, KEY) == ("DM0001", 1)
    assert tokens.read(tokens.make("DM0001", 12, KEY), KEY) == ("DM0001", 12)


def test_typed_by_hand_in_lower_case_with_spaces_still_reads():
    assert tokens.read("  " + TOKEN.lower() + "\n", KEY) == ("DM0001", 1)


def test_made_with_another_key_is_forged():
    assert reason(tokens.make("DM0001", 1, OTHER_KEY)) == "card.forged"


def test_another_members_number_or_issue_with_this_signature_is_forged():
    signature = TOKEN.rsplit("-", 1)[1]
    assert reason(f"YL1-DM0002-1-{signature}") == "card.forged"
    assert reason(f"YL1-DM0001-2-{signature}") == "card.forged"


@pytest.mark.parametrize("length", range(len(TOKEN)))
def test_every_truncation_is_rejected(length):
    assert reason(TOKEN[:length]) in ("card.unknown_prefix", "card.malformed")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("", "card.unknown_prefix"),
        ("https://example.com/DM0001", "card.unknown_prefix"),
        ("YL2-DM0001-1-AAAAAAAAAAAAAAAA", "card.unknown_prefix"),
        ("YL1-DM0001-0-AAAAAAAAAAAAAAAA", "card.malformed"),  # issues start at 1
        ("YL1-D-1-AAAAAAAAAAAAAAAA", "card.malformed"),
        ("YL1-DM0001-1-AAAAAAAAAAAAAAA1", "card.malformed"),  # 1 is not base32
        (TOKEN + "A", "card.malformed"),
        (TOKEN.replace("-", "", 1), "card.unknown_prefix"),
    ],
)
def test_malformed_tokens(text, expected):
    assert reason(text) == expected


def test_token_holds_no_personal_data():
    token = tokens.make("DM0001", 3, KEY)
    assert token.split("-")[:3] == ["YL1", "DM0001", "3"]


@given(st.text(max_size=60))
@example("YL1-DM0001-1-AAAAAAAAAAAAAAAA")
def test_random_text_never_verifies(text):
    with pytest.raises(tokens.TokenError):
        tokens.read(text, KEY)


@given(member_numbers, issues, st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", min_size=16, max_size=16))
def test_well_shaped_tokens_with_a_guessed_signature_never_verify(member_no, issue, signature):
    assume(signature != tokens.make(member_no, issue, KEY).rsplit("-", 1)[1])
    with pytest.raises(tokens.TokenError) as e:
        tokens.read(f"YL1-{member_no}-{issue}-{signature}", KEY)
    assert e.value.reason == "card.forged"


@given(member_numbers, issues, st.binary(min_size=32, max_size=64))
def test_tokens_made_without_the_key_never_verify(member_no, issue, key):
    assume(key != KEY)
    with pytest.raises(tokens.TokenError):
        tokens.read(tokens.make(member_no, issue, key), KEY)


@given(member_numbers, issues)
def test_tokens_made_with_the_key_verify(member_no, issue):
    assert tokens.read(tokens.make(member_no, issue, KEY), KEY) == (member_no, issue)


@given(member_numbers, issues, st.data())
def test_any_single_character_change_is_rejected(member_no, issue, data):
    token = tokens.make(member_no, issue, KEY)
    position = data.draw(st.integers(min_value=0, max_value=len(token) - 1))
    changed = token[:position] + data.draw(st.characters()) + token[position + 1 :]
    # Case and surrounding spaces are not a change (cards may be typed by hand); anything else is.
    assume(changed.strip().upper() != token)
    with pytest.raises(tokens.TokenError):
        tokens.read(changed, KEY)


@pytest.mark.parametrize("digit", ["\u0660", "\uff10", "\u09e6"])  # Arabic-Indic, full-width, Bengali 0
def test_a_look_alike_digit_in_the_issue_is_rejected(digit):
    token = tokens.make("DM0001", 10, KEY)
    changed = token.replace("-10-", f"-1{digit}-")
    assert reason(changed) == "card.malformed"


BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


@pytest.mark.parametrize("position", range(16))
def test_every_signature_character_counts(position):
    head, signature = TOKEN.rsplit("-", 1)
    for char in BASE32.replace(signature[position], ""):
        changed = signature[:position] + char + signature[position + 1 :]
        assert reason(f"{head}-{changed}") == "card.forged"


@given(member_numbers, issues, st.data())
def test_a_well_shaped_single_character_change_is_forged(member_no, issue, data):
    token = tokens.make(member_no, issue, KEY)
    head, signature = token.rsplit("-", 1)
    position = data.draw(st.integers(min_value=0, max_value=15))
    char = data.draw(st.sampled_from(BASE32.replace(signature[position], "")))
    with pytest.raises(tokens.TokenError) as e:
        tokens.read(f"{head}-{signature[:position]}{char}{signature[position + 1 :]}", KEY)
    assert e.value.reason == "card.forged"
