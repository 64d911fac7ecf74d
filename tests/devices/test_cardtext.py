"""The 256-byte ID-card text block of all four card types (docs/idcard-reader.md §1.7–§1.11)."""

from dataclasses import fields, replace
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devices import cardtext
from devices.cardtext import CardTextError, IdCard, decode, encode
from devices.sim import profiles
from kiosk.identity.gbcodes import NATIONS

SP = b" \x00"  # one UCS-2 space: the padding of every field


def ascii16(text: str) -> bytes:
    """ASCII text as UCS-2LE, written out without the codec: each byte followed by 00."""
    return b"".join(bytes([ord(c), 0]) for c in text)


def ucs2(text: str, width: int) -> bytes:
    data = text.encode("utf-16-le", "surrogatepass")
    assert len(data) <= width
    return data + SP * ((width - len(data)) // 2)


def block(*parts: tuple[int, bytes]) -> bytes:
    """A block of spaces with each (offset, bytes) written in."""
    out = bytearray(SP * 128)
    for offset, data in parts:
        out[offset : offset + len(data)] = data
    return bytes(out)


# 谢素珍, female, Han, born 1949-10-03, valid 2015-06-18 to 长期: every byte written by hand.
RESIDENT = (
    bytes.fromhex("228c 207d cd73")
    + SP * 12  # 0   name, 15 chars
    + ascii16("2")  # 30  gender
    + ascii16("01")  # 32  nation
    + ascii16("19491003")  # 36  birth date
    + bytes.fromhex("1753 ac4e 025e")
    + SP * 32  # 52  address 北京市, 35 chars
    + ascii16("110105194910035300")  # 122 ID number
    + bytes.fromhex("6c51 895b 405c")
    + SP * 12  # 158 issuer 公安局
    + ascii16("20150618")  # 188 valid from
    + bytes.fromhex("7f95 1f67")
    + SP * 6  # 204 valid to 长期
    + SP * 18
)  # 220 reserved, 248 type flag ' '


def test_a_hand_built_resident_block():
    assert len(RESIDENT) == 256
    card = decode(RESIDENT)
    assert card == IdCard(
        card_type="resident",
        name="谢素珍",
        gender="2",
        nation="01",
        birth_date=date(1949, 10, 3),
        address="北京市",
        id_number="110105194910035300",
        issuer="公安局",
        valid_from=date(2015, 6, 18),
        valid_to=None,
        long_term=True,
    )
    assert card.raw == RESIDENT
    assert encode(card) == RESIDENT


def test_the_personal_fields_never_show_in_a_log_line():
    text = repr(decode(RESIDENT))
    for secret in ("谢素珍", "北京市", "110105194910035300", "5300", "228c"):
        assert secret not in text
    assert "long_term=True" in text


def test_a_hand_built_hmt_block():
    text = block(
        (0, ucs2("梁淑仪", 30)),
        (30, ascii16("2")),
        (36, ascii16("19550312")),
        (52, ucs2("北京市东城区东四十条甲22号", 70)),
        (122, ascii16("810000195503120025")),
        (158, ucs2("北京市公安局东城分局", 30)),
        (188, ascii16("20230815")),
        (204, ascii16("20280815")),
        (220, ascii16("H60123456")),
        (238, ascii16("01")),
        (248, b"J\x00"),
    )
    card = decode(text)
    assert card == IdCard(
        card_type="hmt",
        name="梁淑仪",
        gender="2",
        birth_date=date(1955, 3, 12),
        address="北京市东城区东四十条甲22号",
        id_number="810000195503120025",
        issuer="北京市公安局东城分局",
        valid_from=date(2023, 8, 15),
        valid_to=date(2028, 8, 15),
        pass_number="H60123456",
        issue_count="01",
    )
    assert card.nation == ""  # bytes 32..36 are reserved on a 'J' card
    assert encode(card) == text


def foreign2017(chinese: str = "") -> bytes:
    return block(
        (0, ucs2("HOLLOWAY, MARGARET", 120)),
        (120, ascii16("2")),
        (122, ascii16("GBR115307210015")),
        (152, ascii16("GBR")),
        (158, ucs2(chinese, 30)),
        (188, ascii16("20180315")),
        (204, ascii16("20280315")),
        (220, ascii16("19530721")),
        (236, ascii16("01")),
        (240, ascii16("1100")),
        (248, b"I\x00"),
    )


def test_a_hand_built_2017_foreigner_block_without_a_chinese_name_gives_the_english_one():
    card = decode(foreign2017())
    assert card == IdCard(
        card_type="foreign2017",
        name="HOLLOWAY, MARGARET",
        name_en="HOLLOWAY, MARGARET",
        gender="2",
        birth_date=date(1953, 7, 21),
        id_number="GBR115307210015",
        issuer="1100",
        valid_from=date(2018, 3, 15),
        valid_to=date(2028, 3, 15),
        country="GBR",
    )


def test_a_2017_foreigner_block_with_a_chinese_name():
    card = decode(foreign2017("霍玛丽"))
    assert (card.name, card.name_en) == ("霍玛丽", "HOLLOWAY, MARGARET")
    assert decode(encode(card)) == card


def test_a_hand_built_2023_foreigner_block_whose_english_name_overflows():
    english = "KIM" + "A" * 40  # 43 chars: 35 at byte 52, the other 8 at byte 220
    text = block(
        (0, ucs2("金永哲", 30)),
        (30, ascii16("1")),
        (32, ascii16("00")),
        (36, ascii16("19560214")),
        (52, ascii16(english[:35])),
        (122, ascii16("911410195602140039")),
        (188, ascii16("20240520")),
        (204, ascii16("20340520")),
        (220, ascii16(english[35:])),
        (242, ascii16("KOR")),
        (248, b"Y\x00"),
    )
    card = decode(text)
    assert card == IdCard(
        card_type="foreign2023",
        name="金永哲",
        name_en=english,
        gender="1",
        issue_count="00",
        birth_date=date(1956, 2, 14),
        id_number="911410195602140039",
        valid_from=date(2024, 5, 20),
        valid_to=date(2034, 5, 20),
        country="KOR",
    )
    assert encode(card) == text


@pytest.mark.parametrize(
    "flag, card_type",
    [
        (b" \x00", "resident"),
        (b"\x00\x00", "resident"),
        (b"Z\x00", "resident"),
        (b"J\x01", "resident"),
        (b"J\x00", "hmt"),
        (b"I\x00", "foreign2017"),
        (b"Y\x00", "foreign2023"),
    ],
)
def test_the_character_at_byte_248_chooses_the_layout(flag, card_type):
    number = {"foreign2017": "GBR115307210015", "foreign2023": "911410195602140039"}.get(
        card_type, "810000195503120025"
    )
    text = block((122, ascii16(number)), (248, flag))
    assert decode(text).card_type == card_type


def test_the_long_term_valid_to_is_the_text_长期():
    assert "长期".encode("utf-16-le") == bytes.fromhex("7f951f67")
    card = decode(RESIDENT)
    assert card.long_term and card.valid_to is None
    dated = decode(RESIDENT[:204] + ascii16("20350618") + RESIDENT[220:])
    assert not dated.long_term and dated.valid_to == date(2035, 6, 18)


def with_name(name_bytes: bytes) -> bytes:
    return name_bytes + SP * ((30 - len(name_bytes)) // 2) + RESIDENT[30:]


def test_an_ext_b_name_comes_out_as_the_real_character():
    card = decode(with_name(bytes.fromhex("8b73 42d8 b7df 6579")))  # 王, U+20BB7 as D842 DFB7, 祥
    assert card.name == "王𠮷祥" and len(card.name) == 3 and not card.name_flagged


@pytest.mark.parametrize(
    "name_bytes, shown",
    [
        (bytes.fromhex("1852 3ae8 1f75"), "刘□生"),  # U+E83A, private use
        (bytes.fromhex("1852 80db 00dc 1f75"), "刘□生"),  # U+F0000, plane 15 private use
        (bytes.fromhex("1852 fdff 1f75"), "刘□生"),  # U+FFFD
        (bytes.fromhex("1852 42d8 1f75"), "刘□生"),  # a high surrogate alone
        (bytes.fromhex("1852 b7df 1f75"), "刘□生"),  # a low surrogate alone
        (bytes.fromhex("42d8"), "□"),  # a high surrogate before the padding
    ],
)
def test_a_name_character_the_card_could_not_give_us_is_flagged(name_bytes, shown):
    text = with_name(name_bytes)
    card = decode(text)
    assert card.name == shown and card.name_flagged
    assert card.raw == text  # kept, for when staff correct the name


def test_a_lone_surrogate_outside_the_name_is_replaced_not_flagged():
    text = RESIDENT[:52] + bytes.fromhex("42d8") + RESIDENT[54:]
    card = decode(text)
    assert card.address == "\ufffd京市" and not card.name_flagged
    card.address.encode("utf-8")  # storable


@pytest.mark.parametrize("name, profile", profiles.load().items())
def test_every_simulator_profile_round_trips(name, profile):
    text = profiles.text_block(profile)
    card = decode(text)
    assert len(text) == 256 and card.raw == text
    if name == "pua":
        assert card == replace(profile.card, name=profile.card.name.replace("\ue83a", "□"), name_flagged=True)
    else:
        assert card == profile.card


def test_to_credential():
    cred = cardtext.to_credential(decode(RESIDENT))
    assert (cred.method, cred.id_number, cred.name, cred.card_type, cred.gender, cred.nation) == (
        "idcard",
        "110105194910035300",
        "谢素珍",
        "resident",
        "2",
        "01",
    )
    assert (cred.birth_date, cred.valid_from, cred.valid_to, cred.long_term, cred.address, cred.name_flagged) == (
        date(1949, 10, 3),
        date(2015, 6, 18),
        None,
        True,
        "北京市",
        False,
    )


@pytest.mark.parametrize("text", [b"", RESIDENT[:255], RESIDENT + b" ", "a str", None])
def test_a_block_that_is_not_256_bytes(text):
    with pytest.raises(CardTextError, match="256"):
        decode(text)


@pytest.mark.parametrize(
    "number, flag",
    [
        ("", b" \x00"),
        ("11010519491003530", b" \x00"),
        ("11010519491003530A", b" \x00"),
        ("11010519491003530x", b" \x00"),
        ("１１０１０５１９４９１００３５３００", b" \x00"),
        ("110105194910035300", b"J\x00"),  # not 81/82/83
        ("110105194910035300", b"Y\x00"),  # not starting with 9
        ("110105194910035", b"I\x00"),
        ("GB1115307210015", b"I\x00"),
        ("gbr115307210015", b"I\x00"),
    ],
)
def test_a_malformed_id_number_is_not_a_card(number, flag):
    width = 30 if flag == b"I\x00" else 36
    text = block((122, ucs2(number, width)), (248, flag))
    with pytest.raises(CardTextError, match="ID number"):
        decode(text)


def test_a_wrong_check_character_is_left_to_the_check_in_core():
    assert decode(RESIDENT[:122] + ascii16("110105194910035301") + RESIDENT[158:]).id_number == "110105194910035301"


@pytest.mark.parametrize(
    "offset, value, reason",
    [
        (36, "19490230", "bad birth-date"),
        (36, "1949100", "bad birth-date"),
        (36, "00000000", "bad birth-date"),
        (188, "2015-6-1", "bad valid-from"),
        (204, "20350631", "bad valid-to"),
        (204, "长久", "bad valid-to"),
        (204, "长期期", "bad valid-to"),
    ],
)
def test_a_date_that_is_present_but_not_a_date(offset, value, reason):
    text = RESIDENT[:offset] + ucs2(value, 16) + RESIDENT[offset + 16 :]
    with pytest.raises(CardTextError) as e:
        decode(text)
    assert e.value.reason == reason and isinstance(e.value, ValueError)


def test_absent_dates_are_none():
    card = decode(RESIDENT[:36] + SP * 8 + RESIDENT[52:188] + SP * 16 + RESIDENT[220:])
    assert card.birth_date is card.valid_from is card.valid_to is None and not card.long_term


@pytest.mark.parametrize(
    "change",
    [
        {"name": "一二三四五六七八九十一二三四五六"},  # 16 characters
        {"address": "址" * 36},
        {"name": "𠮷" * 8},  # 16 UCS-2 units
        {"card_type": "passport"},
        {"pass_number": "H1"},  # no pass number on a resident card
        {"valid_to": date(2035, 1, 1)},  # and long-term
    ],
)
def test_encode_refuses_what_the_block_cannot_hold(change):
    with pytest.raises(ValueError):
        encode(replace(decode(RESIDENT), **change))


# Properties -------------------------------------------------------------------------------------


def assert_storable(card: IdCard) -> None:
    for f in fields(card):
        value = getattr(card, f.name)
        if isinstance(value, str):
            value.encode("utf-8")  # no lone surrogate leaves decode()


@given(st.binary(min_size=256, max_size=256))
def test_random_blocks_raise_nothing_but_card_text_error(text):
    try:
        card = decode(text)
    except CardTextError:
        return
    assert card.raw == text
    assert_storable(card)


PROFILE_BLOCKS = [profiles.text_block(p) for p in profiles.load().values()]


@given(
    st.sampled_from(PROFILE_BLOCKS),
    st.lists(st.tuples(st.integers(0, 255), st.binary(min_size=1, max_size=16)), max_size=4),
)
def test_damaged_cards_raise_nothing_but_card_text_error(text, damage):
    # Random bytes rarely get past the ID number; damaging real blocks reaches every field.
    text = bytearray(text)
    for offset, data in damage:
        text[offset : offset + len(data)] = data
    text = bytes(text[:256])
    try:
        card = decode(text)
    except CardTextError:
        return
    assert_storable(card)


def field_text(width: int, alphabet=st.characters(exclude_categories=("Cs", "Co"), exclude_characters="\ufffd")):
    """Text a field of width bytes holds and gives back unchanged: no padding at either end."""
    return (
        st.text(alphabet, max_size=width // 2)
        .map(lambda s: s.strip(" \x00"))
        .filter(lambda s: len(s.encode("utf-16-le")) <= width)
    )


digits = st.text("0123456789", min_size=1, max_size=1)
dates = st.none() | st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31))
upper3 = st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=3, max_size=3)


