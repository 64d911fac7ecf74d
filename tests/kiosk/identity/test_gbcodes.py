"""Gender and nation names from the codes an ID card gives."""

from kiosk.identity.gbcodes import NATIONS, gender_name, nation_name


def test_gender_and_nation_names():
    assert [gender_name(c) for c in "0129"] == ["未知", "男", "女", "未说明"]
    assert gender_name("3") == gender_name("") == ""  # not 'female'
    assert len(NATIONS) == 58
    assert [nation_name(c) for c in ("01", "03", "36", "46", "56", "97", "98")] == [
        "汉",
        "回",
        "毛南",
        "德昂",
        "基诺",
        "其他",
        "外国血统中国籍人士",
    ]
    for unknown in ("00", "57", "99", "1", ""):
        assert nation_name(unknown) == ""
