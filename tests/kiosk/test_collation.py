from kiosk.collation import pinyin_key


def test_names_sort_by_full_pinyin_not_by_initials():
    names = ["白守信", "蔡桂兰", "程福生", "白翠花", "蔡翠花", "蔡国庆"]
    assert sorted(names, key=pinyin_key) == ["白翠花", "白守信", "蔡翠花", "蔡桂兰", "蔡国庆", "程福生"]


def test_course_names_sort_as_a_dictionary_not_by_code_point():
    names = ["书法", "京剧", "八段锦", "国画", "书法（二）班"]
    assert sorted(names, key=pinyin_key) == ["八段锦", "国画", "京剧", "书法", "书法（二）班"]


def test_letters_and_digits_sort_after_the_syllables_of_their_place():
    assert sorted(["王A", "王五", "王阿"], key=pinyin_key) == ["王阿", "王五", "王A"]


def test_a_rare_character_sorts_by_its_reading():
    assert sorted(["龚𪚥", "龚大", "国画"], key=pinyin_key) == ["龚大", "龚𪚥", "国画"]


def test_the_key_is_total_for_equal_readings():
    assert pinyin_key("书法") != pinyin_key("书发") and pinyin_key("书法") == pinyin_key("书法")