def number(prefix: st.SearchStrategy, length: int) -> st.SearchStrategy:
    return st.tuples(
        prefix, st.text("0123456789", min_size=length, max_size=length), st.sampled_from("0123456789X")
    ).map("".join)


@st.composite
def cards(draw) -> IdCard:
    card_type = draw(st.sampled_from(list(cardtext.LAYOUTS)))
    long_term = draw(st.booleans())
    common = dict(
        gender=draw(st.sampled_from(["", "0", "1", "2", "9"])),
        birth_date=draw(dates),
        valid_from=draw(dates),
        valid_to=None if long_term else draw(dates),
        long_term=long_term,
    )
    if card_type == "resident":
        return IdCard(
            card_type=card_type,
            name=draw(field_text(30)),
            nation=draw(st.sampled_from(["", *NATIONS])),
            address=draw(field_text(70)),
            id_number=draw(number(digits, 16)),
            issuer=draw(field_text(30)),
            **common,
        )
    if card_type == "hmt":
        return IdCard(
            card_type=card_type,
            name=draw(field_text(30)),
            address=draw(field_text(70)),
            id_number=draw(number(st.sampled_from(["81", "82", "83"]), 15)),
            issuer=draw(field_text(30)),
            pass_number=draw(field_text(18)),
            issue_count=draw(field_text(4)),
            **common,
        )
    if card_type == "foreign2017":
        name_en = draw(field_text(120))
        id_number = draw(upper3) + draw(st.text("0123456789", min_size=12, max_size=12))
        return IdCard(
            card_type=card_type,
            name=draw(field_text(30)) or name_en,
            name_en=name_en,
            id_number=id_number,
            country=draw(field_text(6)),
            issuer=draw(field_text(8)),
            **common,
        )
    return IdCard(
        card_type=card_type,
        name=draw(field_text(30)),
        name_en=draw(field_text(92)),
        id_number=draw(number(st.just("9"), 16)),
        country=draw(field_text(6)),
        issue_count=draw(field_text(4)),
        **common,
    )


@given(cards())
def test_valid_cards_round_trip(card):
    text = encode(card)
    assert len(text) == 256
    assert decode(text) == card and decode(text).raw == text
