"""The national standard codes an ID card gives: gender (GB/T 2261.1) and nation (GB 3304).
Members keep the names, as staff and the bureau read them."""

GENDERS = {"0": "未知", "1": "男", "2": "女", "9": "未说明"}  # GB/T 2261.1
# GB 3304 01..56, current names
_NATION_NAMES = (
    "汉", "蒙古", "回", "藏", "维吾尔", "苗", "彝", "壮", "布依", "朝鲜", "满", "侗", "瑶", "白", "土家", "哈尼",
    "哈萨克", "傣", "黎", "傈僳", "佤", "畲", "高山", "拉祜", "水", "东乡", "纳西", "景颇", "柯尔克孜", "土",
    "达斡尔", "仫佬", "羌", "布朗", "撒拉", "毛南", "仡佬", "锡伯", "阿昌", "普米", "塔吉克", "怒", "乌孜别克",
    "俄罗斯", "鄂温克", "德昂", "保安", "裕固", "京", "塔塔尔", "独龙", "鄂伦春", "赫哲", "门巴", "珞巴", "基诺",
)  # fmt: skip
NATIONS = {f"{code:02d}": name for code, name in enumerate(_NATION_NAMES, start=1)} | {
    "97": "其他",
    "98": "外国血统中国籍人士",
}


def gender_name(code: str) -> str:
    return GENDERS.get(code, "")


def nation_name(code: str) -> str:
    return NATIONS.get(code, "")
